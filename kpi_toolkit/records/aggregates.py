"""The metrics' SQL: one aggregate per employee and period over the canonical view.

Every metric of a table is one aggregate of one query (``GROUP BY ALL``), which also counts
the rows it reads (the ledger's used rows) and the timestamps outside the calendar; a metric
with ``by`` has its figure per value of the column too. What DuckDB refuses is found by
:func:`metric_probes`, each expression alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from ..breakdown import breakdown_column
from ..periods import Grain, Period
from .calendar import CalendarSpec
from .clocks import refuse_outside_calendar
from .metric_sets import EXPRESSION_PARTS, KINDS, MetricSet, MetricSpec
from .sql_guard import Connection, Expression, Probe, quote_identifier

__all__ = ["aggregate", "breakdowns", "join_wide", "metric_probes", "with_breakdowns"]


_PERIOD_INDEX: Mapping[str, str] = {"month": "month({})", "quarter": "quarter({})", "year": "1"}


def aggregate(
    con: Connection,
    parsed: Mapping[str, Mapping[str, Any]],
    period: str | None,
    grain: Grain,
    *,
    calendar: CalendarSpec,
    source: str,
    names: Mapping[str, str],
) -> tuple[pd.DataFrame, int | None]:
    """One row per employee and period: each metric's figure; and the rows read (the
    canonical table's, counted in the same pass: ``None`` when there was no pass).

    ``period`` is the SQL of the timestamp that places a row in a period (in the zone
    periods are cut in).
    """
    if not parsed or period is None:
        return pd.DataFrame(columns=["employee_id", "period", *parsed]), None
    selects = [
        f"{_metric_sql(parts, names)} AS {quote_identifier(mid)}" for mid, parts in parsed.items()
    ]
    checks = [
        f"count(*) FILTER (WHERE {quote_identifier(c)} IS NOT NULL AND {quote_identifier(n)} "
        f"IS NULL) AS {quote_identifier(f'_out_{c}')}"
        for c, n in names.items()
    ]
    sql = (
        f"SELECT employee_id, year({period}) AS _year, "
        f"{_PERIOD_INDEX[grain].format(period)} AS _index, "
        f"{', '.join(selects + checks)}, count(*) AS _rows FROM {source} GROUP BY ALL ORDER BY ALL"
    )
    frame = con.execute(sql).df()
    refuse_outside_calendar(frame, list(names), calendar)
    rows = int(frame["_rows"].sum())
    frame = frame.drop(columns=["_rows", *(f"_out_{c}" for c in names)])
    return _with_period_text(frame, grain), rows


def breakdowns(
    con: Connection,
    parsed: Mapping[str, Mapping[str, Any]],
    by: Mapping[str, str],
    period: str,
    grain: Grain,
    *,
    source: str,
    names: Mapping[str, str],
) -> dict[str, pd.DataFrame]:
    """Per metric with ``by``: its figure per employee, period and value of the column
    (``employee_id, period, value, figure``; rows without a value are in the total only)."""
    frames = {}
    for metric_id, column in by.items():
        sql = (
            f"SELECT employee_id, year({period}) AS _year, "
            f"{_PERIOD_INDEX[grain].format(period)} AS _index, "
            f"CAST({quote_identifier(column)} AS VARCHAR) AS value, "
            f"{_metric_sql(parsed[metric_id], names)} AS figure FROM {source} "
            f"WHERE {quote_identifier(column)} IS NOT NULL GROUP BY ALL ORDER BY ALL"
        )
        frames[metric_id] = _with_period_text(con.execute(sql).df(), grain)
    return frames


def with_breakdowns(
    actuals: pd.DataFrame, figures: Mapping[str, pd.DataFrame], chosen: Mapping[str, MetricSpec]
) -> pd.DataFrame:
    """The actuals with one column ``<metric>[<value>]`` per value of each breakdown, after
    the metric's own column; a count is 0 where a person has none of a value's rows."""
    wide = actuals.set_index(["employee_id", "period"])
    columns: list[str] = []
    for metric_id in wide.columns:
        columns.append(metric_id)
        if metric_id not in figures:
            continue
        per_value = figures[metric_id].pivot(
            index=["employee_id", "period"], columns="value", values="figure"
        )
        per_value.columns = [breakdown_column(metric_id, v) for v in per_value.columns]
        empty = KINDS[chosen[metric_id].kind].empty
        wide = wide.join(per_value)
        if empty is not None:  # a count: 0 where none of the value's rows, whole like its total
            filled = wide[list(per_value.columns)].fillna(empty)
            wide[list(per_value.columns)] = filled.astype(wide[metric_id].dtype)
        columns += list(per_value.columns)
    return wide[columns].reset_index()


def _metric_sql(
    parts: Mapping[str, Any], names: Mapping[str, str], *, only: str | None = None
) -> str:
    """The metric's aggregate; with ``only``, every other expression part is NULL."""
    quoted = {column: quote_identifier(name) for column, name in names.items()}
    texts = {
        k: (v.with_clocks(quoted) if only in (None, k) else "NULL")
        if isinstance(v, Expression)
        else v
        for k, v in parts.items()
    }
    return KINDS[parts["_kind"]].sql(texts)


def metric_probes(
    parsed: Mapping[str, Mapping[str, Any]], names: Mapping[str, str], source: str
) -> Iterator[Probe]:
    """Each expression part of each metric alone, then each metric whole (after an error)."""
    for metric_id, parts in parsed.items():
        for part in EXPRESSION_PARTS:
            expression = parts.get(part)
            if isinstance(expression, Expression):
                sql = f"SELECT {_metric_sql(parts, names, only=part)} FROM {source}"
                yield Probe(f"metrics.{metric_id}.{part}", sql, expression.text)
    for metric_id, parts in parsed.items():
        sql = f"SELECT {_metric_sql(parts, names)} FROM {source}"
        needs = frozenset(f"metrics.{metric_id}.{part}" for part in EXPRESSION_PARTS)
        yield Probe(f"metrics.{metric_id}", sql, needs=needs)


def _with_period_text(frame: pd.DataFrame, grain: Grain) -> pd.DataFrame:
    pairs = frame[["_year", "_index"]].drop_duplicates()
    text = {(y, i): str(Period(int(y), grain, int(i))) for y, i in pairs.itertuples(index=False)}
    keys = pd.MultiIndex.from_frame(frame[["_year", "_index"]])
    frame.insert(1, "period", keys.map(text))
    return frame.drop(columns=["_year", "_index"])


def join_wide(frames: list[pd.DataFrame], metric_set: MetricSet) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=["employee_id", "period"])
    wide = frames[0]
    for frame in frames[1:]:
        wide = wide.merge(frame, on=["employee_id", "period"], how="outer")
    fills = {
        m: KINDS[s.kind].empty
        for m, s in metric_set.metrics.items()
        if m in wide and KINDS[s.kind].empty is not None
    }
    return wide.fillna(fills).sort_values(["employee_id", "period"], ignore_index=True)
