#!/usr/bin/env bash
# Runs every check and test of photocat, as CI does. Needs only the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (all targets, all features, warnings are errors)"
cargo clippy --all-targets --all-features -- -D warnings
echo "== cargo test (unit, integration, property and doc tests)"
cargo test --all-features
echo "== benches (with the SQLite baseline) and examples compile; they are not run here"
cargo build --all-features --benches --examples
