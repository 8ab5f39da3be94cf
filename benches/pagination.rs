//! Criterion benchmarks of pagination queries on a generated catalogue (see
//! `benches/common/mod.rs`). The catalogue is built once per run, in a file.
//!
//! ```text
//! cargo bench --bench pagination                       # N = 100,000
//! PHOTOCAT_BENCH_N=1000000 cargo bench --bench pagination
//! ```
//!
//! Besides criterion's timings, the run prints the bulk-load rate, the file size, and the
//! storage work (`Catalog::read_stats`) of each query.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use photocat::{AddAssets, Catalog, ListAssets};

struct Fixture {
    _dir: tempfile::TempDir,
    cat: Catalog,
    n: usize,
    cursor_10k: String,
}

fn n() -> usize {
    std::env::var("PHOTOCAT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let n = n();
        let data = common::generate(n, 42);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bench.redb");
        let cat = Catalog::open(&path).unwrap();
        let t = Instant::now();
        for chunk in data.assets.chunks(50_000) {
            cat.add_assets(chunk.to_vec(), AddAssets::default())
                .unwrap();
        }
        let assets_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        common::load_albums(&cat, &data);
        let albums_secs = t.elapsed().as_secs_f64();
        let size = std::fs::metadata(&path).unwrap().len();
        eprintln!(
            "catalogue: {n} assets loaded in {assets_secs:.2} s ({:.0} assets/s, all indexes), \
             albums linked in {albums_secs:.2} s, file {:.1} MB ({:.0} bytes/asset)",
            n as f64 / assets_secs,
            size as f64 / 1e6,
            size as f64 / n as f64
        );
        let depth = 10_000.min(n / 2);
        let cursor_10k = cat
            .iter_assets(ListAssets::default(), 200)
            .unwrap()
            .nth(depth - 1)
            .unwrap()
            .unwrap()
            .id;
        Fixture {
            _dir: dir,
            cat,
            n,
            cursor_10k,
        }
    })
}

fn queries(f: &Fixture) -> Vec<(&'static str, ListAssets)> {
    let base = ListAssets::default();
    vec![
        ("first_page_20", base.clone()),
        (
            "first_page_200",
            ListAssets {
                limit: 200,
                ..base.clone()
            },
        ),
        (
            "depth_10000_20",
            ListAssets {
                starting_after_id: Some(f.cursor_10k.clone()),
                ..base.clone()
            },
        ),
        (
            "album_largest_20",
            ListAssets {
                album_id: Some(common::album_id(0)),
                ..base.clone()
            },
        ),
        (
            "album_small_20",
            ListAssets {
                album_id: Some(common::album_id(1500)),
                ..base.clone()
            },
        ),
        (
            "person_largest_20",
            ListAssets {
                person_id: Some(common::person_id(0)),
                ..base.clone()
            },
        ),
        (
            "person_middle_20",
            ListAssets {
                person_id: Some(common::person_id(100)),
                ..base.clone()
            },
        ),
        (
            "album_and_person_20",
            ListAssets {
                album_id: Some(common::album_id(0)),
                person_id: Some(common::person_id(0)),
                ..base.clone()
            },
        ),
        (
            "naive_year_20",
            ListAssets {
                local_datetime_after: Some("2017-01-01T00:00:00".parse().unwrap()),
                local_datetime_before: Some("2018-01-01T00:00:00".parse().unwrap()),
                ..base.clone()
            },
        ),
        (
            "aware_year_20",
            ListAssets {
                local_datetime_after: Some("2017-01-01T00:00:00+01:00".parse().unwrap()),
                local_datetime_before: Some("2018-01-01T00:00:00+01:00".parse().unwrap()),
                ..base
            },
        ),
    ]
}

fn bench_pages(c: &mut Criterion) {
    let f = fixture();
    let mut g = c.benchmark_group(format!("list_assets/n={}", f.n));
    for (name, q) in queries(f) {
        let before = f.cat.read_stats();
        let page = f.cat.list_assets(&q).unwrap();
        eprintln!(
            "{name}: {} assets, {:?}",
            page.data.len(),
            f.cat.read_stats() - before
        );
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| f.cat.list_assets(&q).unwrap())
        });
    }
    let q = ListAssets::default();
    g.bench_function("first_page_20_json", |b| {
        b.iter(|| f.cat.list_assets(&q).unwrap().to_json())
    });
    g.bench_function("get_asset", |b| {
        b.iter(|| f.cat.get_asset(&f.cursor_10k).unwrap())
    });
    g.finish();
}

fn bench_bulk_load(c: &mut Criterion) {
    let batch = 10_000;
    let data = common::generate(batch, 7);
    let mut g = c.benchmark_group("add_assets");
    g.sample_size(10);
    g.throughput(Throughput::Elements(batch as u64));
    g.bench_function(BenchmarkId::new("bulk_into_new_file", batch), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().unwrap();
                let cat = Catalog::open(dir.path().join("load.redb")).unwrap();
                let records = data.assets.clone();
                let t = Instant::now();
                cat.add_assets(records, AddAssets::default()).unwrap();
                total += t.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench_pages, bench_bulk_load);
criterion_main!(benches);
