//! The fuzz targets' checks (`photocat::__fuzz`, feature `fuzzing`) on stable, on every input
//! kept in `tests/data/fuzz/<target>/`: every input that ever failed, and a few interesting
//! corpus inputs per target. Also runs each target's seeds, and writes them as the fuzzers'
//! starting corpus when `PHOTOCAT_FUZZ_SEEDS` names a folder (see fuzz/README.md):
//!
//! ```text
//! PHOTOCAT_FUZZ_SEEDS=fuzz/corpus cargo test --features fuzzing --test fuzz_regressions seeds
//! ```

use std::path::{Path, PathBuf};

use photocat::__fuzz;

/// A target's check.
type Check = fn(&[u8]);

fn kept(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs kept for {target}");
    out
}

fn run(target: &str, check: Check) {
    for (path, bytes) in kept(target) {
        let r = std::panic::catch_unwind(|| check(&bytes));
        assert!(r.is_ok(), "{target} fails on {}", path.display());
    }
}

#[test]
fn probe_inputs() {
    run("probe", __fuzz::probe);
}

#[test]
fn stored_record_inputs() {
    run("stored_record", __fuzz::stored_record);
}

#[test]
fn new_asset_json_inputs() {
    run("new_asset_json", __fuzz::new_asset_json);
}

#[test]
fn datetime_inputs() {
    run("datetime", __fuzz::datetime);
}

#[test]
fn list_params_inputs() {
    run("list_params", __fuzz::list_params);
}

/// Every seed passes its check; with `PHOTOCAT_FUZZ_SEEDS=DIR` the seeds are written to
/// `DIR/<target>/`.
#[test]
fn seeds() {
    let out = std::env::var_os("PHOTOCAT_FUZZ_SEEDS").map(PathBuf::from);
    let photos = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/photos");
    let sets: [(&str, Vec<Vec<u8>>, Check); 5] = [
        ("probe", __fuzz::probe_seeds(&photos), __fuzz::probe),
        (
            "stored_record",
            __fuzz::stored_record_seeds(),
            __fuzz::stored_record,
        ),
        (
            "new_asset_json",
            __fuzz::new_asset_seeds(),
            __fuzz::new_asset_json,
        ),
        ("datetime", __fuzz::datetime_seeds(), __fuzz::datetime),
        (
            "list_params",
            __fuzz::list_params_seeds(),
            __fuzz::list_params,
        ),
    ];
    for (target, seeds, check) in sets {
        assert!(seeds.len() >= 5, "{target}: {} seeds", seeds.len());
        for (i, s) in seeds.iter().enumerate() {
            check(s);
            if let Some(dir) = &out {
                let dir = dir.join(target);
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(format!("seed_{i:03}")), s).unwrap();
            }
        }
    }
}
