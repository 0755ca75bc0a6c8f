"""Metrics computed by DuckDB: one export (or canonical DataFrames) to actuals.

The metric sets, their kinds and checks are in :mod:`kpi_toolkit.records.metric_sets`; the
rows are staged and counted by :mod:`~kpi_toolkit.records.staging` and
:mod:`~kpi_toolkit.records.ledger`, aggregated by :mod:`~kpi_toolkit.records.aggregates`.
Expressions are confined (:mod:`kpi_toolkit.records.sql_guard`) and may call
``working_minutes(a, b)``, ``working_hours(a, b)`` and ``working_days(a, b)``, which join
the working-day calendar (:mod:`kpi_toolkit.records.calendar`) in SQL. What DuckDB still
refuses is reported at the key path and line of the expression that fails.

Ratios are fractions (0.93). The result is a wide DataFrame ``employee_id, period, <metric>...``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..loader import with_lines
from ..periods import Grain, Period
from .aggregates import aggregate, breakdowns, join_wide, metric_probes, with_breakdowns
from .calendar import CalendarSpec, load_calendar
from .clocks import clock_source
from .engines import Engine, engine_of
from .ledger import CANONICAL_VIEW, Ledger, build_canonical, count_ledger, period_time
from .metric_sets import (
    KINDS,
    MetricSet,
    MetricSpec,
    check_metric_set,
    load_metrics,
    metric_expressions,
)
from .sources import (
    ROW_COLUMN,
    SourceSpec,
    load_source,
    read_raw,
    source_format,
)
from .sql_guard import (
    Connection,
    Expression,
    database_errors,
    database_message,
    open_confined,
    quote_identifier,
    quote_literal,
)
from .tables import TABLES

# KINDS, MetricSet, MetricSpec, check_metric_set and load_metrics are defined in
# metric_sets and named here too: the metrics are used where they are computed.
__all__ = [
    "KINDS",
    "MetricSet",
    "MetricSpec",
    "MetricsResult",
    "check_metric_set",
    "compute",
    "compute_from_files",
    "load_metrics",
]


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
    metrics: str | Path | MetricSet | None = None,
    engine: Engine | str | None = None,
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
        Metric set overriding the one the mapping names (a path or name, or a set already
        read: a bundle reads its set once for all its sources).
    engine
        ``duckdb`` (default), ``spark`` or an :class:`~kpi_toolkit.records.engines.Engine`;
        ``None``: the environment's (``KPI_ENGINE``). The same SQL, the same answer.
    """
    with with_lines():  # problems found while computing name their key path and line
        spec = source if isinstance(source, SourceSpec) else load_source(source)
        chosen = (
            metrics
            if isinstance(metrics, MetricSet)
            else load_metrics(metrics or spec.param("metrics", "metrics"))
        )
        calendar = load_calendar(spec.param("calendar", "calendar"))
        used = engine_of(engine)
        if used.spark:
            return _on_spark(used, spec, data, chosen, calendar, grain, period, roster)
        if spec.spark_table is not None:
            raise InputError(
                Problem(
                    "spark_table",
                    "a Spark table is read by the Spark engine only",
                    spec.spark_table,
                    "--engine spark, or a data file (file: / --data)",
                    spec.path,
                )
            )
        path = spec.data_path(data)
        kind = source_format(spec, path)
        raw = {} if kind == "parquet" else {"_raw": read_raw(spec, path)}
        relations = _relations(raw, roster)
        readable = parquet_files(path, spec) if kind == "parquet" else []
        with open_confined(relations, readable=readable) as con:
            if kind == "parquet":
                _register_parquet(con, path, spec)
            return _run(
                con,
                spec,
                chosen,
                grain=grain,
                period=period,
                calendar=calendar,
                roster=roster is not None,
                materialize=kind != "parquet",
            )


