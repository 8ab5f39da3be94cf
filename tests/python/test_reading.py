"""Dicts are read straight into the engine's input types (no JSON tree in between): a record
must read exactly as its JSON text would, whatever Python shape carries it (key order, tuples
for lists, datetime objects for ISO text, int subclasses), and a bad value must be named with
its path and the same message in every shape."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import photocat
from test_dicts import varied_records

CREATED = "2024-07-01T00:00:00Z"


def as_json(value: Any) -> Any:
    """The value as `json.loads(json.dumps(value))` gives it back: what the JSON text says."""
    return json.loads(json.dumps(value))


def reshaped(value: Any, rng: random.Random) -> Any:
    """The same JSON in other Python shapes: dict keys shuffled, some lists made tuples."""
    if isinstance(value, dict):
        items = [(k, reshaped(v, rng)) for k, v in value.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        items = [reshaped(v, rng) for v in value]
        return tuple(items) if rng.random() < 0.5 else items
    return value


def added(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The added assets' JSON, without what the write itself generates (a new person's
    `created_at` and `updated_at`, a face's id when none was given)."""
    with photocat.Catalog.in_memory() as cat:
        out = [json.loads(a.to_json()) for a in cat.add_assets(records)]
    for asset in out:
        for person in asset["people"]:
            del person["created_at"], person["updated_at"]
        for face in asset["faces"]:
            if len(face["id"]) == len("face_") + 22:  # a generated id
                del face["id"]
    return out


def with_ids(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "id": f"asset_{i:03d}", "created_at": CREATED} for i, r in enumerate(records)]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_record_reads_as_its_json_text_in_any_shape(seed: int) -> None:
    records = with_ids(varied_records())
    rng = random.Random(seed)
    assert added([reshaped(r, rng) for r in records]) == added(as_json(records))


def test_datetime_objects_read_as_their_iso_text() -> None:
    aware = dt.datetime(2024, 5, 1, 8, 0, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    naive = dt.datetime(2024, 5, 1, 8, 0, 0)
    utc = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
    objects = {
        "id": "asset_a",
        "created_at": CREATED,
        "local_datetime": aware,
        "file_created_at": utc,
        "trashed_at": utc,
        "duration": dt.timedelta(minutes=1, seconds=2.5),
        "exif": {"original_datetime": aware, "digitized_datetime": naive, "modified_datetime": utc},
        "people": [{"id": "person_a", "birth_date": dt.date(1990, 4, 1)}],
        "faces": [{"person_id": "person_a", "bounding_box": {"x": 0, "y": 0, "w": 1, "h": 1}}],
    }
    text = {
        **objects,
        "local_datetime": "2024-05-01T08:00:00.25+02:00",
        "file_created_at": "2024-06-01T12:00:00+00:00",
        "trashed_at": "2024-06-01T12:00:00Z",
        "duration": "0:01:02.500000",
        "exif": {
            "original_datetime": "2024-05-01T08:00:00.25+02:00",
            "digitized_datetime": "2024-05-01T08:00:00",
            "modified_datetime": "2024-06-01T12:00:00Z",
        },
        "people": [{"id": "person_a", "birth_date": "1990-04-01"}],
    }
    assert added([objects]) == added([text])


class Count(int):
    """An int subclass (as an `enum.IntEnum` member is)."""


def test_int_and_str_subclasses_read_as_their_values() -> None:
    class Name(str):
        pass

    [a] = added([{"id": "asset_a", "created_at": CREATED, "width": Count(640), "description": Name("x")}])
    [b] = added([{"id": "asset_a", "created_at": CREATED, "width": 640, "description": "x"}])
    assert a == b


BAD = [
    ({"width": "wide"}, 'records[0].width: invalid type: string "wide", expected u32'),
    ({"width": 2**40}, "records[0].width: invalid value: integer `1099511627776`, expected u32"),
    ({"exif": {"iso": 1.5}}, "records[0].exif.iso: invalid type: floating point `1.5`, expected i64"),
    ({"exif": {"latitude": float("inf")}}, "records[0].exif.latitude: inf is not a finite number"),
    ({"tags": ["a", 3]}, "records[0].tags[1]: invalid type: integer `3`, expected a string"),
    ({"faces": [{"bounding_box": {"x": 1, 2: 3}}]}, "records[0].faces[0].bounding_box: keys must be strings, got int"),
    ({"visibility": "sideways"}, "records[0].visibility: unknown variant `sideways`"),
    # A one-key map names an enum's variant with content, as in JSON.
    ({"visibility": {"archive": 1}}, "records[0].visibility.archive: invalid type: integer `1`, expected unit"),
    ({"visibility": 3}, "records[0].visibility: invalid type: integer `3`, expected string or map"),
    ({"metrics": {"blur": "high"}}, 'records[0].metrics.blur: invalid type: string "high", expected f64'),
    ({"people": [{"asset_count": {1, 2}}]}, "records[0].people[0].asset_count: a value of type set is not accepted"),
    ({"nope": None}, "records[0].nope: unknown field `nope`"),
]


@pytest.mark.parametrize(("bad", "message"), BAD)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_bad_value_is_named_in_any_shape(bad: dict[str, Any], message: str, seed: int) -> None:
    record = reshaped({"id": "asset_a", "created_at": CREATED, "description": "d", **bad}, random.Random(seed))
    with photocat.Catalog.in_memory() as cat:
        with pytest.raises(photocat.InvalidArgument) as info:
            cat.add_assets([record])
        assert str(info.value).startswith(message), str(info.value)
        assert cat.list_assets(state="all").data == []


def test_of_two_bad_values_the_first_in_the_dict_is_named() -> None:
    with photocat.Catalog.in_memory() as cat:
        with pytest.raises(photocat.InvalidArgument, match=r"^records\[0\]\.width: "):
            cat.add_assets([{"width": "w", "height": "h"}])
        with pytest.raises(photocat.InvalidArgument, match=r"^records\[0\]\.height: "):
            cat.add_assets([{"height": "h", "width": "w"}])


def test_records_from_any_iterable() -> None:
    rows = [{"id": f"asset_{i}", "created_at": CREATED} for i in range(3)]
    assert added(rows) == added(list(iter(rows))) == added(tuple(rows))
    with photocat.Catalog.in_memory() as cat:
        assert [a.id for a in cat.add_assets(r for r in rows)] == ["asset_0", "asset_1", "asset_2"]


def test_a_value_that_reads_differently_the_second_time_keeps_the_first_error() -> None:
    # A bad value is read a second time to name its field; a list whose iteration changes
    # between the two reads still fails, with the first read's message at the record.
    class Flaky(list):  # type: ignore[type-arg]
        reads = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            Flaky.reads += 1
            return iter([3] if Flaky.reads == 1 else ["a"])

    with photocat.Catalog.in_memory() as cat:
        with pytest.raises(photocat.InvalidArgument) as info:
            cat.add_assets([{"tags": Flaky()}])
        assert str(info.value) == "records[0]: invalid type: integer `3`, expected a string"
        assert Flaky.reads == 2
        assert cat.list_assets(state="all").data == []
