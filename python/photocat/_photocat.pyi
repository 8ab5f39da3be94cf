"""Type stubs of the native module ``photocat._photocat`` (hand-written; checked by
``python -m mypy.stubtest photocat``). Import from ``photocat``, not from here."""

import datetime
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar, Literal, Optional, Union, final

import numpy
import pandas
import polars
import pyarrow  # type: ignore[import-untyped]  # pyarrow ships no type information: Table is Any

__all__ = [
    "Catalog",
    "AssetIterator",
    "Asset",
    "AssetPage",
    "SearchPage",
    "AllAssets",
    "AllAssetsJson",
    "Face",
    "Person",
    "Album",
    "Library",
    "Summary",
    "LibrarySummary",
    "ChecksumMatch",
    "ImportReport",
    "AddSummary",
    "VerifyReport",
    "ArrowStream",
    "__version__",
]

__version__: str

#: A datetime argument: an aware or naive ``datetime`` (``pandas.Timestamp`` is one; finer than
#: microseconds is truncated), a ``numpy.datetime64`` (naive, like a naive ``datetime``), a
#: ``date`` (midnight), or ISO 8601 text. ``NaT`` is a missing value, like None.
_DateTimeLike = Union[datetime.datetime, datetime.date, numpy.datetime64, str]
#: A record for ``add_assets``: a dict in the canonical (Gumnut) shape, or an ``Asset``.
_AssetRecord = Union[Mapping[str, Any], "Asset"]
_State = Literal["live", "trashed", "all"]
_OnDuplicate = Literal["error", "skip"]
_AssetType = Literal["IMAGE", "VIDEO", "AUDIO", "OTHER", "image", "video", "audio", "other"]
_SearchVisibility = Literal["timeline", "archive"]
_BucketSize = Literal["year", "month", "week", "day"]
_TimeSource = Literal["given", "exif", "quicktime", "file_mtime", "file_created_at", "write_time"]

