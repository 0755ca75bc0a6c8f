"""The YAML reader behind :mod:`kpi_toolkit.loader`: PyYAML's safe loader under limits.

Composition counts aliases, nesting, and the size and depth each node would have once its
aliases were expanded (children first, so the count is exact and costs one addition per
node): a file past a limit is refused at that node, before anything is expanded. Building
makes the Python data from the node tree, sharing aliased objects as PyYAML does, and
collects duplicate keys, tags that are not plain YAML and values that cannot be read as
problems, each with its key path and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from ._model_errors import key_path
from .errors import Problem

__all__ = ["ALLOWED_TAGS", "LIMITS", "KeyPath", "Limits", "compose"]

KeyPath = tuple[str | int, ...]
_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
ALLOWED_TAGS = frozenset(_YAML + name for name in (*_PLAIN_TAGS, "merge"))
_TAGS_TEXT = "no tag, or one of " + " ".join(f"!!{name}" for name in _PLAIN_TAGS)


@dataclass(frozen=True)
class Limits:
    """What a YAML file of the toolkit may hold (the largest built-in one is ~9 KB)."""

    max_bytes: int = 1_048_576
    max_depth: int = 32
    max_aliases: int = 100
    max_nodes: int = 100_000  # nodes once every alias is expanded


LIMITS = Limits()


def compose(
    text: str, *, limits: Limits = LIMITS, file: str | None = None
) -> tuple[Any, dict[KeyPath, int], list[Problem]]:
    """The data of ``text``, the line of every key path, and every problem found.

    The data is ``None`` when the text is refused (a limit, a syntax error); with any
    problem it must not be used.
    """
    try:
        reader = Reader(text, limits=limits, file=file)  # refuses characters YAML does not allow
    except yaml.reader.ReaderError as unreadable:
        return None, {}, [_character_problem(unreadable, text, file)]
    try:
        node = reader.get_single_node()
    except Refused as refusal:
        return None, {}, [refusal.problem]
    except yaml.MarkedYAMLError as syntax:
        return None, {}, [_syntax_problem(syntax, file)]
    except yaml.reader.ReaderError as unreadable:  # a character YAML does not allow (NUL ...)
        return None, {}, [_character_problem(unreadable, text, file)]
    finally:
        reader.dispose()
    if node is None:
        return None, {}, []
    data = reader.build(node, ())
    lines: dict[KeyPath, int] = {}
    _index(node, (), lines)
    return data, lines, reader.problems


def _syntax_problem(syntax: yaml.MarkedYAMLError, file: str | None) -> Problem:
    mark = syntax.problem_mark or syntax.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(whole file)"
    parts = [syntax.context, syntax.problem] if syntax.problem_mark else [syntax.context]
    text = ", ".join(p for p in parts if p) or str(syntax)
    return Problem(where, f"YAML syntax error: {text}", None, "YAML syntax", file)


def _character_problem(error: yaml.reader.ReaderError, text: str, file: str | None) -> Problem:
    line = text.count("\n", 0, error.position) + 1
    character = f"#x{error.character:04x}" if isinstance(error.character, int) else "?"
    return Problem(
        f"line {line}",
        f"YAML syntax error: the character {character} is not allowed in a YAML file",
        None,
        "printable characters (control characters only as escapes in double quotes)",
        file,
    )


def _part(key: yaml.Node) -> str:
    return str(key.value) if isinstance(key, yaml.ScalarNode) else "?"


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _index(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    """Every key path of the (alias-expanded, size-checked) tree → its line."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, _part(key))
            lines[child] = key.start_mark.line + 1
            _index(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)


