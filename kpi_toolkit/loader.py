"""The one YAML loader: schemes, source mappings, metric sets, bundles, calendars, scenarios.

:func:`read_yaml` reads a file in one pass that keeps the line of every key path and refuses
what no appraisal file needs and a hostile one would use: a file larger than
:attr:`Limits.max_bytes`, duplicate keys, more aliases than :attr:`Limits.max_aliases` or
aliases expanding past :attr:`Limits.max_nodes` nodes (counted while the file is composed,
so a "billion laughs" file is refused before anything is expanded), nesting deeper than
:attr:`Limits.max_depth`, and tags other than YAML's plain ones (``!!python/...``,
``!custom``). :func:`validate` turns the data into a frozen pydantic model. Every problem
names the file, the key path and its line, and all of them are raised at once.
:func:`locate` adds the lines to problems found later, such as a database error in an
expression of a metric set.

Examples
--------
>>> document = parse_yaml("a:\\n  b: [1, 2]\\n", file="x.yaml")
>>> document.data, document.line(("a", "b", 1))
({'a': {'b': [1, 2]}}, 2)
>>> print(document.locate(Problem("a.b[1]", "too small", value=2)))
x.yaml: a.b[1] (line 2): too small (found 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, RootModel, ValidationError

from ._model_errors import key_path, validation_problems
from ._yaml_reader import LIMITS, KeyPath, Limits, compose
from .errors import InputError, Problem, did_you_mean

__all__ = [
    "LIMITS",
    "Document",
    "Limits",
    "did_you_mean",
    "key_path",
    "load_spec",
    "locate",
    "parse_yaml",
    "path_of",
    "read_yaml",
    "validate",
    "with_lines",
]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data, its file name and the line of every key path."""

    data: Any
    file: str | None = None
    lines: Mapping[KeyPath, int] = field(default_factory=dict, repr=False)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, else of its nearest parent that is in the file."""
        key = tuple(path)
        known = [key[:n] for n in range(len(key), 0, -1) if key[:n] in self.lines]
        return self.lines[known[0]] if known else None

    def locate(self, problem: Problem) -> Problem:
        """``problem`` with this file and the line of its key path (once)."""
        if problem.file not in (None, self.file):
            return problem
        line = None if "(line " in problem.where else self.line(path_of(problem.where))
        where = f"{problem.where} (line {line})" if line else problem.where
        return replace(problem, where=where, file=self.file)


def path_of(where: str) -> KeyPath:
    """``positions.a.kpis[2].rule (line 9)`` → ``("positions", "a", "kpis", 2, "rule")``."""
    parts: list[str | int] = []
    for piece in where.split(" (line ")[0].replace("[", ".[").split("."):
        if piece.startswith("[") and piece.endswith("]") and piece[1:-1].isdigit():
            parts.append(int(piece[1:-1]))
        elif piece:
            parts.append(piece)
    return tuple(parts)


def read_yaml(
    path: str | Path, *, limits: Limits = LIMITS, error: type[InputError] = InputError
) -> Document:
    """Read a YAML file; refuse it, with every problem at once, if it is not a plain one.

    Raises
    ------
    InputError
        (or ``error``) A missing or unreadable file, one larger than ``limits.max_bytes``,
        YAML syntax (with line and column), duplicate keys, aliases or nesting past the
        limits, tags that are not plain YAML, values that cannot be read.
    """
    file = Path(path)
    try:
        with file.open("rb") as handle:  # no more than the limit, whatever the file is
            head = handle.read(limits.max_bytes + 1)
        if len(head) > limits.max_bytes:
            size = file.stat().st_size if file.is_file() else len(head)
            raise error(_too_large(size, limits, str(file)))
        text = head.decode("utf-8")
    except FileNotFoundError:  # a relative path: say where it was looked for
        raise error(
            _whole_file("cannot read: file not found", str(file), _absolute(file))
        ) from None
    except (OSError, UnicodeDecodeError) as failure:
        raise error(_whole_file(f"cannot read: {failure}", str(file))) from None
    return parse_yaml(text, file=str(file), limits=limits, error=error)


def parse_yaml(
    text: str,
    *,
    file: str | None = None,
    limits: Limits = LIMITS,
    error: type[InputError] = InputError,
) -> Document:
    """Parse YAML text (as :func:`read_yaml` does a file's)."""
    if len(text) > limits.max_bytes:
        raise error(_too_large(len(text), limits, file))
    data, lines, problems = compose(text, limits=limits, file=file)
    if problems:
        raise error(problems, title=f"{file or 'YAML'}: {len(problems)} problem(s)")
    return Document(data, file, lines)


def validate(
    document: Document,
    *,
    model: type[M],
    problems: Iterable[Problem] = (),
    checks: Callable[[M], Iterable[Problem]] | None = None,
    error: type[InputError] = InputError,
) -> M:
    """Validate a document's data into ``model``; raise every problem at once, located.

    Parameters
    ----------
    document
        The parsed file (:func:`read_yaml`); its data is what ``model`` validates.
    model
        A frozen pydantic model.
    problems
        Problems already found in the raw data (checks types cannot express).
    checks
        Further checks of the validated model (run only when it validates).
    error
        The error to raise (:class:`~kpi_toolkit.errors.SchemeError` for schemes).

    Raises
    ------
    InputError
        (or ``error``) Every problem, each with the file, key path and line, the bad value,
        what is allowed and, for an unknown key or value, the nearest allowed one.
    """
    if not isinstance(document.data, dict) and not issubclass(model, RootModel):
        name = document.file or model.__name__.lower()
        raise error([_not_a_mapping(document, model)], title=f"{name}: 1 problem(s)")
    found = list(problems)
    result = None
    try:
        result = model.model_validate(document.data)
    except ValidationError as failure:
        found = validation_problems(failure, document.data, model=model) + found
    if result is not None and checks is not None:
        found += checks(result)
    located = list({str(p): p for p in map(document.locate, found)}.values())
    if located or result is None:
        name = document.file or model.__name__.lower()
        raise error(located, title=f"{name}: {len(located)} problem(s)")
    return result


def load_spec(
    path: str | Path,
    *,
    model: type[M],
    checks: Callable[[M], Iterable[Problem]] | None = None,
    error: type[InputError] = InputError,
) -> M:
    """Read a YAML file into ``model``: :func:`read_yaml`, then :func:`validate`."""
    return validate(read_yaml(path, error=error), model=model, checks=checks, error=error)


def locate(problems: Iterable[Problem]) -> list[Problem]:
    """Problems with the line of their key path added, read again from their YAML files.

    For problems found after a file was loaded (a column the data lacks, a database error
    in an expression); a file that cannot be read again leaves its problems as they are.
    """
    documents: dict[str, Document | None] = {}
    located = []
    for problem in problems:
        file = problem.file or ""
        if file not in documents:
            documents[file] = _reread(file)
        document = documents[file]
        located.append(document.locate(problem) if document else problem)
    return located


@contextmanager
def with_lines() -> Iterator[None]:
    """Re-raise any :class:`InputError` of the block with :func:`locate`'s lines added."""
    try:
        yield
    except InputError as failure:
        raise type(failure)(locate(failure.problems), title=failure.title) from None


def _reread(file: str) -> Document | None:
    if Path(file).suffix not in (".yaml", ".yml") or not Path(file).is_file():
        return None
    try:
        return read_yaml(file)
    except InputError:
        return None


def _absolute(file: Path) -> str | None:
    return None if file.is_absolute() else str(file.absolute())


def _not_a_mapping(document: Document, model: type[BaseModel]) -> Problem:
    """What the file holds instead of keys, described, never echoed (it may be any file)."""
    data = document.data
    if data is None:
        found = "nothing (an empty file)"
    elif isinstance(data, list):
        found = f"a list of {len(data)} item(s)"
    else:
        found = f"a single {type(data).__name__} value of {len(str(data))} character(s)"
    keys = ", ".join(f.alias or n for n, f in model.model_fields.items() if n != "path")
    return Problem(
        "(top level)",
        f"not a {model.__name__} YAML file: it holds {found}, not a mapping of keys",
        None,
        f"a YAML mapping with the keys {keys}",
        document.file,
    )


def _whole_file(message: str, file: str | None, value: object = None) -> Problem:
    return Problem("(whole file)", message, value, "an existing UTF-8 YAML file", file)


def _too_large(size: int, limits: Limits, file: str | None) -> Problem:
    return Problem(
        "(whole file)",
        "file too large for a YAML file of the toolkit",
        f"{size} bytes",
        f"at most {limits.max_bytes} bytes",
        file,
    )
