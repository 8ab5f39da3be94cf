"""list_assets, iter_assets, list_album_assets, get_asset: order, cursor, filters, bounds."""

from __future__ import annotations

import datetime as dt
import gc
import json

import pytest

import photocat
from records import record

UTC = dt.timezone.utc


def add_days(cat: photocat.Catalog, n: int) -> list[photocat.Asset]:
    return cat.add_assets([{"local_datetime": f"2024-05-{d:02d}T10:00:00", "id": f"asset_{d:02d}"} for d in range(1, n + 1)])


def test_order_and_cursor(mem: photocat.Catalog) -> None:
    add_days(mem, 7)
    page = mem.list_assets(limit=3)
    assert isinstance(page, photocat.AssetPage)
    assert [a.id for a in page.data] == ["asset_07", "asset_06", "asset_05"]
    assert page.has_more and len(page) == 3
    assert [a.id for a in page] == [a.id for a in page.data]
    assert repr(page) == "AssetPage(len=3, has_more=True)"
    ids = [a.id for a in page.data]
    while page.has_more:
        page = mem.list_assets(limit=3, starting_after_id=page.data[-1].id)
        ids += [a.id for a in page.data]
    assert ids == [f"asset_{d:02d}" for d in range(7, 0, -1)]
    assert not page.has_more and len(page) == 1


def test_ties_broken_by_id_desc(mem: photocat.Catalog) -> None:
    mem.add_assets([{"local_datetime": "2024-01-01T00:00:00", "id": f"asset_{c}"} for c in "bdac"])
    assert [a.id for a in mem.iter_assets(page_size=1)] == ["asset_d", "asset_c", "asset_b", "asset_a"]


def test_page_json_is_the_rust_bytes(mem: photocat.Catalog) -> None:
    mem.add_assets([record(i) for i in range(5)])
    page = mem.list_assets(limit=3)
    expected = '{"data":[' + ",".join(a.to_json() for a in page.data) + '],"has_more":true}'
    assert page.to_json() == expected
    assert page.to_dict() == json.loads(expected)
    assert page == mem.list_assets(limit=3)
    assert page != mem.list_assets(limit=2)
    assert page != 3


def test_data_is_a_fresh_list(mem: photocat.Catalog) -> None:
    add_days(mem, 2)
    page = mem.list_assets()
    page.data.clear()
    assert len(page.data) == 2


def test_an_asset_outlives_its_page(mem: photocat.Catalog) -> None:
    # The assets of a page share the page's storage: one kept after the page and its other
    # assets are gone is still whole, and equal to the same asset read alone.
    mem.add_assets([record(i) for i in range(5)])
    page = mem.list_assets(limit=5)
    kept = page.data[2]
    expected = kept.to_json()
    del page
    gc.collect()
    assert kept.to_json() == expected
    assert kept == mem.get_asset(kept.id)
    assert kept.to_dict() == json.loads(expected)
    others = mem.list_assets(limit=5).data
    assert [a == kept for a in others] == [False, False, True, False, False]


def test_long_lists_of_assets_keep_their_order_and_outlive_their_owner(mem: photocat.Catalog) -> None:
    # More assets than one shared list holds (a page's limit, 200): the objects are built in
    # lists of at most 200, in order, and each outlives the answer that held it.
    mem.add_assets([{"local_datetime": f"2024-05-01T10:{i // 60:02d}:{i % 60:02d}"} for i in range(450)])
    res = mem.get_all_assets()
    ids = [a.id for a in res.assets]
    assert ids == [a["id"] for a in json.loads(res.body)]
    kept = [res.assets[0], res.assets[199], res.assets[200], res.assets[449]]
    expected = [a.to_json() for a in kept]
    del res
    gc.collect()
    assert [a.to_json() for a in kept] == expected
    assert [a.id for a in kept] == [ids[0], ids[199], ids[200], ids[449]]


def test_iter_assets_is_lazy_and_follows_the_cursor(mem: photocat.Catalog) -> None:
    add_days(mem, 25)
    it = mem.iter_assets(page_size=10)
    assert iter(it) is it
    first = next(it)
    assert first.id == "asset_25"
    mem.add_assets([{"local_datetime": "2024-06-01T00:00:00", "id": "asset_new"}])  # newer: before the walk
    rest = [a.id for a in it]
    assert rest == [f"asset_{d:02d}" for d in range(24, 0, -1)]
    with pytest.raises(StopIteration):
        next(it)


