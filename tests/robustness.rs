//! No input panics: arbitrary strings, numbers and datetimes at every public parameter give
//! either a result or a typed error, and a failed call leaves the catalogue as it was.

use photocat::{
    AddAssets, AssetUpdate, Catalog, DateTimeInput, Error, ListAssets, NewAlbum, NewAsset, NewFace,
    NewPerson, State,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn seeded() -> Catalog {
    let cat = Catalog::in_memory().unwrap();
    let recs = (0..5)
        .map(|i| NewAsset {
            id: Some(format!("a{i}")),
            local_datetime: Some(format!("2024-01-0{}T00:00:00", i + 1).parse().unwrap()),
            ..Default::default()
        })
        .collect();
    cat.add_assets(recs, AddAssets::default()).unwrap();
    cat.create_album(NewAlbum {
        name: "x".into(),
        id: Some("album_x".into()),
        ..Default::default()
    })
    .unwrap();
    cat.create_person(NewPerson {
        id: Some("person_x".into()),
        ..Default::default()
    })
    .unwrap();
    cat
}

fn snapshot(cat: &Catalog) -> String {
    let page = cat
        .list_assets(&ListAssets {
            state: State::All,
            limit: 200,
            ..Default::default()
        })
        .unwrap();
    page.to_json()
}

/// Any JSON value, shallow.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::from),
        prop_oneof![
            Just("2023-11-07T07:31:56+02:00"),
            Just("9999-12-31T23:59:59.999999-18:00"),
            Just("0001-01-01T00:00:00+18:00"),
            Just("2023-02-30T00:00:00"),
            Just("Europe/Paris"),
            Just("+14:00"),
            Just("Mars/Base"),
            Just("qvTGHdzF6KLavt4PO0gs2a6pQ00="),
        ]
        .prop_map(Value::from),
        Just(json!({"x": 1, "y": -5, "w": -3, "h": 2})),
        Just(json!([1, "a", null])),
        Just(json!({"timezone": "Pacific/Apia", "latitude": 1e308})),
    ]
}

const KEYS: &[&str] = &[
    "id",
    "device_asset_id",
    "device_id",
    "mime_type",
    "original_file_name",
    "file_created_at",
    "file_modified_at",
    "local_datetime",
    "checksum",
    "checksum_sha1",
    "created_at",
    "updated_at",
    "exif",
    "metadata",
    "metrics",
    "asset_urls",
    "description",
    "faces",
    "people",
    "width",
    "height",
    "file_size_bytes",
    "trashed_at",
    "library_id",
    "owner_id",
    "visibility",
    "tags",
    "type",
    "bogus",
];

fn any_record() -> impl Strategy<Value = Value> {
    proptest::collection::vec((proptest::sample::select(KEYS), any_value()), 0..8).prop_map(|kv| {
        let mut m = serde_json::Map::new();
        for (k, v) in kv {
            m.insert(k.to_owned(), v);
        }
        Value::Object(m)
    })
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,30}",
        "[A-Za-z0-9_.:-]{0,140}",
        Just("a1".to_owned()),
        Just("album_x".to_owned())
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_records_never_panic(recs in proptest::collection::vec(any_record(), 1..4)) {
        let cat = seeded();
        let before = snapshot(&cat);
        let parsed: Result<Vec<NewAsset>, _> =
            recs.iter().map(|r| serde_json::from_value::<NewAsset>(r.clone())).collect();
        if let Ok(parsed) = parsed {
            match cat.add_assets(parsed, AddAssets::default()) {
                Ok(out) => {
                    // Whatever was written reads back and serializes.
                    for a in out {
                        prop_assert_eq!(cat.get_asset(&a.id).unwrap().to_json(), a.to_json());
                    }
                }
                Err(e) => {
                    prop_assert!(!e.to_string().is_empty());
                    prop_assert_eq!(snapshot(&cat), before);
                }
            }
        }
    }

    #[test]
    fn arbitrary_list_parameters_never_panic(
        lib in proptest::option::of(any_text()),
        album in proptest::option::of(any_text()),
        person in proptest::option::of(any_text()),
        after_id in proptest::option::of(any_text()),
        ids in proptest::option::of(proptest::collection::vec(any_text(), 0..120)),
        limit in any::<u32>(),
        after in proptest::option::of(".{0,30}"),
        before in proptest::option::of(any::<i64>()),
        state in 0u8..3,
    ) {
        let cat = seeded();
        let after = after.and_then(|s| s.parse::<DateTimeInput>().ok());
        let before = before.and_then(chrono::DateTime::from_timestamp_micros).map(|d| DateTimeInput::from(d.naive_utc()));
        let q = ListAssets {
            library_id: lib, album_id: album, person_id: person, ids,
            local_datetime_after: after, local_datetime_before: before,
            starting_after_id: after_id,
            state: [State::Live, State::Trashed, State::All][state as usize],
            limit,
        };
        match cat.list_assets(&q) {
            Ok(p) => prop_assert!(p.data.len() <= q.limit as usize),
            Err(Error::InvalidArgument(m)) => prop_assert!(!m.is_empty()),
            Err(Error::NotFound { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
        let _ = cat.iter_assets(q, limit).map(|it| it.take(3).count());
    }

    #[test]
    fn arbitrary_write_arguments_never_panic(
        id in any_text(),
        other in any_text(),
        x in any::<i32>(), w in any::<i32>(), ts in any::<i64>(),
        update in any_record(),
    ) {
        let cat = seeded();
        let before = snapshot(&cat);
        let _ = cat.trash_assets(std::slice::from_ref(&id));
        let _ = cat.restore_assets(std::slice::from_ref(&id));
        let _ = cat.add_to_album(&other, std::slice::from_ref(&id));
        let _ = cat.remove_from_album(&other, std::slice::from_ref(&id));
        let _ = cat.assign_face(&id, Some(&other));
        let _ = cat.merge_people(&id, std::slice::from_ref(&other));
        let _ = cat.update_person(&id, NewPerson { name: Some(other.clone()), ..Default::default() });
        let _ = cat.add_faces(vec![NewFace {
            asset_id: Some(id.clone()),
            person_id: Some(other.clone()),
            bounding_box: photocat::BoundingBox { x, y: x, w, h: w },
            timestamp_ms: Some(ts),
            ..Default::default()
        }]);
        if let Ok(u) = serde_json::from_value::<AssetUpdate>(update) {
            let _ = cat.update_asset(&id, u);
        }
        let _ = cat.get_asset(&id);
        let _ = cat.get_album(&id);
        let _ = cat.get_person(&id);
        let _ = cat.delete_assets(std::slice::from_ref(&other));
        // The seeded assets are intact unless a call above legitimately changed them.
        if !["a0", "a1", "a2", "a3", "a4"].contains(&id.as_str())
            && !["a0", "a1", "a2", "a3", "a4"].contains(&other.as_str())
        {
            prop_assert_eq!(snapshot(&cat), before);
        }
    }

    #[test]
    fn arbitrary_datetime_strings_parse_or_fail_cleanly(s in ".{0,40}") {
        match s.parse::<DateTimeInput>() {
            Ok(d) => { let _ = d.to_string(); }
            Err(e) => prop_assert!(matches!(e, Error::InvalidArgument(_))),
        }
    }

    #[test]
    fn arbitrary_timezones_resolve_or_fail_cleanly(tz in ".{0,30}", micros in -62_000_000_000_000_000i64..253_000_000_000_000_000) {
        let naive = chrono::DateTime::from_timestamp_micros(micros).unwrap().naive_utc();
        let _ = photocat::model::time::resolve_timezone(&tz, naive);
    }
}
