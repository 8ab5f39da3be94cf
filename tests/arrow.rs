//! The Arrow batches and the Parquet export against the list calls: same rows, same order,
//! every filter, one snapshot, bounded batches, and the schema pinned.
#![cfg(feature = "parquet")]

mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int16Type, Int32Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch, RecordBatchReader};
use arrow_schema::{DataType, TimeUnit};
use common::asset;
use photocat::parquet::{ExportParquet, PartitionBy};
use photocat::{
    AddAssets, Catalog, Exif, ListAssets, NewAlbum, NewAsset, NewFace, NewPerson, State,
};

/// 40 assets over two years with offsets, EXIF, tags, trash, two albums and two people.
fn catalogue() -> (Catalog, Vec<String>, Vec<String>) {
    let cat = Catalog::in_memory().unwrap();
    let offsets = ["", "+02:00", "-05:00", "Z"];
    let recs: Vec<NewAsset> = (0..40)
        .map(|i| {
            let when = format!(
                "{}-{:02}-{:02}T{:02}:00:00{}",
                2023 + i % 2,
                i % 12 + 1,
                i % 28 + 1,
                i % 24,
                offsets[i % 4]
            );
            let mut a = asset(&format!("asset_{i:03}"), &when);
            if i % 3 == 0 {
                a.exif = Some(Exif {
                    make: Some(["Canon", "Apple"][i % 2].into()),
                    model: Some(format!("M{}", i % 5)),
                    latitude: Some(48.0 + i as f64 / 100.0),
                    iso: Some(100 * i as i64),
                    ..Default::default()
                });
            }
            if i % 4 == 1 {
                a.tags = Some(vec!["b".into(), "a".into()]);
            }
            a.is_favorite = Some(i % 5 == 0);
            a
        })
        .collect();
    cat.add_assets(recs, AddAssets::default()).unwrap();
    cat.trash_assets(&["asset_007", "asset_008"]).unwrap();
    let mut albums = Vec::new();
    for name in ["zeta", "alpha"] {
        albums.push(
            cat.create_album(NewAlbum {
                name: name.into(),
                ..Default::default()
            })
            .unwrap()
            .id,
        );
    }
    let ids = |f: fn(usize) -> bool| -> Vec<String> {
        (0..40)
            .filter(|&i| f(i))
            .map(|i| format!("asset_{i:03}"))
            .collect()
    };
    cat.add_to_album(&albums[0], &ids(|i| i % 2 == 0)).unwrap();
    cat.add_to_album(&albums[1], &ids(|i| i % 3 == 0)).unwrap();
    let mut people = Vec::new();
    for _ in 0..2 {
        people.push(cat.create_person(NewPerson::default()).unwrap().id);
    }
    let mut faces = Vec::new();
    for i in 0..40 {
        for (p, m) in [(1, 3), (0, 4)] {
            if i % m == 0 {
                faces.push(NewFace {
                    asset_id: Some(format!("asset_{i:03}")),
                    person_id: Some(people[p].clone()),
                    ..Default::default()
                });
            }
        }
    }
    cat.add_faces(faces).unwrap();
    (cat, albums, people)
}

fn all(cat: &Catalog, q: &ListAssets, batch_size: usize) -> Vec<RecordBatch> {
    let reader = cat.arrow_batches(q, batch_size).unwrap();
    assert_eq!(reader.schema(), photocat::views::arrow::schema());
    reader.map(Result::unwrap).collect()
}

fn ids(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        let col = b.column_by_name("id").unwrap().as_string::<i32>();
        out.extend(col.iter().map(|s| s.unwrap().to_owned()));
    }
    out
}

#[test]
fn rows_are_the_list_in_order_for_every_filter() {
    let (cat, albums, people) = catalogue();
    let q = |f: &dyn Fn(&mut ListAssets)| {
        let mut q = ListAssets::default();
        f(&mut q);
        q
    };
    let queries = [
        q(&|_| {}),
        q(&|q| q.state = State::Trashed),
        q(&|q| q.state = State::All),
        q(&|q| q.album_id = Some(albums[0].clone())),
        q(&|q| q.person_id = Some(people[1].clone())),
        q(&|q| {
            q.album_id = Some(albums[1].clone());
            q.person_id = Some(people[0].clone());
        }),
        q(&|q| {
            q.ids = Some(vec![
                "asset_003".into(),
                "asset_030".into(),
                "asset_999".into(),
            ])
        }),
        q(&|q| q.local_datetime_after = Some("2023-06-01T00:00:00".parse().unwrap())),
        q(&|q| q.local_datetime_before = Some("2024-03-01T00:00:00+01:00".parse().unwrap())),
        q(&|q| q.starting_after_id = Some("asset_013".into())),
    ];
    for query in queries {
        let expected: Vec<photocat::Asset> = cat
            .iter_assets(query.clone(), 200)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for batch_size in [1, 7, 65_536] {
            let batches = all(&cat, &query, batch_size);
            assert!(batches.iter().all(|b| b.num_rows() <= batch_size));
            let want: Vec<String> = expected.iter().map(|a| a.id.clone()).collect();
            assert_eq!(ids(&batches), want, "{query:?} in batches of {batch_size}");
        }
        // The reader's rows and a page's batch of the same assets are the same table.
        let batches = all(&cat, &query, 9);
        let page = cat.assets_batch(&expected).unwrap();
        let mut offset = 0;
        for b in &batches {
            assert_eq!(*b, page.slice(offset, b.num_rows()), "{query:?}");
            offset += b.num_rows();
        }
        assert_eq!(offset, page.num_rows());
    }
}

