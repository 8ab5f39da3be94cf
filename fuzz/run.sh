#!/usr/bin/env bash
# Runs every fuzz target in turn, one fuzzer process at a time, for SECS seconds each (default
# 600), after writing the seed corpus; prints libFuzzer's final stats per target. Logs go to
# fuzz/logs/<target>.log, new corpus inputs to fuzz/corpus/<target>/, crashes to
# fuzz/artifacts/<target>/. Usage: fuzz/run.sh [SECS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(probe stored_record new_asset_json datetime list_params)

# The seeds (real files without their pixel data, the fixture's stored records, JSON records,
# datetime strings, parameter bytes), written by the regression test.
PHOTOCAT_FUZZ_SEEDS=fuzz/corpus cargo test -q --features fuzzing --test fuzz_regressions seeds >/dev/null

cd fuzz
mkdir -p logs
for t in "${targets[@]}"; do
    extra=()
    [ "$t" = probe ] && extra=(-max_len=131072)
    # rayon (add_assets validates on every core) is kept to one thread: one fuzzer, one core.
    # The fuzz build has its own target folder (fuzz/target), whatever CARGO_TARGET_DIR says.
    env -u CARGO_TARGET_DIR RAYON_NUM_THREADS=1 cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=4096 -print_final_stats=1 "${extra[@]}" >"logs/$t.log" 2>&1 || {
        echo "$t: FAILED (see fuzz/logs/$t.log and fuzz/artifacts/$t/)"
        continue
    }
    echo "$t: $(grep -E 'stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}') executions," \
        "$(grep -E '^Done [0-9]+ runs' "logs/$t.log" | tail -1)"
done
