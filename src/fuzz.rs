//! The checks the fuzz targets run (feature `fuzzing`). **Not a public API**: nothing here is
//! covered by semver, and the module exists only so that the cargo-fuzz targets in `fuzz/` and
//! the stable regression test `tests/fuzz_regressions.rs` run the same code on the same bytes.
//!
//! Each check takes arbitrary bytes and panics exactly when photocat does something it must
//! not: a panic of its own, an error of the wrong kind, or two readers that disagree. Bad
//! input that is refused with a typed error is a pass. See `fuzz/README.md`.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime};

use crate::catalog::Tally;
use crate::model::time::{self, DateTimeInput, TimeBound};
use crate::model::{Asset, AssetType, AssetUpdate, Exif, NewAsset, NewFace, NewPerson};
use crate::query::immich::GetAllAssets;
use crate::query::search::SearchAssets;
use crate::query::{ListAssets, State, MAX_LIMIT};
use crate::records::PeopleCache;
use crate::storage::codec::{self, AssetRecord, ExifRecord, RECORD_VERSION};
use crate::storage::fast::AssetRef;
use crate::storage::places::Place;
use crate::storage::tables;
use crate::{AddAssets, BoundingBox, Catalog, Error, NewAlbum, NewLibrary, Visibility};

/// True for the errors bad input may give: the ones that describe the input, never storage.
fn input_error(e: &Error) -> bool {
    matches!(
        e,
        Error::InvalidArgument(_) | Error::NotFound { .. } | Error::Duplicate { .. }
    )
}

