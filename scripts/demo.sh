#!/usr/bin/env bash
# The main job: set up .venv (virtualenv, maturin, the module built in release mode; see
# scripts/py_env.sh), import the sample photos and videos of tests/data/photos into a catalogue
# file with a progress bar, and print the newest page as Gumnut JSON and a short table.
# Needs only the Rust toolchain and Python 3.
set -euo pipefail
cd "$(dirname "$0")/.."
catalog="${1:-target/demo.redb}"
bash scripts/py_env.sh
rm -f "$catalog"
.venv/bin/python examples/demo.py "$catalog" tests/data/photos
