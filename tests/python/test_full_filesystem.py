"""A real full disk and a file system that turns read-only, on a small ext4 file system made
for the test (``truncate``, ``mkfs.ext4``, ``mount -o loop``). Needs root (or the right to
mount); skipped with the reason otherwise.

What each case does (the text is the ``StorageError``'s):

* disk full: the write raises ``StorageError`` with ``errno`` ENOSPC ("No space left on
  device"); every earlier commit stays readable; once space is freed (a filler file deleted)
  the same open catalogue takes writes again. An import stops cleanly (``report.stopped``).
* ``chattr +i`` (immutable) under an open catalogue: the next write raises ``StorageError``
  EPERM ("Operation not permitted"), and so do reads until ``chattr -i`` (photocat's reopen
  of the file needs write access); then reads and writes work again in the same process.
* ``mount -o remount,ro`` under an open catalogue: Linux refuses it ("mount point is busy")
  while the file is open for writing, so it cannot happen.
* the file system turning read-only after an error (ext4 ``errors=remount-ro``, forced with
  ``/sys/fs/ext4/DEV/trigger_fs_error``): writes and reads raise ``StorageError`` EROFS
  ("Read-only file system"); opening the file again raises the same (a catalogue is opened
  read-write).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import photocat

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="loop-mounted ext4 is Linux only"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A mounted 16 MB ext4 file system; its mount point."""
    for tool in ("mkfs.ext4", "mount", "umount"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    image, mnt = tmp_path / "fs.img", tmp_path / "mnt"
    with open(image, "wb") as f:
        f.truncate(16 << 20)
    made = run("mkfs.ext4", "-q", "-m", "0", str(image))
    if made.returncode != 0:
        pytest.skip(f"mkfs.ext4 failed: {made.stderr.strip()}")
    mnt.mkdir()
    mounted = run("mount", "-o", "loop,errors=remount-ro", str(image), str(mnt))
    if mounted.returncode != 0:
        pytest.skip(f"mounting a loop file system is not permitted here: {mounted.stderr.strip()}")
    try:
        yield mnt
    finally:
        run("chattr", "-i", str(mnt / "photos.redb"))
        gone = run("umount", str(mnt))
        if gone.returncode != 0:
            run("umount", "-l", str(mnt))


def batch(b: int, n: int = 100) -> list[dict[str, object]]:
    return [
        {"id": f"asset_b{b:05d}i{i:03d}", "description": "x" * 300, "original_file_name": f"{b}_{i}.jpg"}
        for i in range(n)
    ]


def fill(folder: Path) -> Path:
    """Writes a filler file until the file system is full; returns it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 64 << 10, 4 << 10, 512):
            chunk = b"\0" * size
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as e:
                    assert e.errno == errno.ENOSPC, e
                    break
        os.fsync(fd)
    finally:
        os.close(fd)
    return filler


def write_until_error(cat: photocat.Catalog, first: int) -> tuple[int, photocat.StorageError]:
    """Adds batches from `first` until one fails; the next batch number and the error."""
    b = first
    while b < first + 10_000:
        try:
            cat.add_assets(batch(b))
        except photocat.StorageError as e:
            return b, e
        b += 1
    raise AssertionError("no write failed")


def ids_of(cat: photocat.Catalog) -> set[str]:
    return {a.id for a in cat.iter_assets(state="all")}


def expected(batches: int) -> set[str]:
    return {str(r["id"]) for b in range(batches) for r in batch(b)}


def test_a_full_disk(small_fs: Path, tmp_path: Path) -> None:
    path = small_fs / "photos.redb"
    with photocat.Catalog.open(path) as cat:
        for b in range(3):
            cat.add_assets(batch(b))
        filler = fill(small_fs)
        committed, e = write_until_error(cat, 3)
        assert e.errno == errno.ENOSPC, e
        assert e.filename == str(path)
        assert str(e) == f"I/O error on {path}: No space left on device (os error {errno.ENOSPC})"
        # Every earlier commit is readable, and the failed write left nothing.
        assert ids_of(cat) == expected(committed)
        assert cat.count_assets() == committed * 100
        # Space freed: the same catalogue takes writes again.
        filler.unlink()
        cat.add_assets(batch(committed))
        committed += 1
        assert ids_of(cat) == expected(committed)

        # An import on the full disk stops cleanly and lists what it did not import.
        photos = tmp_path / "photos"
        photos.mkdir()
        png = (PHOTOS / "density_plot.png").read_bytes()
        for i in range(1500):
            (photos / f"p{i:05d}.png").write_bytes(png + f"photocat test {i}".encode())
        filler = fill(small_fs)
        report = cat.import_paths(photos)
        assert report.stopped is not None and "No space left on device" in report.stopped
        not_imported = [p for p, why in report.failed if why.startswith("not imported: ")]
        assert len(report.created) + len(not_imported) == 1500
        assert cat.count_assets() == committed * 100 + len(report.created)
        filler.unlink()
        again = cat.import_paths(photos)
        assert again.stopped is None
        assert len(again.created) == len(not_imported)
    with photocat.Catalog.open(path) as cat:
        assert cat.count_assets() == committed * 100 + 1500


def test_an_immutable_file_under_an_open_catalogue(small_fs: Path) -> None:
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    path = small_fs / "photos.redb"
    with photocat.Catalog.open(path) as cat:
        cat.add_assets(batch(0))
        made = run("chattr", "+i", str(path))
        if made.returncode != 0:
            pytest.skip(f"chattr +i is not permitted here: {made.stderr.strip()}")
        with pytest.raises(photocat.StorageError) as e:
            cat.add_assets(batch(1))
        assert e.value.errno == errno.EPERM, e.value
        assert "Operation not permitted" in str(e.value)
        # Reads fail too while the file is immutable (the reopen needs write access) ...
        with pytest.raises(photocat.StorageError) as e:
            cat.count_assets()
        assert e.value.errno == errno.EPERM
        # ... and both work again, in the same process, once it is not.
        assert run("chattr", "-i", str(path)).returncode == 0
        assert ids_of(cat) == expected(1)
        cat.add_assets(batch(1))
        assert ids_of(cat) == expected(2)


def test_a_read_only_remount_is_refused_while_the_catalogue_is_open(small_fs: Path) -> None:
    path = small_fs / "photos.redb"
    with photocat.Catalog.open(path) as cat:
        cat.add_assets(batch(0))
        remount = run("mount", "-o", "remount,ro", str(small_fs))
        assert remount.returncode != 0, "Linux made the file system read-only under an open file"
        assert "busy" in remount.stderr, remount.stderr
        cat.add_assets(batch(1))
        assert ids_of(cat) == expected(2)


def test_a_file_system_that_turns_read_only(small_fs: Path) -> None:
    path = small_fs / "photos.redb"
    source = run("findmnt", "-n", "-o", "SOURCE", str(small_fs)).stdout.strip()
    trigger = Path("/sys/fs/ext4") / os.path.basename(os.path.realpath(source)) / "trigger_fs_error"
    if not trigger.exists():
        pytest.skip(f"{trigger} is missing (kernel without ext4 error injection)")
    with photocat.Catalog.open(path) as cat:
        cat.add_assets(batch(0))
        trigger.write_text("photocat test\n")
        with pytest.raises(photocat.StorageError) as e:
            cat.add_assets(batch(1))
        assert e.value.errno == errno.EROFS, e.value
        assert "Read-only file system" in str(e.value)
    with pytest.raises(photocat.StorageError) as e:
        photocat.Catalog.open(path)
    assert e.value.errno == errno.EROFS
