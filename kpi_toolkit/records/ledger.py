"""Data-quality ledger: every input row is used or excluded with a reason code.

:func:`build_canonical` turns a registered raw relation into a canonical view in DuckDB and
tags each source row on the way: rows in = rows used + rows excluded, always (checked).
The reason codes are :data:`REASON_CODES`; their words are in :mod:`kpi_toolkit.labels`.

A row is named by where it is in its file, as an editor shows it: a CSV file's line (the
header is line 1, so the first data row is line 2; blank lines count), an XLSX sheet's row,
a Parquet file's row. Of several copies of one id, the most complete copy is used (the
earliest among equally complete ones) and the others are excluded as ``duplicate_id``, so a
truncated copy on an earlier line never hides the complete one.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..errors import DataError, Problem
from ..labels import LABELS, Lang, name_of
from ..periods import Period
from .sources import ROW_COLUMN, SourceSpec, unmapped_required
from .sql_guard import (
    Connection,
    Probe,
    check_expression,
    database_errors,
    quote_identifier,
    quote_literal,
)
from .tables import DUCKDB_TYPES, KEYS, TIME_ORDER, field_type

__all__ = [
    "REASONS",
    "REASON_CODES",
    "Ledger",
    "build_canonical",
    "check_mapping",
    "count_ledger",
    "period_time",
    "reason_label",
]

REASON_CODES = (
    "used",
    "filtered",
    "system_account",
    "not_resolved",
    "unparseable_timestamp",
    "bad_value",
    "missing_value",
    "duplicate_id",
    "missing_employee",
    "unknown_employee",
    "resolved_before_created",
    "outside_period",
)
# code → its label in each language; the words live in kpi_toolkit.labels
REASONS: Mapping[str, Mapping[str, str]] = {code: LABELS[f"reason.{code}"] for code in REASON_CODES}
CANONICAL_VIEW = "canonical"


def reason_label(code: str, *, lang: Lang = "zh") -> str:
    """The label of a reason code in Chinese (default) or English."""
    return name_of("reason", code, lang)


@dataclass(frozen=True)
class Ledger:
    """Where every input row went.

    ``counts`` maps reason code → rows (``used`` included); ``excluded`` holds the
    excluded rows themselves with their ``row`` number in the source and ``reason``;
    ``table`` is the canonical table the source fills (what a page calls the source) and
    ``label`` the mapping's own name for it where it gives one.
    """

    source: str
    rows_in: int
    counts: Mapping[str, int]
    excluded: pd.DataFrame = field(repr=False)
    table: str = ""
    label: Mapping[str, str] = field(default_factory=dict)

    @property
    def rows_used(self) -> int:
        return self.counts.get("used", 0)

    @property
    def rows_excluded(self) -> int:
        return sum(n for code, n in self.counts.items() if code != "used")

    @property
    def balanced(self) -> bool:
        """Rows in = rows used + rows excluded, and ``excluded`` lists them all."""
        listed = len(self.excluded) == self.rows_excluded
        return self.rows_in == self.rows_used + self.rows_excluded and listed

    def summary(self, *, lang: Lang = "zh") -> pd.DataFrame:
        """Rows per reason (``used`` first), with the reason's label."""
        codes = [code for code in REASONS if self.counts.get(code)]
        rows = [self.counts[code] for code in codes]
        labels = [reason_label(code, lang=lang) for code in codes]
        return pd.DataFrame({"reason": codes, "label": labels, "rows": rows})


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
    excluded rows (:func:`count_ledger` makes the ledger of them).

    ``roster`` names a registered relation with an ``employee_id`` column; ``period`` keeps
    only rows whose ``period_column`` falls in it; ``timezone`` converts timestamps into
    the calendar's zone when the source's differs, and ``period_timezone`` is the zone the
    period is cut in (default: ``timezone``). ``materialize`` keeps the staged and
    checked rows as temporary tables (each later pass reads them instead of re-parsing);
    without it they stay views that stream from the source (for large Parquet files).
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
        con.execute(f"CREATE OR REPLACE TEMP {kind} _checked AS {checks}")
        columns = ", ".join(quote_identifier(c) for c in _canonical_columns(con, spec))
        con.execute(f"CREATE OR REPLACE TEMP TABLE _excluded AS {_excluded_sql(spec)}")
        # one pass finds the excluded rows; the canonical rows are the rest (no second window);
        # without a window (event logs, ids declared unique) the checked rows stream as they are
        used = f"_staged ANTI JOIN _excluded USING ({quote_identifier(ROW_COLUMN)})"
        origin = "_checked WHERE _reason IS NULL" if spec.events or spec.unique_ids else used
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


def _field_types(spec: SourceSpec) -> dict[str, str]:
    extra = spec.extra_columns if not spec.events else {}
    return {
        name: f.type or field_type(spec.table, name) or extra.get(name) or "text"
        for name, f in spec.fields.items()
    }


