"""Metric definitions (``params/metrics/*.yaml``) and their computation by DuckDB.

A metric is one SQL aggregate over a canonical table, grouped by employee and period, the
period taken from a named timestamp. Kinds live in :data:`KINDS` (ratio, count, sum, mean,
median, percentile, sum_ratio). Expressions are confined (:mod:`kpi_toolkit.records.sql_guard`) and
may call ``working_minutes(a, b)``, ``working_hours(a, b)`` and ``working_days(a, b)``,
which join the working-day calendar (:mod:`kpi_toolkit.records.calendar`) in SQL.

Ratios are fractions (0.93). The result is a wide DataFrame ``employee_id, period, <metric>...``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from pydantic import field_validator, model_validator

from ..errors import InputError, Problem
from ..periods import Grain, Period
from .calendar import CalendarSpec, covered_years, load_calendar, slot_table
from .ledger import CANONICAL_VIEW, Ledger, build_canonical
from .sources import (
    ROW_COLUMN,
    Frozen,
    SourceSpec,
    load_model,
    load_source,
    read_raw,
    resolve_param,
    source_format,
)
from .sql_guard import Expression, check_expression, open_confined
from .tables import TABLES, TableName

__all__ = ["KINDS", "MetricSet", "MetricSpec", "MetricsResult", "compute", "compute_from_files"]

_SLOT_US = 60_000_000
_PERIOD_INDEX: Mapping[str, str] = {"month": "month({})", "quarter": "quarter({})", "year": "1"}


@dataclass(frozen=True)
class Kind:
    """A metric kind: which parts it needs, its SQL, and its value when there are no rows."""

    needs: tuple[str, ...]
    sql: Callable[[Mapping[str, str]], str]
    empty: float | None = None


def _ratio(p: Mapping[str, str]) -> str:
    base = f"({p['filter']}) AND ({p['denominator']})"
    return (
        f"CAST(count(*) FILTER (WHERE {base} AND ({p['numerator']})) AS DOUBLE)"
        f" / nullif(count(*) FILTER (WHERE {base}), 0)"
    )


KINDS: Mapping[str, Kind] = {
    "count": Kind((), lambda p: f"count(*) FILTER (WHERE {p['filter']})", empty=0.0),
    "ratio": Kind(("numerator",), _ratio),
    "sum": Kind(("value",), lambda p: f"sum({p['value']}) FILTER (WHERE {p['filter']})", 0.0),
    "mean": Kind(("value",), lambda p: f"avg({p['value']}) FILTER (WHERE {p['filter']})"),
    "median": Kind(("value",), lambda p: f"median({p['value']}) FILTER (WHERE {p['filter']})"),
    "percentile": Kind(
        ("value", "q"),
        lambda p: f"quantile_cont({p['value']}, {p['q']}) FILTER (WHERE {p['filter']})",
    ),
    "sum_ratio": Kind(
        ("numerator", "denominator"),
        lambda p: (
            f"sum({p['numerator']}) FILTER (WHERE {p['filter']}) / "
            f"nullif(sum({p['denominator']}) FILTER (WHERE {p['filter']}), 0)"
        ),
    ),
}
_EXPRESSION_PARTS = ("filter", "numerator", "denominator", "value")


class MetricSpec(Frozen):
    """One metric: ``kind`` plus the expressions that kind needs."""

    kind: str
    table: TableName | None = None
    period_from: str | None = None
    filter: str = "true"
    numerator: str | None = None
    denominator: str | None = None
    value: str | None = None
    q: float | None = None
    label: Mapping[str, str] = {}

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"unknown metric kind {kind!r}; allowed: {', '.join(KINDS)}")
        return kind

    @model_validator(mode="after")
    def _has_parts(self) -> MetricSpec:
        missing = [part for part in KINDS[self.kind].needs if getattr(self, part) is None]
        if missing:
            raise ValueError(f"kind {self.kind!r} needs {', '.join(missing)}")
        if self.q is not None and not 0 <= self.q <= 1:
            raise ValueError("q is a fraction between 0 and 1")
        return self


class MetricSet(Frozen):
    """A named set of metrics with default tables and period timestamps."""

    name: str
    description: str = ""
    table: TableName = "tickets"
    periods: Mapping[TableName, str] = {}
    metrics: dict[str, MetricSpec]
    file: str | None = None

    def table_of(self, metric: MetricSpec) -> str:
        return metric.table or self.table

    def period_of(self, metric: MetricSpec) -> str:
        table = self.table_of(metric)
        return metric.period_from or self.periods.get(table) or _default_period(table)


def _default_period(table: str) -> str:
    return next(name for name, dtype in TABLES[table].items() if dtype == "TIMESTAMP")


def load_metrics(name: str | Path = "seed") -> MetricSet:
    """Read a metric set by name (``params/metrics/NAME.yaml``) or path."""
    path = resolve_param(name, "metrics")
    return load_model(MetricSet, path).model_copy(update={"file": str(path)})


@dataclass(frozen=True)
class MetricsResult:
    """Actuals per employee and period, the ledger of the input rows, metrics not computed."""

    actuals: pd.DataFrame
    ledger: Ledger
    skipped: Mapping[str, str]


def compute_from_files(
    source: str | Path | SourceSpec,
    data: str | Path | None = None,
    *,
    grain: Grain = "month",
    period: Period | None = None,
    roster: pd.DataFrame | None = None,
    metrics: str | Path | None = None,
) -> MetricsResult:
    """Read one export as its source mapping says and compute its metrics' actuals.

    Parameters
    ----------
    source
        Source mapping YAML (path or built-in name, e.g. ``servicenow_incident_log``), or
        a mapping already read (:func:`kpi_toolkit.records.sources.load_source`).
    data
        The data file; overrides ``file`` in the mapping.
    grain
        ``month``, ``quarter`` or ``year``: how periods are written (``2026-07`` ...).
    period
        Keep only rows in this period (others go to the ledger as ``outside_period``).
    roster
        A DataFrame with ``employee_id``; other employees go to the ledger.
    metrics
        Metric set overriding the one the mapping names.
    """
    spec = source if isinstance(source, SourceSpec) else load_source(source)
    path = spec.data_path(data)
    kind = source_format(spec, path)
    parquet = kind == "parquet"
    raw = {} if parquet else {"_raw": read_raw(spec, path)}
    relations = raw | ({} if roster is None else {"_roster": roster[["employee_id"]]})
    with open_confined(relations, readable=[path] if parquet else []) as con:
        if parquet:
            con.execute(f"CREATE TEMP VIEW _raw AS {_parquet(path, spec)}")
        chosen = load_metrics(metrics or spec.metrics)
        return _run(con, spec, chosen, grain=grain, period=period, calendar=spec.calendar,
                    roster=roster is not None, materialize=kind != "parquet")  # fmt: skip


def _parquet(path: Path, spec: SourceSpec) -> str:
    if not path.is_file():
        raise InputError(
            Problem("data", "file not found", str(path), "an existing file", spec.path)
        )
    literal = "'" + str(path.resolve()).replace("'", "''") + "'"
    return (
        f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS {ROW_COLUMN} "
        f"FROM read_parquet({literal}, file_row_number = true)"
    )


def compute(
    tables: Mapping[str, pd.DataFrame],
    *,
    metrics: MetricSet | str | Path = "seed",
    grain: Grain = "month",
    period: Period | None = None,
    calendar: CalendarSpec | str = "cn_office",
) -> pd.DataFrame:
    """Actuals from canonical DataFrames (``{"tickets": df, "reports": df, ...}``).

    Every metric of the set whose table is given and whose columns are present is computed;
    the per-table results are joined into one wide table.
    """
    chosen = metrics if isinstance(metrics, MetricSet) else load_metrics(metrics)
    frames = []
    for table, frame in tables.items():
        spec = _identity_source(table, frame)
        raw = frame.assign(**{ROW_COLUMN: np.arange(1, len(frame) + 1)})
        with open_confined({"_raw": raw}) as con:
            result = _run(con, spec, chosen, grain=grain, period=period, calendar=calendar)
            frames.append(result.actuals)
    return _join_wide([f for f in frames if not f.empty], chosen)


def _identity_source(table: str, frame: pd.DataFrame) -> SourceSpec:
    fields = {name: name for name in frame.columns if name in TABLES[table]}
    return SourceSpec.model_validate({"name": table, "table": table, "fields": fields})


def _run(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    metric_set: MetricSet,
    *,
    grain: Grain,
    period: Period | None,
    calendar: CalendarSpec | str,
    roster: bool = False,
    materialize: bool = True,
) -> MetricsResult:
    calendar = calendar if isinstance(calendar, CalendarSpec) else load_calendar(calendar)
    chosen = {k: m for k, m in metric_set.metrics.items() if metric_set.table_of(m) == spec.table}
    period_column = _single_period(metric_set, chosen, spec)
    ledger = _guarded(lambda: build_canonical(
        con, spec, raw="_raw", period_column=period_column, period=period,
        roster="_roster" if roster else None, timezone=calendar.timezone,
        materialize=materialize), spec)  # fmt: skip
    available = {
        n for (n,) in con.execute(f"SELECT column_name FROM (DESCRIBE {CANONICAL_VIEW})").fetchall()
    }
    parsed, skipped = _parse_all(chosen, available, metric_set, spec.table)
    actuals = _guarded(lambda: _aggregate(con, parsed, period_column, grain, calendar), spec)
    return MetricsResult(actuals, ledger, skipped)


def _single_period(
    metric_set: MetricSet, chosen: Mapping[str, MetricSpec], spec: SourceSpec
) -> str | None:
    columns = {metric_set.period_of(m) for m in chosen.values()}
    if len(columns) > 1:
        raise InputError(Problem("periods", "metrics of one table must share one period timestamp",
                                 sorted(columns), "one column per table",
                                 metric_set.file))  # fmt: skip
    return columns.pop() if columns else None


def _guarded(action: Callable[[], Any], spec: SourceSpec) -> Any:
    """Run DuckDB work, turning an engine error into an :class:`InputError` naming the source."""
    try:
        return action()
    except duckdb.Error as error:
        message = str(error).splitlines()[0]
        raise InputError(Problem("SQL", f"the source could not be processed: {message}", None,
                                 "expressions valid for the mapped columns",
                                 spec.path)) from None  # fmt: skip


def _parse_all(
    chosen: Mapping[str, MetricSpec], available: set[str], metric_set: MetricSet, table: str
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    parsed: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    problems: list[Problem] = []
    for metric_id, metric in chosen.items():
        try:
            parts = _parse_metric(metric_id, metric, set(TABLES[table]), metric_set.file)
        except InputError as error:
            problems += error.problems
            continue
        missing = set().union(*(e.columns for e in parts.values() if isinstance(e, Expression)))
        if missing - available:
            skipped[metric_id] = f"columns not mapped: {', '.join(sorted(missing - available))}"
        else:
            parsed[metric_id] = parts | {"_kind": metric.kind}
    if problems:
        raise InputError(problems, title=f"{metric_set.file}: metric expressions refused")
    return parsed, skipped


def _parse_metric(
    metric_id: str, metric: MetricSpec, columns: set[str], file: str | None
) -> dict[str, Any]:
    parts: dict[str, Any] = {"denominator": check_expression("true", columns=columns, where="")}
    for part in _EXPRESSION_PARTS:
        text = getattr(metric, part)
        if text is not None:
            where = f"metrics.{metric_id}.{part}"
            parts[part] = check_expression(text, columns=columns, where=where, file=file)
    parts["q"] = metric.q
    return parts


def _aggregate(
    con: duckdb.DuckDBPyConnection,
    parsed: Mapping[str, Mapping[str, Any]],
    period_column: str | None,
    grain: Grain,
    calendar: CalendarSpec,
) -> pd.DataFrame:
    if not parsed or period_column is None:
        return pd.DataFrame(columns=["employee_id", "period", *parsed])
    clocks = sorted({c for parts in parsed.values() for e in parts.values()
                     if isinstance(e, Expression) for _, _, c in e.clock_refs})  # fmt: skip
    source = _with_clocks(con, clocks, calendar) if clocks else CANONICAL_VIEW
    names = {c: f"_clock_{c}" for c in clocks}
    selects = [f'{_metric_sql(parts, names)} AS "{mid}"' for mid, parts in parsed.items()]
    checks = [f"count(*) FILTER (WHERE \"{c}\" IS NOT NULL AND {names[c]} IS NULL) AS \"_out_{c}\""
              for c in clocks]  # fmt: skip
    column = f'"{period_column}"'
    sql = (
        f"SELECT employee_id, year({column}) AS _year, "
        f"{_PERIOD_INDEX[grain].format(column)} AS _index, "
        f"{', '.join(selects + checks)} FROM {source} GROUP BY ALL ORDER BY ALL"
    )
    frame = con.execute(sql).df()
    _refuse_outside_calendar(frame, clocks, calendar)
    return _with_period(frame.drop(columns=[f"_out_{c}" for c in clocks]), grain)


def _metric_sql(parts: Mapping[str, Any], names: Mapping[str, str]) -> str:
    texts = {
        k: (v.with_clocks(names) if isinstance(v, Expression) else v) for k, v in parts.items()
    }
    return KINDS[parts["_kind"]].sql(texts)


def _with_clocks(con: duckdb.DuckDBPyConnection, clocks: list[str], calendar: CalendarSpec) -> str:
    """Register the slot table and working-time macros; return a FROM with clock columns."""
    first, last = _calendar_span(calendar)
    table = slot_table(first, last, calendar=calendar)
    con.register("_workcal", table.frame())
    slot_us = table.slot_minutes * _SLOT_US
    for name, scale in (
        ("working_minutes", 1.0),
        ("working_hours", 60.0),
        ("working_days", calendar.day_minutes),
    ):
        con.execute(f"CREATE OR REPLACE TEMP MACRO {name}(a, b) AS (b - a) / {scale}")
    joins = " ".join(f'LEFT JOIN _workcal k{i} ON k{i}.slot = epoch_us(t."{c}") // {slot_us}'
                     for i, c in enumerate(clocks))  # fmt: skip
    values = ", ".join(f'k{i}.cumulative + k{i}.working * '
                       f'((epoch_us(t."{c}") % {slot_us}) / {_SLOT_US}.0) '
                       f"AS _clock_{c}" for i, c in enumerate(clocks))  # fmt: skip
    return f"(SELECT t.*, {values} FROM {CANONICAL_VIEW} t {joins})"


def _calendar_span(calendar: CalendarSpec) -> tuple[date, date]:
    """Days the slot table covers: the holiday package's years, wider with a weekday fallback."""
    years = covered_years() if calendar.fallback == "error" else (2000, 2050)
    return date(years[0], 1, 1), date(years[1], 12, 31)


