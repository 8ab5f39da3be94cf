//! Loads a generated catalogue (`benches/common`, seed 42) and runs the Immich reads in loops:
//! a target for profilers, a breakdown of `get_all_assets`' time, and the read-stats proof of
//! deep pages.
//!
//! ```text
//! cargo run --release --example profile_immich -- 1000000          # N, default 30,000
//! ROUNDS=1 valgrind --tool=callgrind target/release/examples/profile_immich 30000
//! ```
//!
//! For `get_all_assets(owner = the largest owner, skip = 0.475 N, take = 1,000)` it prints the
//! call's time, then the time of the parts done again outside it: writing the same assets'
//! Immich JSON array (`to_immich_json_array`) and hashing that body (SHA-1, as the ETag does);
//! the rest of the call is finding and materialising the records; then the time of
//! `get_all_assets_json` on the same query (the body without the `Asset`s). It asserts that the call
//! steps at most 5,000 index entries (`Catalog::read_stats`), whatever N.

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Instant;

use photocat::views::immich::to_immich_json_array;
use photocat::{GetAllAssets, RandomAssets};

fn per_call(rounds: u32, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..rounds {
        f();
    }
    t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds.max(1))
}

fn main() -> photocat::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    let rounds: u32 = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let data = common::generate(n, 42);
    let (_dir, path, cat, secs) = common::load_new_file(&data, "profile.redb");
    eprintln!(
        "load: {n} assets in {secs:.1} s, file {:.1} MB",
        std::fs::metadata(&path)?.len() as f64 / 1e6
    );
    let (owner, owned) = data.largest_owner();
    let checksums: Vec<String> = (0..1000)
        .map(|i| {
            data.assets[owned[i * owned.len() / 1000]]
                .checksum_sha1
                .clone()
                .expect("a SHA-1")
        })
        .collect();
    drop(data);

    let skip = n as u64 * 475 / 1000;
    let q = GetAllAssets {
        owner_id: Some(owner.clone()),
        skip,
        take: Some(1000),
        ..GetAllAssets::default()
    };
    let before = cat.read_stats();
    let page = cat.get_all_assets(&q)?;
    let work = cat.read_stats() - before;
    println!(
        "read stats: get_all_assets(owner={owner}, skip={skip}, take=1000) over {n} assets: \
         {} index entries, {} records, {} seeks; {} assets, {} bytes, etag {}",
        work.index_entries,
        work.records,
        work.seeks,
        page.assets.len(),
        page.body.len(),
        page.etag
    );
    assert!(
        work.index_entries <= 5_000,
        "a deep page stepped {} index entries",
        work.index_entries
    );
    let call = per_call(rounds, || {
        black_box(cat.get_all_assets(&q).unwrap());
    });
    let json_only = per_call(rounds, || {
        black_box(cat.get_all_assets_json(&q).unwrap());
    });
    let json = per_call(rounds, || {
        black_box(to_immich_json_array(&page.assets));
    });
    let sha1 = per_call(rounds, || {
        use sha1::Digest;
        black_box(sha1::Sha1::digest(&page.body));
    });
    println!(
        "get_all_assets: {call:.0} µs per call; of which, timed apart: JSON {json:.0} µs, \
         SHA-1 {sha1:.0} µs, the rest (index, records) {:.0} µs",
        call - json - sha1
    );
    println!(
        "get_all_assets_json (the same body and ETag, no Asset built): {json_only:.0} µs per call"
    );
    let r = RandomAssets {
        count: 100,
        owner_id: Some(owner.clone()),
        seed: None,
    };
    let before = cat.read_stats();
    black_box(cat.random_assets(&r)?);
    let work = cat.read_stats() - before;
    let random = per_call(rounds * 10, || {
        black_box(cat.random_assets(&r).unwrap());
    });
    println!("random_assets(100): {random:.0} µs per call, {work:?}");
    let checks = per_call(rounds * 10, || {
        black_box(cat.check_checksums(&checksums, None).unwrap());
    });
    println!("check_checksums(1,000): {checks:.0} µs per call");
    Ok(())
}
