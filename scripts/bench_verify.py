"""Times Catalog.verify() on a catalogue of N assets built through the Python module
(RELIABILITY.md, section 1). Usage: python scripts/bench_verify.py N [DIR]

Records have a local datetime with offset, a file name, a make and a city, and every fourth a
face of one of 50 people; they are added in calls of 50,000. Prints the load time, the verify
time, the report's counts and the file size. The catalogue goes to a temporary folder under DIR
(default: target/tmp), removed at the end.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time

import photocat


def main() -> None:
    n = int(sys.argv[1])
    parent = sys.argv[2] if len(sys.argv) > 2 else "target/tmp"
    os.makedirs(parent, exist_ok=True)
    d = tempfile.mkdtemp(dir=parent)
    try:
        path = os.path.join(d, "verify.redb")
        with photocat.Catalog.open(path) as cat:
            for p in range(50):
                cat.create_person(f"P{p}", id=f"person_{p}")
            t = time.perf_counter()
            for b in range(0, n, 50_000):
                cat.add_assets(
                    [
                        {
                            "local_datetime": f"20{10 + i % 14}-0{1 + i % 9}-1{i % 9}T10:{i % 60:02d}:00+01:00",
                            "original_file_name": f"IMG_{i}.JPG",
                            "exif": {"make": ["Canon", "SONY", "Apple"][i % 3], "city": ["Paris", "Oslo"][i % 2]},
                            "faces": [{"person_id": f"person_{i % 50}"}] if i % 4 == 0 else [],
                        }
                        for i in range(b, min(n, b + 50_000))
                    ]
                )
            print(f"load {time.perf_counter() - t:.2f} s")
            t = time.perf_counter()
            report = cat.verify()
            print(f"verify {time.perf_counter() - t:.2f} s, ok={report.ok}")
            print(dict(report.counts))
        print(f"file {os.path.getsize(path):,} bytes")
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    main()
