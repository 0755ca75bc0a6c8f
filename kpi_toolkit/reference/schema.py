"""The JSON Schema of each YAML kind, built from its pydantic model and the table of meanings.

Types, defaults, bounds and required keys are the model's own
(``model_json_schema()``); :data:`~kpi_toolkit.reference.meanings.MEANINGS` adds a
description and an example to every key. What a model accepts beyond its fields — a
shorthand its ``mode="before"`` validator expands (a plain string for a name, a number for a
parameter), a scheme's ``{param: NAME}`` for any number — is added here, from
:data:`SHORTHANDS`, so that every built-in file validates.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from typing import Any

from .kinds import KINDS
from .meanings import MEANINGS

__all__ = ["DRAFT", "PARAMETER_REF", "SHORTHANDS", "json_schema", "model_names", "schema_text"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
PARAMETER_REF = "ParameterRef"  # a scheme's {param: NAME}, standing for any number
_ANNOTATIONS = ("title", "description", "default", "examples")

# A model's other spelling, expanded by its ``mode="before"`` validator: model → the schema
# of that spelling (tests/test_reference.py checks that the model accepts each example).
SHORTHANDS: dict[str, dict[str, Any]] = {
    "Names": {"type": "string", "description": "the Chinese name alone", "examples": ["经理"]},
    "FieldSpec": {
        "type": "string",
        "description": "the source header alone (its `column`)",
        "examples": ["工单号"],
    },
    "Parameter": {
        "type": ["number", "null"],
        "description": "the value alone (null: still blank)",
        "examples": [0.95],
    },
}
# Keys a validator accepts more values for: (model, key, sub-key) → the extra value's schema.
_EXTRA_VALUES: dict[tuple[str, str, str], dict[str, Any]] = {
    ("Position", "raters", "self"): {
        "const": "shown",
        "description": "the self-appraisal shown beside the others, not counted",
    },
}
# Keys whose allowed values a validator checks against a registry: (model, key) → registry.
_REGISTRIES: dict[tuple[str, str], str] = {
    ("MetricSpec", "kind"): "kpi_toolkit.records.metric_sets:KINDS",
}
_PARAMETER_KINDS = ("scheme", "scenario")
# JSON Schema's "time" is RFC 3339's full time with a zone; the models read 09:00 as well.
_TIME = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a YAML kind: ``scheme``, ``source``, ``metrics``,
    ``bundle``, ``calendar`` or ``scenario``.

    Examples
    --------
    >>> schema = json_schema("bundle")
    >>> schema["required"], schema["properties"]["sources"]["items"]
    (['name', 'metrics', 'sources'], {'$ref': '#/$defs/BundleSource'})
    """
    spec = KINDS[kind]
    model = spec.model_class()
    raw = model.model_json_schema(mode="validation", by_alias=True)
    defs: dict[str, Any] = raw.pop("$defs", {})
    for name, node in {model.__name__: raw, **defs}.items():
        if "description" in node:
            node["description"] = _plain_text(node["description"])
        _describe_keys(name, node)
        _registries(name, node)
        _times(node)
    for (owner, key, sub), extra in _EXTRA_VALUES.items():
        _extra_value(defs.get(owner), key, sub, extra)
    defs = {name: _shorthand(name, node) for name, node in defs.items()}
    if kind in _PARAMETER_KINDS:
        defs = {n: d if n == "Parameter" else _numbers_or_parameter(d) for n, d in defs.items()}
        raw = _numbers_or_parameter(raw)
        defs[PARAMETER_REF] = _parameter_ref()
    head = {"$schema": DRAFT, "title": spec.title, "description": _first_paragraph(raw)}
    return {**raw, **head, "$defs": dict(sorted(defs.items()))}


def schema_text(kind: str) -> str:
    """:func:`json_schema` as written to files and printed: keys sorted, indent 2, UTF-8."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def model_names(kind: str) -> dict[str, set[str]]:
    """Every model a kind reaches (its class name) → the keys the model reads, as
    spelled in YAML (aliases), the loader's own included."""
    model = KINDS[kind].model_class()
    raw = model.model_json_schema(mode="validation", by_alias=True)
    nodes = {model.__name__: raw, **raw.get("$defs", {})}
    return {name: set(node.get("properties", {})) for name, node in nodes.items()}


def _describe_keys(model: str, node: dict[str, Any]) -> None:
    """Each key's description and example from the table; the loader's keys removed."""
    meanings = MEANINGS.get(model, {})
    missing = sorted(set(node.get("properties", {})) - set(meanings))
    if missing:
        raise KeyError(f"no meaning for {model}: {', '.join(missing)} (reference/meanings.py)")
    properties = node.get("properties", {})
    for key in list(properties):
        meaning = meanings[key]
        if meaning.internal:
            del properties[key]
            node["required"] = [k for k in node.get("required", []) if k != key]
            continue
        properties[key].pop("title", None)
        properties[key]["description"] = meaning.text
        if meaning.example is not None:
            properties[key]["examples"] = [meaning.example]
    if not node.get("required", True):
        del node["required"]


def _registries(model: str, node: dict[str, Any]) -> None:
    for (name, key), where in _REGISTRIES.items():
        if name == model:
            module, _, attribute = where.partition(":")
            registry = getattr(importlib.import_module(module), attribute)
            node["properties"][key]["enum"] = list(registry)


def _times(node: dict[str, Any]) -> None:
    for value in node.get("properties", {}).values():
        if value.get("format") == "time":
            del value["format"]
            value.update(_TIME)


def _extra_value(node: dict[str, Any] | None, key: str, sub: str, extra: dict) -> None:
    if node is None:
        return
    mapping = node["properties"][key]
    usual = copy.deepcopy(mapping["additionalProperties"])
    mapping.setdefault("properties", {})[sub] = {"anyOf": [usual, extra]}


def _shorthand(name: str, node: dict[str, Any]) -> dict[str, Any]:
    """A model also written as its shorthand: ``anyOf`` [the mapping, the shorthand]."""
    if name not in SHORTHANDS:
        return node
    head: dict[str, Any] = {k: node.pop(k) for k in ("title", "description") if k in node}
    return {**head, "anyOf": [node, SHORTHANDS[name]]}


def _numbers_or_parameter(node: Any) -> Any:
    """Every number of a scheme may be written ``{param: NAME}`` (a declared parameter)."""
    if isinstance(node, list):
        return [_numbers_or_parameter(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") in ("number", "integer"):
        head = {k: node[k] for k in _ANNOTATIONS if k in node}
        rest = {k: v for k, v in node.items() if k not in _ANNOTATIONS}
        return {**head, "anyOf": [rest, {"$ref": f"#/$defs/{PARAMETER_REF}"}]}
    return {k: v if k in _ANNOTATIONS else _numbers_or_parameter(v) for k, v in node.items()}


def _parameter_ref() -> dict[str, Any]:
    return {
        "title": PARAMETER_REF,
        "description": "a number given by a parameter the scheme declares under `parameters`",
        "type": "object",
        "properties": {
            "param": {
                "type": "string",
                "description": "the parameter's name",
                "examples": ["complaint_max"],
            }
        },
        "required": ["param"],
        "additionalProperties": False,
        "examples": [{"param": "complaint_max"}],
    }


def _first_paragraph(node: dict[str, Any]) -> str:
    return node.get("description", "").split("\n\n")[0]


def _plain_text(docstring: str) -> str:
    """A model's docstring as a reader sees it: Markdown code, no Sphinx roles, one line
    per paragraph."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", docstring).replace("``", "`")
    return "\n\n".join(" ".join(part.split()) for part in text.split("\n\n"))
