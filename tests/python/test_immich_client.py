"""The official Immich client (immich-python-sdk 1.134.0) reads photocat's answers to the legacy
``GET /asset`` (with its ETag and 304) and ``GET /assets/random``, served from a catalogue on
127.0.0.1 exactly as clients.md section 5 describes: ``DeprecatedApi.get_random`` for random
assets, and the SDK's own ``ApiClient`` (``param_serialize``/``call_api``/
``response_deserialize``) for ``GET /asset``, which the 1.134 SDK no longer wraps."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

import pytest

import photocat
from immich_check import check_immich
from records import checksum_sha1

im = pytest.importorskip("immich_python_sdk")

#: A route: (query, headers) -> (status, body bytes or None, extra headers).
Route = Callable[[dict[str, list[str]], Any], tuple[int, Optional[bytes], dict[str, str]]]
Log = list[tuple[str, dict[str, list[str]], dict[str, str]]]


def serve(routes: dict[str, Route]) -> tuple[ThreadingHTTPServer, str, Log]:
    """A loopback HTTP server on a free port answering GET ``routes``; returns (server, base
    URL, log of (path, query, headers))."""
    log: Log = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = parse_qs(url.query)
            log.append((url.path, q, dict(self.headers)))
            fn = routes.get(url.path)
            status, body, extra = fn(q, self.headers) if fn else (404, b'{"message":"no route"}', {})
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            if body is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body is not None:
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}", log


def boolean(q: dict[str, list[str]], name: str) -> Optional[bool]:
    """A boolean query parameter as the SDK writes it ("true"/"false"), or None."""
    if name not in q:
        return None
    return {"true": True, "false": False}[q[name][0]]


def integer(q: dict[str, list[str]], name: str) -> Optional[int]:
    return int(q[name][0]) if name in q else None


def legacy_all_route(cat: photocat.Catalog) -> Route:
    """Immich's legacy GET /asset: photocat's body as the 200 response, its ETag, 304 when the
    client's If-None-Match matches, 400 for a bad argument."""

    def route(q: dict[str, list[str]], headers: Any) -> tuple[int, Optional[bytes], dict[str, str]]:
        try:
            res = cat.get_all_assets(
                owner_id=q["userId"][0] if "userId" in q else None,
                is_favorite=boolean(q, "isFavorite"),
                is_archived=boolean(q, "isArchived"),
                skip=integer(q, "skip") or 0,
                take=integer(q, "take"),
                updated_after=q["updatedAfter"][0] if "updatedAfter" in q else None,
                updated_before=q["updatedBefore"][0] if "updatedBefore" in q else None,
                if_none_match=headers.get("If-None-Match"),
            )
        except ValueError as e:  # photocat.InvalidArgument
            return 400, json.dumps({"message": str(e)}).encode(), {}
        if res.not_modified:
            return 304, None, {"ETag": res.etag}
        return 200, res.body, {"ETag": res.etag}

    return route


def random_route(cat: photocat.Catalog) -> Route:
    def route(q: dict[str, list[str]], headers: Any) -> tuple[int, Optional[bytes], dict[str, str]]:
        try:
            count = integer(q, "count")
            got = cat.random_assets(count=1 if count is None else count)
        except ValueError as e:
            return 400, json.dumps({"message": str(e)}).encode(), {}
        return 200, ("[" + ",".join(a.to_immich_json() for a in got) + "]").encode(), {}

    return route


@pytest.fixture
def served() -> Iterator[tuple[str, photocat.Catalog, Log]]:
    """A catalogue of 10 assets (one favourite, one archived, one hidden, one trashed; two
    owners) served on 127.0.0.1."""
    with photocat.Catalog.in_memory() as cat:
        cat.create_library("Alice", id="lib_alice", owner_id="alice")
        cat.create_library("Bob", id="lib_bob", owner_id="bob")
        recs = [
            {
                "id": f"asset_{i}",
                "file_created_at": f"2024-05-{1 + i:02d}T10:00:00Z",
                "local_datetime": f"2024-05-{1 + i:02d}T12:00:00+02:00",
                "original_file_name": f"Été_{i}.jpg",
                "mime_type": "image/jpeg",
                "checksum_sha1": checksum_sha1(f"asset {i}"),
                "is_favorite": i == 2,
                "visibility": {3: "archive", 4: "hidden"}.get(i, "timeline"),
                "exif": {"make": "Canon", "iso": 100 + i, "f_number": 2.8},
            }
            for i in range(10)
        ]
        cat.add_assets(recs[:7], library_id="lib_alice")
        cat.add_assets(recs[7:], library_id="lib_bob")
        cat.trash_assets(["asset_5"])
        srv, base, log = serve({"/api/asset": legacy_all_route(cat), "/api/assets/random": random_route(cat)})
        try:
            yield base, cat, log
        finally:
            srv.shutdown()
            srv.server_close()


