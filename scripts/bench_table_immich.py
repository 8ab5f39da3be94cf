#!/usr/bin/env python3
"""Turns a `cargo bench --bench immich` log into the Markdown table of BENCHMARKS.md: the median
of every engine per row and photocat's ratio to each SQLite engine. Usage:
bench_table_immich.py LOG"""
import re
import sys

UNITS = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
rows, order, engines = {}, [], []
name = None
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^(\S+)/n=(\d+)/(\w+)(\s|$)", line)
    if m:
        name = (m.group(1), m.group(3))
    m = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if m and name:
        q, engine = name
        if q.startswith("random_100_order_by_random"):
            q, engine = "random_100", "sqlite_order_by_random"
        if q not in rows:
            rows[q] = {}
            order.append(q)
        if engine not in engines:
            engines.append(engine)
        rows[q][engine] = float(m.group(1)) * UNITS[m.group(2)]
        name = None


def fmt(us):
    if us is None:
        return ""
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.1f} µs"


sqls = [e for e in engines if e.startswith("sqlite")]
print("| row | " + " | ".join(engines) + " | " + " | ".join(f"photocat/{e}" for e in sqls) + " |")
print("| --- " * (1 + len(engines) + len(sqls)) + "|")
for q in order:
    r = rows[q]
    p = r.get("photocat")
    ratios = [f"{p / r[e]:.3f}" if p and r.get(e) else "" for e in sqls]
    print(f"| {q} | " + " | ".join(fmt(r.get(e)) for e in engines) + " | " + " | ".join(ratios) + " |")
