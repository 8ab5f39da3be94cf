"""photocat: an embedded catalogue engine for photo libraries over one redb file.

"SQLite for photo libraries": assets (file facts, EXIF, faces, people, albums, libraries,
trash state) live in one file with secondary indexes, and list queries with the cursor
semantics of Gumnut's ``list_assets`` cost in proportion to the page, not to the library.
Assets come out in exactly Gumnut's ``AssetResponse`` JSON shape.

>>> import photocat
>>> cat = photocat.Catalog.in_memory()          # or photocat.Catalog.open("photos.redb")
>>> added = cat.add_assets([
...     {"local_datetime": "2023-11-07T07:31:56+02:00", "original_file_name": "IMG_0001.jpg"},
...     {"local_datetime": "2023-11-08T09:00:00+02:00", "original_file_name": "IMG_0002.jpg"},
... ])
>>> album = cat.create_album("Trip")
>>> cat.add_to_album(album.id, [added[0].id])
>>> page = cat.list_assets(limit=1)              # newest first
>>> page.data[0].original_file_name, page.has_more
('IMG_0002.jpg', True)
>>> [a.original_file_name for a in cat.iter_assets(album_id=album.id)]
['IMG_0001.jpg']
>>> page.data[0].captured_at.isoformat()
'2023-11-08T07:00:00+00:00'
"""

from __future__ import annotations

import os as _os

# The extension allocates with mimalloc (the crate's `mimalloc` feature). Purged pages go back
# to the kernel with MADV_FREE instead of MADV_DONTNEED: the kernel still takes them back when
# it needs memory, but the next bulk write reuses them without a fault and a zeroed page each
# (the user's build of 10^5 assets: 16,100 -> 17,400 assets/s; BENCHMARKS.md, "Fourteenth
# pass"). mimalloc reads its options when the extension loads, so this comes first; a value
# already in the environment is kept.
_os.environ.setdefault("MIMALLOC_PURGE_DECOMMITS", "0")
del _os

from ._photocat import (  # noqa: E402
    AddSummary,
    Album,
    AllAssets,
    AllAssetsJson,
    ArrowStream,
    Asset,
    AssetIterator,
    AssetPage,
    Catalog,
    ChecksumMatch,
    Face,
    ImportReport,
    Library,
    LibrarySummary,
    Person,
    SearchPage,
    Summary,
    VerifyReport,
    __version__,
)
from .errors import (
    AlreadyOpenError,
    CorruptError,
    DuplicateError,
    InvalidArgument,
    NotACatalogError,
    NotFoundError,
    PhotocatError,
    StorageError,
    UnsupportedVersionError,
)

__all__ = [
    "AddSummary",
    "AlreadyOpenError",
    "Album",
    "AllAssets",
    "AllAssetsJson",
    "ArrowStream",
    "Asset",
    "AssetIterator",
    "AssetPage",
    "Catalog",
    "ChecksumMatch",
    "CorruptError",
    "DuplicateError",
    "Face",
    "ImportReport",
    "InvalidArgument",
    "Library",
    "LibrarySummary",
    "NotACatalogError",
    "NotFoundError",
    "Person",
    "PhotocatError",
    "SearchPage",
    "StorageError",
    "Summary",
    "VerifyReport",
    "UnsupportedVersionError",
    "__version__",
]
