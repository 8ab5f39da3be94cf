"""import_paths: the sample photos, reports, duplicates, progress, cancelling, Ctrl-C."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import photocat
from gumnut_check import check_asset_dict

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


def test_import_the_sample_photos(cat: photocat.Catalog) -> None:
    calls: list[tuple[int, int]] = []
    report = cat.import_paths([PHOTOS], progress=lambda done, total: calls.append((done, total)))
    assert isinstance(report, photocat.ImportReport)
    assert not report.cancelled
    assert len(report.created) >= 20
    assert calls and calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    names = {Path(p).name for p, _ in report.failed}
    assert {"empty.jpg", "not_a_photo.jpg"} <= names
    assert all(isinstance(why, str) and why for _, why in report.failed)
    assert repr(report).startswith(f"ImportReport(created={len(report.created)}, ")
    iphone = next(a for a in report.created if a.original_file_name == "Apple_iPhone_5.jpg")
    assert iphone.mime_type == "image/jpeg" and iphone.exif is not None and iphone.exif["make"] == "Apple"
    assert iphone.checksum is not None and iphone.checksum_sha1 is not None
    for a in report.created:
        check_asset_dict(a.to_dict())
    listed = [a.id for a in cat.iter_assets()]
    assert sorted(listed) == sorted(a.id for a in report.created)


def test_import_twice_reports_duplicates(mem: photocat.Catalog) -> None:
    first = mem.import_paths(PHOTOS)
    again = mem.import_paths(str(PHOTOS))
    assert again.created == []
    assert len(again.duplicates) == len(first.created) + len(first.duplicates)
    ids = {a.id for a in first.created}
    assert all(existing in ids for _, existing in again.duplicates)


def test_import_options(mem: photocat.Catalog, tmp_path: Path) -> None:
    lib = mem.create_library("Photos")
    other = mem.create_library("Other")
    top = mem.import_paths([PHOTOS], library_id=other.id, recursive=False)
    assert all(a.library_id == other.id for a in top.created)
    full = mem.import_paths([PHOTOS], library_id=lib.id, on_duplicate="error")
    assert len(full.created) > len(top.created)
    again = mem.import_paths([PHOTOS], library_id=lib.id, on_duplicate="error")
    assert again.created == [] and again.duplicates == [] and len(again.failed) >= len(full.created)
    with pytest.raises(photocat.InvalidArgument):
        mem.import_paths([PHOTOS])  # two libraries: library_id is needed
    with pytest.raises(photocat.NotFoundError):
        mem.import_paths([PHOTOS], library_id="library_missing")
    with pytest.raises(photocat.InvalidArgument, match="on_duplicate"):
        mem.import_paths([PHOTOS], library_id=lib.id, on_duplicate="ignore")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="progress must be a callable"):
        mem.import_paths([PHOTOS], library_id=lib.id, progress=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mem.import_paths(3)  # type: ignore[arg-type]
    missing = mem.import_paths([tmp_path / "nope.jpg"], library_id=lib.id)
    assert missing.created == [] and len(missing.failed) == 1


def not_imported(cat: photocat.Catalog) -> int:
    """How many sample files a full import does not create (failed ones, duplicate files)."""
    report = cat.import_paths([PHOTOS], library_id=cat.create_library("probe").id)
    return len(report.failed) + len(report.duplicates)


def test_progress_returning_false_cancels(mem: photocat.Catalog) -> None:
    report = mem.import_paths([PHOTOS], progress=lambda done, total: done < 3)
    assert report.cancelled
    assert 1 <= len(report.created) < 20
    assert sorted(a.id for a in mem.iter_assets()) == sorted(a.id for a in report.created)


@pytest.mark.parametrize("stop", [1, 4, 9])
def test_progress_exception_keeps_what_was_read(tmp_path: Path, stop: int) -> None:
    """The documented promise: when progress raises, the files already read stay committed
    (every file counted in `done` before the raise that became an asset is there, complete),
    the exception propagates, and importing again finishes the job."""
    path = tmp_path / "c.redb"
    with photocat.Catalog.in_memory() as probe:
        lost = not_imported(probe)
    with photocat.Catalog.open(path) as cat:
        def progress(done: int, total: int) -> None:
            if done == stop:
                raise ValueError("stop here")

        with pytest.raises(ValueError, match="stop here"):
            cat.import_paths([PHOTOS], progress=progress)
        kept = list(cat.iter_assets())
        assert stop - lost <= len(kept) < 20
        for a in kept:
            assert a.checksum is not None and a.checksum_sha1 is not None and a.mime_type != "application/octet-stream"
            check_asset_dict(a.to_dict())
    with photocat.Catalog.open(path) as cat:
        assert sorted(a.id for a in cat.iter_assets()) == sorted(a.id for a in kept)
        report = cat.import_paths([PHOTOS])
        assert len(report.created) + len(kept) == len(list(cat.iter_assets()))
        assert {existing for _, existing in report.duplicates} >= {a.id for a in kept}


def test_ctrl_c_cancels_cleanly(tmp_path: Path) -> None:
    """SIGINT during an import: the import stops, what was read is committed, and
    KeyboardInterrupt reaches the caller; the catalogue file opens and imports again."""
    path = tmp_path / "c.redb"
    script = textwrap.dedent(
        f"""
        import os, signal, photocat
        # A process started in the background inherits SIGINT as ignored, and Python then
        # keeps it ignored; install the handler an interactive interpreter has.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        cat = photocat.Catalog.open({str(path)!r})
        sent = []
        def progress(done, total):
            if done >= 2 and not sent:
                sent.append(done)
                os.kill(os.getpid(), signal.SIGINT)   # what Ctrl-C does
        try:
            cat.import_paths([{str(PHOTOS)!r}], progress=progress)
        except KeyboardInterrupt:
            print("interrupted", len(list(cat.iter_assets())))
            cat.close()
        else:
            raise SystemExit("not interrupted")
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    word, n = proc.stdout.split()
    assert word == "interrupted" and 1 <= int(n) < 20
    with photocat.Catalog.open(path) as cat:
        assert len(list(cat.iter_assets())) == int(n)
        cat.import_paths([PHOTOS])
        assert len(list(cat.iter_assets())) > int(n)


def test_import_releases_the_interpreter(tmp_path: Path) -> None:
    """Another thread runs Python while an import reads files."""
    import threading

    ticks = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    with photocat.Catalog.open(tmp_path / "c.redb") as cat:
        before = ticks[0]
        cat.import_paths([PHOTOS])
        during = ticks[0] - before
    stop.set()
    t.join()
    assert during > 0
    assert os.path.exists(tmp_path / "c.redb")