def _refuse_outside_calendar(
    frame: pd.DataFrame, clocks: list[str], calendar: CalendarSpec
) -> None:
    outside = {c: int(frame[f"_out_{c}"].sum()) for c in clocks if frame[f"_out_{c}"].sum()}
    if outside:
        first, last = _calendar_span(calendar)
        raise InputError([Problem(c, f"{n} timestamps outside the working-day calendar", None,
                                  f"{first} … {last} (or 'fallback: weekdays')", calendar.file)
                          for c, n in outside.items()])  # fmt: skip


def _with_period(frame: pd.DataFrame, grain: Grain) -> pd.DataFrame:
    pairs = frame[["_year", "_index"]].drop_duplicates()
    text = {(y, i): str(Period(int(y), grain, int(i))) for y, i in pairs.itertuples(index=False)}
    keys = pd.MultiIndex.from_frame(frame[["_year", "_index"]])
    frame.insert(1, "period", keys.map(text))
    return frame.drop(columns=["_year", "_index"])


def _join_wide(frames: list[pd.DataFrame], metric_set: MetricSet) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=["employee_id", "period"])
    wide = frames[0]
    for frame in frames[1:]:
        wide = wide.merge(frame, on=["employee_id", "period"], how="outer")
    fills = {m: KINDS[s.kind].empty for m, s in metric_set.metrics.items()
             if m in wide and KINDS[s.kind].empty is not None}  # fmt: skip
    return wide.fillna(fills).sort_values(["employee_id", "period"], ignore_index=True)
