#!/usr/bin/env bash
# Runs every check and test of photocat, Rust and Python, as CI does (.ci/run calls this).
# Needs only the Rust toolchain and Python 3: the Python side sets up its own .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

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
