"""The main job: import the sample photos and videos shipped in the repository into a catalogue
file with a progress bar, then print the newest page as Gumnut JSON, a short table (with where
each capture time came from) and the catalogue's summary.

    bash scripts/demo.sh                    # sets up .venv, builds the module, runs this
    .venv/bin/python examples/demo.py [CATALOG] [FOLDER]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import photocat

ROOT = Path(__file__).resolve().parents[1]


def bar(done: int, total: int, width: int = 40) -> None:
    filled = width * done // max(total, 1)
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files", end="", file=sys.stderr)


def main() -> None:
    catalog = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target" / "demo.redb"
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "tests" / "data" / "photos"
    catalog.parent.mkdir(parents=True, exist_ok=True)
    with photocat.Catalog.open(catalog) as cat:
        report = cat.import_paths([folder], progress=bar)
        print(file=sys.stderr)
        print(
            f"{len(report.created)} created, {len(report.duplicates)} duplicates, "
            f"{len(report.failed)} failed -> {catalog}",
            file=sys.stderr,
        )
        for path, reason in report.failed:
            print(f"  failed {Path(path).relative_to(folder)}: {reason}", file=sys.stderr)

        page = cat.list_assets(limit=5)
        print(json.dumps(page.to_dict(), indent=2))

        print(file=sys.stderr)
        print(f"{'local_datetime':<32} {'time from':<10} {'camera':<20} {'size':>11}  file", file=sys.stderr)
        for a in page.data:
            when = a.local_datetime.isoformat()
            if a.local_offset is not None:
                when = a.local_datetime.replace(tzinfo=a.local_offset).isoformat()
            source = a.local_datetime_source or ""
            camera = (a.exif or {}).get("model") or ""
            size = f"{a.width}x{a.height}"
            print(f"{when:<32} {source:<10} {camera:<20} {size:>11}  {a.original_file_name}", file=sys.stderr)
        print(f"has_more: {page.has_more}", file=sys.stderr)
        if any(a.local_datetime_source in ("file_mtime", "file_created_at") for a in page.data):
            print(
                "time from file_mtime or file_created_at: the file has no capture time, so it is "
                "dated by the earlier of its file times, in UTC (here: when the repository was "
                "checked out), hence first.",
                file=sys.stderr,
            )
        print(cat.summary(), file=sys.stderr)  # counts read from the catalogue, nothing walked


if __name__ == "__main__":
    main()
