"""The data-science calls: Catalog.arrow_stream, to_arrow, to_polars, to_pandas,
export_parquet and AssetPage.to_pandas. One pinned Arrow schema; every row equals the asset's
own view (to_dict and attributes) in list order for every filter; the C stream is read by
pyarrow, polars and DuckDB each alone; lazy imports; Parquet round trips."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import photocat
from records import record

UTC = dt.timezone.utc
ROOT = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------------------- the schema

_D = "dictionary<values=string, indices=int32, ordered=0>"
_TS = "timestamp[us, tz=UTC]"
_LIST = "list<item: string not null>"


def _exif_columns(prefix: str, metadata: bool) -> list[tuple[str, str, bool]]:
    cols = [
        ("make", _D), ("model", _D), ("orientation", "int32"), ("modified_datetime", _TS),
        ("original_datetime", _TS), ("digitized_datetime", _TS), ("lens_model", _D),
        ("f_number", "double"), ("focal_length", "double"), ("iso", "int64"),
        ("exposure_time", "double"), ("exposure_bias", "double"), ("latitude", "double"),
        ("longitude", "double"), ("altitude", "double"), ("city", _D), ("state", _D),
        ("country", _D), ("description", "string"), ("fps", "double"),
        ("live_photo_cid", "string"), ("projection_type", _D),
    ]  # fmt: skip
    if not metadata:
        cols.append(("profile_description", "string"))
    cols += [("auto_stack_id", "string"), ("rating", "int64")]
    if metadata:
        cols += [(n, _D) for n in ("country_code", "sublocation", "place_name", "timezone", "display_label")]
    return [(prefix + name, t, True) for name, t in cols]


#: (name, pyarrow type, nullable), in order: the one schema of every call and of Parquet.
SCHEMA: list[tuple[str, str, bool]] = [
    ("id", "string", False),
    ("library_id", _D, False),
    ("owner_id", _D, True),
    ("device_asset_id", "string", False),
    ("device_id", _D, False),
    ("type", _D, False),
    ("mime_type", _D, False),
    ("original_file_name", "string", False),
    ("original_path", "string", True),
    ("file_created_at", _TS, False),
    ("file_modified_at", _TS, False),
    ("local_datetime", "timestamp[us]", False),
    ("local_offset_minutes", "int16", True),
    ("local_datetime_source", _D, True),
    ("captured_at", _TS, True),
    ("checksum", "string", True),
    ("checksum_sha1", "string", True),
    ("created_at", _TS, False),
    ("updated_at", _TS, False),
    ("description", "string", True),
    ("width", "int32", True),
    ("height", "int32", True),
    ("file_size_bytes", "int64", True),
    ("trashed_at", _TS, True),
    ("is_trashed", "bool", False),
    ("is_favorite", "bool", False),
    ("visibility", _D, False),
    ("is_archived", "bool", False),
    ("is_offline", "bool", False),
    ("duration", "string", True),
    ("live_photo_video_id", "string", True),
    ("duplicate_id", "string", True),
    ("stack_id", "string", True),
    ("thumbhash", "string", True),
    ("download_url", "string", True),
    ("thumbnail_url", "string", True),
    ("tags", _LIST, False),
    ("album_ids", _LIST, False),
    ("person_ids", _LIST, False),
    ("face_count", "int32", False),
    *_exif_columns("exif_", metadata=False),
    *_exif_columns("metadata_", metadata=True),
]
NAMES = [name for name, _, _ in SCHEMA]


def described(schema: pa.Schema) -> list[tuple[str, str, bool]]:
    return [(f.name, str(f.type), f.nullable) for f in schema]


def test_schema_is_pinned(mem: photocat.Catalog) -> None:
    assert len(SCHEMA) == len(set(NAMES)) == 40 + 25 + 29
    stream = mem.arrow_stream()
    assert described(pa.schema(stream)) == SCHEMA
    assert described(mem.to_arrow().schema) == SCHEMA
    mem.add_assets([record(1)])
    assert described(mem.to_arrow().schema) == SCHEMA
    assert described(pa.RecordBatchReader.from_stream(mem.arrow_stream()).schema) == SCHEMA


# ------------------------------------------------------------- rows against each asset's view


def _instant(v: Optional[str]) -> Optional[dt.datetime]:
    return None if v is None else dt.datetime.fromisoformat(v).astimezone(UTC)


_NESTED_INSTANTS = {"modified_datetime", "original_datetime", "digitized_datetime"}


def album_index(cat: photocat.Catalog, library_id: Optional[str] = None) -> dict[str, list[str]]:
    """asset id -> ids of the albums holding it (sorted), from the album lists."""
    index: dict[str, list[str]] = {}
    for album in cat.list_albums():
        for a in cat.iter_assets(album_id=album.id, state="all", library_id=album.library_id):
            index.setdefault(a.id, []).append(album.id)
    return {k: sorted(v) for k, v in index.items()}


def expected_row(a: photocat.Asset, album_ids: list[str]) -> dict[str, Any]:
    """The row of an asset, from its own view: `to_dict()` where it has the column, the
    attributes (Immich state, offsets, sources) elsewhere."""
    d = a.to_dict()
    row: dict[str, Any] = {}
    for name in NAMES:
        if name.startswith(("exif_", "metadata_")):
            obj, field = name.split("_", 1)
            nested = d[obj] or {}
            v = nested.get(field)
            row[name] = _instant(v) if field in _NESTED_INSTANTS else v
        elif name == "local_offset_minutes":
            off = a.local_offset
            row[name] = None if off is None else int(off.utcoffset(None).total_seconds()) // 60
        elif name == "album_ids":
            row[name] = album_ids
        elif name == "person_ids":
            row[name] = list(dict.fromkeys(f.person_id for f in a.faces if f.person_id is not None))
        elif name == "face_count":
            row[name] = len(a.faces)
        elif name == "duration":
            row[name] = a.to_immich_dict()["duration"] if a.duration is not None else None
        elif name == "type":
            row[name] = a.to_immich_dict()["type"]
        else:
            row[name] = getattr(a, name)
    # Every column the Gumnut dict has says the same as the attribute used above.
    for name, v in d.items():
        if name in row and not isinstance(v, (dict, list)):
            got = row[name]
            if isinstance(got, dt.datetime):
                want = dt.datetime.fromisoformat(v)
                assert (got == want) if got.tzinfo is not None else (got == want.replace(tzinfo=None)), name
            else:
                assert got == v, name
    return row


def rows(table: pa.Table) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = table.to_pylist()
    return out


def assert_rows_match(cat: photocat.Catalog, **filters: Any) -> int:
    table = cat.to_arrow(**filters)
    albums = album_index(cat)
    want = [expected_row(a, albums.get(a.id, [])) for a in cat.iter_assets(**filters)]
    got = rows(table)
    assert [r["id"] for r in got] == [r["id"] for r in want], filters
    for g, w in zip(got, want):
        assert g == w, (filters, {k: (g[k], w[k]) for k in g if g[k] != w[k]})
    return len(got)


@pytest.fixture
def rich(mem: photocat.Catalog) -> photocat.Catalog:
    """Assets with EXIF, metadata, faces, people, albums, tags, trash, offsets, videos."""
    added = mem.add_assets(
        [
            record(1, metadata={"city": "Paris", "timezone": "Europe/Paris", "country_code": "FR"}, tags=["b", "a"]),
            record(2, exif={"make": "Sony", "latitude": 48.85, "longitude": 2.35, "original_datetime": "2024-03-02T10:00:00Z"}),
            record(3, local_datetime="2024-06-01T12:00:00", description="naive, no offset"),
            record(4, local_datetime="2023-12-31T23:30:00-05:00", is_favorite=True),
            {"local_datetime": "0001-01-01T00:00:00", "id": "asset_old"},
            {"local_datetime": "9999-12-31T23:59:59.5", "id": "asset_late"},
            {"mime_type": "video/mp4", "duration": dt.timedelta(seconds=90), "local_datetime": "2024-02-02T02:02:02+09:00"},
            record(8, visibility="archive"),
            record(9),
        ]
    )
    ann, bob = mem.create_person("Ann"), mem.create_person("Bob")
    box = {"x": 0, "y": 0, "w": 1, "h": 1}
    mem.add_faces(
        [
            {"asset_id": added[0].id, "person_id": bob.id, "bounding_box": box},
            {"asset_id": added[0].id, "person_id": ann.id, "bounding_box": box},
            {"asset_id": added[0].id, "person_id": bob.id, "bounding_box": box},
            {"asset_id": added[1].id, "bounding_box": box},
            {"asset_id": added[2].id, "person_id": ann.id, "bounding_box": box},
        ]
    )
    trip, home = mem.create_album("Trip"), mem.create_album("Home")
    mem.add_to_album(trip.id, [added[0].id, added[1].id, added[3].id])
    mem.add_to_album(home.id, [added[0].id, added[8].id])
    mem.trash_assets([added[3].id, added[8].id])
    other = mem.create_library("Other", id="library_other", owner_id="owner_1")
    mem.add_assets([record(20), record(21, exif={"make": "Nikon"})], library_id=other.id)
    return mem


def filter_cases(cat: photocat.Catalog) -> list[dict[str, Any]]:
    albums = {a.name: a.id for a in cat.list_albums()}
    people = {p.name: p.id for p in cat.list_people()}
    default_lib = [lib.id for lib in cat.list_libraries() if lib.id != "library_other"][0]
    some = [a.id for a in cat.iter_assets(library_id=default_lib, state="all")]
    return [
        {"library_id": default_lib},
        {"library_id": "library_other"},
        {"library_id": default_lib, "state": "trashed"},
        {"library_id": default_lib, "state": "all"},
        {"library_id": default_lib, "album_id": albums["Trip"]},
        {"library_id": default_lib, "album_id": albums["Trip"], "state": "all"},
        {"library_id": default_lib, "person_id": people["Ann"]},
        {"library_id": default_lib, "person_id": people["Bob"], "state": "all"},
        {"library_id": default_lib, "ids": some[::2], "state": "all"},
        {"library_id": default_lib, "ids": []},
        {"library_id": default_lib, "local_datetime_after": dt.datetime(2024, 2, 1)},
        {"library_id": default_lib, "local_datetime_before": "2024-06-01T12:00:00"},
        {"library_id": default_lib, "local_datetime_after": dt.datetime(2024, 1, 1, tzinfo=UTC)},
        {"library_id": default_lib, "local_datetime_before": dt.datetime(2024, 3, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=2)))},
        {"library_id": default_lib, "local_datetime_after": pd.Timestamp("2023-01-01"), "local_datetime_before": pd.Timestamp("2025-01-01", tz="UTC")},
        {"library_id": default_lib, "starting_after_id": some[2]},
        {"library_id": default_lib, "starting_after_id": some[1], "state": "all"},
    ]


def test_every_row_equals_the_assets_view_for_every_filter(rich: photocat.Catalog) -> None:
    counts = [assert_rows_match(rich, **f) for f in filter_cases(rich)]
    assert all(counts[:9]) and counts[9] == 0  # the filters are not all empty
    # The rich columns are exercised.
    default_lib = [lib.id for lib in rich.list_libraries() if lib.id != "library_other"][0]
    t = rich.to_arrow(library_id=default_lib, state="all").to_pylist()
    assert any(r["album_ids"] == sorted(r["album_ids"]) and len(r["album_ids"]) == 2 for r in t)
    first = next(r for r in t if r["person_ids"] and len(r["person_ids"]) == 2)
    assert first["face_count"] == 3  # Bob, Ann, Bob: distinct ids in face order
    assert {r["local_offset_minutes"] for r in t} >= {120, -300, 540, None}
    assert any(r["duration"] for r in t) and any(r["trashed_at"] for r in t)
    assert any(r["metadata_city"] == "Paris" for r in t) and any(r["tags"] == ["a", "b"] or r["tags"] == ["b", "a"] for r in t)


def test_polars_and_pandas_have_the_same_rows(rich: photocat.Catalog) -> None:
    lib = [lib.id for lib in rich.list_libraries() if lib.id != "library_other"][0]
    table = rich.to_arrow(library_id=lib, state="all")
    frame = rich.to_polars(library_id=lib, state="all")
    assert frame.columns == NAMES and frame.height == table.num_rows
    assert frame["id"].to_list() == table.column("id").to_pylist()
    assert str(frame.schema["captured_at"]) == "Datetime(time_unit='us', time_zone='UTC')"
    assert str(frame.schema["exif_make"]) == "Categorical"
    df = rich.to_pandas(library_id=lib, state="all")
    assert list(df.columns) == NAMES and list(df["id"]) == table.column("id").to_pylist()


# hypothesis: random catalogues and random filters -------------------------------------------

_days = st.integers(min_value=0, max_value=400)
_asset = st.fixed_dictionaries(
    {
        "day": _days,
        "offset": st.one_of(st.none(), st.integers(min_value=-12, max_value=14)),
        "make": st.one_of(st.none(), st.sampled_from(["Canon", "Sony", "Nikon"])),
        "lat": st.one_of(st.none(), st.floats(min_value=-90, max_value=90, allow_nan=False)),
        "tags": st.lists(st.sampled_from(["x", "y", "z"]), max_size=2, unique=True),
        "album": st.sets(st.integers(min_value=0, max_value=2)),
        "person": st.lists(st.integers(min_value=0, max_value=2), max_size=3),
        "trashed": st.booleans(),
        "favorite": st.booleans(),
    }
)
_filters = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["none", "album", "person", "ids", "after", "before", "aware", "start"]),
        "state": st.sampled_from(["live", "trashed", "all"]),
        "n": st.integers(min_value=0, max_value=30),
        "day": _days,
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assets=st.lists(_asset, max_size=25), queries=st.lists(_filters, min_size=1, max_size=4), batch=st.integers(1, 7))
def test_random_catalogues_and_filters(assets: list[dict[str, Any]], queries: list[dict[str, Any]], batch: int) -> None:
    base = dt.datetime(2023, 1, 1, 12)
    with photocat.Catalog.in_memory() as cat:
        records: list[dict[str, Any]] = []
        for i, a in enumerate(assets):
            local = base + dt.timedelta(days=a["day"], minutes=i)
            text = local.isoformat()
            if a["offset"] is not None:
                text += f"{a['offset']:+03d}:00"
            r: dict[str, Any] = {"local_datetime": text, "tags": a["tags"], "is_favorite": a["favorite"]}
            if a["make"] is not None or a["lat"] is not None:
                r["exif"] = {"make": a["make"], "latitude": a["lat"], "longitude": 0.0 if a["lat"] is not None else None}
            records.append(r)
        added = cat.add_assets(records)
        albums = [cat.create_album(f"A{i}").id for i in range(3)]
        people = [cat.create_person(f"P{i}").id for i in range(3)]
        for k, album in enumerate(albums):
            members = [x.id for x, a in zip(added, assets) if k in a["album"]]
            if members:
                cat.add_to_album(album, members)
        faces = [
            {"asset_id": x.id, "person_id": people[p], "bounding_box": {"x": 0, "y": 0, "w": 1, "h": 1}}
            for x, a in zip(added, assets)
            for p in a["person"]
        ]
        if faces:
            cat.add_faces(faces)
        trashed = [x.id for x, a in zip(added, assets) if a["trashed"]]
        if trashed:
            cat.trash_assets(trashed)
        for q in queries:
            f: dict[str, Any] = {"state": q["state"]}
            when = base + dt.timedelta(days=q["day"])
            if q["kind"] == "album":
                f["album_id"] = albums[q["n"] % 3]
            elif q["kind"] == "person":
                f["person_id"] = people[q["n"] % 3]
            elif q["kind"] == "ids":
                f["ids"] = [x.id for x in added[: q["n"]]]
            elif q["kind"] == "after":
                f["local_datetime_after"] = when
            elif q["kind"] == "before":
                f["local_datetime_before"] = when
            elif q["kind"] == "aware":
                f["local_datetime_after"] = when.replace(tzinfo=UTC)
            elif q["kind"] == "start":
                # A cursor of the same state (a trashed list is ordered by trashed_at).
                candidates = [x.id for x in cat.iter_assets(state=q["state"])]
                if candidates:
                    f["starting_after_id"] = candidates[q["n"] % len(candidates)]
            assert_rows_match(cat, **f)
            sizes = [b.num_rows for b in pa.RecordBatchReader.from_stream(cat.arrow_stream(batch_size=batch, **f))]
            assert all(0 < s <= batch for s in sizes)
            assert sum(sizes) == len(list(cat.iter_assets(**f)))


# --------------------------------------------------------------------------- stream behaviour


def test_stream_reads_twice_and_keeps_batch_size(mem: photocat.Catalog) -> None:
    mem.add_assets([{"local_datetime": f"2024-05-01T10:00:{s:02d}"} for s in range(10)])
    stream = mem.arrow_stream(batch_size=3)
    assert repr(stream) == "ArrowStream(batch_size=3)"
    first = pa.table(stream)
    second = pa.RecordBatchReader.from_stream(stream)
    assert [b.num_rows for b in second] == [3, 3, 3, 1]
    assert first.num_rows == 10
    # Each read is a fresh snapshot: a write in between shows up in the next read.
    mem.add_assets([{"local_datetime": "2024-06-01T00:00:00"}])
    assert pa.table(stream).num_rows == 11 and first.num_rows == 10


def test_empty_catalogue_gives_an_empty_table_with_the_schema(mem: photocat.Catalog) -> None:
    t = mem.to_arrow()
    assert t.num_rows == 0 and described(t.schema) == SCHEMA
    assert mem.to_polars().shape == (0, len(SCHEMA))
    assert list(mem.to_pandas().columns) == NAMES


def test_arguments_are_checked_when_the_stream_is_made(mem: photocat.Catalog) -> None:
    for bad in (0, -1):
        with pytest.raises(photocat.InvalidArgument, match="batch_size"):
            mem.arrow_stream(batch_size=bad)
    with pytest.raises(TypeError):
        mem.arrow_stream(batch_size="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mem.to_arrow(library_id=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mem.arrow_stream("library_x")  # type: ignore[misc]  # keywords only
    with pytest.raises(photocat.InvalidArgument):
        mem.arrow_stream(state="gone")  # type: ignore[arg-type]
    with pytest.raises(photocat.InvalidArgument):
        mem.to_polars(ids=["not an id"])
    with pytest.raises(photocat.NotFoundError):
        mem.arrow_stream(album_id="album_missing")
    with pytest.raises(TypeError):
        mem.to_arrow(limit=5)  # type: ignore[call-arg]
    stream = mem.arrow_stream()
    mem.close()
    with pytest.raises(photocat.PhotocatError, match="closed"):
        pa.table(stream)
    with pytest.raises(photocat.PhotocatError, match="closed"):
        mem.to_arrow()


def test_closing_the_catalogue_mid_read_ends_the_read_with_an_error(tmp_path: Path) -> None:
    with photocat.Catalog.open(tmp_path / "c.redb") as cat:
        cat.add_assets([{"local_datetime": f"2024-05-01T10:00:{s:02d}"} for s in range(10)])
        reader = pa.RecordBatchReader.from_stream(cat.arrow_stream(batch_size=3))
        assert reader.read_next_batch().num_rows == 3
    with pytest.raises(pa.ArrowInvalid, match="closed"):
        reader.read_all()


def test_other_threads_run_while_frames_are_built(tmp_path: Path) -> None:
    """The interpreter is free while batches are built and files written: a ticking thread
    keeps ticking (one that held it throughout would let the ticker run about never)."""
    import threading
    import time

    with photocat.Catalog.open(tmp_path / "t.redb") as cat:
        cat.add_assets([record(i) for i in range(20_000)])

        def ticks_during(call: Any) -> int:
            done, ticks = threading.Event(), [0]

            def work() -> None:
                try:
                    call()
                finally:
                    done.set()

            worker = threading.Thread(target=work)
            worker.start()
            while not done.is_set():
                ticks[0] += 1
                time.sleep(0.001)
            worker.join()
            return ticks[0]

        assert ticks_during(lambda: cat.to_arrow(batch_size=2000)) >= 5
        assert ticks_during(lambda: cat.export_parquet(tmp_path / "p")) >= 5


# -------------------------------------------------------------- imports and other consumers


def run_python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


FRAME_PACKAGES = ("pyarrow", "polars", "pandas", "duckdb", "numpy")


def test_import_and_other_calls_import_no_frame_library(tmp_path: Path) -> None:
    run_python(
        f"""
        import sys, photocat
        cat = photocat.Catalog.open({str(tmp_path / 'c.redb')!r})
        cat.import_paths(["tests/data/photos"])
        a = cat.add_assets([{{"local_datetime": "2024-01-01T00:00:00"}}])[0]
        cat.create_album("A"); cat.create_person("P")
        page = cat.list_assets(limit=5)
        page.to_dict(); page.to_json(); a.to_dict(); a.to_immich_dict()
        list(cat.iter_assets()); cat.count_assets(); cat.summary(); cat.get_all_assets()
        cat.random_assets(count=2); cat.list_albums(); cat.list_people()
        stream = cat.arrow_stream()
        stream.__arrow_c_stream__(); stream.__arrow_c_schema__()
        cat.export_parquet({str(tmp_path / 'out')!r})
        loaded = [m for m in {FRAME_PACKAGES!r} if m in sys.modules]
        assert not loaded, loaded
        """
    )


#: Makes packages look not installed: importing them (or finding their spec, as polars does
#: for its optional dependencies) raises ModuleNotFoundError.
BLOCKER = """
import sys
class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, _Blocker())
"""

BLOCK = BLOCKER + """
import photocat
cat = photocat.Catalog.in_memory()
cat.add_assets([{{"local_datetime": f"2024-05-0{{d}}T10:00:00", "exif": {{"make": "Canon" if d % 2 else "Sony"}}}}
                for d in range(1, 8)])