/// Panics unless `r` is a value or an input error (see [`input_error`]).
fn typed<T>(what: &str, r: crate::Result<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            assert!(
                input_error(&e),
                "{what}: an input gave a non-input error: {e:?}"
            );
            assert!(!e.to_string().is_empty());
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// probe

/// `media::probe` on arbitrary bytes: never a panic; a result's facts are in their documented
/// ranges; and the record an import makes of them validates or is refused with a typed error.
pub fn probe(bytes: &[u8]) {
    let info = match crate::media::probe(bytes) {
        Ok(info) => info,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    assert!(info.mime_type.contains('/'), "{info:?}");
    if let Some(o) = info.orientation {
        assert!((1..=8).contains(&o), "orientation {o}");
    }
    if let Some(r) = info.rotation {
        assert!(matches!(r, 0 | 90 | 180 | 270), "rotation {r}");
    }
    if info.asset_type() == AssetType::Image {
        assert!(
            info.width.is_some_and(|w| w > 0) && info.height.is_some_and(|h| h > 0),
            "an image without a pixel size: {info:?}"
        );
    }
    let _ = (info.display_width(), info.display_height());
    let file = crate::import::FileFacts {
        file_name: "fuzz.bin".into(),
        path: "/fuzz/fuzz.bin".into(),
        created: None,
        modified: chrono::DateTime::from_timestamp(1_700_000_000, 0),
    };
    let record = crate::import::record_from_file(&info, &file, bytes.len() as u64);
    typed(
        "the record of a probed file",
        crate::write::prepare::check(record),
    );
}

// ---------------------------------------------------------------------------------------------
// stored_record

/// A stored record as the serde decoder reads it, with the two differences the in-place reader
/// has by design applied: EXIF instants outside chrono's range read as the epoch (the reader
/// holds them as `DateTime`), and a format 1 record has no `time_source`.
fn as_fast_reads(mut rec: AssetRecord, version: u8) -> AssetRecord {
    let t = |v: &mut Option<i64>| {
        if let Some(m) = v {
            *m = time::instant_from_micros(*m).timestamp_micros();
        }
    };
    for e in [&mut rec.exif, &mut rec.metadata].into_iter().flatten() {
        let ExifRecord {
            created_at,
            updated_at,
            modified_datetime,
            original_datetime,
            digitized_datetime,
            ..
        } = e;
        for v in [
            created_at,
            updated_at,
            modified_datetime,
            original_datetime,
            digitized_datetime,
        ] {
            t(v);
        }
    }
    if version != RECORD_VERSION {
        rec.time_source = None;
    }
    rec
}

/// The stored asset record readers on damaged bytes: the in-place reader
/// (`AssetRef::parse`), its variant that leaves the JSON's strings to the writer's check
/// (`AssetRef::parse_unchecked`) and the serde decoder never panic and fail only with
/// `Corrupt`; when they read a record they read the same one; a record the checked read
/// refuses never becomes JSON; and a record that reads becomes the same Gumnut
/// JSON along the in-place path (`get_asset_json`) and the owned path (`get_asset`), and the
/// same Immich JSON along both (`get_asset_immich_json`, `to_immich_json`), people resolved
/// against the fixture catalogue (whose stored records are the seeds).
pub fn stored_record(bytes: &[u8]) {
    let fast = AssetRef::parse(bytes);
    let unchecked = AssetRef::parse_unchecked(bytes);
    let serde = codec::decode::<AssetRecord>(bytes);
    for e in [
        fast.as_ref().err(),
        unchecked.as_ref().err(),
        serde.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    {
        assert!(matches!(e, Error::Corrupt(_)), "not Corrupt: {e:?}");
    }
    // The read that leaves the JSON's strings unchecked reads whatever the checked one does,
    // the same values.
    if let Ok(r) = &fast {
        let u = unchecked
            .as_ref()
            .expect("the unchecked read fails where the checked one reads");
        assert_eq!(format!("{u:?}"), format!("{r:?}"), "the two reads disagree");
    }
    let fx = fixture();
    let txn = fx.cat.begin_read().expect("a read transaction");
    let people = txn.open_table(tables::PEOPLE).expect("the people table");
    let mut tally = Tally::default();
    let mut cache = PeopleCache::default();
    // The JSON written from the unchecked read (what `get_asset_json` writes).
    let direct = unchecked.map(|u| {
        let refs = [u];
        crate::query::json::fill_people(&people, &refs, &mut cache, &mut tally)
            .and_then(|()| crate::query::json::record_json(&refs[0], &cache))
    });
    let Ok(r) = fast else {
        // A record the checked read refuses (a string that is not UTF-8) is refused on the way
        // to the JSON as well.
        if let Ok(json) = direct {
            let e = json.expect_err("JSON written from a record whose checked read fails");
            assert!(matches!(e, Error::Corrupt(_)), "not Corrupt: {e:?}");
        }
        return;
    };
    let direct = direct.expect("the unchecked read");
    // The faces' people read without their strings are those of the full read.
    let persons: Vec<Option<u32>> = r.faces.iter().map(|f| f.person).collect();
    assert_eq!(
        r.face_people().collect::<Vec<_>>(),
        persons,
        "face_people disagrees"
    );
    let rec = r.to_record();
    // The place the record implies is the same read in place and owned, and reads back.
    let place = Place::of_stored(7, &r);
    assert_eq!(place, Place::of(7, &rec), "the two places disagree");
    assert_eq!(Place::decode(&place.encode()).ok(), Some(place));
    if let Ok(theirs) = serde {
        let theirs = as_fast_reads(theirs, bytes[0]);
        // Debug forms, so that NaNs compare equal.
        assert_eq!(
            format!("{rec:?}"),
            format!("{theirs:?}"),
            "the decoders disagree"
        );
    }
    // What the reader read, written again, reads the same.
    let again = codec::encode(&rec).expect("a record encodes");
    let back = AssetRef::parse(&again).expect("an encoded record parses");
    assert_eq!(format!("{:?}", back.to_record()), format!("{rec:?}"));

    let refs = [r];
    let mut owned_cache = PeopleCache::default();
    let owned =
        crate::records::asset_public(rec, &fx.library, &people, &mut owned_cache, &mut tally);
    match (direct, owned) {
        (Ok(json), Ok(asset)) => {
            assert_eq!(json, asset.to_json(), "the two JSON paths disagree");
            serde_json::from_str::<serde_json::Value>(&json).expect("the view is JSON");
            let _ = asset.to_json_value();
            let immich = asset.to_immich_json();
            serde_json::from_str::<serde_json::Value>(&immich).expect("the Immich view is JSON");
            assert_eq!(
                crate::query::immich_json::record_json(&refs[0], &fx.library, &cache),
                immich,
                "the two Immich JSON paths disagree"
            );
            let _ = asset.captured_at();
        }
        (Err(a), Err(b)) => {
            assert!(matches!(a, Error::Corrupt(_)), "{a:?}");
            assert!(matches!(b, Error::Corrupt(_)), "{b:?}");
        }
        (a, b) => panic!("one JSON path failed: {:?} / {:?}", a.err(), b.err()),
    }
}

/// The stored bytes of every asset record of the fixture catalogue: real records of the
/// current format (faces, people, EXIF, metrics, variants, tags, trash), the seeds of
/// `stored_record`.
pub fn stored_record_seeds() -> Vec<Vec<u8>> {
    use redb::ReadableTable;
    let txn = fixture().cat.begin_read().expect("a read transaction");
    let t = txn.open_table(tables::ASSETS).expect("the assets table");
    t.iter()
        .expect("a table walk")
        .map(|e| e.expect("an entry").1.value().to_vec())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// new_asset_json

/// The record input path: JSON (one record or an array) into [`NewAsset`] with serde, then
/// `add_assets` into a new in-memory catalogue. Never a panic, errors only of the input kinds;
/// every added asset reads back equal, its JSON from storage equals its `to_json`, counts
/// agree, and an update of its own capture time and metadata is accepted or refused with a
/// typed error.
pub fn new_asset_json(bytes: &[u8]) {
    let records: Vec<NewAsset> = match bytes.first() {
        Some(b'[') => match serde_json::from_slice(bytes) {
            Ok(r) => r,
            Err(_) => return,
        },
        _ => match serde_json::from_slice::<NewAsset>(bytes) {
            Ok(r) => vec![r],
            Err(_) => return,
        },
    };
    let cat = Catalog::in_memory().expect("an in-memory catalogue");
    let n = records.len();
    let Some(added) = typed(
        "add_assets",
        cat.add_assets(records.clone(), AddAssets::default()),
    ) else {
        let summary = cat.summary().expect("a summary");
        assert!(summary.libraries.iter().all(|l| l.live + l.trashed == 0));
        return;
    };
    assert_eq!(added.len(), n);
    for a in &added {
        let read = cat.get_asset(&a.id).expect("an added asset reads");
        assert_eq!(
            format!("{read:?}"),
            format!("{a:?}"),
            "read differs from added"
        );
        assert_eq!(
            cat.get_asset_json(&a.id).expect("JSON of an added asset"),
            a.to_json()
        );
        let _ = a.to_immich_json();
    }
    let all = ListAssets {
        state: State::All,
        limit: MAX_LIMIT,
        ..ListAssets::default()
    };
    let ids: HashSet<&str> = added.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(cat.count_assets(&all).expect("a count"), ids.len() as u64);
    verify_clean(&cat);
    // Same records again: explicit ids and checksums are duplicates, or new assets.
    typed(
        "add_assets again",
        cat.add_assets(records, AddAssets::default()),
    );
    if let Some(a) = added.first() {
        let update = AssetUpdate {
            local_datetime: Some(DateTimeInput::from(a.local_datetime)),
            metadata: Some(a.metadata.clone()),
            ..AssetUpdate::default()
        };
        typed("update_asset", cat.update_asset(&a.id, update));
        cat.get_asset(&a.id).expect("the asset still reads");
    }
}

/// The catalogue is consistent after the writes.
///
/// `Catalog::verify` finds nothing, and, through public APIs, every library's maintained
/// counts equal what its pages hold and every listed asset reads back.
fn verify_clean(cat: &Catalog) {
    let report = cat.verify().expect("verify runs");
    assert!(report.is_ok(), "{report}");
    let summary = cat.summary().expect("a summary");
    for lib in &summary.libraries {
        for (state, want) in [(State::Live, lib.live), (State::Trashed, lib.trashed)] {
            let q = ListAssets {
                library_id: Some(lib.library.id.clone()),
                state,
                limit: MAX_LIMIT,
                ..ListAssets::default()
            };
            let mut n = 0;
            for a in cat.iter_assets(q, MAX_LIMIT).expect("a walk") {
                let a = a.expect("a listed asset");
                assert_eq!(cat.get_asset(&a.id).expect("a listed asset reads"), a);
                n += 1;
            }
            assert_eq!(
                n, want,
                "{} {state:?}: counts and pages differ",
                lib.library.id
            );
        }
    }
}

/// JSON records for the seeds of `new_asset_json`: the fixture's assets as Gumnut JSON (which
/// `NewAsset` reads as is), a few hand-written records and arrays.
pub fn new_asset_seeds() -> Vec<Vec<u8>> {
    let fx = fixture();
    let page = fx
        .cat
        .list_assets(&ListAssets {
            library_id: Some(fx.library.clone()),
            state: State::All,
            limit: MAX_LIMIT,
            ..ListAssets::default()
        })
        .expect("the fixture lists");
    let mut out: Vec<Vec<u8>> = page
        .data
        .iter()
        .step_by(3)
        .map(|a| a.to_json().into_bytes())
        .collect();
    for s in [
        r#"{}"#,
        r#"[{}, {"local_datetime": "2023-11-07T07:31:56+02:00"}]"#,
        r#"{"local_datetime": "2021-03-28T02:30:00", "metadata": {"timezone": "Europe/Paris"}}"#,
        r#"{"checksum": "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", "duration": "0:00:05.250000", "type": "VIDEO", "mime_type": "video/mp4"}"#,
        r#"{"faces": [{"bounding_box": {"x": 1, "y": 2, "w": 3, "h": 4}, "person_id": "person_x"}], "people": [{"id": "person_x", "name": "X", "birth_date": "1990-01-31"}]}"#,
        r#"{"file_created_at": "2020-01-01T00:00:00Z", "file_modified_at": "2019-06-01T12:00:00.5-07:00", "metrics": {"a": 1.5, "b": null}, "asset_urls": {"thumbnail": {"mimetype": "image/webp", "url": "u", "width": 250}}}"#,
        r#"[{"id": "asset_a", "visibility": "archive", "trashed_at": "2024-02-29T23:59:59Z"}, {"id": "asset_a"}]"#,
    ] {
        out.push(s.as_bytes().to_vec());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// datetime

/// The user-string parsers of `model::time` on arbitrary text: never a panic; a parsed datetime
/// is in range and its written form parses back to it; time zones resolve within ±18:00;
/// durations round-trip; the enum and id parsers answer without a panic.
pub fn datetime(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let s: &str = &text;
    // The whole text as a datetime.
    if let Some(d) = typed("parse_datetime", time::parse_datetime(s)) {
        check_datetime(d);
    }
    // As a time zone, at a fixed time and at the time the text's tail gives.
    let at = NaiveDate::from_ymd_opt(2021, 3, 28)
        .and_then(|d| d.and_hms_opt(2, 30, 0))
        .expect("a valid time");
    let (head, tail) = s.split_once('@').unwrap_or((s, ""));
    let ats = [
        Some(at),
        time::parse_datetime(tail).ok().map(|d| d.naive),
        Some(NaiveDateTime::MIN),
        Some(NaiveDateTime::MAX),
    ];
    for at in ats.into_iter().flatten() {
        if let Some(secs) = typed("resolve_timezone", time::resolve_timezone(head, at)) {
            assert!(
                secs.abs() <= time::MAX_OFFSET_SECS,
                "{head:?} resolved to {secs}"
            );
        }
    }
    // As a duration.
    if let Some(d) = time::parse_duration(s) {
        let text = time::format_duration(d).expect("a parsed duration is not negative");
        assert_eq!(time::parse_duration(&text), Some(d), "{s:?} -> {text:?}");
    }
    // The other parsers of user strings.
    let _ = s.parse::<Visibility>();
    let _ = s.parse::<AssetType>();
    let _ = s.parse::<crate::TimeSource>();
    let _ = s.parse::<State>();
    let _ = s.parse::<crate::OnDuplicate>();
    let _ = s.parse::<crate::BucketSize>();
    let _ = crate::ids::validate(crate::ids::IdKind::Asset, s);
    // As JSON of an input with datetimes (the serde paths of the same parsers).
    let _ = serde_json::from_str::<DateTimeInput>(s);
    let _ = serde_json::from_str::<Exif>(s);
    let _ = serde_json::from_str::<NewPerson>(s);
    let _ = serde_json::from_str::<NewFace>(s);
    let _ = serde_json::from_str::<AssetUpdate>(s);
}

fn check_datetime(d: DateTimeInput) {
    use chrono::Datelike;
    assert!((1..=9999).contains(&d.naive.year()), "{d:?}");
    if let Some(o) = d.offset {
        assert!(o.local_minus_utc().abs() <= time::MAX_OFFSET_SECS, "{d:?}");
    }
    let text = d.to_string();
    let back = time::parse_datetime(&text).expect("a written datetime parses");
    assert_eq!(back, d, "{text:?}");
    let _ = d.to_utc();
    let b = TimeBound::new(d);
    assert!(b.lowest_wall_after() <= b.highest_wall_before());
    let _ = time::format_instant(d.to_utc());
    let _ = time::Formatted::js_iso(d.naive);
}

// ---------------------------------------------------------------------------------------------
// list_params

/// A small deterministic catalogue: two libraries, albums, people with faces, trashed and
/// archived assets, capture times with and without offsets (some equal), cameras and names for
/// search. Built once per process.
pub struct Fixture {
    /// The catalogue (in memory).
    pub cat: Catalog,
    /// The main library's id.
    pub library: String,
    /// The second library's id (three assets).
    pub other_library: String,
    /// Every asset id of the main library.
    pub assets: Vec<String>,
    /// Album ids with their members.
    pub albums: Vec<(String, HashSet<String>)>,
    /// Person ids.
    pub people: Vec<String>,
}

/// The fixture (built on first use).
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| build_fixture().expect("the fixture builds"))
}

fn build_fixture() -> crate::Result<Fixture> {
    let cat = Catalog::in_memory()?;
    let lib = cat.create_library(NewLibrary {
        name: "Main".into(),
        id: Some("library_main".into()),
        owner_id: None,
    })?;
    let other = cat.create_library(NewLibrary {
        name: "Other".into(),
        id: Some("library_other".into()),
        owner_id: None,
    })?;
    let people: Vec<String> = (0..3).map(|i| format!("person_{i}")).collect();
    let t0 = chrono::DateTime::from_timestamp(1_600_000_000, 0).expect("a time");
    let mut records = Vec::new();
    for i in 0..24u32 {
        // Some capture times repeat (ties ordered by id), some carry offsets, some not.
        let day = 1 + (i % 9);
        let local = format!(
            "2023-0{}-{:02}T{:02}:{:02}:00{}",
            1 + i % 3,
            day,
            (i * 5) % 24,
            if i.is_multiple_of(4) { 0 } else { i },
            match i % 3 {
                0 => "",
                1 => "+02:00",
                _ => "-05:30",
            }
        );
        let faces = (0..(i % 3))
            .map(|f| NewFace {
                id: Some(format!("face_{i}_{f}")),
                person_id: Some(people[((i + f) % 3) as usize].clone()),
                bounding_box: BoundingBox {
                    x: 1,
                    y: 2,
                    w: 30,
                    h: 40,
                },
                ..NewFace::default()
            })
            .collect::<Vec<_>>();
        let exif = Exif {
            make: Some(["Canon", "SONY", "Apple"][(i % 3) as usize].into()),
            model: Some(format!("M{}", i % 4)),
            city: i.is_multiple_of(2).then(|| "Paris".into()),
            iso: Some(i64::from(100 * i)),
            f_number: Some(f64::from(i) / 2.0),
            original_datetime: Some(t0 + chrono::Duration::hours(i64::from(i))),
            ..Exif::default()
        };
        records.push(NewAsset {
            id: Some(format!("asset_{i:02}")),
            local_datetime: Some(local.parse()?),
            original_file_name: Some(format!(
                "IMG_{i:04}.{}",
                ["JPG", "heic", "mp4"][(i % 3) as usize]
            )),
            mime_type: Some(["image/jpeg", "image/heic", "video/mp4"][(i % 3) as usize].into()),
            description: i.is_multiple_of(5).then(|| format!("a walk, day {day}")),
            checksum: Some({
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode([i as u8; 32])
            }),
            created_at: Some(t0 + chrono::Duration::minutes(i64::from(i))),
            exif: Some(exif),
            metadata: (i % 4 == 1).then(|| Exif {
                timezone: Some("Europe/Paris".into()),
                country: Some("France".into()),
                ..Exif::default()
            }),
            faces: Some(faces),
            people: (i == 0).then(|| {
                people
                    .iter()
                    .map(|p| NewPerson {
                        id: Some(p.clone()),
                        name: Some(p.to_uppercase()),
                        ..NewPerson::default()
                    })
                    .collect()
            }),
            metrics: i
                .is_multiple_of(6)
                .then(|| BTreeMap::from([("aesthetic".into(), Some(0.5))])),
            tags: i.is_multiple_of(7).then(|| vec!["tag".into()]),
            is_favorite: Some(i % 4 == 2),
            visibility: Some(match i % 8 {
                3 => Visibility::Archive,
                5 => Visibility::Hidden,
                _ => Visibility::Timeline,
            }),
            width: Some(4000 + i),
            height: Some(3000),
            owner_id: [None, Some("owner_a".into()), Some("owner_b".into())][(i % 3) as usize]
                .clone(),
            trashed_at: (i % 6 == 4).then(|| t0 + chrono::Duration::days(i64::from(i))),
            duration: (i % 3 == 2).then(|| format!("0:00:{:02}.500000", i)),
            ..NewAsset::default()
        });
    }
    let added = cat.add_assets(
        records,
        AddAssets {
            library_id: Some(lib.id.clone()),
            ..AddAssets::default()
        },
    )?;
    let assets: Vec<String> = added.into_iter().map(|a| a.id).collect();
    cat.add_assets(
        (0..3)
            .map(|i| NewAsset {
                id: Some(format!("asset_other_{i}")),
                ..NewAsset::default()
            })
            .collect(),
        AddAssets {
            library_id: Some(other.id.clone()),
            ..AddAssets::default()
        },
    )?;
    let mut albums = Vec::new();
    for (a, every) in [(0usize, 2usize), (1, 3)] {
        let album = cat.create_album(NewAlbum {
            name: format!("Album {a}"),
            library_id: Some(lib.id.clone()),
            id: Some(format!("album_{a}")),
            ..NewAlbum::default()
        })?;
        let members: Vec<String> = assets.iter().step_by(every).cloned().collect();
        cat.add_to_album(&album.id, &members)?;
        albums.push((album.id, members.into_iter().collect()));
    }
    Ok(Fixture {
        cat,
        library: lib.id,
        other_library: other.id,
        assets,
        albums,
        people,
    })
}

/// Fuzz bytes read as parameters: each read takes what it needs and reads zeros at the end.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    /// A string of up to 40 bytes of the input (lossy UTF-8).
    fn text(&mut self) -> String {
        let n = usize::from(self.byte() % 41).min(self.0.len());
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8_lossy(s).into_owned()
    }

    /// An id from `pool` mostly, else an unknown valid id, an invalid one or raw text.
    fn id(&mut self, pool: &[String], unknown: &str) -> String {
        let b = self.byte();
        match b % 8 {
            0 => unknown.to_owned(),
            1 => "not an id!".into(),
            2 => self.text(),
            _ if pool.is_empty() => unknown.to_owned(),
            _ => pool[usize::from(b / 8) % pool.len()].clone(),
        }
    }

    fn opt_id(&mut self, pool: &[String], unknown: &str) -> Option<String> {
        (!self.byte().is_multiple_of(3)).then(|| self.id(pool, unknown))
    }

    fn opt_bool(&mut self) -> Option<bool> {
        match self.byte() % 3 {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        }
    }

    /// A limit: mostly small, sometimes out of range.
    fn limit(&mut self) -> u32 {
        match self.byte() {
            0 => 0,
            1 => u32::MAX,
            2 => MAX_LIMIT + 1,
            3 => MAX_LIMIT,
            b => u32::from(b % 12) + 1,
        }
    }

    /// A datetime bound: around a fixture capture time (with any offset), or parsed from text.
    fn datetime(&mut self, fx: &Fixture) -> Option<DateTimeInput> {
        match self.byte() % 4 {
            0 => None,
            1 => time::parse_datetime(&self.text()).ok(),
            _ => {
                let id = &fx.assets[usize::from(self.byte()) % fx.assets.len()];
                let a = fx.cat.get_asset(id).ok()?;
                let shift = i64::from(self.byte() as i8);
                let naive = a.local_datetime + chrono::Duration::minutes(shift * 7);
                let offset = match self.byte() % 4 {
                    0 => None,
                    1 => a.local_offset,
                    _ => chrono::FixedOffset::east_opt(i32::from(self.byte() as i8) * 900),
                };
                Some(DateTimeInput { naive, offset })
            }
        }
    }

    fn state(&mut self) -> State {
        [State::Live, State::Trashed, State::All][usize::from(self.byte() % 3)]
    }
}

/// List, search and Immich read parameters decoded from fuzz bytes and run against the
/// fixture: never a panic, errors only of the input kinds (and exactly when `validate` says
/// so); pages are at most `limit` long, `has_more` is true exactly when more follow, pages
/// follow each other in order without repeats, every asset matches the filters, counts equal
/// what the pages hold, the JSON paths equal the owned ones, and search and Immich pages agree
/// with their totals.
pub fn list_params(bytes: &[u8]) {
    let fx = fixture();
    let mut input = Input(bytes);
    let libraries = [
        fx.library.clone(),
        fx.library.clone(),
        fx.other_library.clone(),
    ];
    let album_ids: Vec<String> = fx.albums.iter().map(|(a, _)| a.clone()).collect();
    let q = ListAssets {
        library_id: input.opt_id(&libraries, "library_unknown"),
        album_id: input.opt_id(&album_ids, "album_unknown"),
        person_id: input.opt_id(&fx.people, "person_unknown"),
        ids: input.byte().is_multiple_of(4).then(|| {
            let n = usize::from(input.byte() % 6);
            (0..n)
                .map(|_| input.id(&fx.assets, "asset_unknown"))
                .collect()
        }),
        local_datetime_after: input.datetime(fx),
        local_datetime_before: input.datetime(fx),
        starting_after_id: input.opt_id(&fx.assets, "asset_unknown"),
        state: input.state(),
        limit: input.limit(),
    };
    check_list(fx, &q);
    let s = SearchAssets {
        library_id: input.opt_id(&libraries, "library_unknown"),
        person_ids: input.byte().is_multiple_of(3).then(|| {
            let n = usize::from(input.byte() % 3);
            (0..n)
                .map(|_| input.id(&fx.people, "person_unknown"))
                .collect()
        }),
        album_ids: input.byte().is_multiple_of(3).then(|| {
            let n = usize::from(input.byte() % 3);
            (0..n)
                .map(|_| input.id(&album_ids, "album_unknown"))
                .collect()
        }),
        captured_after: input.datetime(fx),
        captured_before: input.datetime(fx),
        make: input
            .byte()
            .is_multiple_of(3)
            .then(|| ["Canon", "SONY", "canon"][usize::from(input.byte() % 3)].into()),
        model: input.byte().is_multiple_of(4).then(|| input.text()),
        lens_model: None,
        city: input.byte().is_multiple_of(4).then(|| "Paris".into()),
        state: None,
        country: input.byte().is_multiple_of(5).then(|| input.text()),
        mime_type: input.byte().is_multiple_of(4).then(|| "image/heic".into()),
        asset_type: match input.byte() % 4 {
            0 => Some(AssetType::Video),
            1 => Some(AssetType::Image),
            _ => None,
        },
        is_favorite: input.opt_bool(),
        visibility: match input.byte() % 4 {
            0 => Some(Visibility::Archive),
            1 => Some(Visibility::Timeline),
            2 => Some(Visibility::Hidden),
            _ => None,
        },
        original_file_name: input.byte().is_multiple_of(3).then(|| input.text()),
        description: input.byte().is_multiple_of(4).then(|| input.text()),
        page: match input.byte() % 4 {
            0 => 0,
            1 => u32::MAX,
            b => u32::from(b),
        },
        limit: input.limit(),
    };
    check_search(fx, &s);
    let g = GetAllAssets {
        owner_id: input
            .byte()
            .is_multiple_of(3)
            .then(|| ["owner_a", "owner_b", ""][usize::from(input.byte() % 3)].into()),
        is_archived: input.opt_bool(),
        is_favorite: input.opt_bool(),
        skip: u64::from(input.byte() % 32),
        take: match input.byte() % 4 {
            0 => None,
            1 => Some(0),
            _ => Some(u64::from(input.byte() % 16)),
        },
        updated_after: input.datetime(fx),
        updated_before: input.datetime(fx),
        if_none_match: None,
    };
    check_immich(fx, &g);
}

/// The list order's key of an asset: (time, id), descending in every list.
fn order_key(a: &Asset, state: State) -> (i64, String) {
    let t = match state {
        State::Trashed => a.trashed_at.map_or(i64::MIN, |t| t.timestamp_micros()),
        _ => time::naive_micros(a.local_datetime),
    };
    (t, a.id.clone())
}

fn check_list(fx: &Fixture, q: &ListAssets) {
    let cat = &fx.cat;
    let valid = q.validate();
    let Some(page) = typed("list_assets", cat.list_assets(q)) else {
        // Storage-dependent refusals (an unknown library, a live cursor in the trash) are
        // InvalidArgument or NotFound; validation failures fail the same way everywhere.
        typed("count_assets", cat.count_assets(q));
        assert!(cat.list_assets_json(q).is_err());
        return;
    };
    assert!(valid.is_ok(), "a query validate() refuses was answered");
    assert!(page.data.len() <= q.limit as usize);
    assert_eq!(
        cat.list_assets_json(q).expect("JSON of an answered query"),
        page.to_json()
    );
    // Walk every page from the query's own cursor.
    let mut walked: Vec<Asset> = page.data.clone();
    let mut last = page;
    let mut pages = 1;
    while last.has_more {
        assert_eq!(
            last.data.len(),
            q.limit as usize,
            "has_more on a short page"
        );
        pages += 1;
        assert!(pages <= 64, "more pages than assets");
        let next = ListAssets {
            starting_after_id: Some(last.data.last().expect("a full page").id.clone()),
            ..q.clone()
        };
        last = cat.list_assets(&next).expect("the next page");
        assert!(last.data.len() <= q.limit as usize);
        walked.extend(last.data.iter().cloned());
    }
    for w in walked.windows(2) {
        assert!(
            order_key(&w[0], q.state) > order_key(&w[1], q.state),
            "out of order or repeated: {} then {}",
            w[0].id,
            w[1].id
        );
    }
    assert_eq!(
        cat.count_assets(q).expect("the count of an answered query"),
        walked.len() as u64
    );
    // The iterator walks the same assets.
    let iterated: Vec<String> = cat
        .iter_assets(q.clone(), q.limit)
        .expect("an iterator of an answered query")
        .map(|a| a.expect("an iterated asset").id)
        .collect();
    let ids: Vec<String> = walked.iter().map(|a| a.id.clone()).collect();
    assert_eq!(iterated, ids);
    // Every asset matches the filters.
    let after = q.local_datetime_after.map(TimeBound::new);
    let before = q.local_datetime_before.map(TimeBound::new);
    for a in &walked {
        match q.state {
            State::Live => assert!(a.trashed_at.is_none()),
            State::Trashed => assert!(a.trashed_at.is_some()),
            State::All => {}
        }
        assert!(a.visibility.is_listed(), "{} is {:?}", a.id, a.visibility);
        if let Some(lib) = &q.library_id {
            assert_eq!(&a.library_id, lib);
        }
        if let Some(album) = &q.album_id {
            let members = fx.albums.iter().find(|(id, _)| id == album);
            assert!(members.is_some_and(|(_, m)| m.contains(&a.id)));
        }
        if let Some(p) = &q.person_id {
            assert!(a.people.iter().any(|x| &x.id == p));
        }
        if let Some(ids) = &q.ids {
            assert!(ids.contains(&a.id));
        }
        let local = time::naive_micros(a.local_datetime);
        let off = a.local_offset.map(|o| o.local_minus_utc());
        if let Some(b) = &after {
            assert!(b.is_before(local, off), "{} not after the bound", a.id);
        }
        if let Some(b) = &before {
            assert!(b.is_after(local, off), "{} not before the bound", a.id);
        }
    }
}

fn check_search(fx: &Fixture, s: &SearchAssets) {
    let cat = &fx.cat;
    let valid = s.validate();
    let Some(page) = typed("search_assets", cat.search_assets(s)) else {
        return;
    };
    assert!(valid.is_ok(), "a search validate() refuses was answered");
    let limit = u64::from(s.limit);
    assert!(page.data.len() as u64 <= limit);
    assert_eq!(page.page, s.page);
    let before = (u64::from(s.page) - 1).saturating_mul(limit);
    let expect_len = page.total.saturating_sub(before).min(limit);
    assert_eq!(
        page.data.len() as u64,
        expect_len,
        "page size against total"
    );
    assert_eq!(page.has_more, before + expect_len < page.total);
    serde_json::from_str::<serde_json::Value>(&page.to_json()).expect("search JSON");
    let mut seen = HashSet::new();
    for a in &page.data {
        assert!(seen.insert(a.id.clone()));
        assert!(a.trashed_at.is_none());
        if let Some(m) = &s.make {
            let make = a.exif.as_ref().and_then(|e| e.make.as_ref());
            let make = make.or(a.metadata.as_ref().and_then(|e| e.make.as_ref()));
            assert_eq!(make, Some(m));
        }
        if let Some(f) = s.is_favorite {
            assert_eq!(a.is_favorite, f);
        }
        if let Some(t) = s.asset_type {
            assert_eq!(a.asset_type(), t);
        }
    }
    // All pages of the search hold `total` assets.
    if s.page == 1 && page.total <= 64 {
        let mut n = 0;
        let mut p = 1;
        loop {
            let next = cat
                .search_assets(&SearchAssets {
                    page: p,
                    ..s.clone()
                })
                .expect("a later page");
            n += next.data.len() as u64;
            assert_eq!(next.total, page.total);
            if !next.has_more {
                break;
            }
            p += 1;
        }
        assert_eq!(n, page.total);
    }
}

fn check_immich(fx: &Fixture, g: &GetAllAssets) {
    let cat = &fx.cat;
    let Some(got) = typed("get_all_assets", cat.get_all_assets(g)) else {
        return;
    };
    if let Some(t) = g.take {
        assert!(got.assets.len() as u64 <= t);
    }
    let everything = cat
        .get_all_assets(&GetAllAssets {
            skip: 0,
            take: None,
            ..g.clone()
        })
        .expect("the same read without skip and take");
    let want: Vec<&str> = everything
        .assets
        .iter()
        .skip(g.skip as usize)
        .take(g.take.map_or(usize::MAX, |t| t as usize))
        .map(|a| a.id.as_str())
        .collect();
    let ids: Vec<&str> = got.assets.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, want);
    let again = cat
        .get_all_assets(&GetAllAssets {
            if_none_match: Some(got.etag.clone()),
            ..g.clone()
        })
        .expect("the same read with its etag");
    assert!(again.not_modified && again.assets.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Seeds

/// The largest seed made of a real file.
const MAX_SEED: usize = 128 * 1024;

/// Seeds of `probe` from the real files under `photos` (a folder, walked in name order): each
/// file with its image or movie data left out (JPEG scan data, the `mdat` box of HEIF and
/// movies, PNG's `IDAT` chunks), so that its headers and metadata are what the fuzzer mutates;
/// files still larger than 128 KB are cut there; and each file's first 600 bytes.
pub fn probe_seeds(photos: &std::path::Path) -> Vec<Vec<u8>> {
    let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(photos)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| crate::import::walk::has_media_extension(p))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for p in files {
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let mut slim = slim_media(&bytes);
        slim.truncate(MAX_SEED);
        out.push(slim);
        if bytes.len() > 600 {
            out.push(bytes[..600].to_vec());
        }
    }
    out
}

/// A media file without its pixel or sample data (see [`probe_seeds`]).
fn slim_media(b: &[u8]) -> Vec<u8> {
    let be32 = |i: usize| {
        b.get(i..i + 4)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    };
    if b.starts_with(&[0xFF, 0xD8]) {
        // JPEG: the segments up to the start of scan, 16 bytes of it, and the end marker.
        let mut i = 2;
        while i + 4 <= b.len() && b[i] == 0xFF {
            let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
            if b[i + 1] == 0xDA {
                let end = (i + 2 + len + 16).min(b.len());
                let mut out = b[..end].to_vec();
                out.extend_from_slice(&[0xFF, 0xD9]);
                return out;
            }
            i += 2 + len;
        }
        return b.to_vec();
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut out = b[..8].to_vec();
        let mut i = 8;
        while let Some(len) = be32(i) {
            let end = (i + 12 + len as usize).min(b.len());
            if &b[i + 4..(i + 8).min(b.len())] != b"IDAT" {
                out.extend_from_slice(&b[i..end]);
            }
            i = end;
        }
        return out;
    }
    if b.get(4..8) == Some(b"ftyp") {
        // ISO-BMFF: every top-level box, `mdat` emptied (an 8-byte header).
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(size) = be32(i) {
            let size = match size {
                0 => b.len() - i,
                1 => b.get(i + 8..i + 16).map_or(0, |s| {
                    u64::from_be_bytes(s.try_into().unwrap_or([0; 8])) as usize
                }),
                n => n as usize,
            };
            if size < 8 {
                break;
            }
            let end = i.saturating_add(size).min(b.len());
            if b.get(i + 4..i + 8) == Some(b"mdat") {
                out.extend_from_slice(&8u32.to_be_bytes());
                out.extend_from_slice(b"mdat");
            } else {
                out.extend_from_slice(&b[i..end]);
            }
            i = end;
        }
        return out;
    }
    b.to_vec()
}

/// Seeds of `datetime`: every accepted form, offsets, zone names with a time, durations and
/// the names of the enum parsers.
pub fn datetime_seeds() -> Vec<Vec<u8>> {
    [
        "2023-11-07T07:31:56",
        "2023-11-07 07:31:56.25+02:00",
        "2023-11-07T07:31:56.123456789Z",
        "2023-11-07T07:31:56-0530",
        "2023-11-07T07:31+02",
        "2023-11-07",
        "0001-01-01T00:00:00+18:00",
        "9999-12-31T23:59:59.999999-18:00",
        "Europe/Paris@2021-03-28T02:30:00",
        "America/New_York@2021-11-07T01:30:00",
        "Australia/Lord_Howe@2023-10-01T02:15:00",
        "+05:45@2023-01-01",
        "UTC",
        "1:02:03.5",
        "0:00:05.250000",
        "123456789:59:59.9999999",
        "timeline",
        "IMAGE",
        "file_created_at",
        "\"2023-11-07T07:31:56+02:00\"",
        r#"{"original_datetime": "2023-11-07T07:31:56+02:00", "timezone": "Asia/Kolkata"}"#,
        r#"{"birth_date": "2000-02-29", "created_at": "2020-01-01T00:00:00Z"}"#,
        r#"{"local_datetime": "2023-11-07T07:31", "description": null, "width": null}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// Seeds of `list_params`: fixed byte patterns and a few pseudo-random strings.
pub fn list_params_seeds() -> Vec<Vec<u8>> {
    let mut out = vec![
        vec![0; 96],
        vec![1; 96],
        vec![0xFF; 96],
        (0..=255u8).collect(),
        (0..=255u8).rev().collect(),
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..16 {
        out.push(
            (0..128)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect(),
        );
    }
    out
}
