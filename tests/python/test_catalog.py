"""Opening, closing, context manager, paths, persistence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import photocat
from records import record


def test_open_creates_file_and_reopens_with_data(tmp_path: Path) -> None:
    path = tmp_path / "photos.redb"
    cat = photocat.Catalog.open(str(path))
    assert path.exists()
    [a] = cat.add_assets([record(1)])
    cat.close()
    with photocat.Catalog.open(path) as again:
        assert again.get_asset(a.id) == a
        assert again.path == str(path)


def test_open_accepts_pathlike(tmp_path: Path) -> None:
    class P(os.PathLike[str]):
        def __fspath__(self) -> str:
            return str(tmp_path / "p.redb")

    with photocat.Catalog.open(P()) as cat:
        assert cat.path == str(tmp_path / "p.redb")


def test_open_with_a_cache_size(tmp_path: Path) -> None:
    path = tmp_path / "photos.redb"
    with photocat.Catalog.open(path, cache_size=8 << 20) as cat:
        [a] = cat.add_assets([record(1)])
    # The size is the process's, not the file's: any size opens the same catalogue.
    for size in (0, None, 1 << 40):
        with photocat.Catalog.open(path, cache_size=size) as cat:
            assert cat.get_asset(a.id) == a
    with pytest.raises(photocat.InvalidArgument, match="cache_size must be a number of bytes"):
        photocat.Catalog.open(path, cache_size=-1)
    with pytest.raises(TypeError):
        photocat.Catalog.open(path, cache_size="1GB")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        photocat.Catalog.open(path, 1 << 20)  # type: ignore[misc]


def test_open_refuses_other_types() -> None:
    with pytest.raises(TypeError):
        photocat.Catalog.open(42)  # type: ignore[arg-type]


def test_in_memory_touches_no_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cat = photocat.Catalog.in_memory()
    cat.add_assets([record(1)])
    assert cat.path is None
    assert list(tmp_path.iterdir()) == []


def test_context_manager_closes(tmp_path: Path) -> None:
    with photocat.Catalog.open(tmp_path / "c.redb") as cat:
        assert not cat.closed
    assert cat.closed
    with pytest.raises(photocat.PhotocatError, match="the catalogue is closed"):
        cat.list_assets()
    # The file is released: it opens again.
    photocat.Catalog.open(tmp_path / "c.redb").close()


def test_context_manager_closes_on_error_and_does_not_swallow(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        with photocat.Catalog.open(tmp_path / "c.redb") as cat:
            raise RuntimeError("boom")
    assert cat.closed


def test_close_is_idempotent_and_every_call_then_fails() -> None:
    cat = photocat.Catalog.in_memory()
    [a] = cat.add_assets([record(1)])
    album = cat.create_album("A")
    cat.close()
    cat.close()
    calls = [
        lambda: cat.get_asset(a.id),
        lambda: cat.add_assets([record(2)]),
        lambda: cat.iter_assets(),
        lambda: cat.list_album_assets(album.id),
        lambda: cat.create_library("x"),
        lambda: cat.list_libraries(),
    ]
    for call in calls:
        with pytest.raises(photocat.PhotocatError, match="closed"):
            call()


def test_iterator_of_a_closed_catalogue_raises() -> None:
    cat = photocat.Catalog.in_memory()
    cat.add_assets([record(i) for i in range(5)])
    it = cat.iter_assets(page_size=2)
    next(it)
    next(it)
    cat.close()
    with pytest.raises(photocat.PhotocatError, match="closed"):
        list(it)


def test_repr() -> None:
    assert repr(photocat.Catalog.in_memory()) == "Catalog.in_memory()"
    cat = photocat.Catalog.in_memory()
    cat.close()
    assert repr(cat) == "Catalog.in_memory(closed)"


def test_repr_of_file(tmp_path: Path) -> None:
    with photocat.Catalog.open(tmp_path / "x.redb") as cat:
        assert repr(cat) == f"Catalog.open({str(tmp_path / 'x.redb')!r})".replace("'", '"')


def test_version() -> None:
    assert photocat.__version__.count(".") == 2


def test_two_catalogues_are_independent() -> None:
    a, b = photocat.Catalog.in_memory(), photocat.Catalog.in_memory()
    a.add_assets([record(1)])
    assert len(a.list_assets()) == 1
    assert len(b.list_assets()) == 0


def test_compact_frees_space_and_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "c.redb"
    with photocat.Catalog.open(path) as cat:
        added = cat.add_assets([record(i) for i in range(2000)])
        cat.delete_assets([a.id for a in added[100:]])
        before = path.stat().st_size
        assert cat.compact() is True
        assert path.stat().st_size < before
        assert cat.compact() is False  # nothing left to free
        assert sorted(a.id for a in cat.iter_assets()) == sorted(a.id for a in added[:100])
        cat.add_assets([record(5000)])  # still writable
    with photocat.Catalog.open(path) as cat:
        assert len(list(cat.iter_assets())) == 101


def test_compact_in_memory_and_closed() -> None:
    cat = photocat.Catalog.in_memory()
    cat.add_assets([record(1)])
    assert isinstance(cat.compact(), bool)
    assert len(cat.list_assets()) == 1
    cat.close()
    with pytest.raises(photocat.PhotocatError, match="the catalogue is closed"):
        cat.compact()


def test_an_iterator_goes_on_after_compact(tmp_path: Path) -> None:
    with photocat.Catalog.open(tmp_path / "c.redb") as cat:
        added = cat.add_assets([record(i) for i in range(50)])
        cat.delete_assets([a.id for a in added[::2]])
        walk = cat.iter_assets(page_size=7)
        first = [next(walk) for _ in range(10)]
        assert cat.compact() is True
        seen = [a.id for a in first + list(walk)]
        assert seen == [a.id for a in cat.iter_assets()]
        assert sorted(seen) == sorted(a.id for a in added[1::2])


def test_compact_refuses_while_a_call_runs_in_another_thread(tmp_path: Path) -> None:
    """A call in another thread holds the catalogue (here an import paused in its progress
    callable): compact() raises PhotocatError at once and changes nothing."""
    import threading

    photos = Path(__file__).resolve().parents[1] / "data" / "photos"
    inside, release = threading.Event(), threading.Event()
    with photocat.Catalog.open(tmp_path / "c.redb") as cat:

        def progress(done: int, total: int) -> None:
            if not inside.is_set():
                inside.set()
                release.wait(30)

        t = threading.Thread(target=lambda: cat.import_paths([photos], progress=progress))
        t.start()
        try:
            assert inside.wait(30)
            with pytest.raises(photocat.PhotocatError, match="compact\\(\\) needs the catalogue to itself, and a call is running in another thread"):
                cat.compact()
            assert not cat.closed
        finally:
            release.set()
            t.join()
        assert len(list(cat.iter_assets())) > 0
        assert isinstance(cat.compact(), bool)


def test_calls_and_close_during_compact(tmp_path: Path) -> None:
    """While compact() runs, other threads' calls fail with a clear PhotocatError (or run
    before or after it) and never deadlock; a close() meanwhile closes the catalogue after it."""
    import threading

    path = tmp_path / "c.redb"
    with photocat.Catalog.open(path) as cat:
        added = cat.add_assets([record(i) for i in range(3000)])
        cat.delete_assets([a.id for a in added[1000:]])
        outcome: list[object] = []
        t = threading.Thread(target=lambda: outcome.append(cat.compact()))
        t.start()
        errors = []
        while t.is_alive():
            try:
                assert len(cat.list_assets(limit=5)) == 5
            except photocat.PhotocatError as e:
                errors.append(str(e))
        t.join()
        assert outcome == [True]
        assert set(errors) <= {"the catalogue is being compacted (compact() is running in another thread); try again when it returns"}
        assert len(list(cat.iter_assets())) == 1000

    cat = photocat.Catalog.open(path)
    cat.delete_assets([a.id for a in list(cat.iter_assets())[:500]])
    results: list[object] = []

    def compact() -> None:
        try:
            results.append(cat.compact())
        except photocat.PhotocatError as e:
            results.append(str(e))

    t = threading.Thread(target=compact)
    t.start()
    cat.close()
    t.join()
    assert cat.closed
    assert results in ([True], ["the catalogue is closed"])
    with pytest.raises(photocat.PhotocatError, match="the catalogue is closed"):
        cat.list_assets()
    with photocat.Catalog.open(path) as again:  # the file was released
        assert len(list(again.iter_assets())) == 500
