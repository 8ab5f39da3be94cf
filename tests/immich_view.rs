//! The Immich view (`AssetResponseDto` of `immich-python-sdk==1.134.0`, as Immich's server
//! v1.134.0 writes it): golden bytes, key order, datetime forms, the stored (unrotated) image
//! size, faces and people, and byte determinism, on hand-made records and on the sample photos.

mod common;

use common::golden;

use std::collections::BTreeMap;
use std::path::Path;

use photocat::views::immich::{to_immich_json_array, ImmichAsset, StackSummary};
use photocat::{AddAssets, Asset, Catalog, ImportPaths, NewAsset, NewLibrary};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

const OWNER: &str = "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/// An asset with every Immich fact: an owner, faces of two people (one of them twice) and one
/// unassigned face, a known offset and an IANA zone, orientation 6, tags, a stack, a live-photo
/// video, a duplicate group, favourite.
const FULL: &str = r#"{
  "id": "asset_full",
  "device_asset_id": "IMG_0001",
  "device_id": "iphone-13",
  "mime_type": "image/heic",
  "original_file_name": "IMG_0001.HEIC",
  "original_path": "/photos/2023/IMG_0001.HEIC",
  "file_created_at": "2023-11-07T05:31:56.25Z",
  "file_modified_at": "2023-11-07T05:31:58.5Z",
  "local_datetime": "2023-11-07T07:31:56.25+02:00",
  "checksum": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
  "checksum_sha1": "qvTGHdzF6KLavt4PO0gs2a6pQ00=",
  "created_at": "2024-01-01T00:00:00Z",
  "updated_at": "2024-01-02T00:00:00.123456Z",
  "exif": {
    "make": "Apple", "model": "iPhone 13 Pro Max", "orientation": 6,
    "modified_datetime": "2023-11-07T05:31:56Z",
    "original_datetime": "2023-11-07T05:31:56.25Z",
    "lens_model": "iPhone 13 Pro Max back triple camera 5.7mm f/1.5",
    "f_number": 1.5, "focal_length": 5.7, "iso": 50, "exposure_time": 0.008333333333333333,
    "exposure_bias": -0.3333333333333333, "latitude": 48.858844, "longitude": 2.294351,
    "altitude": 35.2, "description": "camera text", "live_photo_cid": "ABC-123",
    "profile_description": "Display P3", "rating": 4
  },
  "metadata": {
    "city": "Paris", "state": "Ile-de-France", "country": "France", "country_code": "FR",
    "timezone": "Europe/Paris"
  },
  "description": "A tower at dusk",
  "faces": [
    {"id": "face_1", "person_id": "person_ann", "bounding_box": {"x": 10, "y": 20, "w": 30, "h": 40},
     "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"},
    {"id": "face_2", "person_id": "person_bob", "bounding_box": {"x": 100, "y": 200, "w": 50, "h": 60},
     "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"},
    {"id": "face_3", "person_id": null, "bounding_box": {"x": 1, "y": 2, "w": 3, "h": 4},
     "timestamp_ms": 1500, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"},
    {"id": "face_4", "person_id": "person_ann", "bounding_box": {"x": 500, "y": 600, "w": 70, "h": 80},
     "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}
  ],
  "people": [
    {"id": "person_ann", "name": "Ann", "birth_date": "1990-05-06", "is_hidden": false,
     "is_favorite": true, "thumbnail_face_id": "face_1",
     "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-03T10:00:00Z"},
    {"id": "person_bob", "is_hidden": true,
     "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}
  ],
  "width": 3024,
  "height": 4032,
  "file_size_bytes": 2182707,
  "is_favorite": true,
  "live_photo_video_id": "asset_motion",
  "duplicate_id": "dup-1",
  "stack_id": "stack_1",
  "tags": ["Places/France/Paris", "Family"],
  "thumbhash": "1QcSHQRnh493V4dIh4eXh1h4kJUI"
}"#;

/// A trashed, archived video with a duration, no checksum, and a capture time without an
/// offset.
const VIDEO: &str = r#"{
  "id": "asset_video",
  "mime_type": "video/mp4",
  "original_file_name": "clip.mp4",
  "local_datetime": "2022-06-01T18:00:05",
  "created_at": "2024-02-01T00:00:00Z",
  "updated_at": "2024-02-02T00:00:00Z",
  "trashed_at": "2024-03-01T12:00:00.5Z",
  "visibility": "archive",
  "duration": "0:00:12.345678",
  "exif": {"fps": 29.97, "latitude": -33.5, "longitude": 151.0},
  "width": 1920,
  "height": 1080,
  "file_size_bytes": 0
}"#;

/// Nothing but an id and a naive capture time: every default.
const MINIMAL: &str = r#"{"id": "asset_min", "local_datetime": "2023-11-07T07:31:56",
  "created_at": "2024-01-01T00:00:00Z"}"#;

