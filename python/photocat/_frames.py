"""DataFrame export (``AssetPage.to_pandas``). pandas is imported only when it is called."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:  # typing only
    import pandas

    from ._photocat import Asset, AssetPage

# The columns and their dtypes are fixed (they do not depend on the page's data), so frames of
# different pages concatenate cleanly.
_TEXT = [
    "id",
    "library_id",
    "original_file_name",
    "mime_type",
    "type",
    "device_id",
    "device_asset_id",
    "checksum",
    "checksum_sha1",
    "description",
    "visibility",
    "owner_id",
]
_INSTANTS = [
    "captured_at",
    "file_created_at",
    "file_modified_at",
    "created_at",
    "updated_at",
    "trashed_at",
]
_INTS = ["width", "height", "file_size_bytes"]
_BOOLS = ["is_favorite", "is_archived", "is_trashed", "is_offline"]

# The nested objects' fields in the JSON's order (their asset_id, created_at and updated_at
# repeat the asset's and are left out).
_EXIF_FIELDS = [
    "make", "model", "orientation", "modified_datetime", "original_datetime",
    "digitized_datetime", "lens_model", "f_number", "focal_length", "iso", "exposure_time",
    "exposure_bias", "latitude", "longitude", "altitude", "city", "state", "country",
    "description", "fps", "live_photo_cid", "projection_type", "profile_description",
    "auto_stack_id", "rating",
]  # fmt: skip
_METADATA_FIELDS = [f for f in _EXIF_FIELDS if f != "profile_description"] + [
    "country_code",
    "sublocation",
    "place_name",
    "timezone",
    "display_label",
]
_NESTED_INSTANTS = {"modified_datetime", "original_datetime", "digitized_datetime"}
_NESTED_INTS = {"orientation", "iso", "rating"}
_NESTED_FLOATS = {
    "f_number",
    "focal_length",
    "exposure_time",
    "exposure_bias",
    "latitude",
    "longitude",
    "altitude",
    "fps",
}


def _import_pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # the test environment has pandas
        raise ImportError(
            "AssetPage.to_pandas() needs pandas: pip install 'photocat[pandas]'"
        ) from e
    return pandas


def _nested_column(pd: Any, name: str, values: List[Any]) -> Any:
    if name in _NESTED_INSTANTS:
        parsed = pd.to_datetime(pd.Series(values, dtype="object"), utc=True, format="ISO8601")
        return parsed.astype("datetime64[us, UTC]")
    if name in _NESTED_INTS:
        return pd.array(values, dtype="Int64")
    if name in _NESTED_FLOATS:
        return pd.array([float("nan") if v is None else float(v) for v in values], dtype="float64")
    return pd.Series(values, dtype=_text_dtype(pd))


def _text_dtype(pd: Any) -> str:
    """pandas 3's string dtype (missing values NaN); pandas 2 keeps text as objects."""
    return "str" if int(pd.__version__.split(".")[0]) >= 3 else "object"


def page_to_pandas(page: AssetPage) -> pandas.DataFrame:
    """One row per asset of ``page``; see ``AssetPage.to_pandas``."""
    pd = _import_pandas()
    assets: List[Asset] = page.data
    cols: Dict[str, Any] = {}
    for name in _TEXT:
        cols[name] = pd.Series([getattr(a, name) for a in assets], dtype=_text_dtype(pd))
    cols["local_datetime"] = pd.Series([a.local_datetime for a in assets], dtype="datetime64[us]")
    cols["local_offset"] = pd.Series(
        [None if a.local_offset is None else a.local_offset.utcoffset(None) for a in assets],
        dtype="timedelta64[us]",
    )
    # Where local_datetime came from ("exif", "file_mtime", ...; missing for format 1 assets).
    cols["local_datetime_source"] = pd.Series(
        [a.local_datetime_source for a in assets], dtype=_text_dtype(pd)
    )
    for name in _INSTANTS:
        cols[name] = pd.Series([getattr(a, name) for a in assets], dtype="datetime64[us, UTC]")
    for name in _INTS:
        cols[name] = pd.array([getattr(a, name) for a in assets], dtype="Int64")
    for name in _BOOLS:
        cols[name] = pd.array([getattr(a, name) for a in assets], dtype="bool")
    cols["tags"] = pd.Series([a.tags for a in assets], dtype="object")
    cols["face_count"] = pd.array([len(a.faces) for a in assets], dtype="int64")
    people = [a.people for a in assets]
    cols["person_ids"] = pd.Series([[p.id for p in ps] for ps in people], dtype="object")
    cols["person_names"] = pd.Series([[p.name for p in ps] for ps in people], dtype="object")
    dicts = [a.to_dict() for a in assets]
    for obj, fields in (("exif", _EXIF_FIELDS), ("metadata", _METADATA_FIELDS)):
        nested = [d[obj] or {} for d in dicts]
        for name in fields:
            cols[f"{obj}_{name}"] = _nested_column(pd, name, [n.get(name) for n in nested])
    return pd.DataFrame(cols)
