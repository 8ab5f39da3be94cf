"""``Catalog.verify()``: a clean report for catalogues photocat wrote, each problem of a damaged
one in words, and reads and writes going on in other threads meanwhile."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import photocat

DAMAGED = Path(__file__).resolve().parents[1] / "data" / "damaged.redb"


def test_a_catalogue_built_by_writes_verifies_clean(mem: photocat.Catalog) -> None:
    mem.create_person("Ann", id="person_ann")
    added = mem.add_assets(
        [
            {
                "local_datetime": f"2024-05-0{1 + i % 9}T10:00:00+02:00",
                "original_file_name": f"IMG_{i}.JPG",
                "exif": {"make": "Canon" if i % 2 else "SONY"},
                "faces": [{"person_id": "person_ann"}] if i % 3 == 0 else [],
            }
            for i in range(30)
        ]
    )
    album = mem.create_album("Trip")
    mem.add_to_album(album.id, [a.id for a in added[:10]])
    mem.trash_assets([added[1].id])
    mem.delete_assets([added[2].id])
    report = mem.verify()
    assert report.ok and bool(report)
    assert report.problems == [] and report.problem_count == 0
    assert report.counts["assets"] == 29
    assert report.counts["album links"] == 9  # the deleted asset left the album
    assert report.counts["people"] == 1
    assert repr(report) == "VerifyReport(ok=True, problem_count=0)"
    assert str(report).startswith("ok (checked ")


def test_a_damaged_catalogue_reports_each_problem(tmp_path: Path) -> None:
    path = tmp_path / "damaged.redb"
    shutil.copy(DAMAGED, path)
    with photocat.Catalog.open(path) as cat:
        report = cat.verify()
    assert not report.ok and not report
    assert report.problem_count == 4
    assert report.problems == [
        'asset "lib_a_asset_0": the entry of its checksum points at asset "lib_a_asset_5"',
        'the checksum entry AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= of library "lib_a", '
        'owner "ann" points at asset "lib_a_asset_5", which does not have that checksum',
        'list index: the entry of asset "lib_a_asset_1" at 2023-02-11 10:00:00 in album '
        '"album_a", live is missing',
        'person "person_b": asset_count is 9, the records give 2',
    ]
    assert str(report).startswith("4 problem(s) (checked ")


def test_verify_runs_while_other_threads_write(cat: photocat.Catalog) -> None:
    cat.add_assets([{"local_datetime": "2024-01-01T00:00:00"}] * 200)
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                cat.add_assets([{"local_datetime": "2024-02-01T00:00:00"}] * 20)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    try:
        reports = [cat.verify() for _ in range(3)]
    finally:
        stop.set()
        t.join()
    assert not errors
    assert all(r.ok for r in reports), [r.problems for r in reports]
    assert cat.verify().counts["assets"] == cat.count_assets()