stream = cat.arrow_stream(batch_size=2)
"""


@pytest.mark.parametrize(
    "consumer, code",
    [
        (
            "polars",
            """
            import polars as pl
            df = pl.DataFrame(stream)
            assert df.height == 7 and df["exif_make"].value_counts().sort("exif_make")["count"].to_list() == [4, 3]
            # from_arrow reads any PyCapsule object as one Series (of structs): the same rows.
            assert pl.from_arrow(stream).struct.unnest().equals(df)  # a second read
            print(df["local_datetime"].dt.day().to_list())
            """,
        ),
        (
            "duckdb",
            """
            import duckdb
            [(n, canon, first)] = duckdb.sql("select count(*), count(*) filter (where exif_make = 'Canon'), min(local_datetime) from stream").fetchall()
            assert (n, canon) == (7, 4) and first.day == 1, (n, canon, first)
            assert duckdb.sql("select count(*) from stream").fetchall() == [(7,)]  # scanned again
            print([r[0].day for r in duckdb.sql("select local_datetime from stream").fetchall()])
            """,
        ),
        (
            "pyarrow",
            """
            import pyarrow as pa
            t = pa.table(stream)
            assert t.num_rows == 7 and t.column("exif_make").to_pylist().count("Canon") == 4
            print([d.day for d in t.column("local_datetime").to_pylist()])
            """,
        ),
    ],
)
def test_each_consumer_alone(consumer: str, code: str) -> None:
    blocked = [m for m in ("pyarrow", "polars", "duckdb", "pandas") if m != consumer]
    out = run_python(BLOCK.format(blocked=blocked) + textwrap.dedent(code) + "\nassert not [m for m in %r if m in sys.modules]\n" % blocked)
    assert out.strip() == "[7, 6, 5, 4, 3, 2, 1]"


@pytest.mark.parametrize(
    "call, who, missing, extra",
    [
        ("cat.to_polars()", "Catalog.to_polars", "polars", "polars"),
        ("cat.to_arrow()", "Catalog.to_arrow", "pyarrow", "pyarrow"),
        ("cat.to_pandas()", "Catalog.to_pandas", "pandas", "pandas"),
        ("cat.to_pandas()", "Catalog.to_pandas", "pyarrow", "pandas"),
        ("cat.list_assets().to_pandas()", "AssetPage.to_pandas", "pandas", "pandas"),
        ("cat.list_assets().to_pandas()", "AssetPage.to_pandas", "pyarrow", "pandas"),
    ],
)
def test_a_missing_package_is_named(call: str, who: str, missing: str, extra: str) -> None:
    out = run_python(
        BLOCKER.format(blocked=[missing])
        + textwrap.dedent(
            f"""
            import photocat
            cat = photocat.Catalog.in_memory()
            try:
                {call}
            except ImportError as e:
                print(e, "|", e.name)
            """
        )
    )
    assert out.strip() == f"{who}() needs {missing}: pip install 'photocat[{extra}]' | {missing}"


# ------------------------------------------------------------------------------------ pandas


def test_pandas_dtypes(rich: photocat.Catalog) -> None:
    lib = [lib.id for lib in rich.list_libraries() if lib.id != "library_other"][0]
    df = rich.to_pandas(library_id=lib, state="all")
    assert str(df["local_datetime"].dtype) == "datetime64[us]"
    for col in ("captured_at", "created_at", "updated_at", "file_created_at", "trashed_at", "exif_original_datetime"):
        assert str(df[col].dtype) == "datetime64[us, UTC]", col
    assert str(df["local_offset_minutes"].dtype) == "Int16"
    assert str(df["width"].dtype) == "Int32" and str(df["exif_iso"].dtype) == "Int64"
    assert str(df["face_count"].dtype) == "Int32"
    assert str(df["exif_f_number"].dtype) == "float64" and str(df["is_favorite"].dtype) == "bool"
    assert str(df["exif_make"].dtype) == "category" and str(df["mime_type"].dtype) == "category"
    assert df["original_file_name"].dtype == pd.Series([], dtype="str").dtype
    by_id = df.set_index("id")
    assert by_id.loc["asset_old", "local_datetime"].year == 1 and pd.isna(by_id.loc["asset_old", "captured_at"])
    assert by_id.loc["asset_late", "local_datetime"].year == 9999
    assert pd.isna(by_id.loc["asset_old", "width"]) and pd.isna(by_id.loc["asset_old", "exif_make"])
    paris = df[df["metadata_city"] == "Paris"].iloc[0]
    assert paris["local_offset_minutes"] == 120 and list(paris["tags"]) in (["a", "b"], ["b", "a"])
    assert len(paris["album_ids"]) == 2 and len(paris["person_ids"]) == 2


def dtypes(df: pd.DataFrame) -> dict[str, str]:
    """The dtype of each column (a categorical's categories are the data's, so left out)."""
    return {str(k): str(v) for k, v in df.dtypes.items()}


def test_page_to_pandas_has_the_columns_of_the_catalogue(rich: photocat.Catalog) -> None:
    lib = [lib.id for lib in rich.list_libraries() if lib.id != "library_other"][0]
    page = rich.list_assets(library_id=lib, limit=4)
    df = page.to_pandas()
    whole = rich.to_pandas(library_id=lib)
    assert list(df.columns) == list(whole.columns) == NAMES
    assert dtypes(df) == dtypes(whole)
    assert list(df["id"]) == [a.id for a in page.data] == list(whole["id"][:4])
    # album_ids are filled from the catalogue.
    albums = album_index(rich)
    assert [list(x) for x in df["album_ids"]] == [albums.get(a.id, []) for a in page.data]
    assert any(len(x) for x in df["album_ids"])
    # Row for row the same values as the catalogue's frame (categories may differ per batch).
    left = df.astype({c: "object" for c in df.columns if str(df[c].dtype) == "category"})
    right = whole.head(4).astype({c: "object" for c in whole.columns if str(whole[c].dtype) == "category"})
    pd.testing.assert_frame_equal(left.drop(columns=["tags", "album_ids", "person_ids"]), right.drop(columns=["tags", "album_ids", "person_ids"]))
    empty = rich.list_assets(library_id=lib, state="trashed", ids=[]).to_pandas()
    assert len(empty) == 0 and dtypes(empty) == dtypes(whole)
    assert len(pd.concat([empty, df])) == len(df)


def test_page_to_pandas_needs_the_catalogue_open(mem: photocat.Catalog) -> None:
    mem.add_assets([record(1)])
    page = mem.list_assets()
    mem.close()
    with pytest.raises(photocat.PhotocatError, match="closed"):
        page.to_pandas()


# ----------------------------------------------------------------------------------- Parquet


def _sorted(t: pa.Table) -> pa.Table:
    return t.sort_by("id")


def _plain(t: pa.Table) -> list[dict[str, Any]]:
    return _sorted(t).select(NAMES).to_pylist()


def test_export_parquet_layout_and_round_trip(rich: photocat.Catalog, tmp_path: Path) -> None:
    lib = [lib.id for lib in rich.list_libraries() if lib.id != "library_other"][0]
    out = tmp_path / "export"
    files = rich.export_parquet(out, library_id=lib, state="all", batch_size=2)
    assert all(isinstance(f, str) for f in files)
    rel = sorted(Path(f).relative_to(out).as_posix() for f in files)
    table = rich.to_arrow(library_id=lib, state="all")
    months = {(d.year, d.month) for d in table.column("local_datetime").to_pylist()}
    assert len(rel) >= len(months)
    assert {p.rsplit("/", 1)[0] for p in rel} == {f"year={y}/month={m}" for y, m in months}
    assert all(p.rsplit("/", 1)[1].startswith("part-") and p.endswith(".parquet") for p in rel)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == rel  # no temp file left
    # pyarrow: each file has the schema; the dataset reads back every row.
    assert described(pq.read_schema(files[0])) == SCHEMA
    back = pads.dataset(out, format="parquet", partitioning="hive").to_table()
    assert set(back.column_names) == set(NAMES) | {"year", "month"}
    assert _plain(back) == _plain(table)
    # DuckDB, with the hive columns.
    import duckdb

    rel_ = duckdb.sql(f"select * from read_parquet('{out}/**/*.parquet', hive_partitioning=true)")
    arrow_back = rel_.to_arrow_table()
    assert set(arrow_back.column_names) == set(NAMES) | {"year", "month"}
    assert arrow_back.num_rows == table.num_rows
    ids_years = duckdb.sql(
        f"select id, year, month from read_parquet('{out}/**/*.parquet', hive_partitioning=true) order by id"
    ).fetchall()
    by_id = {r["id"]: r["local_datetime"] for r in table.to_pylist()}
    assert [(i, by_id[i].year, by_id[i].month) for i, _, _ in ids_years] == [(i, int(y), int(m)) for i, y, m in ids_years]
    got = _sorted(arrow_back.drop_columns(["year", "month"])).select(NAMES)
    want = _sorted(table)
    for name in ("id", "local_datetime", "captured_at", "exif_make", "album_ids", "person_ids", "width", "exif_latitude"):
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name


def test_export_parquet_year_and_unpartitioned(rich: photocat.Catalog, tmp_path: Path) -> None:
    lib = [lib.id for lib in rich.list_libraries() if lib.id != "library_other"][0]
    table = rich.to_arrow(library_id=lib)
    years = rich.export_parquet(tmp_path / "y", partition_by="year", library_id=lib)
    assert {Path(f).parent.name for f in years} == {f"year={d.year}" for d in table.column("local_datetime").to_pylist()}
    flat = rich.export_parquet(tmp_path / "n", partition_by=None, library_id=lib)
    assert [Path(f).relative_to(tmp_path / "n").as_posix() for f in flat] == ["part-0.parquet"]
    assert _plain(pq.read_table(flat[0])) == _plain(table)
    assert rich.export_parquet(str(tmp_path / "s"), partition_by="none", library_id=lib) == [str(tmp_path / "s" / "part-0.parquet")]
    # An empty result: no file when partitioned, one empty file otherwise.
    assert rich.export_parquet(tmp_path / "e", library_id=lib, ids=[]) == []
    [empty] = rich.export_parquet(tmp_path / "e0", partition_by=None, library_id=lib, ids=[])
    assert pq.read_table(empty).num_rows == 0


def test_export_parquet_rejects_bad_arguments(mem: photocat.Catalog, tmp_path: Path) -> None:
    mem.add_assets([record(1)])
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    with pytest.raises(photocat.InvalidArgument, match="not empty"):
        mem.export_parquet(tmp_path / "full")
    with pytest.raises(photocat.InvalidArgument, match="partition_by"):
        mem.export_parquet(tmp_path / "bad", partition_by="day")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mem.export_parquet(tmp_path / "bad", partition_by=3)  # type: ignore[arg-type]
    with pytest.raises(photocat.InvalidArgument, match="batch_size"):
        mem.export_parquet(tmp_path / "bad", batch_size=0)
    assert not (tmp_path / "bad").exists()
