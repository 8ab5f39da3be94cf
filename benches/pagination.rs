//! Criterion benchmarks of pagination queries: photocat and a SQLite baseline side by side in
//! one group per query, on the same generated catalogue (`benches/common`), built once per run.
//! Before timing, each query asserts that both engines return the same ids and `has_more`.
//! The catalogue has three libraries (70%, 20% and 10% of the assets); every query names the
//! largest one, and its albums and people are picked within it.
//!
//! ```text
//! cargo bench --features sqlite-baseline --bench pagination                 # N = 100,000
//! PHOTOCAT_BENCH_N=1000000 cargo bench --features sqlite-baseline --bench pagination
//! ```
//!
//! `check_checksums_1000` looks up 1,000 existing SHA-1 checksums (base64) of the main library
//! at once: `Catalog::check_checksums` against one indexed SQLite query per checksum.
//!
//! `photocat_stored` is `list_assets_json` (complete records as Gumnut JSON bytes written
//! straight from the stored records, as the SQLite side produces JSON); `photocat` is
//! `list_assets` + `to_json` (the same bytes through owned `Asset`s); `photocat_records` is
//! `list_assets` alone (complete `Asset` values).
//! The run also prints load rates, file sizes and each query's storage work.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::sqlite::{Query, Sqlite};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use photocat::model::time::naive_micros;
use photocat::{AddAssets, Catalog, ListAssets};

struct Fixture {
    /// The temporary folder of the catalogue and the SQLite file (removed by [`cleanup`]).
    dir: tempfile::TempDir,
    cat: Catalog,
    /// rusqlite connections are not `Sync`; the bench is single-threaded, the lock uncontended.
    sql: std::sync::Mutex<Sqlite>,
    n: usize,
    /// The main (largest) library: its id and number of assets.
    library: String,
    library_assets: usize,
    /// Ids at depth 10,000 and 200,000 of the main library's live timeline.
    cursors: Vec<(usize, String)>,
    /// In the main library: its largest album, a small one (three quarters down the Zipf
    /// ranks), its largest person and a middle one (the 101st by assets).
    album_largest: String,
    album_small: String,
    person_largest: String,
    person_middle: String,
    /// 100 ids spread over the main library.
    ids: Vec<String>,
    /// 1,000 base64 SHA-1 checksums of assets spread over the main library.
    checksums: Vec<String>,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let n = common::bench_n();
        let data = common::generate(n, 42);
        if std::env::var("PHOTOCAT_BENCH_BUILD").as_deref() == Ok("user") {
            // The catalogue built the way a user builds one (see `common::load_user_build`),
            // not compacted: the pages below then run on it.
            let (dir, path, cat, took) = common::load_user_build(&data, "bench.redb");
            let size = std::fs::metadata(&path).unwrap().len();
            eprintln!(
                "photocat, user build: {}; file {:.1} MB ({:.0} bytes/asset)",
                took.describe(n),
                size as f64 / 1e6,
                size as f64 / n as f64
            );
            return finish(dir, cat, &data);
        }
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
        finish(dir, cat, &data)
    })
}