def _parsed(
    spec: SourceSpec, raw_types: dict[str, str], zone: str | None
) -> dict[str, tuple[str, str]]:
    """Each field's value SQL and its "present but not understood" flag SQL."""
    types = _field_types(spec)
    return {name: _parse_sql(spec, name, types[name], raw_types, zone) for name in spec.fields}


def _fields_sql(parsed: dict[str, tuple[str, str]], raw: str, *, flags: str = "") -> str:
    """The source row number and every field parsed (and ``flags``, when given)."""
    select = ", ".join(
        f"{value} AS {quote_identifier(name)}" for name, (value, _) in parsed.items()
    )
    return f"SELECT {quote_identifier(ROW_COLUMN)}, {select}{flags} FROM {raw}"


def _staged_sql(spec: SourceSpec, raw: str, raw_types: dict[str, str], zone: str | None) -> str:
    types = _field_types(spec)
    parsed = _parsed(spec, raw_types, zone)
    bad_ts = [flag for name, (_, flag) in parsed.items() if types[name] == "timestamp"]
    bad_value = [flag for name, (_, flag) in parsed.items() if types[name] != "timestamp"]
    flags = f", {_any(bad_ts)} AS _bad_ts, {_any(bad_value)} AS _bad_value"
    inner = _fields_sql(parsed, raw, flags=flags)
    columns = set(spec.fields) | {ROW_COLUMN}
    cases = [
        f"WHEN {_checked(rule.where, columns, f'filters[{i}].where', spec)} "
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
    parsed = _parsed(spec, raw_types, zone)
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
        sql = f"SELECT count(*) FILTER (WHERE {_checked(rule.where, columns, where, spec)}) "
        yield Probe(where, f"{sql}FROM ({fields})", rule.where, needs)
    if spec.events is None:
        return
    key = quote_identifier(spec.events.key)
    for name, text in spec.events.aggregates.items():
        where = f"events.aggregates.{name}"
        value = _checked(text, columns, where, spec)
        sql = f"SELECT count(_v) FROM (SELECT {value} AS _v FROM ({fields}) GROUP BY {key})"
        yield Probe(where, sql, text, needs)


def _checked(text: str, columns: set[str], where: str, spec: SourceSpec) -> str:
    return check_expression(text, columns=columns, where=where, file=spec.path).text


def _any(flags: list[str]) -> str:
    """Any of the flags true (``false`` when none can be)."""
    return " OR ".join(f"coalesce({flag}, false)" for flag in flags if flag != "false") or "false"


def _parse_sql(
    spec: SourceSpec, name: str, kind: str, raw_types: dict[str, str], zone: str | None
) -> tuple[str, str]:
    """SQL for a field's value and for its "present but not understood" flag."""
    f = spec.fields[name]
    if f.column is not None:
        origin, origin_type = quote_identifier(f.column), raw_types.get(f.column, "VARCHAR")
    else:
        headers = set(raw_types) - {ROW_COLUMN}
        text = _checked(str(f.expr), headers, f"fields.{name}.expr", spec)
        origin, origin_type = f"CAST(({text}) AS VARCHAR)", "VARCHAR"
    if origin_type == DUCKDB_TYPES[kind] != "VARCHAR":  # typed already (Parquet): as it is
        return _in_zone(origin, kind, spec.timezone, zone), "false"
    if kind == "timestamp" and origin_type == "TIMESTAMP WITH TIME ZONE":  # an instant
        local = f"timezone({quote_literal(spec.timezone)}, {origin})"
        return _in_zone(local, kind, spec.timezone, zone), "false"
    if origin_type != "VARCHAR":
        value = f"TRY_CAST({origin} AS {DUCKDB_TYPES[kind]})"
        return _in_zone(
            value, kind, spec.timezone, zone
        ), f"({origin} IS NOT NULL AND {value} IS NULL)"
    markers = ", ".join(quote_literal(m) for m in dict.fromkeys((*spec.null_markers, "")))
    cleaned = f"(CASE WHEN trim({origin}) IN ({markers}) THEN NULL ELSE trim({origin}) END)"
    mapped = _mapped(cleaned, f.values, kind, spec)
    formats = f.formats or spec.timestamp_formats
    value = (
        _timestamp_sql(mapped, formats, spec)
        if kind == "timestamp"
        else _PARSERS[kind](mapped, formats)
    )
    # text read as it is cannot fail to parse: no flag
    flag = "false" if value == cleaned else f"({cleaned} IS NOT NULL AND {value} IS NULL)"
    return _in_zone(value, kind, spec.timezone, zone), flag


def _mapped(cleaned: str, values: dict[str, object] | None, kind: str, spec: SourceSpec) -> str:
    if kind == "boolean":
        table = {str(k).lower(): bool(v) for k, v in (values or spec.booleans).items()}
        whens = " ".join(
            f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in table.items()
        )
        return f"(CASE lower({cleaned}) {whens} END)"
    if not values:
        return cleaned
    whens = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in values.items())
    return f"(CASE {cleaned} {whens} ELSE {cleaned} END)"


def _strptime(text: str, formats: tuple[str, ...]) -> str:
    return f"try_strptime({text}, [{', '.join(quote_literal(f) for f in formats)}])"


