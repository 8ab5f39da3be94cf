//! Accuracy of `photocat::media::probe` against exiftool's reading of the sample photos
//! (`tests/data/photos/expected.json`), field by field, and its robustness on any bytes.
//!
//! `cargo test --test media_probe -- --nocapture` prints the per-field table. Set
//! `PHOTOCAT_PHOTOS_DIR` to run the accuracy test over another folder that has the same
//! layout (an `expected.json` made by the same rules).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{NaiveDateTime, Timelike};
use photocat::media::{probe, MediaInfo};
use proptest::prelude::*;
use serde_json::Value;

/// Known differences from exiftool: (file, field, reason). Every other (file, field) pair must
/// match. Empty today: every field of every copied file matches.
const ALLOWED_MISMATCHES: &[(&str, &str, &str)] = &[];

/// Fields compared exactly, and fields compared within a relative 1e-6.
const EXACT: &[&str] = &[
    "mime_type",
    "width",
    "height",
    "display_width",
    "display_height",
    "orientation",
    "make",
    "model",
    "lens_model",
    "iso",
    "local_datetime",
    "local_offset",
];
const CLOSE: &[&str] = &[
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

fn photos_dir() -> PathBuf {
    std::env::var_os("PHOTOCAT_PHOTOS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/photos"))
}

fn expected() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(photos_dir().join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `%Y-%m-%dT%H:%M:%S` plus the fraction with trailing zeros dropped, as expected.json.
fn local_datetime(t: NaiveDateTime) -> String {
    let mut s = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = t.nanosecond();
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        s.push('.');
        s.push_str(fraction.trim_end_matches('0'));
    }
    s
}

/// The value `probe` gave for an expected.json field, as JSON.
fn got(info: &MediaInfo, field: &str) -> Value {
    let s = |v: &Option<String>| v.clone().map_or(Value::Null, Value::from);
    let n = |v: Option<f64>| v.map_or(Value::Null, Value::from);
    let u = |v: Option<u32>| v.map_or(Value::Null, Value::from);
    match field {
        "mime_type" => Value::from(info.mime_type),
        "width" => u(info.width),
        "height" => u(info.height),
        "display_width" => u(info.display_width()),
        "display_height" => u(info.display_height()),
        "orientation" => u(info.orientation.map(u32::from)),
        "make" => s(&info.make),
        "model" => s(&info.model),
        "lens_model" => s(&info.lens_model),
        "iso" => u(info.iso),
        "local_datetime" => info
            .date_time_original
            .map_or(Value::Null, |t| Value::from(local_datetime(t))),
        "local_offset" => info
            .offset
            .map_or(Value::Null, |o| Value::from(o.to_string())),
        "f_number" => n(info.f_number),
        "focal_length" => n(info.focal_length),
        "exposure_time" => n(info.exposure_time),
        "exposure_bias" => n(info.exposure_bias),
        "latitude" => n(info.latitude),
        "longitude" => n(info.longitude),
        "altitude" => n(info.altitude),
        "duration" => n(info.duration),
        "fps" => n(info.fps),
        other => panic!("unknown field {other}"),
    }
}

fn matches(field: &str, want: &Value, got: &Value) -> bool {
    if CLOSE.contains(&field) {
        match (want.as_f64(), got.as_f64()) {
            (Some(w), Some(g)) => (w - g).abs() <= 1e-6 * w.abs().max(g.abs()).max(1e-3),
            _ => want.is_null() && got.is_null(),
        }
    } else {
        want == got
    }
}