def test_iter_assets_survives_deletion_of_its_position(mem: photocat.Catalog) -> None:
    add_days(mem, 6)
    it = mem.iter_assets(page_size=2)
    got = [next(it).id, next(it).id]
    mem.delete_assets([got[-1]])
    got += [a.id for a in it]
    assert got == ["asset_06", "asset_05", "asset_04", "asset_03", "asset_02", "asset_01"]


def test_iter_assets_with_filters_and_start(mem: photocat.Catalog) -> None:
    add_days(mem, 9)
    assert [a.id for a in mem.iter_assets(starting_after_id="asset_05", page_size=3)] == ["asset_04", "asset_03", "asset_02", "asset_01"]
    assert [a.id for a in mem.iter_assets(ids=["asset_02", "asset_08", "asset_99"])] == ["asset_08", "asset_02"]
    assert list(mem.iter_assets(state="trashed")) == []


def test_states(mem: photocat.Catalog) -> None:
    assets = add_days(mem, 4)
    mem.trash_assets([assets[0].id])
    mem.trash_assets([assets[2].id])
    assert [a.id for a in mem.list_assets().data] == ["asset_04", "asset_02"]
    assert [a.id for a in mem.list_assets(state="trashed").data] == ["asset_03", "asset_01"]  # trashed_at desc
    assert [a.id for a in mem.list_assets(state="all").data] == ["asset_04", "asset_03", "asset_02", "asset_01"]


def test_naive_and_aware_bounds(mem: photocat.Catalog) -> None:
    mem.add_assets(
        [
            {"id": "asset_paris", "local_datetime": "2024-05-01T12:00:00+02:00"},  # 10:00Z
            {"id": "asset_ny", "local_datetime": "2024-05-01T08:00:00-04:00"},  # 12:00Z
            {"id": "asset_naive", "local_datetime": "2024-05-01T11:00:00"},
        ]
    )

    def ids(**kw: object) -> list[str]:
        return [a.id for a in mem.list_assets(**kw).data]  # type: ignore[arg-type]

    # Naive bounds compare wall clocks.
    assert ids(local_datetime_after=dt.datetime(2024, 5, 1, 10, 0)) == ["asset_paris", "asset_naive"]
    assert ids(local_datetime_after="2024-05-01T10:00:00") == ["asset_paris", "asset_naive"]
    assert ids(local_datetime_before=dt.datetime(2024, 5, 1, 11, 0)) == ["asset_ny"]
    # Aware bounds compare instants (captured_at), and wall clocks of assets without an offset.
    assert ids(local_datetime_after=dt.datetime(2024, 5, 1, 11, 0, tzinfo=UTC)) == ["asset_ny"]
    assert ids(local_datetime_after="2024-05-01T11:00:00Z") == ["asset_ny"]
    assert ids(local_datetime_before=dt.datetime(2024, 5, 1, 11, 30, tzinfo=UTC)) == ["asset_paris", "asset_naive"]
    assert ids(local_datetime_after=dt.date(2024, 5, 1), local_datetime_before="2024-05-02") == ["asset_paris", "asset_naive", "asset_ny"]


def test_filters_combine(mem: photocat.Catalog) -> None:
    a = add_days(mem, 6)
    album = mem.create_album("A")
    mem.add_to_album(album.id, [a[1].id, a[3].id, a[5].id])
    p = mem.create_person("P")
    mem.add_faces([{"asset_id": x.id, "person_id": p.id, "bounding_box": {"x": 0, "y": 0, "w": 1, "h": 1}} for x in (a[3], a[4], a[5])])
    page = mem.list_assets(album_id=album.id, person_id=p.id, local_datetime_before="2024-05-06T00:00:00", library_id=a[0].library_id)
    assert [x.id for x in page.data] == ["asset_04"]
    assert all(x.faces and x.people for x in mem.list_assets(person_id=p.id).data)


def test_get_asset(mem: photocat.Catalog) -> None:
    [a] = add_days(mem, 1)
    assert mem.get_asset("asset_01") == a


def test_cursor_outside_the_filter(mem: photocat.Catalog) -> None:
    a = add_days(mem, 5)
    album = mem.create_album("A")
    mem.add_to_album(album.id, [a[0].id, a[4].id])
    page = mem.list_assets(album_id=album.id, starting_after_id="asset_03")
    assert [x.id for x in page.data] == ["asset_01"]