/// Orientation 8 with an offset of -09:30, whole-second times and an integral f-number.
const ROTATED: &str = r#"{
  "id": "asset_rot",
  "mime_type": "image/jpeg",
  "original_file_name": "rot.jpg",
  "local_datetime": "2021-02-03T04:05:06-09:30",
  "checksum_sha1": "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
  "created_at": "2024-01-01T00:00:00Z",
  "exif": {"orientation": 8, "f_number": 2.0, "exposure_time": 2.0, "iso": 100},
  "width": 1704,
  "height": 2272,
  "faces": [{"id": "face_r", "bounding_box": {"x": 5, "y": 6, "w": 7, "h": 8},
             "created_at": "2024-01-01T00:00:00Z"}]
}"#;

fn record(json: &str) -> NewAsset {
    serde_json::from_str(json).unwrap()
}

/// A catalogue with one library owned by [`OWNER`] holding the four records.
fn catalogue() -> (Catalog, Vec<Asset>) {
    let cat = Catalog::in_memory().unwrap();
    cat.create_library(NewLibrary {
        name: "Photos".into(),
        id: Some("library_main".into()),
        owner_id: Some(OWNER.into()),
    })
    .unwrap();
    let assets = cat
        .add_assets(
            [FULL, VIDEO, MINIMAL, ROTATED].map(record).to_vec(),
            AddAssets::default(),
        )
        .unwrap();
    (cat, assets)
}

fn by_id<'a>(assets: &'a [Asset], id: &str) -> &'a Asset {
    assets.iter().find(|a| a.id == id).unwrap()
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

#[test]
fn golden_bytes() {
    let (cat, assets) = catalogue();
    golden(
        "immich_full.json",
        &by_id(&assets, "asset_full").to_immich_json(),
    );
    golden(
        "immich_video.json",
        &by_id(&assets, "asset_video").to_immich_json(),
    );
    golden(
        "immich_minimal.json",
        &by_id(&assets, "asset_min").to_immich_json(),
    );
    golden(
        "immich_rotated.json",
        &by_id(&assets, "asset_rot").to_immich_json(),
    );
    // A read gives the same bytes as the write returned, and so does the JSON written from
    // the stored record.
    for a in &assets {
        assert_eq!(
            cat.get_asset(&a.id).unwrap().to_immich_json(),
            a.to_immich_json()
        );
        assert_eq!(
            cat.get_asset_immich_json(&a.id).unwrap(),
            a.to_immich_json()
        );
    }
    golden(
        "immich_full.json",
        &cat.get_asset_immich_json("asset_full").unwrap(),
    );
    golden(
        "immich_video.json",
        &cat.get_asset_immich_json("asset_video").unwrap(),
    );
    golden(
        "immich_minimal.json",
        &cat.get_asset_immich_json("asset_min").unwrap(),
    );
    golden(
        "immich_rotated.json",
        &cat.get_asset_immich_json("asset_rot").unwrap(),
    );
    let all = cat.get_all_assets(&Default::default()).unwrap();
    let json = cat.get_all_assets_json(&Default::default()).unwrap();
    assert_eq!(json.body, to_immich_json_array(&all.assets).into_bytes());
    assert_eq!(json.etag, all.etag);
}

