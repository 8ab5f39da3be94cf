//! Where a write's work runs: on rayon's pool when it is large, on the calling thread when it
//! is small.
//!
//! A `rayon::scope` or `rayon::join`, or a parallel iterator that splits, called from a thread
//! outside the pool (every caller of the engine) hands its work to the pool and blocks the
//! caller until a worker has done it; the workers it woke spin before they sleep again. For a
//! bulk load that is nothing. For a write of a few rows it was a seventh to a third of the
//! call's CPU time (one `update_asset` from Python: 0.45 ms of CPU before, 0.30 ms on the
//! calling thread; BENCHMARKS.md, issue 14, "Ninth pass"). The writers therefore decide once
//! per call, from its size, and run the same steps either way.

/// The number of rows (index entries, count changes, sort items) from which a write's steps go
/// to the pool.
pub(crate) const MIN_ROWS: usize = 4096;

/// About how many rows one new asset writes (list-index entries, counts, day counts, postings,
/// the Immich tables, ids, checksums, the record): a bulk add runs on the pool from
/// `MIN_ROWS / ROWS_PER_RECORD` (128) new records on.
pub(crate) const ROWS_PER_RECORD: usize = 32;

/// Whether a write of `rows` rows runs its steps on the pool.
pub(crate) fn parallel(rows: usize) -> bool {
    rows >= MIN_ROWS
}

/// Whether a bulk add of `records` new records runs its steps on the pool.
pub(crate) fn parallel_records(records: usize) -> bool {
    parallel(records.saturating_mul(ROWS_PER_RECORD))
}

/// The least length a parallel iterator may split to: 1 on the pool, else all of it, so the
/// iterator runs on the calling thread without touching the pool (rayon splits only pieces at
/// least twice this long).
pub(crate) fn min_len(parallel: bool) -> usize {
    if parallel {
        1
    } else {
        usize::MAX
    }
}

/// One step of a write, writing its own table.
pub(crate) type Task<'a> = Box<dyn FnOnce() + Send + 'a>;

/// Runs `tasks` side by side on the pool, or one after the other on this thread.
pub(crate) fn run(tasks: Vec<Task<'_>>, parallel: bool) {
    if parallel {
        rayon::scope(|s| {
            for task in tasks {
                s.spawn(move |_| task());
            }
        });
    } else {
        for task in tasks {
            task();
        }
    }
}

/// `rayon::join(a, b)`, or `a` then `b` on this thread.
pub(crate) fn join<A, B, RA, RB>(parallel: bool, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn the_calling_thread_does_small_work() {
        let me = std::thread::current().id();
        let items: Vec<u32> = (0..1000).collect();
        let threads: Vec<_> = items
            .par_iter()
            .with_min_len(min_len(false))
            .map(|_| std::thread::current().id())
            .collect();
        assert!(threads.iter().all(|&t| t == me));
        let mut ran = Vec::new();
        {
            let ran = std::sync::Mutex::new(&mut ran);
            let step = |i: u32| -> Task<'_> {
                let ran = &ran;
                Box::new(move || ran.lock().unwrap().push((i, std::thread::current().id())))
            };
            run(vec![step(0), step(1), step(2)], false);
        }
        assert_eq!(ran, vec![(0, me), (1, me), (2, me)]);
        let (a, b) = join(false, || std::thread::current().id(), || 7);
        assert_eq!((a, b), (me, 7));
    }

    #[test]
    fn large_work_runs_every_task() {
        let sum = std::sync::atomic::AtomicU32::new(0);
        let tasks: Vec<Task<'_>> = (1..=10)
            .map(|i| -> Task<'_> {
                let sum = &sum;
                Box::new(move || {
                    sum.fetch_add(i, std::sync::atomic::Ordering::Relaxed);
                })
            })
            .collect();
        run(tasks, true);
        assert_eq!(sum.into_inner(), 55);
        assert!(!parallel(MIN_ROWS - 1) && parallel(MIN_ROWS));
        assert!(!parallel_records(1) && parallel_records(MIN_ROWS / ROWS_PER_RECORD));
        assert_eq!(join(true, || 1, || 2), (1, 2));
    }
}
