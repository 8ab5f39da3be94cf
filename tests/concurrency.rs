//! Concurrency under load: reader threads and one writer share a catalogue file.
//!
//! The writer's every write moves one whole batch of `K` assets: `add_assets` of a new batch
//! (its assets share the description `batch-<b>` and ids `asset_b<b>_<i>`), or
//! `trash_assets`, `restore_assets` or `delete_assets` of all of a batch's ids in one call.
//! So a read that sees part of a write sees a count that is not a multiple of `K`, or a batch
//! with some but not all of its members. The readers check, each from one read call (one
//! snapshot):
//! - `count_assets` (live, trashed, all), the search total and the sum of the time buckets
//!   are multiples of `K`;
//! - a batch's marker searched for has 0 or `K` assets, all returned on the page; its ids
//!   counted live, trashed and in all states give 0 or `K`.
//!
//! Across calls, walks of the whole live list (`iter_assets`, each page its own snapshot) are
//! strictly ordered (`local_datetime` desc, `id` desc, so free of duplicates) and complete: a
//! batch that no write touched from the start of the walk to its end appears with all its
//! members when it was live and with none when it was not; a batch a write touched meanwhile
//! may show any subset (the pages before and after that write differ). Single page calls
//! (`list_assets`, 20 a page, from the top or after the last asset of a previous page) are
//! ordered within the page.
//!
//! Memory: the resident size (VmRSS of /proc/self/status) is sampled every 100 ms while the
//! page calls run (the count is the single page calls plus the pages of the walks, 50 assets
//! each); growth after the warm-up (the first fifth of the samples) must stay under 48 MiB.
//!
//! The default run takes a couple of seconds. The full one, a minute and at least 10^6 page
//! calls:
//!
//! ```text
//! PHOTOCAT_CONCURRENCY_SECS=60 PHOTOCAT_CONCURRENCY_PAGES=1000000 \
//!     cargo test --release --all-features --test concurrency -- --nocapture
//! ```

mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Rng;
use photocat::{AddAssets, Catalog, Error, ListAssets, NewAsset, SearchAssets, State, TimeBuckets};

/// Assets per write.
const K: u64 = 40;
/// Live and trashed batches the writer keeps around (about 1,600 assets).
const TARGET_BATCHES: usize = 40;
const READERS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    Add,
    Trash,
    Restore,
    Delete,
}

