"""Concurrency under load from Python: reader threads and one writer share a catalogue file.

The Python twin of tests/concurrency.rs. Every write moves one whole batch of ``K`` assets:
``add_assets`` of a new batch (description ``batch-<b>``, ids ``asset_b<b>_<i>``), or
``trash_assets``/``restore_assets``/``delete_assets`` of all of a batch's ids in one call. The
readers check, each from one call (one snapshot), that totals are multiples of ``K`` and that
a batch is all there or not at all; that walks of the whole live list are strictly ordered and
complete (a batch no write touched during the walk appears with all its members when it was
live, with none when it was not; a batch touched meanwhile may show any subset); and that
single pages are ordered. The resident size (VmRSS) is sampled every 100 ms while pages are
read (the count is the single page calls plus the pages of the walks, 50 assets each); growth
after the warm-up (the first fifth of the samples) must stay under 48 MiB.

The default run takes a few seconds. The full one (a minute, at least 10**6 page calls)::

    PHOTOCAT_CONCURRENCY_SECS=60 PHOTOCAT_CONCURRENCY_PAGES=1000000 \\
        python -m pytest -s tests/python/test_concurrency.py
"""

from __future__ import annotations

import datetime
import os
import random
import threading
import time
from pathlib import Path
from typing import Literal

import photocat

K = 40
TARGET_BATCHES = 40
READERS = 3
STATES: tuple[Literal["live", "trashed", "all"], ...] = ("live", "trashed", "all")


def ids_of(b: int) -> list[str]:
    return [f"asset_b{b}_{i}" for i in range(K)]


def marker(b: int) -> str:
    return f"batch-{b:07d}"


def batch_of(asset_id: str) -> int:
    assert asset_id.startswith("asset_b"), asset_id
    return int(asset_id[len("asset_b") :].split("_")[0])


def batch_records(b: int, rng: random.Random) -> list[dict[str, object]]:
    return [
        {
            "id": f"asset_b{b}_{i}",
            "description": marker(b),
            "original_file_name": f"b{b}_{i}.jpg",
            # Few distinct seconds, so that ties on local_datetime are ordered by id.
            "local_datetime": f"20{10 + rng.randrange(10):02d}-{1 + rng.randrange(12):02d}-"
            f"{1 + rng.randrange(28):02d}T12:00:{rng.randrange(3):02d}",
        }
        for i in range(K)
    ]


