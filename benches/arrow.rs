//! Criterion benchmarks of whole-catalogue reads for data analysis (issue 12): every asset as
//! Arrow record batches (`Catalog::arrow_batches`), the same as a month-partitioned Parquet
//! export (`Catalog::export_parquet`), and the SQLite route in Rust (every stored JSON record
//! fetched and parsed into `serde_json::Value`s), on the generated catalogue of
//! `benches/common` (seed 42, N from `PHOTOCAT_BENCH_N`, default 100,000).
//!
//! ```text
//! PHOTOCAT_BENCH_N=100000 cargo bench --features sqlite-baseline,parquet --bench arrow -- \
//!     --warm-up-time 1 --measurement-time 3
//! ```
//!
//! "The whole catalogue" is all N assets: the catalogue has three libraries (70/20/10%) and
//! a list names one, so each iteration reads the three libraries one after the other with
//! `state = all` (trashed included), which together are every asset once, in the same
//! order for every engine's count. Throughput is reported in rows (assets).
//!
//! - `arrow_batches`: all batches (65,536 rows) collected into a `Vec<RecordBatch>`;
//! - `export_parquet`: each library into `DIR/library=<id>/year=Y/month=M/part-0.parquet`,
//!   `DIR` a new temporary folder per iteration (created and removed outside the timing);
//! - `sqlite_json`: `SELECT json FROM assets`, each parsed into a `Value`, all kept in a
//!   `Vec` (the records without faces or albums: those are in other tables);
//! - `sqlite_json_faces_albums`: the same with each asset's person ids and album ids
//!   gathered by correlated subqueries (`json_group_array`) and parsed: the information the
//!   Arrow table holds (`person_ids`, `face_count`, `album_ids`).
//!
//! Before timing, the run prints the table's in-memory size (`get_array_memory_size` summed
//! over the batches), what its dictionary-encoded columns would take as plain strings, and
//! the peak of heap bytes each route allocates (a counting global allocator), so the peak can
//! be set against the table's size.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use photocat::parquet::{ExportParquet, PartitionBy};
use photocat::{Catalog, ListAssets, State, DEFAULT_BATCH_SIZE};

/// The system allocator, counting the bytes live and their peak (to measure a route's peak
/// memory; two relaxed atomics per allocation, for every engine alike).
#[cfg_attr(feature = "mimalloc", allow(dead_code))]
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

#[cfg_attr(feature = "mimalloc", allow(dead_code))]
fn grew(by: isize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            grew(new_size as isize - layout.size() as isize);
        }
        p
    }
}

// The `mimalloc` feature (on with `--all-features`) makes mimalloc the program's allocator
// from inside photocat, and a program has one: then nothing is counted, and the report says so.
// Run the bench without it, as its doc says (`--features sqlite-baseline,parquet`).
#[cfg(not(feature = "mimalloc"))]
#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its output and the peak of heap bytes above those live before it
/// (the output's own bytes included, since it is still alive at the peak); None when this
/// bench's allocator is not the program's (feature `mimalloc`).
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, Option<isize>) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    (out, cfg!(not(feature = "mimalloc")).then_some(peak))
}

/// "peak heap X MB", with X as a multiple of each of `of` (name, bytes).
fn peak_text(peak: Option<isize>, of: &[(&str, usize)]) -> String {
    let Some(peak) = peak else {
        return "peak heap not counted (feature mimalloc)".to_owned();
    };
    let mut text = format!("peak heap {:.1} MB", peak as f64 / 1e6);
    for (i, (name, bytes)) in of.iter().enumerate() {
        let sep = if i == 0 { " = " } else { ", " };
        text += &format!("{sep}{:.2}x {name}", peak as f64 / *bytes as f64);
    }
    text
}

struct Fixture {
    /// The temporary folder of the catalogue and the SQLite file (removed by [`cleanup`]).
    dir: tempfile::TempDir,
    cat: Catalog,
    /// rusqlite connections are not `Sync`; the bench is single-threaded, the lock uncontended.
    sql: std::sync::Mutex<common::sqlite::Sqlite>,
    n: usize,
    libraries: Vec<String>,
}

fn queries(f: &Fixture) -> impl Iterator<Item = ListAssets> + '_ {
    f.libraries.iter().map(|l| ListAssets {
        library_id: Some(l.clone()),
        state: State::All,
        ..ListAssets::default()
    })
}

