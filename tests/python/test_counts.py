"""count_assets, list_albums, list_people, summary, and Asset.local_datetime_source."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import photocat
from records import record

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "tests" / "data" / "photos"
BOX = {"x": 0, "y": 0, "w": 8, "h": 8}


# --- count_assets -----------------------------------------------------------------------------


def fixture_catalogue(cat: photocat.Catalog) -> dict[str, Any]:
    lib = cat.create_library("Main", id="library_main")
    added = cat.add_assets([record(i) for i in range(40)], library_id=lib.id)
    album = cat.create_album("Trip", library_id=lib.id)
    cat.add_to_album(album.id, [a.id for a in added[::3]])
    ann = cat.create_person("Ann")
    cat.add_faces([{"asset_id": a.id, "person_id": ann.id, "bounding_box": BOX} for a in added[::2]])
    cat.trash_assets([a.id for a in added[::5]])
    return {"lib": lib, "added": added, "album": album, "ann": ann}


def test_count_assets_matches_the_lists(mem: photocat.Catalog) -> None:
    f = fixture_catalogue(mem)
    filters: list[dict[str, Any]] = [
        {},
        {"library_id": f["lib"].id},
        {"album_id": f["album"].id},
        {"person_id": f["ann"].id},
        {"album_id": f["album"].id, "person_id": f["ann"].id},
        {"ids": [a.id for a in f["added"][:10]] + ["asset_unknown"]},
        {"local_datetime_after": "2024-06-01T00:00:00"},
        {"local_datetime_before": dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)},
        {"local_datetime_after": pd.Timestamp("2024-03-01"), "local_datetime_before": pd.Timestamp("2024-09-01")},
    ]
    for base in filters:
        for state in ("live", "trashed", "all"):
            kwargs = {**base, "state": state}
            expected = len(list(mem.iter_assets(**kwargs)))
            assert mem.count_assets(**kwargs) == expected, kwargs
    assert mem.count_assets() == 32 and mem.count_assets(state="trashed") == 8


def test_count_assets_errors(mem: photocat.Catalog) -> None:
    mem.create_library("A")
    mem.create_library("B")
    with pytest.raises(photocat.InvalidArgument, match="librar"):
        mem.count_assets()
    with pytest.raises(photocat.NotFoundError):
        mem.count_assets(album_id="album_missing")
    with pytest.raises(photocat.InvalidArgument, match='state must be "live", "trashed" or "all"'):
        mem.count_assets(state="gone")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mem.count_assets(limit=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        mem.count_assets(starting_after_id="asset_x")  # type: ignore[call-arg]


# --- list_albums, list_people -----------------------------------------------------------------


def test_list_albums(mem: photocat.Catalog) -> None:
    a = mem.create_library("A", id="library_a")
    b = mem.create_library("B", id="library_b")
    xs = mem.add_assets([record(i) for i in range(4)], library_id=a.id)
    first = mem.create_album("First", library_id=a.id, id="album_1")
    second = mem.create_album("Second", library_id=b.id, id="album_2")
    mem.add_to_album(first.id, [x.id for x in xs])
    mem.trash_assets([xs[0].id])
    albums = mem.list_albums()
    assert [(x.id, x.asset_count) for x in albums] == [("album_1", 3), ("album_2", 0)]
    assert albums[0] == mem.get_album(first.id)
    assert [x.id for x in mem.list_albums(library_id=b.id)] == [second.id]
    assert [x.id for x in mem.list_albums("library_a")] == [first.id]
    with pytest.raises(photocat.NotFoundError) as info:
        mem.list_albums("library_missing")
    assert info.value.kind == "library"
    assert photocat.Catalog.in_memory().list_albums() == []


def test_list_people(mem: photocat.Catalog) -> None:
    xs = mem.add_assets([record(i) for i in range(3)])
    ann, bob, cid = (mem.create_person(n, id=f"person_{n.lower()}") for n in ("Ann", "Bob", "Cid"))
    mem.add_faces([{"asset_id": x.id, "person_id": bob.id, "bounding_box": BOX} for x in xs])
    mem.add_faces([{"asset_id": xs[0].id, "person_id": cid.id, "bounding_box": BOX}])
    people = mem.list_people()
    assert [(p.name, p.asset_count) for p in people] == [("Bob", 3), ("Cid", 1), ("Ann", 0)]
    assert people[0] == mem.get_person(bob.id)
    mem.trash_assets([xs[1].id, xs[2].id])
    assert [(p.name, p.asset_count) for p in mem.list_people()] == [("Bob", 1), ("Cid", 1), ("Ann", 0)]


# --- summary ----------------------------------------------------------------------------------


def test_summary_of_a_file(cat: photocat.Catalog) -> None:
    f = fixture_catalogue(cat)
    other = cat.create_library("Other", id="library_other")
    cat.create_album("Empty", library_id=other.id)
    s = cat.summary()
    assert isinstance(s, photocat.Summary)
    assert s.format_version == 6
    assert cat.path is not None and s.file_size_bytes == Path(cat.path).stat().st_size > 0
    assert (s.albums, s.people) == (2, 1)
    assert [ls.library.id for ls in s.libraries] == ["library_main", "library_other"]
    main, empty = s.libraries
    assert isinstance(main, photocat.LibrarySummary) and main.library == f["lib"]
    assert (main.live, main.trashed, main.albums) == (32, 8, 1)
    assert (empty.live, empty.trashed, empty.albums) == (0, 0, 1)
    assert s == cat.summary()
    assert s.libraries == cat.summary().libraries
    assert repr(s) == (
        f"Summary(format_version=6, file_size_bytes={s.file_size_bytes}, albums=2, people=1, libraries=[\n"
        "    LibrarySummary(library=Library(id='library_main', name='Main'), live=32, trashed=8, albums=1),\n"
        "    LibrarySummary(library=Library(id='library_other', name='Other'), live=0, trashed=0, albums=1),\n"
        "])"
    )
    assert repr(main) == "LibrarySummary(library=Library(id='library_main', name='Main'), live=32, trashed=8, albums=1)"
    with pytest.raises(AttributeError):
        s.albums = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(s)


def test_summary_in_memory_and_empty() -> None:
    s = photocat.Catalog.in_memory().summary()
    assert s.file_size_bytes is None and s.libraries == [] and (s.albums, s.people) == (0, 0)
    assert repr(s) == "Summary(format_version=6, file_size_bytes=None, albums=0, people=0, libraries=[])"


# --- local_datetime_source --------------------------------------------------------------------


def test_time_source_of_written_records(mem: photocat.Catalog) -> None:
    given, created, written, explicit = mem.add_assets(
        [
            {"local_datetime": "2024-05-01T10:00:00"},
            {"file_created_at": "2024-05-01T10:00:00Z"},
            {},
            {"local_datetime": "2024-05-01T10:00:00", "local_datetime_source": "exif"},
        ]
    )
    assert given.local_datetime_source == "given"
    assert created.local_datetime_source == "file_created_at"
    assert written.local_datetime_source == "write_time"
    assert explicit.local_datetime_source == "exif"
    for a in (given, created, written, explicit):
        assert "local_datetime_source" not in a.to_dict()  # Gumnut's shape is fixed
        assert "local_datetime_source" not in a.to_json()
    assert mem.update_asset(explicit.id, local_datetime="2020-01-01T00:00:00").local_datetime_source == "given"


def test_time_source_errors(mem: photocat.Catalog) -> None:
    with pytest.raises(photocat.InvalidArgument, match=r"records\[0\].local_datetime_source: unknown variant `camera`"):
        mem.add_assets([{"local_datetime": "2024-05-01T10:00:00", "local_datetime_source": "camera"}])
    with pytest.raises(photocat.InvalidArgument, match="local_datetime_source"):
        mem.add_assets([{"local_datetime_source": "exif"}])
    assert mem.list_assets(state="all").data == []


def test_time_source_of_imported_files(mem: photocat.Catalog) -> None:
    report = mem.import_paths([PHOTOS])
    by_name = {a.original_file_name: a.local_datetime_source for a in report.created}
    file_times = {"file_mtime", "file_created_at"}
    assert set(by_name.values()) <= {"exif", "quicktime"} | file_times
    assert by_name["Apple_iPhone_5.jpg"] == "exif"
    videos = [a for a in report.created if a.type == "VIDEO"]
    assert any(v.local_datetime_source == "quicktime" for v in videos)
    # Files with no capture time are dated by the earlier of their two file times, in UTC (the
    # rule of every record without local_datetime).
    assert file_times & set(by_name.values())
    for a in report.created:
        if a.local_datetime_source in file_times:
            assert a.captured_at == min(a.file_created_at, a.file_modified_at)
            assert a.local_offset == dt.timezone.utc


def test_time_source_is_none_for_format_1_assets(tmp_path: Path) -> None:
    path = tmp_path / "old.redb"
    shutil.copy(ROOT / "tests" / "data" / "format1.redb", path)
    with photocat.Catalog.open(path) as cat:
        libraries = [lib.id for lib in cat.list_libraries()]
        old = [a for lib in libraries for a in cat.iter_assets(library_id=lib, state="all")]
        assert old and all(a.local_datetime_source is None for a in old)
        assert cat.summary().format_version == 6  # upgraded on open, and it says so
        assert cat.upgraded_from == 1
        df = cat.list_assets(library_id=libraries[0], limit=200, state="all").to_pandas()
        assert len(df) > 0 and df["local_datetime_source"].isna().all()
        [new] = cat.add_assets([{"local_datetime": "2024-01-01T00:00:00"}], library_id=old[0].library_id)
        assert new.local_datetime_source == "given"
    with photocat.Catalog.open(path) as cat:
        assert cat.upgraded_from is None


def test_time_source_column(mem: photocat.Catalog) -> None:
    mem.add_assets([{"local_datetime": "2024-05-01T10:00:00"}, {}])
    df = mem.list_assets().to_pandas()
    assert str(df["local_datetime_source"].dtype) == "category"  # few values: an Arrow dictionary
    assert sorted(df["local_datetime_source"]) == ["given", "write_time"]
    cols = list(df.columns)
    assert cols.index("local_datetime_source") == cols.index("local_offset_minutes") + 1
