"""The Immich view: every asset the tests produce (hand-made records with faces, people, trash,
archive, favourites, videos; records changed through the catalogue's calls; the imported
sample photos) validates against immich-python-sdk 1.134.0's ``AssetResponseDto`` with the
strict checks of clients.md section 4, round-trips through its ``to_dict``, and carries the
values Immich's server would write. The SDK's own HTTP client also reads the view from a tiny
server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import immich_python_sdk as im
import pytest
from immich_python_sdk.models import AssetResponseDto

import photocat
from immich_check import check_immich, key_problems
from records import checksum_sha1, record

UTC = dt.timezone.utc
OWNER = "5d6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "tests" / "data" / "photos"
CREATED = "2024-05-01T00:00:00Z"
JS_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def immich_records() -> list[dict[str, Any]]:
    """Records exercising every part of the Immich shape."""
    out = []
    for i in range(24):
        r = record(
            i,
            id=f"asset_{i:02d}",
            local_datetime=[
                f"2024-03-{1 + i % 9:02d}T10:00:00.123456+02:00",  # offset known
                f"2024-03-{1 + i % 9:02d}T10:00:00",  # offset unknown
                f"2024-03-{1 + i % 9:02d}T10:00:00.5-05:30",
            ][i % 3],
            is_favorite=i % 4 == 0,
            visibility="archive" if i % 5 == 1 else "timeline",
            created_at=CREATED,
        )
        if i % 6 != 5:
            r["checksum_sha1"] = checksum_sha1(f"s{i}")  # every sixth record has no SHA-1
        if i % 2:
            r["metadata"] = {"city": "Paris", "country": "France", "country_code": "FR", "timezone": "Europe/Paris"}
            r["exif"]["orientation"] = [6, 8, 3][i % 3]
            r["exif"]["exposure_time"] = [1 / 160, 0.5, 2.0][i % 3]
            r["exif"]["latitude"] = 48.858844
            r["exif"]["longitude"] = 2.0
        if i % 3 == 0:
            r["faces"] = [
                {"id": f"face_{i}a", "person_id": "person_ann", "bounding_box": {"x": 1, "y": 2, "w": 30, "h": 40}},
                {"id": f"face_{i}b", "person_id": None, "bounding_box": {"x": 5, "y": 5, "w": 10, "h": 10}, "timestamp_ms": 1200},
                {"id": f"face_{i}c", "person_id": "person_bob", "bounding_box": {"x": 50, "y": 60, "w": 10, "h": 10}},
                {"id": f"face_{i}d", "person_id": "person_ann", "bounding_box": {"x": 90, "y": 90, "w": 20, "h": 20}},
            ]
            r["people"] = [
                {"id": "person_ann", "name": "Ann", "birth_date": "1990-04-01", "is_favorite": True, "created_at": CREATED},
                {"id": "person_bob", "is_hidden": True, "created_at": CREATED},
            ]
        if i % 4 == 1:
            r.update(mime_type="video/mp4", original_file_name=f"VID_{i}.mp4", duration=dt.timedelta(seconds=12.5 + i))
        if i % 7 == 2:
            r.update(
                tags=["Places/France/Paris", "Family", "a/b/c/d"],
                stack_id="stack_1",
                live_photo_video_id="asset_motion",
                duplicate_id="dup-1",
                thumbhash="1QcSHQRnh493V4dIh4eXh1h4kJUI",
                is_offline=True,
                original_path=f"/library/{i}.jpg",
            )
        if i % 8 == 3:
            r["trashed_at"] = "2024-04-01T12:00:00.5Z"
        out.append(r)
    # A live photo's hidden video, and a bare record with nothing but defaults.
    out.append({"id": "asset_motion", "mime_type": "video/quicktime", "visibility": "hidden", "duration": "0:00:02.500000", "local_datetime": "2024-03-02T10:00:00+02:00", "created_at": CREATED})
    out.append({"id": "asset_bare"})
    return out


@pytest.fixture
def immich(mem: photocat.Catalog) -> tuple[photocat.Catalog, list[dict[str, Any]], list[photocat.Asset]]:
    mem.create_library("Photos", id="library_main", owner_id=OWNER)
    records = immich_records()
    return mem, records, mem.add_assets(records)


def every_asset(cat: photocat.Catalog, ids: list[str]) -> list[photocat.Asset]:
    """Every asset of the catalogue (hidden ones are not listed, so each is read by id)."""
    return [cat.get_asset(i) for i in ids]


def allow_stack(asset: photocat.Asset) -> Any:
    """A stacked asset's view leaves `stack` out (docs/design.md, "Immich view")."""
    return lambda where: asset.stack_id is not None and where == "$.stack"


