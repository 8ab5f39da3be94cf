"""What the Python binding costs around the engine for the user's build's inputs and a
notebook's outputs (issue 14, tenth pass):

    bash scripts/py_env.sh && .venv/bin/python scripts/py_convert.py

- reading records: `add_assets` of 20,000 Gumnut-shaped records (the user's build's data,
  `scripts/bench_user_build.py`) whose last record is bad, so the call converts every dict
  and then fails before the transaction writes anything; the same for 30,000 faces with
  `add_faces`. Best of 5, per record.
- `to_dict` of a page of 200 assets with faces and people, best of 300, per asset.
"""

from __future__ import annotations

from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_user_build as build  # noqa: E402
from py_overhead import best  # noqa: E402

import photocat  # noqa: E402


def failing(call, records) -> None:  # type: ignore[no-untyped-def]
    try:
        call(records)
    except photocat.InvalidArgument:
        return
    raise AssertionError("the last record was accepted")


def main() -> None:
    assets, faces, _, _ = build.dataset(20_000)
    with photocat.Catalog.in_memory() as cat:
        bad = assets + [{"bogus": 1}]
        t = best(lambda: failing(cat.add_assets, bad), 5)
        print(f"reading 20,000 asset records: {t * 1e3:.1f} ms, {t / 20_000 * 1e6:.2f} µs per record")
        bad_faces = faces[:30_000] + [{"bogus": 1}]
        t = best(lambda: failing(cat.add_faces, bad_faces), 5)
        print(f"reading 30,000 faces: {t * 1e3:.1f} ms, {t / 30_000 * 1e6:.2f} µs per face")

        for p in range(build.PEOPLE):
            cat.create_person(name=f"Person {p}", id=f"person_{p:05d}")
        cat.add_assets(assets[:2_000])
        ids = {a["id"] for a in assets[:2_000]}
        cat.add_faces([f for f in faces if f["asset_id"] in ids])
        page = cat.list_assets(limit=200).data
        t = best(lambda: [a.to_dict() for a in page], 300)
        print(f"to_dict of a page of 200 with faces and people: {t / len(page) * 1e6:.2f} µs per asset")


if __name__ == "__main__":
    main()
