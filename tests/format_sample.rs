//! The committed sample of the current file format: `tests/data/format6.redb`, written by
//! [`write_sample`] (`PHOTOCAT_WRITE_SAMPLE=1 cargo test --test format_sample` rewrites it,
//! after a format change, to be committed with the new format's version and upgrade; without
//! the variable the writer runs into a temporary folder and its file is checked to answer the
//! same questions, so the writer never rots). [`the_sample_answers_as_recorded`] opens a copy and checks
//! every answer the engine gives from it (lists in every state and group, cursors, assets as
//! Gumnut JSON, search totals, time buckets, counts, albums, people, libraries, Immich's
//! `GET /asset` with its ETag, checksum and device look-ups) against
//! `tests/data/golden/format6_answers.txt`, recorded when the file was written. A change that
//! reads existing files differently fails here, whatever the newer code writes itself.
//!
//! The previous formats' samples stay: `tests/data/format4.redb` and `format5.redb`, written by
//! this same writer at formats 4 and 5, must upgrade on open and still give every answer
//! recorded then (`golden/format4_answers.txt`, `golden/format5_answers.txt`).

mod common;

use photocat::{
    AddAssets, AssetType, BucketSize, Catalog, DateTimeInput, Exif, GetAllAssets, ListAssets,
    NewAlbum, NewAsset, NewFace, NewLibrary, NewPerson, SearchAssets, State, TimeBuckets,
    Visibility,
};

const SAMPLE: &str = "tests/data/format6.redb";
const ANSWERS: &str = "format6_answers.txt";

fn dt(s: &str) -> DateTimeInput {
    s.parse().unwrap()
}