def _on_spark(
    engine: Engine,
    spec: SourceSpec,
    data: str | Path | None,
    chosen: MetricSet,
    calendar: CalendarSpec,
    grain: Grain,
    period: Period | None,
    roster: pd.DataFrame | None,
) -> MetricsResult:
    """:func:`compute_from_files` on Spark: the same SQL, rendered for Spark.

    CSV and XLSX exports are read by the toolkit's reader (its checks and line numbers) and
    handed to Spark; Parquet files and folders, and catalog tables (``spark_table``), are
    read by Spark itself.
    """
    from .spark import open_spark

    table = spec.spark_table if data is None else None
    path = None if table is not None else spec.data_path(data)
    kind = "table" if path is None else source_format(spec, path)
    raw = {"_raw": read_raw(spec, path)} if path is not None and kind != "parquet" else {}
    relations = _relations(raw, roster)
    with open_spark(engine, relations) as con:
        if table is not None:
            con.register_table("_raw", table, source=spec.path)
        elif kind == "parquet" and path is not None:
            con.register_parquet("_raw", path, source=spec.path)
        return _run(
            con,
            spec,
            chosen,
            grain=grain,
            period=period,
            calendar=calendar,
            roster=roster is not None,
            materialize=kind not in {"parquet", "table"},
        )


def _relations(
    raw: dict[str, pd.DataFrame], roster: pd.DataFrame | None
) -> dict[str, pd.DataFrame]:
    """The tables handed to the engine: the export read (if any) and the roster's ids, as
    text as in the canonical tables (a roster read with numeric ids compares)."""
    ids = None if roster is None else roster[["employee_id"]].astype("string")
    return raw | ({} if ids is None else {"_roster": ids})


def _register_parquet(con: Connection, path: Path, spec: SourceSpec) -> None:
    try:
        con.execute(f"CREATE TEMP VIEW _raw AS {_parquet(path, spec)}")
    except duckdb.Error as error:
        message = f"cannot read as Parquet: {database_message(error)}"
        problem = Problem("(whole file)", message, None, "a Parquet file or folder", str(path))
        raise InputError(problem) from None


def parquet_files(path: Path, spec: SourceSpec) -> list[Path]:
    """A Parquet file, or the ``*.parquet`` files of a folder (partitioned folders
    ``month=1/…`` included; names starting with ``_`` or ``.`` skipped, as Spark does),
    in path order."""
    folder = path.resolve()
    if folder.is_file():
        return [folder]
    files = sorted(
        f
        for f in folder.glob("**/*.parquet")
        if f.is_file() and not any(p.startswith(("_", ".")) for p in f.relative_to(folder).parts)
    )
    if not files:
        allowed = "an existing Parquet file, or a folder of Parquet files"
        raise InputError(Problem("data", "file not found", str(path), allowed, spec.path))
    return files


