"""The examples run (so they cannot rot): the demo, the notebook walk-through and the typed one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True)


def test_demo_shows_where_capture_times_come_from(tmp_path: Path) -> None:
    out = run("examples/demo.py", str(tmp_path / "demo.redb"), str(ROOT / "tests" / "data" / "photos"))
    assert '"has_more": true' in out.stdout
    header = next(line for line in out.stderr.splitlines() if line.startswith("local_datetime"))
    assert "time from" in header
    rows = out.stderr.split(header + "\n", 1)[1].splitlines()[:5]
    sources = ("exif", "quicktime", "file_mtime", "file_created_at")
    assert all(any(src in row for src in sources) for row in rows), rows
    if any("file_mtime" in row or "file_created_at" in row for row in rows):
        assert "the file has no capture time" in out.stderr
    assert "Summary(format_version=6" in out.stderr


def test_notebook_prints_the_tables_and_plots_when_it_can(tmp_path: Path) -> None:
    out = run("examples/notebook.py", str(tmp_path))
    assert "Assets per month:" in out.stdout and "Top cameras:" in out.stdout
    assert "assets with GPS:" in out.stdout
    assert "Canon" in out.stdout  # the sample set has Canon cameras and GPS points
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in out.stdout
    else:
        assert {p.name for p in tmp_path.glob("*.png")} == {"months.png", "cameras.png", "map.png"}


def test_typed_example() -> None:
    out = run("examples/typed_example.py")
    assert "compacted: True" in out.stdout
