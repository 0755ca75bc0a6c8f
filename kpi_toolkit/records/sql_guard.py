"""Confinement of the SQL expressions written in YAML (metrics, filters, event aggregates).

Two fences, both always on:

1. :func:`check_expression` parses the text with DuckDB's own parser and accepts exactly one
   expression over named columns: no ``;``, no statement keywords (``COPY``, ``ATTACH``,
   ``INSTALL``, ``LOAD``, ``PRAGMA``, ``SET`` ...), no comments, no subqueries, no table
   functions, no function that reads files or the environment.
2. :func:`open_confined` gives a DuckDB connection that sees only the registered data:
   ``enable_external_access = false`` (only the data file itself may stay readable),
   no extension auto-loading, no scans of Python variables, configuration locked.

What DuckDB still refuses when it runs the expressions (a type that does not fit, a value
that does not convert) is translated by :func:`database_errors` into the key path of the
expression that fails alone (a :class:`Probe` each), so no engine message reaches the user
without the place in the YAML file it comes from.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd

from ..errors import InputError, Problem

__all__ = [
    "WORKING_FUNCTIONS",
    "Connection",
    "EngineError",
    "Expression",
    "Probe",
    "check_expression",
    "check_time_format",
    "database_errors",
    "database_message",
    "open_confined",
    "quote_identifier",
    "quote_literal",
]

WORKING_FUNCTIONS = frozenset({"working_minutes", "working_hours", "working_days"})
_STATEMENT_WORDS = frozenset(
    [
        "SELECT",
        "WITH",
        "COPY",
        "ATTACH",
        "DETACH",
        "INSTALL",
        "LOAD",
        "PRAGMA",
        "SET",
        "RESET",
        "CREATE",
        "DROP",
        "INSERT",
        "UPDATE",
        "DELETE",
        "ALTER",
        "EXPORT",
        "IMPORT",
        "CALL",
        "USE",
        "VACUUM",
        "CHECKPOINT",
        "UNION",
        "EXCEPT",
        "INTERSECT",
        "SECRET",
        "PIVOT",
        "UNPIVOT",
        "SUMMARIZE",
        "DESCRIBE",
        "SHOW",
        "EXPLAIN",
    ]
)
_DENIED_PREFIXES = ("read_", "glob", "getenv", "sniff_", "parquet_", "duckdb_", "pragma_", "query")
_DENIED_NAMES = frozenset({"current_setting", "load_extension", "json_execute_serialized_sql"})
_GUARD_TABLE = "_kpi_guard"
_PREFIX = "SELECT "
ALLOWED = (
    "one SQL expression over the mapped columns (functions, CASE, FILTER (WHERE ...)); "
    "no ';', statements, comments, subqueries, table functions or file/network access"
)


class EngineError(Exception):
    """An error of an engine other than DuckDB (Spark), in the same place as DuckDB's."""


_ENGINE_ERRORS = (duckdb.Error, EngineError)


class Result(Protocol):
    """A query's answer (DuckDB's connection after ``execute``)."""

    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> tuple[Any, ...] | None: ...
    def df(self) -> pd.DataFrame: ...


class Connection(Protocol):
    """What the ledger and the metrics use of a connection: DuckDB's, or
    :class:`~kpi_toolkit.records.spark.SparkConnection`."""

    def execute(self, query: str, /) -> Result: ...
    def register(self, name: str, frame: pd.DataFrame, /) -> Any: ...


@dataclass(frozen=True)
class Expression:
    """An expression that passed :func:`check_expression`.

    ``clock_refs`` are the ``(start, end, column)`` spans of the column arguments of
    ``working_minutes`` / ``working_hours`` / ``working_days`` calls in ``text``.
    """

    text: str
    columns: frozenset[str]
    clock_refs: tuple[tuple[int, int, str], ...]

    def with_clocks(self, name_of: Mapping[str, str]) -> str:
        """The text with each working-time argument replaced by ``name_of`` (its clock column,
        as a quoted identifier)."""
        text = self.text
        for start, end, column in sorted(self.clock_refs, reverse=True):
            text = text[:start] + name_of[column] + text[end:]
        return text


def check_expression(
    text: str, *, columns: Collection[str], where: str, file: str | None = None
) -> Expression:
    """Accept one confined SQL expression over ``columns`` or raise :class:`InputError`.

    Examples
    --------
    >>> check_expression("count_if(invalid)", columns={"invalid"}, where="m").columns
    frozenset({'invalid'})
    """
    reasons = _token_reasons(text)
    tree = None if reasons else _parse(text)
    if tree is not None and not reasons:
        reasons = _shape_reasons(tree) or list(_node_reasons(tree, set(columns)))
    if reasons:
        raise InputError([_problem(reason, text, where, file) for reason in reasons])
    return Expression(text, frozenset(_column_names(tree)), tuple(_clock_refs(tree, text)))