def _timestamp_sql(text: str, formats: tuple[str, ...], spec: SourceSpec) -> str:
    """A timestamp in the mapping's ``timezone``, whatever the machine's.

    Formats without an offset read the time as written (in ``timezone``). A format with
    ``%z`` reads an instant, converted to ``timezone`` (``offsets: convert``), or the offset
    is dropped and the time kept as written (``offsets: keep``). Each kind is parsed apart:
    DuckDB reads a list that mixes them as instants, and a text without an offset as a time
    in the connection's zone.
    """
    naive = tuple(f for f in formats if not _with_offset(f))
    offset = tuple(f for f in formats if _with_offset(f))
    parts = [f"CAST({_strptime(text, naive)} AS TIMESTAMP)"] if naive else []
    if offset and spec.offsets == "keep":
        bare = tuple(f.replace("%z", "").strip() for f in offset)
        stripped = f"trim(regexp_replace({text}, {quote_literal(_OFFSET_TEXT)}, ''))"
        parts.append(f"CAST({_strptime(stripped, bare)} AS TIMESTAMP)")
    elif offset:
        parts.append(f"timezone({quote_literal(spec.timezone)}, {_strptime(text, offset)})")
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


_OFFSET_TEXT = r"\s*[+-]\d{2}:?\d{2}$"  # an offset at the end of a timestamp's text


def _with_offset(time_format: str) -> bool:
    return "%z" in time_format.replace("%%", "")


def period_time(column: str, *, zone: str | None, period_zone: str | None) -> str:
    """SQL for a timestamp column (local time in ``zone``) as local time in ``period_zone``,
    the zone periods are cut in (the column itself when there is none or it is the same)."""
    if not zone or not period_zone or zone == period_zone:
        return column
    return f"timezone({quote_literal(period_zone)}, timezone({quote_literal(zone)}, {column}))"


_PARSERS = {
    "text": lambda text, formats: text,
    "boolean": lambda text, formats: text,
    "integer": lambda text, formats: f"TRY_CAST(TRY_CAST({text} AS DOUBLE) AS BIGINT)",
    "double": lambda text, formats: f"TRY_CAST({text} AS DOUBLE)",
    "timestamp": lambda text, formats: f"CAST({_strptime(text, formats)} AS TIMESTAMP)",
    "date": lambda text, formats: f"CAST({_strptime(text, formats)} AS DATE)",
}


def _in_zone(value: str, kind: str, source_zone: str, target_zone: str | None) -> str:
    if kind != "timestamp" or not target_zone or target_zone == source_zone:
        return value
    return (
        f"timezone({quote_literal(target_zone)}, timezone({quote_literal(source_zone)}, {value}))"
    )


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
        f"{_typed(_checked(text, columns, f'events.aggregates.{name}', spec), name, spec)} "
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
        f"WHEN {_checked(rule.where, collapsed, f'events.filters[{i}].where', spec)} "
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


def count_ledger(con: Connection, spec: SourceSpec, *, raw: str, used: int | None = None) -> Ledger:
    """Rows in, counted in the source; used, counted in the canonical table; excluded, listed.

    The three are counted apart, so :attr:`Ledger.balanced` is a real check. ``used`` is the
    canonical table's rows where the caller counted them while reading it (the metrics' one
    pass); an event log's used rows are its events, counted here.
    """
    row = quote_identifier(ROW_COLUMN)
    rows_in = _count(con, f"SELECT count(*) FROM {raw}")
    if used is None or spec.events:
        used = _count(con, _used_sql(spec))
    counts = dict(con.execute("SELECT reason, count(*) FROM _excluded GROUP BY ALL").fetchall())
    sql = (
        f"SELECT e.{row} AS row, e.reason, raw.* EXCLUDE ({row}) FROM _excluded e "
        f"JOIN {raw} raw USING ({row}) ORDER BY row"
    )
    # none excluded: the columns only, without reading the source again
    excluded = con.execute(sql if counts else f"{sql} LIMIT 0").df()
    ledger = Ledger(
        spec.path or spec.name,
        rows_in,
        {"used": used} | counts,
        excluded,
        table=spec.table,
        label={str(lang): text for lang, text in spec.label.items()},
    )
    if not ledger.balanced:
        raise RuntimeError(
            f"ledger does not balance for {ledger.source}: {counts}, {used} used vs {rows_in} in"
        )
    return ledger


def _count(con: Connection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None  # a count(*) query returns one row
    return int(row[0])


def _used_sql(spec: SourceSpec) -> str:
    """Source rows behind the canonical table: its rows, or an event log's rows of its tickets."""
    if not spec.events:
        return f"SELECT count(*) FROM {CANONICAL_VIEW}"
    key, target = quote_identifier(spec.events.key), quote_identifier(KEYS[spec.table])
    return (
        f"SELECT count(*) FROM _staged WHERE _reason IS NULL "
        f"AND {key} IN (SELECT {target} FROM {CANONICAL_VIEW})"
    )
