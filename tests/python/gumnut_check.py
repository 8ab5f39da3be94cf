"""Checks a dict against the official Gumnut client's models (gumnut-sdk==0.80.0): strict
pydantic validation of the JSON, plus a walk that rejects keys the models do not declare (the
models themselves accept extras silently). The four older URL fields are allowed only where the
record was given them."""

from __future__ import annotations

import json
import typing
from typing import Any, Optional

import pydantic
from gumnut.types import AssetResponse

LEGACY = {
    "AssetResponse": {"download_url", "thumbnail_url"},
    "FaceResponse": {"thumbnail_url"},
    "PersonResponse": {"thumbnail_face_url"},
}


def _models_in(annotation: Any) -> list[type[pydantic.BaseModel]]:
    """The pydantic model classes inside an annotation (Optional, List, Dict values)."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    out: list[type[pydantic.BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += _models_in(arg)
    return out


def undeclared_keys(model: type[pydantic.BaseModel], value: Any, given: Optional[set[str]] = None, path: str = "") -> list[str]:
    """Every key of ``value`` (recursively) that ``model`` does not declare."""
    if isinstance(value, list):
        return [k for i, v in enumerate(value) for k in undeclared_keys(model, v, given, f"{path}[{i}]")]
    if not isinstance(value, dict):
        return []
    bad = []
    fields = model.model_fields
    legacy = LEGACY.get(model.__name__, set())
    for key, v in value.items():
        if key not in fields:
            if key in legacy and given is not None and f"{path}.{key}".lstrip(".") in given:
                continue
            bad.append(f"{path}.{key}".lstrip("."))
            continue
        annotation = fields[key].annotation
        models = _models_in(annotation)
        origin = typing.get_origin(annotation)
        if models and isinstance(v, dict) and (origin is dict or any(typing.get_origin(a) is dict for a in typing.get_args(annotation))):
            for k2, v2 in v.items():
                bad += undeclared_keys(models[0], v2, given, f"{path}.{key}.{k2}".lstrip("."))
        elif models:
            bad += undeclared_keys(models[0], v, given, f"{path}.{key}".lstrip("."))
    return bad


def legacy_paths(record: dict[str, Any]) -> set[str]:
    """The paths of the older URL fields a record was given (so their echo is allowed)."""
    out = {k for k in ("download_url", "thumbnail_url") if record.get(k) is not None}
    for i, f in enumerate(record.get("faces") or []):
        if f.get("thumbnail_url") is not None:
            out.add(f"faces[{i}].thumbnail_url")
    for i, p in enumerate(record.get("people") or []):
        if p.get("thumbnail_face_url") is not None:
            out.add(f"people[{i}].thumbnail_face_url")
    return out


def check_asset_dict(d: dict[str, Any], given: Optional[set[str]] = None) -> AssetResponse:
    """Validates ``d`` as a Gumnut ``AssetResponse`` (strict) and rejects undeclared keys."""
    model = AssetResponse.model_validate_json(json.dumps(d), strict=True)
    bad = undeclared_keys(AssetResponse, d, given or set())
    assert not bad, f"keys gumnut-sdk's AssetResponse does not declare: {bad}"
    return model