TIME_FORMATS_ALLOWED = (
    "strptime codes, e.g. %Y-%m-%d %H:%M:%S or %d/%m/%Y %H:%M "
    "(%Y %y %m %d %H %I %M %S %f %p %b %B %a %A %j %z %Z, literal text, %% for %)"
)


def check_time_format(text: str, *, where: str, file: str | None = None) -> list[Problem]:
    """A problem when DuckDB's ``strptime`` cannot use ``text`` as a format, else none.

    Examples
    --------
    >>> check_time_format("%d/%m/%Y", where="timestamp_formats[0]")
    []
    >>> check_time_format("%Q", where="timestamp_formats[0]")[0].message
    'not a timestamp format: Unrecognized format for strftime/strptime: %Q'
    """
    try:
        _parser().execute("SELECT try_strptime('', $1::VARCHAR)", [text]).fetchall()
    except duckdb.Error as error:
        reason = database_message(error).split(": ", 1)[-1]
        return [
            Problem(where, f"not a timestamp format: {reason}", text, TIME_FORMATS_ALLOWED, file)
        ]
    return []


def open_confined(
    relations: Mapping[str, Any], *, readable: Collection[Path] = (), threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that can see ``relations`` (and read only ``readable`` files).

    The data is registered first, then external access is switched off and the
    configuration locked, so nothing run later can reopen it.
    """
    config: dict[str, Any] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "python_enable_replacements": False,
    }
    if threads:
        config["threads"] = threads
    con = duckdb.connect(":memory:", config=config)
    for name, relation in relations.items():
        con.register(name, relation)
    paths = ", ".join(quote_literal(str(Path(p).resolve())) for p in readable)
    # times never depend on the machine's zone: every conversion names its zone, and what
    # DuckDB would still read in the connection's zone is read in UTC
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET allowed_paths = [{paths}]")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


@dataclass(frozen=True)
class Probe:
    """A query that runs one expression of a YAML file alone, to find what DuckDB refused.

    ``where`` is the expression's key path, ``value`` its text, ``sql`` a one-row query
    that makes DuckDB bind and evaluate it; ``needs`` the key paths of the probes whose
    expressions ``sql`` runs too (it is skipped when one of them failed: that one is named).
    """

    where: str
    sql: str
    value: str | None = None
    needs: frozenset[str] = frozenset()


@contextmanager
def database_errors(
    con: Connection,
    *,
    probes: Callable[[], Iterable[Probe]],
    file: str | None,
    fallback: str,
) -> Iterator[None]:
    """Turn a DuckDB error of the block into an :class:`InputError` at key paths of ``file``.

    One problem for every probe that fails alone (the probes are made and run only after a
    failure), so every refused expression is named at once; else one at ``fallback``.
    """
    try:
        yield
    except _ENGINE_ERRORS as error:
        raise _explained(con, error, probes(), file=file, fallback=fallback) from None


def database_message(error: Exception) -> str:
    """DuckDB's first line without its class (``Binder Error: ...`` → ``...``)."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return re.sub(r"^[A-Za-z ]*Error: ", "", first)


def _explained(
    con: Connection,
    error: Exception,
    probes: Iterable[Probe],
    *,
    file: str | None,
    fallback: str,
) -> InputError:
    """Every probe that fails alone, unless a probe it needs failed first."""
    problems: list[Problem] = []
    failed: set[str] = set()
    for probe in probes:
        if probe.needs & failed:
            continue
        try:
            con.execute(probe.sql).fetchall()
        except _ENGINE_ERRORS as failure:
            failed.add(probe.where)
            problems.append(_database_problem(failure, probe.where, probe.value, file))
    found = problems or [_database_problem(error, fallback, None, file)]
    return InputError(found, title=f"{file or 'SQL'}: {len(found)} expression(s) refused")


def _database_problem(error: Exception, where: str, value: str | None, file: str | None) -> Problem:
    allowed = "an expression whose types fit the columns (docs/canonical_tables.md)"
    return Problem(
        where, f"the database refused it: {database_message(error)}", value, allowed, file
    )


def quote_identifier(name: str) -> str:
    """A column or table name as an SQL identifier: ``"name"``, inner quotes doubled.

    Examples
    --------
    >>> quote_identifier('工单"号')
    '"工单""号"'

    Raises
    ------
    InputError
        A name holding a NUL character (DuckDB would cut the name there).
    """
    if "\x00" in name:
        raise InputError(
            Problem("name", "a NUL character in a name", name, "a name without NUL characters")
        )
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: object) -> str:
    """A value as an SQL literal: ``true``/``false`` for booleans, else quoted text.

    Examples
    --------
    >>> quote_literal("O'Brien"), quote_literal(True)
    ("'O''Brien'", 'true')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"


def _problem(reason: str, text: str, where: str, file: str | None) -> Problem:
    return Problem(where, f"expression refused: {reason}", value=text, allowed=ALLOWED, file=file)


def _token_reasons(text: str) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return ["empty expression"]
    try:
        tokens = duckdb.tokenize(text)
    except Exception as error:
        return [f"not SQL ({error})"]
    starts = [start for start, _ in tokens] + [len(text)]
    reasons = []
    for (start, kind), end in zip(tokens, starts[1:], strict=True):
        word = text[start:end].strip()
        if kind == duckdb.token_type.comment:
            reasons.append("comments are not allowed")
        elif word == ";" or word.startswith(";"):
            reasons.append("';' is not allowed: only one expression, no statements")
        elif kind == duckdb.token_type.keyword and word.upper() in _STATEMENT_WORDS:
            reasons.append(f"the statement keyword {word.upper()} is not allowed")
    return reasons


@functools.cache
def _parser() -> duckdb.DuckDBPyConnection:
    """A private connection used only to call the parser (json_serialize_sql)."""
    return open_confined({})


def _parse(text: str) -> dict[str, Any] | None:
    serialized = _serialized(text)
    return json.loads(serialized) if serialized is not None else {"error": True}


@functools.lru_cache(maxsize=4096)
def _serialized(text: str) -> str | None:
    """The parser's tree of one expression as JSON text (an expression is checked when its
    set is loaded and again where it is computed: parsed once)."""
    sql = f"{_PREFIX}{text}\nFROM {_GUARD_TABLE}"
    row = _parser().execute("SELECT json_serialize_sql($1::VARCHAR)", [sql]).fetchone()
    return str(row[0]) if row else None


def _shape_reasons(tree: dict[str, Any]) -> list[str]:
    if tree.get("error"):
        return [f"not a valid SQL expression ({tree.get('error_message', 'parse error')})"]
    statements = tree.get("statements", [])
    node = statements[0]["node"] if len(statements) == 1 else {}
    source = node.get("from_table") or {}
    clean = (
        node.get("type") == "SELECT_NODE"
        and len(node.get("select_list", [])) == 1
        and not node["select_list"][0].get("alias")
        and source.get("type") == "BASE_TABLE"
        and source.get("table_name") == _GUARD_TABLE
        and not any(node.get(k) for k in ("where_clause", "having", "qualify", "sample"))
        and not node.get("group_expressions")
        and not node.get("modifiers")
        and not node.get("cte_map", {}).get("map")
    )
    return [] if clean else ["only a single expression is allowed (no FROM, WHERE, AS, ...)"]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "class" in node:
            yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _node_reasons(tree: dict[str, Any], columns: set[str]) -> Iterator[str]:
    for node in _walk(tree):
        kind = node["class"]
        if kind == "SUBQUERY":
            yield "subqueries are not allowed: an expression may read the mapped table only"
        elif kind == "STAR":
            yield "'*' and COLUMNS(...) are not allowed: name the columns"
        elif kind == "FUNCTION":
            yield from _function_reasons(node)
        elif kind == "COLUMN_REF":
            yield from _column_reasons(node["column_names"], columns)


def _function_reasons(node: dict[str, Any]) -> Iterator[str]:
    name = node["function_name"].lower()
    if node.get("schema") or node.get("catalog"):
        yield f"schema-qualified function {node['schema']}.{name}() is not allowed"
    elif name.startswith(_DENIED_PREFIXES) or name in _DENIED_NAMES:
        yield f"the function {name}() can read files, settings or the environment"
    elif name in WORKING_FUNCTIONS:
        args = [a["expression"] for a in node["arguments"]]
        if len(args) != 2 or any(a["class"] != "COLUMN_REF" for a in args):
            yield f"{name}(start, end) takes two timestamp column names"
    elif name not in _known_functions():
        yield f"unknown function {name}()"


def _column_reasons(names: list[str], columns: set[str]) -> Iterator[str]:
    if len(names) != 1:
        yield f"qualified name {'.'.join(names)} is not allowed: use the bare column name"
    elif names[0] not in columns:
        yield f"unknown column {names[0]!r} (columns: {', '.join(sorted(columns))})"


@functools.cache
def _known_functions() -> frozenset[str]:
    rows = (
        _parser()
        .execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() "
            "WHERE function_type IN ('scalar', 'aggregate', 'macro')"
        )
        .fetchall()
    )
    return frozenset(name.lower() for (name,) in rows)


def _column_names(tree: dict[str, Any] | None) -> Iterator[str]:
    for node in _walk(tree):
        if node["class"] == "COLUMN_REF":
            yield node["column_names"][-1]


def _clock_refs(tree: dict[str, Any] | None, text: str) -> Iterator[tuple[int, int, str]]:
    for node in _walk(tree):
        if node["class"] == "FUNCTION" and node["function_name"].lower() in WORKING_FUNCTIONS:
            for argument in node["arguments"]:
                ref = argument["expression"]
                start = ref["query_location"] - len(_PREFIX)
                yield start, start + ref["query_location_length"], ref["column_names"][-1]
