"""Writes that fail for lack of space: ``StorageError`` with the OS error, every earlier commit
readable, writes accepted again once space is back (in the same process: photocat reopens the
file itself after the failed write), and an import that stops cleanly, reporting the files it
could not commit.

The failing writes are made portable with a file-size limit (``RLIMIT_FSIZE``) on a child
process: with ``SIGXFSZ`` ignored, a write past the limit fails with ``EFBIG``, as one on a
full disk fails with ``ENOSPC``. The real full disk (a small loop-mounted file system) is
``test_full_filesystem.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"

resource = pytest.importorskip("resource", reason="RLIMIT_FSIZE is a POSIX limit")

CHILD = textwrap.dedent(
    """
    import errno, json, os, resource, signal, sys
    import photocat

    path, photos = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail with EFBIG
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    B = 100

    def batch(b):
        return [{"id": f"asset_b{b:05d}i{i:03d}", "original_file_name": f"IMG_{b}_{i}.jpg",
                 "local_datetime": f"2024-01-{1 + b % 28:02d}T{i % 24:02d}:00:00",
                 "description": "x" * 200} for i in range(B)]

    def limit_to_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(path), hard))

    out = {}
    cat = photocat.Catalog.open(path)
    for b in range(3):
        cat.add_assets(batch(b))
    committed = 3
    limit_to_file_size()
    error = None
    while error is None and committed < 10_000:
        try:
            cat.add_assets(batch(committed))
            committed += 1
        except photocat.StorageError as e:
            error = e
    assert error is not None, "no write failed"
    out["error"] = str(error)
    out["errno"] = error.errno
    out["filename"] = error.filename
    out["committed"] = committed
    # Every earlier commit is readable, in this process.
    ids = {a.id for a in cat.iter_assets(state="all")}
    assert ids == {r["id"] for b in range(committed) for r in batch(b)}, len(ids)
    assert cat.count_assets() == committed * B
    # Space is back: the same catalogue takes writes again.
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    cat.add_assets(batch(committed))
    committed += 1
    assert cat.count_assets() == committed * B
    out["after"] = committed

    # An import that meets the limit stops cleanly and reports what it could not commit.
    limit_to_file_size()
    report = cat.import_paths(photos)
    out["import"] = {
        "stopped": report.stopped,
        "created": len(report.created),
        "failed": report.failed,
    }
    in_cat = cat.count_assets(state="all")
    assert in_cat == committed * B + len(report.created), (in_cat, len(report.created))
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    again = cat.import_paths(photos)
    out["import_again"] = {
        "stopped": again.stopped,
        "created": len(again.created),
        "duplicates": len(again.duplicates),
    }
    cat.close()
    with photocat.Catalog.open(path) as cat:
        out["reopened"] = cat.count_assets(state="all")
    print(json.dumps(out))
    """
)


def many_photos(folder: Path, n: int) -> None:
    """`n` distinct small PNG files (one sample file with a distinct trailer each)."""
    png = (PHOTOS / "density_plot.png").read_bytes()
    folder.mkdir()
    for i in range(n):
        (folder / f"p{i:05d}.png").write_bytes(png + f"photocat test {i}".encode())


def test_writes_past_a_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "photos.redb"
    photos = tmp_path / "photos"
    many_photos(photos, 1200)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(photos)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    import errno

    # The OS error, with its number and the file.
    assert out["errno"] == errno.EFBIG, out
    assert out["filename"] == str(path)
    assert out["error"] == f"I/O error on {path}: File too large (os error {errno.EFBIG})"
    assert out["after"] == out["committed"] + 1
    # The import stopped, said why, and listed every file it did not import.
    imp = out["import"]
    assert imp["stopped"] is not None and "File too large" in imp["stopped"], imp
    not_imported = [p for p, why in imp["failed"] if why.startswith("not imported: ")]
    assert imp["created"] + len(not_imported) == 1200, (imp["created"], len(not_imported))
    assert all("File too large" in why for _, why in imp["failed"] if why.startswith("not imported"))
    # Importing again once space is back adds exactly the missing files.
    again = out["import_again"]
    assert again["stopped"] is None
    assert again["created"] == len(not_imported)
    assert again["duplicates"] == imp["created"]
    assert out["reopened"] == out["after"] * 100 + 1200


OPEN_AS_OTHER_USER = textwrap.dedent(
    """
    import sys, photocat
    path = sys.argv[1]
    open(path, "rb").read(16)           # the file is readable: only write access is missing
    try:
        photocat.Catalog.open(path)
    except photocat.StorageError as e:
        print(e.errno, e)
    else:
        print("opened")
    """
)


def test_a_read_only_file(tmp_path: Path) -> None:
    """A catalogue made read-only (mode 0444) under an open Catalog: the open descriptor keeps
    its write access, so writes go on. Opening it later without write access (as a user who
    may not write it; root is run without its capabilities, which ignore the mode) raises ``StorageError`` EACCES, and the file is
    left as it was."""
    import errno
    import shutil

    import photocat

    path = tmp_path / "photos.redb"
    with photocat.Catalog.open(path) as cat:
        cat.add_assets([{"original_file_name": "a.jpg"}])
        os.chmod(path, 0o444)
        cat.add_assets([{"original_file_name": "b.jpg"}])
        assert cat.count_assets() == 2
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    command = [sys.executable, "-c", OPEN_AS_OTHER_USER, str(path)]
    if os.geteuid() == 0:
        # Root may write any file (CAP_DAC_OVERRIDE): run the open without capabilities.
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to drop CAP_DAC_OVERRIDE")
        command = [setpriv, "--bounding-set=-all", "--inh-caps=-all", *command]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    number, _, message = proc.stdout.strip().partition(" ")
    assert int(number) == errno.EACCES, proc.stdout
    assert message == f"I/O error on {path}: Permission denied (os error {errno.EACCES})"
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
