"""Every write call, its return value and its effect, through the built module."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import pytest

import photocat
from records import checksum, record

UTC = dt.timezone.utc


def test_create_library_and_list(mem: photocat.Catalog) -> None:
    lib = mem.create_library("Family", id="library_family", owner_id="user_1")
    assert (lib.id, lib.name, lib.owner_id) == ("library_family", "Family", "user_1")
    assert lib.created_at.tzinfo is UTC
    assert mem.list_libraries() == [lib]
    assert lib.to_dict() == {
        "id": "library_family",
        "name": "Family",
        "owner_id": "user_1",
        "created_at": lib.to_dict()["created_at"],
        "updated_at": lib.to_dict()["updated_at"],
    }
    assert repr(lib) == "Library(id='library_family', name='Family')"
    generated = mem.create_library("Other")
    assert generated.id.startswith("library_")


def test_add_assets_round_trip_of_a_full_record(mem: photocat.Catalog) -> None:
    r = {
        "id": "asset_full",
        "device_asset_id": "dev-1",
        "device_id": "phone",
        "mime_type": "image/jpeg",
        "original_file_name": "IMG_1.jpg",
        "file_created_at": "2023-11-07T05:31:56Z",
        "file_modified_at": "2023-11-07T05:32:00.5Z",
        "local_datetime": "2023-11-07T07:31:56+02:00",
        "checksum": checksum("full"),
        "checksum_sha1": None,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-02T00:00:00Z",
        "description": "A cat",
        "width": 4000,
        "height": 3000,
        "file_size_bytes": 123456,
        "trashed_at": None,
        "metrics": {"sharpness": 0.5, "noise": None},
        "asset_urls": {"original": {"mimetype": "image/jpeg", "url": "https://x/1", "width": 4000}},
    }
    [a] = mem.add_assets([r])
    d = a.to_dict()
    for k, v in r.items():
        assert d[k] == v, k
    assert a.to_json() == mem.get_asset("asset_full").to_json()
    # Asset objects import as records too (into another catalogue).
    other = photocat.Catalog.in_memory()
    [b] = other.add_assets([a])
    assert b.to_json() == a.to_json()


def test_datetime_objects_as_input(mem: photocat.Catalog) -> None:
    tz = dt.timezone(dt.timedelta(hours=-5))
    [naive, aware, date_only] = mem.add_assets(
        [
            {"local_datetime": dt.datetime(2024, 1, 2, 3, 4, 5, 600000)},
            {"local_datetime": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=tz), "file_created_at": dt.datetime(2024, 1, 1, tzinfo=UTC)},
            {"local_datetime": dt.date(2024, 1, 2)},
        ]
    )
    assert naive.local_datetime == dt.datetime(2024, 1, 2, 3, 4, 5, 600000)
    assert naive.local_offset is None and naive.captured_at is None
    assert naive.to_dict()["local_datetime"] == "2024-01-02T03:04:05.6"
    assert aware.local_datetime == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert aware.local_offset == tz
    assert aware.captured_at == dt.datetime(2024, 1, 2, 8, 4, 5, tzinfo=UTC)
    assert aware.local_datetime.replace(tzinfo=aware.local_offset) == aware.captured_at
    assert aware.file_created_at == dt.datetime(2024, 1, 1, tzinfo=UTC)
    assert aware.to_dict()["local_datetime"] == "2024-01-02T03:04:05-05:00"
    assert date_only.local_datetime == dt.datetime(2024, 1, 2)


def test_zoneinfo_datetimes_and_timezone_metadata(mem: photocat.Catalog) -> None:
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    [summer, named] = mem.add_assets(
        [
            {"local_datetime": dt.datetime(2024, 7, 1, 12, 0, tzinfo=paris)},
            {"local_datetime": "2024-01-01T12:00:00", "metadata": {"timezone": "Europe/Paris"}},
        ]
    )
    assert summer.local_offset == dt.timezone(dt.timedelta(hours=2))
    assert named.local_offset == dt.timezone(dt.timedelta(hours=1))
    assert named.metadata is not None and named.metadata["timezone"] == "Europe/Paris"


def test_instants_are_aware_utc(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([record(1)])
    for value in (a.created_at, a.updated_at, a.file_created_at, a.file_modified_at, a.captured_at):
        assert value is not None and value.tzinfo is UTC
    assert a.local_datetime.tzinfo is None


def test_update_asset(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([record(1, description="old")])
    b = mem.update_asset(a.id, description="new", is_favorite=True, local_datetime=dt.datetime(2020, 5, 5, 5, 5, 5))
    assert b.description == "new" and b.is_favorite
    assert b.local_datetime == dt.datetime(2020, 5, 5, 5, 5, 5)
    assert b.updated_at > a.updated_at
    c = mem.update_asset(a.id, description=None, visibility="archive", tags=["x", "y"])
    assert c.description is None and c.is_archived and c.visibility == "archive" and c.tags == ["x", "y"]
    assert mem.get_asset(a.id) == c


def test_trash_restore_delete(mem: photocat.Catalog) -> None:
    a, b = mem.add_assets([record(1), record(2)])
    assert mem.trash_assets([a.id]) is None
    t = mem.get_asset(a.id)
    assert t.is_trashed and t.trashed_at is not None and t.trashed_at.tzinfo is UTC
    assert [x.id for x in mem.list_assets(state="trashed").data] == [a.id]
    assert [x.id for x in mem.list_assets().data] == [b.id]
    mem.restore_assets((a.id,))
    assert not mem.get_asset(a.id).is_trashed
    mem.delete_assets([a.id])
    with pytest.raises(photocat.NotFoundError):
        mem.get_asset(a.id)
    assert [x.id for x in mem.list_assets(state="all").data] == [b.id]


def test_albums(mem: photocat.Catalog) -> None:
    a, b, c = mem.add_assets([record(1), record(2), record(3)])
    album = mem.create_album("Trip", description="Summer", id="album_trip")
    assert (album.id, album.name, album.description) == ("album_trip", "Trip", "Summer")
    assert album.library_id == a.library_id
    assert repr(album) == "Album(id='album_trip', name='Trip', asset_count=0)"
    assert mem.get_album("album_trip") == album
    assert album.to_dict()["library_id"] == a.library_id
    assert mem.add_to_album(album.id, [a.id, c.id]) is None
    mem.add_to_album(album.id, [a.id])  # again: no change
    assert mem.get_album(album.id).asset_count == 2
    got = mem.list_album_assets(album.id)
    assert {x.id for x in got} == {a.id, c.id}
    assert [x.id for x in got] == [x.id for x in mem.list_assets(album_id=album.id).data]
    mem.remove_from_album(album.id, [a.id])
    assert [x.id for x in mem.list_album_assets(album.id)] == [c.id]
    mem.trash_assets([c.id])
    assert mem.list_album_assets(album.id) == []
    assert mem.get_album(album.id).asset_count == 0  # live assets only


def test_an_album_created_with_its_first_assets(mem: photocat.Catalog) -> None:
    a, b, c = mem.add_assets([record(1), record(2), record(3)])
    album = mem.create_album("Trip", asset_ids=(x.id for x in [a, b, a]), id="album_trip")
    assert album.asset_count == 2
    assert mem.get_album("album_trip") == album
    assert {x.id for x in mem.list_album_assets(album.id)} == {a.id, b.id}
    assert mem.create_album("Empty", asset_ids=None).asset_count == 0
    assert mem.create_album("Empty too", asset_ids=[]).asset_count == 0
    # A wrong id anywhere: nothing is created.
    with pytest.raises(photocat.NotFoundError, match="asset_nope"):
        mem.create_album("Nope", asset_ids=[c.id, "asset_nope"], id="album_nope")
    with pytest.raises(TypeError, match="asset_ids must be a list of ids, got a single str"):
        mem.create_album("Nope", asset_ids=c.id, id="album_nope")
    with pytest.raises(photocat.NotFoundError):
        mem.get_album("album_nope")
    assert [x.name for x in mem.list_albums()] == ["Trip", "Empty", "Empty too"]


def test_people_and_faces(mem: photocat.Catalog) -> None:
    a, b = mem.add_assets([record(1), record(2)])
    ada = mem.create_person("Ada", birth_date="1815-12-10", is_favorite=True, id="person_ada")
    assert (ada.name, ada.birth_date, ada.is_favorite, ada.is_hidden, ada.asset_count) == (
        "Ada", dt.date(1815, 12, 10), True, False, 0)
    assert repr(ada) == "Person(id='person_ada', name='Ada', asset_count=0)"
    anon = mem.create_person()
    assert anon.name is None and anon.id.startswith("person_")
    faces = mem.add_faces(
        [
            {"asset_id": a.id, "person_id": ada.id, "bounding_box": {"x": 1, "y": 2, "w": 3, "h": 4}},
            {"asset_id": b.id, "person_id": anon.id, "bounding_box": {"x": 0, "y": 0, "w": 9, "h": 9}, "timestamp_ms": 1500},
            {"asset_id": b.id, "bounding_box": {"x": 5, "y": 5, "w": 1, "h": 1}},
        ]
    )
    assert [f.asset_id for f in faces] == [a.id, b.id, b.id]
    assert faces[0].bounding_box == {"x": 1, "y": 2, "w": 3, "h": 4}
    assert faces[1].timestamp_ms == 1500 and faces[2].person_id is None
    assert faces[0].created_at.tzinfo is UTC and faces[0].thumbnail_url is None
    assert faces[0].to_dict()["bounding_box"] == {"x": 1, "y": 2, "w": 3, "h": 4}
    assert repr(faces[2]) == f"Face(id={faces[2].id!r}, asset_id={b.id!r}, person_id=None)"
    got = mem.get_asset(b.id)
    assert [f.id for f in got.faces] == [faces[1].id, faces[2].id]
    assert [p.id for p in got.people] == [anon.id]
    assert got.people[0].to_dict()["asset_count"] == 1
    assert mem.get_person(ada.id).asset_count == 1
    assert [x.id for x in mem.list_assets(person_id=ada.id).data] == [a.id]
    f = mem.assign_face(faces[2].id, ada.id)
    assert f.person_id == ada.id and mem.get_person(ada.id).asset_count == 2
    assert mem.assign_face(faces[2].id, None).person_id is None
    upd = mem.update_person(anon.id, name="Bob", birth_date=dt.date(1990, 1, 1), is_hidden=True)
    assert (upd.name, upd.birth_date, upd.is_hidden) == ("Bob", dt.date(1990, 1, 1), True)
    merged = mem.merge_people(ada.id, [anon.id])
    assert merged.id == ada.id and merged.asset_count == 2
    with pytest.raises(photocat.NotFoundError):
        mem.get_person(anon.id)


def test_faces_and_people_inside_records(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets(
        [
            record(
                1,
                id="asset_p",
                faces=[{"id": "face_1", "person_id": "person_new", "bounding_box": {"x": 1, "y": 1, "w": 2, "h": 2}}],
                people=[{"id": "person_new", "name": "New"}],
            )
        ]
    )
    assert [p.name for p in a.people] == ["New"]
    assert mem.get_person("person_new").asset_count == 1
    assert a.faces[0].id == "face_1"


def test_bulk_add_is_one_call(mem: photocat.Catalog) -> None:
    added = mem.add_assets(record(i) for i in range(2000))
    assert len(added) == 2000
    assert len(list(mem.iter_assets())) == 2000


def test_asset_attributes(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([record(7, metadata={"city": "Paris", "timezone": "+02:00"})])
    assert a.mime_type == "image/jpeg" and a.type == "IMAGE" and a.original_file_name == "IMG_0007.jpg"
    assert a.device_id == "photocat" and a.device_asset_id == a.id
    assert (a.width, a.height, a.file_size_bytes) == (4000, 3000, 1_000_007)
    assert a.exif is not None and a.exif["make"] == "Canon" and list(a.exif)[:3] == ["asset_id", "created_at", "updated_at"]
    assert a.metadata is not None and a.metadata["city"] == "Paris"
    assert a.metrics is None and a.asset_urls is None and a.checksum_sha1 is None
    assert a.faces == [] and a.people == [] and a.tags == []
    assert not (a.is_favorite or a.is_archived or a.is_trashed or a.is_offline)
    assert a.owner_id is None and a.live_photo_video_id is None and a.duplicate_id is None
    assert a.stack_id is None and a.thumbhash is None and a.duration is None and a.original_path is None
    assert a.download_url is None and a.thumbnail_url is None
    assert a == mem.get_asset(a.id) and a != mem.add_assets([record(8)])[0] and a != "x"
    assert repr(a) == f"Asset(id={a.id!r}, local_datetime='2024-08-08T07:07:00+02:00', original_file_name='IMG_0007.jpg')"
    with pytest.raises(AttributeError):
        a.id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(a)


def test_add_assets_summary_writes_what_add_assets_writes(tmp_path: Path) -> None:
    # The same records (explicit ids and times, so nothing depends on the time of the call),
    # with duplicates of a stored asset and of an earlier record of the call, skipped.
    def records(start: int, n: int) -> list[dict[str, Any]]:
        out = []
        for i in range(start, start + n):
            sum_of = i - 1 if i % 10 == 1 else i - 100 if i % 10 == 2 and i >= 100 else i
            r = record(
                i,
                id=f"asset_{i:04d}",
                created_at="2024-01-01T00:00:00Z",
                checksum=checksum(f"asset {sum_of}"),
                is_favorite=i % 3 == 0,
                description="Beach" if i % 4 == 0 else None,
                trashed_at="2024-02-01T00:00:00Z" if i % 7 == 0 else None,
            )
            out.append(r)
        return out

    with photocat.Catalog.open(tmp_path / "a.redb") as a, photocat.Catalog.open(tmp_path / "b.redb") as b:
        for c in (a, b):
            c.create_library("Main", id="library_main")
        for start in (0, 100):
            batch = records(start, 100)
            before = a.count_assets(state="all")
            added = a.add_assets(batch, on_duplicate="skip")
            created = a.count_assets(state="all") - before
            summary = b.add_assets_summary(batch, on_duplicate="skip")
            assert (summary.created, summary.skipped) == (created, len(added) - created)
        assert (summary.created, summary.skipped) == (80, 20)
        everything = {"state": "all", "limit": 200}
        assert b.list_assets_json(**everything) == a.list_assets_json(**everything)
        assert b.search_assets(is_favorite=True, description="beach").total == a.search_assets(is_favorite=True, description="beach").total > 0
        counts = [[(s.live, s.trashed) for s in c.summary().libraries] for c in (a, b)]
        assert counts[0] == counts[1] == [(146, 24)]
        assert a.verify().ok and b.verify().ok


def test_add_assets_summary_value(mem: photocat.Catalog) -> None:
    s = mem.add_assets_summary([record(1), record(2)])
    assert isinstance(s, photocat.AddSummary)
    assert (s.created, s.skipped) == (2, 0)
    assert repr(s) == "AddSummary(created=2, skipped=0)"
    again = mem.add_assets_summary([record(1), record(2), record(3)], on_duplicate="skip")
    assert (again.created, again.skipped) == (1, 2)
    assert again != s and again == mem.add_assets_summary([record(4), record(2), record(3)], on_duplicate="skip")
    assert hash(again) == hash(mem.add_assets_summary([record(5), record(2), record(1)], on_duplicate="skip"))
    assert mem.add_assets_summary([]) == mem.add_assets_summary([], on_duplicate="skip")
    assert mem.count_assets() == 5


def test_add_assets_summary_fails_as_add_assets_does(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([record(1)])
    with pytest.raises(photocat.DuplicateError) as info:
        mem.add_assets_summary([record(2), record(3, checksum=checksum("asset 1"))])
    assert info.value.existing_id == a.id
    with pytest.raises(photocat.DuplicateError, match="already exists"):
        mem.add_assets_summary([{"id": a.id}])
    with pytest.raises(photocat.InvalidArgument, match='on_duplicate must be "error" or "skip"'):
        mem.add_assets_summary([record(4)], on_duplicate="ignore")  # type: ignore[arg-type]
    with pytest.raises(photocat.NotFoundError):
        mem.add_assets_summary([record(4)], library_id="library_nope")
    with pytest.raises(TypeError, match="records must be a list of dicts"):
        mem.add_assets_summary({"local_datetime": "2020-01-01"})  # type: ignore[arg-type]
    assert mem.count_assets() == 1  # nothing written by the failed calls
