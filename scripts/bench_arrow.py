#!/usr/bin/env python3
"""Whole-catalogue reads from Python (issue 12): wall time and peak memory of photocat's
``to_arrow``, ``to_polars``, ``arrow_stream`` and ``export_parquet`` against the SQLite route
a data scientist with a SQLite catalogue would take (``sqlite3``, every row, ``json.loads``,
``pandas.json_normalize``). Prints a markdown table.

Both files come from ``examples/bench_files.rs`` (the benchmark catalogue of
``benches/common``, seed 42, and its SQLite baseline)::

    cargo run --profile bench --features sqlite-baseline --example bench_files -- \\
        100000 target/bench-files/100000.redb target/bench-files/100000.sqlite
    .venv/bin/python scripts/bench_arrow.py \\
        target/bench-files/100000.redb target/bench-files/100000.sqlite

or let the script make them (``--make N``: runs that example when the files are missing)::

    .venv/bin/python scripts/bench_arrow.py --make 100000

Every measurement runs in a fresh subprocess, ``--rounds`` times (default 3); the table
shows the best wall time and the smallest peak. Peak memory is the process's peak RSS
(``getrusage(RUSAGE_SELF).ru_maxrss``) at the end minus the same after the imports and the
opening of the files, so it counts what the call itself made live at its highest (pyarrow's
and polars' buffers included, which ``tracemalloc`` does not see).

The catalogue has three libraries and a list names one, so "the whole catalogue" is read
library by library with ``state="all"`` (every asset once) and the tables concatenated
(``pyarrow.concat_tables``, ``polars.concat``, which share the buffers); the export writes
``DIR/library=<id>/year=Y/month=M/``. The SQLite route reads every row of ``assets`` (each
asset's JSON without its faces, which SQLite keeps in another table: the route does less
than photocat's, which has ``person_ids``, ``face_count`` and ``album_ids``).

The photocat calls assumed: ``Catalog.open(path)``, ``list_libraries()``,
``to_arrow(library_id=, state=)``, ``to_polars(library_id=, state=)``,
``arrow_stream(library_id=, state=, batch_size=)`` (an object with ``__arrow_c_stream__``
or a ``pyarrow.RecordBatchReader``) and ``export_parquet(dir, library_id=, state=,
partition_by="month")``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name, label, what it needs
MEASUREMENTS = [
    ("to_arrow", "photocat `to_arrow()` (pyarrow.Table)"),
    ("to_polars", "photocat `to_polars()` (polars.DataFrame)"),
    ("arrow_stream", "photocat `arrow_stream(batch_size=65536)`, batches consumed one by one"),
    ("export_parquet", 'photocat `export_parquet(dir, partition_by="month")`'),
    ("sqlite_pandas", "SQLite: `sqlite3` + `json.loads` + `pandas.json_normalize`"),
    ("sqlite_json", "SQLite: `sqlite3` + `json.loads` (no DataFrame)"),
]


def rss_bytes() -> int:
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024


def libraries(cat) -> list[str]:
    return [lib.id for lib in cat.list_libraries()]


def child(what: str, catalogue: str, baseline: str) -> dict:
    """One measurement in this (fresh) process: returns secs, peak bytes and extras."""
    extra: dict = {}
    if what.startswith("sqlite"):
        import sqlite3

        if what == "sqlite_pandas":
            import pandas as pd
        conn = sqlite3.connect(baseline)
        before = rss_bytes()
        t = time.perf_counter()
        rows = conn.execute("SELECT json FROM assets").fetchall()
        records = [json.loads(r[0]) for r in rows]
        if what == "sqlite_pandas":
            df = pd.json_normalize(records)
            extra["rows"] = len(df)
            extra["columns"] = len(df.columns)
            extra["nbytes"] = int(df.memory_usage(deep=True).sum())
        else:
            extra["rows"] = len(records)
        secs = time.perf_counter() - t
        return {"secs": secs, "peak": rss_bytes() - before, **extra}

    import photocat

    if what in ("to_arrow", "arrow_stream"):
        import pyarrow as pa
    if what == "to_polars":
        import polars as pl
    cat = photocat.Catalog.open(catalogue)
    libs = libraries(cat)
    out_dir = tempfile.mkdtemp(prefix="photocat-parquet-") if what == "export_parquet" else None
    before = rss_bytes()
    t = time.perf_counter()
    if what == "to_arrow":
        table = pa.concat_tables([cat.to_arrow(library_id=lib, state="all") for lib in libs])
        extra["rows"] = table.num_rows
        extra["columns"] = table.num_columns
        extra["nbytes"] = table.nbytes
    elif what == "to_polars":
        df = pl.concat([cat.to_polars(library_id=lib, state="all") for lib in libs])
        extra["rows"] = df.height
        extra["columns"] = df.width
        extra["nbytes"] = int(df.estimated_size())
    elif what == "arrow_stream":
        rows = 0
        for lib in libs:
            stream = cat.arrow_stream(library_id=lib, state="all", batch_size=65536)
            if not isinstance(stream, pa.RecordBatchReader):
                stream = pa.RecordBatchReader.from_stream(stream)
            for batch in stream:
                rows += batch.num_rows
        extra["rows"] = rows
    elif what == "export_parquet":
        for lib in libs:
            cat.export_parquet(
                os.path.join(out_dir, f"library={lib}"),
                library_id=lib,
                state="all",
                partition_by="month",
            )
    else:
        raise SystemExit(f"unknown measurement {what}")
    secs = time.perf_counter() - t
    peak = rss_bytes() - before
    if out_dir is not None:
        extra["rows"] = sum(cat.count_assets(library_id=lib, state="all") for lib in libs)
        files = [Path(d, f) for d, _, fs in os.walk(out_dir) for f in fs]
        extra["files"] = len(files)
        extra["disk"] = sum(f.stat().st_size for f in files)
        import shutil

        shutil.rmtree(out_dir)
    return {"secs": secs, "peak": peak, **extra}


def measure(what: str, catalogue: str, baseline: str, rounds: int) -> dict | str:
    runs = []
    for _ in range(rounds):
        p = subprocess.run(
            [sys.executable, __file__, "--child", what, catalogue, baseline],
            capture_output=True,
            text=True,
        )
        if p.returncode != 0:
            last = (p.stderr.strip().splitlines() or ["failed"])[-1]
            return f"not measured: {last}"
        runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["secs"])
    best["peak"] = min(r["peak"] for r in runs)
    return best


def make_files(n: int) -> tuple[str, str]:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    out = target / "bench-files"
    cat, sql = out / f"{n}.redb", out / f"{n}.sqlite"
    if not (cat.exists() and sql.exists()):
        for p in (cat, sql):
            p.unlink(missing_ok=True)
        subprocess.run(
            ["cargo", "run", "--profile", "bench", "--features", "sqlite-baseline",
             "--example", "bench_files", "--", str(n), str(cat), str(sql)],
            cwd=ROOT,
            check=True,
        )
    return str(cat), str(sql)


def fmt_mb(b: float) -> str:
    return f"{b / 1e6:,.0f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("catalogue", nargs="?")
    ap.add_argument("baseline", nargs="?")
    ap.add_argument("--make", type=int, metavar="N", help="make (or reuse) the files for N assets")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="measurements to run (default: all)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.catalogue, a.baseline)))
        return
    if a.make:
        a.catalogue, a.baseline = make_files(a.make)
    if not (a.catalogue and a.baseline):
        ap.error("give CATALOGUE and BASELINE, or --make N")

    results = {}
    for what, _ in MEASUREMENTS:
        if a.only and what not in a.only:
            continue
        results[what] = measure(what, a.catalogue, a.baseline, a.rounds)
        print(f"{what}: {results[what]}", file=sys.stderr)

    table = results.get("to_arrow")
    table_bytes = table["nbytes"] if isinstance(table, dict) else None
    sqlite = results.get("sqlite_pandas")
    sqlite_secs = sqlite["secs"] if isinstance(sqlite, dict) else None
    print(f"Catalogue `{a.catalogue}`, baseline `{a.baseline}`; best of {a.rounds} fresh "
          f"processes, Python {sys.version.split()[0]}.\n")
    print("| route | rows | wall time | rows/s | vs SQLite + pandas | peak RSS above start "
          "| peak / Arrow table | notes |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for what, label in MEASUREMENTS:
        if what not in results:
            continue
        r = results[what]
        if isinstance(r, str):
            print(f"| {label} | | | | | | | {r} |")
            continue
        rows = r.get("rows")
        notes = []
        if "nbytes" in r:
            notes.append(f"in memory {fmt_mb(r['nbytes'])}")
        if "columns" in r:
            notes.append(f"{r['columns']} columns")
        if "files" in r:
            notes.append(f"{r['files']} files, {fmt_mb(r['disk'])} on disk")
        speed = f"{rows / r['secs']:,.0f}" if rows else ""
        vs = f"{sqlite_secs / r['secs']:.1f}x" if sqlite_secs else ""
        ratio = f"{r['peak'] / table_bytes:.2f}" if table_bytes else ""
        print(f"| {label} | {rows if rows is not None else ''} | {r['secs']:.2f} s | {speed} "
              f"| {vs} | {fmt_mb(r['peak'])} | {ratio} | {'; '.join(notes)} |")


if __name__ == "__main__":
    main()
