"""Catalog.check_checksums (API.md §7, Immich's bulk upload check): spellings, owners, trash,
hidden assets, bad inputs, the ChecksumMatch class, and a hypothesis check against a model."""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass
from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import photocat


def sha1(data: bytes) -> bytes:
    return hashlib.sha1(data).digest()


def b64(d: bytes) -> str:
    return base64.b64encode(d).decode()


HELLO = sha1(b"hello")


def test_every_spelling_matches_and_is_echoed(mem: photocat.Catalog) -> None:
    [a] = mem.add_assets([{"checksum_sha1": b64(HELLO)}])
    spellings = [b64(HELLO), HELLO.hex(), HELLO.hex().upper()]
    found = mem.check_checksums(spellings)
    assert [m.checksum for m in found] == spellings
    assert [m.asset_id for m in found] == [a.id] * 3
    assert [m.is_trashed for m in found] == [False] * 3
    # Any iterable of strings, including a generator and a tuple.
    assert mem.check_checksums(s for s in spellings) == found
    assert mem.check_checksums(tuple(spellings)) == found
    assert mem.check_checksums([]) == []


def test_unknown_trashed_hidden_and_deleted(mem: photocat.Catalog) -> None:
    a, b = mem.add_assets([
        {"checksum_sha1": b64(sha1(b"a")), "visibility": "hidden"},
        {"checksum_sha1": b64(sha1(b"b")), "visibility": "locked"},
    ])
    mem.trash_assets([b.id])
    found = mem.check_checksums([b64(sha1(b"a")), b64(sha1(b"b")), b64(sha1(b"c"))])
    assert [(m.asset_id, m.is_trashed) for m in found] == [(a.id, False), (b.id, True), (None, False)]
    mem.delete_assets([b.id])
    assert mem.check_checksums([sha1(b"b").hex()])[0].asset_id is None


def test_owners_across_libraries(mem: photocat.Catalog) -> None:
    mem.create_library("Alice", id="lib_alice", owner_id="alice")
    mem.create_library("Shared", id="lib_shared")
    [a] = mem.add_assets([{"checksum_sha1": b64(HELLO)}], library_id="lib_alice")
    [b] = mem.add_assets([{"checksum_sha1": b64(HELLO), "owner_id": "bob"}], library_id="lib_shared")
    s = HELLO.hex()
    assert mem.check_checksums([s], owner_id="alice")[0].asset_id == a.id
    assert mem.check_checksums([s], owner_id="bob")[0].asset_id == b.id
    assert mem.check_checksums([s], owner_id="carol")[0].asset_id is None
    # None: any owner; the live copy first, then the one added first.
    assert mem.check_checksums([s])[0].asset_id == a.id
    mem.trash_assets([a.id])
    assert mem.check_checksums([s])[0].asset_id == b.id
    assert mem.check_checksums([s], owner_id="alice")[0].is_trashed
    assert mem.check_checksums([s], None)[0] == mem.check_checksums([s], owner_id=None)[0]


def test_bad_checksums(mem: photocat.Catalog) -> None:
    ok = b64(HELLO)
    with pytest.raises(photocat.InvalidArgument) as e:
        mem.check_checksums([ok, ok, ok, ok[:27]])
    assert str(e.value) == (
        "checksums[3]: a SHA-1 checksum is 28 characters of base64 or 40 hex digits, got 27 characters"
    )
    with pytest.raises(ValueError, match=r"checksums\[0\]: .* got 40 characters that are not all hex digits"):
        mem.check_checksums(["z" * 40])
    with pytest.raises(ValueError, match=r"not the base64 of 20 bytes"):
        mem.check_checksums(["A" * 28])
    with pytest.raises(TypeError, match="checksums must be a list of checksums, got a single str"):
        mem.check_checksums(ok)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="checksums must hold checksum strings, got bytes"):
        mem.check_checksums([HELLO])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        mem.check_checksums([ok], owner_id=3)  # type: ignore[arg-type]


