"""DataFrame export (``AssetPage.to_pandas``). pandas is imported only when it is called."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas

    from ._photocat import AssetPage

# Top-level columns, in order, with how they are read from an asset.
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
_INSTANTS = ["captured_at", "file_created_at", "file_modified_at", "created_at", "updated_at", "trashed_at"]
_INTS = ["width", "height", "file_size_bytes"]
_BOOLS = ["is_favorite", "is_archived", "is_trashed", "is_offline"]
# Fields of the nested exif / metadata objects that are not flattened (they repeat the asset's).
_NESTED_SKIP = {"asset_id", "created_at", "updated_at"}
_NESTED_INSTANTS = {"modified_datetime", "original_datetime", "digitized_datetime"}
_NESTED_INTS = {"orientation", "iso", "rating"}


def _import_pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - the test environment has pandas
        raise ImportError(
            "AssetPage.to_pandas() needs pandas: pip install 'photocat[pandas]' (or pandas)"
        ) from e
    return pandas


def page_to_pandas(page: AssetPage) -> pandas.DataFrame:
    """One row per asset of ``page``; see ``AssetPage.to_pandas``."""
    pd = _import_pandas()
    assets = page.data
    cols: Dict[str, Any] = {}
    for name in _TEXT:
        cols[name] = pd.array([getattr(a, name) for a in assets], dtype="object")
    cols["local_datetime"] = pd.Series([a.local_datetime for a in assets], dtype="datetime64[us]")
    cols["local_offset"] = pd.Series(
        [a.local_offset.utcoffset(None) if a.local_offset is not None else None for a in assets],
        dtype="timedelta64[us]",
    )
    for name in _INSTANTS:
        cols[name] = pd.Series([getattr(a, name) for a in assets], dtype="datetime64[us, UTC]")
    for name in _INTS:
        cols[name] = pd.array([getattr(a, name) for a in assets], dtype="Int64")
    for name in _BOOLS:
        cols[name] = pd.array([getattr(a, name) for a in assets], dtype="bool")
    cols["tags"] = [a.tags for a in assets]
    cols["face_count"] = pd.array([len(a.faces) for a in assets], dtype="int64")
    cols["person_ids"] = [[p.id for p in a.people] for a in assets]
    cols["person_names"] = [[p.name for p in a.people] for a in assets]
    for obj in ("exif", "metadata"):
        nested = [getattr(a, obj) or {} for a in assets]
        keys: List[str] = []
        for d in nested:
            for k in d:
                if k not in _NESTED_SKIP and k not in keys:
                    keys.append(k)
        for k in keys:
            values = [d.get(k) for d in nested]
            col = f"{obj}_{k}"
            if k in _NESTED_INSTANTS:
                cols[col] = pd.Series(
                    pd.to_datetime(values, utc=True, format="ISO8601")
                ).astype("datetime64[us, UTC]")
            elif k in _NESTED_INTS:
                cols[col] = pd.array(values, dtype="Int64")
            elif all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values):
                cols[col] = pd.array([float("nan") if v is None else float(v) for v in values], dtype="float64")
            else:
                cols[col] = pd.array(values, dtype="object")
    return pd.DataFrame(cols)
