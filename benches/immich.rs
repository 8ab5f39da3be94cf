//! Criterion benchmarks of the Immich-style reads (issue 11), photocat and a SQLite baseline
//! side by side, on the generated catalogue of `benches/common` (seed 42; owners `user_0` with
//! 80% of the assets in two libraries and `user_1` with 20%, three devices each, a SHA-1 per
//! asset), built once per run. Every query names the largest owner (`user_0`), except
//! `check_checksums` (owner None, as in `pagination`'s row) and `random_100`'s
//! `photocat_all_owners`.
//!
//! ```text
//! PHOTOCAT_BENCH_N=1000000 cargo bench --features sqlite-baseline --bench immich -- \
//!     --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Rows (before timing, each asserts that both engines give the same answer):
//! * `get_all_skip_<0.475 N>_take_1000` and `get_all_take_1000`: `Catalog::get_all_assets` as
//!   is (the page, its Immich JSON array body and its ETag) against SQLite's `ORDER BY
//!   file_created_at DESC, id DESC LIMIT 1000 OFFSET skip` over a partial index on `(owner,
//!   file_created_at DESC, id DESC)`, the rows' stored Immich JSON joined into the same body
//!   and the same ETag computed (the bodies are asserted byte-identical);
//!   `photocat_json` is `Catalog::get_all_assets_json` on the same query: the same body and
//!   ETag (asserted), written from the stored records without building the `Asset`s;
//! * `get_all_skip_<0.475 N>_take_1000_updated_before`: the same deep page with
//!   `updated_before` set (far in the future, so it excludes nothing), as Immich's mobile
//!   client sends it while it pages with `skip`; SQLite adds `updated_at <= ?`;
//! * `random_100`: `random_assets(100)` of the owner (and of all owners) against 100 random
//!   rowids (rejection sampling) and `ORDER BY random() LIMIT 100` over a covering partial
//!   index;
//! * `check_checksums_1000`: 1,000 base64 SHA-1s spread over the owner's assets, owner None;
//! * `existing_device_asset_ids_1000`: 1,000 device asset ids of the owner's main device (900
//!   of that device, 100 of another device of the same owner, so not found) against one
//!   `IN (...)` query over an index on `(owner, device_id, device_asset_id)`.
//!
//! The setup prints each photocat call's storage work (`Catalog::read_stats`) and asserts that
//! the deep `get_all_assets` page steps at most 5,000 index entries. `PHOTOCAT_BENCH_N` must be
//! at least 3,100, so that the deep page is a full page of 1,000.

mod common;

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Instant;

use common::sqlite_immich::SqliteImmich;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use photocat::{Catalog, DateTimeInput, GetAllAssets, RandomAssets};

struct Fixture {
    /// The temporary folder of the catalogue and the SQLite file (removed by [`cleanup`]).
    dir: tempfile::TempDir,
    cat: Catalog,
    /// rusqlite connections are not `Sync`; the bench is single-threaded, the lock uncontended.
    sql: std::sync::Mutex<SqliteImmich>,
    n: usize,
    /// The largest owner.
    owner: String,
    /// 1,000 base64 SHA-1 checksums of assets spread over the owner's assets.
    checksums: Vec<String>,
    /// The owner's main device and 1,000 device asset ids to look up on it.
    device: String,
    device_ids: Vec<String>,
    /// The device asset ids among `device_ids` that are on `device`, in order.
    device_found: Vec<String>,
}

