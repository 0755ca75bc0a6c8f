"""Points per KPI for the people of one position: rules applied to whole columns, personal
targets and weights of work-objective plans, the missing-value policies, flag texts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..labels import Lang, label
from .plans import personal_columns, plan_flags
from .rules import Rule, Target
from .scheme import Kpi, Position, Scheme
from .table_checks import ROW

__all__ = ["ID_COLUMNS", "join_flags", "position_points", "score_position"]

ID_COLUMNS = ["employee_id", "name", "position", "team", "period"]


def _join_flags(*columns: pd.Series) -> pd.Series:
    """Join flag texts column by column with "; ", skipping blanks (vectorised)."""
    texts = [c for c in columns if (c.notna() & (c != "")).any()] or list(columns[:1])
    parts = [c.astype(object).where(c.notna(), "") for c in texts]
    joined = parts[0].astype(str)
    for part in parts[1:]:
        joined = joined + np.where((joined != "") & (part != ""), "; ", "") + part
    return joined


def position_points(
    values: pd.DataFrame,
    position: Position,
    *,
    missing: str,
    lang: Lang = "zh",
    targets: pd.DataFrame | None = None,
    weights: pd.DataFrame | None = None,
    file: str | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Points per KPI for people of one position, with missing actuals handled.

    Returns the points (a column per KPI) and a flag text per row. Policies: ``error``
    refuses; ``zero`` scores the KPI 0; ``exclude`` re-spreads the KPI's weight over the
    others in proportion (so the total still runs 0–100).

    ``targets`` and ``weights`` (aligned with ``values``, a column per KPI, NaN where the
    scheme's applies) are each person's planned ones: a personal target replaces the one
    the rule reads; under a personal weight an actual earns the same share of it as of the
    scheme's weight (as :meth:`Scheme.with_weights` scales a rule). ``file``: the actuals
    file, named (with the row) where a blank actual is refused.
    """
    points = {}
    flags = pd.Series("", index=values.index, dtype=object)
    respread = np.zeros(len(values))
    total_weight = np.zeros(len(values))
    blank: list[Problem] = []
    for kpi in position.kpis:
        actual = (
            values[kpi.id].to_numpy(dtype=float)
            if kpi.id in values
            else np.full(len(values), np.nan)
        )
        weight = _personal(weights, kpi.id, kpi.weight, len(values))
        rule, target = _target(kpi, targets)
        # a KPI weighted 0 (a scenario's slider at 0) scores 0 under the scheme's weight
        factor = weight / kpi.weight if kpi.weight else np.ones(len(values))
        raw = rule.points(actual, weight=kpi.weight, target=target) * factor
        got = np.clip(raw, 0, kpi.ceiling * factor)
        total_weight += weight
        gap = np.isnan(actual)
        policy = kpi.missing or missing
        if gap.any() and policy == "error":
            blank += _missing(values.loc[gap], kpi.id, file=file)
        if policy == "zero":
            got = np.where(gap, 0.0, got)
        elif policy == "exclude":
            respread += np.where(gap, weight, 0.0)
        key = "flag.zero" if policy == "zero" else "flag.respread"
        if gap.any():
            text = label(key, lang, kpi=kpi.name.get(lang))
            flags[gap] = (flags[gap] + "; ").str.lstrip("; ") + text
        points[kpi.id] = got
    if blank:
        raise DataError(blank, title=f"missing actuals: {len(blank)} value(s)")
    table = pd.DataFrame(points, index=values.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(respread < total_weight, total_weight / (total_weight - respread), np.nan)
    return table.mul(factor, axis=0), flags


def _personal(table: pd.DataFrame | None, kpi_id: str, default: float, n: int) -> np.ndarray:
    """A person's planned value of ``kpi_id`` where there is one, else ``default``."""
    if table is None or kpi_id not in table:
        return np.full(n, default)
    return table[kpi_id].fillna(default).to_numpy(dtype=float)


def _target(kpi: Kpi, targets: pd.DataFrame | None) -> tuple[Rule, Target]:
    """The rule and the target(s) it scores against: each person's planned target where
    there is one (the rule then reads the target given, not one it fixes itself)."""
    planned = None if targets is None or kpi.id not in targets else targets[kpi.id]
    if planned is None or planned.isna().all():
        return kpi.rule, kpi.target
    default = kpi.rule.target_of(kpi.target)
    fallback = np.nan if default is None else default
    return kpi.rule.retargeted(), planned.fillna(fallback).to_numpy(dtype=float)


def _missing(rows: pd.DataFrame, kpi_id: str, *, file: str | None) -> list[Problem]:
    """A problem for every blank actual of ``kpi_id``, each by its row of the actuals file
    where known."""
    numbers = rows.get(f"{ROW}_actuals", pd.Series(None, index=rows.index, dtype=object))
    problems = [
        Problem(
            where=(f"row {row} " if pd.notna(row) else "")
            + f"(employee {emp} ({name}), period {period}), column {kpi_id}",
            message="no actual value",
            value="(blank)" if isinstance(period, str) else None,
            allowed="a value, or set the scheme's missing policy to zero or exclude",
            file=file if pd.notna(row) else None,
        )
        for row, emp, name, period in zip(
            numbers, rows["employee_id"], rows["name"], rows["period"], strict=True
        )
    ]
    return problems


def _score_position(
    group: pd.DataFrame,
    position: Position,
    *,
    scheme: Scheme,
    lang: Lang,
    plans: pd.DataFrame | None = None,
    file: str | None = None,
) -> pd.DataFrame:
    targets, weights = personal_columns(plans, group["employee_id"])
    points, flags = position_points(
        group,
        position,
        missing=scheme.missing,
        lang=lang,
        targets=targets,
        weights=weights,
        file=file,
    )
    flags = _join_flags(flags, plan_flags(targets, position, index=group.index, lang=lang))
    columns: dict[str, pd.Series] = {c: group[c] for c in ID_COLUMNS}
    columns.update({str(c): points[c] for c in points.columns})
    for category_id in position.categories:
        members = [k.id for k in position.kpis if k.category == category_id]
        columns[category_id] = points[members].sum(axis=1, min_count=1)
    columns["total"] = points.sum(axis=1, min_count=1)
    columns["flags"] = _join_flags(group["flags"], flags)
    return pd.DataFrame(columns, index=group.index)  # built once: no frame copied per column


join_flags = _join_flags
score_position = _score_position
