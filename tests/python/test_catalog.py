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