def test_checksum_match_is_a_value() -> None:
    with photocat.Catalog.in_memory() as cat:
        [a] = cat.add_assets([{"checksum_sha1": b64(HELLO)}])
        [m, n] = cat.check_checksums([b64(HELLO), HELLO.hex()])
        [m2] = cat.check_checksums([b64(HELLO)])
    assert m == m2 and hash(m) == hash(m2) and m != n
    assert len({m, m2, n}) == 2
    assert repr(m) == f"ChecksumMatch(checksum={b64(HELLO)!r}, asset_id={a.id!r}, is_trashed=False)"
    assert isinstance(m, photocat.ChecksumMatch)
    assert m != (m.checksum, m.asset_id, m.is_trashed)
    with pytest.raises(AttributeError):
        m.asset_id = "x"  # type: ignore[misc]


def test_the_call_releases_the_interpreter(mem: photocat.Catalog) -> None:
    mem.add_assets([{"checksum_sha1": b64(sha1(bytes([i])))} for i in range(200)])
    sums = [sha1(bytes([i % 256])).hex() for i in range(20_000)]
    results: list[int] = []

    def work() -> None:
        results.append(sum(m.asset_id is not None for m in mem.check_checksums(sums)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [sum(1 for i in range(20_000) if i % 256 < 200)] * 4


# --- hypothesis: random catalogues against a model --------------------------------------------

LIBS = [("lib_a", None), ("lib_b", None), ("lib_c", "alice")]
OWNERS = [None, "alice", "bob"]
SUMS = [sha1(bytes([i])) for i in range(4)]


@dataclass
class M:
    id: str
    owner: Optional[str]
    sum: int
    library: str
    trashed: bool = False


def expected(model: list[M], s: int, owner: Optional[str]) -> tuple[Optional[str], bool]:
    hits = [m for m in model if m.sum == s and (owner is None or m.owner == owner)]
    live = [m for m in hits if not m.trashed]
    best = live[0] if live else (hits[0] if hits else None)
    return (best.id, best.trashed) if best else (None, False)


op = st.one_of(
    st.tuples(st.just("add"), st.integers(0, len(LIBS) - 1), st.integers(0, len(OWNERS) - 1), st.integers(0, len(SUMS) - 1)),
    st.tuples(st.sampled_from(["trash", "restore", "delete"]), st.integers(0, 1000), st.just(0), st.just(0)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=st.lists(op, max_size=25),
    queries=st.lists(st.tuples(st.integers(0, len(SUMS) - 1), st.integers(0, 2)), max_size=8),
    owner=st.sampled_from([None, "alice", "bob", "nobody"]),
)
def test_matches_a_model(ops: list[tuple[str, int, int, int]], queries: list[tuple[int, int]], owner: Optional[str]) -> None:
    with photocat.Catalog.in_memory() as cat:
        for lib, lib_owner in LIBS:
            cat.create_library(lib, id=lib, owner_id=lib_owner)
        model: list[M] = []
        for n, (kind, x, o, s) in enumerate(ops):
            if kind == "add":
                lib, lib_owner = LIBS[x]
                asset_owner = OWNERS[o] or lib_owner
                if lib_owner is not None and asset_owner != lib_owner:
                    continue
                if any(m.library == lib and m.owner == asset_owner and m.sum == s for m in model):
                    continue  # the catalogue refuses a checksum twice in (library, owner)
                cat.add_assets([{"id": f"a{n}", "owner_id": OWNERS[o], "checksum_sha1": b64(SUMS[s])}], library_id=lib)
                model.append(M(f"a{n}", asset_owner, s, lib))
            elif model:
                i = x % len(model)
                if kind == "trash":
                    cat.trash_assets([model[i].id])
                    model[i].trashed = True
                elif kind == "restore":
                    cat.restore_assets([model[i].id])
                    model[i].trashed = False
                else:
                    cat.delete_assets([model[i].id])
                    del model[i]
        spelled = [[b64, bytes.hex, lambda d: d.hex().upper()][how](SUMS[s]) for s, how in queries]
        found = cat.check_checksums(spelled, owner_id=owner)
        assert [m.checksum for m in found] == spelled
        assert [(m.asset_id, m.is_trashed) for m in found] == [expected(model, s, owner) for s, _ in queries]
