"""Staging: a raw relation through its mapping into the canonical view, every row checked.

:func:`build_canonical` registers, in DuckDB's dialect (rendered for Spark where Spark runs),
the staged rows (every field parsed, :mod:`kpi_toolkit.records.fields`), the collapse of an
event log to one row per ticket or the numbering of the copies of an id, the row checks
that give an excluded row its reason code, the table of the excluded rows and the view
:data:`CANONICAL_VIEW` of the rest. :mod:`kpi_toolkit.records.ledger` counts them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ..errors import DataError, Problem
from ..periods import Period
from .fields import checked_sql, field_types, parsed_fields, period_time
from .sources import ROW_COLUMN, SourceSpec, unmapped_required
from .sql_guard import Connection, Probe, database_errors, quote_identifier, quote_literal
from .tables import DUCKDB_TYPES, KEYS, TIME_ORDER

__all__ = ["CANONICAL_VIEW", "build_canonical", "check_mapping"]


CANONICAL_VIEW = "canonical"


def build_canonical(
    con: Connection,
    spec: SourceSpec,
    *,
    raw: str,
    period_column: str | None = None,
    period: Period | None = None,
    roster: str | None = None,
    timezone: str | None = None,
    period_timezone: str | None = None,
    materialize: bool = True,
) -> None:
    """Create the view :data:`CANONICAL_VIEW` from relation ``raw`` and the table of its
    excluded rows (:func:`~kpi_toolkit.records.ledger.count_ledger` counts them).

    ``roster`` names a registered relation with an ``employee_id`` column; ``period`` keeps
    only rows whose ``period_column`` falls in it; ``timezone`` converts timestamps into
    the calendar's zone when the source's differs, and ``period_timezone`` is the zone the
    period is cut in (default: ``timezone``). ``materialize`` keeps the staged rows (and
    an event log's checked ones) as temporary tables, each later pass reading them instead
    of re-parsing; without it they stay views that stream from the source (for large
    Parquet files: one pass finds the excluded rows, one more reads the canonical rows).
    """
    kind = "TABLE" if materialize else "VIEW"
    raw_types = dict(
        con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {raw})").fetchall()
    )
    check_mapping(spec, [c for c in raw_types if c != ROW_COLUMN])
    probes = functools.partial(_probes, spec, raw, raw_types, timezone)
    with database_errors(con, probes=probes, file=spec.path, fallback="fields"):
        staged = _staged_sql(spec, raw, raw_types, timezone)
        con.execute(f"CREATE OR REPLACE TEMP {kind} _staged AS {staged}")
        collapse = _collapsed_sql(spec) if spec.events else _deduplicated_sql(spec)
        con.execute(f"CREATE OR REPLACE TEMP VIEW _collapsed AS {collapse}")
        zones = (timezone or spec.timezone, period_timezone)
        checks = _checks_sql(
            spec, period_column=period_column, period=period, roster=roster, zones=zones
        )
        # kept where it is read again: an event log's canonical rows are read from it; else
        # only the excluded rows are (the canonical rows are the staged ones not excluded)
        checked = kind if spec.events else "VIEW"
        con.execute(f"CREATE OR REPLACE TEMP {checked} _checked AS {checks}")
        columns = ", ".join(quote_identifier(c) for c in _canonical_columns(con, spec))
        con.execute(f"CREATE OR REPLACE TEMP TABLE _excluded AS {_excluded_sql(spec)}")
        # one pass finds the excluded rows; the canonical rows are the rest, read without
        # checking them again (no second window, no second reading of the columns checked
        # only); an event log's canonical rows are its collapsed tickets that passed
        used = f"_staged ANTI JOIN _excluded USING ({quote_identifier(ROW_COLUMN)})"
        origin = "_checked WHERE _reason IS NULL" if spec.events else used
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {CANONICAL_VIEW} AS SELECT {columns} FROM {origin}"
        )


def check_mapping(spec: SourceSpec, headers: list[str]) -> None:
    """Refuse headers missing from the file and required canonical columns left unmapped."""
    allowed = ", ".join(headers)
    problems = [
        Problem(f"fields.{name}.column", "no such column in the file", f.column, allowed, spec.path)
        for name, f in spec.fields.items()
        if f.column is not None and f.column not in headers
    ]
    problems += unmapped_required(spec, allowed=f"map it from one of: {allowed}")
    if problems:
        raise DataError(
            problems, title=f"{spec.path or spec.name}: the mapping does not fit the data"
        )


def _fields_sql(parsed: dict[str, tuple[str, str]], raw: str, *, flags: str = "") -> str:
    """The source row number and every field parsed (and ``flags``, when given)."""
    select = ", ".join(
        f"{value} AS {quote_identifier(name)}" for name, (value, _) in parsed.items()
    )
    return f"SELECT {quote_identifier(ROW_COLUMN)}, {select}{flags} FROM {raw}"


def _staged_sql(spec: SourceSpec, raw: str, raw_types: dict[str, str], zone: str | None) -> str:
    types = field_types(spec)
    parsed = parsed_fields(spec, raw_types, zone)
    bad_ts = [flag for name, (_, flag) in parsed.items() if types[name] == "timestamp"]
    bad_value = [flag for name, (_, flag) in parsed.items() if types[name] != "timestamp"]
    flags = f", {_any(bad_ts)} AS _bad_ts, {_any(bad_value)} AS _bad_value"
    inner = _fields_sql(parsed, raw, flags=flags)
    columns = set(spec.fields) | {ROW_COLUMN}
    cases = [
        f"WHEN {checked_sql(rule.where, columns, f'filters[{i}].where', spec)} "
        f"THEN {quote_literal(rule.reason)}"
        for i, rule in enumerate(spec.filters)
    ]
    key = spec.events.key if spec.events else KEYS[spec.table]
    cases += ["WHEN _bad_ts THEN 'unparseable_timestamp'", "WHEN _bad_value THEN 'bad_value'"]
    cases += [f"WHEN {quote_identifier(key)} IS NULL THEN 'missing_value'"]
    reason = f"CASE {' '.join(cases)} END AS _reason"
    return f"SELECT * EXCLUDE (_bad_ts, _bad_value), {reason} FROM ({inner})"


def _probes(
    spec: SourceSpec, raw: str, raw_types: dict[str, str], zone: str | None
) -> Iterator[Probe]:
    """One query per expression of the mapping, each run alone (after a database error)."""
    parsed = parsed_fields(spec, raw_types, zone)
    places = []
    for name, field_spec in spec.fields.items():
        where = f"fields.{name}" + (".expr" if field_spec.expr is not None else "")
        value = field_spec.expr or field_spec.column
        places.append(where)
        yield Probe(where, f"SELECT count({parsed[name][0]}) FROM {raw}", value)
    fields, needs = _fields_sql(parsed, raw), frozenset(places)  # the rest read every field
    columns = set(spec.fields) | {ROW_COLUMN}
    for i, rule in enumerate(spec.filters):
        where = f"filters[{i}].where"
        sql = f"SELECT count(*) FILTER (WHERE {checked_sql(rule.where, columns, where, spec)}) "
        yield Probe(where, f"{sql}FROM ({fields})", rule.where, needs)
    if spec.events is None:
        return
    key = quote_identifier(spec.events.key)
    for name, text in spec.events.aggregates.items():
        where = f"events.aggregates.{name}"
        value = checked_sql(text, columns, where, spec)
        sql = f"SELECT count(_v) FROM (SELECT {value} AS _v FROM ({fields}) GROUP BY {key})"
        yield Probe(where, sql, text, needs)


def _any(flags: list[str]) -> str:
    """Any of the flags true (``false`` when none can be)."""
    return " OR ".join(f"coalesce({flag}, false)" for flag in flags if flag != "false") or "false"


def _deduplicated_sql(spec: SourceSpec) -> str:
    """Number the copies of each id: of the copies that passed the row checks, the most
    complete (most fields filled) is copy 1, the earliest line among equally complete ones;
    every other copy is excluded as ``duplicate_id``."""
    if spec.unique_ids:  # declared by the mapping, not checked: no window over every row
        return "SELECT * EXCLUDE (_reason), _reason AS _early, 1 AS _copy FROM _staged"
    key = quote_identifier(KEYS[spec.table])
    filled = " + ".join(
        f"CAST({quote_identifier(name)} IS NOT NULL AS INTEGER)" for name in spec.fields
    )
    order = f"{filled} DESC, {quote_identifier(ROW_COLUMN)}"
    return (
        f"SELECT * EXCLUDE (_reason), _reason AS _early, row_number() OVER (PARTITION BY {key}, "
        f"_reason IS NULL ORDER BY {order}) AS _copy FROM _staged"
    )


def _collapsed_sql(spec: SourceSpec) -> str:
    events = spec.events
    assert events is not None
    columns = set(spec.fields) | {ROW_COLUMN}
    aggregates = ", ".join(
        f"{_typed(checked_sql(text, columns, f'events.aggregates.{name}', spec), name, spec)} "
        f"AS {quote_identifier(name)}"
        for name, text in events.aggregates.items()
    )
    key = quote_identifier(events.key)
    return (
        f"SELECT {key} AS {quote_identifier(KEYS[spec.table])}, {aggregates}, 1 AS _copy, "
        "NULL AS _early "
        f"FROM _staged WHERE _reason IS NULL GROUP BY {key}"
    )


def _typed(value: str, name: str, spec: SourceSpec) -> str:
    """An aggregate into a declared extra column: cast to its type."""
    kind = spec.extra_columns.get(name)
    return value if kind is None else f"CAST({value} AS {DUCKDB_TYPES[kind]})"


def _checks_sql(
    spec: SourceSpec,
    *,
    period_column: str | None,
    period: Period | None,
    roster: str | None,
    zones: tuple[str | None, str | None] = (None, None),
) -> str:
    # copies are numbered only where ids are checked (one copy each otherwise)
    numbered = not (spec.events or spec.unique_ids)
    cases = ["WHEN _copy > 1 THEN 'duplicate_id'"] if numbered else []
    collapsed = set(spec.produced)
    rules = spec.events.filters if spec.events else ()
    cases += [
        f"WHEN {checked_sql(rule.where, collapsed, f'events.filters[{i}].where', spec)} "
        f"THEN {quote_literal(rule.reason)}"
        for i, rule in enumerate(rules)
    ]
    if period_column:
        cases.append(f"WHEN {quote_identifier(period_column)} IS NULL THEN 'missing_value'")
    cases.append("WHEN employee_id IS NULL THEN 'missing_employee'")
    if roster:
        cases.append(
            f"WHEN employee_id NOT IN (SELECT employee_id FROM {roster}) THEN 'unknown_employee'"
        )
    cases += [
        f"WHEN {quote_identifier(later)} < {quote_identifier(earlier)} THEN {quote_literal(reason)}"
        for earlier, later, reason in TIME_ORDER.get(spec.table, ())
        if {earlier, later} <= spec.produced
    ]
    if period and period_column:
        start, end = quote_literal(period.start.isoformat()), quote_literal(period.end.isoformat())
        column = period_time(quote_identifier(period_column), zone=zones[0], period_zone=zones[1])
        cases.append(
            f"WHEN NOT ({column} >= DATE {start} AND {column} < DATE {end} + 1) "
            "THEN 'outside_period'"
        )
    # the reason found while staging first, read once (a CASE would read it twice)
    return f"SELECT *, coalesce(_early, CASE {' '.join(cases)} END) AS _reason FROM _collapsed"


def _canonical_columns(con: Connection, spec: SourceSpec) -> list[str]:
    present = [
        name for (name,) in con.execute("SELECT column_name FROM (DESCRIBE _collapsed)").fetchall()
    ]
    return [name for name in spec.columns if name in present]


def _excluded_sql(spec: SourceSpec) -> str:
    """Row number and reason of every excluded source row."""
    row = quote_identifier(ROW_COLUMN)
    if not spec.events:
        return f"SELECT {row}, _reason AS reason FROM _checked WHERE _reason IS NOT NULL"
    key, target = quote_identifier(spec.events.key), quote_identifier(KEYS[spec.table])
    return (
        f"SELECT s.{row} AS {row}, coalesce(s._reason, c._reason) AS reason FROM _staged s "
        f"LEFT JOIN _checked c ON s._reason IS NULL AND s.{key} = c.{target} "
        "WHERE coalesce(s._reason, c._reason) IS NOT NULL"
    )