/// Writes a sample catalogue to `path` (a new file).
fn write_sample(path: &std::path::Path) {
    let cat = Catalog::open(path).unwrap();
    for (id, name, owner) in [
        ("library_home", "Home", Some("owner_ann")),
        ("library_work", "Work", None),
    ] {
        cat.create_library(NewLibrary {
            id: Some(id.into()),
            name: name.into(),
            owner_id: owner.map(Into::into),
        })
        .unwrap();
    }
    for p in 0..4 {
        cat.create_person(NewPerson {
            id: Some(format!("person_{p}")),
            name: (p != 3).then(|| format!("Person {p}")),
            is_favorite: Some(p == 1),
            ..NewPerson::default()
        })
        .unwrap();
    }
    let makes = [None, Some("Canon"), Some("SONY"), Some("canon")];
    let cities = [None, Some("Paris"), Some("Kyōto")];
    let names = [
        None,
        Some("IMG_0001.JPG"),
        Some("img_0002.jpg"),
        Some("Été \"q\".HEIC"),
    ];
    let mimes = [
        None,
        Some("image/jpeg"),
        Some("video/mp4"),
        Some("image/heic"),
    ];
    let mut recs = Vec::new();
    for i in 0..60u32 {
        let library = if i % 5 == 4 {
            "library_work"
        } else {
            "library_home"
        };
        let make = makes[(i % 4) as usize];
        let city = cities[(i % 3) as usize];
        let offset = ["+01:00", "", "-07:30", "Z"][(i % 4) as usize];
        let exif = (i % 7 != 0).then(|| Exif {
            make: make.map(Into::into),
            model: make.map(|m| format!("{m} model {}", i % 3)),
            orientation: Some(1 + (i % 8) as i32),
            original_datetime: Some(
                chrono::DateTime::from_timestamp(1_500_000_000 + i64::from(i) * 86_400, 0).unwrap(),
            ),
            lens_model: (i % 2 == 0).then(|| "24-70mm".into()),
            f_number: Some(1.8 + f64::from(i % 5) * 0.2),
            focal_length: Some(35.0),
            iso: Some(100 * i64::from(1 + i % 8)),
            exposure_time: Some(1.0 / f64::from(1 + i % 500)),
            latitude: (i % 3 == 1).then_some(48.8566 + f64::from(i) * 1e-4),
            longitude: (i % 3 == 1).then_some(2.3522),
            altitude: (i % 6 == 1).then_some(35.5),
            city: city.map(Into::into),
            country: city.map(|_| "Somewhere".into()),
            rating: (i % 4 == 0).then_some(i64::from(i % 6)),
            ..Exif::default()
        });
        recs.push(NewAsset {
            id: Some(format!("asset_{i:02}")),
            library_id: Some(library.into()),
            local_datetime: Some(dt(&format!(
                "20{:02}-{:02}-{:02}T{:02}:{:02}:00{offset}",
                18 + i % 6,
                1 + i % 12,
                1 + (i * 7) % 28,
                (i * 5) % 24,
                i % 60
            ))),
            mime_type: mimes[(i % 4) as usize].map(Into::into),
            original_file_name: names[(i % 4) as usize].map(Into::into),
            description: (i % 5 == 0).then(|| format!("Beach day {i}\nwith \"quotes\"")),
            device_id: (i % 3 == 0).then(|| "phone".into()),
            device_asset_id: (i % 3 == 0).then(|| format!("dev-{i}")),
            checksum: (i % 2 == 0).then(|| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode([i as u8; 32])
            }),
            checksum_sha1: (i % 4 == 0).then(|| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode([i as u8; 20])
            }),
            exif,
            metadata: (i % 4 == 1).then(|| Exif {
                timezone: Some("Europe/Paris".into()),
                place_name: Some("Louvre".into()),
                ..Exif::default()
            }),
            width: (i % 3 != 2).then_some(4000 + i),
            height: (i % 3 != 2).then_some(3000),
            file_size_bytes: Some(1_000_000 + u64::from(i)),
            is_favorite: Some(i % 6 == 0),
            visibility: Some(
                [
                    Visibility::Timeline,
                    Visibility::Timeline,
                    Visibility::Archive,
                    Visibility::Hidden,
                    Visibility::Timeline,
                ][(i % 5) as usize],
            ),
            faces: Some(
                (0..i % 3)
                    .map(|p| NewFace {
                        person_id: Some(format!("person_{}", (p + i) % 4)),
                        ..NewFace::default()
                    })
                    .collect(),
            ),
            ..NewAsset::default()
        });
    }
    for lib in ["library_home", "library_work"] {
        let batch: Vec<NewAsset> = recs
            .iter()
            .filter(|r| r.library_id.as_deref() == Some(lib))
            .cloned()
            .collect();
        let opts = AddAssets {
            library_id: Some(lib.into()),
            ..AddAssets::default()
        };
        cat.add_assets(batch, opts).unwrap();
    }
    cat.create_album(NewAlbum {
        name: "Trip".into(),
        id: Some("album_trip".into()),
        library_id: Some("library_home".into()),
        ..Default::default()
    })
    .unwrap();
    let members: Vec<String> = (0..60)
        .filter(|i| i % 3 == 1 && i % 5 != 4)
        .map(|i| format!("asset_{i:02}"))
        .collect();
    cat.add_to_album("album_trip", &members).unwrap();
    cat.trash_assets(&["asset_05", "asset_08", "asset_13", "asset_40"])
        .unwrap();
    cat.delete_assets(&["asset_11"]).unwrap();
    cat.close().unwrap();
}

