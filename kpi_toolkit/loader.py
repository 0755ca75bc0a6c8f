"""Reading YAML files with the line of every key, so errors can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

__all__ = ["read_yaml"]


def read_yaml(path: str | Path) -> tuple[Any, dict[tuple, int]]:
    """Parse a YAML file; return its data and a map from key path to line number.

    Raises
    ------
    InputError
        If the file is missing, not UTF-8 or not valid YAML (with the line and column).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Problem(where=str(file), message="file not found")) from None
    except UnicodeDecodeError as error:
        raise InputError(
            Problem(where=str(file), message=f"not UTF-8 text ({error.reason})", allowed="UTF-8")
        ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(
            Problem(where=where, message=f"YAML syntax error: {problem}", file=str(file))
        ) from None
    lines: dict[tuple, int] = {}
    if node is not None:
        _index(node, (), lines)
    return data, lines


def _index(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            lines[child] = key.start_mark.line + 1
            _index(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)
