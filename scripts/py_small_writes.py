#!/usr/bin/env python3
"""Wall and CPU time of small writes from Python: each call one transaction, committed durably.

    TMPDIR=target/tmp .venv/bin/python scripts/py_small_writes.py [N]

Builds a catalogue of N assets (default 20,000) in a temporary folder, then times 300 calls of
each write: `add_assets` of one record and of 20, `update_asset`, `trash_assets` of one asset,
`create_album` and `add_to_album` of 40 assets; then one `trash_assets` call of 300 other
assets, against the 300 one-asset calls above. CPU time is the process's (every thread), so
work handed to other threads counts.
"""

import os
import sys
import tempfile
import time

import photocat

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
CALLS = 300


def timed(label: str, call) -> None:  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(CALLS):
        call(i)
    wall = (time.perf_counter() - wall) / CALLS * 1e3
    cpu = (time.process_time() - cpu) / CALLS * 1e3
    print(f"| {label} | {wall:.3f} ms | {cpu:.3f} ms |")


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        cat = photocat.Catalog.open(os.path.join(d, "small.redb"))
        cat.add_assets(
            [
                {
                    "id": f"a{i}",
                    "local_datetime": f"2020-01-{1 + i % 28:02d}T00:00:00",
                    "original_file_name": f"IMG_{i}.JPG",
                    "exif": {"make": "Canon", "model": f"M{i % 7}", "city": f"C{i % 13}"},
                }
                for i in range(N)
            ]
        )
        print(f"N = {N:,}, {CALLS} calls each")
        print("| call | wall | CPU |")
        print("| --- | --- | --- |")
        timed(
            "add_assets, 1 record",
            lambda i: cat.add_assets(
                [{"id": f"n{i}", "local_datetime": "2021-05-05T10:00:00", "exif": {"make": "Nikon"}}]
            ),
        )
        timed(
            "add_assets, 20 records",
            lambda i: cat.add_assets(
                [{"id": f"m{i}_{j}", "local_datetime": "2021-05-05T10:00:00"} for j in range(20)]
            ),
        )
        timed("update_asset", lambda i: cat.update_asset(f"a{i}", is_favorite=True))
        timed("trash_assets, 1 asset", lambda i: cat.trash_assets([f"a{1000 + i}"]))
        many = [f"a{2000 + i}" for i in range(CALLS)]
        wall, cpu = time.perf_counter(), time.process_time()
        cat.trash_assets(many)
        wall = (time.perf_counter() - wall) / CALLS * 1e3
        cpu = (time.process_time() - cpu) / CALLS * 1e3
        print(f"| trash_assets, {CALLS} assets in one call (per asset) | {wall:.3f} ms | {cpu:.3f} ms |")
        timed("create_album", lambda i: cat.create_album(f"Album {i}", id=f"album_{i}"))
        timed(
            "add_to_album, 40 assets",
            lambda i: cat.add_to_album(f"album_{i}", [f"a{(i * 7919 + j * 131) % N}" for j in range(40)]),
        )
        cat.close()


if __name__ == "__main__":
    main()
