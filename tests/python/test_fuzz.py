"""Fuzzing of the module's dict and keyword paths with hypothesis: ``add_assets`` with arbitrary
dicts (known and unknown keys, values of every type, nested objects), ``update_asset``,
``list_assets``/``list_assets_json``/``count_assets``/``search_assets`` and
``get_all_assets`` with arbitrary keyword arguments. Only the documented exception classes may
come out (photocat's input errors, ``TypeError``, ``ValueError``): never a panic
(``PanicException``), a ``SystemError``, a storage error, or anything else; and after every
example the catalogue still reads and writes, with counts that match its pages.

CI runs a modest number of examples (seconds). For a long run::

    PHOTOCAT_FUZZ_EXAMPLES=100000 python -m pytest -W error tests/python/test_fuzz.py
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import photocat

EXAMPLES = int(os.environ.get("PHOTOCAT_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # CI's short run is the same every time; a long run explores afresh.
    derandomize="PHOTOCAT_FUZZ_EXAMPLES" not in os.environ,
    database=None,
)

ASSET_FIELDS = [
    "id", "device_asset_id", "device_id", "mime_type", "original_file_name", "file_created_at",
    "file_modified_at", "local_datetime", "local_datetime_source", "checksum", "checksum_sha1",
    "created_at", "updated_at", "exif", "metadata", "metrics", "asset_urls", "description",
    "faces", "people", "width", "height", "file_size_bytes", "trashed_at", "download_url",
    "thumbnail_url", "library_id", "owner_id", "is_favorite", "visibility", "is_offline",
    "live_photo_video_id", "duplicate_id", "stack_id", "tags", "thumbhash", "duration",
    "original_path", "type",
]
EXIF_FIELDS = [
    "asset_id", "created_at", "updated_at", "make", "model", "orientation", "modified_datetime",
    "original_datetime", "digitized_datetime", "lens_model", "f_number", "focal_length", "iso",
    "exposure_time", "exposure_bias", "latitude", "longitude", "altitude", "city", "state",
    "country", "description", "fps", "live_photo_cid", "projection_type", "profile_description",
    "auto_stack_id", "rating", "country_code", "sublocation", "place_name", "timezone",
    "display_label",
]
FACE_FIELDS = [
    "id", "asset_id", "person_id", "bounding_box", "timestamp_ms", "created_at", "updated_at",
    "thumbnail_url", "asset_urls",
]
PERSON_FIELDS = [
    "id", "name", "birth_date", "is_hidden", "is_favorite", "thumbnail_face_id", "created_at",
    "updated_at", "thumbnail_url", "asset_count",
]
UPDATE_FIELDS = [
    "local_datetime", "description", "original_file_name", "mime_type", "device_asset_id",
    "device_id", "file_created_at", "file_modified_at", "exif", "metadata", "metrics", "width",
    "height", "is_favorite", "visibility", "is_offline", "tags", "live_photo_video_id",
    "duplicate_id", "stack_id",
]
LIST_KWARGS = [
    "library_id", "album_id", "person_id", "ids", "local_datetime_after", "local_datetime_before",
    "starting_after_id", "state", "limit",
]
SEARCH_KWARGS = [
    "person_ids", "album_ids", "captured_after", "captured_before", "make", "model", "lens_model",
    "city", "state", "country", "mime_type", "type", "is_favorite", "visibility",
    "original_file_name", "description", "page", "limit", "library_id",
]
IMMICH_KWARGS = [
    "owner_id", "is_archived", "is_favorite", "skip", "take", "updated_after", "updated_before",
    "if_none_match",
]

# Strings the parsers know, so that examples reach past the first check.
WORDS = [
    "2023-11-07T07:31:56", "2023-11-07T07:31:56+02:00", "2023-11-07", "2023-11-07 07:31:56.5Z",
    "0001-01-01T00:00:00-18:00", "9999-12-31T23:59:59.999999+18:00", "10000-01-01", "Europe/Paris",
    "+05:45", "UTC", "Nope/Zone", "timeline", "archive", "hidden", "locked", "IMAGE", "video",
    "live", "trashed", "all", "given", "exif", "error", "skip", "0:00:05.250000", "1:60:00",
    "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=", "asset_fixed0",
    "asset_fixed1", "album_fixed", "person_fixed", "library_fixed", "face_fixed", "", " ", "\x00",
    "a" * 129, "é" * 90, "image/jpeg", "application/octet-stream", "NaN", "-1",
]

TZS = st.builds(
    dt.timezone, st.timedeltas(min_value=-dt.timedelta(hours=23), max_value=dt.timedelta(hours=23))
)


class Odd:
    """An object of no type the module knows."""

    def __repr__(self) -> str:
        return "Odd()"


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**31, 2**32, 2**63, 2**64, -(2**63) - 1, 200, 201]),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308]),
    st.text(max_size=30),
    st.sampled_from(WORDS),
    st.binary(max_size=16),
    st.datetimes(),
    st.datetimes(timezones=TZS),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.decimals(allow_nan=True),
    st.builds(Odd),
)

anything = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(EXIF_FIELDS)), inner, max_size=4),
    ),
    max_leaves=8,
)


def objects(fields: list[str], value: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[Any, Any]]:
    """Dicts mostly of known keys (some unknown, some not strings)."""
    keys = st.one_of(st.sampled_from(fields), st.sampled_from(fields), st.text(max_size=8), st.integers())
    return st.dictionaries(keys, value, max_size=6)


exif_dicts = objects(EXIF_FIELDS, anything)
box = st.one_of(
    st.fixed_dictionaries({k: st.integers(min_value=-(2**33), max_value=2**33) for k in "xywh"}),
    objects(list("xywh"), anything),
)
field_value = st.one_of(
    anything,
    exif_dicts,
    st.lists(objects(FACE_FIELDS, st.one_of(anything, box)), max_size=3),
    st.lists(objects(PERSON_FIELDS, anything), max_size=3),
    st.dictionaries(st.text(max_size=6), st.one_of(st.floats(), st.none(), anything), max_size=3),
    st.lists(st.sampled_from(WORDS), max_size=3),
)
records = objects(ASSET_FIELDS, field_value)
record_lists = st.one_of(
    st.lists(records, max_size=4),
    st.lists(st.one_of(records, anything), max_size=3),
    anything,
)


def kwargs_for(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments: known names (sometimes an unknown one) with any values."""
    known = st.dictionaries(st.sampled_from(names), st.one_of(anything, st.lists(st.sampled_from(WORDS), max_size=3)), max_size=5)
    unknown = st.dictionaries(st.sampled_from(["bogus", "limitt", "_x"]), anything, max_size=1)
    return st.builds(lambda a, b: {**a, **b}, known, st.one_of(st.just({}), unknown))