#[test]
fn columns_hold_the_values() {
    let (cat, albums, people) = catalogue();
    let q = ListAssets {
        ids: Some(vec![
            "asset_000".into(),
            "asset_001".into(),
            "asset_002".into(),
        ]),
        state: State::All,
        ..Default::default()
    };
    let batches = all(&cat, &q, 100);
    let b = &batches[0];
    let col = |name: &str| b.column_by_name(name).unwrap().clone();
    assert_eq!(ids(&batches), ["asset_001", "asset_002", "asset_000"]);
    // asset_000: 2023-01-01T00:00:00 naive; asset_001: 2024-02-02T01:00:00+02:00.
    let local = col("local_datetime");
    let local = local.as_primitive::<TimestampMicrosecondType>();
    let expect_local = chrono::NaiveDate::from_ymd_opt(2024, 2, 2)
        .unwrap()
        .and_hms_opt(1, 0, 0)
        .unwrap();
    assert_eq!(local.value(0), expect_local.and_utc().timestamp_micros());
    let offset = col("local_offset_minutes");
    let offset = offset.as_primitive::<Int16Type>();
    assert_eq!(
        (offset.is_null(2), offset.value(0), offset.value(1)),
        (true, 120, -300)
    );
    let captured = col("captured_at");
    let captured = captured.as_primitive::<TimestampMicrosecondType>();
    assert!(captured.is_null(2));
    assert_eq!(
        captured.value(0),
        expect_local.and_utc().timestamp_micros() - 2 * 3_600_000_000
    );
    // album_ids sorted by id; person_ids in face order (person 1 first on asset_000).
    let lists = col("album_ids");
    let lists = lists.as_list::<i32>();
    let mut want = albums.clone();
    want.sort();
    let got: Vec<String> = lists
        .value(2)
        .as_string::<i32>()
        .iter()
        .map(|s| s.unwrap().to_owned())
        .collect();
    assert_eq!(got, want);
    let persons = col("person_ids");
    let persons = persons.as_list::<i32>();
    let got: Vec<String> = persons
        .value(2)
        .as_string::<i32>()
        .iter()
        .map(|s| s.unwrap().to_owned())
        .collect();
    assert_eq!(got, [people[1].clone(), people[0].clone()]);
    let faces = col("face_count");
    assert_eq!(faces.as_primitive::<Int32Type>().value(2), 2);
    // Dictionary-encoded make; nulls where there is no EXIF.
    let make = col("exif_make");
    assert_eq!(
        make.data_type(),
        &DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
    );
    let make = make.as_dictionary::<Int32Type>();
    let values = make.values().as_string::<i32>();
    assert_eq!(values.value(make.keys().value(2) as usize), "Canon");
    assert!(make.is_null(0));
    let tags = col("tags");
    let tags = tags.as_list::<i32>().value(0);
    let got: Vec<&str> = tags.as_string::<i32>().iter().map(Option::unwrap).collect();
    assert_eq!(got, ["b", "a"]);
}