/// The SQLite baseline of the same dataset and the queries' parameters.
fn finish(dir: tempfile::TempDir, cat: Catalog, data: &common::Dataset) -> Fixture {
    let n = data.assets.len();
    let sql_path = dir.path().join("bench.sqlite");
    let t = Instant::now();
    let sql = Sqlite::build(&sql_path, &cat, data);
    let sql_secs = t.elapsed().as_secs_f64();
    drop(sql);
    let sql_size: u64 = ["bench.sqlite", "bench.sqlite-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len())
        .sum();
    eprintln!(
        "sqlite: built in {sql_secs:.1} s ({:.0} assets/s incl. reading them from photocat); \
         file {:.1} MB",
        n as f64 / sql_secs,
        sql_size as f64 / 1e6
    );
    let sql = Sqlite::open(&sql_path);
    let main = data.main();
    let library_assets = main.assets.len();
    let mut cursors = Vec::new();
    let all = ListAssets {
        library_id: Some(main.id.clone()),
        ..ListAssets::default()
    };
    let mut it = cat.iter_assets(all, 200).unwrap();
    let mut seen = 0;
    for depth in [10_000, 200_000] {
        if depth < library_assets * 9 / 10 {
            let a = it.nth(depth - seen - 1).unwrap().unwrap();
            seen = depth;
            cursors.push((depth, a.id));
        }
    }
    drop(it);
    let people = data.people_by_size(common::MAIN);
    let step = (library_assets / 100).max(1);
    let ids = (0..100.min(library_assets))
        .map(|i| common::asset_id(main.assets.start + i * step))
        .collect();
    let checksums = (0..1000)
        .map(|i| {
            let rec = &data.assets[main.assets.start + i * library_assets / 1000];
            rec.checksum_sha1.clone().expect("generated with a SHA-1")
        })
        .collect();
    Fixture {
        dir,
        cat,
        sql: std::sync::Mutex::new(sql),
        n,
        library: main.id.clone(),
        library_assets,
        cursors,
        album_largest: common::album_id(data.largest_album(common::MAIN)),
        album_small: common::album_id(main.albums.start + main.albums.len() * 3 / 4),
        person_largest: common::person_id(people[0].0),
        person_middle: common::person_id(people[100.min(people.len() - 1)].0),
        ids,
        checksums,
    }
}

/// The same query for both engines.
fn case(f: &Fixture, q: ListAssets) -> (ListAssets, Query) {
    let mut s = Query {
        library: q
            .library_id
            .clone()
            .expect("every bench query names its library"),
        album: q.album_id.clone(),
        person: q.person_id.clone(),
        ids: q.ids.clone(),
        limit: q.limit as usize,
        ..Query::default()
    };
    if let Some(id) = &q.starting_after_id {
        let a = f.cat.get_asset(id).unwrap();
        s.after = Some((naive_micros(a.local_datetime), a.id));
    }
    for (bound, naive, aware) in [
        (
            q.local_datetime_after,
            &mut s.naive_after,
            &mut s.aware_after,
        ),
        (
            q.local_datetime_before,
            &mut s.naive_before,
            &mut s.aware_before,
        ),
    ] {
        if let Some(b) = bound {
            let wall = naive_micros(b.naive);
            match b.offset {
                None => *naive = Some(wall),
                Some(o) => *aware = Some((wall - i64::from(o.local_minus_utc()) * 1_000_000, wall)),
            }
        }
    }
    (q, s)
}

fn queries(f: &Fixture) -> Vec<(String, ListAssets)> {
    let base = ListAssets {
        library_id: Some(f.library.clone()),
        ..ListAssets::default()
    };
    let mut v = vec![
        ("first_page_20".to_owned(), base.clone()),
        (
            "first_page_200".to_owned(),
            ListAssets {
                limit: 200,
                ..base.clone()
            },
        ),
    ];
    for (depth, id) in &f.cursors {
        v.push((
            format!("depth_{depth}_20"),
            ListAssets {
                starting_after_id: Some(id.clone()),
                ..base.clone()
            },
        ));
    }
    v.extend([
        (
            "album_largest_20".to_owned(),
            ListAssets {
                album_id: Some(f.album_largest.clone()),
                ..base.clone()
            },
        ),
        (
            "album_small_20".to_owned(),
            ListAssets {
                album_id: Some(f.album_small.clone()),
                ..base.clone()
            },
        ),
        (
            "person_largest_20".to_owned(),
            ListAssets {
                person_id: Some(f.person_largest.clone()),
                ..base.clone()
            },
        ),
        (
            "person_middle_20".to_owned(),
            ListAssets {
                person_id: Some(f.person_middle.clone()),
                ..base.clone()
            },
        ),
        (
            "album_and_person_20".to_owned(),
            ListAssets {
                album_id: Some(f.album_largest.clone()),
                person_id: Some(f.person_largest.clone()),
                ..base.clone()
            },
        ),
        (
            "naive_year_20".to_owned(),
            ListAssets {
                local_datetime_after: Some("2017-01-01T00:00:00".parse().unwrap()),
                local_datetime_before: Some("2018-01-01T00:00:00".parse().unwrap()),
                ..base.clone()
            },
        ),
        (
            "aware_year_20".to_owned(),
            ListAssets {
                local_datetime_after: Some("2017-01-01T00:00:00+01:00".parse().unwrap()),
                local_datetime_before: Some("2018-01-01T00:00:00+01:00".parse().unwrap()),
                ..base.clone()
            },
        ),
        (
            "ids_100".to_owned(),
            ListAssets {
                ids: Some(f.ids.clone()),
                limit: 200,
                ..base
            },
        ),
    ]);
    v
}

fn bench_pages(c: &mut Criterion) {
    let f = fixture();
    for (name, q) in queries(f) {
        let (q, s) = case(f, q);
        let before = f.cat.read_stats();
        let page = f.cat.list_assets(&q).unwrap();
        let work = f.cat.read_stats() - before;
        let (_, sql_ids, sql_more) = f.sql.lock().unwrap().page(&s);
        let ids: Vec<String> = page.data.iter().map(|a| a.id.clone()).collect();
        assert_eq!(ids, sql_ids, "{name}: photocat and SQLite disagree");
        assert_eq!(page.has_more, sql_more, "{name}: has_more differs");
        eprintln!("{name}: {} assets, {work:?}", ids.len());
        assert_eq!(f.cat.list_assets_json(&q).unwrap(), page.to_json());
        let mut g = c.benchmark_group(format!("{name}/n={}", f.n));
        g.bench_function("photocat_stored", |b| {
            b.iter(|| f.cat.list_assets_json(&q).unwrap())
        });
        g.bench_function("photocat", |b| {
            b.iter(|| f.cat.list_assets(&q).unwrap().to_json())
        });
        g.bench_function("photocat_records", |b| {
            b.iter(|| f.cat.list_assets(&q).unwrap())
        });
        let sql = f.sql.lock().unwrap();
        g.bench_function("sqlite", |b| b.iter(|| sql.page(&s)));
        drop(sql);
        g.finish();
    }
    let id = common::asset_id(f.library_assets / 2);
    let mut g = c.benchmark_group(format!("get_asset/n={}", f.n));
    g.bench_function("photocat_stored", |b| {
        b.iter(|| f.cat.get_asset_json(&id).unwrap())
    });
    g.bench_function("photocat", |b| {
        b.iter(|| f.cat.get_asset(&id).unwrap().to_json())
    });
    let sql = f.sql.lock().unwrap();
    g.bench_function("sqlite", |b| b.iter(|| sql.get(&id)));
    drop(sql);
    g.finish();
    let page = f
        .cat
        .list_assets(&ListAssets {
            library_id: Some(f.library.clone()),
            ..ListAssets::default()
        })
        .unwrap();
    c.bench_function(&format!("page_20_to_json/n={}", f.n), |b| {
        b.iter(|| page.to_json())
    });
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
    let sql_found = f.sql.lock().unwrap().check_checksums(&f.checksums);
    assert_eq!(
        ours, sql_found,
        "check_checksums: photocat and SQLite disagree"
    );
    eprintln!("check_checksums_1000: {} found, {work:?}", ours.len());
    let mut g = c.benchmark_group(format!("check_checksums_1000/n={}", f.n));
    g.throughput(Throughput::Elements(f.checksums.len() as u64));
    g.bench_function("photocat", |b| {
        b.iter(|| f.cat.check_checksums(&f.checksums, None).unwrap())
    });
    let sql = f.sql.lock().unwrap();
    g.bench_function("sqlite", |b| b.iter(|| sql.check_checksums(&f.checksums)));
    drop(sql);
    g.finish();
}

fn bench_full_walk(c: &mut Criterion) {
    let f = fixture();
    if f.n > 100_000 {
        return;
    }
    let mut g = c.benchmark_group(format!("full_walk_limit_200/n={}", f.n));
    g.sample_size(10);
    g.throughput(Throughput::Elements(f.library_assets as u64));
    g.bench_function("photocat", |b| {
        b.iter(|| {
            let mut q = ListAssets {
                library_id: Some(f.library.clone()),
                limit: 200,
                ..Default::default()
            };
            let mut total = 0;
            loop {
                let p = f.cat.list_assets(&q).unwrap();
                total += p.data.len();
                if !p.has_more {
                    break total;
                }
                q.starting_after_id = p.data.last().map(|a| a.id.clone());
            }
        })
    });
    g.finish();
}

fn bench_bulk_load(c: &mut Criterion) {
    let batch = 10_000;
    let data = common::generate(batch, 7);
    let mut g = c.benchmark_group("add_assets");
    g.sample_size(10);
    g.throughput(Throughput::Elements(batch as u64));
    // `add_assets` (the `Asset`s built and dropped) and `add_assets_summary` (counts only).
    for summary in [false, true] {
        let name = match summary {
            false => "bulk_into_new_file",
            true => "bulk_into_new_file_summary",
        };
        g.bench_function(BenchmarkId::new(name, batch), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().unwrap();
                    let cat = Catalog::open(dir.path().join("load.redb")).unwrap();
                    common::load_libraries(&cat, &data);
                    let batches: Vec<(AddAssets, Vec<_>)> = data
                        .batches(batch)
                        .map(|(opts, chunk)| (opts, chunk.to_vec()))
                        .collect();
                    let t = Instant::now();
                    for (opts, records) in batches {
                        if summary {
                            cat.add_assets_summary(records, opts).unwrap();
                        } else {
                            cat.add_assets(records, opts).unwrap();
                        }
                    }
                    total += t.elapsed();
                }
                total
            })
        });
    }
    g.finish();
}

