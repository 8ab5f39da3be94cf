//! Bulk-loads a generated catalogue into new files, one `add_assets` call per batch: a target
//! for profilers and the before/after figures of BENCHMARKS.md (issue 14, bulk load).
//!
//! ```text
//! TMPDIR=target/tmp cargo run --release --example profile_bulk -- 100000
//! MODES=assets,summary ROUNDS=3 BATCH=50000 ...   # the calls to time, alternated per round
//! MODES=none ...                                  # generate and copy the batches only
//! ```
//!
//! Modes: `assets` is `add_assets` (the public `Asset`s built and dropped), `summary` is
//! `add_assets_summary` (counts only), `none` writes nothing (the baseline to subtract from
//! a callgrind count of the others). Each round loads a new file with each mode in turn; the
//! rate of every round is printed, then each mode's best. `VERIFY=1` checks each file.

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

fn main() -> photocat::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let batch = env("BATCH", 50_000);
    let rounds = env("ROUNDS", 1);
    let modes: Vec<String> = std::env::var("MODES")
        .unwrap_or_else(|_| "assets".into())
        .split(',')
        .map(str::to_owned)
        .collect();
    let data = common::generate(n, 42);
    let mut best = vec![f64::INFINITY; modes.len()];
    for round in 0..rounds {
        for (m, mode) in modes.iter().enumerate() {
            let dir = tempfile::tempdir()?;
            let cat = photocat::Catalog::open(dir.path().join("bulk.redb"))?;
            common::load_libraries(&cat, &data);
            let mut secs = 0.0;
            for (opts, chunk) in data.batches(batch) {
                let records = chunk.to_vec();
                let t = Instant::now();
                match mode.as_str() {
                    "assets" => drop(std::hint::black_box(cat.add_assets(records, opts)?)),
                    "summary" => {
                        std::hint::black_box(cat.add_assets_summary(records, opts)?);
                    }
                    "none" => drop(std::hint::black_box(records)),
                    other => panic!("unknown mode {other:?}"),
                }
                secs += t.elapsed().as_secs_f64();
            }
            if std::env::var_os("VERIFY").is_some() {
                let report = cat.verify()?;
                assert!(report.is_ok(), "{report}");
            }
            best[m] = best[m].min(secs);
            eprintln!(
                "round {round} {mode}: {n} assets in {secs:.2} s ({:.0} assets/s)",
                n as f64 / secs
            );
        }
    }
    for (mode, secs) in modes.iter().zip(&best) {
        eprintln!(
            "best {mode}: {secs:.2} s ({:.0} assets/s, batches of {batch})",
            n as f64 / secs
        );
    }
    Ok(())
}