def check(asset: photocat.Asset) -> dict[str, Any]:
    """The asset's Immich dict after every strict check, and the checks of its values."""
    d = asset.to_immich_dict()
    m = check_immich(d, allow_missing=allow_stack(asset))
    # The dict is the JSON, keys in the JSON's order.
    assert json.dumps(d, separators=(",", ":"), ensure_ascii=False) == asset.to_immich_json()
    assert m.id == asset.id and m.owner_id == (asset.owner_id or "")
    assert d["checksum"] == (asset.checksum_sha1 or "")
    assert d["isTrashed"] is (asset.trashed_at is not None)
    assert d["isArchived"] is (asset.visibility == "archive")
    assert d["isFavorite"] is asset.is_favorite
    assert d["isOffline"] is asset.is_offline
    assert d["visibility"] == asset.visibility
    assert d["type"] == asset.type
    assert d["originalMimeType"] == asset.mime_type
    assert d["libraryId"] == asset.library_id
    # localDateTime is the wall clock labelled UTC (milliseconds, as a JavaScript Date).
    wall = asset.local_datetime.replace(microsecond=asset.local_datetime.microsecond // 1000 * 1000, tzinfo=UTC)
    assert m.local_date_time == wall
    assert m.file_created_at == asset.file_created_at.replace(microsecond=asset.file_created_at.microsecond // 1000 * 1000)
    assert m.updated_at == asset.updated_at.replace(microsecond=asset.updated_at.microsecond // 1000 * 1000)
    for path, text in datetimes(d):
        assert JS_ISO.match(text), f"{asset.id}: {path} = {text!r}"
    # Stored (unrotated) size: displayed size swapped back for orientations 5 to 8.
    e = d["exifInfo"]
    orientation = (asset.exif or {}).get("orientation")
    swap = orientation in (5, 6, 7, 8)
    assert (e["exifImageWidth"], e["exifImageHeight"]) == ((asset.height, asset.width) if swap else (asset.width, asset.height))
    assert e["orientation"] == (None if orientation is None else str(orientation))
    # Faces: people with their faces in face order, the rest unassigned.
    people_ids = {p.id for p in asset.people}
    by_person: dict[str, list[str]] = {}
    for f in asset.faces:
        if f.person_id in people_ids:
            by_person.setdefault(f.person_id, []).append(f.id)
    assert [p["id"] for p in d["people"]] == list(by_person)
    for p in d["people"]:
        assert [f["id"] for f in p["faces"]] == by_person[p["id"]]
    assert [f["id"] for f in d["unassignedFaces"]] == [f.id for f in asset.faces if f.person_id not in people_ids]
    for f in asset.faces:
        dto = next(x for x in [y for p in d["people"] for y in p["faces"]] + d["unassignedFaces"] if x["id"] == f.id)
        b = f.bounding_box
        assert (dto["boundingBoxX1"], dto["boundingBoxY1"], dto["boundingBoxX2"], dto["boundingBoxY2"]) == (b["x"], b["y"], b["x"] + b["w"], b["y"] + b["h"])
        assert (dto["imageWidth"], dto["imageHeight"]) == (asset.width or 0, asset.height or 0)
    assert [t["value"] for t in d["tags"]] == asset.tags
    return d


def datetimes(d: dict[str, Any]) -> list[tuple[str, str]]:
    out = [(k, d[k]) for k in ("fileCreatedAt", "fileModifiedAt", "localDateTime", "updatedAt")]
    out += [(f"exifInfo.{k}", d["exifInfo"][k]) for k in ("dateTimeOriginal", "modifyDate")]
    out += [(f"people[{i}].updatedAt", p["updatedAt"]) for i, p in enumerate(d["people"])]
    out += [(f"tags[{i}].{k}", t[k]) for i, t in enumerate(d["tags"]) for k in ("createdAt", "updatedAt")]
    return out


def test_every_record_validates_and_round_trips(immich) -> None:  # type: ignore[no-untyped-def]
    cat, records, assets = immich
    seen = {"trashed": 0, "archived": 0, "favorite": 0, "video": 0, "no_checksum": 0, "people": 0, "unassigned": 0, "tags": 0, "rotated": 0}
    for a in every_asset(cat, [a.id for a in assets]):
        d = check(a)
        seen["trashed"] += d["isTrashed"]
        seen["archived"] += d["isArchived"]
        seen["favorite"] += d["isFavorite"]
        seen["video"] += d["type"] == "VIDEO"
        seen["no_checksum"] += d["checksum"] == ""
        seen["people"] += bool(d["people"])
        seen["unassigned"] += bool(d["unassignedFaces"])
        seen["tags"] += bool(d["tags"])
        seen["rotated"] += d["exifInfo"]["orientation"] in ("6", "8")
    assert all(n > 0 for n in seen.values()), seen


def test_values_immich_would_write(immich) -> None:  # type: ignore[no-untyped-def]
    cat, _records, _assets = immich
    d = cat.get_asset("asset_00").to_immich_dict()
    assert d["localDateTime"] == "2024-03-01T10:00:00.123Z"  # sub-millisecond digits dropped
    assert d["fileCreatedAt"] == "2024-03-01T08:00:00.123Z"
    assert d["exifInfo"]["timeZone"] == "UTC+2"
    assert d["exifInfo"]["dateTimeOriginal"] == "2024-03-01T08:00:00.123Z"
    assert d["duration"] == "0:00:00.00000"
    assert d["people"][0]["name"] == "Ann" and d["people"][0]["birthDate"] == "1990-04-01"
    assert d["people"][1]["name"] == "" and d["people"][1]["isHidden"] is True
    assert [f["id"] for f in d["people"][0]["faces"]] == ["face_0a", "face_0d"]
    assert d["stack"] is None
    assert d["exifInfo"]["fNumber"] == 2.8 and d["exifInfo"]["iso"] == 100
    v = cat.get_asset("asset_01").to_immich_dict()
    assert v["type"] == "VIDEO" and v["duration"] == "0:00:13.500000"
    assert v["isArchived"] is True and v["visibility"] == "archive"
    assert v["exifInfo"]["timeZone"] == "Europe/Paris"  # metadata.timezone names a zone
    assert v["exifInfo"]["orientation"] == "8" and (v["exifInfo"]["exifImageWidth"], v["exifInfo"]["exifImageHeight"]) == (3000, 4000)
    assert v["exifInfo"]["exposureTime"] == "0.5" and v["exifInfo"]["city"] == "Paris"
    assert json.loads(cat.get_asset("asset_01").to_immich_json())["exifInfo"]["longitude"] == 2
    assert '"longitude":2,' in cat.get_asset("asset_01").to_immich_json()  # as JSON.stringify writes 2.0
    n = cat.get_asset("asset_04").to_immich_dict()
    assert n["localDateTime"] == "2024-03-05T10:00:00.000Z" and n["exifInfo"]["timeZone"] is None
    t = cat.get_asset("asset_02").to_immich_dict()
    assert [(x["name"], x["value"]) for x in t["tags"]] == [("Paris", "Places/France/Paris"), ("Family", "Family"), ("d", "a/b/c/d")]
    assert t["tags"][1]["parentId"] is None
    assert t["tags"][0]["parentId"] != t["tags"][0]["id"]
    assert t["livePhotoVideoId"] == "asset_motion" and t["duplicateId"] == "dup-1" and t["isOffline"] is True
    assert t["thumbhash"] == "1QcSHQRnh493V4dIh4eXh1h4kJUI" and t["originalPath"] == "/library/2.jpg"
    assert "stack" not in t  # a stack whose primary asset and count the record does not hold
    assert t["exifInfo"]["exposureTime"] is None
    # The same tag value has the same id on every asset of the owner.
    t9 = cat.get_asset("asset_09").to_immich_dict()
    assert [x["id"] for x in t9["tags"]] == [x["id"] for x in t["tags"]]
    assert t9["exifInfo"]["exposureTime"] == "1/160"
    assert cat.get_asset("asset_05").to_immich_dict()["exifInfo"]["exposureTime"] == "2"
    trashed = cat.get_asset("asset_03").to_immich_dict()
    assert trashed["isTrashed"] is True
    assert cat.get_asset("asset_05").to_immich_dict()["checksum"] == ""
    motion = cat.get_asset("asset_motion").to_immich_dict()
    assert motion["visibility"] == "hidden" and motion["duration"] == "0:00:02.500000" and motion["type"] == "VIDEO"
    bare = cat.get_asset("asset_bare").to_immich_dict()
    assert bare["type"] == "OTHER" and bare["checksum"] == "" and bare["exifInfo"]["timeZone"] is None


def test_assets_changed_through_the_catalogue(immich) -> None:  # type: ignore[no-untyped-def]
    """Faces added and assigned, people created and merged, favourites, archive, trash and
    restore: every state the calls produce validates."""
    cat, _records, assets = immich
    carl = cat.create_person(name="Carl", birth_date="1980-01-02", id="person_carl")
    dora = cat.create_person(id="person_dora", is_favorite=True)
    faces = cat.add_faces([
        {"asset_id": "asset_04", "person_id": carl.id, "bounding_box": {"x": 10, "y": 10, "w": 100, "h": 100}},
        {"asset_id": "asset_04", "person_id": None, "bounding_box": {"x": 200, "y": 10, "w": 50, "h": 50}},
        {"asset_id": "asset_04", "person_id": dora.id, "bounding_box": {"x": 300, "y": 10, "w": 50, "h": 50}},
    ])
    d = check(cat.get_asset("asset_04"))
    assert [p["id"] for p in d["people"]] == ["person_carl", "person_dora"]
    assert d["people"][1]["name"] == "" and d["people"][1]["isFavorite"] is True
    assert [f["id"] for f in d["unassignedFaces"]] == [faces[1].id]
    cat.assign_face(faces[1].id, carl.id)
    d = check(cat.get_asset("asset_04"))
    assert [f["id"] for f in d["people"][0]["faces"]] == [faces[0].id, faces[1].id] and d["unassignedFaces"] == []
    cat.merge_people(carl.id, [dora.id])
    d = check(cat.get_asset("asset_04"))
    assert [p["id"] for p in d["people"]] == ["person_carl"] and len(d["people"][0]["faces"]) == 3
    cat.assign_face(faces[0].id, None)
    d = check(cat.get_asset("asset_04"))
    assert [f["id"] for f in d["unassignedFaces"]] == [faces[0].id]
    cat.update_asset("asset_04", is_favorite=True, visibility="archive", tags=["x/y"])
    d = check(cat.get_asset("asset_04"))
    assert d["isFavorite"] is True and d["isArchived"] is True and d["tags"][0]["name"] == "y"
    cat.trash_assets(["asset_04", "asset_06"])
    for i in ("asset_04", "asset_06"):
        assert check(cat.get_asset(i))["isTrashed"] is True
    cat.restore_assets(["asset_04"])
    assert check(cat.get_asset("asset_04"))["isTrashed"] is False
    for a in cat.iter_assets(state="all"):
        check(a)
    for a in cat.iter_assets(state="trashed"):
        assert check(a)["isTrashed"] is True
    assert len(assets) == 26


def test_imported_sample_photos() -> None:
    """Every file import_paths creates from the sample photos validates, with the checksum,
    size and stored (unrotated) pixel size exiftool read from each (expected.json)."""
    expected = json.loads((PHOTOS / "expected.json").read_text())
    with photocat.Catalog.in_memory() as cat:
        cat.create_library("Photos", owner_id=OWNER)
        report = cat.import_paths(PHOTOS)
        assert len(report.created) >= 20
        rotated = 0
        for a in report.created:
            want = expected[Path(a.original_path or "").relative_to(PHOTOS).as_posix()]
            d = check(a)
            e = d["exifInfo"]
            assert d["checksum"] == want["sha1_base64"]
            assert d["ownerId"] == OWNER
            assert e["fileSizeInByte"] == (want["file_size_bytes"] or None)
            assert (e["exifImageWidth"], e["exifImageHeight"]) == (want["width"], want["height"]), a.original_path
            rotated += (want["width"], want["height"]) != (want["display_width"], want["display_height"])
            assert d["originalPath"] == a.original_path
            assert (d["duration"] != "0:00:00.00000") is (d["type"] == "VIDEO")
        assert rotated >= 4  # orientations 5, 6, 7 and 8 among the samples
        for a in cat.iter_assets(state="all"):
            check(a)


def test_json_is_byte_deterministic(immich, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cat, records, assets = immich
    first = [a.to_immich_json() for a in assets]
    assert first == [cat.get_asset(a.id).to_immich_json() for a in assets]
    with photocat.Catalog.open(tmp_path / "c.redb") as f:
        f.create_library("Photos", id="library_main", owner_id=OWNER)
        f.add_assets(immich_records())
    with photocat.Catalog.open(tmp_path / "c.redb") as f:
        again = [f.get_asset(a.id).to_immich_json() for a in assets]
    # The same bytes from another catalogue, except for the record given no times at all (its
    # capture and creation times are those of its write).
    assert assets[-1].id == "asset_bare"
    assert first[:-1] == again[:-1]
    assert first[-1] != again[-1]


def test_checker_rejects_what_immich_would_not_send(immich) -> None:  # type: ignore[no-untyped-def]
    """The checks can fail: each alteration of a valid dict is caught."""
    cat, _records, _assets = immich
    good = cat.get_asset("asset_00").to_immich_dict()
    check_immich(good)

    def broken(change: Any) -> dict[str, Any]:
        d = json.loads(json.dumps(good))
        change(d)
        return d

    bad = [
        broken(lambda d: d.pop("thumbhash")),  # required-nullable key absent
        broken(lambda d: d.update(isFavorite=0)),
        broken(lambda d: d.update(duration=0)),
        broken(lambda d: d.update(localDateTime="2024-03-01T10:00:00")),  # naive
        broken(lambda d: d.update(fileCreatedAt=1709287200)),  # unix number
        broken(lambda d: d["exifInfo"].update(orientation=1)),
        broken(lambda d: d["exifInfo"].update(bogus=1)),  # unknown key
        broken(lambda d: d["exifInfo"].pop("rating")),  # optional key photocat always writes
        broken(lambda d: d["people"][0].update(name=None)),
        broken(lambda d: d["people"][0]["faces"][0].update(boundingBoxX1=1.5)),
        broken(lambda d: d.update(type="image")),
        broken(lambda d: d.update(stack={"id": "s", "primaryAssetId": "a"})),
    ]
    for d in bad:
        with pytest.raises((ValueError, AssertionError)):
            check_immich(d)
    assert key_problems(AssetResponseDto, {"id": "x", "nope": 1})


# ------------------------------------------------------------------ the SDK's own HTTP client

@pytest.fixture
def server(immich) -> Iterator[tuple[str, photocat.Catalog, list[photocat.Asset], list[str]]]:  # type: ignore[no-untyped-def]
    """A loopback server answering GET /api/assets/{id} and the legacy GET /api/asset (all
    assets, as a JSON array of the views) with the module's own JSON."""
    cat, _records, assets = immich
    log: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            log.append(path)
            if path == "/api/asset":
                body = "[" + ",".join(cat.get_asset(a.id).to_immich_json() for a in assets) + "]"
                status = 200
            elif path.startswith("/api/assets/"):
                try:
                    body, status = cat.get_asset(path.rsplit("/", 1)[1]).to_immich_json(), 200
                except KeyError:
                    body, status = json.dumps({"message": "Not found"}), 404
            else:
                body, status = "{}", 404
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", cat, assets, log
    finally:
        srv.shutdown()
        srv.server_close()


def test_immich_sdk_reads_the_view(server) -> None:  # type: ignore[no-untyped-def]
    base, cat, assets, log = server
    cfg = im.Configuration(host=base + "/api", api_key={"api_key": "test-key"})
    with im.ApiClient(cfg) as c:
        api = im.AssetsApi(c)
        for a in assets:
            got = api.get_asset_info(a.id)
            assert isinstance(got, AssetResponseDto)
            assert got == AssetResponseDto.from_dict(a.to_immich_dict())
        with pytest.raises(im.ApiException) as err:
            api.get_asset_info("asset_unknown")
        assert err.value.status == 404
        # The legacy GET /asset is gone from the 1.134 SDK: call it through its ApiClient, so
        # the parsing of List[AssetResponseDto] is still the SDK's.
        req = c.param_serialize(method="GET", resource_path="/asset", header_params={"Accept": "application/json"}, auth_settings=["api_key"])
        resp = c.call_api(*req)
        resp.read()
        all_assets = c.response_deserialize(response_data=resp, response_types_map={"200": "List[AssetResponseDto]"}).data
        assert [x.id for x in all_assets] == [a.id for a in assets]
        assert all_assets[0].local_date_time == dt.datetime(2024, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert log[-1] == "/api/asset" and len(log) == len(assets) + 2