/// Small writes on the fixture, each pair undoing itself so the catalogue ends as it began
/// (these groups run last): `small_write_trash_restore_1` trashes one asset and restores it,
/// `small_write_album_add_remove_40` links 40 assets to an album of the main library and
/// unlinks them, `small_write_add_delete_1` adds one new record (with its faces) and deletes it. Each is two transactions, each committed
/// durably (one `fdatasync`). SQLite does the first two with `synchronous = FULL` for this
/// group, so that its commits are durable too (the rest of the run uses `NORMAL`, which does
/// not sync a commit in WAL mode).
fn bench_small_writes(c: &mut Criterion) {
    let f = fixture();
    let id = common::asset_id(f.library_assets / 3);
    let forty: Vec<String> = f.ids.iter().take(40).cloned().collect();
    let album = f
        .cat
        .create_album(photocat::NewAlbum {
            name: "Small writes".into(),
            id: Some("bench_small_writes".into()),
            library_id: Some(f.library.clone()),
            ..photocat::NewAlbum::default()
        })
        .unwrap()
        .id;
    let sql = f.sql.lock().unwrap();
    sql.execute("PRAGMA synchronous = FULL");
    let mut g = c.benchmark_group(format!("small_write_trash_restore_1/n={}", f.n));
    g.bench_function("photocat", |b| {
        b.iter(|| {
            f.cat.trash_assets(&[&id]).unwrap();
            f.cat.restore_assets(&[&id]).unwrap();
        })
    });
    g.bench_function("sqlite", |b| b.iter(|| sql.trash_restore(&id)));
    g.finish();
    let mut g = c.benchmark_group(format!("small_write_album_add_remove_40/n={}", f.n));
    g.bench_function("photocat", |b| {
        b.iter(|| {
            f.cat.add_to_album(&album, &forty).unwrap();
            f.cat.remove_from_album(&album, &forty).unwrap();
        })
    });
    g.bench_function("sqlite", |b| {
        b.iter(|| sql.album_add_remove(&album, &forty))
    });
    g.finish();
    let mut record = common::generate(1, 99).assets.remove(0);
    record.id = Some("bench_small_writes_asset".into());
    for (i, face) in record.faces.iter_mut().flatten().enumerate() {
        face.id = Some(format!("bench_small_writes_face_{i}"));
    }
    let opts = AddAssets {
        library_id: Some(f.library.clone()),
        ..AddAssets::default()
    };
    let mut g = c.benchmark_group(format!("small_write_add_delete_1/n={}", f.n));
    g.bench_function("photocat", |b| {
        b.iter(|| {
            let added = f
                .cat
                .add_assets_summary(vec![record.clone()], opts.clone())
                .unwrap();
            assert_eq!(added.created, 1);
            f.cat
                .delete_assets(&[record.id.as_deref().unwrap()])
                .unwrap();
        })
    });
    g.finish();
    sql.execute("PRAGMA synchronous = NORMAL");
}

criterion_group!(
    benches,
    bench_pages,
    bench_checksums,
    bench_full_walk,
    bench_bulk_load,
    bench_small_writes,
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
