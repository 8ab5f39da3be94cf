//! Writes the benchmark catalogue (`benches/common`, seed 42: the catalogue the criterion
//! benches build in a temporary folder) and its SQLite baseline to files, for measurements
//! outside Rust (`scripts/bench_arrow.py`).
//!
//! ```text
//! cargo run --profile bench --features sqlite-baseline --example bench_files -- \
//!     100000 target/bench-files/100000.redb target/bench-files/100000.sqlite
//! ```
//!
//! (`--profile bench` reuses the build of `cargo bench`: release with debug info.) The
//! catalogue has its libraries, assets (faces and people) and albums, compacted; the SQLite
//! file has `benches/common/sqlite.rs`'s schema, each asset's Gumnut JSON in
//! `assets.json` (faces in `faces`, people in `people`, album links in `album_assets`).
//! Neither path may exist yet.

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::Instant;

fn main() -> photocat::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench_files N CATALOGUE.redb BASELINE.sqlite";
    let n: usize = args.next().and_then(|v| v.parse().ok()).expect(usage);
    let cat_path = PathBuf::from(args.next().expect(usage));
    let sql_path = PathBuf::from(args.next().expect(usage));
    for p in [&cat_path, &sql_path] {
        assert!(!p.exists(), "{} exists; remove it first", p.display());
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).expect("create the folder");
        }
    }
    let data = common::generate(n, 42);
    let t = Instant::now();
    let mut cat = photocat::Catalog::open(&cat_path)?;
    common::load(&cat, &data, 50_000);
    cat.compact()?;
    eprintln!(
        "{}: {n} assets in {:.1} s, {:.1} MB",
        cat_path.display(),
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&cat_path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
    );
    let t = Instant::now();
    let sql = common::sqlite::Sqlite::build(&sql_path, &cat, &data);
    // Fold the WAL into the file, so the file alone is the baseline.
    sql.conn
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    drop(sql);
    eprintln!(
        "{}: built in {:.1} s, {:.1} MB",
        sql_path.display(),
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&sql_path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
    );
    Ok(())
}