def _parquet(path: Path, spec: SourceSpec) -> str:
    """The query reading a Parquet file or folder (hive partitioning: ``month=1`` a column),
    rows numbered from 1, file after file in path order (as on Spark)."""
    files = parquet_files(path, spec)
    literal = "[" + ", ".join(quote_literal(str(file)) for file in files) + "]"
    if path.resolve().is_file():
        return (
            f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS {ROW_COLUMN} "
            f"FROM read_parquet({literal}, file_row_number = true)"
        )
    return (  # a folder: each file's rows after those of the files before it
        f"SELECT r.* EXCLUDE (file_row_number, _kpi_file), "
        f"r.file_row_number + 1 + o._kpi_offset AS {ROW_COLUMN} "
        f"FROM read_parquet({literal}, hive_partitioning = true, filename = '_kpi_file', "
        f"file_row_number = true) r JOIN (SELECT file_name, "
        f"sum(num_rows) OVER (ORDER BY file_name) - num_rows AS _kpi_offset "
        f"FROM parquet_file_metadata({literal})) o ON r._kpi_file = o.file_name"
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
    with with_lines():
        chosen = metrics if isinstance(metrics, MetricSet) else load_metrics(metrics)
        frames = []
        for table, frame in tables.items():
            spec = _identity_source(table, frame)
            raw = frame.assign(**{ROW_COLUMN: np.arange(1, len(frame) + 1)})
            with open_confined({"_raw": raw}) as con:
                result = _run(con, spec, chosen, grain=grain, period=period, calendar=calendar)
                frames.append(result.actuals)
    return join_wide([f for f in frames if not f.empty], chosen)


def _identity_source(table: str, frame: pd.DataFrame) -> SourceSpec:
    fields = {name: name for name in frame.columns if name in TABLES[table]}
    return SourceSpec.model_validate({"name": table, "table": table, "fields": fields})


def _run(
    con: Connection,
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
    chosen, unmapped = _with_period(metric_set, spec)
    period_column = _single_period(metric_set, chosen)
    build_canonical(
        con,
        spec,
        raw="_raw",
        period_column=period_column,
        period=period,
        roster="_roster" if roster else None,
        timezone=calendar.timezone,
        period_timezone=spec.period_timezone,
        materialize=materialize,
    )
    available = {
        n for (n,) in con.execute(f"SELECT column_name FROM (DESCRIBE {CANONICAL_VIEW})").fetchall()
    }
    parsed, skipped = _parse_all(chosen, available, metric_set, spec.table)
    source, names = clock_source(con, parsed, calendar)
    probes = functools.partial(metric_probes, parsed, names, source)
    period_sql = (
        None
        if period_column is None
        else period_time(
            quote_identifier(period_column),
            zone=calendar.timezone,
            period_zone=spec.period_timezone,
        )
    )
    with database_errors(con, probes=probes, file=metric_set.file, fallback="metrics"):
        actuals, used = aggregate(
            con, parsed, period_sql, grain, calendar=calendar, source=source, names=names
        )
        by = {m: str(chosen[m].by) for m in parsed if chosen[m].by is not None}
        if by and period_sql is not None:
            figures = breakdowns(con, parsed, by, period_sql, grain, source=source, names=names)
            actuals = with_breakdowns(actuals, figures, chosen)
    ledger = count_ledger(con, spec, raw="_raw", used=used)
    return MetricsResult(actuals, ledger, unmapped | skipped)


def _with_period(
    metric_set: MetricSet, spec: SourceSpec
) -> tuple[dict[str, MetricSpec], dict[str, str]]:
    """The metrics of the source's table whose period column it maps, and why the others
    are skipped."""
    mine = {k: m for k, m in metric_set.metrics.items() if metric_set.table_of(m) == spec.table}
    unmapped = {
        k: f"period column not mapped: {metric_set.period_of(m)}"
        for k, m in mine.items()
        if metric_set.period_of(m) not in spec.produced
    }
    return {k: m for k, m in mine.items() if k not in unmapped}, unmapped


def _single_period(metric_set: MetricSet, chosen: Mapping[str, MetricSpec]) -> str | None:
    columns = {metric_set.period_of(m) for m in chosen.values()}
    if len(columns) > 1:
        raise InputError(
            Problem(
                "periods",
                "metrics of one table must share one period timestamp",
                sorted(columns),
                "one column per table",
                metric_set.file,
            )
        )
    return columns.pop() if columns else None


def _parse_all(
    chosen: Mapping[str, MetricSpec], available: set[str], metric_set: MetricSet, table: str
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    parsed: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    problems: list[Problem] = []
    for metric_id, metric in chosen.items():
        try:
            parts = metric_expressions(
                metric_id, metric, columns=metric_set.columns_of(table), file=metric_set.file
            )
        except InputError as error:
            problems += error.problems
            continue
        missing = set().union(*(e.columns for e in parts.values() if isinstance(e, Expression)))
        missing |= {metric.by} if metric.by else set()
        if missing - available:
            skipped[metric_id] = f"columns not mapped: {', '.join(sorted(missing - available))}"
        else:
            parsed[metric_id] = parts
    if problems:
        raise InputError(problems, title=f"{metric_set.file}: metric expressions refused")
    return parsed, skipped
