"""Every exception class: its place in the hierarchy, its message and its attributes."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import photocat
from records import checksum, record

DATA = Path(__file__).parent / "data"


def test_hierarchy() -> None:
    assert issubclass(photocat.NotFoundError, photocat.PhotocatError)
    assert issubclass(photocat.NotFoundError, KeyError)
    assert issubclass(photocat.InvalidArgument, photocat.PhotocatError)
    assert issubclass(photocat.InvalidArgument, ValueError)
    assert issubclass(photocat.DuplicateError, photocat.PhotocatError)
    assert issubclass(photocat.DuplicateError, ValueError)
    assert issubclass(photocat.StorageError, photocat.PhotocatError)
    assert issubclass(photocat.StorageError, OSError)
    for cls in (photocat.AlreadyOpenError, photocat.NotACatalogError, photocat.UnsupportedVersionError, photocat.CorruptError):
        assert issubclass(cls, photocat.StorageError)
    assert photocat.errors.NotFoundError is photocat.NotFoundError


def test_not_found_message_is_not_quoted(mem: photocat.Catalog) -> None:
    with pytest.raises(photocat.NotFoundError) as info:
        mem.get_asset("asset_missing")
    e = info.value
    assert str(e) == 'asset "asset_missing" not found'
    assert e.kind == "asset"
    assert e.id == "asset_missing"
    assert isinstance(e, KeyError)
    assert repr(e) == "NotFoundError('asset \"asset_missing\" not found')"


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (lambda c: c.get_album("album_x"), "album"),
        (lambda c: c.get_person("person_x"), "person"),
        (lambda c: c.list_assets(album_id="album_x"), "album"),
        (lambda c: c.list_assets(person_id="person_x"), "person"),
        (lambda c: c.list_assets(library_id="library_x"), "library"),
        (lambda c: c.list_assets(starting_after_id="asset_x"), "asset"),
        (lambda c: list(c.iter_assets(starting_after_id="asset_x")), "asset"),
        (lambda c: c.list_album_assets("album_x"), "album"),
        (lambda c: c.trash_assets(["asset_x"]), "asset"),
        (lambda c: c.restore_assets(["asset_x"]), "asset"),
        (lambda c: c.delete_assets(["asset_x"]), "asset"),
        (lambda c: c.update_asset("asset_x", description="d"), "asset"),
        (lambda c: c.add_to_album("album_x", []), "album"),
        (lambda c: c.remove_from_album("album_x", []), "album"),
        (lambda c: c.update_person("person_x", name="n"), "person"),
        (lambda c: c.merge_people("person_x", []), "person"),
        (lambda c: c.assign_face("face_x", None), "face"),
        (lambda c: c.add_faces([{"asset_id": "asset_x", "bounding_box": {"x": 0, "y": 0, "w": 1, "h": 1}}]), "asset"),
    ],
)
def test_not_found_everywhere(mem: photocat.Catalog, call, kind: str) -> None:  # type: ignore[no-untyped-def]
    mem.add_assets([record(1)])
    with pytest.raises(photocat.NotFoundError) as info:
        call(mem)
    assert info.value.kind == kind
    assert str(info.value).endswith("not found")
    assert not str(info.value).startswith("'")


def test_not_found_changes_nothing(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([record(1)])
    with pytest.raises(photocat.NotFoundError):
        mem.trash_assets([a.id, "asset_missing"])
    assert not mem.get_asset(a.id).is_trashed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": 0}, "limit must be between 1 and 200, got 0"),
        ({"limit": 201}, "limit must be between 1 and 200, got 201"),
        ({"limit": -5}, "limit must be between 1 and 200, got -5"),
        ({"limit": 2**40}, f"limit must be between 1 and 200, got {2**40}"),
        ({"state": "LIVE"}, 'state must be "live", "trashed" or "all", got "LIVE"'),
        ({"ids": ["a"] * 101}, "ids may hold at most 100 ids, got 101"),
        ({"local_datetime_after": "yesterday"}, 'invalid datetime "yesterday"'),
        ({"album_id": "bad id!"}, "album"),
    ],
)
def test_invalid_list_arguments(mem: photocat.Catalog, kwargs, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(photocat.InvalidArgument) as info:
        mem.list_assets(**kwargs)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_invalid_page_size(mem: photocat.Catalog) -> None:
    with pytest.raises(photocat.InvalidArgument, match="page_size must be between 1 and 200, got 0"):
        mem.iter_assets(page_size=0)
    with pytest.raises(photocat.InvalidArgument, match="page_size must be between 1 and 200, got 500"):
        mem.iter_assets(page_size=500)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"bogus": 1}], "records[0].bogus: unknown field `bogus`"),
        ([{}, {"local_datetime": "nope"}], 'records[1].local_datetime: invalid datetime "nope"'),
        ([{"width": -1}], "records[0].width: invalid value: integer `-1`, expected u32"),
        ([{"exif": {"iso": 1.5}}], "records[0].exif.iso: invalid type: floating point `1.5`"),
        ([{"exif": {"f_number": float("nan")}}], "records[0].exif.f_number: nan is not a finite number"),
        ([{"file_size_bytes": 2**70}], "records[0].file_size_bytes: the integer"),
        ([{1: 2}], "records[0]: keys must be strings, got int"),
        ([{"description": object()}], "records[0].description: a value of type object is not accepted"),
        ([{"checksum": "abc"}], "is not the base64 of a 32-byte digest"),
        ([{"id": "no spaces please"}], "records[0]"),
        ([{"metadata": {"timezone": "Mars/Olympus"}, "local_datetime": "2020-01-01T00:00:00"}], "Mars/Olympus"),
        ([{"faces": [{"bounding_box": {"x": 1}}]}], "records[0].faces[0].bounding_box: missing field `y`"),
    ],
)
def test_invalid_records(mem: photocat.Catalog, records, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(photocat.InvalidArgument) as info:
        mem.add_assets(records)
    assert message.lower() in str(info.value).lower(), str(info.value)
    assert mem.list_assets(state="all").data == []


def test_invalid_options(mem: photocat.Catalog) -> None:
    with pytest.raises(photocat.InvalidArgument, match='on_duplicate must be "error" or "skip", got "ignore"'):
        mem.add_assets([record(1)], on_duplicate="ignore")  # type: ignore[arg-type]
    with pytest.raises(photocat.InvalidArgument, match="unknown field `bogus`"):
        mem.update_asset(mem.add_assets([record(2)])[0].id, bogus=1)
    with pytest.raises(photocat.InvalidArgument, match='birth_date: invalid date "May"'):
        mem.create_person("x", birth_date="May")
    with pytest.raises(photocat.InvalidArgument, match="birth_date"):
        mem.update_person(mem.create_person("y").id, birth_date="1990-13-01")


def test_several_libraries_need_a_library_id(mem: photocat.Catalog) -> None:
    mem.create_library("A")
    mem.create_library("B")
    with pytest.raises(photocat.InvalidArgument, match="librar"):
        mem.add_assets([record(1)])
    with pytest.raises(photocat.InvalidArgument, match="librar"):
        mem.list_assets()


def test_duplicates(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([record(1)])
    with pytest.raises(photocat.DuplicateError) as info:
        mem.add_assets([record(2), record(3, checksum=checksum("asset 1"))])
    assert info.value.existing_id == a.id
    assert a.id in str(info.value)
    assert isinstance(info.value, ValueError)
    assert len(mem.list_assets()) == 1  # nothing written
    skipped = mem.add_assets([record(2), record(3, checksum=checksum("asset 1"))], on_duplicate="skip")
    assert skipped[1] == a
    with pytest.raises(photocat.DuplicateError):
        mem.create_album("x", id="album_same")
        mem.create_album("y", id="album_same")
    with pytest.raises(photocat.DuplicateError):
        mem.add_assets([{"id": a.id}])


def test_wrong_python_types_are_type_errors(mem: photocat.Catalog) -> None:
    with pytest.raises(TypeError):
        mem.list_assets(limit="20")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="records must be a list of dicts"):
        mem.add_assets({"local_datetime": "2020-01-01"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"records\[0\] must be a dict, got int"):
        mem.add_assets([1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="ids must be a list of ids, got a single str"):
        mem.trash_assets("asset_x")
    with pytest.raises(TypeError, match="ids must hold id strings, got int"):
        mem.trash_assets([1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="local_datetime_before must be a datetime"):
        mem.list_assets(local_datetime_before=12)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mem.get_asset(None)  # type: ignore[arg-type]


def test_not_a_catalogue_leaves_the_file_untouched(tmp_path: Path) -> None:
    for name, content in [("empty.redb", b""), ("text.redb", b"hello, world\n" * 100)]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(photocat.NotACatalogError) as info:
            photocat.Catalog.open(path)
        assert "is not a photocat catalogue" in str(info.value)
        assert info.value.path == info.value.filename == str(path)
        assert info.value.errno is None
        assert isinstance(info.value, OSError)
        assert str(info.value).startswith(str(path))  # the message, not OSError's "[Errno ...]"
        assert path.read_bytes() == content


def test_foreign_redb_file_and_directory(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.redb"
    shutil.copy(DATA / "foreign.redb", foreign)
    before = foreign.read_bytes()
    with pytest.raises(photocat.NotACatalogError, match="without photocat's format record"):
        photocat.Catalog.open(foreign)
    assert foreign.read_bytes() == before
    with pytest.raises(photocat.NotACatalogError, match="it is a directory"):
        photocat.Catalog.open(tmp_path)


def test_unsupported_version(tmp_path: Path) -> None:
    path = tmp_path / "v99.redb"
    shutil.copy(DATA / "version99.redb", path)
    before = path.read_bytes()
    with pytest.raises(photocat.UnsupportedVersionError) as info:
        photocat.Catalog.open(path)
    assert str(info.value) == (
        "catalogue format version 99 is not supported (this build reads versions 1 to 6; "
        "a newer file needs a newer photocat)"
    )
    assert (info.value.found, info.value.supported) == (99, 6)
    assert path.read_bytes() == before


def test_damaged_file_is_a_storage_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "c.redb"
    with photocat.Catalog.open(path) as cat:
        cat.add_assets([record(i) for i in range(20)])
    data = bytearray(path.read_bytes())
    for i in range(4096, 8192):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(photocat.StorageError):
        with photocat.Catalog.open(path) as cat:
            list(cat.iter_assets())


def test_io_error_carries_errno_strerror_and_filename(tmp_path: Path) -> None:
    missing = tmp_path / "missing-dir" / "x.redb"
    with pytest.raises(photocat.StorageError) as info:
        photocat.Catalog.open(missing)
    e = info.value
    assert type(e) is photocat.StorageError
    assert e.errno == errno.ENOENT and e.strerror == os.strerror(errno.ENOENT)
    assert e.filename == str(missing)
    assert "No such file or directory" in str(e) and str(missing) in str(e)
    # Documented: a StorageError, not a FileNotFoundError (Python picks that class by errno for
    # OSError itself only); errno tells.
    assert not isinstance(e, FileNotFoundError)
    assert not missing.parent.exists()


def test_open_as_a_string_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope" / "x.redb")
    with pytest.raises(photocat.StorageError) as info:
        photocat.Catalog.open(missing)
    assert info.value.filename == missing


def test_already_open_in_this_process(tmp_path: Path) -> None:
    """A notebook cell run twice: the second open raises AlreadyOpenError naming the file, and
    after close() the file opens again."""
    path = tmp_path / "c.redb"
    first = photocat.Catalog.open(path)
    first.add_assets([record(1)])
    with pytest.raises(photocat.AlreadyOpenError) as info:
        photocat.Catalog.open(path)
    e = info.value
    assert isinstance(e, photocat.StorageError) and isinstance(e, OSError)
    assert e.filename == str(path)
    assert e.errno is None and e.strerror is None
    assert str(e) == f"{path} is already open (in this or another process); close the other Catalog first"
    assert len(first.list_assets()) == 1  # the first one is unharmed
    first.close()
    with photocat.Catalog.open(path) as again:
        assert len(again.list_assets()) == 1


def test_already_open_in_another_process(tmp_path: Path) -> None:
    path = tmp_path / "c.redb"
    code = (
        "import sys, photocat\n"
        "try:\n"
        f"    photocat.Catalog.open({str(path)!r})\n"
        "except photocat.AlreadyOpenError as e:\n"
        "    print(e.filename)\n"
    )
    with photocat.Catalog.open(path):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(path)


def test_already_open_file_is_a_storage_error(tmp_path: Path) -> None:
    with photocat.Catalog.open(tmp_path / "c.redb"):
        with pytest.raises(photocat.StorageError, match="already open"):
            photocat.Catalog.open(tmp_path / "c.redb")
