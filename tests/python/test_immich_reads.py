"""Immich's reads (API.md section 7): get_all_assets (the legacy GET /asset with its ETag),
random_assets, device_asset_ids and existing_device_asset_ids, through the real module: owners,
visibility, trash, filters, inclusive updated_at bounds, order with ties, skip/take, the ETag
computed here independently, If-None-Match, bad arguments, and a hypothesis check of all of
them (and check_checksums) against a plain Python model with writes between calls."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import photocat
from immich_check import check_immich

UTC = dt.timezone.utc


def etag_of(body: bytes) -> str:
    """The strong ETag Express (Immich's server) sends for ``body``."""
    return '"%x-%s"' % (len(body), base64.b64encode(hashlib.sha1(body).digest()).decode()[:27])


def immich_body(assets: list[photocat.Asset]) -> bytes:
    """The compact JSON array of the Immich views, written by Python's json module."""
    return json.dumps([a.to_immich_dict() for a in assets], separators=(",", ":"), ensure_ascii=False).encode()


def sha1_b64(seed: str) -> str:
    return base64.b64encode(hashlib.sha1(seed.encode()).digest()).decode()


def ids(assets: Any) -> list[str]:
    return [a.id for a in assets]


@pytest.fixture
def immich() -> Any:
    """Two owners' libraries and a shared one. alice: a favourite (f1), an archived (ar),
    a hidden (hd), a locked (lk), a trashed (tr) and three that share one file_created_at (t1,
    t2, t3); bob: b1 and b2; the shared library: s1 (no owner) and s2 (owner alice)."""
    with photocat.Catalog.in_memory() as cat:
        cat.create_library("Alice", id="lib_alice", owner_id="alice")
        cat.create_library("Bob", id="lib_bob", owner_id="bob")
        cat.create_library("Shared", id="lib_shared")

        def rec(id: str, day: int, **extra: Any) -> dict[str, Any]:
            r: dict[str, Any] = {
                "id": id,
                "file_created_at": f"2024-01-{day:02d}T10:00:00Z",
                "local_datetime": f"2024-01-{day:02d}T11:00:00+01:00",
                "created_at": "2024-02-01T00:00:00Z",
                "updated_at": f"2024-03-{day:02d}T00:00:00Z",
                "device_id": "phone",
                "device_asset_id": f"IMG_{id}",
                "original_file_name": f"Café_{id}.jpg",
                "checksum_sha1": sha1_b64(id),
            }
            r.update(extra)
            return r

        cat.add_assets(
            [
                rec("f1", 9, is_favorite=True),
                rec("ar", 8, visibility="archive"),
                rec("hd", 7, visibility="hidden"),
                rec("lk", 6, visibility="locked"),
                rec("tr", 5),
                rec("t1", 4, updated_at="2024-03-04T00:00:00.5Z"),
                rec("t3", 4, device_asset_id="IMG_t1"),
                rec("t2", 4),
            ],
            library_id="lib_alice",
        )
        cat.add_assets([rec("b1", 3, device_id="tablet"), rec("b2", 10)], library_id="lib_bob")
        cat.add_assets([rec("s1", 2), rec("s2", 1, owner_id="alice")], library_id="lib_shared")
        cat.trash_assets(["tr"])
        yield cat


# ------------------------------------------------------------------ get_all_assets


def test_owners_visibility_trash_and_order(immich: photocat.Catalog) -> None:
    everything = immich.get_all_assets()
    # Hidden and locked assets are left out; order file_created_at desc, ties by id desc.
    assert ids(everything.assets) == ["b2", "f1", "ar", "tr", "t3", "t2", "t1", "b1", "s1", "s2"]
    assert not everything.not_modified
    assert ids(immich.get_all_assets(owner_id="alice").assets) == ["f1", "ar", "tr", "t3", "t2", "t1", "s2"]
    assert ids(immich.get_all_assets(owner_id="bob").assets) == ["b2", "b1"]
    assert immich.get_all_assets(owner_id="nobody").assets == []
    # Trashed assets are in, flagged in the Immich view.
    by_id = {a.id: a.to_immich_dict() for a in everything.assets}
    assert by_id["tr"]["isTrashed"] is True
    assert [k for k, d in by_id.items() if d["isTrashed"]] == ["tr"]
    assert by_id["ar"]["isArchived"] is True and by_id["f1"]["isFavorite"] is True
    # Iterating the result iterates its assets.
    assert ids(everything) == ids(everything.assets) and len(everything) == 10
    # Every asset is a valid AssetResponseDto.
    for d in by_id.values():
        check_immich(d)


def test_favorite_and_archived_filters(immich: photocat.Catalog) -> None:
    assert ids(immich.get_all_assets(is_favorite=True).assets) == ["f1"]
    assert "f1" not in ids(immich.get_all_assets(is_favorite=False).assets)
    assert len(immich.get_all_assets(is_favorite=False).assets) == 9
    assert ids(immich.get_all_assets(is_archived=True).assets) == ["ar"]
    assert ids(immich.get_all_assets(is_archived=False, owner_id="alice").assets) == ["f1", "tr", "t3", "t2", "t1", "s2"]
    assert immich.get_all_assets(is_archived=True, is_favorite=True).assets == []
    assert ids(immich.get_all_assets(owner_id="bob", is_favorite=False, is_archived=False).assets) == ["b2", "b1"]


def test_updated_bounds_are_inclusive(immich: photocat.Catalog) -> None:
    # Assets were written with updated_at 2024-03-DD (day = their file_created_at day); trashing
    # "tr" bumped its updated_at to now.
    def between(after: Any = None, before: Any = None) -> list[str]:
        return ids(immich.get_all_assets(updated_after=after, updated_before=before).assets)

    assert between("2024-03-08T00:00:00Z", "2024-03-09T00:00:00Z") == ["f1", "ar"]
    # A naive value is UTC; datetimes, aware in any zone, and pandas Timestamps work alike.
    assert between("2024-03-08T00:00:00", "2024-03-09T00:00:00") == ["f1", "ar"]
    assert between(dt.datetime(2024, 3, 8), dt.datetime(2024, 3, 9, tzinfo=UTC)) == ["f1", "ar"]
    cet = dt.timezone(dt.timedelta(hours=1))
    assert between(dt.datetime(2024, 3, 8, 1, tzinfo=cet), dt.datetime(2024, 3, 9, 1, tzinfo=cet)) == ["f1", "ar"]
    pd = pytest.importorskip("pandas")
    assert between(pd.Timestamp("2024-03-08"), pd.Timestamp("2024-03-09T00:00:00Z")) == ["f1", "ar"]
    assert between(pd.NaT, pd.Timestamp("2024-03-01T00:00:00Z")) == ["s2"]  # NaT: no bound
    # Microseconds count: t1 was updated half a second after t2 and t3.
    assert between("2024-03-04T00:00:00.5Z", "2024-03-04T00:00:00.5Z") == ["t1"]
    assert between("2024-03-04T00:00:00.000001Z", "2024-03-04T23:00:00Z") == ["t1"]
    assert between(before="2024-03-04T00:00:00.499999Z") == ["t3", "t2", "b1", "s1", "s2"]
    # "tr" was trashed just now: its updated_at moved.
    now = dt.datetime.now(UTC)
    assert between(now - dt.timedelta(hours=1)) == ["tr"]
    assert between(after=now + dt.timedelta(hours=1)) == []
    # An empty range is empty, not an error.
    assert between("2024-03-09T00:00:00Z", "2024-03-08T00:00:00Z") == []


def test_skip_and_take(immich: photocat.Catalog) -> None:
    order = ids(immich.get_all_assets().assets)
    for skip in range(12):
        for take in [None, 0, 1, 3, 100]:
            res = immich.get_all_assets(skip=skip, take=take)
            assert ids(res.assets) == order[skip:][:take], (skip, take)
    # Pages of 3 (as Immich's mobile app paged) walk everything exactly once, ties included.
    pages = [ids(immich.get_all_assets(skip=s, take=3).assets) for s in range(0, 12, 3)]
    assert sum(pages, []) == order
    assert immich.get_all_assets(skip=2**64 - 1).assets == []
    assert ids(immich.get_all_assets(take=2**64 - 1).assets) == order


def test_the_etag_and_body(immich: photocat.Catalog) -> None:
    for kw in [{}, {"owner_id": "alice"}, {"owner_id": "bob", "take": 1}, {"owner_id": "nobody"}, {"skip": 3}]:
        res = immich.get_all_assets(**kw)  # type: ignore[arg-type]
        # The body is the compact JSON array of the Immich views (non-ASCII written as UTF-8:
        # the ETag's length is in bytes, in hex).
        assert res.body == immich_body(res.assets)
        assert res.body == b"[" + b",".join(a.to_immich_json().encode() for a in res.assets) + b"]"
        assert res.etag == etag_of(res.body)
        assert len(res.etag) == len(f'"{len(res.body):x}-') + 27 + 1
        assert json.loads(res.body) == [a.to_immich_dict() for a in res.assets]
    assert immich.get_all_assets(owner_id="nobody").body == b"[]"
    assert immich.get_all_assets(owner_id="nobody").etag == '"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w"'
    # The same query on an unchanged catalogue gives the same bytes; a change moves the ETag.
    first = immich.get_all_assets(owner_id="alice")
    assert immich.get_all_assets(owner_id="alice").etag == first.etag
    immich.update_asset("f1", is_favorite=False)
    assert immich.get_all_assets(owner_id="alice").etag != first.etag
    assert immich.get_all_assets(owner_id="bob").etag == etag_of(immich_body(immich.get_all_assets(owner_id="bob").assets))


def test_if_none_match(immich: photocat.Catalog) -> None:
    res = immich.get_all_assets(owner_id="alice")
    tag = res.etag
    weak = "W/" + tag
    for header in [tag, weak, f'"nope", {tag}', f'{weak},"nope"', f'  {tag}  ', "*", f'"a" ,  W/"b", {tag}']:
        hit = immich.get_all_assets(owner_id="alice", if_none_match=header)
        assert hit.not_modified, header
        assert hit.assets == [] and len(hit) == 0 and hit.body == b""
        assert hit.etag == tag
        assert repr(hit) == f"AllAssets(len=0, etag={tag!r}, not_modified=True)"
    for header in ['"nope"', "", tag[:-2] + '"', tag.strip('"'), f"W/{tag[1:]}", '"x", "y"', 'W/"x", "y"']:
        miss = immich.get_all_assets(owner_id="alice", if_none_match=header)
        assert not miss.not_modified, header
        assert ids(miss.assets) == ids(res.assets) and miss.body == res.body and miss.etag == tag
    # The ETag of another query does not match this one.
    assert not immich.get_all_assets(owner_id="bob", if_none_match=tag).not_modified
    assert repr(res) == f"AllAssets(len=7, etag={tag!r}, not_modified=False)"


def test_all_assets_is_frozen(immich: photocat.Catalog) -> None:
    res = immich.get_all_assets(take=2)
    assert isinstance(res, photocat.AllAssets)
    with pytest.raises(AttributeError):
        res.etag = "x"  # type: ignore[misc]
    assert isinstance(res.body, bytes) and res.body is res.body
    assert res.assets is not res.assets and res.assets == res.assets  # a new list each time
    assert all(isinstance(a, photocat.Asset) for a in res.assets)


def test_the_json_only_call(immich: photocat.Catalog) -> None:
    # get_all_assets_json: the body of get_all_assets, byte for byte, without Asset objects.
    for kw in [{}, {"owner_id": "alice"}, {"owner_id": "bob", "take": 1}, {"owner_id": "nobody"}, {"skip": 3},
               {"is_favorite": True}, {"is_archived": False, "updated_before": "2100-01-01T00:00:00Z"}]:
        res = immich.get_all_assets(**kw)  # type: ignore[arg-type]
        js = immich.get_all_assets_json(**kw)  # type: ignore[arg-type]
        assert isinstance(js, photocat.AllAssetsJson) and isinstance(js.body, bytes)
        assert js.body == res.body == immich_body(res.assets)
        assert js.etag == res.etag == etag_of(js.body) and not js.not_modified
        assert repr(js) == f"AllAssetsJson(bytes={len(js.body)}, etag={js.etag!r}, not_modified=False)"
        hit = immich.get_all_assets_json(**kw, if_none_match="W/" + js.etag)  # type: ignore[arg-type]
        assert (hit.body, hit.etag, hit.not_modified) == (b"", js.etag, True)
    with pytest.raises(AttributeError):
        js.etag = "x"  # type: ignore[misc]
    # One asset by id, from its stored record.
    for a in immich.get_all_assets().assets:
        assert immich.get_asset_immich_json(a.id) == a.to_immich_json()
        assert json.loads(immich.get_asset_immich_json(a.id)) == a.to_immich_dict()
    with pytest.raises(photocat.NotFoundError):
        immich.get_asset_immich_json("asset_none")
    with pytest.raises(photocat.InvalidArgument):
        immich.get_asset_immich_json("not an id")
    with pytest.raises(photocat.InvalidArgument, match="skip must be 0 or more"):
        immich.get_all_assets_json(skip=-1)
    with pytest.raises(TypeError, match="is_favorite must be True, False or None"):
        immich.get_all_assets_json(is_favorite=1)  # type: ignore[arg-type]


# ------------------------------------------------------------------ random_assets


def test_random_pool_and_count(immich: photocat.Catalog) -> None:
    eligible = {"f1", "ar", "t1", "t2", "t3", "b1", "b2", "s1", "s2"}  # not trashed, hidden or locked
    for count in [1, 2, 5, 9, 10, 1000]:
        got = ids(immich.random_assets(count=count))
        assert len(got) == min(count, 9) and len(set(got)) == len(got)
        assert set(got) <= eligible
    assert set(ids(immich.random_assets(count=50))) == eligible
    assert set(ids(immich.random_assets(count=50, owner_id="alice"))) == {"f1", "ar", "t1", "t2", "t3", "s2"}
    assert set(ids(immich.random_assets(count=50, owner_id="bob"))) == {"b1", "b2"}
    assert immich.random_assets(count=3, owner_id="nobody") == []
    assert len(immich.random_assets()) == 1  # count defaults to 1
    with photocat.Catalog.in_memory() as empty:
        assert empty.random_assets(count=5) == []


def test_random_seed_reproduces(immich: photocat.Catalog) -> None:
    for seed in [0, 1, 42, 2**63, 2**64 - 1]:
        first = ids(immich.random_assets(count=4, seed=seed))
        assert len(first) == 4
        for _ in range(3):
            assert ids(immich.random_assets(count=4, seed=seed)) == first
    # Different seeds do not all give the same sample.
    assert len({tuple(ids(immich.random_assets(count=3, seed=s))) for s in range(30)}) > 5


def test_random_is_uniform(immich: photocat.Catalog) -> None:
    draws = Counter(a.id for _ in range(900) for a in immich.random_assets(count=1))
    assert set(draws) == {"f1", "ar", "t1", "t2", "t3", "b1", "b2", "s1", "s2"}
    # Each of 9 assets is expected 100 times (sd about 9.4): far outside [55, 145] is a bug.
    assert all(55 <= n <= 145 for n in draws.values()), draws
    pairs = Counter(frozenset(ids(immich.random_assets(count=2, seed=s))) for s in range(720))
    # 36 possible pairs, each expected 20 times.
    assert len(pairs) == 36 and all(n >= 3 for n in pairs.values()), pairs


# ------------------------------------------------------------------ device ids


def test_device_asset_ids(immich: photocat.Catalog) -> None:
    # Trashed (tr) and hidden (hd) left out; distinct ("t1" and "t3" share IMG_t1); ascending.
    alice = ["IMG_ar", "IMG_f1", "IMG_lk", "IMG_s2", "IMG_t1", "IMG_t2"]
    assert immich.device_asset_ids("phone", owner_id="alice") == alice
    assert immich.device_asset_ids("phone", "bob") == ["IMG_b2"]
    assert immich.device_asset_ids("tablet") == ["IMG_b1"]
    assert immich.device_asset_ids("phone") == sorted(alice + ["IMG_b2", "IMG_s1"])
    assert immich.device_asset_ids("camera") == []
    assert immich.device_asset_ids("phone", owner_id="nobody") == []
    immich.restore_assets(["tr"])
    assert "IMG_tr" in immich.device_asset_ids("phone", owner_id="alice")


def test_existing_device_asset_ids(immich: photocat.Catalog) -> None:
    asked = ["IMG_zz", "IMG_tr", "IMG_f1", "IMG_b2", "IMG_tr", "IMG_t1", "IMG_f1"]
    # Trashed ones count; each once, in input order.
    assert immich.existing_device_asset_ids("phone", asked, owner_id="alice") == ["IMG_tr", "IMG_f1", "IMG_t1"]
    assert immich.existing_device_asset_ids("phone", asked) == ["IMG_tr", "IMG_f1", "IMG_b2", "IMG_t1"]
    assert immich.existing_device_asset_ids("tablet", ["IMG_b1", "IMG_f1"], "bob") == ["IMG_b1"]
    # Hidden and locked ones count too.
    assert immich.existing_device_asset_ids("phone", ["IMG_hd", "IMG_lk"], "alice") == ["IMG_hd", "IMG_lk"]
    assert immich.existing_device_asset_ids("phone", []) == []
    # Any iterable of strings: a generator, a tuple, a set.
    assert immich.existing_device_asset_ids("phone", (x for x in asked), "alice") == ["IMG_tr", "IMG_f1", "IMG_t1"]
    assert immich.existing_device_asset_ids("phone", ("IMG_b2",)) == ["IMG_b2"]
    assert immich.existing_device_asset_ids("phone", {"IMG_s1"}) == ["IMG_s1"]
    immich.delete_assets(["tr"])
    assert immich.existing_device_asset_ids("phone", ["IMG_tr"]) == []


# ------------------------------------------------------------------ bad arguments


def test_negative_numbers_are_invalid_arguments(mem: photocat.Catalog) -> None:
    cases: list[tuple[Any, str]] = [
        (lambda: mem.get_all_assets(skip=-5), "skip must be 0 or more, got -5"),
        (lambda: mem.get_all_assets(take=-1), "take must be 0 or more, got -1"),
        (lambda: mem.random_assets(count=-2), "count must be 0 or more, got -2"),
        (lambda: mem.random_assets(seed=-1), "seed must be 0 or more, got -1"),
        (lambda: mem.get_all_assets(skip=-(2**70)), f"skip must be between 0 and {2**64 - 1}, got {-(2**70)}"),
        (lambda: mem.get_all_assets(take=2**64), f"take must be between 0 and {2**64 - 1}, got {2**64}"),
        (lambda: mem.random_assets(seed=2**64), f"seed must be between 0 and {2**64 - 1}, got {2**64}"),
    ]
    for call, message in cases:
        with pytest.raises(photocat.InvalidArgument) as e:
            call()
        assert str(e.value).startswith(message), (str(e.value), message)
        assert isinstance(e.value, ValueError)


def test_other_bad_values_are_invalid_arguments(mem: photocat.Catalog) -> None:
    with pytest.raises(photocat.InvalidArgument, match="count"):
        mem.random_assets(count=0)
    with pytest.raises(photocat.InvalidArgument):
        mem.get_all_assets(updated_after="yesterday")
    with pytest.raises(photocat.InvalidArgument):
        mem.get_all_assets(updated_before="2024-13-01T00:00:00Z")


def test_wrong_types_are_type_errors(mem: photocat.Catalog) -> None:
    # As everywhere in photocat: a value of the wrong Python type is a TypeError naming it.
    cases: list[tuple[dict[str, Any], str]] = [
        ({"is_favorite": 1}, "is_favorite must be True, False or None, got int"),
        ({"is_archived": "true"}, "is_archived must be True, False or None, got str"),
        ({"skip": 1.0}, "skip must be an int, got float"),
        ({"skip": True}, "skip must be an int, got bool"),
        ({"take": "3"}, "take must be an int, got str"),
        ({"updated_after": 12}, "updated_after must be a datetime"),
    ]
    for kw, message in cases:
        with pytest.raises(TypeError, match=message):
            mem.get_all_assets(**kw)
    with pytest.raises(TypeError, match="count must be an int, got float"):
        mem.random_assets(count=2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed must be an int, got str"):
        mem.random_assets(seed="7")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="device_asset_ids must be a list of device asset ids, got a single str"):
        mem.existing_device_asset_ids("phone", "IMG_1")
    with pytest.raises(TypeError, match="device_asset_ids must hold device asset id strings, got int"):
        mem.existing_device_asset_ids("phone", [1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        mem.device_asset_ids(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mem.get_all_assets(if_none_match=b'"x"')  # type: ignore[arg-type]


def test_numpy_integers_are_ints(mem: photocat.Catalog) -> None:
    np = pytest.importorskip("numpy")
    mem.add_assets([{"file_created_at": f"2024-01-0{d}T00:00:00Z"} for d in (1, 2, 3)])
    assert len(mem.get_all_assets(skip=np.int64(1), take=np.uint8(1)).assets) == 1
    assert len(mem.random_assets(count=np.int32(2), seed=np.uint64(2**64 - 1))) == 2
    with pytest.raises(photocat.InvalidArgument, match="skip must be 0 or more, got -1"):
        mem.get_all_assets(skip=np.int64(-1))


def test_calls_release_the_interpreter(mem: photocat.Catalog) -> None:
    mem.add_assets([{"file_created_at": f"2024-01-01T00:00:{i % 60:02d}Z", "device_id": "d", "device_asset_id": str(i)} for i in range(2000)])
    results: list[tuple[int, int, int]] = []

    def work() -> None:
        results.append(
            (
                len(mem.get_all_assets().assets),
                len(mem.device_asset_ids("d")),
                len(mem.existing_device_asset_ids("d", [str(i) for i in range(0, 4000, 2)])),
            )
        )

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(2000, 2000, 1000)] * 4


def test_a_closed_catalogue(mem: photocat.Catalog) -> None:
    mem.close()
    calls: list[Callable[[], object]] = [
        lambda: mem.get_all_assets(),
        lambda: mem.get_all_assets_json(),
        lambda: mem.get_asset_immich_json("a1"),
        lambda: mem.random_assets(),
        lambda: mem.device_asset_ids("d"),
        lambda: mem.existing_device_asset_ids("d", ["x"]),
    ]
    for call in calls:
        with pytest.raises(photocat.PhotocatError, match="closed"):
            call()


# ------------------------------------------------------------------ hypothesis: against a model

#: (library, its owner); the shared library's assets carry their own owner (or none).
LIBS = [("lib_alice", "alice"), ("lib_bob", "bob"), ("lib_shared", None)]
OWNERS = [None, "alice", "bob"]
VISIBILITY = ["timeline", "archive", "hidden", "locked"]
DEVICES = ["phone", "tablet"]
DEVICE_IDS = ["d0", "d1", "d2"]
SUMS = [sha1_b64(f"s{i}") for i in range(3)]


@dataclass
class M:
    """An asset as the model sees it."""

    id: str
    library: str
    owner: Optional[str]
    file_created_at: dt.datetime
    favorite: bool
    visibility: str
    device: str
    device_asset_id: str
    sum: Optional[int]
    updated_at: dt.datetime
    trashed: bool = False


def owned(m: M, owner: Optional[str]) -> bool:
    return owner is None or m.owner == owner


def model_all(model: list[M], q: dict[str, Any]) -> list[M]:
    """get_all_assets by the model: the rules of API.md section 7, written out plainly."""
    out = [
        m
        for m in model
        if owned(m, q["owner_id"])
        and m.visibility in ("timeline", "archive")
        and (q["is_favorite"] is None or m.favorite == q["is_favorite"])
        and (q["is_archived"] is None or (m.visibility == "archive") == q["is_archived"])
        and (q["updated_after"] is None or m.updated_at >= q["updated_after"])
        and (q["updated_before"] is None or m.updated_at <= q["updated_before"])
    ]
    out.sort(key=lambda m: (m.file_created_at, m.id), reverse=True)
    out = out[q["skip"] :]
    return out if q["take"] is None else out[: q["take"]]


def model_device_ids(model: list[M], device: str, owner: Optional[str]) -> list[str]:
    return sorted({m.device_asset_id for m in model if m.device == device and owned(m, owner) and not m.trashed and m.visibility != "hidden"})


def model_existing(model: list[M], device: str, asked: list[str], owner: Optional[str]) -> list[str]:
    there = {m.device_asset_id for m in model if m.device == device and owned(m, owner)}
    return list(dict.fromkeys(x for x in asked if x in there))


def model_checksum(model: list[M], s: int, owner: Optional[str]) -> tuple[Optional[str], bool]:
    hits = [m for m in model if m.sum == s and owned(m, owner)]
    live = [m for m in hits if not m.trashed]
    best = live[0] if live else (hits[0] if hits else None)
    return (best.id, best.trashed) if best else (None, False)


add_op = st.tuples(
    st.just("add"),
    st.integers(0, len(LIBS) - 1),  # library
    st.integers(0, len(OWNERS) - 1),  # owner in the shared library
    st.integers(0, 3),  # file_created_at: few values, many ties
    st.booleans(),  # favourite
    st.integers(0, len(VISIBILITY) - 1),
    st.integers(0, len(DEVICES) - 1),
    st.integers(0, len(DEVICE_IDS) - 1),
    st.integers(-1, len(SUMS) - 1),  # -1: no SHA-1
)
write_op = st.tuples(
    st.sampled_from(["trash", "restore", "favorite", "visibility", "delete"]),
    st.integers(0, 1000),  # which asset
    st.integers(0, len(VISIBILITY) - 1),
)
owner_q = st.sampled_from([None, "alice", "bob", "nobody"])
query = st.fixed_dictionaries(
    {
        "owner_id": owner_q,
        "is_favorite": st.sampled_from([None, True, False]),
        "is_archived": st.sampled_from([None, True, False]),
        "skip": st.integers(0, 8),
        "take": st.one_of(st.none(), st.integers(0, 8)),
        "after": st.one_of(st.none(), st.integers(0, 30)),  # index into the updated_at values seen
        "before": st.one_of(st.none(), st.integers(0, 30)),
        "repeat_etag": st.booleans(),  # ask again with the ETag: must be not modified
    }
)
check = st.tuples(
    query,
    st.sampled_from(DEVICES),
    owner_q,
    st.lists(st.sampled_from(DEVICE_IDS + ["dx"]), max_size=5),
    st.integers(1, 6),  # random count
)
step = st.one_of(add_op, add_op, write_op, st.tuples(st.just("check"), check))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(first=st.lists(add_op, min_size=2, max_size=12), steps=st.lists(step, max_size=30), last=check)
def test_matches_a_model(first: list[tuple[Any, ...]], steps: list[tuple[Any, ...]], last: tuple[Any, ...]) -> None:
    steps = first + steps
    with photocat.Catalog.in_memory() as cat:
        for lib, owner in LIBS:
            cat.create_library(lib, id=lib, owner_id=owner)
        model: list[M] = []
        base = dt.datetime(2024, 1, 1, tzinfo=UTC)

        def refresh(m: M) -> None:
            # Writes stamp updated_at with the clock: the model reads the value back.
            m.updated_at = cat.get_asset(m.id).updated_at

        def verify(c: tuple[Any, ...], n: int) -> None:
            q, device, owner, asked, count = c
            seen = sorted({m.updated_at for m in model} | {base})
            kw: dict[str, Any] = {k: q[k] for k in ("owner_id", "is_favorite", "is_archived", "skip", "take")}
            kw["updated_after"] = None if q["after"] is None else seen[q["after"] % len(seen)]
            kw["updated_before"] = None if q["before"] is None else seen[q["before"] % len(seen)]
            expected = model_all(model, kw)
            res = cat.get_all_assets(**kw)
            assert ids(res.assets) == [m.id for m in expected]
            assert not res.not_modified
            assert res.body == b"[" + b",".join(cat.get_asset(m.id).to_immich_json().encode() for m in expected) + b"]"
            assert res.body == immich_body(res.assets)
            assert res.etag == etag_of(res.body)
            # The JSON-only call writes the same body from the stored records.
            js = cat.get_all_assets_json(**kw)
            assert (js.body, js.etag, js.not_modified) == (res.body, res.etag, False)
            assert [a.is_trashed for a in res.assets] == [m.trashed for m in expected]
            if q["repeat_etag"]:
                again = cat.get_all_assets(**kw, if_none_match=res.etag)
                assert again.not_modified and again.assets == [] and again.etag == res.etag
                js = cat.get_all_assets_json(**kw, if_none_match=res.etag)
                assert (js.body, js.etag, js.not_modified) == (b"", res.etag, True)
            assert cat.device_asset_ids(device, owner) == model_device_ids(model, device, owner)
            assert cat.existing_device_asset_ids(device, asked, owner) == model_existing(model, device, asked, owner)
            found = cat.check_checksums(SUMS, owner_id=owner)
            assert [(f.asset_id, f.is_trashed) for f in found] == [model_checksum(model, i, owner) for i in range(len(SUMS))]
            eligible = {m.id for m in model if owned(m, owner) and not m.trashed and m.visibility in ("timeline", "archive")}
            picked = ids(cat.random_assets(count=count, owner_id=owner, seed=n))
            assert len(picked) == min(count, len(eligible)) and len(set(picked)) == len(picked)
            assert set(picked) <= eligible
            assert ids(cat.random_assets(count=count, owner_id=owner, seed=n)) == picked

        for n, s in enumerate(steps):
            kind = s[0]
            if kind == "add":
                _, li, oi, fca, fav, vi, di, dai, si = s
                lib, lib_owner = LIBS[li]
                owner = lib_owner if lib_owner is not None else OWNERS[oi]
                sum_ = si if si >= 0 else None
                if sum_ is not None and any(m.library == lib and m.owner == owner and m.sum == sum_ for m in model):
                    sum_ = None  # a checksum is unique per (owner, library)
                rec: dict[str, Any] = {
                    "id": f"a{n:02d}",
                    "file_created_at": base + dt.timedelta(days=fca),
                    "updated_at": base + dt.timedelta(days=n, microseconds=n),
                    "is_favorite": fav,
                    "visibility": VISIBILITY[vi],
                    "device_id": DEVICES[di],
                    "device_asset_id": DEVICE_IDS[dai],
                    "original_file_name": f"ü{n}.jpg",
                }
                if lib_owner is None and owner is not None:
                    rec["owner_id"] = owner
                if sum_ is not None:
                    rec["checksum_sha1"] = SUMS[sum_]
                [a] = cat.add_assets([rec], library_id=lib)
                model.append(M(a.id, lib, owner, rec["file_created_at"], fav, VISIBILITY[vi], DEVICES[di], DEVICE_IDS[dai], sum_, a.updated_at))
                assert a.updated_at == rec["updated_at"]
            elif kind == "check":
                verify(s[1], n)
            elif model:
                _, x, vi = s
                i = x % len(model)
                m = model[i]
                if kind == "trash":
                    cat.trash_assets([m.id])
                    m.trashed = True
                elif kind == "restore":
                    cat.restore_assets([m.id])
                    m.trashed = False
                elif kind == "favorite":
                    cat.update_asset(m.id, is_favorite=not m.favorite)
                    m.favorite = not m.favorite
                elif kind == "visibility":
                    cat.update_asset(m.id, visibility=VISIBILITY[vi])
                    m.visibility = VISIBILITY[vi]
                else:
                    cat.delete_assets([m.id])
                    del model[i]
                    continue
                refresh(m)
        verify(last, len(steps))