/// The smallest catalogue whose deep page is a full page: 0.8 N − 0.475 N ≥ 1,000.
const MIN_N: usize = 3_100;

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let n = common::bench_n();
        // The deep page skips 0.475 N of the owner's 0.8 N assets and must find 1,000 more.
        assert!(
            n >= MIN_N,
            "the immich bench needs PHOTOCAT_BENCH_N >= {MIN_N} (it is {n}): its deep page skips \
             0.475 N of the largest owner's 0.8 N assets and takes a full 1,000"
        );
        let data = common::generate(n, 42);
        let (dir, path, mut cat, secs) = common::load_new_file(&data, "bench.redb");
        let size = std::fs::metadata(&path).unwrap().len();
        let t = Instant::now();
        cat.compact().unwrap();
        let compact_secs = t.elapsed().as_secs_f64();
        let compacted = std::fs::metadata(&path).unwrap().len();
        eprintln!(
            "photocat: {n} assets in {} libraries in {secs:.1} s ({:.0} assets/s, every index, \
             faces and people; no albums); file {:.1} MB, {:.1} MB after compact() \
             ({compact_secs:.1} s, {:.0} bytes/asset)",
            data.libraries.len(),
            n as f64 / secs,
            size as f64 / 1e6,
            compacted as f64 / 1e6,
            compacted as f64 / n as f64
        );
        let sql_path = dir.path().join("bench.sqlite");
        let t = Instant::now();
        drop(SqliteImmich::build(&sql_path, &cat, &data));
        let sql_secs = t.elapsed().as_secs_f64();
        let sql_size: u64 = ["bench.sqlite", "bench.sqlite-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
            .map(|m| m.len())
            .sum();
        eprintln!(
            "sqlite: built in {sql_secs:.1} s (reading each asset from photocat); file {:.1} MB",
            sql_size as f64 / 1e6
        );
        let sql = SqliteImmich::open(&sql_path);

        let (owner, owned) = data.largest_owner();
        eprintln!(
            "owner {owner}: {} of {n} assets ({:.0}%)",
            owned.len(),
            100.0 * owned.len() as f64 / n.max(1) as f64
        );
        let checksums = (0..1000)
            .map(|i| {
                let rec = &data.assets[owned[i * owned.len() / 1000]];
                rec.checksum_sha1.clone().expect("generated with a SHA-1")
            })
            .collect();
        let on = |dev: &str| -> Vec<String> {
            owned
                .iter()
                .map(|&i| &data.assets[i])
                .filter(|r| r.device_id.as_deref() == Some(dev))
                .map(|r| r.device_asset_id.clone().unwrap())
                .collect()
        };
        let u = owner["user_".len()..].parse().unwrap();
        let device = common::device_id(u, 0);
        let (main, other) = (on(&device), on(&common::device_id(u, 1)));
        let mut device_ids = Vec::with_capacity(1000);
        let mut device_found = Vec::new();
        for i in 0..1000 {
            if i % 10 == 9 {
                device_ids.push(other[i * other.len() / 1000].clone());
            } else {
                let id = main[i * main.len() / 1000].clone();
                device_found.push(id.clone());
                device_ids.push(id);
            }
        }
        Fixture {
            dir,
            cat,
            sql: std::sync::Mutex::new(sql),
            n,
            owner,
            checksums,
            device,
            device_ids,
            device_found,
        }
    })
}

