"""A typed use of the Python API, checked with `mypy --strict` against the module's stubs (see
scripts/py_test.sh). It also runs: `python examples/typed_example.py`."""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Optional

import photocat


def newest_names(cat: photocat.Catalog, album_id: Optional[str] = None, n: int = 3) -> list[str]:
    page: photocat.AssetPage = cat.list_assets(album_id=album_id, limit=n)
    return [a.original_file_name for a in page.data]


def main() -> None:
    with photocat.Catalog.in_memory() as cat:
        lib: photocat.Library = cat.create_library("Family")
        added: list[photocat.Asset] = cat.add_assets(
            [
                {"local_datetime": dt.datetime(2024, 5, d, 10, 0), "original_file_name": f"IMG_{d}.jpg"}
                for d in range(1, 6)
            ],
            library_id=lib.id,
            on_duplicate="skip",
        )
        album: photocat.Album = cat.create_album("Trip", library_id=lib.id)
        cat.add_to_album(album.id, [a.id for a in added[:2]])
        person: photocat.Person = cat.create_person("Ada", birth_date=dt.date(1815, 12, 10))
        faces: list[photocat.Face] = cat.add_faces(
            [{"asset_id": added[0].id, "person_id": person.id, "bounding_box": {"x": 0, "y": 0, "w": 8, "h": 8}}]
        )
        face: photocat.Face = cat.assign_face(faces[0].id, None)
        assert face.person_id is None
        updated: photocat.Asset = cat.update_asset(added[1].id, description="Beach")
        offset: Optional[dt.timezone] = updated.local_offset
        captured: Optional[dt.datetime] = updated.captured_at
        assert offset is None and captured is None
        local: dt.datetime = updated.local_datetime
        print(newest_names(cat), newest_names(cat, album.id), local.isoformat())
        walked: list[str] = [a.id for a in cat.iter_assets(page_size=2, state="all")]
        assert len(walked) == 5
        try:
            cat.get_asset("asset_missing")
        except photocat.NotFoundError as e:
            print(f"not found: {e} ({e.kind} {e.id})")
        except photocat.PhotocatError:
            raise
        [video] = cat.add_assets([{"mime_type": "video/mp4", "duration": dt.timedelta(seconds=90)}], library_id=lib.id)
        length: Optional[dt.timedelta] = video.duration
        assert length == dt.timedelta(minutes=1, seconds=30)
        recent: list[str] = [a.id for a in cat.list_assets(local_datetime_after=dt.datetime(2024, 5, 3, 10), limit=10)]
        assert len(recent) == 3  # the 4th, the 5th, and the video (dated when it was written)
        res: photocat.AllAssets = cat.get_all_assets(is_favorite=False, skip=1, take=2, updated_after=dt.datetime(2024, 1, 1))
        body: bytes = res.body
        etag: str = res.etag
        assert len(res.assets) == 2 and body.startswith(b"[") and not res.not_modified
        assert cat.get_all_assets(skip=1, take=2, is_favorite=False, if_none_match=etag).not_modified
        picked: list[photocat.Asset] = cat.random_assets(count=2, seed=1)
        device_ids: list[str] = cat.device_asset_ids("photocat", owner_id=None)
        known: list[str] = cat.existing_device_asset_ids("photocat", (a.device_asset_id for a in picked))
        assert len(device_ids) == 6 and len(known) == 2
        found: photocat.SearchPage = cat.search_assets(
            album_ids=[album.id], original_file_name="img_", captured_after=dt.date(2024, 5, 1), description="beach", type="OTHER", limit=1
        )
        total: int = found.total
        assert total == 1 and found.page == 1 and not found.has_more and [a.id for a in found] == [added[1].id]
        months: list[tuple[dt.date, int]] = cat.time_buckets("month", album_id=album.id, state="all")
        assert months == [(dt.date(2024, 5, 1), 2)]
        freed: bool = cat.compact()
        print("compacted:", freed)
        row_count: int = len(cat.list_assets().to_pandas())
        stream: photocat.ArrowStream = cat.arrow_stream(state="all", batch_size=1000)
        assert stream.__arrow_c_stream__() is not None
        whole: int = len(cat.to_pandas(local_datetime_after=dt.datetime(2024, 5, 3)))
        with tempfile.TemporaryDirectory() as d:
            files: list[str] = cat.export_parquet(d, partition_by="year", state="all")
            print("parquet:", len(files), "files,", whole, "rows after May 3rd")
        print(row_count, cat.list_assets(limit=1).to_json()[:30])


if __name__ == "__main__":
    main()
