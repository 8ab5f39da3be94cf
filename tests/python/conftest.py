"""Fixtures of the Python tests: catalogues on disk and in memory, and record builders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import photocat


@pytest.fixture
def cat(tmp_path: Path) -> Iterator[photocat.Catalog]:
    """A catalogue file in a temporary directory, closed after the test."""
    with photocat.Catalog.open(tmp_path / "photos.redb") as c:
        yield c


@pytest.fixture
def mem() -> Iterator[photocat.Catalog]:
    """An in-memory catalogue."""
    with photocat.Catalog.in_memory() as c:
        yield c
