//! Loads the benchmark catalogue (`benches/common`, seed 42) and splits the time of the whole
//! catalogue as Arrow and as Parquet into parts: a target for profilers and the breakdown
//! behind BENCHMARKS.md's "Arrow and Parquet (issue 12)".
//!
//! ```text
//! cargo run --profile bench --features parquet --example profile_arrow -- 100000
//! ROUNDS=3 perf record -g target/release/examples/profile_arrow 100000
//! CATALOG=target/bench-files/100000.redb target/release/examples/profile_arrow 100000
//! ```
//!
//! Each round, over the three libraries with `state = all` (every asset once):
//! - `arrow_batches`: every batch (65,536 rows) collected;
//! - `iter_assets`: the same assets as `Asset` values, pages of 200, on one core (what the
//!   batches do before their builders, but on one core and without album ids);
//! - `BatchBuilder`: those assets appended to the Arrow builders and finished, 65,536 rows a
//!   batch, on one core (the sequential part of `arrow_batches`);
//! - `export_parquet` by month into a folder next to the catalogue (disk) and into /dev/shm
//!   (tmpfs, where `sync_all` costs nothing), and unpartitioned into /dev/shm.

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::Path;
use std::time::Instant;

use photocat::parquet::{ExportParquet, PartitionBy};
use photocat::views::arrow::{BatchBuilder, Row};
use photocat::{Catalog, ListAssets, State, DEFAULT_BATCH_SIZE};

fn queries(libraries: &[String]) -> Vec<ListAssets> {
    libraries
        .iter()
        .map(|l| ListAssets {
            library_id: Some(l.clone()),
            state: State::All,
            ..ListAssets::default()
        })
        .collect()
}

fn export(cat: &Catalog, qs: &[ListAssets], dir: &Path, by: PartitionBy) -> (f64, usize) {
    let t = Instant::now();
    let mut files = 0;
    for q in qs {
        let sub = dir.join(format!("library={}", q.library_id.as_deref().unwrap()));
        let opts = ExportParquet {
            query: q.clone(),
            partition_by: by,
            batch_size: DEFAULT_BATCH_SIZE,
        };
        files += cat.export_parquet(&sub, &opts, |_| {}).unwrap().len();
    }
    (t.elapsed().as_secs_f64(), files)
}

fn main() -> photocat::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rounds: u32 = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let only = std::env::var("ONLY").unwrap_or_default();
    let dir = tempfile::tempdir().unwrap();
    // CATALOG=FILE reads a catalogue written by `examples/bench_files.rs` for this N instead
    // of loading one (a profile then holds the reads only).
    let cat = match std::env::var_os("CATALOG") {
        Some(path) => Catalog::open(path)?,
        None => {
            let data = common::generate(n, 42);
            let mut cat = Catalog::open(dir.path().join("profile.redb"))?;
            common::load(&cat, &data, 50_000);
            cat.compact()?;
            cat
        }
    };
    let libraries: Vec<String> = cat.list_libraries()?.into_iter().map(|l| l.id).collect();
    let qs = queries(&libraries);
    let rate = |secs: f64| n as f64 / secs;
    eprintln!(
        "loaded {n} assets; rayon threads: {}",
        rayon::current_num_threads()
    );
    for round in 0..rounds {
        if only.is_empty() || only == "arrow" {
            let t = Instant::now();
            let mut rows = 0;
            for q in &qs {
                for b in cat.arrow_batches(q, DEFAULT_BATCH_SIZE)? {
                    rows += b.unwrap().num_rows();
                }
            }
            let s = t.elapsed().as_secs_f64();
            assert_eq!(rows, n);
            eprintln!(
                "round {round}: arrow_batches {s:.3} s ({:.0} rows/s)",
                rate(s)
            );
        }
        if only.is_empty() || only == "parts" {
            let t = Instant::now();
            let mut assets = Vec::with_capacity(n);
            for q in &qs {
                for a in cat.iter_assets(q.clone(), 200)? {
                    assets.push(a?);
                }
            }
            let s = t.elapsed().as_secs_f64();
            eprintln!(
                "round {round}: iter_assets (one core) {s:.3} s ({:.0} rows/s)",
                rate(s)
            );
            let t = Instant::now();
            let none: Vec<String> = Vec::new();
            for chunk in assets.chunks(DEFAULT_BATCH_SIZE) {
                let mut b = BatchBuilder::new(chunk.len());
                for asset in chunk {
                    b.append(&Row {
                        asset,
                        album_ids: &none,
                    })
                    .unwrap();
                }
                std::hint::black_box(b.finish().unwrap());
            }
            let s = t.elapsed().as_secs_f64();
            eprintln!(
                "round {round}: BatchBuilder (one core) {s:.3} s ({:.0} rows/s)",
                rate(s)
            );
        }
        if only.is_empty() || only == "parquet" {
            let disk = tempfile::tempdir_in(dir.path()).unwrap();
            let (s, files) = export(&cat, &qs, disk.path(), PartitionBy::Month);
            eprintln!(
                "round {round}: export_parquet month, disk: {files} files, {s:.3} s ({:.0} rows/s)",
                rate(s)
            );
            if Path::new("/dev/shm").is_dir() {
                let shm = tempfile::tempdir_in("/dev/shm").unwrap();
                let (s, files) = export(&cat, &qs, shm.path(), PartitionBy::Month);
                eprintln!(
                    "round {round}: export_parquet month, tmpfs: {files} files, {s:.3} s ({:.0} rows/s)",
                    rate(s)
                );
                let shm = tempfile::tempdir_in("/dev/shm").unwrap();
                let (s, files) = export(&cat, &qs, shm.path(), PartitionBy::None);
                eprintln!(
                    "round {round}: export_parquet none, tmpfs: {files} files, {s:.3} s ({:.0} rows/s)",
                    rate(s)
                );
            }
        }
    }
    Ok(())
}
