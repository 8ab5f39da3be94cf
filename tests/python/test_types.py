"""The types users expect: Asset.duration as a timedelta, and pandas' and numpy's time values
(Timestamp, datetime64, Timedelta, timedelta64, NaT) wherever a datetime or duration is taken,
without photocat ever importing either library itself."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zoneinfo
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import photocat

UTC = dt.timezone.utc
PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


# --- Asset.duration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0:00:00.000000", dt.timedelta(0)),
        ("0:00:01.500000", dt.timedelta(seconds=1.5)),
        ("1:02:05.250000", dt.timedelta(hours=1, minutes=2, seconds=5.25)),
        ("0:00:00.00000", dt.timedelta(0)),  # Immich's server writes 5 digits for images
        ("0:00:12.3", dt.timedelta(seconds=12.3)),
        ("0:00:12", dt.timedelta(seconds=12)),
        ("0:00:12.1234567", dt.timedelta(seconds=12, microseconds=123456)),  # truncated
        ("123:59:59.999999", dt.timedelta(hours=123, minutes=59, seconds=59, microseconds=999999)),
    ],
)
def test_duration_text_is_a_timedelta(mem: photocat.Catalog, text: str, expected: dt.timedelta) -> None:
    [a] = mem.add_assets([{"mime_type": "video/mp4", "duration": text}])
    assert isinstance(a.duration, dt.timedelta)
    assert a.duration == expected
    assert mem.get_asset(a.id).duration == expected
    assert "duration" not in a.to_dict()  # Gumnut's shape has no duration


def test_duration_none_stays_none(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([{"mime_type": "video/mp4"}])
    assert a.duration is None


@pytest.mark.parametrize(
    "value",
    [
        dt.timedelta(minutes=1, seconds=2, microseconds=500000),
        pd.Timedelta(minutes=1, seconds=2, microseconds=500000, nanoseconds=999),
        np.timedelta64(62_500_000_999, "ns"),
        np.timedelta64(62_500, "ms"),
    ],
    ids=["timedelta", "pandas.Timedelta", "timedelta64[ns]", "timedelta64[ms]"],
)
def test_duration_input_as_timedelta(mem: photocat.Catalog, value: object) -> None:
    [a] = mem.add_assets([{"mime_type": "video/mp4", "duration": value}])
    assert a.duration == dt.timedelta(seconds=62.5)


def test_duration_input_of_a_long_video(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([{"duration": dt.timedelta(days=2, seconds=1)}])
    assert a.duration == dt.timedelta(hours=48, seconds=1)


def test_missing_durations(mem: photocat.Catalog) -> None:
    a, b = mem.add_assets([{"duration": pd.NaT}, {"duration": np.timedelta64("NaT")}])
    assert a.duration is None and b.duration is None


def test_negative_duration_is_refused(mem: photocat.Catalog) -> None:
    with pytest.raises(photocat.InvalidArgument, match=r"records\[0\].duration: a duration must be zero or positive"):
        mem.add_assets([{"duration": dt.timedelta(seconds=-1)}])
    assert mem.list_assets(state="all").data == []


def test_a_stored_duration_of_another_form_is_named(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([{"duration": "about a minute"}])
    with pytest.raises(photocat.InvalidArgument, match='its duration "about a minute" is not Immich\'s H:MM:SS.ffffff form'):
        a.duration


def test_imported_videos_have_a_timedelta_duration(mem: photocat.Catalog) -> None:
    report = mem.import_paths([PHOTOS])
    videos = [a for a in report.created if a.type == "VIDEO"]
    assert videos, "the sample data holds videos"
    for v in videos:
        assert isinstance(v.duration, dt.timedelta), v.original_file_name
        assert v.duration > dt.timedelta(0)
    assert all(a.duration is None for a in report.created if a.type == "IMAGE")


# --- pandas.Timestamp -------------------------------------------------------------------------


def test_timestamps_as_record_fields(mem: photocat.Catalog) -> None:
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    naive, aware, utc = mem.add_assets(
        [
            {"local_datetime": pd.Timestamp("2024-07-01 12:00:00.123456789")},
            {"local_datetime": pd.Timestamp("2024-07-01 12:00:00", tz=paris)},
            {
                "local_datetime": pd.Timestamp("2024-07-01 12:00:00", tz="UTC"),
                "file_created_at": pd.Timestamp("2024-06-01 08:00:00", tz="US/Eastern"),
                "created_at": pd.Timestamp("2024-06-01 08:00:00"),  # naive instant: read as UTC
                "trashed_at": pd.Timestamp("2024-08-01 00:00:00.000000999", tz="UTC"),
            },
        ]
    )
    # Nanoseconds are truncated (as for ISO text with nine digits).
    assert naive.local_datetime == dt.datetime(2024, 7, 1, 12, 0, 0, 123456)
    assert naive.local_offset is None
    assert aware.local_datetime == dt.datetime(2024, 7, 1, 12, 0)
    assert aware.local_offset == dt.timezone(dt.timedelta(hours=2))
    assert utc.local_offset == UTC and utc.captured_at == dt.datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert utc.file_created_at == dt.datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert utc.created_at == dt.datetime(2024, 6, 1, 8, tzinfo=UTC)
    assert utc.trashed_at == dt.datetime(2024, 8, 1, tzinfo=UTC)


def test_timestamps_as_bounds(mem: photocat.Catalog) -> None:
    mem.add_assets(
        [
            {"local_datetime": f"2024-05-{d:02d}T10:00:00{off}", "id": f"asset_{d:02d}"}
            for d, off in [(1, ""), (2, "+02:00"), (3, ""), (4, "+02:00"), (5, "")]
        ]
    )

    def ids(**bounds: object) -> list[str]:
        return [a.id for a in mem.list_assets(**bounds)]  # type: ignore[arg-type]

    naive = ids(local_datetime_after=pd.Timestamp("2024-05-02 10:00"), local_datetime_before=pd.Timestamp("2024-05-05"))
    assert naive == ids(local_datetime_after=dt.datetime(2024, 5, 2, 10), local_datetime_before=dt.datetime(2024, 5, 5))
    assert naive == ["asset_04", "asset_03"]
    # Aware: compared in UTC with captured_at (asset_02 was taken at 08:00 UTC).
    aware = ids(local_datetime_after=pd.Timestamp("2024-05-02 07:59", tz="UTC"))
    assert aware == ids(local_datetime_after=dt.datetime(2024, 5, 2, 7, 59, tzinfo=UTC))
    assert "asset_02" in aware and "asset_01" not in aware
    assert [a.id for a in mem.iter_assets(local_datetime_before=pd.Timestamp("2024-05-02", tz="Europe/Paris"))] == ["asset_01"]


def test_timestamps_in_update_asset(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([{"local_datetime": "2024-01-01T00:00:00"}])
    b = mem.update_asset(
        a.id,
        local_datetime=pd.Timestamp("2020-05-05 05:05:05.5", tz="Asia/Tokyo"),
        file_modified_at=np.datetime64("2020-05-06T00:00:00"),
    )
    assert b.local_datetime == dt.datetime(2020, 5, 5, 5, 5, 5, 500000)
    assert b.local_offset == dt.timezone(dt.timedelta(hours=9))
    assert b.file_modified_at == dt.datetime(2020, 5, 6, tzinfo=UTC)


def test_timestamps_of_a_frame_go_back_in(mem: photocat.Catalog) -> None:
    """What a pandas user does: take rows of a frame (Timestamps, NaT) as records."""
    frame = pd.DataFrame(
        {
            "original_file_name": ["a.jpg", "b.jpg"],
            "local_datetime": pd.to_datetime(["2024-03-01 09:30:00", "2024-03-02 10:45:00.000001"], format="ISO8601"),
            "trashed_at": pd.to_datetime([None, "2024-04-01T00:00:00Z"], utc=True),
        }
    )
    a, b = mem.add_assets(frame.to_dict("records"))
    assert a.local_datetime == dt.datetime(2024, 3, 1, 9, 30) and a.trashed_at is None
    assert b.local_datetime == dt.datetime(2024, 3, 2, 10, 45, 0, 1)
    assert b.trashed_at == dt.datetime(2024, 4, 1, tzinfo=UTC)


# --- numpy.datetime64 and NaT -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.datetime64("2024-05-01"), dt.datetime(2024, 5, 1)),
        (np.datetime64("2024-05-01T10:20:30"), dt.datetime(2024, 5, 1, 10, 20, 30)),
        (np.datetime64("2024-05-01T10:20:30.250"), dt.datetime(2024, 5, 1, 10, 20, 30, 250000)),
        (np.datetime64("2024-05-01T10:20:30.123456789"), dt.datetime(2024, 5, 1, 10, 20, 30, 123456)),
        # Before 1970 too, the finer digits are dropped (the time moves toward the past).
        (np.datetime64("1960-01-01T00:00:00.000000999"), dt.datetime(1960, 1, 1)),
        (np.datetime64("0001-01-01T00:00:00", "us"), dt.datetime(1, 1, 1)),
        (np.datetime64("9999-12-31T23:59:59.999999", "us"), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)),
    ],
)
def test_datetime64_is_a_naive_wall_clock_time(mem: photocat.Catalog, value: np.datetime64, expected: dt.datetime) -> None:
    [a] = mem.add_assets([{"local_datetime": value}])
    assert a.local_datetime == expected
    assert a.local_offset is None and a.captured_at is None
    assert a.local_datetime == mem.add_assets([{"local_datetime": expected}])[0].local_datetime


def test_datetime64_in_instant_fields_is_utc(mem: photocat.Catalog) -> None:
    # As for a naive datetime: an instant without an offset is read as UTC.
    [a] = mem.add_assets([{"file_created_at": np.datetime64("2024-01-02T03:04:05"), "trashed_at": np.datetime64("2024-02-01", "D")}])
    assert a.file_created_at == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert a.trashed_at == dt.datetime(2024, 2, 1, tzinfo=UTC)


def test_datetime64_as_bounds(mem: photocat.Catalog) -> None:
    mem.add_assets([{"local_datetime": f"2024-05-{d:02d}T10:00:00+02:00", "id": f"asset_{d}"} for d in range(1, 6)])
    # A naive bound compares with the wall clock, whatever the asset's offset.
    page = mem.list_assets(local_datetime_after=np.datetime64("2024-05-02T10:00"), local_datetime_before=np.datetime64("2024-05-05"))
    assert [a.id for a in page] == ["asset_4", "asset_3"]
    assert [a.id for a in page] == [a.id for a in mem.list_assets(local_datetime_after="2024-05-02T10:00", local_datetime_before="2024-05-05")]


def test_nat_is_a_missing_value(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([{"local_datetime": "2024-01-01T00:00:00", "trashed_at": pd.NaT, "file_created_at": np.datetime64("NaT")}])
    assert a.trashed_at is None
    assert a.file_created_at == dt.datetime(2024, 1, 1, tzinfo=UTC)  # the default, as for None
    for bound in (pd.NaT, np.datetime64("NaT"), np.datetime64("NaT", "ns")):
        assert len(mem.list_assets(local_datetime_after=bound)) == 1
        assert len(list(mem.iter_assets(local_datetime_before=bound))) == 1
    b = mem.update_asset(a.id, local_datetime=pd.NaT, description="kept")
    assert b.local_datetime == a.local_datetime  # NaT leaves the field as it is, like None


def test_datetime64_out_of_range(mem: photocat.Catalog) -> None:
    with pytest.raises(photocat.InvalidArgument, match=r"records\[0\].local_datetime: numpy.datetime64 12000-01-01 is out of the range of a datetime"):
        mem.add_assets([{"local_datetime": np.datetime64("12000-01-01")}])
    with pytest.raises(photocat.InvalidArgument, match="local_datetime_after: numpy.datetime64"):
        mem.list_assets(local_datetime_after=np.datetime64("-0005-01-01"))


def test_other_numpy_values_are_still_refused(mem: photocat.Catalog) -> None:
    with pytest.raises(TypeError, match="local_datetime_after must be a datetime, a date, a numpy.datetime64 or an ISO 8601 string, got int64"):
        mem.list_assets(local_datetime_after=np.int64(5))  # type: ignore[arg-type]


def test_numpy_and_pandas_are_never_imported() -> None:
    code = (
        "import sys, datetime, photocat\n"
        "cat = photocat.Catalog.in_memory()\n"
        "[a] = cat.add_assets([{'local_datetime': datetime.datetime(2024, 1, 1), 'duration': datetime.timedelta(seconds=3),\n"
        "                       'trashed_at': None, 'file_created_at': '2024-01-01T00:00:00Z'}])\n"
        "cat.list_assets(local_datetime_after=datetime.datetime(2020, 1, 1), local_datetime_before='2030-01-01', state='all')\n"
        "cat.update_asset(a.id, local_datetime=datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc))\n"
        "assert a.duration == datetime.timedelta(seconds=3)\n"
        "assert 'numpy' not in sys.modules and 'pandas' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
