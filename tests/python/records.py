"""Record builders shared by the tests (importable: tests/python is on pytest's pythonpath)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any


def checksum(seed: str) -> str:
    """A valid base64 SHA-256 derived from ``seed``."""
    return base64.b64encode(hashlib.sha256(seed.encode()).digest()).decode()


def checksum_sha1(seed: str) -> str:
    """A valid base64 SHA-1 derived from ``seed``."""
    return base64.b64encode(hashlib.sha1(seed.encode()).digest()).decode()


def record(i: int, **extra: Any) -> dict[str, Any]:
    """A plausible Gumnut-shaped record, distinct per ``i``."""
    r: dict[str, Any] = {
        "original_file_name": f"IMG_{i:04d}.jpg",
        "mime_type": "image/jpeg",
        "checksum": checksum(f"asset {i}"),
        "local_datetime": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+02:00",
        "width": 4000,
        "height": 3000,
        "file_size_bytes": 1_000_000 + i,
        "exif": {"make": "Canon", "model": "EOS R5", "iso": 100 + i, "f_number": 2.8},
    }
    r.update(extra)
    return r
