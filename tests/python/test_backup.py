"""``Catalog.backup``: a copy taken while another thread writes holds exactly one committed
state; an existing file is never replaced; the catalogue's own file is refused."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import photocat
from records import record

BATCH = 25
BASE = 80


def batch(b: int) -> list[dict[str, object]]:
    return [record(b * BATCH + i, id=f"asset_b{b:05d}i{i:03d}") for i in range(BATCH)]


def ids_of(cat: photocat.Catalog) -> set[str]:
    return {a.id for a in cat.iter_assets(state="all")}


def assert_verifies_clean(cat: photocat.Catalog) -> None:
    """The copy verifies clean, and the list, the count and the summary agree."""
    report = cat.verify()
    assert report.ok, report.problems
    ids = ids_of(cat)
    assert cat.count_assets(state="all") == len(ids)
    assert sum(lib.live for lib in cat.summary().libraries) == cat.count_assets()


def test_a_backup_during_writes_holds_one_committed_state(tmp_path: Path) -> None:
    with photocat.Catalog.open(tmp_path / "photos.redb") as cat:
        for b in range(BASE):
            cat.add_assets(batch(b))
        committed = [BASE]  # batches whose add_assets returned
        begun = [BASE]  # batches whose add_assets was called
        stop = threading.Event()
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                b = BASE
                while not stop.is_set():
                    begun[0] = b + 1
                    cat.add_assets(batch(b))
                    b += 1
                    committed[0] = b
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)

        t = threading.Thread(target=writer)
        t.start()
        try:
            while committed[0] < BASE + 2:
                threading.Event().wait(0.001)
            overlapped = False
            for attempt in range(5):
                copy = tmp_path / f"copy{attempt}.redb"
                before = committed[0]
                assert cat.backup(copy) is None
                after = begun[0]
                with photocat.Catalog.open(copy) as restored:
                    ids = ids_of(restored)
                    assert len(ids) % BATCH == 0
                    k = len(ids) // BATCH
                    assert before <= k <= after, (before, k, after)
                    assert ids == {a["id"] for b in range(k) for a in batch(b)}
                    assert restored.count_assets(state="all") == k * BATCH
                    assert_verifies_clean(restored)
                if after > before + 1:
                    overlapped = True
                    break
        finally:
            stop.set()
            t.join()
        assert not errors, errors
        assert overlapped, "no backup overlapped a commit of the writer"
        assert_verifies_clean(cat)


def test_an_existing_file_is_never_replaced(tmp_path: Path) -> None:
    dest = tmp_path / "taken.redb"
    dest.write_bytes(b"keep me")
    with photocat.Catalog.open(tmp_path / "photos.redb") as cat:
        cat.add_assets(batch(0))
        with pytest.raises(photocat.StorageError, match="never replaces a file") as e:
            cat.backup(str(dest))
        assert isinstance(e.value, OSError)
        assert e.value.filename == str(dest)
        with pytest.raises(photocat.InvalidArgument, match="onto itself"):
            cat.backup(tmp_path / "photos.redb")
    assert dest.read_bytes() == b"keep me"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".photocat-new")]


def test_an_in_memory_catalogue_backs_up_to_a_file(tmp_path: Path) -> None:
    with photocat.Catalog.in_memory() as mem:
        mem.add_assets(batch(0))
        mem.backup(tmp_path / "copy.redb")
        with photocat.Catalog.open(tmp_path / "copy.redb") as copy:
            assert ids_of(copy) == ids_of(mem)


def test_a_closed_catalogue_cannot_back_up(tmp_path: Path) -> None:
    cat = photocat.Catalog.open(tmp_path / "photos.redb")
    cat.close()
    with pytest.raises(photocat.PhotocatError, match="closed"):
        cat.backup(tmp_path / "copy.redb")
    assert not (tmp_path / "copy.redb").exists()
