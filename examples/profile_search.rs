//! Runs the search and time-bucket queries of `benches/search.rs` in a loop: a target for
//! profilers.
//!
//! ```text
//! cargo run --profile bench --example profile_search -- 1000000
//! CATALOG=target/bench-files/1000000.redb QUERY=file_name_20 ROUNDS=200 \
//!     perf record --call-graph dwarf target/release/examples/profile_search 1000000
//! ```
//!
//! `CATALOG=FILE` opens a catalogue written by `examples/bench_files.rs` for the same N
//! (seed 42) instead of loading a new one into a temporary folder; the dataset is generated
//! either way, to pick the queries' album and people. `QUERY=NAME` runs one query (default:
//! each in turn), `ROUNDS` times (default 100). Prints the time per call and the storage work
//! of one.

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::Instant;

use common::search_cases::{bucket_cases, search_cases, Targets};

fn main() -> photocat::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rounds: u32 = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let only = std::env::var("QUERY").ok();
    let data = common::generate(n, 42);
    let targets = Targets::of(&data);
    drop(data);
    let (_dir, cat) = match std::env::var_os("CATALOG") {
        Some(path) => (None, photocat::Catalog::open(path)?),
        None => {
            let data = common::generate(n, 42);
            let (dir, _, mut cat, secs) = common::load_new_file(&data, "profile.redb");
            common::load_albums(&cat, &data);
            cat.compact()?;
            eprintln!("loaded {n} assets in {secs:.1} s");
            (Some(dir), cat)
        }
    };
    eprintln!("{targets:?}");
    let wanted = |name: &str| only.as_deref().is_none_or(|q| q == name);
    for (name, q) in bucket_cases(&targets) {
        if !wanted(name) {
            continue;
        }
        let before = cat.read_stats();
        let buckets = cat.time_buckets(&q)?;
        let work = cat.read_stats() - before;
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(cat.time_buckets(&q)?);
        }
        eprintln!(
            "{name}: {:.1} µs per call; {} buckets; {work:?}",
            t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds.max(1)),
            buckets.len()
        );
    }
    for (name, q) in search_cases(&targets) {
        if !wanted(name) {
            continue;
        }
        let before = cat.read_stats();
        let page = cat.search_assets(&q)?;
        let work = cat.read_stats() - before;
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(cat.search_assets(&q)?);
        }
        eprintln!(
            "{name}: {:.1} µs per call (records); {} assets of {}; {work:?}",
            t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds.max(1)),
            page.data.len(),
            page.total
        );
    }
    Ok(())
}
