#!/usr/bin/env bash
# Runs every check and test of photocat, Rust and Python, as CI does (.ci/run calls this).
# Needs only the Rust toolchain and Python 3: the Python side sets up its own .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

# A fresh run builds about 7 GB (target/ and .venv). A full disk shows up much later as a
# linker's SIGBUS or pip's "No space left on device", so say it first.
free_kb=$(df -Pk . 2>/dev/null | awk 'NR == 2 { print $4 }') || free_kb=""
if [ -n "$free_kb" ] && [ "$free_kb" -lt $((8 * 1024 * 1024)) ]; then
    echo "warning: only $((free_kb / 1024)) MB free here; a fresh run needs about 7 GB" >&2
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== a plain build of the library compiles no arrow or parquet crate"
if cargo tree -e normal --prefix none | grep -E "^(arrow|parquet)"; then
    echo "arrow crates in the default build" >&2
    exit 1
fi
# --all-targets type-checks the benches (with the SQLite baseline) and the examples too; they
# are not linked or run here (linking them took minutes and gigabytes of CI disk).
echo "== cargo clippy (all targets: library, tests, benches, examples; all features; warnings are errors)"
cargo clippy --all-targets --all-features -- -D warnings
echo "== cargo clippy (the library as a Rust user builds it: default features; warnings are errors)"
cargo clippy -- -D warnings
echo "== cargo test (unit, integration, property and doc tests; the CLI)"
cargo test --all-features
echo "== cargo doc (the API docs build with warnings as errors: no broken or private links)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --all-features
echo "== Python: .venv, the module in release mode, pytest, mypy --strict, stubtest"
bash scripts/py_test.sh
