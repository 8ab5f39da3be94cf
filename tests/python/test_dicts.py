"""`to_dict()` and the nested attributes are built from the Rust values, not by parsing JSON:
they must equal `json.loads` of the object's `to_json()` exactly (the same keys in the same
order, the same value types, floats to the bit), on assets of every shape."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import photocat
from records import checksum, checksum_sha1, record


def same(got: Any, want: Any, path: str = "$") -> None:
    """Exact equality: types, dict key order, floats by value and sign (NaN never occurs)."""
    assert type(got) is type(want), f"{path}: {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, dict):
        assert list(got) == list(want), f"{path}: keys {list(got)} != {list(want)}"
        for k in want:
            same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert len(got) == len(want), f"{path}: {len(got)} items != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert got == want and math.copysign(1.0, got) == math.copysign(1.0, want), f"{path}: {got!r} != {want!r}"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def varied_records() -> list[dict[str, Any]]:
    """Assets with and without each part of the shape."""
    out: list[dict[str, Any]] = [
        # The bare minimum: every key null or defaulted, no exif.
        {"local_datetime": "2024-01-01T00:00:00"},
        # GPS, every EXIF datetime, integral and negative-zero floats, big integers.
        record(
            1,
            checksum_sha1=checksum_sha1("s1"),
            exif={
                "make": "Apple",
                "model": "iPhone 15 Pro",
                "orientation": 6,
                "modified_datetime": "2024-05-01T10:00:00.123456Z",
                "original_datetime": "2024-05-01T08:00:00+02:00",
                "digitized_datetime": "2024-05-01T08:00:00",
                "lens_model": "back triple camera 6.86mm f/1.78",
                "f_number": 1.78,
                "focal_length": 6.0,
                "iso": 2**62,
                "exposure_time": 1 / 120,
                "exposure_bias": -0.0,
                "latitude": 48.858370,
                "longitude": -2.294481,
                "altitude": 1e-7,
                "city": "Paris",
                "state": "Île-de-France",
                "country": "France",
                "description": 'quote " backslash \\ newline \n tab \t nul \u0000 emoji \U0001f600',
                "fps": 29.97,
                "live_photo_cid": "cid-1",
                "projection_type": "EQUIRECTANGULAR",
                "profile_description": "Display P3",
                "auto_stack_id": "stack-1",
                "rating": -1,
            },
            metadata={
                "city": "Paris",
                "country_code": "FR",
                "sublocation": "Champ de Mars",
                "place_name": "Tour Eiffel",
                "timezone": "Europe/Paris",
                "display_label": "Paris, France",
                "latitude": 1e20,
                "created_at": "2020-01-01T00:00:00Z",
            },
            file_size_bytes=2**63 + 5,
            width=0,
        ),
        # Metrics and variants (maps in key order), a description, legacy URLs.
        record(
            2,
            metrics={"zeta": 1.0, "aesthetic": 0.75, "blur": None, "ünïcode": -3.5e-300},
            asset_urls={
                "thumbnail": {"mimetype": "image/webp", "url": "https://example.invalid/t/2", "width": 250},
                "original": {"mimetype": "image/jpeg", "url": "https://example.invalid/o/2"},
            },
            description="a day at the beach",
            download_url="https://example.invalid/d/2",
            thumbnail_url="https://example.invalid/th/2",
        ),
        # Faces and people (one face unassigned, one with a video timestamp).
        record(
            3,
            faces=[
                {"id": "face_a3", "person_id": "person_ann", "bounding_box": {"x": -1, "y": 2, "w": 30, "h": 40}, "thumbnail_url": "https://example.invalid/f"},
                {"id": "face_b3", "person_id": None, "bounding_box": {"x": 5, "y": 5, "w": 10, "h": 10}, "timestamp_ms": 1200},
                {"id": "face_c3", "person_id": "person_bob", "bounding_box": {"x": 0, "y": 0, "w": 1, "h": 1}},
            ],
            people=[
                {"id": "person_ann", "name": "Ann", "birth_date": "1990-04-01", "thumbnail_face_url": "https://example.invalid/p"},
                {"id": "person_bob", "is_favorite": True, "is_hidden": True},
            ],
        ),
        # Trashed, with a fractional offset, and the Immich-only fields.
        record(
            4,
            local_datetime="2024-02-03T10:00:00.25-05:30",
            trashed_at="2024-06-01T12:00:00Z",
            mime_type="video/mp4",
            duration="0:01:02.5",
            tags=["holiday", "beach"],
            visibility="archive",
            is_favorite=True,
            owner_id="user_1",
            stack_id="stack_1",
            duplicate_id="dup_1",
            live_photo_video_id="asset_video",
            thumbhash="1QcSHQRnh493V4dIh4eXh1h4kJUI",
            original_path="/photos/2024/clip.mp4",
            exif=None,
        ),
        # Exif present but empty (every field null), a naive capture time.
        record(5, local_datetime="1970-01-01T00:00:00", exif={}, checksum=checksum("five")),
    ]
    return out


def test_asset_to_dict_is_the_json_parsed(mem: photocat.Catalog) -> None:
    assets = mem.add_assets(varied_records())
    mem.trash_assets([assets[2].id])
    for a in assets + [mem.get_asset(assets[2].id)] + list(mem.iter_assets(state="all")):
        d = a.to_dict()
        same(d, json.loads(a.to_json()))
        # The nested attributes are the same objects as the dict's, built alone.
        for key in ("exif", "metadata", "metrics", "asset_urls"):
            same(getattr(a, key), d[key], key)
        same([f.to_dict() for f in a.faces], d["faces"], "faces")
        same([p.to_dict() for p in a.people], d["people"], "people")
        same([f.bounding_box for f in a.faces], [f["bounding_box"] for f in d["faces"]], "bounding_box")
        for f in a.faces:
            same(f.to_dict(), json.loads(f.to_json()))
        for p in a.people:
            same(p.to_dict(), json.loads(p.to_json()))
        same(a.to_immich_dict(), json.loads(a.to_immich_json()))
    assert assets[0].exif is None and assets[0].metrics is None and assets[0].asset_urls is None
    assert assets[4].exif is None and assets[4].to_dict()["trashed_at"] == "2024-06-01T12:00:00Z"


def test_page_and_record_dicts_are_their_json_parsed(mem: photocat.Catalog) -> None:
    mem.add_assets(varied_records())
    album = mem.create_album("Trip", description="Summer \u00e9t\u00e9")
    mem.add_to_album(album.id, [a.id for a in mem.list_assets(limit=4)])
    for page in (mem.list_assets(limit=3), mem.list_assets(limit=200, state="all"), mem.list_assets(album_id=album.id)):
        same(page.to_dict(), json.loads(page.to_json()))
    for res in (mem.search_assets(limit=2), mem.search_assets(make="Canon", page=2, limit=1), mem.search_assets(make="nobody")):
        same(res.to_dict(), json.loads(res.to_json()))
    lib = mem.create_library("Family", id="library_family", owner_id="user_1")
    for obj in [album, lib, *mem.list_libraries(), *mem.list_albums(), *mem.list_people()]:
        same(obj.to_dict(), json.loads(obj.to_json()))


def test_a_missing_nested_object_is_none_and_attributes_do_not_share_state(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([record(9)])
    exif = a.exif
    assert exif is not None
    exif["make"] = "changed"
    assert a.exif["make"] == "Canon" and a.to_dict()["exif"]["make"] == "Canon"
    assert a.metadata is None


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(
    floats=st.lists(finite, min_size=8, max_size=8),
    text=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
    metrics=st.dictionaries(st.text(max_size=8), st.one_of(st.none(), finite), max_size=4),
    iso=st.integers(min_value=-(2**63), max_value=2**63 - 1),
)
def test_any_floats_and_text_convert_like_json(floats: list[float], text: str, metrics: dict[str, Any], iso: int) -> None:
    names = ["f_number", "focal_length", "exposure_time", "exposure_bias", "latitude", "longitude", "altitude", "fps"]
    with photocat.Catalog.in_memory() as mem:
        [a] = mem.add_assets(
            [
                {
                    "original_file_name": text,
                    "description": text,
                    "metrics": metrics,
                    "exif": {**dict(zip(names, floats)), "make": text, "iso": iso},
                    "asset_urls": {text: {"mimetype": text, "url": text, "width": iso}},
                }
            ]
        )
        d = a.to_dict()
        same(d, json.loads(a.to_json()))
        same(a.exif, d["exif"], "exif")
        same(a.metrics, d["metrics"], "metrics")
        same(a.asset_urls, d["asset_urls"], "asset_urls")
        same(a.to_immich_dict(), json.loads(a.to_immich_json()))


# In a fresh interpreter, the first asset converted decides the template of the asset dict
# (with or without the legacy URLs, which are left out when None); every later shape must
# still come out exactly.
FRESH = """
import json, sys, photocat
combos = [{}, {"download_url": "d"}, {"thumbnail_url": "t"}, {"download_url": "d", "thumbnail_url": "t"}]
first = int(sys.argv[1])
with photocat.Catalog.in_memory() as cat:
    assets = cat.add_assets([{"id": f"asset_{i}", **c} for i, c in enumerate(combos)])
    faces = cat.add_faces([{"asset_id": "asset_0", "bounding_box": {"x": 0, "y": 0, "w": 1, "h": 1}, "thumbnail_url": "f"} if first % 2 else
                           {"asset_id": "asset_0", "bounding_box": {"x": 0, "y": 0, "w": 1, "h": 1}}])
    order = assets[first:] + assets[:first]
    for a in order + order:
        a = cat.get_asset(a.id)
        d = a.to_dict()
        want = json.loads(a.to_json())
        assert d == want and list(d) == list(want), (first, list(d), list(want))
        for f in a.faces:
            assert list(f.to_dict().items()) == list(json.loads(f.to_json()).items())
"""


def test_dicts_of_every_shape_whatever_shape_came_first() -> None:
    import subprocess
    import sys

    for first in range(4):
        subprocess.run([sys.executable, "-c", FRESH, str(first)], check=True)