fn arrow_all(f: &Fixture) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    for q in queries(f) {
        for b in f.cat.arrow_batches(&q, DEFAULT_BATCH_SIZE).unwrap() {
            out.push(b.unwrap());
        }
    }
    out
}

fn parquet_all(f: &Fixture, dir: &std::path::Path) -> usize {
    let mut files = 0;
    for q in queries(f) {
        let sub = dir.join(format!("library={}", q.library_id.as_deref().unwrap()));
        let opts = ExportParquet {
            query: q,
            partition_by: PartitionBy::Month,
            batch_size: DEFAULT_BATCH_SIZE,
        };
        files += f.cat.export_parquet(&sub, &opts, |_| {}).unwrap().len();
    }
    files
}

fn sqlite_json(f: &Fixture) -> Vec<serde_json::Value> {
    let sql = f.sql.lock().unwrap();
    let mut stmt = sql.conn.prepare_cached("SELECT json FROM assets").unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut out = Vec::with_capacity(f.n);
    while let Some(row) = rows.next().unwrap() {
        let text = row.get_ref(0).unwrap().as_str().unwrap();
        out.push(serde_json::from_str(text).unwrap());
    }
    out
}

const WITH_FACES_ALBUMS: &str = "SELECT a.json, \
     (SELECT json_group_array(f.person) FROM faces f WHERE f.asset_pk = a.pk), \
     (SELECT json_group_array(x.album) FROM album_assets x WHERE x.asset_pk = a.pk) \
     FROM assets a";

type Parsed = (serde_json::Value, serde_json::Value, serde_json::Value);

fn sqlite_json_faces_albums(f: &Fixture) -> Vec<Parsed> {
    let sql = f.sql.lock().unwrap();
    let mut stmt = sql.conn.prepare_cached(WITH_FACES_ALBUMS).unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut out = Vec::with_capacity(f.n);
    while let Some(row) = rows.next().unwrap() {
        let parse = |i: usize| serde_json::from_str(row.get_ref(i).unwrap().as_str().unwrap());
        out.push((parse(0).unwrap(), parse(1).unwrap(), parse(2).unwrap()));
    }
    out
}

fn dir_bytes(dir: &std::path::Path) -> (u64, usize) {
    let (mut bytes, mut files) = (0, 0);
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap();
        if m.is_dir() {
            let (b, f) = dir_bytes(&e.path());
            bytes += b;
            files += f;
        } else {
            bytes += m.len();
            files += 1;
        }
    }
    (bytes, files)
}

/// The table's sizes: the bytes its buffers hold (`get_array_memory_size`: capacity, what the
/// process pays) and use (`ArrayData::get_slice_memory_size`: lengths, what pyarrow's
/// `nbytes` counts), and the used bytes of its dictionary columns as they are and as plain
/// `StringArray`s (offsets, value bytes and validity, no dictionary), computed from the keys
/// and dictionary values since casting needs arrow-cast, which is not a dependency.
struct Sizes {
    held: usize,
    used: usize,
    dict_used: usize,
    dict_as_plain: usize,
    dict_columns: usize,
}

fn sizes(batches: &[RecordBatch]) -> Sizes {
    let mut s = Sizes {
        held: 0,
        used: 0,
        dict_used: 0,
        dict_as_plain: 0,
        dict_columns: 0,
    };
    for b in batches {
        for col in b.columns() {
            s.held += col.get_array_memory_size();
            let used = col.to_data().get_slice_memory_size().unwrap();
            s.used += used;
            if let DataType::Dictionary(_, _) = col.data_type() {
                s.dict_used += used;
                let d = col.as_dictionary::<Int32Type>();
                let values = d.values().as_string::<i32>();
                let mut bytes = 0usize;
                for k in d.keys().iter().flatten() {
                    bytes += values.value_length(k as usize) as usize;
                }
                let validity = if col.null_count() > 0 {
                    col.len().div_ceil(8)
                } else {
                    0
                };
                s.dict_as_plain += (col.len() + 1) * 4 + bytes + validity;
            }
        }
    }
    s.dict_columns = batches.first().map_or(0, |b| {
        b.columns()
            .iter()
            .filter(|c| matches!(c.data_type(), DataType::Dictionary(_, _)))
            .count()
    });
    s
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let n = common::bench_n();
        let data = common::generate(n, 42);
        let (dir, path, mut cat, secs) = common::load_new_file(&data, "bench.redb");
        common::load_albums(&cat, &data);
        cat.compact().unwrap();
        eprintln!(
            "photocat: {n} assets in {} libraries loaded in {secs:.1} s; file {:.1} MB after \
             compact()",
            data.libraries.len(),
            std::fs::metadata(&path).unwrap().len() as f64 / 1e6
        );
        let sql_path = dir.path().join("bench.sqlite");
        let t = Instant::now();
        let sql = common::sqlite::Sqlite::build(&sql_path, &cat, &data);
        eprintln!(
            "sqlite: built in {:.1} s, file {:.1} MB",
            t.elapsed().as_secs_f64(),
            std::fs::metadata(&sql_path).unwrap().len() as f64 / 1e6
        );
        let libraries = data.libraries.iter().map(|l| l.id.clone()).collect();
        Fixture {
            dir,
            cat,
            sql: std::sync::Mutex::new(sql),
            n,
            libraries,
        }
    })
}

