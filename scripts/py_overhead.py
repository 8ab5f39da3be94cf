"""What the Python layer adds to a page: photocat from Python vs the same call in Rust (timed
inside the module with the interpreter released) vs Python's own sqlite3 on the same data.

    bash scripts/py_env.sh && .venv/bin/python scripts/py_overhead.py            # 100,000 assets
    PHOTOCAT_OVERHEAD_N=1000000 .venv/bin/python scripts/py_overhead.py          # 10^6

Each figure is the fastest of many calls (µs per call), for the first page and a page deep in
the list, with limit 20 and 200. "per asset" is (Python - Rust) / limit: the cost of the
binding (Asset objects, the page object) per asset returned. The sqlite3 baseline stores each
asset's Gumnut JSON in a table indexed by (local_datetime, id) and returns the page as dicts
(json.loads per row), i.e. what a Python user of SQLite would get.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import photocat

N = int(os.environ.get("PHOTOCAT_OVERHEAD_N", "100000"))
REPEAT = int(os.environ.get("PHOTOCAT_OVERHEAD_REPEAT", "200"))


def records(n: int) -> list[dict[str, object]]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        day = rng.randrange(3650)
        secs = rng.randrange(86400)
        t = time.gmtime(1_400_000_000 + day * 86400 + secs)
        out.append(
            {
                "id": f"asset_{i:08d}",
                "original_file_name": f"IMG_{i:06d}.jpg",
                "mime_type": "image/jpeg",
                "local_datetime": time.strftime("%Y-%m-%dT%H:%M:%S", t) + "+02:00",
                "width": 4032,
                "height": 3024,
                "file_size_bytes": 2_000_000 + i,
                "exif": {"make": "Apple", "model": "iPhone 12", "iso": 100 + i % 400, "f_number": 1.6, "focal_length": 4.2},
            }
        )
    return out


def best(f, repeat: int = REPEAT) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="photocat-overhead-"))
    print(f"building {N:,} assets in {work} ...", file=sys.stderr)
    recs = records(N)
    cat = photocat.Catalog.open(work / "c.redb")
    for i in range(0, N, 50_000):
        cat.add_assets(recs[i : i + 50_000])
    db = sqlite3.connect(work / "c.sqlite")
    db.execute("CREATE TABLE assets (id TEXT PRIMARY KEY, local TEXT NOT NULL, json TEXT NOT NULL)")
    db.execute("CREATE INDEX assets_order ON assets (local DESC, id DESC)")
    with db:
        for i in range(0, N, 50_000):
            page = cat.list_assets(ids=None, limit=1)  # keep the catalogue warm
            del page
        db.executemany(
            "INSERT INTO assets VALUES (?, ?, ?)",
            ((a.id, a.local_datetime.isoformat(), a.to_json()) for a in cat.iter_assets(page_size=200)),
        )
    walk = [a.id for a in cat.iter_assets(page_size=200)]
    deep_cursor = walk[N // 2]
    deep_local = cat.get_asset(deep_cursor).local_datetime.isoformat()

    def sqlite_page(limit: int, cursor: str | None) -> list[dict[str, object]]:
        if cursor is None:
            rows = db.execute("SELECT json FROM assets ORDER BY local DESC, id DESC LIMIT ?", (limit + 1,)).fetchall()
        else:
            rows = db.execute(
                "SELECT json FROM assets WHERE (local, id) < (?, ?) ORDER BY local DESC, id DESC LIMIT ?",
                (deep_local, cursor, limit + 1),
            ).fetchall()
        return [json.loads(r[0]) for r in rows[:limit]]

    print(f"{'page':<18}{'Rust':>10}{'Python':>10}{'per asset':>11}{'sqlite3':>10}   (µs, best of {REPEAT})")
    for limit in (20, 200):
        for name, cursor in (("first", None), ("deep", deep_cursor)):
            rust = cat._time_list_assets(REPEAT, limit, cursor)  # type: ignore[attr-defined]
            py = best(lambda: cat.list_assets(limit=limit, starting_after_id=cursor))
            sq = best(lambda: sqlite_page(limit, cursor))
            per = (py - rust) / limit
            print(f"{name + ' ' + str(limit):<18}{rust * 1e6:>10.1f}{py * 1e6:>10.1f}{per * 1e6:>11.2f}{sq * 1e6:>10.1f}")
    # The cost of reading every attribute a notebook touches, and of to_dict, per asset.
    page = cat.list_assets(limit=200)
    attrs = best(lambda: [(a.id, a.local_datetime, a.captured_at, a.width, a.original_file_name) for a in page.data], 50)
    dicts = best(lambda: page.to_dict(), 50)
    print(f"5 attributes per asset: {attrs / 200 * 1e6:.2f} µs; to_dict per asset: {dicts / 200 * 1e6:.2f} µs")
    # The same per asset for the nested attributes (each built from the Rust values), one
    # asset's to_dict, the page's JSON, and json.loads of that JSON (what to_dict once cost).
    nested = best(lambda: [(a.exif, a.metadata, a.faces, a.people) for a in page.data], 50)
    one = best(lambda: [a.to_dict() for a in page.data], 50)
    text = best(lambda: page.to_json(), 50)
    body = page.to_json()
    loads = best(lambda: json.loads(body), 50)
    print(
        f"exif, metadata, faces, people per asset: {nested / 200 * 1e6:.2f} µs; "
        f"Asset.to_dict: {one / 200 * 1e6:.2f} µs; page.to_json: {text / 200 * 1e6:.2f} µs; "
        f"json.loads of that JSON: {loads / 200 * 1e6:.2f} µs (per asset)"
    )
    cat.close()
    db.close()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