/// Every answer of the sample, one per line: what was asked, then the answer.
fn answers(cat: &Catalog) -> String {
    let mut out = String::new();
    let mut line = |what: &str, answer: String| {
        out.push_str(what);
        out.push_str(" => ");
        out.push_str(&answer);
        out.push('\n');
    };
    let libraries = ["library_home", "library_work"];
    for lib in libraries {
        for state in [State::Live, State::Trashed, State::All] {
            let mut q = ListAssets {
                library_id: Some(lib.into()),
                state,
                limit: 7,
                ..ListAssets::default()
            };
            let mut page_no = 0;
            loop {
                let page = cat.list_assets(&q).unwrap();
                let json = page.to_json();
                assert_eq!(cat.list_assets_json(&q).unwrap(), json);
                line(&format!("list {lib} {state:?} page {page_no}"), json);
                assert_eq!(cat.count_assets(&q).unwrap() > 0, !page.data.is_empty());
                match (page.has_more, page.data.last()) {
                    (true, Some(last)) => q.starting_after_id = Some(last.id.clone()),
                    _ => break,
                }
                page_no += 1;
            }
            let count = cat
                .count_assets(&ListAssets {
                    library_id: Some(lib.into()),
                    state,
                    ..ListAssets::default()
                })
                .unwrap();
            line(&format!("count {lib} {state:?}"), count.to_string());
        }
    }
    let ids = |q: ListAssets| -> String {
        let v: Vec<String> = cat
            .iter_assets(q, 200)
            .unwrap()
            .map(|a| a.unwrap().id)
            .collect();
        v.join(",")
    };
    line(
        "album_trip",
        ids(ListAssets {
            album_id: Some("album_trip".into()),
            ..ListAssets::default()
        }),
    );
    for p in 0..4 {
        line(
            &format!("person_{p} in library_home"),
            ids(ListAssets {
                library_id: Some("library_home".into()),
                person_id: Some(format!("person_{p}")),
                ..ListAssets::default()
            }),
        );
    }
    line(
        "album_trip and person_1",
        ids(ListAssets {
            album_id: Some("album_trip".into()),
            person_id: Some("person_1".into()),
            ..ListAssets::default()
        }),
    );
    line(
        "library_home 2019..2021, aware bounds",
        ids(ListAssets {
            library_id: Some("library_home".into()),
            local_datetime_after: Some(dt("2019-06-01T00:00:00+02:00")),
            local_datetime_before: Some(dt("2021-01-01T00:00:00")),
            ..ListAssets::default()
        }),
    );
    line(
        "cursor asset_20 in library_home",
        ids(ListAssets {
            library_id: Some("library_home".into()),
            starting_after_id: Some("asset_20".into()),
            ..ListAssets::default()
        }),
    );
    for i in 0..60 {
        let id = format!("asset_{i:02}");
        let got = match cat.get_asset(&id) {
            Ok(a) => {
                let json = a.to_json();
                assert_eq!(cat.get_asset_json(&id).unwrap(), json);
                format!("{} {json}", a.library_id)
            }
            Err(e) => format!("error {e}"),
        };
        line(&format!("get {id}"), got);
    }
    let searches: Vec<(&str, SearchAssets)> = vec![
        (
            "make Canon",
            SearchAssets {
                make: Some("Canon".into()),
                ..Default::default()
            },
        ),
        (
            "city Kyōto, favourite",
            SearchAssets {
                city: Some("Kyōto".into()),
                is_favorite: Some(true),
                ..Default::default()
            },
        ),
        (
            "name img_000, album_trip",
            SearchAssets {
                original_file_name: Some("img_000".into()),
                album_ids: Some(vec!["album_trip".into()]),
                ..Default::default()
            },
        ),
        (
            "description BEACH, person_0",
            SearchAssets {
                description: Some("BEACH".into()),
                person_ids: Some(vec!["person_0".into()]),
                ..Default::default()
            },
        ),
        (
            "archived videos",
            SearchAssets {
                mime_type: Some("video/mp4".into()),
                visibility: Some(Visibility::Archive),
                ..Default::default()
            },
        ),
        (
            "captured 2020",
            SearchAssets {
                captured_after: Some(dt("2020-01-01T00:00:00")),
                captured_before: Some(dt("2021-01-01T00:00:00")),
                ..Default::default()
            },
        ),
    ];
    // The majority values (format 5 keeps only the other side of these fields and answers
    // them as the library minus it): the answers were recorded by format 4, which kept both
    // sides.
    let majority: Vec<(&str, SearchAssets)> = vec![
        (
            "not favourite",
            SearchAssets {
                is_favorite: Some(false),
                ..Default::default()
            },
        ),
        (
            "timeline",
            SearchAssets {
                visibility: Some(Visibility::Timeline),
                ..Default::default()
            },
        ),
        (
            "images",
            SearchAssets {
                asset_type: Some(AssetType::Image),
                ..Default::default()
            },
        ),
        (
            "images, timeline, not favourite",
            SearchAssets {
                asset_type: Some(AssetType::Image),
                visibility: Some(Visibility::Timeline),
                is_favorite: Some(false),
                ..Default::default()
            },
        ),
        (
            "images, not favourite, person_0",
            SearchAssets {
                asset_type: Some(AssetType::Image),
                is_favorite: Some(false),
                person_ids: Some(vec!["person_0".into()]),
                ..Default::default()
            },
        ),
        (
            "timeline, make Canon",
            SearchAssets {
                visibility: Some(Visibility::Timeline),
                make: Some("Canon".into()),
                ..Default::default()
            },
        ),
        (
            "not favourite, captured 2020",
            SearchAssets {
                is_favorite: Some(false),
                captured_after: Some(dt("2020-01-01T00:00:00")),
                captured_before: Some(dt("2021-01-01T00:00:00")),
                ..Default::default()
            },
        ),
        (
            "not favourite, person_1, captured after 2019",
            SearchAssets {
                is_favorite: Some(false),
                person_ids: Some(vec!["person_1".into()]),
                captured_after: Some(dt("2019-01-01T00:00:00")),
                ..Default::default()
            },
        ),
        (
            "images, album_trip",
            SearchAssets {
                asset_type: Some(AssetType::Image),
                album_ids: Some(vec!["album_trip".into()]),
                ..Default::default()
            },
        ),
        (
            "not favourite, name img_0",
            SearchAssets {
                is_favorite: Some(false),
                original_file_name: Some("img_0".into()),
                ..Default::default()
            },
        ),
    ];
    let pages = searches.into_iter().map(|(what, q)| (what, q, 2)).chain(
        majority
            .into_iter()
            .flat_map(|(what, q)| [(what, q.clone(), 1), (what, q, 2)]),
    );
    for (what, q, page_no) in pages {
        let q = SearchAssets {
            library_id: Some("library_home".into()),
            limit: 5,
            page: page_no,
            ..q
        };
        let page = cat.search_assets(&q).unwrap();
        let ids: Vec<&str> = page.data.iter().map(|a| a.id.as_str()).collect();
        line(
            &format!("search {what}, page {page_no} of 5"),
            format!(
                "total {} has_more {} [{}]",
                page.total,
                page.has_more,
                ids.join(",")
            ),
        );
    }
    for size in [
        BucketSize::Year,
        BucketSize::Month,
        BucketSize::Week,
        BucketSize::Day,
    ] {
        for (what, album, person) in [
            ("library", None, None),
            ("album_trip", Some("album_trip"), None),
            ("person_2", None, Some("person_2")),
        ] {
            let b = cat
                .time_buckets(&TimeBuckets {
                    size,
                    library_id: Some("library_home".into()),
                    album_id: album.map(Into::into),
                    person_id: person.map(Into::into),
                    ..Default::default()
                })
                .unwrap();
            let text: Vec<String> = b
                .iter()
                .map(|b| format!("{}:{}", b.start, b.count))
                .collect();
            line(&format!("buckets {size:?} {what}"), text.join(" "));
        }
    }
    let albums: Vec<String> = cat
        .list_albums(None)
        .unwrap()
        .iter()
        .map(|a| format!("{} {}", serde_json::to_string(a).unwrap(), a.asset_count))
        .collect();
    line("albums", albums.join(" "));
    let people: Vec<String> = cat
        .list_people()
        .unwrap()
        .iter()
        .map(|p| serde_json::to_string(p).unwrap())
        .collect();
    line("people", people.join(" "));
    let libs: Vec<String> = cat
        .list_libraries()
        .unwrap()
        .iter()
        .map(|l| serde_json::to_string(l).unwrap())
        .collect();
    line("libraries", libs.join(" "));
    let mut summary = cat.summary().unwrap();
    summary.file_size_bytes = None; // the file's size depends on the open, not on the format
    line("summary", format!("{summary:?}"));
    let all = cat.get_all_assets(&GetAllAssets::default()).unwrap();
    line(
        "immich GET /asset",
        format!("{} {}", all.etag, String::from_utf8(all.body).unwrap()),
    );
    let all = cat
        .get_all_assets(&GetAllAssets {
            owner_id: Some("owner_ann".into()),
            is_favorite: Some(true),
            skip: 1,
            take: Some(3),
            ..GetAllAssets::default()
        })
        .unwrap();
    line(
        "immich GET /asset, owner_ann favourites, skip 1 take 3",
        format!("{} {}", all.etag, String::from_utf8(all.body).unwrap()),
    );
    let sums: Vec<String> = (0u8..8)
        .map(|i| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode([i; 20])
        })
        .collect();
    let found = cat.check_checksums(&sums, None).unwrap();
    line("checksums", format!("{found:?}"));
    line(
        "device phone",
        format!("{:?}", cat.device_asset_ids("phone", None).unwrap()),
    );
    out.trim_end().to_owned()
}

