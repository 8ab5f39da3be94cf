//! Criterion benchmarks of `search_assets` and `time_buckets` (issue 13): photocat and a SQLite
//! baseline (`benches/common/sqlite_search.rs`) side by side in one group per query, on the
//! generated catalogue of the pagination benchmarks (`benches/common`, seed 42), built once
//! per run. Every query names the main (largest) library; its albums and people are picked
//! within it. Before timing, each query asserts that both engines give the same buckets, or
//! the same page ids, `has_more` and exact total.
//!
//! ```text
//! cargo bench --features sqlite-baseline --bench search                 # N = 100,000
//! PHOTOCAT_BENCH_N=1000000 cargo bench --features sqlite-baseline --bench search
//! ```
//!
//! Rows: `photocat` is the call + `to_json` for searches (complete records as Gumnut JSON with
//! `page`, `has_more` and `total`, as the SQLite side writes), the call alone for buckets;
//! `photocat_records` is `search_assets` alone (complete `Asset` values). `sqlite` is the
//! page query + `SELECT count(*)` (searches) or the grouped count (buckets);
//! `sqlite_strftime` groups by `strftime` of each row's `local_datetime` (buckets of the
//! library by month); `sqlite_fts` answers substrings through the FTS5 trigram index.
//! The run prints load rates, file sizes, each query's result size, photocat's storage work
//! and SQLite's plan.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::search_cases::{bucket_cases, search_cases, Targets};
use common::sqlite::Sqlite;
use common::sqlite_search::{Buckets, Search, Text};
use criterion::{criterion_group, criterion_main, Criterion};
use photocat::model::time::naive_micros;
use photocat::{Catalog, DateTimeInput, SearchAssets};

struct Fixture {
    /// The temporary folder of both files (removed by [`cleanup`]).
    dir: tempfile::TempDir,
    cat: Catalog,
    /// rusqlite connections are not `Sync`; the bench is single-threaded, the lock uncontended.
    sql: std::sync::Mutex<Sqlite>,
    n: usize,
    /// What the queries name, in the main library.
    targets: Targets,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let n = common::bench_n();
        let data = common::generate(n, 42);
        let (dir, path, mut cat, secs) = common::load_new_file(&data, "bench.redb");
        let t = Instant::now();
        common::load_albums(&cat, &data);
        let album_secs = t.elapsed().as_secs_f64();
        let size = std::fs::metadata(&path).unwrap().len();
        let t = Instant::now();
        cat.compact().unwrap();
        let compact_secs = t.elapsed().as_secs_f64();
        let compacted = std::fs::metadata(&path).unwrap().len();
        eprintln!(
            "photocat: {n} assets in {} libraries in {secs:.1} s ({:.0} assets/s, all indexes, \
             faces and people), 2,000 albums linked in {album_secs:.1} s; file {:.1} MB ({:.0} bytes/asset), \
             {:.1} MB after compact() ({compact_secs:.1} s, {:.0} bytes/asset)",
            data.libraries.len(),
            n as f64 / secs,
            size as f64 / 1e6,
            size as f64 / n as f64,
            compacted as f64 / 1e6,
            compacted as f64 / n as f64
        );
        let sql_path = dir.path().join("bench.sqlite");
        let t = Instant::now();
        let sql = Sqlite::build_with(&sql_path, &cat, &data, true);
        let sql_secs = t.elapsed().as_secs_f64();
        sql.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        drop(sql);
        let sql_size = std::fs::metadata(&sql_path).unwrap().len();
        eprintln!(
            "sqlite: built in {sql_secs:.1} s ({:.0} assets/s incl. reading them from photocat, \
             the search indexes and the FTS5 trigram index); file {:.1} MB",
            n as f64 / sql_secs,
            sql_size as f64 / 1e6
        );
        let sql = Sqlite::open(&sql_path);
        let targets = Targets::of(&data);
        eprintln!(
            "main library: {} assets; largest album {} ({} members), largest person {} ({} \
             assets), rare person {} ({} assets)",
            data.main().assets.len(),
            targets.album_largest.0,
            targets.album_largest.1,
            targets.person_largest.0,
            targets.person_largest.1,
            targets.person_rare.0,
            targets.person_rare.1,
        );
        Fixture {
            dir,
            cat,
            sql: std::sync::Mutex::new(sql),
            n,
            targets,
        }
    })
}

/// The SQLite form of a search.
fn sql_search(q: &SearchAssets) -> Search {
    let one = |v: &Option<Vec<String>>| {
        v.as_ref().map(|v| {
            assert_eq!(v.len(), 1, "the baseline takes one album and one person");
            v[0].clone()
        })
    };
    let bound = |b: Option<DateTimeInput>| {
        b.map(|b| {
            assert!(b.offset.is_none(), "the baseline takes naive bounds");
            naive_micros(b.naive)
        })
    };
    Search {
        library: q
            .library_id
            .clone()
            .expect("every bench query names its library"),
        person: one(&q.person_ids),
        album: one(&q.album_ids),
        make: q.make.clone(),
        city: q.city.clone(),
        favorite: q.is_favorite,
        naive_after: bound(q.captured_after),
        naive_before: bound(q.captured_before),
        file_name: q.original_file_name.clone(),
        description: q.description.clone(),
        text: Text::Scan,
        page: q.page,
        limit: q.limit,
    }
}