@final
class Asset:
    """One asset, complete with faces and people (Gumnut's ``AssetResponse`` fields).

    ``local_datetime`` is naive; ``local_offset`` its offset when known; ``captured_at`` and
    every other instant are aware UTC datetimes.
    """

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def id(self) -> str: ...
    @property
    def device_asset_id(self) -> str: ...
    @property
    def device_id(self) -> str: ...
    @property
    def mime_type(self) -> str: ...
    @property
    def original_file_name(self) -> str: ...
    @property
    def file_created_at(self) -> datetime.datetime: ...
    @property
    def file_modified_at(self) -> datetime.datetime: ...
    @property
    def local_datetime(self) -> datetime.datetime: ...
    @property
    def local_datetime_source(self) -> Optional[_TimeSource]:
        """Where ``local_datetime`` came from (``"file_mtime"``, ``"file_created_at"``: no capture
        time, so the earlier of the file's two times);
        None for assets written by format 1. Not in ``to_dict()``."""
    @property
    def local_offset(self) -> Optional[datetime.timezone]: ...
    @property
    def captured_at(self) -> Optional[datetime.datetime]: ...
    @property
    def checksum(self) -> Optional[str]: ...
    @property
    def checksum_sha1(self) -> Optional[str]: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def exif(self) -> Optional[dict[str, Any]]: ...
    @property
    def metadata(self) -> Optional[dict[str, Any]]: ...
    @property
    def metrics(self) -> Optional[dict[str, Optional[float]]]: ...
    @property
    def asset_urls(self) -> Optional[dict[str, dict[str, Any]]]: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def faces(self) -> list[Face]: ...
    @property
    def people(self) -> list[Person]: ...
    @property
    def width(self) -> Optional[int]: ...
    @property
    def height(self) -> Optional[int]: ...
    @property
    def file_size_bytes(self) -> Optional[int]: ...
    @property
    def trashed_at(self) -> Optional[datetime.datetime]: ...
    @property
    def download_url(self) -> Optional[str]: ...
    @property
    def thumbnail_url(self) -> Optional[str]: ...
    @property
    def library_id(self) -> str: ...
    @property
    def owner_id(self) -> Optional[str]: ...
    @property
    def is_favorite(self) -> bool: ...
    @property
    def visibility(self) -> Literal["timeline", "archive", "hidden", "locked"]: ...
    @property
    def is_archived(self) -> bool: ...
    @property
    def is_trashed(self) -> bool: ...
    @property
    def is_offline(self) -> bool: ...
    @property
    def type(self) -> Literal["IMAGE", "VIDEO", "AUDIO", "OTHER"]: ...
    @property
    def live_photo_video_id(self) -> Optional[str]: ...
    @property
    def duplicate_id(self) -> Optional[str]: ...
    @property
    def stack_id(self) -> Optional[str]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def thumbhash(self) -> Optional[str]: ...
    @property
    def duration(self) -> Optional[datetime.timedelta]:
        """A video's length; stored as Immich's ``H:MM:SS.ffffff`` text."""
    @property
    def original_path(self) -> Optional[str]: ...
    def to_json(self) -> str:
        """The canonical JSON (Gumnut's ``AssetResponse``), byte for byte the Rust view's."""
    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON as a dict; it imports back unchanged with ``add_assets``."""
    def to_immich_json(self) -> str:
        """The Immich JSON (``AssetResponseDto`` of ``immich-python-sdk==1.134.0``, keys in
        the order Immich's server writes them), byte for byte the Rust ``Asset::to_immich_json``.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> [a] = cat.add_assets([{"id": "asset_a", "local_datetime": "2024-01-02T03:04:05+01:00"}])
        >>> a.to_immich_json()[:52]
        '{"id":"asset_a","deviceAssetId":"asset_a","ownerId":'
        """
    def to_immich_dict(self) -> dict[str, Any]:
        """The Immich JSON as a dict (datetimes as Immich's ``YYYY-MM-DDTHH:MM:SS.sssZ``
        strings, keys in the JSON's order), ready for ``AssetResponseDto.from_dict``.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> [a] = cat.add_assets([{"local_datetime": "2024-01-02T03:04:05+01:00",
        ...                        "checksum_sha1": "2jmj7l5rSw0yVb/vlWAYkK/YBwk="}])
        >>> d = a.to_immich_dict()
        >>> d["localDateTime"], d["fileCreatedAt"], d["exifInfo"]["timeZone"]
        ('2024-01-02T03:04:05.000Z', '2024-01-02T02:04:05.000Z', 'UTC+1')
        """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class AssetPage:
    """One page of ``list_assets``: ``data`` and ``has_more``. Iterating it iterates ``data``."""

    @property
    def data(self) -> list[Asset]: ...
    @property
    def has_more(self) -> bool: ...
    def to_json(self) -> str:
        """``{"data": [...], "has_more": ...}``, byte for byte the Rust ``AssetPage::to_json``."""
    def to_dict(self) -> dict[str, Any]:
        """``{"data": [asset dicts], "has_more": bool}``."""
    def to_pandas(self) -> pandas.DataFrame:
        """The page as a ``pandas.DataFrame`` with the columns and dtypes of
        ``Catalog.to_pandas()`` (``album_ids`` read from the still open catalogue). Needs
        ``photocat[pandas]``."""
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Asset]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class SearchPage:
    """One page of ``Catalog.search_assets``: ``data`` (the page's assets, in list order),
    ``page`` (1-indexed, as asked), ``has_more`` (a later page holds at least one asset) and
    ``total`` (every match over all pages, not the page size). Iterating it iterates ``data``.

    >>> import photocat
    >>> cat = photocat.Catalog.in_memory()
    >>> _ = cat.add_assets([{"local_datetime": f"2024-01-0{d}T12:00:00", "is_favorite": d != 2}
    ...                     for d in (1, 2, 3, 4)])
    >>> res = cat.search_assets(is_favorite=True, limit=2)
    >>> len(res), res.page, res.has_more, res.total
    (2, 1, True, 3)
    """

    @property
    def data(self) -> list[Asset]: ...
    @property
    def page(self) -> int: ...
    @property
    def has_more(self) -> bool: ...
    @property
    def total(self) -> int: ...
    def to_json(self) -> str:
        """``{"data": [...], "page": ..., "has_more": ..., "total": ...}``, byte for byte the
        Rust ``SearchPage::to_json``.

        >>> import photocat
        >>> photocat.Catalog.in_memory().search_assets().to_json()
        '{"data":[],"page":1,"has_more":false,"total":0}'
        """
    def to_dict(self) -> dict[str, Any]:
        """``{"data": [asset dicts], "page": int, "has_more": bool, "total": int}``.

        >>> import photocat
        >>> photocat.Catalog.in_memory().search_assets(page=3).to_dict()
        {'data': [], 'page': 3, 'has_more': False, 'total': 0}
        """
    def to_pandas(self) -> pandas.DataFrame:
        """The page as a ``pandas.DataFrame`` with the columns and dtypes of
        ``Catalog.to_pandas()`` (``album_ids`` read from the still open catalogue). Needs
        ``photocat[pandas]``.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> _ = cat.add_assets([{"local_datetime": "2024-01-01T12:00:00", "exif": {"make": "Canon"}}])
        >>> cat.search_assets(make="Canon").to_pandas().loc[0, "exif_make"]
        'Canon'
        """
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Asset]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class AllAssets:
    """The answer of ``Catalog.get_all_assets`` (Immich's legacy ``GET /asset``).

    ``assets`` in ``file_created_at`` order (newest first); ``body`` those assets as the compact
    Immich JSON array (the 200 response body); ``etag`` the strong ETag Immich's server sends
    for that body; ``not_modified`` True when ``if_none_match`` matched ``etag`` (then
    ``assets`` is empty and ``body`` is ``b""``: answer 304). Iterating it iterates ``assets``.

    >>> import photocat
    >>> res = photocat.Catalog.in_memory().get_all_assets()
    >>> res.body, res.etag, res.not_modified
    (b'[]', '"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w"', False)
    """

    @property
    def assets(self) -> list[Asset]:
        """The assets (a new list on each access); empty when ``not_modified``."""
    @property
    def body(self) -> bytes:
        """The assets as the compact Immich JSON array; ``b""`` when ``not_modified``."""
    @property
    def etag(self) -> str:
        """``"<hex byte length>-<first 27 characters of base64(sha1(body))>"``, quotes included."""
    @property
    def not_modified(self) -> bool:
        """True when ``if_none_match`` matched ``etag`` (answer 304 with no body)."""
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Asset]: ...

@final
class AllAssetsJson:
    """The answer of ``Catalog.get_all_assets_json``: ``AllAssets`` without the assets.

    ``body`` is the compact Immich JSON array (``get_all_assets(...).body`` byte for byte,
    written by the engine straight from the stored records), ``etag`` its strong ETag and
    ``not_modified`` True when ``if_none_match`` matched it (then ``body`` is ``b""``).

    >>> import photocat
    >>> res = photocat.Catalog.in_memory().get_all_assets_json()
    >>> res.body, res.etag, res.not_modified
    (b'[]', '"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w"', False)
    """

    @property
    def body(self) -> bytes:
        """The assets as the compact Immich JSON array; ``b""`` when ``not_modified``."""
    @property
    def etag(self) -> str:
        """The strong ETag of the body, quotes included (as ``AllAssets.etag``)."""
    @property
    def not_modified(self) -> bool:
        """True when ``if_none_match`` matched ``etag`` (answer 304 with no body)."""

@final
class AssetIterator:
    """The lazy iterator of ``Catalog.iter_assets``."""

    def __iter__(self) -> AssetIterator: ...
    def __next__(self) -> Asset: ...

@final
class Face:
    """A face on an asset, optionally assigned to a person."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def id(self) -> str: ...
    @property
    def asset_id(self) -> str: ...
    @property
    def person_id(self) -> Optional[str]: ...
    @property
    def bounding_box(self) -> dict[str, int]: ...
    @property
    def timestamp_ms(self) -> Optional[int]: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def thumbnail_url(self) -> Optional[str]: ...
    def to_json(self) -> str:
        """The face as in an asset's ``faces`` JSON."""
    def to_dict(self) -> dict[str, Any]:
        """The face as in an asset's ``faces``."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class Person:
    """A person, with the maintained ``asset_count``."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def birth_date(self) -> Optional[datetime.date]: ...
    @property
    def is_hidden(self) -> bool: ...
    @property
    def is_favorite(self) -> bool: ...
    @property
    def asset_count(self) -> int: ...
    @property
    def thumbnail_face_id(self) -> Optional[str]: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def thumbnail_face_url(self) -> Optional[str]: ...
    def to_json(self) -> str:
        """The person as in an asset's ``people`` JSON."""
    def to_dict(self) -> dict[str, Any]:
        """The person as in an asset's ``people``."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class Album:
    """An album: a named set of assets within one library, with the maintained ``asset_count``."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def library_id(self) -> str: ...
    @property
    def asset_count(self) -> int:
        """Live (not trashed) assets the album lists."""
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class Library:
    """A library: a collection of assets with one owner."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def owner_id(self) -> Optional[str]: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class LibrarySummary:
    """One library's counts in a ``Summary``."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def library(self) -> Library: ...
    @property
    def live(self) -> int:
        """Live (not trashed) assets that lists show (timeline and archive)."""
    @property
    def trashed(self) -> int:
        """Trashed assets that lists show."""
    @property
    def albums(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class ChecksumMatch:
    """The answer of ``Catalog.check_checksums`` for one checksum (immutable, hashable)."""

    @property
    def checksum(self) -> str:
        """The checksum exactly as it was given (base64 or hex)."""
    @property
    def asset_id(self) -> Optional[str]:
        """The asset that holds these bytes, or None."""
    @property
    def is_trashed(self) -> bool:
        """True when that asset is in the trash."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Summary:
    """A catalogue at a glance (``Catalog.summary()``), read from maintained counts."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def format_version(self) -> int: ...
    @property
    def file_size_bytes(self) -> Optional[int]:
        """The file's size; None in memory."""
    @property
    def libraries(self) -> list[LibrarySummary]: ...
    @property
    def albums(self) -> int: ...
    @property
    def people(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class AddSummary:
    """What ``add_assets_summary`` did: counts only."""

    @property
    def created(self) -> int:
        """The number of records that created an asset."""
    @property
    def skipped(self) -> int:
        """The number of records skipped as duplicates (``on_duplicate="skip"``)."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ImportReport:
    """What ``import_paths`` did."""

    @property
    def created(self) -> list[Asset]:
        """The assets created, in walk order."""
    @property
    def duplicates(self) -> list[tuple[str, str]]:
        """``(path, existing_asset_id)`` for files already in the library."""
    @property
    def failed(self) -> list[tuple[str, str]]:
        """``(path, reason)`` for files that could not be imported."""
    @property
    def skipped(self) -> list[str]:
        """Files a folder walk did not read because of their name."""
    @property
    def cancelled(self) -> bool:
        """True when the progress callable (or Ctrl-C) stopped the import early."""
    @property
    def stopped(self) -> Optional[str]:
        """Why the import stopped early when a batch could not be committed (a full disk),
        else None; the files not imported are in ``failed`` with the reason."""

@final
class VerifyReport:
    """What ``Catalog.verify()`` found."""

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
    @property
    def problems(self) -> list[str]:
        """Each problem in words, with the ids concerned (at most 1,000)."""
    @property
    def problem_count(self) -> int:
        """The number of problems found (more than ``len(problems)`` when some were not described)."""
    @property
    def counts(self) -> dict[str, int]:
        """What was checked: the number of records, links and entries of each kind."""
    def __bool__(self) -> bool: ...

@final
class Catalog:
    """A photocat catalogue: one redb file (or memory). Use as a context manager or ``close()``."""

    @staticmethod
    def open(
        path: Union[str, os.PathLike[str]], *, cache_size: Optional[int] = None
    ) -> Catalog:
        """Opens (or creates) the catalogue file at ``path``; ``cache_size`` bounds the page
        cache in bytes (None: 1 GiB)."""
    @staticmethod
    def in_memory() -> Catalog:
        """A catalogue that lives in memory only."""
    @property
    def path(self) -> Optional[str]: ...
    @property
    def upgraded_from(self) -> Optional[int]:
        """The format version the file had when ``open`` upgraded it (then older photocat
        versions can no longer open it); None when it was already current."""
    @property
    def closed(self) -> bool: ...
    def close(self) -> None:
        """Closes the catalogue (idempotent)."""
    def compact(self) -> bool:
        """Compacts the file (gives free space back); needs the catalogue to itself, so it
        raises ``PhotocatError`` while a call runs in another thread. True when anything was
        freed."""
    def backup(self, path: Union[str, os.PathLike[str]]) -> None:
        """Writes a consistent copy (one committed state) to the new file ``path`` while other
        threads read and write; never replaces an existing file (``StorageError``)."""
    def __enter__(self) -> Catalog: ...
    def __exit__(self, *_exc: object) -> bool: ...
    def create_library(
        self, name: str, id: Optional[str] = None, owner_id: Optional[str] = None
    ) -> Library:
        """Creates a library."""
    def list_libraries(self) -> list[Library]:
        """Every library, by id."""
    def list_albums(self, library_id: Optional[str] = None) -> list[Album]:
        """Every album (or one library's), oldest first, with ``asset_count``."""
    def list_people(self) -> list[Person]:
        """Every person, most assets first, with ``asset_count``."""
    def count_assets(
        self,
        library_id: Optional[str] = None,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        ids: Optional[Iterable[str]] = None,
        local_datetime_after: Optional[_DateTimeLike] = None,
        local_datetime_before: Optional[_DateTimeLike] = None,
        state: _State = "live",
    ) -> int:
        """How many assets ``list_assets`` would return with these filters, over all pages."""
    def summary(self) -> Summary:
        """The catalogue at a glance: format version, file size, per-library counts."""
    def verify(self) -> VerifyReport:
        """Checks every index, counter, id map and link against the records."""
    def add_assets(
        self,
        records: Iterable[_AssetRecord],
        library_id: Optional[str] = None,
        on_duplicate: _OnDuplicate = "error",
    ) -> list[Asset]:
        """Adds records in one transaction and returns the new assets in order."""
    def add_assets_summary(
        self,
        records: Iterable[_AssetRecord],
        library_id: Optional[str] = None,
        on_duplicate: _OnDuplicate = "error",
    ) -> AddSummary:
        """``add_assets`` for bulk loads: the same write, returning only the counts of
        records created and skipped as duplicates (no ``Asset`` is built)."""
    def update_asset(self, asset_id: str, **fields: Any) -> Asset:
        """Changes the given fields of an asset and bumps ``updated_at``."""
    def trash_assets(self, ids: Iterable[str]) -> None:
        """Moves assets to the trash."""
    def restore_assets(self, ids: Iterable[str]) -> None:
        """Takes assets out of the trash."""
    def delete_assets(self, ids: Iterable[str]) -> None:
        """Deletes assets permanently."""
    def create_album(
        self,
        name: str,
        library_id: Optional[str] = None,
        description: Optional[str] = None,
        id: Optional[str] = None,
        asset_ids: Optional[Iterable[str]] = None,
    ) -> Album:
        """Creates an album, with its first assets (as ``add_to_album`` adds them) in the same
        transaction: one commit, and no album is left behind when an id is wrong."""
    def get_album(self, album_id: str) -> Album:
        """One album by id."""
    def add_to_album(self, album_id: str, asset_ids: Iterable[str]) -> None:
        """Adds assets to an album."""
    def add_to_albums(self, links: Mapping[str, Iterable[str]]) -> None:
        """Adds assets to many albums in one transaction (album id -> asset ids)."""
    def remove_from_album(self, album_id: str, asset_ids: Iterable[str]) -> None:
        """Removes assets from an album."""
    def create_person(
        self,
        name: Optional[str] = None,
        birth_date: Union[datetime.date, str, None] = None,
        is_hidden: bool = False,
        is_favorite: bool = False,
        id: Optional[str] = None,
    ) -> Person:
        """Creates a person."""
    def get_person(self, person_id: str) -> Person:
        """One person by id."""
    def update_person(self, person_id: str, **fields: Any) -> Person:
        """Changes the given fields of a person."""
    def merge_people(self, into_id: str, from_ids: Iterable[str]) -> Person:
        """Moves the faces of ``from_ids`` to ``into_id`` and deletes them."""
    def add_faces(self, records: Iterable[Mapping[str, Any]]) -> list[Face]:
        """Adds faces in one transaction."""
    def assign_face(self, face_id: str, person_id: Optional[str]) -> Face:
        """Assigns a face to a person, or unassigns it with None."""
    def list_assets(
        self,
        library_id: Optional[str] = None,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        ids: Optional[Iterable[str]] = None,
        local_datetime_after: Optional[_DateTimeLike] = None,
        local_datetime_before: Optional[_DateTimeLike] = None,
        starting_after_id: Optional[str] = None,
        state: _State = "live",
        limit: int = 20,
    ) -> AssetPage:
        """One page of assets, newest first (Gumnut's ``list_assets``)."""
    def list_assets_json(
        self,
        library_id: Optional[str] = None,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        ids: Optional[Iterable[str]] = None,
        local_datetime_after: Optional[_DateTimeLike] = None,
        local_datetime_before: Optional[_DateTimeLike] = None,
        starting_after_id: Optional[str] = None,
        state: _State = "live",
        limit: int = 20,
    ) -> str:
        """The page as ``list_assets(...).to_json()`` gives it, written from the stored records."""
    def iter_assets(
        self,
        library_id: Optional[str] = None,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        ids: Optional[Iterable[str]] = None,
        local_datetime_after: Optional[_DateTimeLike] = None,
        local_datetime_before: Optional[_DateTimeLike] = None,
        starting_after_id: Optional[str] = None,
        state: _State = "live",
        page_size: int = 200,
    ) -> AssetIterator:
        """Every matching asset, lazily, ``page_size`` at a time."""
    def search_assets(
        self,
        *,
        person_ids: Optional[Iterable[str]] = None,
        album_ids: Optional[Iterable[str]] = None,
        captured_after: Optional[_DateTimeLike] = None,
        captured_before: Optional[_DateTimeLike] = None,
        make: Optional[str] = None,
        model: Optional[str] = None,
        lens_model: Optional[str] = None,
        city: Optional[str] = None,
        state: Optional[str] = None,
        country: Optional[str] = None,
        mime_type: Optional[str] = None,
        type: Optional[_AssetType] = None,
        is_favorite: Optional[bool] = None,
        visibility: Optional[_SearchVisibility] = None,
        original_file_name: Optional[str] = None,
        description: Optional[str] = None,
        page: int = 1,
        limit: int = 20,
        library_id: Optional[str] = None,
    ) -> SearchPage:
        """One page of a search, with the exact number of matches in ``total``: live assets in
        list order (``local_datetime`` descending, then ``id`` descending); filters combine
        with AND.

        ``person_ids``/``album_ids`` are ALL-of (unknown ids raise ``NotFoundError``);
        ``captured_after``/``captured_before`` are exclusive bounds taken like
        ``local_datetime_after``/``before``; ``make``, ``model``, ``lens_model``, ``city``,
        ``state``, ``country`` and ``mime_type`` match exactly (case-sensitive; a value no
        asset has matches nothing); ``type`` is ``"IMAGE"``, ``"VIDEO"``, ``"AUDIO"`` or
        ``"OTHER"`` (or lowercase); ``visibility`` ``"timeline"`` or ``"archive"`` (None:
        both; hidden and locked raise ``InvalidArgument``); ``original_file_name`` and
        ``description`` are case-insensitive substrings (``""``: no filter). ``page`` is
        1-indexed (past the end: empty, ``has_more`` False), ``limit`` 1 to 200.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> _ = cat.add_assets([{"local_datetime": f"2024-05-0{d}T10:00:00",
        ...                      "original_file_name": f"IMG_{d}.JPG",
        ...                      "exif": {"make": "Canon" if d < 4 else "SONY"}} for d in range(1, 6)])
        >>> res = cat.search_assets(make="Canon", limit=2)
        >>> [a.original_file_name for a in res.data], res.has_more, res.total
        (['IMG_3.JPG', 'IMG_2.JPG'], True, 3)
        >>> [a.original_file_name for a in cat.search_assets(make="Canon", limit=2, page=2)]
        ['IMG_1.JPG']
        >>> cat.search_assets(original_file_name="img_5", captured_after="2024-05-04T00:00:00").total
        1
        """
    def time_buckets(
        self,
        size: _BucketSize = "month",
        *,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        state: _State = "live",
        library_id: Optional[str] = None,
    ) -> list[tuple[datetime.date, int]]:
        """Assets per year, month, ISO week (Monday first) or day of their wall-clock
        ``local_datetime``, newest first: ``(first day of the bucket, count)``, no empty
        buckets. ``album_id``/``person_id`` restrict; ``state`` is ``"live"``, ``"trashed"`` or
        ``"all"``. Hidden and locked assets are never counted.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> _ = cat.add_assets([{"local_datetime": t} for t in
        ...     ("2024-05-01T10:00:00", "2024-05-31T23:59:59+02:00", "2024-06-02T08:00:00")])
        >>> cat.time_buckets()
        [(datetime.date(2024, 6, 1), 1), (datetime.date(2024, 5, 1), 2)]
        >>> cat.time_buckets("week")   # ISO weeks start on Monday
        [(datetime.date(2024, 5, 27), 2), (datetime.date(2024, 4, 29), 1)]
        """
    def arrow_stream(
        self,
        *,
        library_id: Optional[str] = None,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        ids: Optional[Iterable[str]] = None,
        local_datetime_after: Optional[_DateTimeLike] = None,
        local_datetime_before: Optional[_DateTimeLike] = None,
        starting_after_id: Optional[str] = None,
        state: _State = "live",
        batch_size: int = 65536,
    ) -> ArrowStream:
        """Every matching asset (the filters of ``list_assets``, no ``limit``) as an Arrow
        stream for any consumer of the Arrow PyCapsule interface (``polars.DataFrame``,
        ``pyarrow.table``, DuckDB), with none of them needed. Batches of at most
        ``batch_size`` rows built in Rust; each read is a fresh snapshot. Arguments are
        checked here (``InvalidArgument``, ``NotFoundError``, ``TypeError``)."""
    def to_arrow(
        self,
        *,
        library_id: Optional[str] = None,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        ids: Optional[Iterable[str]] = None,
        local_datetime_after: Optional[_DateTimeLike] = None,
        local_datetime_before: Optional[_DateTimeLike] = None,
        starting_after_id: Optional[str] = None,
        state: _State = "live",
        batch_size: int = 65536,
    ) -> pyarrow.Table:
        """Every matching asset as a ``pyarrow.Table`` of photocat's one fixed schema (needs
        ``photocat[pyarrow]``)."""
    def to_polars(
        self,
        *,
        library_id: Optional[str] = None,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        ids: Optional[Iterable[str]] = None,
        local_datetime_after: Optional[_DateTimeLike] = None,
        local_datetime_before: Optional[_DateTimeLike] = None,
        starting_after_id: Optional[str] = None,
        state: _State = "live",
        batch_size: int = 65536,
    ) -> polars.DataFrame:
        """Every matching asset as a ``polars.DataFrame`` (needs ``photocat[polars]``)."""
    def to_pandas(
        self,
        *,
        library_id: Optional[str] = None,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        ids: Optional[Iterable[str]] = None,
        local_datetime_after: Optional[_DateTimeLike] = None,
        local_datetime_before: Optional[_DateTimeLike] = None,
        starting_after_id: Optional[str] = None,
        state: _State = "live",
        batch_size: int = 65536,
    ) -> pandas.DataFrame:
        """Every matching asset as a ``pandas.DataFrame`` through pyarrow (needs
        ``photocat[pandas]``): instants ``datetime64[us, UTC]``, ``local_datetime``
        ``datetime64[us]``, nullable ``Int16``/``Int32``/``Int64``, dictionary strings
        ``category``."""
    def export_parquet(
        self,
        directory: Union[str, os.PathLike[str]],
        partition_by: Optional[Literal["month", "year", "none"]] = "month",
        *,
        library_id: Optional[str] = None,
        album_id: Optional[str] = None,
        person_id: Optional[str] = None,
        ids: Optional[Iterable[str]] = None,
        local_datetime_after: Optional[_DateTimeLike] = None,
        local_datetime_before: Optional[_DateTimeLike] = None,
        starting_after_id: Optional[str] = None,
        state: _State = "live",
        batch_size: int = 65536,
    ) -> list[str]:
        """Writes every matching asset into hive-partitioned (``year=2023/month=11/``),
        zstd-compressed Parquet files under ``directory`` (new or empty) and returns their
        paths in the order written. ``partition_by``: ``"month"``, ``"year"`` or None."""
    def list_album_assets(self, album_id: str) -> list[Asset]:
        """Every live asset of an album, in list order."""
    def get_asset(self, asset_id: str) -> Asset:
        """One asset by id."""
    def get_asset_json(self, asset_id: str) -> str:
        """``get_asset(asset_id).to_json()``, written straight from the stored record."""
    def get_asset_immich_json(self, asset_id: str) -> str:
        """``get_asset(asset_id).to_immich_json()``, byte for byte, written straight from the
        stored record."""
    def check_checksums(
        self, checksums: Iterable[str], owner_id: Optional[str] = None
    ) -> list[ChecksumMatch]:
        """Immich's bulk upload check: for each SHA-1 checksum (28 characters of base64 or
        40 hex digits, any case), the asset that already holds those bytes, in input order.

        ``owner_id`` restricts the match to that owner's assets (every library); None
        matches any owner's. Trashed assets match, flagged ``is_trashed``; hidden ones too.
        A live match is preferred, then the asset added first. A malformed checksum raises
        ``InvalidArgument`` naming its index.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> [a] = cat.add_assets([{"checksum_sha1": "qvTGHdzF6KLavt4PO0gs2a6pQ00="}])
        >>> [m] = cat.check_checksums(["AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D"])
        >>> m.asset_id == a.id, m.is_trashed
        (True, False)
        """
    def get_all_assets(
        self,
        owner_id: Optional[str] = None,
        is_archived: Optional[bool] = None,
        is_favorite: Optional[bool] = None,
        skip: int = 0,
        take: Optional[int] = None,
        updated_after: Optional[_DateTimeLike] = None,
        updated_before: Optional[_DateTimeLike] = None,
        if_none_match: Optional[str] = None,
    ) -> AllAssets:
        """Immich's legacy ``GET /asset``: the assets of ``owner_id`` (every owner's when None),
        hidden and locked ones left out, trashed ones included (``isTrashed`` in the Immich
        view), newest ``file_created_at`` first (ties by ``id`` descending), ``skip`` then at
        most ``take`` (None: all).

        ``is_favorite`` and ``is_archived`` filter when given (bools only); ``updated_after``
        and ``updated_before`` are inclusive bounds on ``updated_at`` (a naive value is UTC).
        ``if_none_match`` is the ``If-None-Match`` header (one ETag, a list, ``W/`` forms or
        ``*``): when it matches ``etag``, ``not_modified`` is True and ``assets`` empty.
        Negative ``skip``/``take`` raise ``InvalidArgument``.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> _ = cat.add_assets([{"file_created_at": f"2024-05-0{d}T10:00:00Z"} for d in (1, 2, 3)])
        >>> res = cat.get_all_assets(skip=1)
        >>> [a.file_created_at.day for a in res.assets]
        [2, 1]
        >>> cat.get_all_assets(skip=1, if_none_match="W/" + res.etag).not_modified
        True
        """
    def get_all_assets_json(
        self,
        owner_id: Optional[str] = None,
        is_archived: Optional[bool] = None,
        is_favorite: Optional[bool] = None,
        skip: int = 0,
        take: Optional[int] = None,
        updated_after: Optional[_DateTimeLike] = None,
        updated_before: Optional[_DateTimeLike] = None,
        if_none_match: Optional[str] = None,
    ) -> AllAssetsJson:
        """``get_all_assets(...)`` without the ``Asset`` objects: ``body`` (bytes) is
        ``get_all_assets(...).body`` byte for byte, written by the engine straight from the
        stored records, with the same ``etag`` and ``not_modified``. Same parameters as
        ``get_all_assets``.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> _ = cat.add_assets([{"file_created_at": f"2024-05-0{d}T10:00:00Z"} for d in (1, 2, 3)])
        >>> res = cat.get_all_assets_json(skip=1)
        >>> res.body == cat.get_all_assets(skip=1).body, res.not_modified
        (True, False)
        >>> cat.get_all_assets_json(skip=1, if_none_match=res.etag).body
        b''
        """
    def random_assets(
        self, count: int = 1, owner_id: Optional[str] = None, seed: Optional[int] = None
    ) -> list[Asset]:
        """Immich's ``GET /assets/random``: a uniform sample without replacement of at most
        ``count`` (1 or more) assets that are not trashed and whose visibility is timeline or
        archive, of ``owner_id`` (any owner's when None). A ``seed`` (0 to 2**64 - 1) makes it
        reproducible on an unchanged catalogue. Its cost grows with ``count``, not with the
        library.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> _ = cat.add_assets([{"local_datetime": f"2024-05-0{d}T10:00:00"} for d in (1, 2, 3)])
        >>> len(cat.random_assets(count=2)), len(cat.random_assets(count=10, seed=1))
        (2, 3)
        """
    def device_asset_ids(self, device_id: str, owner_id: Optional[str] = None) -> list[str]:
        """The distinct ``device_asset_id``s uploaded from ``device_id`` (ascending), of
        ``owner_id`` (any owner's when None); trashed and hidden assets are left out.

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> _ = cat.add_assets([{"device_id": "phone", "device_asset_id": n} for n in ("b", "a")])
        >>> cat.device_asset_ids("phone")
        ['a', 'b']
        """
    def existing_device_asset_ids(
        self, device_id: str, device_asset_ids: Iterable[str], owner_id: Optional[str] = None
    ) -> list[str]:
        """Which of ``device_asset_ids`` ``device_id`` has already uploaded (trashed and hidden
        assets count), each once, in input order; of ``owner_id`` (any owner's when None).

        >>> import photocat
        >>> cat = photocat.Catalog.in_memory()
        >>> _ = cat.add_assets([{"device_id": "phone", "device_asset_id": "IMG_1"}])
        >>> cat.existing_device_asset_ids("phone", ["IMG_2", "IMG_1"])
        ['IMG_1']
        """
    def import_paths(
        self,
        paths: Union[str, os.PathLike[str], Iterable[Union[str, os.PathLike[str]]]],
        library_id: Optional[str] = None,
        recursive: bool = True,
        on_duplicate: _OnDuplicate = "skip",
        progress: Optional[Callable[[int, int], Optional[bool]]] = None,
    ) -> ImportReport:
        """Imports photo and video files (folders walked) with every core; see ``help()``.

        ``progress(done, total)`` stops the import by returning False (``report.cancelled``),
        by raising, or by Ctrl-C; files already read stay committed in complete batches, and
        an exception (``KeyboardInterrupt`` for Ctrl-C) is re-raised after that commit."""

@final
class ArrowStream:
    """Assets as an Arrow C stream (the Arrow PyCapsule interface), from
    ``Catalog.arrow_stream``: each ``__arrow_c_stream__`` call reads a fresh snapshot, so the
    stream can be read more than once; batches of at most ``batch_size`` rows, photocat's one
    schema."""

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        """A new ``"arrow_array_stream"`` PyCapsule (``requested_schema`` is ignored)."""
    def __arrow_c_schema__(self) -> object:
        """The schema as an ``"arrow_schema"`` PyCapsule."""
