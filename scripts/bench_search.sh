#!/usr/bin/env bash
# The search and time-bucket suite (issue 13, benches/search.rs): N = 10^4, 10^5 and 10^6
# (override with PHOTOCAT_BENCH_NS="10000 100000"), photocat and SQLite side by side, then the
# tables of BENCHMARKS.md. Logs go to $CARGO_TARGET_DIR/bench-logs/ (default target/). The
# catalogues are built in $CARGO_TARGET_DIR/tmp, not /tmp: up to 7.2 GB at 10^6 (the catalogue
# before compact() and the SQLite file), removed at the end of each run, left there if a run is
# killed. About 20 minutes on 2 cores (10 of them at 10^6), the build excluded.
set -euo pipefail
cd "$(dirname "$0")/.."
ns="${PHOTOCAT_BENCH_NS:-10000 100000 1000000}"
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target/bench-logs" "$target/tmp"
TMPDIR="$(cd "$target/tmp" && pwd)"
export TMPDIR
cargo bench --features sqlite-baseline --bench search --no-run
for n in $ns; do
    echo "== N = $n ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    PHOTOCAT_BENCH_N="$n" cargo bench --features sqlite-baseline --bench search -- \
        --warm-up-time 1 --measurement-time 3 2>&1 | tee "$target/bench-logs/search-$n.log"
    echo "== end of N = $n ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
for n in $ns; do
    echo
    echo "## N = $n"
    grep -E '^(photocat|sqlite|main library):' "$target/bench-logs/search-$n.log" || true
    echo
    python3 scripts/bench_table_search.py "$target/bench-logs/search-$n.log"
done