/// The writer's writes, in order: each is pushed before its call starts, and `finished`
/// counts those whose call has returned.
#[derive(Default)]
struct Log {
    writes: Mutex<Vec<(u64, Write)>>,
    finished: AtomicUsize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BatchState {
    Live,
    Trashed,
    Gone,
}

/// Each batch's state after the first `upto` writes.
fn states(writes: &[(u64, Write)]) -> BTreeMap<u64, BatchState> {
    let mut s = BTreeMap::new();
    for &(b, w) in writes {
        s.insert(
            b,
            match w {
                Write::Add | Write::Restore => BatchState::Live,
                Write::Trash => BatchState::Trashed,
                Write::Delete => BatchState::Gone,
            },
        );
    }
    s
}

fn batch_of(id: &str) -> u64 {
    id.strip_prefix("asset_b")
        .and_then(|r| r.split('_').next())
        .and_then(|b| b.parse().ok())
        .unwrap_or_else(|| panic!("an asset no write made: {id}"))
}

fn ids_of(b: u64) -> Vec<String> {
    (0..K).map(|i| format!("asset_b{b}_{i}")).collect()
}

fn marker(b: u64) -> String {
    format!("batch-{b:07}")
}

fn batch_records(b: u64, rng: &mut Rng) -> Vec<NewAsset> {
    (0..K)
        .map(|i| {
            // Few distinct seconds, so that ties on local_datetime are ordered by id.
            let when = format!(
                "20{:02}-{:02}-{:02}T12:00:{:02}",
                10 + rng.below(10),
                1 + rng.below(12),
                1 + rng.below(28),
                rng.below(3)
            );
            NewAsset {
                id: Some(format!("asset_b{b}_{i}")),
                description: Some(marker(b)),
                original_file_name: Some(format!("b{b}_{i}.jpg")),
                local_datetime: Some(when.parse().unwrap()),
                ..Default::default()
            }
        })
        .collect()
}

/// The resident set size in bytes (VmRSS of /proc/self/status).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

struct Shared {
    cat: Catalog,
    log: Log,
    /// Batches started so far (ids 0..batches).
    batches: AtomicU64,
    stop: AtomicBool,
    pages: AtomicU64,
    reads: AtomicU64,
    walks: AtomicU64,
}

fn writer(sh: &Shared, seed: u64) -> u64 {
    let mut rng = Rng(seed);
    let (mut live, mut trashed): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    let mut writes = 0;
    while !sh.stop.load(SeqCst) {
        let total = live.len() + trashed.len();
        let pick = rng.below(10);
        let (b, w) = if total < TARGET_BATCHES / 2 || (total < TARGET_BATCHES && pick < 4) {
            (sh.batches.load(SeqCst), Write::Add)
        } else if pick < 3 && !live.is_empty() {
            (
                live.swap_remove(rng.below(live.len() as u64) as usize),
                Write::Trash,
            )
        } else if pick < 6 && !trashed.is_empty() {
            (
                trashed.swap_remove(rng.below(trashed.len() as u64) as usize),
                Write::Restore,
            )
        } else if rng.below(2) == 0 && !trashed.is_empty() {
            (
                trashed.swap_remove(rng.below(trashed.len() as u64) as usize),
                Write::Delete,
            )
        } else if !live.is_empty() {
            (
                live.swap_remove(rng.below(live.len() as u64) as usize),
                Write::Delete,
            )
        } else {
            continue;
        };
        let index = {
            let mut log = sh.log.writes.lock().unwrap();
            log.push((b, w));
            log.len()
        };
        if w == Write::Add {
            sh.batches.store(b + 1, SeqCst);
        }
        let ids = ids_of(b);
        match w {
            Write::Add => {
                sh.cat
                    .add_assets(batch_records(b, &mut rng), AddAssets::default())
                    .unwrap();
                live.push(b);
            }
            Write::Trash => {
                sh.cat.trash_assets(&ids).unwrap();
                trashed.push(b);
            }
            Write::Restore => {
                sh.cat.restore_assets(&ids).unwrap();
                live.push(b);
            }
            Write::Delete => sh.cat.delete_assets(&ids).unwrap(),
        }
        sh.log.finished.store(index, SeqCst);
        writes += 1;
    }
    writes
}

/// One-snapshot checks: totals are multiples of K, a batch is all there or not at all.
fn snapshot_checks(sh: &Shared, rng: &mut Rng) {
    let cat = &sh.cat;
    for state in [State::Live, State::Trashed, State::All] {
        let n = cat
            .count_assets(&ListAssets {
                state,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            n % K,
            0,
            "count_assets({state:?}) = {n} saw part of a write"
        );
    }
    let total = cat.search_assets(&SearchAssets::default()).unwrap().total;
    assert_eq!(total % K, 0, "search total {total} saw part of a write");
    let buckets: u64 = cat
        .time_buckets(&TimeBuckets::default())
        .unwrap()
        .iter()
        .map(|b| b.count)
        .sum();
    assert_eq!(
        buckets % K,
        0,
        "time buckets sum to {buckets}: part of a write"
    );

    let b = rng.below(sh.batches.load(SeqCst));
    let page = cat
        .search_assets(&SearchAssets {
            description: Some(marker(b)),
            limit: 200,
            ..Default::default()
        })
        .unwrap();
    assert!(
        page.total == 0 || page.total == K,
        "batch {b}: search total {} (part of a write)",
        page.total
    );
    assert_eq!(
        page.data.len() as u64,
        page.total,
        "batch {b}: page vs total"
    );
    assert!(page
        .data
        .iter()
        .all(|a| a.description.as_deref() == Some(marker(b).as_str())));
    for state in [State::Live, State::Trashed, State::All] {
        let n = cat
            .count_assets(&ListAssets {
                ids: Some(ids_of(b)),
                state,
                ..Default::default()
            })
            .unwrap();
        assert!(n == 0 || n == K, "batch {b}: {n} of its ids {state:?}");
    }
    sh.reads.fetch_add(7, SeqCst);
}

/// A walk of the whole live list, checked against the writes done before it and during it.
fn walk_check(sh: &Shared) {
    let f0 = sh.log.finished.load(SeqCst);
    let before = states(&sh.log.writes.lock().unwrap()[..f0]);
    let mut seen: BTreeMap<u64, u64> = BTreeMap::new();
    let mut prev: Option<(chrono::NaiveDateTime, String)> = None;
    let mut count = 0u64;
    for a in sh.cat.iter_assets(ListAssets::default(), 50).unwrap() {
        let a = a.unwrap();
        let key = (a.local_datetime, a.id.clone());
        if let Some(p) = &prev {
            assert!(
                *p > key,
                "walk out of order or repeated: {p:?} then {key:?}"
            );
        }
        prev = Some(key);
        *seen.entry(batch_of(&a.id)).or_default() += 1;
        count += 1;
    }
    let writes = sh.log.writes.lock().unwrap();
    let touched: HashSet<u64> = writes[f0..].iter().map(|w| w.0).collect();
    drop(writes);
    for (b, state) in &before {
        if touched.contains(b) {
            continue;
        }
        let got = seen.get(b).copied().unwrap_or(0);
        let want = if *state == BatchState::Live { K } else { 0 };
        assert_eq!(
            got, want,
            "batch {b} ({state:?}, untouched during the walk) listed {got} times"
        );
    }
    for (b, got) in &seen {
        if !touched.contains(b) {
            assert!(
                before.contains_key(b),
                "batch {b} listed before it was written"
            );
        }
        assert!(*got <= K, "batch {b} listed {got} times");
    }
    sh.pages.fetch_add(count / 50 + 1, SeqCst);
    sh.walks.fetch_add(1, SeqCst);
}

/// Single page calls: from the top, or after the last asset of the previous page.
fn page_calls(sh: &Shared, calls: u64, rng: &mut Rng) {
    let mut cursor: Option<String> = None;
    for _ in 0..calls {
        let q = ListAssets {
            starting_after_id: cursor.take(),
            ..Default::default()
        };
        let page = match sh.cat.list_assets(&q) {
            Ok(p) => p,
            // The cursor's asset was deleted meanwhile: a client starts again.
            Err(Error::NotFound { .. }) => continue,
            Err(e) => panic!("page call failed: {e}"),
        };
        for w in page.data.windows(2) {
            assert!(
                (w[0].local_datetime, &w[0].id) > (w[1].local_datetime, &w[1].id),
                "page out of order: {} then {}",
                w[0].id,
                w[1].id
            );
        }
        if page.has_more && rng.below(20) != 0 {
            cursor = page.data.last().map(|a| a.id.clone());
        }
    }
    sh.pages.fetch_add(calls, SeqCst);
}

#[test]
fn readers_never_see_part_of_a_write() {
    let secs = env_u64("PHOTOCAT_CONCURRENCY_SECS").unwrap_or(2);
    let min_pages = env_u64("PHOTOCAT_CONCURRENCY_PAGES").unwrap_or(0);
    let seed = env_u64("PHOTOCAT_CONCURRENCY_SEED").unwrap_or(7);
    let dir = tempfile::tempdir().unwrap();
    let sh = Arc::new(Shared {
        cat: Catalog::open(dir.path().join("c.redb")).unwrap(),
        log: Log::default(),
        batches: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        pages: AtomicU64::new(0),
        reads: AtomicU64::new(0),
        walks: AtomicU64::new(0),
    });
    // A first batch, so that reads have a library.
    {
        let mut log = sh.log.writes.lock().unwrap();
        sh.cat
            .add_assets(batch_records(0, &mut Rng(seed)), AddAssets::default())
            .unwrap();
        log.push((0, Write::Add));
        sh.batches.store(1, SeqCst);
        sh.log.finished.store(1, SeqCst);
    }
    let start = Instant::now();
    let rss_start = rss();
    let w = {
        let sh = sh.clone();
        std::thread::spawn(move || writer(&sh, seed))
    };
    let readers: Vec<_> = (0..READERS)
        .map(|r| {
            let sh = sh.clone();
            std::thread::spawn(move || {
                let mut rng = Rng(seed ^ ((r as u64 + 1) * 0x1234_5678));
                let mut i = 0u64;
                while !sh.stop.load(SeqCst) {
                    page_calls(&sh, 200, &mut rng);
                    snapshot_checks(&sh, &mut rng);
                    if i % 10 == r as u64 % 10 {
                        walk_check(&sh);
                    }
                    i += 1;
                }
            })
        })
        .collect();

    // Resident size, sampled every 100 ms; the warm-up is the first fifth of the run.
    let duration = Duration::from_secs(secs);
    let mut samples: Vec<(Duration, u64, u64)> = Vec::new();
    let mut failed = false;
    while start.elapsed() < duration || sh.pages.load(SeqCst) < min_pages {
        std::thread::sleep(Duration::from_millis(100));
        samples.push((start.elapsed(), sh.pages.load(SeqCst), rss()));
        if readers.iter().any(|r| r.is_finished()) || w.is_finished() {
            failed = true;
            break;
        }
    }
    sh.stop.store(true, SeqCst);
    let writes = w.join().expect("the writer failed");
    for r in readers {
        r.join().expect("a reader failed");
    }
    assert!(!failed, "a thread ended early");
    let elapsed = start.elapsed();
    let pages = sh.pages.load(SeqCst);
    let warm = samples.len() / 5;
    let after_warmup = samples[warm].2;
    let peak_after = samples[warm..].iter().map(|s| s.2).max().unwrap();
    let rss_end = samples.last().unwrap().2;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "concurrency: {:.1} s, {READERS} readers, {writes} writes of {K} assets, {pages} page \
         calls, {} one-snapshot reads, {} full walks",
        elapsed.as_secs_f64(),
        sh.reads.load(SeqCst),
        sh.walks.load(SeqCst)
    );
    println!(
        "resident size: {:.1} MiB at start, {:.1} MiB after warm-up ({} pages), peak after \
         warm-up {:.1} MiB, {:.1} MiB at the end",
        mib(rss_start),
        mib(after_warmup),
        samples[warm].1,
        mib(peak_after),
        mib(rss_end)
    );
    assert!(writes > 0 && pages > 0 && sh.walks.load(SeqCst) > 0);
    let report = sh.cat.verify().unwrap();
    assert!(report.is_ok(), "after the run: {report}");
    // Flat: growth after the warm-up stays within 48 MiB (the page cache of a file of about
    // 2,000 assets, the allocator's arenas of 5 threads), however many pages were read.
    let growth = peak_after.saturating_sub(after_warmup);
    assert!(
        growth < 48 << 20,
        "resident size grew {:.1} MiB after the warm-up",
        mib(growth)
    );
}
