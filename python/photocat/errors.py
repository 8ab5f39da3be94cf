"""The exceptions of photocat.

Every error of the engine (Rust's ``photocat::Error``) is raised as one of these classes,
mapped once in ``src/python/errors.rs``:

==========================  ===================================================  ==============================
Rust variant                Python class (also an instance of)                   extra attributes
==========================  ===================================================  ==============================
``NotFound``                :class:`NotFoundError` (``KeyError``)                ``kind``, ``id``
``InvalidArgument``         :class:`InvalidArgument` (``ValueError``)
``Duplicate``               :class:`DuplicateError` (``ValueError``)             ``existing_id``
``AlreadyOpen``             :class:`AlreadyOpenError` (``StorageError``)         ``filename``
``NotACatalog``             :class:`NotACatalogError` (``StorageError``)         ``path``, ``filename``
``UnsupportedVersion``      :class:`UnsupportedVersionError` (``StorageError``)  ``found``, ``supported``
``Corrupt``                 :class:`CorruptError` (``StorageError``)
``Storage`` (redb), ``Io``  :class:`StorageError` (``OSError``)                  ``errno``, ``strerror``,
                                                                                 ``filename`` when known
==========================  ===================================================  ==============================

A call on a closed catalogue, or one that ``compact()`` holds, raises :class:`PhotocatError`
itself. Arguments of the wrong
Python type (``limit="x"``) raise ``TypeError``, as for any Python function.

>>> import photocat
>>> cat = photocat.Catalog.in_memory()
>>> try:
...     cat.get_asset("asset_missing")
... except KeyError as e:
...     print(e)
asset "asset_missing" not found
"""

from __future__ import annotations

__all__ = [
    "PhotocatError",
    "NotFoundError",
    "InvalidArgument",
    "DuplicateError",
    "StorageError",
    "AlreadyOpenError",
    "NotACatalogError",
    "UnsupportedVersionError",
    "CorruptError",
]


class PhotocatError(Exception):
    """The base class of every photocat error."""


class NotFoundError(PhotocatError, KeyError):
    """A record named by id does not exist (``kind`` and ``id`` say which)."""

    kind: str
    id: str

    def __str__(self) -> str:
        # KeyError's own __str__ quotes its argument (it is meant for dict keys); our argument
        # is a sentence.
        return Exception.__str__(self)


class InvalidArgument(PhotocatError, ValueError):
    """An argument is malformed or out of range; the message says what is allowed."""


class DuplicateError(PhotocatError, ValueError):
    """A new record collides with an existing one (an explicit id, or a checksum).

    ``existing_id`` is the id of the record that already exists.
    """

    existing_id: str


class StorageError(PhotocatError, OSError):
    """The file or the storage engine failed.

    Like an ``OSError``: ``errno`` and ``strerror`` are set for operating-system errors
    (``None`` otherwise) and ``filename`` names the file when one is known. It is not one of
    ``OSError``'s own subclasses (``FileNotFoundError``, ``PermissionError``, ...), which
    Python picks by errno only for ``OSError`` itself; compare ``errno`` instead:

    >>> import errno, photocat
    >>> try:
    ...     photocat.Catalog.open("/no/such/folder/photos.redb")
    ... except photocat.StorageError as e:
    ...     print(e.errno == errno.ENOENT, e.filename)
    True /no/such/folder/photos.redb
    """

    def __str__(self) -> str:
        # OSError's own __str__ rewrites the message as "[Errno n] strerror: 'filename'" once
        # filename is set; ours already says what happened, to which file.
        return Exception.__str__(self)


class AlreadyOpenError(StorageError):
    """The catalogue file is already open, in this process (another ``Catalog`` of the same
    file, e.g. a notebook cell run twice) or in another one; close that one first. Nothing was
    written. ``filename`` is the file; ``errno`` is None.
    """


class NotACatalogError(StorageError):
    """The file exists but is not a photocat catalogue; it was not modified.

    ``path`` (and ``filename``, as on every ``StorageError``) is the file that was opened.
    """

    path: str


class UnsupportedVersionError(StorageError):
    """The file is a photocat catalogue of a format version this build cannot read.

    ``found`` is the version in the file, ``supported`` the one this build reads.
    """

    found: int
    supported: int


class CorruptError(StorageError):
    """Stored data does not decode: the file was damaged or written by something else."""
