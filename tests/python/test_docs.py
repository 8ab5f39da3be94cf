"""Docstring examples are executed, and every public call has a docstring with one."""

from __future__ import annotations

import doctest
import inspect
import pydoc
from pathlib import Path

import pytest

import photocat
import photocat._frames
import photocat.errors


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", [photocat, photocat.errors], ids=lambda m: m.__name__)
def test_docstring_examples_run(module: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # examples name the sample photos by their path in the repository
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)  # type: ignore[arg-type]
    assert result.failed == 0
    assert result.attempted > 0


PUBLIC_CALLS = [
    name for name, value in vars(photocat.Catalog).items() if not name.startswith("_") and callable(value)
] + ["AssetPage.to_json", "AssetPage.to_dict", "AssetPage.to_pandas", "SearchPage.to_json", "SearchPage.to_dict", "SearchPage.to_pandas", "Asset.to_json", "Asset.to_dict", "Asset.to_immich_json", "Asset.to_immich_dict"]


def test_every_catalog_method_is_listed() -> None:
    names = {n for n in PUBLIC_CALLS if "." not in n}
    assert {"open", "in_memory", "close", "add_assets", "list_assets", "iter_assets", "get_asset", "search_assets", "time_buckets"} <= names
    assert len(names) >= 24


@pytest.mark.parametrize("name", PUBLIC_CALLS)
def test_public_calls_have_a_docstring_with_an_example(name: str) -> None:
    obj: object = photocat.Catalog
    for part in name.split("."):
        obj = getattr(photocat if obj is photocat.Catalog and part[0].isupper() else obj, part)
    doc = inspect.getdoc(obj) or ""
    assert ">>>" in doc, f"{name} has no example"
    # help() shows it.
    assert ">>>" in pydoc.render_doc(obj)


@pytest.mark.parametrize("cls", [photocat.Asset, photocat.AssetPage, photocat.SearchPage, photocat.AllAssets, photocat.AllAssetsJson, photocat.Catalog, photocat.Face, photocat.Person, photocat.Album, photocat.Library, photocat.Summary, photocat.LibrarySummary, photocat.ChecksumMatch, photocat.ArrowStream])
def test_classes_have_docstrings(cls: type) -> None:
    assert (cls.__doc__ or "").strip()
    assert cls.__module__ == "photocat"
