"""AssetPage.to_pandas: one row an asset, flattened EXIF/metadata, datetime dtypes, lazy import."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

import photocat
from records import record


def test_to_pandas_shape_and_dtypes(mem: photocat.Catalog) -> None:
    mem.add_assets(
        [
            record(1, metadata={"city": "Paris", "timezone": "Europe/Paris"}),
            {"local_datetime": "0001-01-01T00:00:00", "id": "asset_old", "exif": {"original_datetime": "1900-01-01T00:00:00Z"}},
            {"local_datetime": "9999-12-31T23:59:59.5", "id": "asset_late"},
        ]
    )
    page = mem.list_assets(limit=10)
    df = page.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df["id"]) == [a.id for a in page.data]
    assert len(df) == 3
    assert str(df["local_datetime"].dtype) == "datetime64[us]"
    for col in ("captured_at", "created_at", "updated_at", "file_created_at", "file_modified_at", "trashed_at", "exif_original_datetime"):
        assert str(df[col].dtype) == "datetime64[us, UTC]", col
    assert str(df["local_offset"].dtype) == "timedelta64[us]"
    assert str(df["width"].dtype) == "Int64" and str(df["exif_iso"].dtype) == "Int64"
    assert str(df["exif_f_number"].dtype) == "float64"
    assert str(df["is_favorite"].dtype) == "bool"
    row = df.set_index("id").loc[page.data[1].id]
    assert row["exif_make"] == "Canon" and row["metadata_city"] == "Paris"
    assert row["local_offset"] == pd.Timedelta(hours=2)
    old = df.set_index("id").loc["asset_old"]
    assert old["local_datetime"].year == 1
    assert pd.isna(old["captured_at"]) and pd.isna(old["exif_make"])
    assert df.set_index("id").loc["asset_late"]["local_datetime"].year == 9999
    assert "exif_asset_id" not in df.columns and "metadata_profile_description" not in df.columns


def test_schema_does_not_depend_on_the_data(mem: photocat.Catalog) -> None:
    empty = mem.list_assets().to_pandas()
    mem.add_assets([record(1)])
    one = mem.list_assets().to_pandas()
    assert list(empty.columns) == list(one.columns)
    assert dict(empty.dtypes) == dict(one.dtypes)
    assert len(pd.concat([empty, one])) == 1


def test_faces_and_people_columns(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([record(1)])
    p = mem.create_person("Ann")
    mem.add_faces([{"asset_id": a.id, "person_id": p.id, "bounding_box": {"x": 0, "y": 0, "w": 1, "h": 1}}])
    df = mem.list_assets().to_pandas()
    assert df.loc[0, "face_count"] == 1
    assert df.loc[0, "person_names"] == ["Ann"]


def test_pandas_is_imported_only_when_called() -> None:
    code = (
        "import sys, photocat\n"
        "cat = photocat.Catalog.in_memory()\n"
        "cat.add_assets([{'local_datetime': '2024-01-01T00:00:00'}])\n"
        "page = cat.list_assets()\n"
        "page.to_dict(); page.data[0].to_dict()\n"
        "assert 'pandas' not in sys.modules\n"
        "page.to_pandas()\n"
        "assert 'pandas' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