/// The writer runs on every test run: into a temporary folder, whose file must answer the same
/// questions as the committed sample (same lines, same questions; the answers differ only in the
/// times of writing and the generated face ids). With `PHOTOCAT_WRITE_SAMPLE=1` it rewrites the
/// committed sample instead (then bless the answers with `PHOTOCAT_BLESS=1`).
#[test]
fn the_sample_writer_writes_a_sample_that_answers_the_same_questions() {
    let dir = tempfile::tempdir().unwrap();
    let path = if std::env::var_os("PHOTOCAT_WRITE_SAMPLE").is_some() {
        let p = std::path::PathBuf::from(format!("{}/{SAMPLE}", env!("CARGO_MANIFEST_DIR")));
        let _ = std::fs::remove_file(&p);
        p
    } else {
        dir.path().join("fresh.redb")
    };
    write_sample(&path);
    let cat = Catalog::open(&path).unwrap();
    let report = cat.verify().unwrap();
    assert!(report.is_ok(), "{report}");
    let fresh = answers(&cat);
    let recorded = std::fs::read_to_string(format!(
        "{}/tests/data/golden/{ANSWERS}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let questions = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split(" => ").next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(questions(&fresh), questions(&recorded));
}

#[test]
fn the_sample_answers_as_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.redb");
    std::fs::copy(SAMPLE, &path).unwrap();
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(
        cat.upgraded_from(),
        None,
        "the sample is the current format"
    );
    let report = cat.verify().unwrap();
    assert!(report.is_ok(), "{report}");
    common::golden(ANSWERS, &answers(&cat));
}

/// A previous format's sample (written by this writer while the format was `version`)
/// upgrades in place to the current format, finds itself whole, and gives every answer it gave
/// then; reopened, it is not upgraded again and answers the same.
fn older_sample_upgrades_and_answers_as_recorded(version: u32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("older.redb");
    std::fs::copy(format!("tests/data/format{version}.redb"), &path).unwrap();
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.upgraded_from(), Some(version));
    let report = cat.verify().unwrap();
    assert!(report.is_ok(), "{report}");
    let answers = answers(&cat);
    // Every answer as recorded, but the summary's format version: the file is now current.
    let current = format!("format_version: {}", photocat::FORMAT_VERSION);
    assert_eq!(answers.matches(&current).count(), 1);
    common::golden(
        &format!("format{version}_answers.txt"),
        &answers.replace(&current, &format!("format_version: {version}")),
    );
    drop(cat);
    // And again after a reopen: the upgrade was committed.
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.upgraded_from(), None);
    assert_eq!(self::answers(&cat), answers);
}