/// Criterion needs at least 10 samples; a query that takes tens of milliseconds gets 10, so
/// that a group takes seconds, not minutes.
fn sample_size(slowest: Duration) -> usize {
    if slowest > Duration::from_millis(20) {
        10
    } else {
        100
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

fn bench_buckets(c: &mut Criterion) {
    let f = fixture();
    for (name, q) in bucket_cases(&f.targets) {
        let s = Buckets {
            library: f.targets.library.clone(),
            album: q.album_id.clone(),
            person: q.person_id.clone(),
            size: q.size.as_str(),
            per_row: false,
        };
        let before = f.cat.read_stats();
        let (ours, our_time) = timed(|| f.cat.time_buckets(&q).unwrap());
        let work = f.cat.read_stats() - before;
        let ours: Vec<(String, u64)> = ours
            .iter()
            .map(|b| (b.start.to_string(), b.count))
            .collect();
        let sql = f.sql.lock().unwrap();
        let (theirs, sql_time) = timed(|| sql.buckets(&s));
        assert_eq!(ours, theirs, "{name}: photocat and SQLite disagree");
        let per_row = (name == "buckets_month_library").then(|| Buckets {
            per_row: true,
            ..s.clone()
        });
        let mut slowest = sql_time.max(our_time);
        if let Some(p) = &per_row {
            let (theirs, t) = timed(|| sql.buckets(p));
            assert_eq!(
                ours, theirs,
                "{name}: photocat and SQLite (strftime) disagree"
            );
            slowest = slowest.max(t);
        }
        drop(sql);
        eprintln!(
            "{name}: {} buckets, {} assets, {work:?}",
            ours.len(),
            ours.iter().map(|b| b.1).sum::<u64>()
        );
        let mut g = c.benchmark_group(format!("{name}/n={}", f.n));
        g.sample_size(sample_size(slowest));
        g.bench_function("photocat", |b| b.iter(|| f.cat.time_buckets(&q).unwrap()));
        let sql = f.sql.lock().unwrap();
        g.bench_function("sqlite", |b| b.iter(|| sql.buckets(&s)));
        if let Some(p) = &per_row {
            g.bench_function("sqlite_strftime", |b| b.iter(|| sql.buckets(p)));
        }
        drop(sql);
        g.finish();
    }
}

fn bench_search(c: &mut Criterion) {
    let f = fixture();
    for (name, q) in search_cases(&f.targets) {
        let s = sql_search(&q);
        let before = f.cat.read_stats();
        let (page, our_time) = timed(|| f.cat.search_assets(&q).unwrap());
        let work = f.cat.read_stats() - before;
        let ids: Vec<String> = page.data.iter().map(|a| a.id.clone()).collect();
        let sql = f.sql.lock().unwrap();
        let ((_, sql_ids, sql_more, sql_total), sql_time) = timed(|| sql.search(&s));
        assert_eq!(ids, sql_ids, "{name}: photocat and SQLite disagree");
        assert_eq!(page.has_more, sql_more, "{name}: has_more differs");
        assert_eq!(page.total, sql_total, "{name}: total differs");
        let fts = (q.original_file_name.is_some() || q.description.is_some()).then(|| Search {
            text: Text::Trigram,
            ..s.clone()
        });
        let mut slowest = sql_time.max(our_time);
        if let Some(t) = &fts {
            let ((_, fts_ids, fts_more, fts_total), time) = timed(|| sql.search(t));
            assert_eq!(
                (&ids, page.has_more, page.total),
                (&fts_ids, fts_more, fts_total),
                "{name}: photocat and SQLite (FTS5) disagree"
            );
            slowest = slowest.max(time);
            eprintln!("{name}: sqlite_fts plan: {}", sql.search_plan(t));
        }
        eprintln!("{name}: sqlite plan: {}", sql.search_plan(&s));
        drop(sql);
        eprintln!(
            "{name}: {} assets, total {}, {work:?}",
            ids.len(),
            page.total
        );
        let mut g = c.benchmark_group(format!("{name}/n={}", f.n));
        g.sample_size(sample_size(slowest));
        g.bench_function("photocat", |b| {
            b.iter(|| f.cat.search_assets(&q).unwrap().to_json())
        });
        g.bench_function("photocat_records", |b| {
            b.iter(|| f.cat.search_assets(&q).unwrap())
        });
        let sql = f.sql.lock().unwrap();
        g.bench_function("sqlite", |b| b.iter(|| sql.search(&s)));
        if let Some(t) = &fts {
            g.bench_function("sqlite_fts", |b| b.iter(|| sql.search(t)));
        }
        drop(sql);
        g.finish();
    }
}

/// Removes the catalogue and the SQLite file: the fixture lives in a static, which is never
/// dropped, so its temporary folder would outlive the run.
fn cleanup(_: &mut Criterion) {
    if let Some(f) = FIXTURE.get() {
        std::fs::remove_dir_all(f.dir.path()).unwrap();
    }
}

criterion_group!(benches, bench_buckets, bench_search, cleanup);
criterion_main!(benches);
