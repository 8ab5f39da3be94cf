#!/usr/bin/env bash
# The main job: build photocat in release mode, put sample assets into a catalogue file and
# list the newest page as Gumnut JSON. Needs only the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
catalog="${1:-target/demo.redb}"
rm -f "$catalog"
cargo run --release --quiet --example import_and_list -- "$catalog" tests/data/photos
