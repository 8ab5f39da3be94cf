#!/usr/bin/env python3
"""Turns a `cargo bench --bench pagination` log into the Markdown table of BENCHMARKS.md:
median per query and engine, and the ratio of photocat's JSON written from the stored records
(`list_assets_json`) to SQLite's; the small writes in a table of their own. Usage:
bench_table.py LOG"""
import re
import sys

UNITS = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
rows, order, work = {}, [], {}
name = None
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^(\S+)/n=(\d+)/(\w+)(\s|$)", line) or re.match(r"^(\S+)/n=(\d+)()(\s|$)", line)
    if m:
        name = (m.group(1), m.group(3) or "photocat")
    m = re.match(r"^(\S+): (\d+) assets, ReadStats \{ index_entries: (\d+), records: (\d+), seeks: (\d+) \}", line)
    if m:
        work[m.group(1)] = (m.group(3), m.group(4))
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


print("| query | photocat (JSON from records) | photocat (Assets + to_json) | photocat (Assets) "
      "| SQLite (JSON) | JSON from records / SQLite | entries, records |")
print("| --- | --- | --- | --- | --- | --- | --- |")
writes = [q for q in order if q.startswith("small_write_")]
for q in order:
    if q in writes:
        continue
    r = rows[q]
    stored, p = r.get("photocat_stored"), r.get("photocat")
    rec, s = r.get("photocat_records"), r.get("sqlite")
    best = stored or p
    ratio = f"{best / s:.2f}" if best and s else ""
    w = ", ".join(work.get(q, ()))
    print(f"| {q} | {fmt(stored)} | {fmt(p)} | {fmt(rec)} | {fmt(s)} | {ratio} | {w} |")

if writes:
    print()
    print("| small write (two durable commits) | photocat | SQLite (synchronous = FULL) |")
    print("| --- | --- | --- |")
    for q in writes:
        r = rows[q]
        print(f"| {q.removeprefix('small_write_')} | {fmt(r.get('photocat'))} | {fmt(r.get('sqlite'))} |")