def get_all_assets(c: Any, if_none_match: Optional[str] = None, **query: Any) -> Any:
    """The legacy GET /asset through the SDK's own ApiClient: its auth, query encoding and
    List[AssetResponseDto] parsing."""
    headers = {"Accept": "application/json"}
    if if_none_match:
        headers["If-None-Match"] = if_none_match
    req = c.param_serialize(
        method="GET",
        resource_path="/asset",
        query_params=list(query.items()),
        header_params=headers,
        auth_settings=["api_key"],
    )
    resp = c.call_api(*req)
    resp.read()
    return c.response_deserialize(response_data=resp, response_types_map={"200": "List[AssetResponseDto]"})


def test_legacy_get_asset_with_etag(served: tuple[str, photocat.Catalog, Log]) -> None:
    base, cat, log = served
    cfg = im.Configuration(host=base + "/api", api_key={"api_key": "test-key"})
    with im.ApiClient(cfg) as c:
        r = get_all_assets(c)
        assert r.status_code == 200
        expected = cat.get_all_assets()
        assert [a.id for a in r.data] == [a.id for a in expected.assets]
        assert len(r.data) == 9  # the hidden asset is left out, the trashed one is in
        assert all(isinstance(a, im.AssetResponseDto) for a in r.data)
        assert {a.id: a.is_trashed for a in r.data}["asset_5"] is True
        assert r.headers["ETag"] == expected.etag
        # Each asset validates strictly, and the SDK parsed what photocat wrote.
        for a, d in zip(r.data, json.loads(expected.body)):
            assert check_immich(d) == a

        # Paging with skip/take, and filters, as the SDK encodes them.
        page = get_all_assets(c, skip=2, take=3)
        assert [a.id for a in page.data] == [a.id for a in expected.assets][2:5]
        favs = get_all_assets(c, isFavorite=True, userId="alice")
        assert [a.id for a in favs.data] == ["asset_2"]
        bob = get_all_assets(c, userId="bob", isArchived=False)
        assert [a.id for a in bob.data] == ["asset_9", "asset_8", "asset_7"]

        # If-None-Match with the ETag: the SDK raises on the 304, which carries the ETag.
        for header in [r.headers["ETag"], "W/" + r.headers["ETag"], '"other", ' + r.headers["ETag"], "*"]:
            with pytest.raises(im.ApiException) as e:
                get_all_assets(c, if_none_match=header)
            assert e.value.status == 304
            assert e.value.headers["ETag"] == expected.etag
        assert get_all_assets(c, if_none_match='"other"').status_code == 200
        # A page has its own ETag: the full list's does not match it.
        p2 = get_all_assets(c, skip=2, take=3, if_none_match=r.headers["ETag"])
        assert p2.status_code == 200 and p2.headers["ETag"] != r.headers["ETag"]
        with pytest.raises(im.ApiException) as e:
            get_all_assets(c, skip=2, take=3, if_none_match=p2.headers["ETag"])
        assert e.value.status == 304

        # A change moves the ETag: the cached one no longer matches.
        cat.update_asset("asset_0", is_favorite=True)
        again = get_all_assets(c, if_none_match=r.headers["ETag"])
        assert again.status_code == 200 and again.headers["ETag"] != r.headers["ETag"]
        assert {a.id: a.is_favorite for a in again.data}["asset_0"] is True

        # A bad argument is a 400 from the route (photocat.InvalidArgument).
        with pytest.raises(im.ApiException) as e:
            get_all_assets(c, skip=-1)
        assert e.value.status == 400 and "skip must be 0 or more" in str(e.value.body)
    assert all(p == "/api/asset" for p, _, _ in log)
    assert all(h.get("x-api-key") == "test-key" for _, _, h in log)
    assert log[1][1] == {"skip": ["2"], "take": ["3"]}


def test_random_through_the_deprecated_api(served: tuple[str, photocat.Catalog, Log]) -> None:
    base, cat, log = served
    cfg = im.Configuration(host=base + "/api", api_key={"api_key": "test-key"})
    eligible = {f"asset_{i}" for i in range(10)} - {"asset_4", "asset_5"}  # not hidden, not trashed
    with im.ApiClient(cfg) as c:
        api = im.DeprecatedApi(c)
        with pytest.warns(DeprecationWarning):
            got = api.get_random(count=2)  # GET /api/assets/random?count=2
        assert len(got) == 2 and len({a.id for a in got}) == 2
        assert all(isinstance(a, im.AssetResponseDto) for a in got)
        assert {a.id for a in got} <= eligible
        for a in got:
            assert check_immich(cat.get_asset(a.id).to_immich_dict()) == a
        with pytest.warns(DeprecationWarning):
            everything = api.get_random(count=100)
        assert {a.id for a in everything} == eligible
        with pytest.warns(DeprecationWarning):
            assert len(api.get_random()) == 1
        # The SDK itself refuses count=0 (ge=1); the route answers 400 with photocat's message.
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(base + "/api/assets/random?count=0")
        with e.value:  # an HTTPError is also the response: close it
            assert e.value.code == 400 and "count" in e.value.read().decode()
    assert [q for p, q, _ in log] == [{"count": ["2"]}, {"count": ["100"]}, {}, {"count": ["0"]}]
    assert all(p == "/api/assets/random" for p, _, _ in log)
