#!/usr/bin/env python3
"""Turns a `cargo bench --bench search` log into the Markdown table of BENCHMARKS.md: median
per query and engine, the photocat/SQLite ratio, the result's size and photocat's storage
work. Usage: bench_table_search.py LOG"""
import re
import sys

UNITS = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
rows, order, result, work = {}, [], {}, {}
name = None
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^(\S+)/n=(\d+)/(\w+)(\s|$)", line)
    if m:
        name = (m.group(1), m.group(3))
    stats = r"ReadStats \{ index_entries: (\d+), records: (\d+), seeks: (\d+) \}"
    m = re.match(r"^(\S+): (\d+) buckets, (\d+) assets, " + stats, line)
    if m:
        result[m.group(1)] = f"{int(m.group(2)):,} buckets"
        work[m.group(1)] = m.group(4, 5, 6)
        continue
    m = re.match(r"^(\S+): (\d+) assets, total (\d+), " + stats, line)
    if m:
        result[m.group(1)] = f"{int(m.group(2))} of {int(m.group(3)):,}"
        work[m.group(1)] = m.group(4, 5, 6)
        continue
    m = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if m and name:
        q, engine = name
        if q not in rows:
            rows[q] = {}
            order.append(q)
        rows[q][engine] = float(m.group(1)) * UNITS[m.group(2)]
        name = None


def fmt(us):
    if us is None:
        return ""
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.1f} µs"


print("| query | photocat | photocat (records) | SQLite | photocat/SQLite "
      "| SQLite, other plan | result | entries, records, seeks |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for q in order:
    r = rows[q]
    p, rec, s = r.get("photocat"), r.get("photocat_records"), r.get("sqlite")
    ratio = f"{p / s:.3f}" if p and s and p / s < 0.1 else (f"{p / s:.2f}" if p and s else "")
    other = ""
    if "sqlite_strftime" in r:
        other = f"{fmt(r['sqlite_strftime'])} (strftime per row)"
    if "sqlite_fts" in r:
        other = f"{fmt(r['sqlite_fts'])} (FTS5 trigram)"
    w = ", ".join(work.get(q, ()))
    print(f"| {q} | {fmt(p)} | {fmt(rec)} | {fmt(s)} | {ratio} | {other} | {result.get(q, '')} | {w} |")