/// Format 4's sample, with searches on the majority values whose groups format 5 no longer
/// stores (recorded while they were stored).
#[test]
fn the_format4_sample_upgrades_and_answers_as_recorded() {
    older_sample_upgrades_and_answers_as_recorded(4);
}

/// Format 5's sample: its id map becomes the asset places, and every cursor and album answer
/// stays as recorded.
#[test]
fn the_format5_sample_upgrades_and_answers_as_recorded() {
    older_sample_upgrades_and_answers_as_recorded(5);
}

/// A format 5 file whose id map disagrees with its records (an id pointing at another asset's
/// key) is refused with `Corrupt` rather than upgraded into places that would misplace
/// assets; the refusal commits nothing, so it is refused the same way again.
#[test]
fn a_format5_file_whose_id_map_disagrees_with_its_records_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("older.redb");
    std::fs::copy("tests/data/format5.redb", &path).unwrap();
    {
        use redb::ReadableTable;
        let ids: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("asset_ids");
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(ids).unwrap();
            let key = t.get("asset_02").unwrap().unwrap().value();
            t.insert("asset_01", key).unwrap();
        }
        txn.commit().unwrap();
    }
    for _ in 0..2 {
        match Catalog::open(&path) {
            Err(photocat::Error::Corrupt(m)) => {
                assert!(m.contains("asset_") && m.contains("format 6"), "{m}")
            }
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("opened"),
        }
    }
}
