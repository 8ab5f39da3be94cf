"""The README's Python examples run as written (each ```python block, in order, in one
namespace, in a temporary working directory)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)


def test_readme_has_python_examples() -> None:
    assert python_blocks(), "README.md has no ```python example"


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The examples name the sample photos by their path in the repository.
    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "photos").symlink_to(README.parent / "tests" / "data" / "photos")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme"}
    for i, block in enumerate(python_blocks()):
        exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