def rss() -> int:
    """The resident set size in bytes (VmRSS of /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Shared:
    def __init__(self, cat: photocat.Catalog) -> None:
        self.cat = cat
        self.lock = threading.Lock()
        # The writes in order, each appended before its call; `finished` counts the returned.
        self.writes: list[tuple[int, str]] = []
        self.finished = 0
        self.batches = 0
        self.stop = threading.Event()
        self.pages = 0
        self.reads = 0
        self.walks = 0
        self.errors: list[BaseException] = []


def writer(sh: Shared, seed: int) -> int:
    rng = random.Random(seed)
    live: list[int] = []
    trashed: list[int] = []
    writes = 0
    while not sh.stop.is_set():
        total = len(live) + len(trashed)
        pick = rng.randrange(10)
        if total < TARGET_BATCHES // 2 or (total < TARGET_BATCHES and pick < 4):
            b, w = sh.batches, "add"
        elif pick < 3 and live:
            b, w = live.pop(rng.randrange(len(live))), "trash"
        elif pick < 6 and trashed:
            b, w = trashed.pop(rng.randrange(len(trashed))), "restore"
        elif rng.randrange(2) == 0 and trashed:
            b, w = trashed.pop(rng.randrange(len(trashed))), "delete"
        elif live:
            b, w = live.pop(rng.randrange(len(live))), "delete"
        else:
            continue
        with sh.lock:
            sh.writes.append((b, w))
            index = len(sh.writes)
            if w == "add":
                sh.batches = b + 1
        if w == "add":
            sh.cat.add_assets(batch_records(b, rng))
            live.append(b)
        elif w == "trash":
            sh.cat.trash_assets(ids_of(b))
            trashed.append(b)
        elif w == "restore":
            sh.cat.restore_assets(ids_of(b))
            live.append(b)
        else:
            sh.cat.delete_assets(ids_of(b))
        with sh.lock:
            sh.finished = index
        writes += 1
    return writes


def snapshot_checks(sh: Shared, rng: random.Random) -> None:
    cat = sh.cat
    for state in STATES:
        n = cat.count_assets(state=state)
        assert n % K == 0, f"count_assets(state={state!r}) = {n} saw part of a write"
    total = cat.search_assets().total
    assert total % K == 0, f"search total {total} saw part of a write"
    buckets = sum(count for _, count in cat.time_buckets())
    assert buckets % K == 0, f"time buckets sum to {buckets}: part of a write"
    b = rng.randrange(sh.batches)
    page = cat.search_assets(description=marker(b), limit=200)
    assert page.total in (0, K), f"batch {b}: search total {page.total} (part of a write)"
    assert len(page.data) == page.total
    assert all(a.description == marker(b) for a in page.data)
    for state in STATES:
        n = cat.count_assets(ids=ids_of(b), state=state)
        assert n in (0, K), f"batch {b}: {n} of its ids {state}"
    with sh.lock:
        sh.reads += 7


def states(writes: list[tuple[int, str]]) -> dict[int, str]:
    s: dict[int, str] = {}
    for b, w in writes:
        s[b] = {"add": "live", "restore": "live", "trash": "trashed", "delete": "gone"}[w]
    return s


def walk_check(sh: Shared) -> None:
    with sh.lock:
        f0 = sh.finished
        before = states(sh.writes[:f0])
    seen: dict[int, int] = {}
    prev: tuple[datetime.datetime, str] | None = None
    count = 0
    for a in sh.cat.iter_assets(page_size=50):
        key = (a.local_datetime, a.id)
        assert prev is None or prev > key, f"walk out of order or repeated: {prev} then {key}"
        prev = key
        b = batch_of(a.id)
        seen[b] = seen.get(b, 0) + 1
        count += 1
    with sh.lock:
        touched = {b for b, _ in sh.writes[f0:]}
    for b, state in before.items():
        if b in touched:
            continue
        want = K if state == "live" else 0
        got = seen.get(b, 0)
        assert got == want, f"batch {b} ({state}, untouched during the walk) listed {got} times"
    for b, got in seen.items():
        assert b in touched or b in before, f"batch {b} listed before it was written"
        assert got <= K, f"batch {b} listed {got} times"
    with sh.lock:
        sh.pages += count // 50 + 1
        sh.walks += 1


def page_calls(sh: Shared, calls: int, rng: random.Random) -> None:
    cursor: str | None = None
    for _ in range(calls):
        try:
            page = sh.cat.list_assets(starting_after_id=cursor)
        except photocat.NotFoundError:
            # The cursor's asset was deleted meanwhile: a client starts again.
            cursor = None
            continue
        cursor = None
        data = page.data
        for x, y in zip(data, data[1:]):
            assert (x.local_datetime, x.id) > (y.local_datetime, y.id), (x.id, y.id)
        if page.has_more and rng.randrange(20) != 0:
            cursor = data[-1].id
    with sh.lock:
        sh.pages += calls


def test_readers_never_see_part_of_a_write(tmp_path: Path) -> None:
    secs = float(os.environ.get("PHOTOCAT_CONCURRENCY_SECS", "3"))
    min_pages = int(os.environ.get("PHOTOCAT_CONCURRENCY_PAGES", "0"))
    seed = int(os.environ.get("PHOTOCAT_CONCURRENCY_SEED", "7"))
    with photocat.Catalog.open(tmp_path / "c.redb") as cat:
        sh = Shared(cat)
        cat.add_assets(batch_records(0, random.Random(seed)))
        sh.writes.append((0, "add"))
        sh.batches = 1
        sh.finished = 1
        rss_start = rss()
        start = time.monotonic()
        writes = [0]

        def run_writer() -> None:
            try:
                writes[0] = writer(sh, seed)
            except BaseException as e:  # pragma: no cover - reported below
                sh.errors.append(e)
                sh.stop.set()

        def run_reader(r: int) -> None:
            rng = random.Random(seed * 31 + r)
            i = 0
            try:
                while not sh.stop.is_set():
                    page_calls(sh, 200, rng)
                    snapshot_checks(sh, rng)
                    if i % 10 == r:
                        walk_check(sh)
                    i += 1
            except BaseException as e:  # pragma: no cover - reported below
                sh.errors.append(e)
                sh.stop.set()

        threads = [threading.Thread(target=run_writer)]
        threads += [threading.Thread(target=run_reader, args=(r,)) for r in range(READERS)]
        for t in threads:
            t.start()
        samples: list[tuple[float, int, int]] = []
        while not sh.stop.is_set() and (time.monotonic() - start < secs or sh.pages < min_pages):
            time.sleep(0.1)
            samples.append((time.monotonic() - start, sh.pages, rss()))
        sh.stop.set()
        for t in threads:
            t.join()
        assert not sh.errors, sh.errors
        elapsed = time.monotonic() - start
        warm = len(samples) // 5
        after_warmup = samples[warm][2]
        peak_after = max(s[2] for s in samples[warm:])
        mib = 1024 * 1024
        print(
            f"\nconcurrency (Python): {elapsed:.1f} s, {READERS} readers, {writes[0]} writes of "
            f"{K} assets, {sh.pages} page calls, {sh.reads} one-snapshot reads, {sh.walks} walks"
        )
        print(
            f"resident size: {rss_start / mib:.1f} MiB at start, {after_warmup / mib:.1f} MiB "
            f"after warm-up ({samples[warm][1]} pages), peak after warm-up "
            f"{peak_after / mib:.1f} MiB, {samples[-1][2] / mib:.1f} MiB at the end"
        )
        assert writes[0] > 0 and sh.pages > 0 and sh.walks > 0
        report = cat.verify()
        assert report.ok, report.problems
        # Flat: growth after the warm-up stays within 48 MiB however many pages were read.
        growth = peak_after - after_warmup
        assert growth < 48 * mib, f"resident size grew {growth / mib:.1f} MiB after the warm-up"
