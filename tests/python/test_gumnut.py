"""Real clients accept our output: every to_dict() against gumnut-sdk's models (strict, no
undeclared keys), and the real Gumnut client paging through a tiny HTTP server on 127.0.0.1
that answers with the module's own JSON."""

from __future__ import annotations

import datetime as dt
import http.server
import itertools
import json
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any, Optional

import gumnut
import pytest
from gumnut.types import AssetResponse

import photocat
from gumnut_check import check_asset_dict, legacy_paths, undeclared_keys
from records import checksum, checksum_sha1, record

UTC = dt.timezone.utc


def rich_records() -> list[dict[str, Any]]:
    """Records exercising every part of the shape (exif, metadata, metrics, variants, faces,
    people, legacy URLs, offsets, trashed)."""
    out = []
    for i in range(30):
        r = record(
            i,
            local_datetime=[
                f"2024-02-{1 + i % 5:02d}T10:00:00+02:00",
                f"2024-02-{1 + i % 5:02d}T10:00:00",
                f"2024-02-{1 + i % 5:02d}T10:00:00.25-05:30",
            ][i % 3],
            checksum_sha1=checksum_sha1(f"s{i}"),
            description=None if i % 4 else f"photo {i}",
        )
        if i % 2:
            r["metadata"] = {"city": "Paris", "country": "France", "country_code": "FR", "timezone": "Europe/Paris"}
            r["exif"]["original_datetime"] = "2024-02-01T08:00:00Z"
            r["exif"]["orientation"] = 6
            r["exif"]["exposure_bias"] = 0.0
        if i % 3 == 0:
            r["metrics"] = {"aesthetic": 0.75, "blur": None}
            r["asset_urls"] = {"thumbnail": {"mimetype": "image/webp", "url": f"https://example.invalid/t/{i}", "width": 250}}
        if i % 5 == 0:
            r["download_url"] = f"https://example.invalid/d/{i}"
        if i % 7 == 0:
            r["faces"] = [
                {"id": f"face_{i}", "person_id": "person_ann", "bounding_box": {"x": 1, "y": 2, "w": 30, "h": 40}, "thumbnail_url": "https://example.invalid/f"},
                {"id": f"face_{i}b", "person_id": None, "bounding_box": {"x": 5, "y": 5, "w": 10, "h": 10}, "timestamp_ms": 1200},
            ]
            r["people"] = [{"id": "person_ann", "name": "Ann", "birth_date": "1990-04-01", "thumbnail_face_url": "https://example.invalid/p"}]
        out.append(r)
    return out


@pytest.fixture
def rich(mem: photocat.Catalog) -> tuple[photocat.Catalog, list[dict[str, Any]], list[photocat.Asset]]:
    records = rich_records()
    assets = mem.add_assets(records)
    return mem, records, assets


def test_every_to_dict_is_a_strict_gumnut_asset_response(rich) -> None:  # type: ignore[no-untyped-def]
    cat, records, assets = rich
    for r, a in zip(records, assets):
        check_asset_dict(a.to_dict(), legacy_paths(r))
    for a in cat.iter_assets(state="all"):
        r = records[[x.id for x in assets].index(a.id)]
        check_asset_dict(a.to_dict(), legacy_paths(r))
    cat.trash_assets([assets[0].id])
    trashed = cat.get_asset(assets[0].id).to_dict()
    assert check_asset_dict(trashed, legacy_paths(records[0])).trashed_at is not None


def test_round_trip_of_a_gumnut_response(rich) -> None:  # type: ignore[no-untyped-def]
    cat, _, assets = rich
    d = assets[7].to_dict()
    other = photocat.Catalog.in_memory()
    [again] = other.add_assets([d])
    back = again.to_dict()
    # Every field comes back unchanged but the people's asset_count, which the catalogue
    # maintains (one asset here, five in the source catalogue).
    assert [p["asset_count"] for p in back["people"]] == [1]
    for p in back["people"] + d["people"]:
        del p["asset_count"]
    assert back == d


def test_legacy_keys_are_rejected_where_not_given(rich) -> None:  # type: ignore[no-untyped-def]
    _, _, assets = rich
    d = assets[5].to_dict()
    assert "download_url" in d
    assert undeclared_keys(AssetResponse, d, set()) == ["download_url"]
    d["surprise"] = 1
    with pytest.raises(AssertionError, match="surprise"):
        check_asset_dict(d, {"download_url"})


