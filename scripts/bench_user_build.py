"""The catalogue built the way a user builds one, through the Python module, against Python's
own sqlite3 on the same data (issue 14's "user build"):

    bash scripts/py_env.sh && .venv/bin/python scripts/bench_user_build.py        # 100,000
    PHOTOCAT_BUILD_N=1000000 .venv/bin/python scripts/bench_user_build.py         # 10^6
    PHOTOCAT_BUILD_ADD=summary .venv/bin/python scripts/bench_user_build.py       # the bulk path
    PHOTOCAT_BUILD_ALBUMS=create .venv/bin/python scripts/bench_user_build.py     # albums in one call each

The sequence, for both engines: `add_assets` (photocat: `add_assets_summary` with
`PHOTOCAT_BUILD_ADD=summary`, which builds no `Asset`) in calls of 50,000 Gumnut-shaped records (EXIF,
GPS for 40%, no faces), then `add_faces` with each call's faces (~1.5 per asset, 5,000 people,
Zipf), then `add_to_album` once per album (2,000 albums, Zipf sizes, ~0.8 memberships per
asset; with `PHOTOCAT_BUILD_ALBUMS=create`, each album is created with its members by one
`create_album(..., asset_ids=...)` call instead), then `trash_assets` for 3%. It prints the rate of each step and of the whole build,
the file size per asset, and the pages a user then reads from Python as JSON: the first page
of 20, the largest album's and the largest person's (best of 200 calls, µs).

SQLite gets what a Python user of it would write: `assets(pk, id UNIQUE, local_datetime,
trashed, json)`, `faces(id, asset_pk, person, json)`, `album_assets(album, asset_pk)`,
indexes for each page's order, WAL, one transaction per call, and pages as one query plus the
faces', with `json.loads`/`json.dumps` to splice them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

import photocat

N = int(os.environ.get("PHOTOCAT_BUILD_N", "100000"))
CALL = 50_000
PEOPLE = 5_000
ALBUMS = 2_000
REPEAT = 200
#: "summary": photocat's assets go in through `add_assets_summary` (counts only).
ADD = os.environ.get("PHOTOCAT_BUILD_ADD", "assets")
#: "create": each album is created with its members in one call (one commit, not two).
ALBUMS_BY = os.environ.get("PHOTOCAT_BUILD_ALBUMS", "link")


def zipf_index(rng: random.Random, n: int) -> int:
    """An index in 0..n, Zipf-like (index 0 most likely)."""
    return min(n - 1, int(n ** rng.random()) - 1)


def dataset(n: int) -> tuple[list[dict], list[dict], dict[str, list[str]], list[str]]:
    rng = random.Random(42)
    assets, faces = [], []
    albums: dict[str, list[str]] = {f"album_{a:05d}": [] for a in range(ALBUMS)}
    album_ids = list(albums)
    for i in range(n):
        aid = f"asset_{i:08d}"
        t = time.gmtime(1_300_000_000 + rng.randrange(15 * 365 * 86400))
        offset = rng.choice(["+02:00", "-05:00", "Z", ""])
        gps = rng.random() < 0.4
        assets.append(
            {
                "id": aid,
                "original_file_name": f"IMG_{i:07d}.JPG",
                "mime_type": "image/jpeg",
                "local_datetime": time.strftime("%Y-%m-%dT%H:%M:%S", t) + offset,
                "checksum": base64.b64encode(hashlib.sha256(aid.encode()).digest()).decode(),
                "width": 4032,
                "height": 3024,
                "file_size_bytes": 2_000_000 + i,
                "is_favorite": rng.random() < 0.05,
                "exif": {
                    "make": rng.choice(["Apple", "Canon", "SONY", "Google"]),
                    "model": "Model " + str(rng.randrange(20)),
                    "iso": 100 * rng.randrange(1, 33),
                    "f_number": rng.choice([1.6, 1.8, 2.8, 4.0]),
                    "focal_length": 4.2,
                    "exposure_time": 1 / rng.randrange(30, 2000),
                    "latitude": 48.85 + rng.random() if gps else None,
                    "longitude": 2.35 + rng.random() if gps else None,
                    "city": rng.choice(["Paris", "Lyon", "Kyoto"]) if gps else None,
                },
            }
        )
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            faces.append(
                {
                    "asset_id": aid,
                    "person_id": f"person_{zipf_index(rng, PEOPLE):05d}",
                    "bounding_box": {"x": 10, "y": 20, "w": 100, "h": 120},
                }
            )
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            members = albums[album_ids[zipf_index(rng, ALBUMS)]]
            if not members or members[-1] != aid:
                members.append(aid)
    trashed = [a["id"] for a in assets if rng.random() < 0.03]
    return assets, faces, albums, trashed


def best(f) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times) * 1e6


def build_photocat(path: Path, assets, faces, albums, trashed) -> dict[str, float]:  # type: ignore[no-untyped-def]
    out: dict[str, float] = {}
    cat = photocat.Catalog.open(str(path))
    for p in range(PEOPLE):
        cat.create_person(name=f"Person {p}", id=f"person_{p:05d}")
    t0 = time.perf_counter()
    t = t0
    by_asset: dict[str, list[dict]] = {}
    for f in faces:
        by_asset.setdefault(f["asset_id"], []).append(f)
    for start in range(0, len(assets), CALL):
        chunk = assets[start : start + CALL]
        if ADD == "summary":
            cat.add_assets_summary(chunk)
        else:
            cat.add_assets(chunk)
    out["add_assets"] = time.perf_counter() - t
    t = time.perf_counter()
    for start in range(0, len(assets), CALL):
        chunk_faces = [f for a in assets[start : start + CALL] for f in by_asset.get(a["id"], [])]
        cat.add_faces(chunk_faces)
    out["add_faces"] = time.perf_counter() - t
    t = time.perf_counter()
    for album_id, members in albums.items():
        if ALBUMS_BY == "create":
            cat.create_album(f"Album {album_id}", id=album_id, asset_ids=members)
            continue
        cat.create_album(f"Album {album_id}", id=album_id)
        if members:
            cat.add_to_album(album_id, members)
    out["albums"] = time.perf_counter() - t
    t = time.perf_counter()
    cat.trash_assets(trashed)
    out["trash"] = time.perf_counter() - t
    out["total"] = time.perf_counter() - t0
    out["bytes"] = path.stat().st_size
    largest_album = max(albums, key=lambda a: len(albums[a]))
    out["page"] = best(lambda: cat.list_assets(limit=20).to_json())
    out["album"] = best(lambda: cat.list_assets(album_id=largest_album, limit=20).to_json())
    out["person"] = best(lambda: cat.list_assets(person_id="person_00000", limit=20).to_json())
    if hasattr(cat, "list_assets_json"):
        out["page_stored"] = best(lambda: cat.list_assets_json(limit=20))
        out["album_stored"] = best(lambda: cat.list_assets_json(album_id=largest_album, limit=20))
        out["person_stored"] = best(lambda: cat.list_assets_json(person_id="person_00000", limit=20))
    cat.close()
    return out


def build_sqlite(path: Path, assets, faces, albums, trashed) -> dict[str, float]:  # type: ignore[no-untyped-def]
    out: dict[str, float] = {}
    db = sqlite3.connect(str(path))
    db.executescript(
        """
        PRAGMA journal_mode=WAL;
        CREATE TABLE assets(pk INTEGER PRIMARY KEY, id TEXT UNIQUE, local_datetime TEXT,
                            trashed INTEGER DEFAULT 0, json TEXT);
        CREATE INDEX assets_order ON assets(trashed, local_datetime DESC, id DESC);
        CREATE TABLE faces(id INTEGER PRIMARY KEY, asset_pk INTEGER, person TEXT, json TEXT);
        CREATE INDEX faces_person ON faces(person, asset_pk);
        CREATE INDEX faces_asset ON faces(asset_pk);
        CREATE TABLE album_assets(album TEXT, asset_pk INTEGER, PRIMARY KEY(album, asset_pk));
        """
    )
    t0 = time.perf_counter()
    t = t0
    for start in range(0, len(assets), CALL):
        with db:
            db.executemany(
                "INSERT INTO assets(id, local_datetime, json) VALUES (?, ?, ?)",
                ((a["id"], a["local_datetime"], json.dumps(a)) for a in assets[start : start + CALL]),
            )
    out["add_assets"] = time.perf_counter() - t
    t = time.perf_counter()
    by_asset: dict[str, list[dict]] = {}
    for f in faces:
        by_asset.setdefault(f["asset_id"], []).append(f)
    for start in range(0, len(assets), CALL):
        chunk_faces = [f for a in assets[start : start + CALL] for f in by_asset.get(a["id"], [])]
        with db:
            db.executemany(
                "INSERT INTO faces(asset_pk, person, json) "
                "SELECT pk, ?, ? FROM assets WHERE id = ?",
                ((f["person_id"], json.dumps(f), f["asset_id"]) for f in chunk_faces),
            )
    out["add_faces"] = time.perf_counter() - t
    t = time.perf_counter()
    for album_id, members in albums.items():
        with db:
            db.executemany(
                "INSERT OR IGNORE INTO album_assets SELECT ?, pk FROM assets WHERE id = ?",
                ((album_id, m) for m in members),
            )
    out["albums"] = time.perf_counter() - t
    t = time.perf_counter()
    with db:
        db.executemany("UPDATE assets SET trashed = 1 WHERE id = ?", ((i,) for i in trashed))
    out["trash"] = time.perf_counter() - t
    out["total"] = time.perf_counter() - t0
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out["bytes"] = path.stat().st_size
    largest_album = max(albums, key=lambda a: len(albums[a]))

    def page(where: str, args: tuple) -> str:  # type: ignore[type-arg]
        rows = db.execute(
            f"SELECT a.pk, a.json FROM assets a {where} ORDER BY a.local_datetime DESC, a.id DESC LIMIT 21",
            args,
        ).fetchall()
        data = []
        for pk, j in rows[:20]:
            a = json.loads(j)
            a["faces"] = [json.loads(f) for (f,) in db.execute("SELECT json FROM faces WHERE asset_pk = ?", (pk,))]
            data.append(a)
        return json.dumps({"data": data, "has_more": len(rows) > 20})

    out["page"] = best(lambda: page("WHERE a.trashed = 0", ()))
    out["album"] = best(
        lambda: page("JOIN album_assets m ON m.asset_pk = a.pk WHERE m.album = ? AND a.trashed = 0", (largest_album,))
    )
    out["person"] = best(
        lambda: page(
            "WHERE a.trashed = 0 AND a.pk IN (SELECT asset_pk FROM faces WHERE person = ?)", ("person_00000",)
        )
    )
    db.close()
    return out


def main() -> None:
    assets, faces, albums, trashed = dataset(N)
    links = sum(len(m) for m in albums.values())
    print(f"N = {N:,}: {len(faces):,} faces, {links:,} album memberships, {len(trashed):,} trashed")
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as d:
        results = {
            "photocat": build_photocat(Path(d) / "cat.redb", assets, faces, albums, trashed),
            "sqlite3": build_sqlite(Path(d) / "cat.sqlite", assets, faces, albums, trashed),
        }
    print("| step | photocat | Python's sqlite3 |")
    print("| --- | --- | --- |")
    for step in ["add_assets", "add_faces", "albums", "trash", "total"]:
        cells = [f"{r[step]:.1f} s" for r in results.values()]
        print(f"| {step} | " + " | ".join(cells) + " |")
    cells = [f"{N / r['total']:,.0f}" for r in results.values()]
    print("| assets/s, whole build | " + " | ".join(cells) + " |")
    cells = [f"{r['bytes'] / N:,.0f}" for r in results.values()]
    print("| bytes per asset | " + " | ".join(cells) + " |")
    for q in ["page", "album", "person"]:
        cells = [f"{r[q]:.1f} µs" for r in results.values()]
        print(f"| {q} of 20 as JSON (list + to_json) | " + " | ".join(cells) + " |")
        if f"{q}_stored" in results["photocat"]:
            print(f"| {q} of 20, list_assets_json | {results['photocat'][q + '_stored']:.1f} µs | |")


if __name__ == "__main__":
    main()