class Refused(Exception):
    """A limit was passed while composing: stop at once (nothing further is read)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class Reader(yaml.SafeLoader):
    """PyYAML's safe loader, composing under :class:`Limits` and building with key paths.

    Composition counts aliases, nesting and the size each node would have once its aliases
    were expanded (children first, so the count is exact and cheap); building makes the
    Python data from the node tree, sharing aliased objects as PyYAML does, and collects
    duplicate keys, foreign tags and unreadable values as problems.
    """

    def __init__(self, text: str, *, limits: Limits, file: str | None):
        super().__init__(text)
        self.limits, self.file = limits, file
        self.aliases = self.depth = 0
        self.sizes: dict[int, int] = {}  # node → its nodes once aliases are expanded
        self.heights: dict[int, int] = {}  # node → its levels once aliases are expanded
        self.path: list[str | int | None] = []
        self.built: dict[int, Any] = {}
        self.problems: list[Problem] = []

    # --- composing ---------------------------------------------------------------------

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self.path.append(_part(index) if isinstance(index, yaml.Node) else index)
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            node = self._alias(parent, index, mark)
        else:
            node = self._nested(parent, index, mark)
        self.path.pop()
        return node

    def _alias(self, parent: yaml.Node | None, index: Any, mark: yaml.Mark) -> yaml.Node:
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            self._refuse(mark, "too many aliases", f"at most {self.limits.max_aliases}")
        node = self._composed(parent, index)
        if id(node) not in self.sizes:  # its node is still being composed
            self._refuse(mark, "an alias inside the node it names (a cycle)", "no cycles")
        if self.depth + self.heights[id(node)] > self.limits.max_depth:  # aliases in aliases
            self._refuse(mark, "nested too deep", f"at most {self.limits.max_depth} levels")
        return node

    def _nested(self, parent: yaml.Node | None, index: Any, mark: yaml.Mark) -> yaml.Node:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            self._refuse(mark, "nested too deep", f"at most {self.limits.max_depth} levels")
        node = self._composed(parent, index)
        self.depth -= 1
        children = [id(child) for child in _children(node)]
        size = 1 + sum(self.sizes[child] for child in children)
        if size > self.limits.max_nodes:
            limit = self.limits.max_nodes
            self._refuse(mark, f"aliases expand this past {limit} nodes", f"at most {limit} nodes")
        self.sizes[id(node)] = size
        self.heights[id(node)] = 1 + max((self.heights[child] for child in children), default=0)
        return node

    def _composed(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        node = super().compose_node(parent, index)
        assert node is not None  # PyYAML composes a node here or raises
        return node

    def _refuse(self, mark: yaml.Mark, message: str, allowed: str) -> None:
        path = key_path([p for p in self.path if p is not None])
        where = f"{path or '(top level)'} (line {mark.line + 1})"
        raise Refused(Problem(where, message, None, allowed, self.file))

    # --- building ----------------------------------------------------------------------

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        """The Python value of ``node`` at ``path`` (aliased nodes are built once)."""
        if id(node) in self.built:
            return self.built[id(node)]
        if node.tag not in ALLOWED_TAGS:
            tag = node.tag.replace(_YAML, "!!")
            self._problem(node, path, "tag not allowed", tag, _TAGS_TEXT)
        if isinstance(node, yaml.MappingNode):
            value: Any = self._mapping(node, path)
        elif isinstance(node, yaml.SequenceNode):
            value = [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        else:
            assert isinstance(node, yaml.ScalarNode)  # PyYAML's only other kind of node
            value = self._scalar(node, path)
        self.built[id(node)] = value
        return value

    def _scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        if node.tag not in ALLOWED_TAGS:
            return node.value
        try:
            return self.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as failure:
            kind = node.tag.replace(_YAML, "")
            self._problem(
                node,
                path,
                f"cannot read the value ({failure})",
                node.value,
                f"a valid {kind}, or quote it to keep it as text",
            )
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[Any, Any]:
        self._refuse_duplicates(node, path)
        try:
            self.flatten_mapping(node)  # merge keys (<<: *base); the mapping's own keys win
        except yaml.YAMLError as failure:
            reason = getattr(failure, "problem", None) or failure
            self._problem(node, path, f"cannot merge: {reason}", None, "<<: *a_mapping")
        value: dict[Any, Any] = {}
        for key, item in node.value:
            name = self.build(key, path)
            if _hashable(name):
                value[name] = self.build(item, (*path, _part(key)))
        return value

    def _refuse_duplicates(self, node: yaml.MappingNode, path: KeyPath) -> None:
        seen: dict[Any, int] = {}
        for key, _ in node.value:
            if key.tag == _YAML + "merge":
                continue
            name = self.build(key, path)
            if not _hashable(name):
                self._problem(key, path, "a key must be plain text or a number", None, "plain keys")
            elif name in seen:
                self._problem(
                    key,
                    (*path, _part(key)),
                    f"duplicate key (also on line {seen[name]})",
                    name,
                    "each key once in a mapping",
                )
            else:
                seen[name] = key.start_mark.line + 1

    def _problem(
        self, node: yaml.Node, path: KeyPath, message: str, value: object, allowed: str
    ) -> None:
        where = f"{key_path(path) or '(top level)'} (line {node.start_mark.line + 1})"
        self.problems.append(Problem(where, message, value, allowed, self.file))


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