fn bench_get_all(c: &mut Criterion) {
    let f = fixture();
    let skip = (f.n as u64) * 475 / 1000;
    // Immich's mobile client pages with `skip` and pins `updated_before` to the time its sync
    // started; a bound far in the future excludes nothing here.
    let before: DateTimeInput = "2100-01-01T00:00:00+00:00".parse().unwrap();
    let before_micros = 4_102_444_800_000_000;
    for (name, skip, bounded) in [
        (format!("get_all_skip_{skip}_take_1000"), skip, false),
        ("get_all_take_1000".to_owned(), 0, false),
        (
            format!("get_all_skip_{skip}_take_1000_updated_before"),
            skip,
            true,
        ),
    ] {
        let q = GetAllAssets {
            owner_id: Some(f.owner.clone()),
            skip,
            take: Some(1000),
            updated_before: bounded.then_some(before),
            ..GetAllAssets::default()
        };
        let sql_before = bounded.then_some(before_micros);
        let stats = f.cat.read_stats();
        let ours = f.cat.get_all_assets(&q).unwrap();
        let work = f.cat.read_stats() - stats;
        let theirs = f
            .sql
            .lock()
            .unwrap()
            .get_all(&f.owner, skip, 1000, sql_before);
        let ids: Vec<String> = ours.assets.iter().map(|a| a.id.clone()).collect();
        assert_eq!(ids.len(), 1000, "{name}: a full page");
        assert_eq!(ids, theirs.ids, "{name}: photocat and SQLite disagree");
        assert!(ours.body == theirs.body, "{name}: the bodies differ");
        assert_eq!(ours.etag, theirs.etag, "{name}: the ETags differ");
        assert!(!ours.not_modified);
        let again = f
            .cat
            .get_all_assets(&GetAllAssets {
                if_none_match: Some(format!("W/{}", ours.etag)),
                ..q.clone()
            })
            .unwrap();
        assert!(again.not_modified && again.assets.is_empty() && again.body.is_empty());
        let json = f.cat.get_all_assets_json(&q).unwrap();
        assert!(json.body == ours.body, "{name}: the JSON-only body differs");
        assert_eq!(json.etag, ours.etag, "{name}: the JSON-only ETag differs");
        eprintln!(
            "{name}: {} assets, {} bytes, etag {}, {work:?}",
            ids.len(),
            ours.body.len(),
            ours.etag
        );
        if skip > 0 && !bounded {
            // Read-stats proof: a deep page costs the page, not the skip.
            assert!(
                work.index_entries <= 5_000,
                "{name} stepped {} index entries",
                work.index_entries
            );
            eprintln!(
                "read-stats proof: get_all_assets(owner={}, skip={skip}, take=1000) stepped {} \
                 index entries (<= 5,000), read {} records, {} seeks",
                f.owner, work.index_entries, work.records, work.seeks
            );
        }
        let mut g = c.benchmark_group(format!("{name}/n={}", f.n));
        g.throughput(Throughput::Elements(1000));
        if bounded {
            // Both engines pass over `skip` entries one by one: few samples.
            g.sample_size(10);
        }
        g.bench_function("photocat", |b| b.iter(|| f.cat.get_all_assets(&q).unwrap()));
        g.bench_function("photocat_json", |b| {
            b.iter(|| f.cat.get_all_assets_json(&q).unwrap())
        });
        let sql = f.sql.lock().unwrap();
        g.bench_function("sqlite", |b| {
            b.iter(|| sql.get_all(&f.owner, skip, 1000, sql_before))
        });
        drop(sql);
        g.finish();
    }
}

fn bench_random(c: &mut Criterion) {
    let f = fixture();
    let q = RandomAssets {
        count: 100,
        owner_id: Some(f.owner.clone()),
        seed: None,
    };
    let all = RandomAssets {
        owner_id: None,
        ..q.clone()
    };
    let sql = f.sql.lock().unwrap();
    let eligible = sql.eligible_for_random(&f.owner);
    let mut rng = common::Rng::new(7);
    let before = f.cat.read_stats();
    let ours = f.cat.random_assets(&q).unwrap();
    let work = f.cat.read_stats() - before;
    let by_rowid = sql.random_by_rowid(&f.owner, 100, &mut rng);
    let by_order = sql.random_order_by(&f.owner, 100);
    for (engine, ids) in [
        (
            "photocat",
            ours.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
        ),
        (
            "sqlite_rowid",
            by_rowid.iter().map(|r| r.0.clone()).collect(),
        ),
        (
            "sqlite_order_by_random",
            by_order.iter().map(|r| r.0.clone()).collect(),
        ),
    ] {
        let distinct: HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), 100, "{engine}: 100 distinct assets");
        assert!(
            ids.iter().all(|i| eligible.contains(i)),
            "{engine}: an ineligible asset"
        );
    }
    drop(eligible);
    assert_eq!(f.cat.random_assets(&all).unwrap().len(), 100);
    eprintln!("random_100: 100 assets, {work:?}");
    let mut g = c.benchmark_group(format!("random_100/n={}", f.n));
    g.throughput(Throughput::Elements(100));
    g.bench_function("photocat", |b| b.iter(|| f.cat.random_assets(&q).unwrap()));
    g.bench_function("photocat_all_owners", |b| {
        b.iter(|| f.cat.random_assets(&all).unwrap())
    });
    g.bench_function("sqlite_rowid", |b| {
        b.iter(|| sql.random_by_rowid(&f.owner, 100, &mut rng))
    });
    g.finish();
    // A full scan of the owner's eligible rows per call: few samples.
    let mut g = c.benchmark_group(format!("random_100_order_by_random/n={}", f.n));
    g.sample_size(10);
    g.bench_function("sqlite", |b| b.iter(|| sql.random_order_by(&f.owner, 100)));
    g.finish();
}

