"""search_assets, SearchPage and time_buckets through the built module: every filter, paging,
the JSON shape, errors and their messages, bucket sizes and states, and a hypothesis model
check of both against a plain Python recount after random writes (API.md §6, §11)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Optional

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import photocat

UTC = dt.timezone.utc
BOX = {"x": 0, "y": 0, "w": 8, "h": 8}


# --- a fixed catalogue ------------------------------------------------------------------------


@dataclass
class Fixture:
    cat: photocat.Catalog
    lib: str
    trip: str
    home: str
    ann: str
    bob: str


def fixture(cat: photocat.Catalog) -> Fixture:
    """Live and listed: a1..a3, a6..a8. Never searched: a4 (trashed), a5 (hidden)."""
    lib = cat.create_library("Main", id="library_main").id
    cat.add_assets(
        [
            {"id": "asset_a1", "local_datetime": "2024-05-01T10:00:00+02:00", "original_file_name": "IMG_0001.JPG",
             "mime_type": "image/jpeg", "is_favorite": True, "description": "Beach day",
             "exif": {"make": "Canon", "model": "EOS R5", "lens_model": "RF 50mm", "city": "Paris", "state": "Île-de-France", "country": "France"}},
            {"id": "asset_a2", "local_datetime": "2024-05-31T23:30:00", "original_file_name": "img_0002.heic",
             "mime_type": "image/heic", "visibility": "archive", "description": "at the BEACH",
             "exif": {"make": "Canon", "model": "EOS R6"}},
            {"id": "asset_a3", "local_datetime": "2024-06-03T08:00:00-05:00", "original_file_name": "VID_0003.MP4",
             "mime_type": "video/mp4", "exif": {"make": "Apple"}, "metadata": {"city": "Berlin", "country": "Germany"}},
            {"id": "asset_a4", "local_datetime": "2023-12-31T12:00:00", "original_file_name": "IMG_0004.JPG",
             "exif": {"make": "Canon"}},
            {"id": "asset_a5", "local_datetime": "2024-06-02T12:00:00", "original_file_name": "IMG_0005.MOV",
             "mime_type": "video/quicktime", "visibility": "hidden", "exif": {"make": "Canon"}},
            {"id": "asset_a6", "local_datetime": "2024-01-01T00:00:00", "original_file_name": "scan.png", "mime_type": "image/png"},
            {"id": "asset_a7", "local_datetime": "2021-01-03T18:00:00", "original_file_name": "memo.m4a", "mime_type": "audio/mp4",
             "exif": {"make": "canon"}},  # another make: exact match is case-sensitive
            {"id": "asset_a8", "local_datetime": "2021-01-04T09:00:00", "original_file_name": "Über.tiff"},
        ],
        library_id=lib,
    )
    trip = cat.create_album("Trip", id="album_trip").id
    home = cat.create_album("Home", id="album_home").id
    cat.add_to_album(trip, ["asset_a1", "asset_a2", "asset_a3", "asset_a4"])
    cat.add_to_album(home, ["asset_a2", "asset_a6"])
    ann = cat.create_person("Ann", id="person_ann").id
    bob = cat.create_person("Bob", id="person_bob").id
    cat.add_faces(
        [{"asset_id": a, "person_id": ann, "bounding_box": BOX} for a in ("asset_a1", "asset_a3", "asset_a4", "asset_a7")]
        + [{"asset_id": a, "person_id": bob, "bounding_box": BOX} for a in ("asset_a1", "asset_a2")]
        + [{"asset_id": "asset_a6", "person_id": None, "bounding_box": BOX}]
    )
    cat.trash_assets(["asset_a4"])
    return Fixture(cat, lib, trip, home, ann, bob)


@pytest.fixture
def fx(mem: photocat.Catalog) -> Fixture:
    return fixture(mem)


def ids(cat: photocat.Catalog, **kw: Any) -> list[str]:
    res = cat.search_assets(limit=200, **kw)
    assert res.total == len(res.data) and not res.has_more
    return [a.id for a in res.data]


ALL_LIVE = ["asset_a3", "asset_a2", "asset_a1", "asset_a6", "asset_a8", "asset_a7"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ALL_LIVE),
        ({"person_ids": ["person_ann"]}, ["asset_a3", "asset_a1", "asset_a7"]),
        ({"person_ids": ["person_ann", "person_bob"]}, ["asset_a1"]),  # ALL-of
        ({"person_ids": ("person_bob", "person_bob")}, ["asset_a2", "asset_a1"]),  # any iterable, repeats
        ({"person_ids": []}, ALL_LIVE),
        ({"album_ids": ["album_trip"]}, ["asset_a3", "asset_a2", "asset_a1"]),
        ({"album_ids": ["album_trip", "album_home"]}, ["asset_a2"]),
        ({"album_ids": ["album_trip"], "person_ids": ["person_ann"]}, ["asset_a3", "asset_a1"]),
        ({"captured_after": "2024-05-01T00:00:00"}, ["asset_a3", "asset_a2", "asset_a1"]),
        ({"captured_after": dt.datetime(2024, 5, 1, 9, 0, tzinfo=UTC)}, ["asset_a3", "asset_a2"]),  # a1 is 08:00Z
        ({"captured_before": dt.date(2024, 1, 1)}, ["asset_a8", "asset_a7"]),
        ({"captured_before": pd.Timestamp("2024-01-01T00:00:01")}, ["asset_a6", "asset_a8", "asset_a7"]),
        ({"captured_after": "2021-01-01", "captured_before": "2024-05-01T10:00:00"}, ["asset_a6", "asset_a8", "asset_a7"]),
        ({"make": "Canon"}, ["asset_a2", "asset_a1"]),
        ({"make": "canon"}, ["asset_a7"]),
        ({"make": "CANON"}, []),
        ({"model": "EOS R5"}, ["asset_a1"]),
        ({"lens_model": "RF 50mm"}, ["asset_a1"]),
        ({"city": "Paris"}, ["asset_a1"]),
        ({"city": "Berlin"}, ["asset_a3"]),  # from metadata when exif has none
        ({"state": "Île-de-France"}, ["asset_a1"]),
        ({"country": "Germany"}, ["asset_a3"]),
        ({"country": "Nowhere"}, []),
        ({"mime_type": "image/heic"}, ["asset_a2"]),
        ({"mime_type": "application/octet-stream"}, ["asset_a8"]),  # the default of a record without one
        ({"type": "IMAGE"}, ["asset_a2", "asset_a1", "asset_a6"]),
        ({"type": "video"}, ["asset_a3"]),
        ({"type": "AUDIO"}, ["asset_a7"]),
        ({"type": "other"}, ["asset_a8"]),
        ({"is_favorite": True}, ["asset_a1"]),
        ({"is_favorite": False}, ["asset_a3", "asset_a2", "asset_a6", "asset_a8", "asset_a7"]),
        ({"visibility": "archive"}, ["asset_a2"]),
        ({"visibility": "timeline"}, ["asset_a3", "asset_a1", "asset_a6", "asset_a8", "asset_a7"]),
        ({"original_file_name": "img_000"}, ["asset_a2", "asset_a1"]),  # case-insensitive; a4, a5 not listed
        ({"original_file_name": ".MP4"}, ["asset_a3"]),
        ({"original_file_name": "üBER"}, ["asset_a8"]),
        ({"original_file_name": ""}, ALL_LIVE),  # empty: no filter
        ({"description": "beach"}, ["asset_a2", "asset_a1"]),
        ({"description": "BEACH DAY"}, ["asset_a1"]),
        ({"description": ""}, ALL_LIVE),
        ({"description": "beach", "original_file_name": "0001"}, ["asset_a1"]),
        ({"library_id": "library_main", "make": "Canon", "is_favorite": False, "album_ids": ["album_home"]}, ["asset_a2"]),
        ({"make": "Canon", "captured_before": "2024-05-15T00:00:00", "person_ids": ["person_bob"]}, ["asset_a1"]),
    ],
)
def test_every_filter(fx: Fixture, kwargs: dict[str, Any], expected: list[str]) -> None:
    assert ids(fx.cat, **kwargs) == expected
    # Every page of every filter holds complete records.
    for a in fx.cat.search_assets(**kwargs).data:
        assert a == fx.cat.get_asset(a.id)


def test_the_library_of_the_albums(mem: photocat.Catalog) -> None:
    a = mem.create_library("A", id="library_a")
    b = mem.create_library("B", id="library_b")
    mem.add_assets([{"id": "asset_1", "exif": {"make": "Canon"}}], library_id=a.id)
    mem.add_assets([{"id": "asset_2", "exif": {"make": "Canon"}}], library_id=b.id)
    album_b = mem.create_album("B", library_id=b.id)
    mem.add_to_album(album_b.id, ["asset_2"])
    with pytest.raises(photocat.InvalidArgument, match="librar"):
        mem.search_assets(make="Canon")  # two libraries and no album to say which
    assert ids(mem, make="Canon", library_id="library_a") == ["asset_1"]
    assert ids(mem, album_ids=[album_b.id]) == ["asset_2"]  # the album's library
    assert ids(mem, album_ids=[album_b.id], library_id="library_a") == []  # an album of another library
    with pytest.raises(photocat.NotFoundError) as info:
        mem.search_assets(library_id="library_missing")
    assert info.value.kind == "library"


def test_paging(fx: Fixture) -> None:
    cat = fx.cat
    seen: list[str] = []
    for page in (1, 2, 3):
        res = cat.search_assets(limit=2, page=page)
        assert isinstance(res, photocat.SearchPage)
        assert (res.page, res.total, res.has_more, len(res)) == (page, 6, page < 3, 2)
        assert [a.id for a in res] == [a.id for a in res.data]
        seen += [a.id for a in res.data]
    assert seen == ALL_LIVE
    last = cat.search_assets(limit=4, page=2)
    assert [a.id for a in last] == ALL_LIVE[4:] and not last.has_more
    for page in (3, 4, 1000, 2**32 - 1):
        past = cat.search_assets(limit=4, page=page)
        assert (past.data, past.page, past.has_more, past.total) == ([], page, False, 6)
    assert len(cat.search_assets(limit=200)) == 6
    assert len(cat.search_assets()) == 6  # default limit 20


def test_search_page_object(fx: Fixture) -> None:
    res = fx.cat.search_assets(make="Canon", limit=1)
    assert repr(res) == "SearchPage(len=1, page=1, has_more=True, total=2)"
    res.data.clear()  # a fresh list on each access
    assert len(res.data) == 1
    assert res == fx.cat.search_assets(make="Canon", limit=1)
    assert res != fx.cat.search_assets(make="Canon", limit=1, page=2)
    assert res != fx.cat.search_assets(make="Canon", limit=2)
    assert res != fx.cat.list_assets(limit=1)
    with pytest.raises(AttributeError):
        res.total = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(res)


def test_json_shape(fx: Fixture) -> None:
    res = fx.cat.search_assets(make="Canon", limit=1, page=2)
    expected = '{"data":[' + ",".join(a.to_json() for a in res.data) + '],"page":2,"has_more":false,"total":2}'
    assert res.to_json() == expected
    d = res.to_dict()
    assert d == json.loads(expected)
    assert list(d) == ["data", "page", "has_more", "total"]
    assert d["data"][0]["id"] == "asset_a1" and d["data"][0]["exif"]["make"] == "Canon"
    assert d["data"][0]["people"] and d["data"][0]["faces"]
    assert photocat.Catalog.in_memory().search_assets(page=7).to_json() == '{"data":[],"page":7,"has_more":false,"total":0}'


def test_to_pandas(fx: Fixture) -> None:
    res = fx.cat.search_assets(album_ids=[fx.trip], limit=2)
    df = res.to_pandas()
    whole = fx.cat.to_pandas()
    assert list(df.columns) == list(whole.columns)
    kinds = lambda frame: ["category" if isinstance(d, pd.CategoricalDtype) else str(d) for d in frame.dtypes]  # noqa: E731
    assert kinds(df) == kinds(whole)  # the categories are each frame's own
    assert list(df["id"]) == ["asset_a3", "asset_a2"]
    assert set(df.loc[1, "album_ids"]) == {fx.trip, fx.home}
    assert len(photocat.Catalog.in_memory().search_assets().to_pandas()) == 0


def test_search_errors(fx: Fixture) -> None:
    cat = fx.cat
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"page": 0}, photocat.InvalidArgument, "page is 1-indexed: it must be at least 1, got 0"),
        ({"page": -3}, photocat.InvalidArgument, "page is 1-indexed: it must be at least 1, got -3"),
        ({"page": 2**32}, photocat.InvalidArgument, "page must be at most 4294967295, got 4294967296"),
        ({"limit": 201}, photocat.InvalidArgument, "limit must be between 1 and 200, got 201"),
        ({"limit": 0}, photocat.InvalidArgument, "limit must be between 1 and 200, got 0"),
        ({"limit": -1}, photocat.InvalidArgument, "limit must be between 1 and 200, got -1"),
        ({"visibility": "hidden"}, photocat.InvalidArgument,
         'visibility must be "timeline" or "archive" (omit it for both), got "hidden": hidden and locked assets are never listed'),
        ({"visibility": "locked"}, photocat.InvalidArgument, 'got "locked"'),
        ({"visibility": "Archive"}, photocat.InvalidArgument, 'visibility must be "timeline", "archive", "hidden" or "locked", got "Archive"'),
        ({"type": "photo"}, photocat.InvalidArgument, 'type must be "IMAGE", "VIDEO", "AUDIO" or "OTHER" (or the same in lowercase), got "photo"'),
        ({"type": "Image"}, photocat.InvalidArgument, 'got "Image"'),
        ({"person_ids": ["person_nobody"]}, photocat.NotFoundError, 'person "person_nobody" not found'),
        ({"person_ids": ["person_ann", "person_nobody"]}, photocat.NotFoundError, 'person "person_nobody" not found'),
        ({"album_ids": ["album_nowhere"]}, photocat.NotFoundError, 'album "album_nowhere" not found'),
        ({"person_ids": [f"person_{i}" for i in range(201)]}, photocat.InvalidArgument, "person_ids may hold at most 200 ids, got 201"),
        ({"album_ids": [f"album_{i}" for i in range(201)]}, photocat.InvalidArgument, "album_ids may hold at most 200 ids, got 201"),
        ({"person_ids": ["no spaces allowed"]}, photocat.InvalidArgument, 'invalid person id "no spaces allowed"'),
        ({"captured_after": "yesterday"}, photocat.InvalidArgument, 'invalid datetime "yesterday"'),
        ({"captured_before": 3}, TypeError, "captured_before must be a datetime, a date, a numpy.datetime64 or an ISO 8601 string, got int"),
        ({"is_favorite": 1}, TypeError, "is_favorite must be True, False or None, got int"),
        ({"person_ids": "person_ann"}, TypeError, "person_ids must be a list of ids, got a single str"),
        ({"album_ids": [3]}, TypeError, "album_ids must hold id strings, got int"),
        ({"make": 3}, TypeError, "'int' object is not an instance of 'str'"),
        ({"bogus": 1}, TypeError, "bogus"),
    ]
    for kwargs, cls, message in cases:
        with pytest.raises(cls) as info:
            cat.search_assets(**kwargs)
        text = str(info.value) if cls is not photocat.NotFoundError else info.value.args[0]
        assert message in text, (kwargs, text)
    with pytest.raises(photocat.NotFoundError) as nf:
        cat.search_assets(person_ids=["person_nobody"])
    assert (nf.value.kind, nf.value.id) == ("person", "person_nobody")
    assert isinstance(nf.value, KeyError)
    with pytest.raises(TypeError):
        cat.search_assets(["person_ann"])  # type: ignore[misc]  # keyword-only


def test_many_assets_across_text_blocks(mem: photocat.Catalog) -> None:
    # The substring filters scan a column kept in blocks of 1,024 assets: 2,600 assets span
    # three blocks; some are trashed, some renamed after the fact.
    n = 2600
    base = dt.datetime(2022, 1, 1)
    added = mem.add_assets(
        [
            {"id": f"asset_{i:05d}", "local_datetime": (base + dt.timedelta(hours=(i * 7919) % n)).isoformat(),
             "original_file_name": f"{'IMG' if i % 2 else 'dsc'}_{i}.jpg", "is_favorite": i % 3 == 0,
             "exif": {"make": "Canon" if i % 5 else "SONY"}}
            for i in range(n)
        ]
    )
    trashed = {a.id for a in added[::7]}
    mem.trash_assets(sorted(trashed))
    renamed = {a.id for a in added[1::50]}
    for a in sorted(renamed):
        mem.update_asset(a, original_file_name="Renamed.JPG")
    by_id = {a.id: a for a in added}

    def name(i: str) -> str:
        return "renamed.jpg" if i in renamed else by_id[i].original_file_name.lower()

    order = sorted((a for a in added if a.id not in trashed), key=lambda a: (a.local_datetime, a.id), reverse=True)
    for kwargs in ({"original_file_name": "img_1"}, {"original_file_name": "IMG_1", "is_favorite": True},
                   {"original_file_name": "renamed", "make": "Canon"}, {"original_file_name": "_25"}):
        needle = str(kwargs["original_file_name"]).lower()
        expected = [
            a.id for a in order
            if needle in name(a.id)
            and ("is_favorite" not in kwargs or a.is_favorite == kwargs["is_favorite"])
            and ("make" not in kwargs or (a.exif or {}).get("make") == kwargs["make"])
        ]
        assert expected
        got: list[str] = []
        page = 1
        while True:
            res = mem.search_assets(**kwargs, page=page, limit=200)
            assert res.total == len(expected), kwargs
            got += [a.id for a in res.data]
            if not res.has_more:
                break
            page += 1
        assert got == expected, kwargs
    assert mem.search_assets(limit=1).total == n - len(trashed)
    assert sum(c for _, c in mem.time_buckets("day")) == n - len(trashed)
    assert sum(c for _, c in mem.time_buckets("week", state="trashed")) == len(trashed)


def test_closed_catalogue(mem: photocat.Catalog) -> None:
    mem.close()
    with pytest.raises(photocat.PhotocatError, match="closed"):
        mem.search_assets()
    with pytest.raises(photocat.PhotocatError, match="closed"):
        mem.time_buckets()


def test_search_runs_in_threads(tmp_path: Any) -> None:
    with photocat.Catalog.open(tmp_path / "t.redb") as cat:
        cat.add_assets([{"local_datetime": f"2024-01-01T00:00:{i % 60:02d}", "original_file_name": f"IMG_{i}.jpg",
                         "exif": {"make": "Canon" if i % 3 else "SONY"}} for i in range(300)])
        results: list[int] = []

        def work() -> None:
            for _ in range(20):
                results.append(cat.search_assets(make="Canon", original_file_name="img_1").total)

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expected = sum(1 for i in range(300) if i % 3 and "img_1" in f"img_{i}.jpg")
        assert results == [expected] * 60


# --- time_buckets -----------------------------------------------------------------------------

D = dt.date


def test_bucket_sizes(fx: Fixture) -> None:
    cat = fx.cat
    month = cat.time_buckets()
    assert month == cat.time_buckets("month") == cat.time_buckets(size="month")
    assert month == [(D(2024, 6, 1), 1), (D(2024, 5, 1), 2), (D(2024, 1, 1), 1), (D(2021, 1, 1), 2)]
    assert all(type(d) is dt.date and type(n) is int for d, n in month)
    assert cat.time_buckets("year") == [(D(2024, 1, 1), 4), (D(2021, 1, 1), 2)]
    assert cat.time_buckets("day") == [
        (D(2024, 6, 3), 1), (D(2024, 5, 31), 1), (D(2024, 5, 1), 1), (D(2024, 1, 1), 1), (D(2021, 1, 4), 1), (D(2021, 1, 3), 1)
    ]
    # ISO weeks start on Monday: Sunday 2021-01-03 is in ISO week 2020-W53, from Monday 2020-12-28;
    # Monday 2021-01-04 starts a week of its own; Monday 2024-01-01 too.
    week = cat.time_buckets("week")
    assert week == [
        (D(2024, 6, 3), 1), (D(2024, 5, 27), 1), (D(2024, 4, 29), 1), (D(2024, 1, 1), 1), (D(2021, 1, 4), 1), (D(2020, 12, 28), 1)
    ]
    assert all(d.weekday() == 0 for d, _ in week)
    # Buckets go by the wall clock: 23:30 on 31 May stays in May whatever the offset.
    assert cat.get_asset("asset_a2").local_datetime == dt.datetime(2024, 5, 31, 23, 30)


def test_bucket_states_albums_people(fx: Fixture) -> None:
    cat = fx.cat
    assert cat.time_buckets(state="trashed") == [(D(2023, 12, 1), 1)]
    assert cat.time_buckets("year", state="all") == [(D(2024, 1, 1), 4), (D(2023, 1, 1), 1), (D(2021, 1, 1), 2)]
    assert cat.time_buckets(album_id=fx.trip) == [(D(2024, 6, 1), 1), (D(2024, 5, 1), 2)]
    assert cat.time_buckets(album_id=fx.trip, state="all") == [(D(2024, 6, 1), 1), (D(2024, 5, 1), 2), (D(2023, 12, 1), 1)]
    assert cat.time_buckets(album_id=fx.trip, state="trashed", size="day") == [(D(2023, 12, 31), 1)]
    assert cat.time_buckets(person_id=fx.ann, size="year") == [(D(2024, 1, 1), 2), (D(2021, 1, 1), 1)]
    assert cat.time_buckets(person_id=fx.ann, state="trashed") == [(D(2023, 12, 1), 1)]
    assert cat.time_buckets("week", album_id=fx.trip, person_id=fx.ann, state="all") == [
        (D(2024, 6, 3), 1), (D(2024, 4, 29), 1), (D(2023, 12, 25), 1)
    ]
    assert cat.time_buckets(album_id=fx.home, person_id=fx.ann) == []
    assert cat.time_buckets(library_id=fx.lib, size="year") == cat.time_buckets("year")
    # Hidden assets are never counted, in any state.
    assert sum(n for _, n in cat.time_buckets("year", state="all")) == 7
    assert photocat.Catalog.in_memory().time_buckets() == []


def test_bucket_errors(fx: Fixture) -> None:
    cat = fx.cat
    with pytest.raises(photocat.InvalidArgument) as info:
        cat.time_buckets("decade")  # type: ignore[arg-type]
    assert str(info.value) == 'size must be "year", "month", "week" or "day", got "decade"'
    with pytest.raises(photocat.InvalidArgument, match='size must be .* got "Month"'):
        cat.time_buckets("Month")  # type: ignore[arg-type]
    with pytest.raises(photocat.InvalidArgument, match='state must be "live", "trashed" or "all"'):
        cat.time_buckets(state="gone")  # type: ignore[arg-type]
    with pytest.raises(photocat.NotFoundError) as nf:
        cat.time_buckets(album_id="album_nowhere")
    assert (nf.value.kind, nf.value.id) == ("album", "album_nowhere")
    with pytest.raises(photocat.NotFoundError):
        cat.time_buckets(person_id="person_nobody")
    with pytest.raises(photocat.NotFoundError):
        cat.time_buckets(library_id="library_nowhere")
    with pytest.raises(TypeError):
        cat.time_buckets("month", fx.trip)  # type: ignore[misc]  # filters are keyword-only
    with pytest.raises(TypeError):
        cat.time_buckets(3)  # type: ignore[arg-type]
    cat.create_library("Second")
    with pytest.raises(photocat.InvalidArgument, match="librar"):
        cat.time_buckets()


# --- hypothesis: random catalogues and writes against a model ----------------------------------

PEOPLE = ["person_p0", "person_p1", "person_p2"]
ALBUMS = ["album_x", "album_y"]
MAKES = ["Canon", "canon", "SONY"]
MODELS = ["EOS R5", "A7"]
CITIES = ["Paris", "Berlin", "paris"]
COUNTRIES = ["France", "Germany"]
MIMES = [None, "image/jpeg", "image/heic", "video/mp4", "audio/mpeg", "application/pdf"]
NAMES = ["IMG_{n}.JPG", "img_{n}.jpg", "Beach_{n}.HEIC", "BEACH party {n}.mov", "DSC{n}.ARW", ""]
DESCRIPTIONS = [None, "", "Beach day", "at the BEACH", "Party!"]
VISIBILITIES = ["timeline", "timeline", "archive", "hidden"]
OFFSETS = [None, 2 * 3600, -5 * 3600]
EXIF_FIELDS = ("make", "model", "lens_model", "city", "state", "country")


@dataclass
class M:
    """One asset as the model sees it."""

    id: str
    local: dt.datetime
    offset: Optional[int]
    name: str
    mime: Optional[str]
    description: Optional[str]
    favorite: bool
    visibility: str
    exif: dict[str, str]
    metadata: dict[str, str]
    trashed: bool = False
    albums: set[str] = field(default_factory=set)
    faces: list[Optional[str]] = field(default_factory=list)

    def fact(self, key: str) -> Optional[str]:
        return self.exif.get(key) if self.exif.get(key) is not None else self.metadata.get(key)

    def mime_type(self) -> str:
        return self.mime if self.mime is not None else "application/octet-stream"

    def type(self) -> str:
        top = self.mime_type().split("/")[0]
        return {"image": "IMAGE", "video": "VIDEO", "audio": "AUDIO"}.get(top, "OTHER")

    def listed(self) -> bool:
        return self.visibility in ("timeline", "archive")


def fmt(wall: dt.datetime, off: Optional[int]) -> str:
    if off is None:
        return wall.isoformat()
    sign = "+" if off >= 0 else "-"
    return wall.isoformat() + f"{sign}{abs(off) // 3600:02d}:00"


def compare(m: M, bound: tuple[dt.datetime, Optional[int]]) -> int:
    """-1, 0, 1: the asset against a bound, by the contract's rule (aware bounds compare
    instants with assets whose offset is known, wall clocks otherwise)."""
    wall, off = bound
    if off is None or m.offset is None:
        a, b = m.local, wall
    else:
        a, b = m.local - dt.timedelta(seconds=m.offset), wall - dt.timedelta(seconds=off)
    return (a > b) - (a < b)


def model_search(model: dict[str, M], q: dict[str, Any]) -> list[str]:
    out = []
    for m in model.values():
        if m.trashed or not m.listed():
            continue
        if q.get("person_ids") and not set(q["person_ids"]) <= set(m.faces):
            continue
        if q.get("album_ids") and not set(q["album_ids"]) <= m.albums:
            continue
        if q.get("captured_after") is not None and compare(m, q["captured_after"]) <= 0:
            continue
        if q.get("captured_before") is not None and compare(m, q["captured_before"]) >= 0:
            continue
        if any(q.get(k) is not None and m.fact(k) != q[k] for k in EXIF_FIELDS):
            continue
        if q.get("mime_type") is not None and m.mime_type() != q["mime_type"]:
            continue
        if q.get("type") is not None and m.type() != q["type"].upper():
            continue
        if q.get("is_favorite") is not None and m.favorite != q["is_favorite"]:
            continue
        if q.get("visibility") is not None and m.visibility != q["visibility"]:
            continue
        if q.get("original_file_name") and q["original_file_name"].lower() not in m.name.lower():
            continue
        if q.get("description") and q["description"].lower() not in (m.description or "").lower():
            continue
        out.append(m)
    out.sort(key=lambda m: (m.local, m.id), reverse=True)
    return [m.id for m in out]


def start_of(size: str, d: dt.date) -> dt.date:
    if size == "year":
        return d.replace(month=1, day=1)
    if size == "month":
        return d.replace(day=1)
    if size == "week":
        return d - dt.timedelta(days=d.weekday())
    return d


def model_buckets(model: dict[str, M], size: str, state: str, album: Optional[str], person: Optional[str]) -> list[tuple[dt.date, int]]:
    counts: dict[dt.date, int] = {}
    for m in model.values():
        if not m.listed() or (state == "live" and m.trashed) or (state == "trashed" and not m.trashed):
            continue
        if album is not None and album not in m.albums:
            continue
        if person is not None and person not in m.faces:
            continue
        start = start_of(size, m.local.date())
        counts[start] = counts.get(start, 0) + 1
    return sorted(counts.items(), reverse=True)


# Wall clocks around the edges buckets care about: an ISO week across a new year, a leap day,
# months' last and first days, and the same instant several times (ties broken by id).
WALLS = [
    dt.datetime(2020, 12, 27, 23, 0), dt.datetime(2020, 12, 28, 0, 0), dt.datetime(2021, 1, 3, 12, 0),
    dt.datetime(2021, 1, 4, 0, 0), dt.datetime(2024, 2, 29, 23, 59), dt.datetime(2024, 3, 1, 0, 0),
    dt.datetime(2024, 3, 1, 0, 0), dt.datetime(2024, 3, 31, 22, 0), dt.datetime(2024, 4, 1, 3, 0),
]
walls = st.sampled_from(WALLS)
offsets = st.sampled_from(OFFSETS)
exifs = st.dictionaries(
    st.sampled_from(EXIF_FIELDS),
    st.sampled_from(MAKES + MODELS + CITIES + COUNTRIES + ["RF 50mm", "Bavaria"]),
    max_size=3,
)
new_asset = st.fixed_dictionaries(
    {
        "wall": walls,
        "offset": offsets,
        "name": st.sampled_from(NAMES),
        "mime": st.sampled_from(MIMES),
        "description": st.sampled_from(DESCRIPTIONS),
        "favorite": st.booleans(),
        "visibility": st.sampled_from(VISIBILITIES),
        "exif": exifs,
        "metadata": st.dictionaries(st.sampled_from(("make", "city", "country")), st.sampled_from(MAKES + CITIES + COUNTRIES), max_size=2),
        "trashed": st.sampled_from([False, False, False, True]),
        "albums": st.sets(st.sampled_from(ALBUMS)),
        "faces": st.lists(st.sampled_from(PEOPLE + [None]), max_size=3),
    }
)
pick = st.integers(0, 1000)
write = st.one_of(
    st.tuples(st.just("time"), pick, walls, offsets),
    st.tuples(st.just("favorite"), pick, st.booleans()),
    st.tuples(st.just("visibility"), pick, st.sampled_from(["timeline", "archive", "hidden"])),
    st.tuples(st.just("description"), pick, st.sampled_from(DESCRIPTIONS)),
    st.tuples(st.just("name"), pick, st.sampled_from(NAMES)),
    st.tuples(st.just("mime"), pick, st.sampled_from([m for m in MIMES if m is not None])),
    st.tuples(st.just("exif"), pick, st.one_of(st.none(), exifs)),
    st.tuples(st.just("trash"), pick),
    st.tuples(st.just("restore"), pick),
    st.tuples(st.just("delete"), pick),
    st.tuples(st.just("album"), pick, st.sampled_from(ALBUMS)),
    st.tuples(st.just("unalbum"), pick, st.sampled_from(ALBUMS)),
    st.tuples(st.just("face"), pick, st.sampled_from(PEOPLE)),
    st.tuples(st.just("merge"), st.sampled_from(PEOPLE), st.sampled_from(PEOPLE)),
    st.tuples(st.just("add"), new_asset),
)
bounds = st.tuples(walls, offsets).map(lambda b: (b[0] + dt.timedelta(minutes=30), b[1]))
FILTERS: dict[str, Any] = {
    "person_ids": st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=2),
    "album_ids": st.lists(st.sampled_from(ALBUMS), min_size=1, max_size=2),
    "captured_after": bounds,
    "captured_before": bounds,
    "make": st.sampled_from(MAKES + ["Nikon"]),
    "model": st.sampled_from(MODELS),
    "lens_model": st.just("RF 50mm"),
    "city": st.sampled_from(CITIES),
    "state": st.just("Bavaria"),
    "country": st.sampled_from(COUNTRIES),
    "mime_type": st.sampled_from([m or "application/octet-stream" for m in MIMES]),
    "type": st.sampled_from(["IMAGE", "video", "AUDIO", "other"]),
    "is_favorite": st.booleans(),
    "visibility": st.sampled_from(["timeline", "archive"]),
    "original_file_name": st.sampled_from(["img", "IMG_1", "beach", "BEACH P", ".jpg", "", "zzz"]),
    "description": st.sampled_from(["beach", "BEACH", "party", "", "zzz"]),
}
query = st.fixed_dictionaries(
    {"filters": st.dictionaries(st.sampled_from(sorted(FILTERS)), st.just(None), max_size=3), "limit": st.integers(1, 4), "library": st.booleans()}
)


def apply(cat: photocat.Catalog, model: dict[str, M], people: set[str], op: tuple[Any, ...], counter: list[int]) -> None:
    kind = op[0]
    if kind == "add":
        a = op[1]
        counter[0] += 1
        n = counter[0]
        m = M(f"asset_{n:03d}", a["wall"], a["offset"], a["name"].format(n=n), a["mime"], a["description"], a["favorite"],
              a["visibility"], dict(a["exif"]), dict(a["metadata"]))
        rec: dict[str, Any] = {"id": m.id, "local_datetime": fmt(m.local, m.offset), "original_file_name": m.name,
                               "is_favorite": m.favorite, "visibility": m.visibility}
        if m.mime is not None:
            rec["mime_type"] = m.mime
        if m.description is not None:
            rec["description"] = m.description
        if m.exif:
            rec["exif"] = m.exif
        if m.metadata:
            rec["metadata"] = m.metadata
        if a["trashed"]:
            rec["trashed_at"] = "2025-01-01T00:00:00Z"
            m.trashed = True
        cat.add_assets([rec])
        model[m.id] = m
        if a["albums"]:
            for album in sorted(a["albums"]):
                cat.add_to_album(album, [m.id])
            m.albums = set(a["albums"])
        faces = [f for f in a["faces"] if f is None or f in people]
        if faces:
            cat.add_faces([{"asset_id": m.id, "person_id": p, "bounding_box": BOX} for p in faces])
            m.faces = list(faces)
        return
    if kind == "merge":
        into, frm = op[1], op[2]
        if into == frm or into not in people or frm not in people:
            return
        cat.merge_people(into, [frm])
        people.discard(frm)
        for m in model.values():
            m.faces = [into if f == frm else f for f in m.faces]
        return
    if not model:
        return
    m = list(model.values())[op[1] % len(model)]
    if kind == "time":
        cat.update_asset(m.id, local_datetime=fmt(op[2], op[3]))
        m.local, m.offset = op[2], op[3]
    elif kind == "favorite":
        cat.update_asset(m.id, is_favorite=op[2])
        m.favorite = op[2]
    elif kind == "visibility":
        cat.update_asset(m.id, visibility=op[2])
        m.visibility = op[2]
    elif kind == "description":
        cat.update_asset(m.id, description=op[2])
        m.description = op[2]
    elif kind == "name":
        m.name = op[2].format(n=m.id[-3:])
        cat.update_asset(m.id, original_file_name=m.name)
    elif kind == "mime":
        cat.update_asset(m.id, mime_type=op[2])
        m.mime = op[2]
    elif kind == "exif":
        cat.update_asset(m.id, exif=op[2])
        m.exif = dict(op[2] or {})
    elif kind == "trash":
        cat.trash_assets([m.id])
        m.trashed = True
    elif kind == "restore":
        cat.restore_assets([m.id])
        m.trashed = False
    elif kind == "delete":
        cat.delete_assets([m.id])
        del model[m.id]
    elif kind == "album":
        cat.add_to_album(op[2], [m.id])
        m.albums.add(op[2])
    elif kind == "unalbum":
        cat.remove_from_album(op[2], [m.id])
        m.albums.discard(op[2])
    elif kind == "face":
        if op[2] in people:
            cat.add_faces([{"asset_id": m.id, "person_id": op[2], "bounding_box": BOX}])
            m.faces.append(op[2])


def check_search(cat: photocat.Catalog, model: dict[str, M], people: set[str], lib: str, q: dict[str, Any], values: dict[str, Any]) -> None:
    filters = {k: v for k, v in values.items() if k != "person_ids" or all(p in people for p in v)}
    kwargs: dict[str, Any] = dict(filters)
    for k in ("captured_after", "captured_before"):
        if k in kwargs:
            kwargs[k] = fmt(*kwargs[k])
    if q["library"]:
        kwargs["library_id"] = lib
    expected = model_search(model, filters)
    limit = q["limit"]
    got: list[str] = []
    page = 1
    while True:
        res = cat.search_assets(**kwargs, page=page, limit=limit)
        assert res.total == len(expected), (kwargs, page)
        assert res.page == page
        assert [a.id for a in res.data] == expected[len(got): len(got) + limit], (kwargs, page)
        got += [a.id for a in res.data]
        assert res.has_more == (len(got) < len(expected)), (kwargs, page)
        if not res.has_more:
            break
        page += 1
    assert got == expected
    for past in (page + 1, page + 3):
        res = cat.search_assets(**kwargs, page=past, limit=limit)
        assert (len(res), res.has_more, res.total, res.page) == (0, False, len(expected), past), (kwargs, past)


def check_buckets(cat: photocat.Catalog, model: dict[str, M], people: set[str]) -> None:
    for size in ("year", "month", "week", "day"):
        for state in ("live", "trashed", "all"):
            for album, person in ((None, None), ("album_x", None), (None, "person_p0"), ("album_y", "person_p0")):
                if person is not None and person not in people:
                    continue
                got = cat.time_buckets(size, album_id=album, person_id=person, state=state)  # type: ignore[arg-type]
                assert got == model_buckets(model, size, state, album, person), (size, state, album, person)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    first=st.lists(new_asset, min_size=1, max_size=10),
    writes=st.lists(write, max_size=12),
    queries=st.lists(query, min_size=1, max_size=4),
    data=st.data(),
)
def test_search_and_buckets_match_the_model(first: list[dict[str, Any]], writes: list[tuple[Any, ...]],
                                            queries: list[dict[str, Any]], data: st.DataObject) -> None:
    with photocat.Catalog.in_memory() as cat:
        lib = cat.create_library("Main").id
        for album in ALBUMS:
            cat.create_album(album, id=album)
        people = set(PEOPLE)
        for p in PEOPLE:
            cat.create_person(p, id=p)
        model: dict[str, M] = {}
        counter = [0]
        for a in first:
            apply(cat, model, people, ("add", a), counter)
        # Queries before and after the writes: the indexes are maintained by every write.
        for q in queries[:1]:
            values = {k: data.draw(FILTERS[k], label=k) for k in q["filters"]}
            check_search(cat, model, people, lib, q, values)
        check_buckets(cat, model, people)
        for op in writes:
            apply(cat, model, people, op, counter)
        for q in queries:
            values = {k: data.draw(FILTERS[k], label=k) for k in q["filters"]}
            check_search(cat, model, people, lib, q, values)
        check_buckets(cat, model, people)
        # No filter at all is the list order of list_assets.
        assert [a.id for a in cat.search_assets(limit=200).data] == [a.id for a in cat.iter_assets()]
