"""Metric sets (``params/metrics/*.yaml``): the kinds of metric, the models, loading, checks.

A metric is one SQL aggregate over a canonical table, grouped by employee and period, the
period taken from a named timestamp. Kinds live in :data:`KINDS` (ratio, count, sum, mean,
median, percentile, sum_ratio), each one SQL template. A set is checked when it is loaded:
its period columns must be timestamps of their tables and every expression must pass
:func:`~kpi_toolkit.records.sql_guard.check_expression` over its table's columns; every
problem is reported at once with its key path and line. :mod:`kpi_toolkit.records.metrics`
computes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import field_validator, model_validator

from ..errors import InputError, Problem
from ..loader import load_spec
from .sources import Frozen, resolve_param
from .sql_guard import check_expression
from .tables import TABLES, TableName

__all__ = [
    "EXPRESSION_PARTS",
    "KINDS",
    "Kind",
    "MetricSet",
    "MetricSpec",
    "check_metric_set",
    "load_metrics",
    "metric_expressions",
]


@dataclass(frozen=True)
class Kind:
    """A metric kind: which parts it needs, its SQL, and its value when there are no rows."""

    needs: tuple[str, ...]
    sql: Callable[[Mapping[str, str]], str]
    empty: float | None = None


def _filtered(call: str, *conditions: str) -> str:
    """``call`` over the rows where every condition holds; a condition ``true`` (a part left
    at its default) is left out, so the SQL is the one a person would write.

    Examples
    --------
    >>> _filtered("count(*)", "true", "csat >= 4")
    'count(*) FILTER (WHERE (csat >= 4))'
    """
    kept = " AND ".join(f"({c})" for c in conditions if c != "true")
    return f"{call} FILTER (WHERE {kept})" if kept else call


def _ratio(p: Mapping[str, str]) -> str:
    rows = _filtered("count(*)", p["filter"], p["denominator"], p["numerator"])
    base = _filtered("count(*)", p["filter"], p["denominator"])
    return f"CAST({rows} AS DOUBLE) / nullif({base}, 0)"


def _sum_ratio(p: Mapping[str, str]) -> str:
    numerator = _filtered(f"sum({p['numerator']})", p["filter"])
    denominator = _filtered(f"sum({p['denominator']})", p["filter"])
    return f"{numerator} / nullif({denominator}, 0)"


KINDS: Mapping[str, Kind] = {
    "count": Kind((), lambda p: _filtered("count(*)", p["filter"]), empty=0.0),
    "ratio": Kind(("numerator",), _ratio),
    "sum": Kind(("value",), lambda p: _filtered(f"sum({p['value']})", p["filter"]), 0.0),
    "mean": Kind(("value",), lambda p: _filtered(f"avg({p['value']})", p["filter"])),
    "median": Kind(("value",), lambda p: _filtered(f"median({p['value']})", p["filter"])),
    "percentile": Kind(
        ("value", "q"),
        lambda p: _filtered(f"quantile_cont({p['value']}, {p['q']})", p["filter"]),
    ),
    "sum_ratio": Kind(("numerator", "denominator"), _sum_ratio),
}
EXPRESSION_PARTS = ("filter", "numerator", "denominator", "value")


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
    by: str | None = None
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
    extra_columns: Mapping[TableName, tuple[str, ...]] = {}
    metrics: dict[str, MetricSpec]
    file: str | None = None

    def columns_of(self, table: str) -> set[str]:
        """The columns its metrics may read in ``table``: canonical, and declared extra ones
        (which a source mapping provides under its ``extra_columns``)."""
        extra = next((names for t, names in self.extra_columns.items() if t == table), ())
        return set(TABLES[table]) | set(extra)

    def table_of(self, metric: MetricSpec) -> TableName:
        return metric.table or self.table

    def period_of(self, metric: MetricSpec) -> str:
        table = self.table_of(metric)
        return metric.period_from or self.periods.get(table) or _default_period(table)


def _default_period(table: str) -> str:
    return next(name for name, dtype in TABLES[table].items() if dtype == "TIMESTAMP")


def load_metrics(name: str | Path = "seed") -> MetricSet:
    """Read a metric set by name (``params/metrics/NAME.yaml``) or path.

    Raises
    ------
    InputError
        Every problem at once, each with its key path and line: a bad key or kind, a
        period column that is not a timestamp of its table, an expression refused by
        :func:`~kpi_toolkit.records.sql_guard.check_expression`.
    """
    path = resolve_param(name, "metrics")
    metric_set = load_spec(path, model=MetricSet, checks=check_metric_set)
    return metric_set.model_copy(update={"file": str(path)})


def check_metric_set(metric_set: MetricSet) -> list[Problem]:
    """The columns a metric set names: period timestamps, and those of every expression."""
    periods = metric_set.periods.items()
    problems = [p for t, c in periods for p in _period_problems(c, t, f"periods.{t}")]
    for metric_id, metric in metric_set.metrics.items():
        table = metric_set.table_of(metric)
        if metric.period_from is not None:
            where = f"metrics.{metric_id}.period_from"
            problems += _period_problems(metric.period_from, table, where)
        try:
            metric_expressions(metric_id, metric, columns=metric_set.columns_of(table))
        except InputError as error:
            problems += error.problems
        if metric.by is not None and metric.by not in metric_set.columns_of(table):
            allowed = (
                f"a column of table {table}: {', '.join(sorted(metric_set.columns_of(table)))}"
            )
            problems.append(
                Problem(f"metrics.{metric_id}.by", "column not found", metric.by, allowed)
            )
    return problems


def _period_problems(column: str, table: str, where: str) -> list[Problem]:
    stamps = [name for name, dtype in TABLES[table].items() if dtype == "TIMESTAMP"]
    if column in stamps:
        return []
    message = "not a timestamp column" if column in TABLES[table] else "column not found"
    allowed = f"the timestamp columns of table {table}: {', '.join(stamps)}"
    return [Problem(where, message, column, allowed)]


def metric_expressions(
    metric_id: str, metric: MetricSpec, *, columns: set[str], file: str | None = None
) -> dict[str, Any]:
    """The metric's parts: each expression checked (every part refused is raised at once),
    with ``q`` and ``_kind``.

    Examples
    --------
    >>> spec = MetricSpec(kind="ratio", numerator="csat >= 4")
    >>> metric_expressions("csat", spec, columns={"csat"})["numerator"].columns
    frozenset({'csat'})
    """
    parts: dict[str, Any] = {"denominator": check_expression("true", columns=columns, where="")}
    problems: list[Problem] = []
    for part in EXPRESSION_PARTS:
        text = getattr(metric, part)
        where = f"metrics.{metric_id}.{part}"
        try:
            if text is not None:
                parts[part] = check_expression(text, columns=columns, where=where, file=file)
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    return parts | {"q": metric.q, "_kind": metric.kind}
