//! The Gumnut JSON view: golden bytes for full records, determinism, and round trips of every
//! field a caller supplies.

mod common;

use common::golden;

use photocat::{AddAssets, Asset, Catalog, ListAssets, NewAsset};

/// A record using every field of the canonical shape, as a Gumnut API response would carry it.
const FULL: &str = r#"{
  "id": "asset_full",
  "device_asset_id": "IMG_0001",
  "device_id": "iphone-13",
  "mime_type": "image/heic",
  "original_file_name": "IMG_0001.HEIC",
  "file_created_at": "2023-11-07T05:31:57Z",
  "file_modified_at": "2023-11-07T05:31:58.5Z",
  "local_datetime": "2023-11-07T07:31:56.25+02:00",
  "checksum": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
  "checksum_sha1": "qvTGHdzF6KLavt4PO0gs2a6pQ00=",
  "created_at": "2024-01-01T00:00:00Z",
  "updated_at": "2024-01-02T00:00:00.123Z",
  "exif": {
    "asset_id": "asset_full",
    "created_at": "2024-01-01T00:00:00Z",
    "updated_at": "2024-01-01T00:00:00Z",
    "make": "Apple", "model": "iPhone 13 Pro Max", "orientation": 6,
    "modified_datetime": "2023-11-07T05:31:56Z",
    "original_datetime": "2023-11-07T05:31:56.25Z",
    "digitized_datetime": null,
    "lens_model": "iPhone 13 Pro Max back triple camera 5.7mm f/1.5",
    "f_number": 1.5, "focal_length": 5.7, "iso": 50, "exposure_time": 0.008333333333333333,
    "exposure_bias": -0.3333333333333333, "latitude": 48.858844, "longitude": 2.294351,
    "altitude": 35.2, "city": "Paris", "state": "Ile-de-France", "country": "France",
    "description": "camera text", "fps": null, "live_photo_cid": "ABC-123",
    "projection_type": null, "profile_description": "Display P3",
    "auto_stack_id": null, "rating": 4
  },
  "metadata": {
    "asset_id": "asset_full",
    "created_at": "2024-01-01T00:00:00Z",
    "updated_at": "2024-01-01T00:00:00Z",
    "city": "Paris", "country": "France", "country_code": "FR",
    "place_name": "Tour Eiffel", "timezone": "Europe/Paris", "display_label": "Paris, France",
    "sublocation": "Champ de Mars"
  },
  "metrics": {"aesthetic": 0.8125, "sharpness": null},
  "asset_urls": {"original": {"mimetype": "image/heic", "url": "https://example.test/o", "width": 4032},
                 "thumbnail": {"mimetype": "image/webp", "url": "https://example.test/t", "width": null}},
  "description": "A tower at dusk",
  "faces": [
    {"id": "face_1", "asset_id": "asset_full", "person_id": "person_ann",
     "bounding_box": {"x": 10, "y": 20, "w": 30, "h": 40}, "timestamp_ms": null,
     "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"},
    {"id": "face_2", "asset_id": "asset_full", "person_id": null,
     "bounding_box": {"x": 1, "y": 2, "w": 3, "h": 4}, "timestamp_ms": 1500,
     "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}
  ],
  "people": [
    {"id": "person_ann", "name": "Ann", "birth_date": "1990-05-06", "is_hidden": false,
     "is_favorite": true, "asset_count": 1, "thumbnail_face_id": "face_1",
     "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}
  ],
  "width": 3024,
  "height": 4032,
  "file_size_bytes": 2182707,
  "trashed_at": null
}"#;

fn add(cat: &Catalog, json: &str) -> Asset {
    let rec: NewAsset = serde_json::from_str(json).unwrap();
    cat.add_assets(vec![rec], AddAssets::default())
        .unwrap()
        .remove(0)
}

/// Every key of `given` is in `out` with the same value (objects compared recursively).
fn assert_round_trip(given: &serde_json::Value, out: &serde_json::Value, path: &str) {
    match (given, out) {
        (serde_json::Value::Object(g), serde_json::Value::Object(o)) => {
            for (k, v) in g {
                let got = o
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} missing from the output"));
                assert_round_trip(v, got, &format!("{path}.{k}"));
            }
        }
        (serde_json::Value::Array(g), serde_json::Value::Array(o)) => {
            assert_eq!(g.len(), o.len(), "{path}");
            for (i, (a, b)) in g.iter().zip(o).enumerate() {
                assert_round_trip(a, b, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(given, out, "{path}"),
    }
}

#[test]
fn full_record_golden_and_round_trip() {
    let cat = Catalog::in_memory().unwrap();
    let a = add(&cat, FULL);
    let json = a.to_json();
    golden("full_asset.json", &json);
    // The views' own writer and serde_json write the same bytes.
    assert_eq!(json, serde_json::to_string(&a).unwrap());
    let given: serde_json::Value = serde_json::from_str(FULL).unwrap();
    assert_round_trip(&given, &serde_json::from_str(&json).unwrap(), "$");
    // Reading it back gives the same bytes, and a page wraps it as Gumnut does.
    assert_eq!(cat.get_asset("asset_full").unwrap().to_json(), json);
    assert_eq!(cat.get_asset_json("asset_full").unwrap(), json);
    let page = cat.list_assets(&ListAssets::default()).unwrap();
    assert_eq!(
        cat.list_assets_json(&ListAssets::default()).unwrap(),
        page.to_json()
    );
    assert_eq!(
        page.to_json(),
        format!(r#"{{"data":[{json}],"has_more":false}}"#)
    );
}

#[test]
fn minimal_record_golden_with_defaults() {
    let cat = Catalog::in_memory().unwrap();
    let a = add(
        &cat,
        r#"{"id": "asset_min", "local_datetime": "2023-11-07T07:31:56",
            "created_at": "2024-01-01T00:00:00Z"}"#,
    );
    let json = a.to_json();
    golden("minimal_asset.json", &json);
    assert_eq!(cat.get_asset_json("asset_min").unwrap(), json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["device_id"], "photocat");
    assert_eq!(v["device_asset_id"], "asset_min");
    assert_eq!(v["mime_type"], "application/octet-stream");
    assert_eq!(v["original_file_name"], "");
    // No offset: file times are local_datetime read as UTC.
    assert_eq!(v["file_created_at"], "2023-11-07T07:31:56Z");
    assert_eq!(v["checksum"], serde_json::Value::Null);
    assert!(v.get("download_url").is_none());
}

#[test]
fn legacy_url_fields_appear_only_when_given() {
    let cat = Catalog::in_memory().unwrap();
    let a = add(
        &cat,
        r#"{"id": "asset_old", "local_datetime": "2023-11-07T07:31:56Z",
            "download_url": "https://x.test/d", "thumbnail_url": "https://x.test/t",
            "created_at": "2024-01-01T00:00:00Z"}"#,
    );
    golden("legacy_asset.json", &a.to_json());
    assert_eq!(cat.get_asset_json("asset_old").unwrap(), a.to_json());
    assert!(a
        .to_json()
        .ends_with(r#""download_url":"https://x.test/d","thumbnail_url":"https://x.test/t"}"#));
}

#[test]
fn keys_follow_the_contract_order() {
    let cat = Catalog::in_memory().unwrap();
    let a = add(&cat, FULL);
    let v = a.to_json_value();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    // serde_json's map is sorted here; check the byte order of the output instead.
    assert!(keys.contains(&"trashed_at"));
    let json = a.to_json();
    let order = [
        "\"id\"",
        "\"device_asset_id\"",
        "\"device_id\"",
        "\"mime_type\"",
        "\"original_file_name\"",
        "\"file_created_at\"",
        "\"file_modified_at\"",
        "\"local_datetime\"",
        "\"checksum\"",
        "\"checksum_sha1\"",
        "\"created_at\"",
        "\"updated_at\"",
        "\"exif\"",
        "\"metadata\"",
        "\"metrics\"",
        "\"asset_urls\"",
        "\"description\"",
        "\"faces\"",
        "\"people\"",
        "\"width\"",
        "\"height\"",
        "\"file_size_bytes\"",
        "\"trashed_at\"",
    ];
    let mut at = 0;
    for k in order {
        let pos = json[at..]
            .find(k)
            .unwrap_or_else(|| panic!("{k} out of order"));
        at += pos;
    }
}

#[test]
fn strings_that_need_escaping_are_written_as_serde_json_writes_them() {
    let cat = Catalog::in_memory().unwrap();
    // JSON text (escapes as JSON writes them), spliced into the record below.
    let tricky =
        r#"quote \" backslash \\ newline \n tab \t bell \u0007 del \u007f ünïcödé 写真 📷"#;
    let json = format!(
        r#"{{"id": "asset_esc", "local_datetime": "2023-11-07T07:31:56",
            "description": "{tricky}", "original_file_name": "{tricky}",
            "metrics": {{"{tricky}": 1.5}},
            "exif": {{"make": "{tricky}", "city": "0123456789abcdef\"0123456789abcdef"}}}}"#
    );
    let a = add(&cat, &json);
    assert_eq!(a.to_json(), serde_json::to_string(&a).unwrap());
    let page = cat.list_assets(&ListAssets::default()).unwrap();
    assert_eq!(page.to_json(), serde_json::to_string(&page).unwrap());
    assert_eq!(
        cat.list_assets_json(&ListAssets::default()).unwrap(),
        page.to_json()
    );
    let back: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    assert_eq!(
        back["description"],
        serde_json::Value::from(a.description.clone().unwrap())
    );
    assert!(a.description.unwrap().contains('\u{7}'));
}

/// A stored string that is not UTF-8 is `Corrupt` along both paths, whichever field holds it:
/// the JSON written from the stored bytes (which leaves the strings it writes to one check of
/// its whole output, and checks the others as it reads) and the owned records. Each marked
/// string of one record is damaged in turn (`é` made `0xC3 0x41`, the same length).
#[test]
fn a_damaged_string_is_corrupt_in_every_field_and_along_both_paths() {
    use photocat::Error;
    use redb::ReadableTable;
    const ASSETS: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("assets");
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.redb");
    let fields = [
        // written by the Gumnut JSON
        "description",
        "make",
        "profile_description",
        "country_code",
        "original_file_name",
        "metric",
        "url",
        // left out of it
        "owner_id",
        "tag",
        "stack_id",
        "original_path",
    ];
    {
        let cat = Catalog::open(&clean).unwrap();
        let mark = |f: &str| format!("é-{f}");
        let record = serde_json::json!({
            "id": "asset_1",
            "description": mark("description"),
            "original_file_name": mark("original_file_name"),
            "exif": {"make": mark("make"),
                     "profile_description": mark("profile_description")},
            "metadata": {"country_code": mark("country_code")},
            "metrics": {mark("metric"): 1.0},
            "asset_urls": {"original": {"mimetype": "image/jpeg", "url": mark("url"), "width": 1}},
            "owner_id": mark("owner_id"),
            "tags": [mark("tag")],
            "stack_id": mark("stack_id"),
            "original_path": mark("original_path"),
        });
        add(&cat, &record.to_string());
        let q = ListAssets::default();
        assert_eq!(
            cat.list_assets_json(&q).unwrap(),
            cat.list_assets(&q).unwrap().to_json()
        );
        cat.close().unwrap();
    }
    for field in fields {
        let path = dir.path().join("damaged.redb");
        std::fs::copy(&clean, &path).unwrap();
        {
            let db = redb::Database::open(&path).unwrap();
            let w = db.begin_write().unwrap();
            {
                let mut t = w.open_table(ASSETS).unwrap();
                let (k, mut v) = {
                    let (k, v) = t.first().unwrap().unwrap();
                    (k.value(), v.value().to_vec())
                };
                let marked = format!("é-{field}");
                let at = v
                    .windows(marked.len())
                    .position(|w| w == marked.as_bytes())
                    .unwrap_or_else(|| panic!("{field} is not in the record"));
                assert_eq!(v[at + 1], 0xA9);
                v[at + 1] = b'A';
                t.insert(k, v.as_slice()).unwrap();
            }
            w.commit().unwrap();
        }
        let cat = Catalog::open(&path).unwrap();
        let q = ListAssets::default();
        let outcomes = [
            ("list_assets_json", cat.list_assets_json(&q).map(drop)),
            ("get_asset_json", cat.get_asset_json("asset_1").map(drop)),
            ("list_assets", cat.list_assets(&q).map(drop)),
            ("get_asset", cat.get_asset("asset_1").map(drop)),
        ];
        for (call, outcome) in outcomes {
            match outcome {
                Err(Error::Corrupt(m)) => assert!(m.contains("UTF-8"), "{field}: {call}: {m}"),
                other => panic!("{field}: {call} gave {other:?}"),
            }
        }
        cat.close().unwrap();
    }
}

/// An asset whose faces name more people than the stored-JSON path keeps inline (four):
/// `get_asset_json` and a page of it equal the owned asset's JSON, people in the same order.
#[test]
fn an_asset_with_many_people_is_written_alike_on_both_paths() {
    let cat = Catalog::in_memory().unwrap();
    let people: Vec<serde_json::Value> = (0..7)
        .map(|i| serde_json::json!({"id": format!("person_p{i}"), "name": format!("P{i}")}))
        .collect();
    // Nine faces: seven people (one of them twice) and one face of nobody.
    let faces: Vec<serde_json::Value> = [0, 1, 2, 3, 4, 5, 6, 2]
        .iter()
        .map(|p| Some(format!("person_p{p}")))
        .chain([None])
        .enumerate()
        .map(|(i, person)| {
            serde_json::json!({
                "id": format!("face_f{i}"),
                "person_id": person,
                "bounding_box": {"x": i, "y": 0, "w": 10, "h": 10},
            })
        })
        .collect();
    let record = serde_json::json!({
        "id": "asset_many",
        "local_datetime": "2024-03-01T10:00:00",
        "faces": faces,
        "people": people,
    });
    let asset = add(&cat, &record.to_string());
    assert_eq!(asset.people.len(), 7);
    let owned = cat.get_asset("asset_many").unwrap();
    assert_eq!(cat.get_asset_json("asset_many").unwrap(), owned.to_json());
    let q = ListAssets::default();
    assert_eq!(
        cat.list_assets_json(&q).unwrap(),
        cat.list_assets(&q).unwrap().to_json()
    );
}

/// A page by `ids` as JSON reads each record once, as the owned page does: the records the
/// matching read are the ones written (the JSON path read them a second time before).
#[test]
fn a_page_by_ids_reads_each_record_once_on_both_paths() {
    let cat = Catalog::in_memory().unwrap();
    let assets: Vec<NewAsset> = (0..12)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "id": format!("asset_ids{i:02}"),
                "local_datetime": format!("2024-03-{:02}T10:00:00", i + 1),
            }))
            .unwrap()
        })
        .collect();
    cat.add_assets(assets, AddAssets::default()).unwrap();
    cat.trash_assets(&["asset_ids03".to_owned()]).unwrap();
    // Known, unknown, repeated and trashed ids; more matches than the limit.
    let ids = [1, 3, 5, 7, 9, 11, 5]
        .iter()
        .map(|i| format!("asset_ids{i:02}"))
        .chain(["asset_nobody".to_owned()])
        .collect::<Vec<_>>();
    let q = ListAssets {
        ids: Some(ids),
        limit: 3,
        ..ListAssets::default()
    };
    // Once each first, so that both find the same caches warm.
    let owned = cat.list_assets(&q).unwrap();
    assert_eq!(owned.data.len(), 3);
    assert!(owned.has_more);
    assert_eq!(cat.list_assets_json(&q).unwrap(), owned.to_json());
    let read = |f: &dyn Fn()| {
        let before = cat.read_stats();
        f();
        cat.read_stats() - before
    };
    let by_owned = read(&|| drop(cat.list_assets(&q).unwrap()));
    let by_json = read(&|| drop(cat.list_assets_json(&q).unwrap()));
    assert_eq!(by_json, by_owned);
    // The six distinct known ids are each read once (and the library's record, to resolve it).
    assert!(by_json.records <= 7, "{by_json:?}");
}
