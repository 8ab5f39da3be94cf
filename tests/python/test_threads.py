"""The interpreter is released during storage calls: readers progress in parallel with a writer."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import photocat
from records import record


def test_readers_progress_while_a_writer_writes(tmp_path: Path) -> None:
    with photocat.Catalog.open(tmp_path / "t.redb") as cat:
        cat.add_assets([record(i) for i in range(500)])
        stop = threading.Event()
        reads = [0, 0, 0]
        overlap = [0]  # reads that completed while a write call was in flight
        writing = threading.Event()
        errors: list[BaseException] = []

        def reader(k: int) -> None:
            try:
                while not stop.is_set():
                    page = cat.list_assets(limit=200)
                    assert len(page.data) == 200
                    reads[k] += 1
                    if writing.is_set():
                        overlap[0] += 1
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=reader, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        writes = 0
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            batch = [record(10_000 + writes * 200 + i) for i in range(200)]
            writing.set()
            cat.add_assets(batch)
            writing.clear()
            writes += 1
        stop.set()
        for t in threads:
            t.join()
        assert not errors, errors
        assert writes > 0
        assert all(r > 0 for r in reads), reads
        # Readers completed pages while a write call held no interpreter lock.
        assert overlap[0] > 0, (reads, writes)


def test_parallel_readers_overlap_in_time(tmp_path: Path) -> None:
    """Two threads reading big pages take well under twice one thread's time when the work
    runs outside the interpreter (measured as overlap of in-flight calls, not wall time)."""
    with photocat.Catalog.open(tmp_path / "t.redb") as cat:
        cat.add_assets([record(i) for i in range(2000)])
        in_flight = [0]
        max_in_flight = [0]
        lock = threading.Lock()

        class Probe:
            def __enter__(self) -> None:
                with lock:
                    in_flight[0] += 1
                    max_in_flight[0] = max(max_in_flight[0], in_flight[0])

            def __exit__(self, *a: object) -> None:
                with lock:
                    in_flight[0] -= 1

        def work() -> None:
            for _ in range(20):
                with Probe():
                    list(cat.iter_assets(page_size=200))

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert max_in_flight[0] == 2


def test_one_iterator_shared_by_two_threads_never_deadlocks() -> None:
    cat = photocat.Catalog.in_memory()
    cat.add_assets([record(i) for i in range(3000)])
    it = cat.iter_assets(page_size=200)
    seen: list[str] = []
    errors: list[BaseException] = []

    def drain() -> None:
        while True:
            try:
                a = next(it)
            except StopIteration:
                return
            except RuntimeError as e:
                assert "already running" in str(e)
                errors.append(e)
                continue
            seen.append(a.id)

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == sorted(a.id for a in cat.iter_assets())
