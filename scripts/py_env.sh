#!/usr/bin/env bash
# Sets up the Python side of photocat: a virtualenv in .venv (created when missing), maturin
# and the pinned test dependencies (pyproject.toml, extra "test"), and the module built in
# release mode into that virtualenv. Run it, or source it to stay in the virtualenv.
#
#   bash scripts/py_env.sh            # set up / rebuild
#   source scripts/py_env.sh          # same, and activate .venv in this shell
#
# PHOTOCAT_PY_PROFILE picks the cargo profile of the build (default: release).
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
    # Sourced: do the work in a child shell (so `set -e` cannot end this one), then activate.
    bash "${BASH_SOURCE[0]}" "$@" || return $?
    # shellcheck disable=SC1091
    source "${PHOTOCAT_VENV:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv}/bin/activate"
    return 0
fi
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PHOTOCAT_VENV:-$root/.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
fi
# shellcheck disable=SC1091
source "$venv/bin/activate"

# Install the tools and test dependencies once per change of pyproject.toml.
stamp="$venv/.photocat-deps"
want="$(sha256sum "$root/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "== installing maturin and the test dependencies"
    python -m pip install --quiet --disable-pip-version-check --upgrade pip
    # The test extra's pins, read from pyproject.toml (tomllib is 3.11+; fall back to a regex).
    mapfile -t deps < <(python - "$root/pyproject.toml" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
try:
    import tomllib
    data = tomllib.loads(text)
    deps = data["project"]["optional-dependencies"]["test"]
    build = data["build-system"]["requires"]
except ImportError:
    block = re.search(r"^test = \[(.*?)\]", text, re.S | re.M).group(1)
    deps = re.findall(r'"([^"]+)"', block)
    build = re.findall(r'"(maturin[^"]*)"', text)[:1]
print("\n".join(build + deps))
PY
)
    python -m pip install --quiet --disable-pip-version-check "${deps[@]}"
    echo "$want" > "$stamp"
fi

echo "== building the photocat module (maturin develop, profile ${PHOTOCAT_PY_PROFILE:-release})"
(
    cd "$root"
    maturin develop --quiet --profile "${PHOTOCAT_PY_PROFILE:-release}"
)
