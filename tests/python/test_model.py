"""Hypothesis model check: random writes, then every list page, walk, cursor and has_more
compared with a plain Python model of the contract (API.md §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import photocat

IDS = [f"asset_{c}" for c in "abcdefghijklmnop"]
OFFSETS = [None, 2 * 3600, -5 * 3600]


@dataclass
class M:
    local: dt.datetime
    offset: Optional[int]
    trashed_at: Optional[dt.datetime] = None
    albums: set[str] = field(default_factory=set)

    def captured(self) -> Optional[dt.datetime]:
        return None if self.offset is None else self.local - dt.timedelta(seconds=self.offset)


def after(m: M, bound: tuple[dt.datetime, Optional[int]]) -> int:
    """-1, 0, 1: how the asset compares with a bound (the contract's time rule)."""
    wall, off = bound
    if off is None or m.offset is None:
        a, b = m.local, wall
    else:
        a, b = m.captured(), wall - dt.timedelta(seconds=off)  # type: ignore[assignment]
    return (a > b) - (a < b)  # type: ignore[operator]


def model_list(model: dict[str, M], *, state: str, album: Optional[str], ids: Optional[list[str]],
               lo: Optional[tuple[dt.datetime, Optional[int]]], hi: Optional[tuple[dt.datetime, Optional[int]]]) -> list[str]:
    rows = []
    for i, m in model.items():
        if state == "live" and m.trashed_at is not None:
            continue
        if state == "trashed" and m.trashed_at is None:
            continue
        if album is not None and album not in m.albums:
            continue
        if ids is not None and i not in ids:
            continue
        if lo is not None and after(m, lo) <= 0:
            continue
        if hi is not None and after(m, hi) >= 0:
            continue
        rows.append(i)
    if state == "trashed":
        rows.sort(key=lambda i: (model[i].trashed_at, i), reverse=True)
    else:
        rows.sort(key=lambda i: (model[i].local, i), reverse=True)
    return rows


def fmt(wall: dt.datetime, off: Optional[int]) -> str:
    if off is None:
        return wall.isoformat()
    sign = "+" if off >= 0 else "-"
    return wall.isoformat() + f"{sign}{abs(off) // 3600:02d}:00"


walls = st.builds(
    lambda d, h: dt.datetime(2024, 3, d, h, 0),
    st.integers(1, 3),
    st.sampled_from([0, 6, 12]),
)
ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.lists(st.tuples(st.sampled_from(IDS), walls, st.sampled_from(OFFSETS)), min_size=1, max_size=6)),
        st.tuples(st.just("trash"), st.lists(st.sampled_from(IDS), min_size=1, max_size=3)),
        st.tuples(st.just("restore"), st.lists(st.sampled_from(IDS), min_size=1, max_size=3)),
        st.tuples(st.just("delete"), st.lists(st.sampled_from(IDS), min_size=1, max_size=2)),
        st.tuples(st.just("album"), st.lists(st.sampled_from(IDS), min_size=1, max_size=4)),
        st.tuples(st.just("unalbum"), st.lists(st.sampled_from(IDS), min_size=1, max_size=2)),
    ),
    max_size=14,
)
bounds = st.one_of(st.none(), st.tuples(walls, st.sampled_from(OFFSETS)))
queries = st.fixed_dictionaries(
    {
        "state": st.sampled_from(["live", "trashed", "all"]),
        "album": st.booleans(),
        "ids": st.one_of(st.none(), st.lists(st.sampled_from(IDS + ["asset_zz"]), max_size=5)),
        "lo": bounds,
        "hi": bounds,
        "limit": st.integers(1, 5),
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=ops, query_list=st.lists(queries, min_size=1, max_size=4))
def test_pages_and_walks_match_the_model(ops: list, query_list: list[dict]) -> None:  # type: ignore[type-arg]
    cat = photocat.Catalog.in_memory()
    album = cat.create_album("A", id="album_a")
    model: dict[str, M] = {}
    for op, arg in ops:
        try:
            if op == "add":
                batch = {i: (w, o) for i, w, o in arg if i not in model}
                if not batch:
                    continue
                cat.add_assets([{"id": i, "local_datetime": fmt(w, o)} for i, (w, o) in batch.items()])
                for i, (w, o) in batch.items():
                    model[i] = M(w, o)
            elif op in ("trash", "restore", "delete", "album", "unalbum"):
                known = all(i in model for i in arg)
                call = {
                    "trash": lambda: cat.trash_assets(arg),
                    "restore": lambda: cat.restore_assets(arg),
                    "delete": lambda: cat.delete_assets(arg),
                    "album": lambda: cat.add_to_album(album.id, arg),
                    "unalbum": lambda: cat.remove_from_album(album.id, arg),
                }[op]
                if not known:
                    try:
                        call()
                    except photocat.NotFoundError:
                        continue  # a failed call changes nothing
                    raise AssertionError(f"{op} of an unknown id did not fail")
                call()
                for i in set(arg):
                    if op == "trash":
                        model[i].trashed_at = cat.get_asset(i).trashed_at
                    elif op == "restore":
                        model[i].trashed_at = None
                    elif op == "delete":
                        del model[i]
                    elif op == "album":
                        model[i].albums.add(album.id)
                    else:
                        model[i].albums.discard(album.id)
        except photocat.PhotocatError as e:  # pragma: no cover - any other error is a bug
            raise AssertionError(f"{op} {arg}: {e}") from e

    for q in query_list:
        kwargs = {
            "state": q["state"],
            "album_id": album.id if q["album"] else None,
            "ids": q["ids"],
            "local_datetime_after": None if q["lo"] is None else fmt(*q["lo"]),
            "local_datetime_before": None if q["hi"] is None else fmt(*q["hi"]),
        }
        expected = model_list(model, state=q["state"], album=kwargs["album_id"], ids=q["ids"], lo=q["lo"], hi=q["hi"])
        # The walk.
        assert [a.id for a in cat.iter_assets(**kwargs, page_size=q["limit"])] == expected
        # Page by page with the cursor.
        got: list[str] = []
        cursor = None
        while True:
            page = cat.list_assets(**kwargs, starting_after_id=cursor, limit=q["limit"])
            ids = [a.id for a in page.data]
            assert ids == expected[len(got): len(got) + q["limit"]]
            got += ids
            assert page.has_more == (len(got) < len(expected))
            if not page.has_more:
                break
            cursor = ids[-1]
        assert got == expected
        # A cursor from anywhere (matching the filters or not) starts right after its position.
        if model and q["state"] != "trashed":
            for cursor_id in list(model)[:3]:
                full = model_list(model, state="all", album=None, ids=None, lo=None, hi=None)
                pos = full.index(cursor_id)
                after_cursor = [i for i in expected if full.index(i) > pos]
                page = cat.list_assets(**kwargs, starting_after_id=cursor_id, limit=5)
                assert [a.id for a in page.data] == after_cursor[:5]
                assert page.has_more == (len(after_cursor) > 5)