ALLOWED = (photocat.InvalidArgument, photocat.NotFoundError, photocat.DuplicateError, TypeError, ValueError)


def outcome(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Calls ``fn``; a raised exception must be one of the documented input errors."""
    try:
        return fn(*args, **kwargs)
    except BaseException as e:  # noqa: BLE001 - a PanicException is a BaseException
        ok = isinstance(e, ALLOWED) and not isinstance(e, photocat.StorageError)
        assert ok, f"{type(e).__module__}.{type(e).__name__} from {fn.__name__}: {e!r}"
        assert str(e), f"an empty message from {fn.__name__}"
        return None


def fixture() -> photocat.Catalog:
    """A small catalogue: two assets (one with a face of a person), an album."""
    cat = photocat.Catalog.in_memory()
    cat.create_library("Main", id="library_fixed")
    cat.add_assets(
        [
            {
                "id": "asset_fixed0",
                "local_datetime": "2023-11-07T07:31:56+02:00",
                "checksum": "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
                "exif": {"make": "Canon"},
                "metadata": {"timezone": "Europe/Paris", "city": "Paris"},
                "faces": [{"id": "face_fixed", "person_id": "person_fixed", "bounding_box": {"x": 1, "y": 2, "w": 3, "h": 4}}],
                "people": [{"id": "person_fixed", "name": "P"}],
            },
            {"id": "asset_fixed1", "local_datetime": "2020-01-01", "is_favorite": True},
        ]
    )
    cat.create_album("A", id="album_fixed")
    cat.add_to_album("album_fixed", ["asset_fixed0"])
    return cat


def still_usable(cat: photocat.Catalog) -> None:
    """The catalogue reads and writes, and its count matches a walk of its pages.

    The catalogue verifies clean, and the public reads agree with each other."""
    report = cat.verify()
    assert report.ok, report.problems
    n = cat.count_assets(library_id="library_fixed", state="all")
    seen = 0
    after = None
    while True:
        page = cat.list_assets(library_id="library_fixed", state="all", limit=200, starting_after_id=after)
        seen += len(page.data)
        if not page.has_more:
            break
        after = page.data[-1].id
    assert seen == n
    cat.get_asset("asset_fixed0")


CAT = fixture()


@SETTINGS
@given(recs=record_lists, library_id=st.one_of(st.none(), st.just("library_fixed"), anything), on_duplicate=st.one_of(st.sampled_from(["error", "skip"]), anything))
def test_add_assets_with_any_dicts(recs: Any, library_id: Any, on_duplicate: Any) -> None:
    added = outcome(CAT.add_assets, recs, library_id=library_id, on_duplicate=on_duplicate)
    if added is not None:
        for a in added:
            assert CAT.get_asset(a.id).to_json() == a.to_json()
            a.to_dict()
    still_usable(CAT)


GENERATED_ID = re.compile(r"\b(asset|person|face|library)_[A-Za-z0-9_-]{22}\b")


def failure(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """``(result, None)``, or ``(None, (exception class, message))`` with generated ids blanked
    (they differ between two catalogues)."""
    try:
        return fn(*args, **kwargs), None
    except BaseException as e:  # noqa: BLE001 - a PanicException is a BaseException
        return None, (type(e), GENERATED_ID.sub(r"\1_?", str(e)))


@SETTINGS
@given(recs=record_lists, library_id=st.one_of(st.none(), st.just("library_fixed"), anything), on_duplicate=st.one_of(st.sampled_from(["error", "skip"]), anything))
def test_add_assets_summary_answers_as_add_assets(recs: Any, library_id: Any, on_duplicate: Any) -> None:
    """The bulk path takes any input as ``add_assets`` does: the same error, or counts that
    match the assets ``add_assets`` returned and the catalogue holds."""
    a, b = fixture(), fixture()

    def assets(cat: photocat.Catalog) -> int:
        # Every record, hidden and locked ones included.
        return int(cat.verify().counts["assets"])

    before = assets(a)
    added, error_a = failure(a.add_assets, recs, library_id=library_id, on_duplicate=on_duplicate)
    summary, error_b = failure(b.add_assets_summary, recs, library_id=library_id, on_duplicate=on_duplicate)
    assert error_a == error_b
    if added is not None:
        created = assets(a) - before
        assert (summary.created, summary.skipped) == (created, len(added) - created)
        assert assets(b) == assets(a)
        still_usable(b)


@SETTINGS
@given(asset_id=st.one_of(st.sampled_from(["asset_fixed0", "asset_fixed1", "asset_nope"]), anything), fields=kwargs_for(UPDATE_FIELDS))
def test_update_asset_with_any_fields(asset_id: Any, fields: dict[str, Any]) -> None:
    updated = outcome(CAT.update_asset, asset_id, **fields)
    if updated is not None:
        assert CAT.get_asset(updated.id).to_json() == updated.to_json()
    still_usable(CAT)


@SETTINGS
@given(kwargs=kwargs_for(LIST_KWARGS))
def test_list_keywords(kwargs: dict[str, Any]) -> None:
    page = outcome(CAT.list_assets, **kwargs)
    as_json = outcome(CAT.list_assets_json, **kwargs)
    count = outcome(CAT.count_assets, **{k: v for k, v in kwargs.items() if k not in ("limit", "starting_after_id")})
    if page is not None:
        assert as_json == page.to_json()
        assert count is not None and count >= len(page.data)
    still_usable(CAT)


@SETTINGS
@given(kwargs=kwargs_for(SEARCH_KWARGS))
def test_search_keywords(kwargs: dict[str, Any]) -> None:
    res = outcome(CAT.search_assets, **kwargs)
    if res is not None:
        assert len(res.data) <= res.total
    still_usable(CAT)


@SETTINGS
@given(kwargs=kwargs_for(IMMICH_KWARGS))
def test_get_all_assets_keywords(kwargs: dict[str, Any]) -> None:
    outcome(CAT.get_all_assets, **kwargs)
    still_usable(CAT)


def test_fixture_is_as_built() -> None:
    """The fuzzed catalogue's known assets are there (the checks above start from them)."""
    cat = fixture()
    assert cat.count_assets(library_id="library_fixed") == 2
    assert cat.get_asset("asset_fixed0").people[0].id == "person_fixed"