#[test]
fn probe_matches_exiftool_field_by_field() {
    let dir = photos_dir();
    let mut table: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut mismatches = Vec::new();
    let mut files = 0;
    for (name, want) in expected() {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let result = probe(&bytes);
        if want["readable"] == Value::Bool(false) {
            match result {
                Err(e) => println!("{name}: Err({e})"),
                Ok(info) => mismatches.push(format!("{name}: should fail, got {info:?}")),
            }
            continue;
        }
        files += 1;
        let info = match result {
            Ok(info) => info,
            Err(e) => {
                mismatches.push(format!("{name}: probe failed: {e}"));
                continue;
            }
        };
        for &field in EXACT.iter().chain(CLOSE) {
            let entry = table.entry(field).or_default();
            entry.1 += 1;
            let g = got(&info, field);
            if matches(field, &want[field], &g) {
                entry.0 += 1;
            } else if ALLOWED_MISMATCHES
                .iter()
                .any(|(f, fld, _)| *f == name && *fld == field)
            {
                println!(
                    "{name}.{field}: allowed mismatch: want {}, got {g}",
                    want[field]
                );
            } else {
                mismatches.push(format!("{name}.{field}: want {}, got {g}", want[field]));
            }
        }
    }
    println!(
        "\nprobe vs exiftool over {files} readable files in {}:",
        dir.display()
    );
    println!("{:<16} {:>7}", "field", "matched");
    let (mut ok, mut total) = (0, 0);
    for &field in EXACT.iter().chain(CLOSE) {
        let (m, t) = table.get(field).copied().unwrap_or_default();
        println!("{field:<16} {m:>3}/{t:<3}");
        ok += m;
        total += t;
    }
    println!("{:<16} {ok:>3}/{total:<3}", "all");
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn unreadable_files_say_why() {
    let dir = photos_dir().join("edge");
    let err = |name: &str| {
        probe(&std::fs::read(dir.join(name)).unwrap())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(err("empty.jpg"), "empty file");
    assert_eq!(
        err("not_a_photo.jpg"),
        "not a photo or video (the bytes look like text)"
    );
    assert_eq!(
        err("truncated.jpg"),
        "truncated JPEG: the file ends after 2000 bytes, before the frame header (SOF) that \
         gives the pixel size"
    );
}

/// Every copied photo or video, for the robustness properties.
fn samples() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/photos");
    expected()
        .into_iter()
        .filter(|(_, v)| v["readable"] == Value::Bool(true))
        .map(|(name, _)| std::fs::read(dir.join(name)).unwrap())
        .collect()
}

/// Every readable sample, loaded once for all proptest cases.
fn sample_files() -> &'static [Vec<u8>] {
    static HEADS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    HEADS.get_or_init(samples)
}

proptest! {
    // 512 cases each; PROPTEST_CASES=100000 for a longer fuzzing run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn probe_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = probe(&bytes);
    }

    #[test]
    fn probe_never_panics_on_signatures_with_garbage(
        kind in 0usize..8,
        tail in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let head: &[u8] = match kind {
            0 => b"\xff\xd8\xff\xe1\x00\x40Exif\0\0II*\0",
            1 => b"\x89PNG\r\n\x1a\n",
            2 => b"RIFF\0\0\0\0WEBPVP8X",
            3 => b"II*\0",
            4 => b"MM\0*",
            5 => b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
            6 => b"\0\0\0\x14ftypqt  \0\0\0\0qt  ",
            _ => b"\0\0\0\x10ftypisom\0\0\0\0",
        };
        let mut bytes = head.to_vec();
        bytes.extend(tail);
        let _ = probe(&bytes);
    }

    #[test]
    fn probe_never_panics_on_cut_or_flipped_real_files(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        near_start in any::<bool>(),
    ) {
        let files = sample_files();
        let original = which.get(files);
        // Flip bytes either in the first 64 KiB (headers, EXIF) or anywhere (a movie's moov).
        let mut bytes = original.clone();
        for (at, value) in flips {
            let range = if near_start { bytes.len().min(65_536) } else { bytes.len() };
            if range > 0 {
                bytes[at.index(range)] ^= value;
            }
        }
        let _ = probe(&bytes);
        let _ = probe(&bytes[..cut.index(bytes.len() + 1)]);
    }
}