def test_a_record_without_checksum_is_documented_as_not_a_gumnut_response(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([{"local_datetime": "2024-01-01T00:00:00"}])
    assert a.to_dict()["checksum"] is None
    with pytest.raises(Exception, match="checksum"):
        check_asset_dict(a.to_dict())


class Handler(http.server.BaseHTTPRequestHandler):
    """`GET /api/assets` = cat.list_assets, `GET /api/albums/{id}/assets` = list_album_assets."""

    cat: photocat.Catalog
    requests = 0

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def send(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).requests += 1
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        one = {k: v[-1] for k, v in q.items()}
        try:
            if url.path == "/api/assets":
                kwargs: dict[str, Any] = {
                    k: one[k]
                    for k in ("library_id", "album_id", "person_id", "local_datetime_after", "local_datetime_before", "starting_after_id", "state")
                    if k in one
                }
                if "ids" in q:
                    kwargs["ids"] = q["ids"]
                if "limit" in one:
                    kwargs["limit"] = int(one["limit"])
                self.send(200, self.cat.list_assets(**kwargs).to_json())
            elif url.path.startswith("/api/albums/") and url.path.endswith("/assets"):
                album_id = url.path[len("/api/albums/"): -len("/assets")]
                assets = self.cat.list_album_assets(album_id)
                self.send(200, "[" + ",".join(a.to_json() for a in assets) + "]")
            else:
                self.send(404, json.dumps({"detail": "no such route"}))
        except photocat.NotFoundError as e:
            self.send(404, json.dumps({"detail": str(e)}))
        except (photocat.InvalidArgument, ValueError, TypeError) as e:
            self.send(422, json.dumps({"detail": str(e)}))


@pytest.fixture
def server(rich) -> Iterator[tuple[gumnut.Gumnut, photocat.Catalog, list[photocat.Asset]]]:  # type: ignore[no-untyped-def]
    cat, _, assets = rich
    handler = type("H", (Handler,), {"cat": cat})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    client = gumnut.Gumnut(
        api_key="x",
        base_url=f"http://127.0.0.1:{httpd.server_address[1]}",
        max_retries=0,
        _strict_response_validation=True,
    )
    try:
        yield client, cat, assets
    finally:
        client.close()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_gumnut_client_pages_through_every_filter_combination(server) -> None:  # type: ignore[no-untyped-def]
    client, cat, assets = server
    album = cat.create_album("Trip")
    cat.add_to_album(album.id, [a.id for a in assets[::2]])
    cat.trash_assets([assets[3].id, assets[4].id, assets[10].id])
    filters: dict[str, list[Optional[Any]]] = {
        "album_id": [None, album.id],
        "person_id": [None, "person_ann"],
        "ids": [None, [a.id for a in assets[:12]]],
        "local_datetime_after": [None, dt.datetime(2024, 2, 2, 9, 0), dt.datetime(2024, 2, 2, 9, 0, tzinfo=UTC)],
        "local_datetime_before": [None, "2024-02-05T00:00:00+01:00"],
        "state": [None, "trashed", "all"],
        "library_id": [None, assets[0].library_id],
    }
    combos = 0
    for values in itertools.product(*filters.values()):
        kwargs = {k: v for k, v in zip(filters, values) if v is not None}
        expected = [a.id for a in cat.iter_assets(**kwargs)]
        got = [a.id for a in client.assets.list(**kwargs, limit=4)]
        assert got == expected, kwargs
        combos += 1
    assert combos == 2 * 2 * 2 * 3 * 2 * 3 * 2
    # Sanity: some combinations are non-trivial.
    assert len([a.id for a in client.assets.list(limit=7)]) == 27


def test_gumnut_client_sees_each_asset_once_in_order_with_ties(server) -> None:  # type: ignore[no-untyped-def]
    client, cat, _ = server
    cat.add_assets([{"local_datetime": "2030-01-01T00:00:00", "checksum": checksum(f"tie {i}"), "id": f"asset_tie{i:02d}"} for i in range(25)])
    got = [a.id for a in client.assets.list(limit=3)]
    assert len(got) == len(set(got)) == 55
    assert got[:25] == [f"asset_tie{i:02d}" for i in range(24, -1, -1)]
    for item in client.assets.list(limit=200):
        assert isinstance(item, AssetResponse)


def test_gumnut_client_album_assets(server) -> None:  # type: ignore[no-untyped-def]
    client, cat, assets = server
    album = cat.create_album("A")
    cat.add_to_album(album.id, [assets[1].id, assets[2].id])
    got = client.get(f"/api/albums/{album.id}/assets", cast_to=list[AssetResponse])
    assert [a.id for a in got] == [a.id for a in cat.list_album_assets(album.id)]
    with pytest.raises(gumnut.NotFoundError):
        client.get("/api/albums/album_unknown/assets", cast_to=list[AssetResponse])


def test_gumnut_client_errors(server) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = server
    with pytest.raises(gumnut.NotFoundError):
        client.assets.list(album_id="album_unknown").data
    with pytest.raises(gumnut.NotFoundError):
        client.assets.list(starting_after_id="asset_unknown").data
    with pytest.raises(gumnut.UnprocessableEntityError):
        client.assets.list(limit=0).data
    with pytest.raises(gumnut.UnprocessableEntityError):
        client.assets.list(limit=201).data
    with pytest.raises(gumnut.UnprocessableEntityError):
        client.assets.list(state="LIVE").data  # type: ignore[arg-type]
    with pytest.raises(gumnut.UnprocessableEntityError):
        client.assets.list(local_datetime_after="not a date").data
    with pytest.raises(gumnut.UnprocessableEntityError):
        client.assets.list(ids=["x"] * 101).data
