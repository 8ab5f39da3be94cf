#!/usr/bin/env bash
# Runs the Python side's checks: sets up .venv and builds the module (scripts/py_env.sh), then
# pytest (strict warnings; tests/python), mypy --strict on the typed example against the stubs,
# and stubtest of the stubs against the built module.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/py_env.sh
# shellcheck disable=SC1091
source .venv/bin/activate

echo "== pytest (tests/python)"
python -m pytest -W error tests/python
echo "== mypy --strict (examples/typed_example.py against the stubs)"
python -m mypy --strict examples/typed_example.py
echo "== stubtest (python/photocat/*.pyi against the built module)"
python -m mypy.stubtest photocat