#[test]
fn full_record_fields() {
    let (_cat, assets) = catalogue();
    let v = parse(&by_id(&assets, "asset_full").to_immich_json());
    assert_eq!(v["id"], "asset_full");
    assert_eq!(v["ownerId"], OWNER);
    assert_eq!(v["libraryId"], "library_main");
    assert_eq!(v["type"], "IMAGE");
    assert_eq!(v["originalPath"], "/photos/2023/IMG_0001.HEIC");
    assert_eq!(v["originalMimeType"], "image/heic");
    // Immich's checksum is the SHA-1, not Gumnut's SHA-256.
    assert_eq!(v["checksum"], "qvTGHdzF6KLavt4PO0gs2a6pQ00=");
    assert_eq!(v["thumbhash"], "1QcSHQRnh493V4dIh4eXh1h4kJUI");
    assert_eq!(v["fileCreatedAt"], "2023-11-07T05:31:56.250Z");
    assert_eq!(v["fileModifiedAt"], "2023-11-07T05:31:58.500Z");
    // The wall clock (07:31 at +02:00) labelled UTC, as Immich stores localDateTime.
    assert_eq!(v["localDateTime"], "2023-11-07T07:31:56.250Z");
    // Sub-millisecond digits are dropped, as a JavaScript Date drops them.
    assert_eq!(v["updatedAt"], "2024-01-02T00:00:00.123Z");
    assert_eq!(v["isFavorite"], true);
    assert_eq!(v["isArchived"], false);
    assert_eq!(v["isTrashed"], false);
    assert_eq!(v["isOffline"], false);
    assert_eq!(v["visibility"], "timeline");
    assert_eq!(v["duration"], "0:00:00.00000");
    assert_eq!(v["livePhotoVideoId"], "asset_motion");
    assert_eq!(v["duplicateId"], "dup-1");
    assert_eq!(v["hasMetadata"], true);
    assert_eq!(v["resized"], true);
    // The record has a stack id, but this view was not told the stack's primary and count.
    assert!(v.get("stack").is_none());

    let e = &v["exifInfo"];
    assert_eq!(e["make"], "Apple");
    // Orientation 6: displayed 3024x4032, stored 4032x3024.
    assert_eq!(e["orientation"], "6");
    assert_eq!(e["exifImageWidth"], 4032);
    assert_eq!(e["exifImageHeight"], 3024);
    assert_eq!(e["fileSizeInByte"], 2182707);
    assert_eq!(e["dateTimeOriginal"], "2023-11-07T05:31:56.250Z");
    assert_eq!(e["modifyDate"], "2023-11-07T05:31:58.500Z");
    assert_eq!(e["timeZone"], "Europe/Paris");
    assert_eq!(e["exposureTime"], "1/120");
    assert_eq!(e["fNumber"], 1.5);
    assert_eq!(e["iso"], 50);
    assert_eq!(e["rating"], 4);
    // Place facts come from `metadata` when `exif` has none.
    assert_eq!(e["city"], "Paris");
    assert_eq!(e["state"], "Ile-de-France");
    assert_eq!(e["country"], "France");
    assert_eq!(e["description"], "camera text");

    // People in order of first appearance, each with its faces in face order.
    let people = v["people"].as_array().unwrap();
    let ids: Vec<&str> = people.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["person_ann", "person_bob"]);
    let ann = &people[0];
    assert_eq!(ann["name"], "Ann");
    assert_eq!(ann["birthDate"], "1990-05-06");
    assert_eq!(ann["isFavorite"], true);
    assert_eq!(ann["isHidden"], false);
    assert_eq!(ann["thumbnailPath"], "");
    assert_eq!(ann["updatedAt"], "2024-01-03T10:00:00.000Z");
    let faces: Vec<&str> = ann["faces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(faces, ["face_1", "face_4"]);
    let f4 = &ann["faces"][1];
    assert_eq!(f4["boundingBoxX1"], 500);
    assert_eq!(f4["boundingBoxX2"], 570);
    assert_eq!(f4["boundingBoxY1"], 600);
    assert_eq!(f4["boundingBoxY2"], 680);
    // Boxes are in pixels of the displayed image, whose size is imageWidth x imageHeight.
    assert_eq!(f4["imageWidth"], 3024);
    assert_eq!(f4["imageHeight"], 4032);
    assert_eq!(f4["sourceType"], "machine-learning");
    // An unnamed person is "" (the DTO's name is a required string); hidden people are listed.
    let bob = &people[1];
    assert_eq!(bob["name"], "");
    assert_eq!(bob["birthDate"], Value::Null);
    assert_eq!(bob["isHidden"], true);
    let unassigned = v["unassignedFaces"].as_array().unwrap();
    assert_eq!(unassigned.len(), 1);
    assert_eq!(unassigned[0]["id"], "face_3");

    // Tags: hierarchical values, named by their last segment, parents by id.
    let tags = v["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 2);
    assert_eq!(tags[0]["value"], "Places/France/Paris");
    assert_eq!(tags[0]["name"], "Paris");
    assert_eq!(
        tags[0]["parentId"].as_str().unwrap(),
        photocat::views::immich::tag_id(OWNER, "Places/France")
    );
    assert_eq!(
        tags[0]["id"].as_str().unwrap(),
        photocat::views::immich::tag_id(OWNER, "Places/France/Paris")
    );
    assert_eq!(tags[1]["name"], "Family");
    assert_eq!(tags[1]["parentId"], Value::Null);
    assert_eq!(tags[1]["createdAt"], "2024-01-01T00:00:00.000Z");
}

#[test]
fn video_trashed_archived_without_checksum() {
    let (_cat, assets) = catalogue();
    let v = parse(&by_id(&assets, "asset_video").to_immich_json());
    assert_eq!(v["type"], "VIDEO");
    assert_eq!(v["duration"], "0:00:12.345678");
    assert_eq!(v["isTrashed"], true);
    assert_eq!(v["isArchived"], true);
    assert_eq!(v["visibility"], "archive");
    assert_eq!(v["isFavorite"], false);
    // No checksum given: the DTO requires a string.
    assert_eq!(v["checksum"], "");
    // Naive capture time: the wall clock labelled UTC, and no zone.
    assert_eq!(v["localDateTime"], "2022-06-01T18:00:05.000Z");
    let e = &v["exifInfo"];
    assert_eq!(e["timeZone"], Value::Null);
    // A capture time without an offset is read as UTC for the instant (Immich's rule).
    assert_eq!(e["dateTimeOriginal"], "2022-06-01T18:00:05.000Z");
    // Integral floats are written as JavaScript writes them.
    assert_eq!(e["longitude"].to_string(), "151");
    assert_eq!(e["latitude"].to_string(), "-33.5");
    // Immich writes a size of 0 as null.
    assert_eq!(e["fileSizeInByte"], Value::Null);
    assert_eq!(e["orientation"], Value::Null);
    assert_eq!(e["exifImageWidth"], 1920);
    assert_eq!(e["exifImageHeight"], 1080);
    assert_eq!(e["description"], "");
    assert_eq!(v["people"], serde_json::json!([]));
    assert_eq!(v["unassignedFaces"], serde_json::json!([]));
    assert_eq!(v["tags"], serde_json::json!([]));
    assert_eq!(v["stack"], Value::Null);
}

#[test]
fn minimal_record_defaults() {
    let cat = Catalog::in_memory().unwrap();
    let a = cat
        .add_assets(vec![record(MINIMAL)], AddAssets::default())
        .unwrap()
        .remove(0);
    assert_eq!(
        cat.get_asset_immich_json(&a.id).unwrap(),
        a.to_immich_json()
    );
    let v = parse(&a.to_immich_json());
    // A library without an owner: the DTO requires a string.
    assert_eq!(v["ownerId"], "");
    assert_eq!(v["deviceId"], "photocat");
    assert_eq!(v["deviceAssetId"], "asset_min");
    assert_eq!(v["type"], "OTHER");
    assert_eq!(v["originalMimeType"], "application/octet-stream");
    assert_eq!(v["originalPath"], "");
    assert_eq!(v["originalFileName"], "");
    assert_eq!(v["thumbhash"], Value::Null);
    assert_eq!(v["livePhotoVideoId"], Value::Null);
    assert_eq!(v["duplicateId"], Value::Null);
    assert_eq!(v["stack"], Value::Null);
    assert_eq!(v["checksum"], "");
    // Whole seconds still carry three fractional digits.
    assert_eq!(v["localDateTime"], "2023-11-07T07:31:56.000Z");
    assert_eq!(v["fileCreatedAt"], "2023-11-07T07:31:56.000Z");
    let e = v["exifInfo"].as_object().unwrap();
    assert_eq!(e.len(), 22);
    for (k, x) in e {
        match k.as_str() {
            "dateTimeOriginal" => assert_eq!(x, "2023-11-07T07:31:56.000Z"),
            "modifyDate" => assert_eq!(x, "2023-11-07T07:31:56.000Z"),
            "description" => assert_eq!(x, ""),
            _ => assert_eq!(x, &Value::Null, "exifInfo.{k}"),
        }
    }
}

#[test]
fn rotated_record_and_offsets() {
    let (_cat, assets) = catalogue();
    let v = parse(&by_id(&assets, "asset_rot").to_immich_json());
    let e = &v["exifInfo"];
    assert_eq!(e["orientation"], "8");
    // Displayed 1704x2272 at orientation 8: stored 2272x1704.
    assert_eq!(e["exifImageWidth"], 2272);
    assert_eq!(e["exifImageHeight"], 1704);
    assert_eq!(e["timeZone"], "UTC-09:30");
    assert_eq!(e["exposureTime"], "2");
    assert_eq!(e["fNumber"].to_string(), "2");
    assert_eq!(v["localDateTime"], "2021-02-03T04:05:06.000Z");
    // 04:05:06 at -09:30 is 13:35:06 UTC.
    assert_eq!(e["dateTimeOriginal"], "2021-02-03T13:35:06.000Z");
    assert_eq!(v["checksum"], "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
    // The library owner is the asset's owner.
    assert_eq!(v["ownerId"], OWNER);
    let f = &v["unassignedFaces"][0];
    assert_eq!(f["imageWidth"], 1704);
    assert_eq!(f["imageHeight"], 2272);
}

#[test]
fn time_zones_follow_the_offset_rules() {
    let cat = Catalog::in_memory().unwrap();
    let zone = |json: &str| {
        let a = cat
            .add_assets(vec![record(json)], AddAssets::default())
            .unwrap()
            .remove(0);
        assert_eq!(
            cat.get_asset_immich_json(&a.id).unwrap(),
            a.to_immich_json()
        );
        parse(&a.to_immich_json())["exifInfo"]["timeZone"].clone()
    };
    assert_eq!(
        zone(r#"{"local_datetime": "2023-01-01T00:00:00+02:00"}"#),
        "UTC+2"
    );
    assert_eq!(
        zone(r#"{"local_datetime": "2023-01-01T00:00:00Z"}"#),
        "UTC+0"
    );
    assert_eq!(
        zone(r#"{"local_datetime": "2023-01-01T00:00:00+05:30"}"#),
        "UTC+05:30"
    );
    assert_eq!(
        zone(
            r#"{"local_datetime": "2023-01-01T00:00:00", "metadata": {"timezone": "America/Chicago"}}"#
        ),
        "America/Chicago"
    );
    assert_eq!(
        zone(r#"{"local_datetime": "2023-07-01T00:00:00", "metadata": {"timezone": "+03:00"}}"#),
        "UTC+3"
    );
    assert_eq!(
        zone(r#"{"local_datetime": "2023-01-01T00:00:00"}"#),
        Value::Null
    );
    // No capture time at all: the +00:00 the record receives is a default, not a zone.
    assert_eq!(
        zone(r#"{"file_created_at": "2023-01-01T00:00:00Z"}"#),
        Value::Null
    );
    assert_eq!(zone(r#"{}"#), Value::Null);
}

#[test]
fn stack_object_when_the_stack_is_described() {
    let (_cat, assets) = catalogue();
    let full = by_id(&assets, "asset_full");
    let view = ImmichAsset::new(full).with_stack(StackSummary {
        primary_asset_id: "asset_cover",
        asset_count: 3,
    });
    let v = parse(&view.to_json());
    assert_eq!(
        v["stack"],
        serde_json::json!({"id": "stack_1", "primaryAssetId": "asset_cover", "assetCount": 3})
    );
    // Only the stack differs from the plain view, and it sits where the server puts it.
    let plain = full.to_immich_json();
    assert_eq!(
        view.to_json(),
        plain.replace(
            r#","isOffline""#,
            r#","stack":{"id":"stack_1","primaryAssetId":"asset_cover","assetCount":3},"isOffline""#
        )
    );
    // A summary for an asset in no stack changes nothing.
    let video = by_id(&assets, "asset_video");
    let described = ImmichAsset::new(video).with_stack(StackSummary {
        primary_asset_id: "x",
        asset_count: 2,
    });
    assert_eq!(described.to_json(), video.to_immich_json());
}

/// A JSON value that keeps the order of object keys (serde_json's map sorts them).
#[derive(Debug)]
enum Ordered {
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    Scalar,
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Ordered>()? {
                    out.push((k, v));
                }
                Ok(Ordered::Object(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = s.next_element()? {
                    out.push(v);
                }
                Ok(Ordered::Array(out))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar)
            }
        }
        d.deserialize_any(V)
    }
}

impl Ordered {
    fn keys(&self) -> Vec<&str> {
        match self {
            Ordered::Object(kv) => kv.iter().map(|(k, _)| k.as_str()).collect(),
            _ => panic!("not an object"),
        }
    }
    fn get(&self, key: &str) -> &Ordered {
        match self {
            Ordered::Object(kv) => &kv.iter().find(|(k, _)| k == key).unwrap().1,
            _ => panic!("not an object"),
        }
    }
    fn at(&self, i: usize) -> &Ordered {
        match self {
            Ordered::Array(v) => &v[i],
            _ => panic!("not an array"),
        }
    }
}

/// The keys of Immich's `mapAsset` (server v1.134.0) in its order, without `owner` (the
/// record has no user object).
const ASSET_KEYS: [&str; 30] = [
    "id",
    "deviceAssetId",
    "ownerId",
    "deviceId",
    "libraryId",
    "type",
    "originalPath",
    "originalFileName",
    "originalMimeType",
    "thumbhash",
    "fileCreatedAt",
    "fileModifiedAt",
    "localDateTime",
    "updatedAt",
    "isFavorite",
    "isArchived",
    "isTrashed",
    "visibility",
    "duration",
    "exifInfo",
    "livePhotoVideoId",
    "tags",
    "people",
    "unassignedFaces",
    "checksum",
    "stack",
    "isOffline",
    "hasMetadata",
    "duplicateId",
    "resized",
];

const EXIF_KEYS: [&str; 22] = [
    "make",
    "model",
    "exifImageWidth",
    "exifImageHeight",
    "fileSizeInByte",
    "orientation",
    "dateTimeOriginal",
    "modifyDate",
    "timeZone",
    "lensModel",
    "fNumber",
    "focalLength",
    "iso",
    "exposureTime",
    "latitude",
    "longitude",
    "city",
    "state",
    "country",
    "description",
    "projectionType",
    "rating",
];

#[test]
fn keys_in_the_servers_order() {
    let (_cat, assets) = catalogue();
    let expected: Vec<&str> = ASSET_KEYS.to_vec();
    for a in &assets {
        let o: Ordered = serde_json::from_str(&a.to_immich_json()).unwrap();
        let want: Vec<&str> = if a.stack_id.is_some() {
            expected.iter().copied().filter(|k| *k != "stack").collect()
        } else {
            expected.clone()
        };
        assert_eq!(o.keys(), want, "{}", a.id);
        assert_eq!(o.get("exifInfo").keys(), EXIF_KEYS, "{}", a.id);
    }
    let full: Ordered =
        serde_json::from_str(&by_id(&assets, "asset_full").to_immich_json()).unwrap();
    let person = full.get("people").at(0);
    assert_eq!(
        person.keys(),
        [
            "id",
            "name",
            "birthDate",
            "thumbnailPath",
            "isHidden",
            "isFavorite",
            "updatedAt",
            "faces"
        ]
    );
    let face_keys = [
        "id",
        "imageHeight",
        "imageWidth",
        "boundingBoxX1",
        "boundingBoxX2",
        "boundingBoxY1",
        "boundingBoxY2",
        "sourceType",
    ];
    assert_eq!(person.get("faces").at(0).keys(), face_keys);
    assert_eq!(full.get("unassignedFaces").at(0).keys(), face_keys);
    assert_eq!(
        full.get("tags").at(0).keys(),
        ["id", "parentId", "name", "value", "createdAt", "updatedAt"]
    );
    let stacked = ImmichAsset::new(by_id(&assets, "asset_full")).with_stack(StackSummary {
        primary_asset_id: "asset_full",
        asset_count: 1,
    });
    let o: Ordered = serde_json::from_str(&stacked.to_json()).unwrap();
    assert_eq!(o.keys(), expected);
    assert_eq!(
        o.get("stack").keys(),
        ["id", "primaryAssetId", "assetCount"]
    );
}

/// Every datetime field of the view, by path.
fn datetimes(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |path: String, x: &Value| {
        out.push((path, x.as_str().unwrap_or_else(|| panic!("{x}")).to_owned()));
    };
    for k in [
        "fileCreatedAt",
        "fileModifiedAt",
        "localDateTime",
        "updatedAt",
    ] {
        push(k.to_owned(), &v[k]);
    }
    for k in ["dateTimeOriginal", "modifyDate"] {
        push(format!("exifInfo.{k}"), &v["exifInfo"][k]);
    }
    for (i, p) in v["people"].as_array().unwrap().iter().enumerate() {
        push(format!("people[{i}].updatedAt"), &p["updatedAt"]);
    }
    for (i, t) in v["tags"].as_array().unwrap().iter().enumerate() {
        push(format!("tags[{i}].createdAt"), &t["createdAt"]);
        push(format!("tags[{i}].updatedAt"), &t["updatedAt"]);
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ`, as JavaScript's `toISOString` writes it.
fn is_js_iso(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'.',
            23 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn every_datetime_has_milliseconds_and_z() {
    let (_cat, assets) = catalogue();
    let mut seen = 0;
    for a in &assets {
        for (path, s) in datetimes(&parse(&a.to_immich_json())) {
            assert!(is_js_iso(&s), "{}: {path} = {s:?}", a.id);
            seen += 1;
        }
    }
    assert!(seen >= 30, "{seen}");
    assert!(!is_js_iso("2023-11-07T07:31:56Z"));
    assert!(!is_js_iso("2023-11-07T07:31:56.000+00:00"));
}

#[test]
fn byte_deterministic_and_one_writer() {
    let (cat, assets) = catalogue();
    for a in &assets {
        let json = a.to_immich_json();
        assert_eq!(json, a.to_immich_json());
        // The views' writer and serde_json write the same bytes: one definition of the shape.
        assert_eq!(json, serde_json::to_string(&ImmichAsset::new(a)).unwrap());
        assert_eq!(a.to_immich_json_value(), parse(&json));
        assert_eq!(a.clone().to_immich_json(), json);
    }
    // The array is the views joined, compact.
    let body = to_immich_json_array(&assets);
    let joined: Vec<String> = assets.iter().map(Asset::to_immich_json).collect();
    assert_eq!(body, format!("[{}]", joined.join(",")));
    assert_eq!(to_immich_json_array(&[]), "[]");
    // The same bytes from a catalogue file after it is closed and reopened.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.redb");
    {
        let file = Catalog::open(&path).unwrap();
        file.create_library(NewLibrary {
            name: "Photos".into(),
            id: Some("library_main".into()),
            owner_id: Some(OWNER.into()),
        })
        .unwrap();
        file.add_assets(
            [FULL, VIDEO, MINIMAL, ROTATED].map(record).to_vec(),
            AddAssets::default(),
        )
        .unwrap();
        file.close().unwrap();
    }
    let file = Catalog::open(&path).unwrap();
    for a in &assets {
        assert_eq!(
            file.get_asset(&a.id).unwrap().to_immich_json(),
            cat.get_asset(&a.id).unwrap().to_immich_json()
        );
    }
}

#[test]
fn strings_are_escaped_like_serde_json() {
    let cat = Catalog::in_memory().unwrap();
    let tricky = r#"quote \" backslash \\ newline \n bell \u0007 ünïcödé 写真 📷"#;
    let a = cat
        .add_assets(
            vec![record(&format!(
                r#"{{"id": "asset_esc", "local_datetime": "2023-11-07T07:31:56",
                    "original_file_name": "{tricky}", "tags": ["{tricky}/x"],
                    "exif": {{"make": "{tricky}"}}}}"#
            ))],
            AddAssets::default(),
        )
        .unwrap()
        .remove(0);
    let json = a.to_immich_json();
    assert_eq!(json, serde_json::to_string(&ImmichAsset::new(&a)).unwrap());
    assert_eq!(cat.get_asset_immich_json(&a.id).unwrap(), json);
    let v = parse(&json);
    assert_eq!(v["originalFileName"], a.original_file_name.as_str());
    assert_eq!(v["exifInfo"]["make"], a.original_file_name.as_str());
    assert_eq!(v["tags"][0]["name"], "x");
}

const PHOTOS: &str = "tests/data/photos";

/// The sample photos: checksum, size and the stored (unrotated) pixel size against what
/// exiftool read from each file (`expected.json`), orientations 5 to 8 included.
#[test]
fn imported_sample_photos() {
    let expected: BTreeMap<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(Path::new(PHOTOS).join("expected.json")).unwrap(),
    )
    .unwrap();
    let cat = Catalog::in_memory().unwrap();
    let report = cat.import_paths(&[PHOTOS], ImportPaths::default()).unwrap();
    assert!(report.created.len() >= 20, "{}", report.created.len());
    let root = std::path::absolute(PHOTOS).unwrap();
    let mut rotated = 0;
    for a in &report.created {
        let key = Path::new(a.original_path.as_deref().unwrap())
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let want = &expected[&key];
        assert_eq!(
            cat.get_asset_immich_json(&a.id).unwrap(),
            a.to_immich_json()
        );
        let v = parse(&a.to_immich_json());
        let e = &v["exifInfo"];
        assert_eq!(v["checksum"], want["sha1_base64"], "{key}");
        // Immich writes a size of 0 as null.
        let size = want["file_size_bytes"].as_u64().filter(|&n| n != 0);
        assert_eq!(e["fileSizeInByte"], Value::from(size), "{key}");
        assert_eq!(v["originalMimeType"], want["mime_type"], "{key}");
        assert_eq!(e["exifImageWidth"], want["width"], "{key}");
        assert_eq!(e["exifImageHeight"], want["height"], "{key}");
        if want["width"] != want["display_width"] {
            rotated += 1;
            assert!(
                matches!(e["orientation"].as_str(), Some("5" | "6" | "7" | "8")),
                "{key}: {}",
                e["orientation"]
            );
        }
        let exif = a.exif.clone().unwrap_or_default();
        match exif.orientation {
            Some(o) => assert_eq!(e["orientation"], o.to_string(), "{key}"),
            None => assert_eq!(e["orientation"], Value::Null, "{key}"),
        }
        assert_eq!(e["make"], Value::from(exif.make), "{key}");
        assert_eq!(e["model"], Value::from(exif.model), "{key}");
        assert_eq!(e["iso"], Value::from(exif.iso), "{key}");
        let kind = if a.mime_type.starts_with("video/") {
            "VIDEO"
        } else {
            "IMAGE"
        };
        assert_eq!(v["type"], kind, "{key}");
        if kind == "VIDEO" {
            assert_ne!(v["duration"], "0:00:00.00000", "{key}");
        } else {
            assert_eq!(v["duration"], "0:00:00.00000", "{key}");
        }
        assert_eq!(v["originalPath"], a.original_path.as_deref().unwrap());
        for (path, s) in datetimes(&v) {
            assert!(is_js_iso(&s), "{key}: {path} = {s:?}");
        }
        // The wall clock of the capture time, whatever its offset.
        let wall = a.local_datetime.format("%Y-%m-%dT%H:%M:%S").to_string();
        assert_eq!(&v["localDateTime"].as_str().unwrap()[..19], wall, "{key}");
    }
    // Canon (8), iPhone X (6), Landscape_5 and Landscape_7.
    assert!(rotated >= 4, "{rotated}");
    // Byte determinism over a whole import.
    let body = to_immich_json_array(&report.created);
    assert_eq!(body, to_immich_json_array(&report.created));
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&body).unwrap().len(),
        report.created.len()
    );
}
