#!/usr/bin/env bash
# The whole pagination suite in one run: N = 10^4, 10^5 and 10^6 (override with
# PHOTOCAT_BENCH_NS="10000 100000"), photocat and SQLite side by side, then the tables of
# BENCHMARKS.md. Logs go to target/bench-logs/. About 20 minutes on 2 cores; the 10^6
# catalogues need ~5 GB of temporary disk (under target/tmp, removed at the end).
# PHOTOCAT_BENCH_BUILD=user builds each catalogue the way a user does (see
# benches/common/mod.rs, load_user_build) and logs to pagination-user-<N>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
ns="${PHOTOCAT_BENCH_NS:-10000 100000 1000000}"
kind="${PHOTOCAT_BENCH_BUILD:+${PHOTOCAT_BENCH_BUILD}-}"
mkdir -p target/bench-logs target/tmp
export TMPDIR="$PWD/target/tmp"
trap 'rm -rf target/tmp/.tmp*' EXIT
cargo bench --features sqlite-baseline --bench pagination --no-run
for n in $ns; do
    echo "== N = $n" >&2
    PHOTOCAT_BENCH_N="$n" cargo bench --features sqlite-baseline --bench pagination -- \
        --warm-up-time 1 --measurement-time 3 2>&1 | tee "target/bench-logs/pagination-$kind$n.log"
done
for n in $ns; do
    echo
    echo "## N = $n"
    grep -E '^(photocat|sqlite):' "target/bench-logs/pagination-$kind$n.log" || true
    echo
    python3 scripts/bench_table.py "target/bench-logs/pagination-$kind$n.log"
done