/// Prints, once, the table's sizes, each route's peak heap and the export's size on disk.
fn report(f: &Fixture) {
    let t = Instant::now();
    let (batches, peak) = peak_of(|| arrow_all(f));
    let secs = t.elapsed().as_secs_f64();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(
        rows, f.n,
        "the three libraries with state=all are every asset"
    );
    let sz = sizes(&batches);
    let total = sz.held;
    let mb = |b: usize| b as f64 / 1e6;
    eprintln!(
        "arrow: {rows} rows, {} columns, {} batches in {secs:.2} s; table {:.1} MB held in \
         memory ({:.0} bytes/row, buffer capacities), {:.1} MB used ({:.0} bytes/row, buffer \
         lengths); its {} dictionary columns use {:.1} MB, as plain strings they would use \
         {:.1} MB ({:.1}x), so without dictionaries the table would use {:.1} MB; during the \
         read: {}",
        batches[0].num_columns(),
        batches.len(),
        mb(sz.held),
        sz.held as f64 / rows as f64,
        mb(sz.used),
        sz.used as f64 / rows as f64,
        sz.dict_columns,
        mb(sz.dict_used),
        mb(sz.dict_as_plain),
        sz.dict_as_plain as f64 / sz.dict_used as f64,
        mb(sz.used - sz.dict_used + sz.dict_as_plain),
        peak_text(
            peak,
            &[("the table held", sz.held), ("the table used", sz.used)]
        )
    );
    drop(batches);
    let t = Instant::now();
    let (values, peak) = peak_of(|| sqlite_json(f));
    eprintln!(
        "sqlite_json: {} rows in {:.2} s; {}",
        values.len(),
        t.elapsed().as_secs_f64(),
        peak_text(peak, &[("the Arrow table held", total)])
    );
    drop(values);
    let t = Instant::now();
    let (values, peak) = peak_of(|| sqlite_json_faces_albums(f));
    eprintln!(
        "sqlite_json_faces_albums: {} rows in {:.2} s; {}",
        values.len(),
        t.elapsed().as_secs_f64(),
        peak_text(peak, &[("the Arrow table held", total)])
    );
    drop(values);
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let (files, peak) = peak_of(|| parquet_all(f, dir.path()));
    let secs = t.elapsed().as_secs_f64();
    let (bytes, on_disk) = dir_bytes(dir.path());
    assert_eq!(files, on_disk);
    eprintln!(
        "export_parquet: {files} files, {:.1} MB ({:.0} bytes/row) in {secs:.2} s; {}",
        bytes as f64 / 1e6,
        bytes as f64 / f.n as f64,
        peak_text(peak, &[])
    );
}

fn whole(c: &mut Criterion) {
    let f = fixture();
    report(f);
    let mut g = c.benchmark_group(format!("whole_catalogue_{}", f.n));
    g.sample_size(10);
    g.throughput(Throughput::Elements(f.n as u64));
    g.bench_function("arrow_batches", |b| b.iter(|| arrow_all(f)));
    g.bench_function("export_parquet", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                parquet_all(f, dir.path());
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("sqlite_json", |b| b.iter(|| sqlite_json(f)));
    g.bench_function("sqlite_json_faces_albums", |b| {
        b.iter(|| sqlite_json_faces_albums(f))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = whole, cleanup
}
/// Removes the fixture's files: it lives in a static, which is never dropped, so its temporary
/// folder (gigabytes at 10^6) would otherwise outlive every run. Runs last in the group.
fn cleanup(_: &mut Criterion) {
    if let Some(f) = FIXTURE.get() {
        std::fs::remove_dir_all(f.dir.path()).unwrap();
    }
}

criterion_main!(benches);
