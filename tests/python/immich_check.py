"""Checks a dict against the official Immich client's model (immich-python-sdk==1.134.0,
``AssetResponseDto``) as strictly as docs shared/reference/clients.md section 4 describes: the
SDK's own ``from_dict``; pydantic strict mode on the JSON text (no coercion, every required key
present, even the nullable ones that ``from_dict`` would read as null); a walk that rejects keys
the models do not declare (``from_dict`` drops them silently) and, unless allowed, optional keys
that are absent; no naive datetimes (the SDK's datetime fields accept them, Immich's server never
writes them); and the round trip through the SDK's ``to_dict``."""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Callable
from typing import Any

import pydantic
from immich_python_sdk.models import AssetResponseDto


def _models_and_lists(annotation: Any) -> list[Any]:
    """The model classes and list/dict annotations inside an Optional/Union annotation."""
    out = []
    for a in typing.get_args(annotation):
        if (isinstance(a, type) and issubclass(a, pydantic.BaseModel)) or typing.get_origin(a) in (list, dict):
            out.append(a)
    return out


def key_problems(annotation: Any, value: Any, path: str = "$") -> list[str]:
    """Keys of ``value`` that the model does not declare (by alias), and declared keys that are
    absent (``missing required`` or ``missing optional``), recursively."""
    if value is None:
        return []
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    errs: list[str] = []
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        if not isinstance(value, dict):
            return []  # a wrong type: pydantic reports it
        fields = {(f.alias or n): f for n, f in annotation.model_fields.items()}
        errs += [f"{path}.{k}: not a field of {annotation.__name__}" for k in value if k not in fields]
        for k, f in fields.items():
            if k not in value:
                errs.append(f"{path}.{k}: missing {'required' if f.is_required() else 'optional'} key")
            else:
                errs += key_problems(f.annotation, value[k], f"{path}.{k}")
    elif origin is list and isinstance(value, list):
        for i, v in enumerate(value):
            errs += key_problems(args[0], v, f"{path}[{i}]")
    elif origin is dict and isinstance(value, dict):
        for k, v in value.items():
            errs += key_problems(args[1], v, f"{path}[{k!r}]")
    else:
        for a in _models_and_lists(annotation):
            errs += key_problems(a, value, path)
    return errs


def naive_datetimes(model: Any, path: str = "$") -> list[str]:
    """Every datetime of a parsed model that has no offset."""
    errs: list[str] = []
    if isinstance(model, pydantic.BaseModel):
        for name in type(model).model_fields:
            v = getattr(model, name)
            if isinstance(v, dt.datetime) and v.tzinfo is None:
                errs.append(f"{path}.{name}: naive datetime {v.isoformat()}")
            errs += naive_datetimes(v, f"{path}.{name}")
    elif isinstance(model, list):
        for i, v in enumerate(model):
            errs += naive_datetimes(v, f"{path}[{i}]")
    return errs


#: Optional keys photocat never writes (docs/design.md, "Immich view"): the owner's user object
#: and the colours of people and tags (not in the record).
NEVER_WRITTEN = ("$.owner", ".color")


def check_immich(asset: dict[str, Any], *, allow_missing: Callable[[str], bool] | None = None) -> AssetResponseDto:
    """Raise unless ``asset`` is a valid ``AssetResponseDto`` of immich-python-sdk 1.134.0 with
    every declared key present except those photocat never writes (and those ``allow_missing``
    accepts, by path); return the parsed model."""
    # 1. The SDK's own parser (what ApiClient.deserialize calls for every response).
    m = AssetResponseDto.from_dict(asset)
    assert m is not None
    # 2. Pydantic strict mode on the JSON text: no coercion, required keys present.
    AssetResponseDto.model_validate_json(json.dumps(asset), strict=True)
    # 3. No unknown key anywhere; every optional key present unless photocat never writes it.
    errs = []
    for e in key_problems(AssetResponseDto, asset):
        where = e.split(":")[0]
        if "missing optional" in e and (
            where == NEVER_WRITTEN[0] or where.endswith(NEVER_WRITTEN[1]) or (allow_missing is not None and allow_missing(where))
        ):
            continue
        errs.append(e)
    # 4. Immich's server writes every instant with Z: no naive datetimes.
    errs += naive_datetimes(m)
    if errs:
        raise ValueError("not an immich AssetResponseDto:\n  " + "\n  ".join(errs))
    # 5. The round trip through the SDK's own serializer (to_dict gives datetime objects, so
    #    models are compared, not dicts).
    back = AssetResponseDto.from_dict(m.to_dict())
    assert back == m, "to_dict()/from_dict() round trip differs"
    return m