#[test]
fn the_schema_is_pinned() {
    let schema = photocat::views::arrow::schema();
    let utc = DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")));
    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let head: Vec<(&str, DataType, bool)> = vec![
        ("id", DataType::Utf8, false),
        ("library_id", dict.clone(), false),
        ("owner_id", dict.clone(), true),
        ("device_asset_id", DataType::Utf8, false),
        ("device_id", dict.clone(), false),
        ("type", dict.clone(), false),
        ("mime_type", dict.clone(), false),
        ("original_file_name", DataType::Utf8, false),
        ("original_path", DataType::Utf8, true),
        ("file_created_at", utc.clone(), false),
        ("file_modified_at", utc.clone(), false),
        (
            "local_datetime",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        ("local_offset_minutes", DataType::Int16, true),
        ("local_datetime_source", dict.clone(), true),
        ("captured_at", utc.clone(), true),
    ];
    for (i, (name, ty, nullable)) in head.into_iter().enumerate() {
        let f = schema.field(i);
        assert_eq!(
            (f.name().as_str(), f.data_type(), f.is_nullable()),
            (name, &ty, nullable)
        );
    }
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let exif = names.iter().filter(|n| n.starts_with("exif_")).count();
    let metadata = names.iter().filter(|n| n.starts_with("metadata_")).count();
    assert_eq!((names.len(), exif, metadata), (40 + 25 + 29, 25, 29));
    // The whole list, in order, is pinned by the Python test (tests/python/test_frames.py).
}

#[test]
fn one_snapshot_and_bad_arguments() {
    let (cat, _, _) = catalogue();
    let mut reader = cat.arrow_batches(&ListAssets::default(), 10).unwrap();
    let first = reader.next().unwrap().unwrap();
    // A write after the reader opened is not seen by its later batches.
    cat.add_assets(
        vec![asset("asset_new", "2000-01-01T00:00:00")],
        AddAssets::default(),
    )
    .unwrap();
    let rest: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    let mut seen = ids(&[first]);
    seen.extend(ids(&rest));
    assert_eq!(seen.len(), 38);
    assert!(!seen.contains(&"asset_new".to_owned()));
    let err = cat.arrow_batches(&ListAssets::default(), 0).err().unwrap();
    assert_eq!(err.to_string(), "batch_size must be at least 1, got 0");
    let q = ListAssets {
        album_id: Some("album_missing".into()),
        ..Default::default()
    };
    assert!(matches!(
        cat.arrow_batches(&q, 10).err().unwrap(),
        photocat::Error::NotFound { .. }
    ));
    // An empty catalogue: no batch, the schema all the same.
    let empty = Catalog::in_memory().unwrap();
    let reader = empty.arrow_batches(&ListAssets::default(), 10).unwrap();
    assert_eq!(reader.schema(), photocat::views::arrow::schema());
    assert_eq!(reader.count(), 0);
}

fn read_parquet(path: &std::path::Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    reader.map(Result::unwrap).collect()
}

#[test]
fn parquet_partitions_hold_the_rows() {
    let (cat, _, _) = catalogue();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let mut progress = Vec::new();
    let files = cat
        .export_parquet(&out, &ExportParquet::default(), |n| progress.push(n))
        .unwrap();
    assert_eq!(progress.last(), Some(&38));
    let mut seen = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
        let parts: Vec<&str> = rel.split('/').collect();
        assert_eq!(parts.len(), 3, "{rel}");
        assert_eq!(parts[2], "part-0.parquet");
        let batches = read_parquet(f);
        for b in &batches {
            assert_eq!(b.schema(), photocat::views::arrow::schema());
            let local = b.column_by_name("local_datetime").unwrap();
            let local = local.as_primitive::<TimestampMicrosecondType>();
            for i in 0..b.num_rows() {
                let t = chrono::DateTime::from_timestamp_micros(local.value(i))
                    .unwrap()
                    .naive_utc();
                use chrono::Datelike;
                assert_eq!(
                    format!("year={}/month={}", t.year(), t.month()),
                    format!("{}/{}", parts[0], parts[1])
                );
            }
        }
        seen.extend(ids(&batches));
    }
    // Files in list order hold the list.
    assert_eq!(seen, ids(&all(&cat, &ListAssets::default(), 1000)));
    // No temporary file is left.
    for e in walkdir::WalkDir::new(&out) {
        let e = e.unwrap();
        assert!(!e.file_name().to_string_lossy().contains(".tmp"));
    }
    // A non-empty directory is refused; unpartitioned exports write one file.
    let err = cat
        .export_parquet(&out, &ExportParquet::default(), |_| {})
        .unwrap_err();
    assert!(err.to_string().contains("is not empty"), "{err}");
    let flat = dir.path().join("flat");
    let opts = ExportParquet {
        partition_by: PartitionBy::None,
        query: ListAssets {
            state: State::Trashed,
            ..Default::default()
        },
        batch_size: 1,
    };
    let files = cat.export_parquet(&flat, &opts, |_| {}).unwrap();
    assert_eq!(files, [flat.join("part-0.parquet")]);
    assert_eq!(ids(&read_parquet(&files[0])), ["asset_008", "asset_007"]);
    // Nothing to export, unpartitioned: one empty file with the schema.
    let none = dir.path().join("none");
    let opts = ExportParquet {
        partition_by: PartitionBy::None,
        query: ListAssets {
            ids: Some(vec!["asset_zzz".into()]),
            ..Default::default()
        },
        ..Default::default()
    };
    let files = cat.export_parquet(&none, &opts, |_| {}).unwrap();
    assert_eq!(
        read_parquet(&files[0])
            .iter()
            .map(|b| b.num_rows())
            .sum::<usize>(),
        0
    );
}
