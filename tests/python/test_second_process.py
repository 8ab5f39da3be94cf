"""A second process that opens a catalogue another process has open gets ``AlreadyOpenError``
(a ``StorageError``, so an ``OSError``) at once, and changes nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import photocat

HOLDER = textwrap.dedent(
    """
    import sys, photocat
    cat = photocat.Catalog.open(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.read()          # hold the catalogue open until the parent closes stdin
    cat.add_assets([{"original_file_name": "from_the_holder.jpg"}])
    cat.close()
    print("closed", flush=True)
    """
)


def test_a_second_process_gets_already_open_at_once(tmp_path: Path) -> None:
    path = tmp_path / "photos.redb"
    with photocat.Catalog.open(path) as cat:
        cat.add_assets([{"original_file_name": f"IMG_{i}.jpg"} for i in range(3)])
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        slowest = 0.0
        for _ in range(5):
            t = time.perf_counter()
            with pytest.raises(photocat.AlreadyOpenError) as e:
                photocat.Catalog.open(path)
            slowest = max(slowest, time.perf_counter() - t)
            assert isinstance(e.value, photocat.StorageError) and isinstance(e.value, OSError)
            assert e.value.filename == str(path)
            assert e.value.errno is None
            assert str(e.value) == (
                f"{path} is already open (in this or another process); close the other Catalog first"
            )
        print(f"AlreadyOpenError from a second process: slowest of 5 opens {slowest * 1e6:.0f} µs")
        assert slowest < 1.0
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    finally:
        out, _ = holder.communicate(timeout=60)
    assert holder.returncode == 0 and out.strip() == "closed"
    with photocat.Catalog.open(path) as cat:
        assert cat.count_assets() == 4
