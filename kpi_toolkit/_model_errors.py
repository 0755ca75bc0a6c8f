"""Pydantic's validation errors as readable problems (used by :mod:`kpi_toolkit.loader`).

Each error item becomes a :class:`~kpi_toolkit.errors.Problem` whose ``where`` is the key path
in the file as written (``positions.clerk.kpis[1].rule.kind``: pydantic's own location also
names union members and validators), with the bad value, what is allowed and, for an unknown
key or value, the nearest allowed one.
"""

from __future__ import annotations

import re
import types
import typing
from collections import abc
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem, did_you_mean

__all__ = ["key_path", "validation_problems"]

_SIMPLE = {float: "a number", int: "a whole number", str: "text", bool: "true or false"}


def key_path(parts: Sequence[Any]) -> str:
    """``("positions", "manager", "kpis", 2)`` → ``positions.manager.kpis[2]``.

    Examples
    --------
    >>> key_path(("positions", "manager", "kpis", 2, "rule"))
    'positions.manager.kpis[2].rule'
    """
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validation_problems(
    error: ValidationError, data: Any, *, model: type[BaseModel]
) -> list[Problem]:
    """One problem per error item, each at the key path of the data that ``model`` read."""
    problems = []
    for item in error.errors():
        path, owner = _walk(item["loc"], data, model)
        problems.append(_problem(item, path, owner))
    return problems


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _problem(item: Any, path: tuple, model: type[BaseModel] | None) -> Problem:
    kind, ctx = item["type"], item.get("ctx", {})
    where = key_path(path) or "(top level)"
    value = item.get("input")
    value = None if isinstance(value, dict | list) else _shortened(value)
    if kind == "extra_forbidden":
        key, fields = (path[-1] if path else "?"), _field_names(model)
        return Problem(where, f"unknown key{did_you_mean(key, fields)}", key, ", ".join(fields))
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _union_tag(item, path)
    if kind == "missing":
        allowed = _annotation_text(model, path[-1]) if path else None
        return Problem(where, "required key is missing", None, allowed)
    if kind in ("literal_error", "enum"):
        choices = _quoted(ctx.get("expected", ""))
        message = f"not an allowed value{did_you_mean(value, choices)}"
        return Problem(where, message, value, ", ".join(choices))
    message = str(item["msg"]).removeprefix("Value error, ")
    return Problem(where, message, value, ctx.get("expected"))


def _shortened(value: Any, limit: int = 200) -> Any:
    """A long text cut to ``limit`` characters (a problem names a value, it does not copy it).

    Examples
    --------
    >>> _shortened("x" * 300, limit=10)
    'xxxxxxxxxx… (300 characters)'
    """
    if not isinstance(value, str) or len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value)} characters)"


def _union_tag(item: Any, path: tuple) -> Problem:
    """A discriminated union (a rule's ``kind``): an unknown or missing tag."""
    ctx = item.get("ctx", {})
    tag_key = (_quoted(ctx.get("discriminator", "")) or ["kind"])[0]
    owner = f"{path[-1]} {tag_key}" if path and isinstance(path[-1], str) else tag_key
    where = key_path((*path, tag_key))
    tags = _quoted(ctx.get("expected_tags", ""))
    if item["type"] == "union_tag_not_found":
        return Problem(where, "required key is missing", None, ", ".join(tags) or None)
    tag = ctx.get("tag")
    return Problem(where, f"unknown {owner}{did_you_mean(tag, tags)}", tag, ", ".join(tags))


def _field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _annotation_text(model: type[BaseModel] | None, name: Any) -> str | None:
    field = model.model_fields.get(str(name)) if model else None
    if field is None:
        return None
    annotation = field.annotation
    if annotation in _SIMPLE:
        return _SIMPLE[annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return ", ".join(str(a) for a in typing.get_args(annotation))
    return str(annotation).replace("typing.", "")


def _walk(loc: tuple, data: Any, model: type[BaseModel]) -> tuple[tuple, type[BaseModel] | None]:
    """Follow pydantic's ``loc`` through the data, dropping what is not a key of it (union
    members, validators, a discriminated union's tag); return the key path and the model
    that owns its last key."""
    path: list[Any] = []
    node, current, owner = data, model, model
    tag = None  # the tag pydantic puts after a discriminated union's field
    for step, part in enumerate(loc):
        expected, tag = tag, None
        if expected is not None and part == expected:
            continue
        last = step == len(loc) - 1
        is_key = isinstance(node, dict) and (part in node or last)
        is_index = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not (is_key or is_index):
            continue
        path.append(part)
        owner = current
        child = node.get(part) if is_key else node[part]
        current, tag = _child_model(current, part, child)
        node = child
    return tuple(path), owner if isinstance(owner, type) else None


def _child_model(current: Any, part: Any, value: Any) -> tuple[Any, Any]:
    """The model (or container marker) one step below ``current``, and the union tag that
    pydantic's location will name next when that step is a discriminated union."""
    if isinstance(current, tuple):  # inside a container: the item's type
        return current[1], None
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return None, None
    field = current.model_fields.get(str(part)) or next(
        (f for f in current.model_fields.values() if f.alias == part), None
    )
    if field is None:
        return None, None
    discriminator = field.discriminator if isinstance(field.discriminator, str) else None
    tag = value.get(discriminator) if discriminator and isinstance(value, dict) else None
    return _model_of(field.annotation, value, discriminator), tag


def _model_of(annotation: Any, value: Any, discriminator: str | None = None) -> Any:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _model_of(args[0], value, discriminator)
    if origin in (typing.Union, types.UnionType):
        models = [m for m in (_model_of(a, value) for a in args if a is not type(None)) if m]
        chosen = [m for m in models if _tagged(m, value, discriminator)]
        return (chosen or models or [None])[0]
    if isinstance(origin, type) and issubclass(origin, abc.Mapping | abc.Sequence):
        if not args:
            return ("container", None)
        return (
            "container",
            _model_of(args[-1] if issubclass(origin, abc.Mapping) else args[0], None),
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _tagged(model: Any, value: Any, discriminator: str | None) -> bool:
    """Whether ``value``'s tag selects ``model`` of a discriminated union."""
    if not (discriminator and isinstance(value, dict)):
        return False
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return False
    field = model.model_fields.get(discriminator)
    return field is not None and value.get(discriminator) in typing.get_args(field.annotation)
