//! `import_paths` end to end on the real sample files in `tests/data/photos` (licences in its
//! LICENSES.md), compared with what exiftool read from them (`expected.json` there).
//!
//! `cargo test --test import -- --nocapture` prints the per-field accuracy table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use photocat::{Asset, Catalog, Error, ImportPaths, ListAssets, OnDuplicate, State, TimeSource};
use serde_json::Value;

const PHOTOS: &str = "tests/data/photos";

fn expected() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(Path::new(PHOTOS).join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The path of an imported asset relative to the sample folder, as expected.json keys it.
fn key_of(asset: &Asset) -> String {
    let root = std::path::absolute(PHOTOS).unwrap();
    let path = PathBuf::from(asset.original_path.as_deref().unwrap());
    path.strip_prefix(&root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn rel(path: &Path) -> String {
    path.strip_prefix(PHOTOS)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn import_all(cat: &Catalog) -> photocat::ImportReport {
    cat.import_paths(&[PHOTOS], ImportPaths::default()).unwrap()
}

/// `local_datetime` as expected.json writes it: fraction with trailing zeros dropped.
fn local_string(a: &Asset) -> String {
    let base = a.local_datetime.format("%Y-%m-%dT%H:%M:%S").to_string();
    let micros = a.local_datetime.and_utc().timestamp_subsec_micros();
    if micros == 0 {
        base
    } else {
        let frac = format!("{micros:06}");
        format!("{base}.{}", frac.trim_end_matches('0'))
    }
}

fn offset_string(a: &Asset) -> Value {
    match a.local_offset {
        None => Value::Null,
        Some(o) => {
            let s = o.local_minus_utc();
            let sign = if s < 0 { '-' } else { '+' };
            let s = s.abs();
            Value::String(format!("{sign}{:02}:{:02}", s / 3600, s / 60 % 60))
        }
    }
}

fn duration_seconds(d: &str) -> f64 {
    let mut parts = d.split(':');
    let h: f64 = parts.next().unwrap().parse().unwrap();
    let m: f64 = parts.next().unwrap().parse().unwrap();
    let s: f64 = parts.next().unwrap().parse().unwrap();
    h * 3600.0 + m * 60.0 + s
}

fn float(v: Option<f64>) -> Value {
    v.map_or(Value::Null, |x| serde_json::json!(x))
}

/// Each compared field of an imported asset, as JSON values shaped like expected.json's.
fn actual_fields(a: &Asset) -> Vec<(&'static str, Value)> {
    let e = a.exif.clone().unwrap_or_default();
    let s = |v: Option<String>| v.map_or(Value::Null, Value::String);
    vec![
        ("sha256_base64", s(a.checksum.clone())),
        ("sha1_base64", s(a.checksum_sha1.clone())),
        ("file_size_bytes", serde_json::json!(a.file_size_bytes)),
        ("mime_type", Value::String(a.mime_type.clone())),
        ("display_width", serde_json::json!(a.width)),
        ("display_height", serde_json::json!(a.height)),
        ("orientation", serde_json::json!(e.orientation)),
        ("make", s(e.make)),
        ("model", s(e.model)),
        ("lens_model", s(e.lens_model)),
        ("f_number", float(e.f_number)),
        ("focal_length", float(e.focal_length)),
        ("iso", serde_json::json!(e.iso)),
        ("exposure_time", float(e.exposure_time)),
        ("exposure_bias", float(e.exposure_bias)),
        ("local_datetime", Value::String(local_string(a))),
        ("local_offset", offset_string(a)),
        ("latitude", float(e.latitude)),
        ("longitude", float(e.longitude)),
        ("altitude", float(e.altitude)),
        (
            "duration",
            float(a.duration.as_deref().map(duration_seconds)),
        ),
        ("fps", float(e.fps)),
    ]
}

const FLOAT_FIELDS: &[&str] = &[
    "f_number",
    "focal_length",
    "exposure_time",
    "exposure_bias",
    "latitude",
    "longitude",
    "altitude",
    "duration",
    "fps",
];

fn matches(field: &str, want: &Value, got: &Value) -> bool {
    if FLOAT_FIELDS.contains(&field) {
        match (want.as_f64(), got.as_f64()) {
            (Some(w), Some(g)) => (w - g).abs() <= 1e-6 * w.abs().max(1.0),
            _ => want.is_null() && got.is_null(),
        }
    } else {
        want == got
    }
}

/// (file, field) pairs where photocat deliberately differs from exiftool, with the reason.
const KNOWN_MISMATCHES: &[(&str, &str, &str)] = &[];

#[test]
fn every_sample_file_matches_exiftool() {
    let cat = Catalog::in_memory().unwrap();
    let report = import_all(&cat);
    let expected = expected();

    // The three unreadable files fail with a reason; the byte-identical pair is one asset.
    let failed: Vec<String> = report.failed.iter().map(|(p, _)| rel(p)).collect();
    assert_eq!(
        failed,
        [
            "edge/empty.jpg",
            "edge/not_a_photo.jpg",
            "edge/truncated.jpg"
        ]
    );
    for (path, reason) in &report.failed {
        assert!(!reason.is_empty(), "{path:?}");
    }
    assert_eq!(report.duplicates.len(), 1, "{:?}", report.duplicates);
    let readable = expected.values().filter(|v| v["readable"] == true).count();
    assert_eq!(report.created.len(), readable - 1);

    let mut table: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    for asset in &report.created {
        let key = key_of(asset);
        let want = &expected[&key];
        for (field, got) in actual_fields(asset) {
            let mut want_v = want[field].clone();
            if field == "local_datetime" && want_v.is_null() {
                // No capture time: photocat falls back to the earlier file time (checked in
                // `no_capture_time_falls_back_to_the_earlier_file_time`).
                continue;
            }
            if field == "local_offset" && want["local_datetime"].is_null() {
                continue;
            }
            if field == "mime_type" && want_v.is_null() {
                want_v = Value::Null;
            }
            let ok = matches(field, &want_v, &got);
            let entry = table.entry(field).or_default();
            entry.1 += 1;
            if ok {
                entry.0 += 1;
            } else if !KNOWN_MISMATCHES
                .iter()
                .any(|(f, fl, _)| *f == key && *fl == field)
            {
                unexpected.push(format!("{key} {field}: exiftool {want_v}, photocat {got}"));
            }
        }
    }
    println!("| field | match | of |");
    println!("| --- | --- | --- |");
    let (mut all, mut of) = (0, 0);
    for (field, (ok, n)) in &table {
        println!("| {field} | {ok} | {n} |");
        all += ok;
        of += n;
    }
    println!("| all | {all} | {of} |");
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}

#[test]
fn importing_twice_creates_nothing_the_second_time() {
    let cat = Catalog::in_memory().unwrap();
    let first = import_all(&cat);
    let second = import_all(&cat);
    assert!(second.created.is_empty());
    assert_eq!(
        second.duplicates.len(),
        first.created.len() + first.duplicates.len()
    );
    assert_eq!(second.failed.len(), first.failed.len());
    // Every duplicate names an asset the first import created.
    let ids: std::collections::HashSet<_> = first.created.iter().map(|a| &a.id).collect();
    assert!(second.duplicates.iter().all(|(_, id)| ids.contains(id)));
    let listed = cat
        .iter_assets(
            ListAssets {
                state: State::All,
                ..Default::default()
            },
            200,
        )
        .unwrap()
        .count();
    assert_eq!(listed, first.created.len());
}

#[test]
fn progress_counts_every_file_and_cancelling_leaves_a_consistent_catalogue() {
    let cat = Catalog::in_memory().unwrap();
    let mut calls = Vec::new();
    let mut progress = |done: usize, total: usize| {
        calls.push((done, total));
        true
    };
    let report = cat
        .import_paths(
            &[PHOTOS],
            ImportPaths {
                progress: Some(&mut progress),
                ..Default::default()
            },
        )
        .unwrap();
    let total = calls.last().unwrap().1;
    assert_eq!(calls.last().unwrap().0, total);
    assert!(calls
        .windows(2)
        .all(|w| w[0].0 < w[1].0 && w[0].1 == w[1].1));
    assert_eq!(
        total,
        report.created.len() + report.duplicates.len() + report.failed.len()
    );
    assert!(!report.cancelled);

    // Cancel after the second file: fewer files, and the catalogue holds exactly the report.
    let cat = Catalog::in_memory().unwrap();
    let mut progress = |done: usize, _total: usize| done < 2;
    let report = cat
        .import_paths(
            &[PHOTOS],
            ImportPaths {
                progress: Some(&mut progress),
                batch_size: 1,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(report.cancelled);
    let done = report.created.len() + report.duplicates.len() + report.failed.len();
    assert!(done < total, "{done} of {total}");
    let listed: Vec<String> = cat
        .iter_assets(ListAssets::default(), 200)
        .unwrap()
        .map(|a| a.unwrap().id)
        .collect();
    let mut created: Vec<String> = report.created.iter().map(|a| a.id.clone()).collect();
    created.sort();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(listed_sorted, created);
}

#[test]
fn on_duplicate_error_reports_the_duplicate_and_imports_the_rest() {
    let cat = Catalog::in_memory().unwrap();
    let report = cat
        .import_paths(
            &[Path::new(PHOTOS).join("edge")],
            ImportPaths {
                on_duplicate: OnDuplicate::Error,
                ..Default::default()
            },
        )
        .unwrap();
    // el_torcal_rocks.jpg and its copy: one created, the other failed as a duplicate; plus
    // without_exif.jpg created and the three unreadable files failed.
    assert_eq!(report.created.len(), 2);
    assert!(report.duplicates.is_empty());
    let dup: Vec<_> = report
        .failed
        .iter()
        .filter(|(_, reason)| reason.starts_with("duplicate of "))
        .collect();
    assert_eq!(dup.len(), 1, "{:?}", report.failed);
    assert_eq!(report.failed.len(), 4);
}

#[test]
fn explicit_files_and_reasons() {
    let cat = Catalog::in_memory().unwrap();
    let edge = Path::new(PHOTOS).join("edge");
    let report = cat
        .import_paths(
            &[
                edge.join("not_a_photo.jpg"),
                edge.join("empty.jpg"),
                edge.join("truncated.jpg"),
                edge.join("no_such_file.jpg"),
                Path::new(PHOTOS).join("LICENSES.md"),
            ],
            ImportPaths::default(),
        )
        .unwrap();
    assert!(report.created.is_empty());
    let reasons: BTreeMap<String, String> = report
        .failed
        .iter()
        .map(|(p, r)| (rel(p), r.clone()))
        .collect();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert_eq!(reasons["edge/no_such_file.jpg"], "no such file or folder");
    assert!(reasons["edge/empty.jpg"].contains("empty"), "{reasons:?}");
    for (path, reason) in &reasons {
        println!("{path}: {reason}");
    }
}

#[test]
fn folder_walk_skips_sidecars_and_hidden_files_and_reads_by_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(PHOTOS).join("aarhus.jpg");
    std::fs::copy(&src, dir.path().join("photo.JPG")).unwrap();
    std::fs::copy(&src, dir.path().join("._photo.JPG")).unwrap();
    std::fs::write(dir.path().join("photo.xmp"), "<x:xmpmeta/>").unwrap();
    std::fs::write(dir.path().join(".DS_Store"), [0u8; 16]).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    // Bytes decide the type, not the name.
    std::fs::copy(
        Path::new(PHOTOS).join("density_plot.png"),
        dir.path().join("sub/looks_like.jpg"),
    )
    .unwrap();
    let cat = Catalog::in_memory().unwrap();
    let report = cat
        .import_paths(&[dir.path()], ImportPaths::default())
        .unwrap();
    assert_eq!(report.created.len(), 2);
    assert_eq!(report.skipped, [dir.path().join("photo.xmp")]);
    let png = report
        .created
        .iter()
        .find(|a| a.original_file_name == "looks_like.jpg")
        .unwrap();
    assert_eq!(png.mime_type, "image/png");

    let flat = Catalog::in_memory().unwrap();
    let report = flat
        .import_paths(
            &[dir.path()],
            ImportPaths {
                recursive: false,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(report.created.len(), 1);
}

#[test]
fn no_capture_time_falls_back_to_the_earlier_file_time() {
    let cat = Catalog::in_memory().unwrap();
    let path = Path::new(PHOTOS).join("edge/without_exif.jpg");
    let report = cat.import_paths(&[&path], ImportPaths::default()).unwrap();
    let a = &report.created[0];
    let meta = std::fs::metadata(&path).unwrap();
    // Instants are kept to the microsecond.
    let micros = |t: std::time::SystemTime| {
        let t: chrono::DateTime<chrono::Utc> = t.into();
        chrono::DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap()
    };
    let mtime = micros(meta.modified().unwrap());
    // The birth time where the file system records it, else the modification time.
    let created = meta.created().map(micros).unwrap_or(mtime);
    assert_eq!(a.file_modified_at, mtime);
    assert_eq!(a.file_created_at, created);
    // The rule of every record without local_datetime: the earlier file time (a tie counts as
    // the modification time), as UTC wall-clock time.
    assert_eq!(a.captured_at(), Some(created.min(mtime)));
    let source = if created < mtime {
        TimeSource::FileCreatedAt
    } else {
        TimeSource::FileMtime
    };
    assert_eq!(a.local_datetime_source, Some(source));
    assert_eq!(a.local_offset, chrono::FixedOffset::east_opt(0));
    assert_eq!(a.local_datetime, created.min(mtime).naive_utc());
    // An import and add_assets give the same capture time for the same file times.
    let given = cat
        .add_assets(
            vec![photocat::NewAsset {
                file_created_at: Some(created),
                file_modified_at: Some(mtime),
                ..Default::default()
            }],
            Default::default(),
        )
        .unwrap();
    assert_eq!(given[0].captured_at(), a.captured_at());
    assert_eq!(given[0].local_datetime_source, a.local_datetime_source);
}

#[test]
fn library_errors_come_before_any_file_is_read() {
    let cat = Catalog::in_memory().unwrap();
    let err = cat
        .import_paths(
            &[PHOTOS],
            ImportPaths {
                library_id: Some("library_nope".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let mut libraries = Vec::new();
    for name in ["a", "b"] {
        let lib = cat
            .create_library(photocat::NewLibrary {
                name: name.into(),
                ..Default::default()
            })
            .unwrap();
        libraries.push(lib.id);
    }
    let err = cat
        .import_paths(&[PHOTOS], ImportPaths::default())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    for library_id in libraries {
        let page = cat
            .list_assets(&ListAssets {
                library_id: Some(library_id),
                ..Default::default()
            })
            .unwrap();
        assert!(page.data.is_empty());
    }
}

#[test]
fn batches_commit_while_files_are_still_being_read() {
    // Small batches: the writer commits (and add_assets prepares a batch on the global rayon
    // pool) while readers wait on a full channel. Readers have their own pool, so this
    // finishes; with one shared pool the blocked readers held every worker add_assets waited
    // for (a deadlock). A timeout turns a hang into a failure.
    let dir = tempfile::tempdir().unwrap();
    let photo = std::fs::read(Path::new(PHOTOS).join("orientation/Landscape_2.jpg")).unwrap();
    for i in 0..300 {
        std::fs::write(dir.path().join(format!("{i:03}.jpg")), &photo).unwrap();
    }
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let folder = dir.path().to_path_buf();
    std::thread::spawn(move || {
        // On disk: each commit waits for the file system, so the readers fill the channel.
        let cat = Catalog::open(folder.join("catalog.redb")).unwrap();
        let report = cat
            .import_paths(
                &[&folder],
                ImportPaths {
                    batch_size: 20,
                    ..Default::default()
                },
            )
            .unwrap();
        done_tx
            .send((report.created.len(), report.duplicates.len()))
            .unwrap();
    });
    let outcome = done_rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("import_paths did not finish: reader/writer deadlock");
    assert_eq!(outcome, (1, 299));
}