fn bench_checksums(c: &mut Criterion) {
    let f = fixture();
    let before = f.cat.read_stats();
    let found = f.cat.check_checksums(&f.checksums, None).unwrap();
    let work = f.cat.read_stats() - before;
    let ours: Vec<Option<(String, bool)>> = found
        .into_iter()
        .map(|m| m.asset_id.map(|id| (id, m.is_trashed)))
        .collect();
    assert!(ours.iter().all(Option::is_some), "every checksum exists");
    let sql = f.sql.lock().unwrap();
    assert_eq!(
        ours,
        sql.check_checksums(&f.checksums),
        "check_checksums: photocat and SQLite disagree"
    );
    eprintln!("check_checksums_1000: {} found, {work:?}", ours.len());
    let mut g = c.benchmark_group(format!("check_checksums_1000/n={}", f.n));
    g.throughput(Throughput::Elements(f.checksums.len() as u64));
    g.bench_function("photocat", |b| {
        b.iter(|| f.cat.check_checksums(&f.checksums, None).unwrap())
    });
    g.bench_function("sqlite", |b| b.iter(|| sql.check_checksums(&f.checksums)));
    g.finish();
}

fn bench_device_ids(c: &mut Criterion) {
    let f = fixture();
    let owner = Some(f.owner.as_str());
    let before = f.cat.read_stats();
    let ours = f
        .cat
        .existing_device_asset_ids(&f.device, &f.device_ids, owner)
        .unwrap();
    let work = f.cat.read_stats() - before;
    assert_eq!(ours, f.device_found, "existing_device_asset_ids");
    let sql = f.sql.lock().unwrap();
    assert_eq!(
        sql.existing_device_asset_ids(&f.device, &f.device_ids, &f.owner),
        ours,
        "existing_device_asset_ids: photocat and SQLite disagree"
    );
    eprintln!(
        "existing_device_asset_ids_1000: {} found, {work:?}",
        ours.len()
    );
    let mut g = c.benchmark_group(format!("existing_device_asset_ids_1000/n={}", f.n));
    g.throughput(Throughput::Elements(f.device_ids.len() as u64));
    g.bench_function("photocat", |b| {
        b.iter(|| {
            f.cat
                .existing_device_asset_ids(&f.device, &f.device_ids, owner)
                .unwrap()
        })
    });
    g.bench_function("sqlite", |b| {
        b.iter(|| sql.existing_device_asset_ids(&f.device, &f.device_ids, &f.owner))
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_get_all,
    bench_random,
    bench_checksums,
    bench_device_ids,
    cleanup
);
/// Removes the fixture's files: it lives in a static, which is never dropped, so its temporary
/// folder (gigabytes at 10^6) would otherwise outlive every run. Runs last in the group.
fn cleanup(_: &mut Criterion) {
    if let Some(f) = FIXTURE.get() {
        std::fs::remove_dir_all(f.dir.path()).unwrap();
    }
}

criterion_main!(benches);
