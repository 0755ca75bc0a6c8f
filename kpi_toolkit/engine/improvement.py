"""Where each person lost points: per KPI, per person, across the department and the year.

Points lost on a KPI = the points it could give − the points it gave, never below 0 (bonus
points above the weight are not a loss). The points it could give are its weight; where a
KPI was left out (``missing: exclude``) the scheme re-spreads its weight over the person's
other KPIs, and they are measured against their re-spread weights. A KPI left out is not
a loss.

These tables feed the scorecard's 改进重点 (the two or three KPIs with the most points
lost), the department report's 培训需求 (where the department and each team lost most) and
the year's pattern in ``kpi annual`` (a KPI lost in three quarters or more).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..labels import Lang
from ..periods import parse_period
from .scheme import Scheme

if TYPE_CHECKING:
    from .scoring import Appraisal

__all__ = [
    "LOST_COLUMNS",
    "focus",
    "kpi_names",
    "losses_by_kpi",
    "losses_of",
    "points_lost",
    "year_pattern",
]

LOST_COLUMNS = [
    "employee_id",
    "name",
    "position",
    "team",
    "period",
    "kpi_id",
    "weight",
    "points",
    "lost",
]
TOLERANCE = 1e-9  # float noise of a sum is not a point lost


def points_lost(scores: pd.DataFrame, *, scheme: Scheme) -> pd.DataFrame:
    """One row per person and KPI scored: the weight it is measured against, its points and
    the points lost (``weight − points``, at least 0), in the scheme's KPI order.

    Examples
    --------
    >>> from kpi_toolkit import builtin_scheme
    >>> scheme = builtin_scheme("monthly_repair")
    >>> position = scheme.positions["manager"]
    >>> row = {"employee_id": "E1", "name": "张伟", "position": "manager", "team": "维修",
    ...        "period": "2026-07", **{k.id: k.weight for k in position.kpis}}
    >>> row["repair_task_completion_rate"] = 27.0
    >>> lost = points_lost(pd.DataFrame([row]), scheme=scheme)
    >>> lost.loc[lost["lost"] > 0, ["kpi_id", "lost"]].to_dict("records")
    [{'kpi_id': 'repair_task_completion_rate', 'lost': 3.0}]
    """
    parts = [
        _position_lost(people, scheme=scheme, position=str(pid))
        for pid, people in scores.groupby("position", sort=False)
    ]
    return pd.concat(parts, ignore_index=True) if parts else _empty()


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in LOST_COLUMNS})


def _position_lost(people: pd.DataFrame, *, scheme: Scheme, position: str) -> pd.DataFrame:
    kpis = scheme.positions[position].kpis
    ids = [k.id for k in kpis]
    points = people[ids].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    weights = np.array([k.weight for k in kpis], dtype=float)
    scored = ~np.isnan(points)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = weights.sum() / (scored * weights).sum(axis=1, keepdims=True)
    full = np.where(scored, weights * scale, np.nan)
    lost = np.clip(full - points, 0, None)
    lost = np.where(lost < TOLERANCE, 0.0, lost)
    long = pd.DataFrame(
        {
            "row": np.repeat(np.arange(len(people)), len(ids)),
            "kpi_id": np.tile(ids, len(people)),
            "weight": full.ravel(),
            "points": points.ravel(),
            "lost": lost.ravel(),
        }
    )
    keys = people[LOST_COLUMNS[:5]].reset_index(drop=True)
    long = keys.iloc[long["row"]].reset_index(drop=True).join(long.drop(columns="row"))
    return long.loc[~np.isnan(points.ravel())].reset_index(drop=True)[LOST_COLUMNS]


def focus(lost: pd.DataFrame, *, actuals: pd.DataFrame | None = None, top: int = 3) -> pd.DataFrame:
    """Each person's ``top`` KPIs with the most points lost (only KPIs that lost any).

    Order: most points lost first; a tie keeps the scheme's KPI order, which also decides
    who stays in at the cut (so a person never has more than ``top`` rows). ``actuals``
    (the appraisal's wide actuals) adds each KPI's ``actual``.

    Returns ``employee_id, name, position, team, period, order`` (1 = most lost),
    ``kpi_id, weight, points, lost`` and, with ``actuals``, ``actual``.
    """
    losing = lost.loc[lost["lost"] > 0]
    ranked = losing.sort_values(["employee_id", "lost"], ascending=[True, False], kind="stable")
    chosen = ranked.groupby("employee_id", sort=False).head(top).copy()
    chosen.insert(5, "order", chosen.groupby("employee_id").cumcount() + 1)
    chosen = chosen.reset_index(drop=True)
    if actuals is not None:
        chosen["actual"] = _actual_of(chosen, actuals)
    return chosen


def _actual_of(chosen: pd.DataFrame, actuals: pd.DataFrame) -> np.ndarray:
    """The actual value of each (employee, KPI) of ``chosen`` from the wide ``actuals``."""
    wide = actuals.drop_duplicates("employee_id").set_index("employee_id")
    values = [
        wide.at[e, k] if e in wide.index and k in wide.columns else np.nan
        for e, k in zip(chosen["employee_id"], chosen["kpi_id"], strict=True)
    ]
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)


def losses_by_kpi(
    lost: pd.DataFrame, *, by: Literal["department", "team"] = "department"
) -> pd.DataFrame:
    """Points lost per KPI across the people of ``lost``, or per team and KPI.

    Returns (``team``,) ``kpi_id, people`` (scored on it), ``losing`` (people who lost
    points on it), ``lost`` (the total), ``mean_lost`` (per person scored) and ``share``
    (the total against the points the KPI could give them all); most points lost first,
    a tie in the scheme's KPI order.
    """
    keys = ["team", "kpi_id"] if by == "team" else ["kpi_id"]
    table = lost.assign(losing=lost["lost"] > 0).groupby(keys, sort=False, as_index=False)
    summed = table.agg(
        people=("lost", "size"),
        losing=("losing", "sum"),
        lost=("lost", "sum"),
        possible=("weight", "sum"),
    )
    summed["mean_lost"] = summed["lost"] / summed["people"]
    summed["share"] = summed["lost"] / summed["possible"]
    order = ["team", "lost"] if by == "team" else ["lost"]
    ranked = summed.sort_values(order, ascending=[True] * (len(order) - 1) + [False], kind="stable")
    columns = [*keys, "people", "losing", "lost", "mean_lost", "share"]
    return ranked[columns].reset_index(drop=True)


def losses_of(appraisals: Iterable[Appraisal]) -> pd.DataFrame:
    """:func:`points_lost` of each appraisal (e.g. a year's quarters), in one table."""
    parts = [points_lost(a.scores, scheme=a.scheme) for a in appraisals]
    return pd.concat(parts, ignore_index=True) if parts else _empty()


def year_pattern(lost: pd.DataFrame, *, min_quarters: int = 3) -> pd.DataFrame:
    """The KPIs each person lost points on in ``min_quarters`` quarters of the year or more.

    ``lost`` holds the year's periods (:func:`losses_of`); a month counts for its quarter
    (a quarter is lost when points were lost in any of its months); a year-long period has
    no quarter and is left out.

    Returns ``employee_id, name, position, team, kpi_id, quarters`` (how many quarters),
    ``periods`` (which, e.g. ``2026-Q1, 2026-Q2, 2026-Q4``) and ``lost`` (the year's
    total); by person, then most quarters, then most points lost.
    """
    losing = lost.loc[lost["lost"] > 0].copy()
    losing["quarter"] = [_quarter(p) for p in losing["period"]]
    losing = losing.loc[losing["quarter"].notna()]
    keys = ["employee_id", "name", "position", "team", "kpi_id"]
    grouped = losing.groupby(keys, sort=False, as_index=False).agg(
        quarters=("quarter", "nunique"),
        periods=("quarter", lambda q: ", ".join(sorted(set(q)))),
        lost=("lost", "sum"),
    )
    kept = grouped.loc[grouped["quarters"] >= min_quarters]
    ranked = kept.sort_values(
        ["employee_id", "quarters", "lost"], ascending=[True, False, False], kind="stable"
    )
    return ranked.reset_index(drop=True)


def _quarter(period: object) -> str | None:
    parsed = parse_period(period)
    if parsed.grain == "year":
        return None
    index = parsed.index if parsed.grain == "quarter" else (parsed.index - 1) // 3 + 1
    return f"{parsed.year}-Q{index}"


def kpi_names(scheme: Scheme, lang: Lang = "zh") -> dict[str, str]:
    """KPI id → its name (the first position defining it names it)."""
    names: dict[str, str] = {}
    for position in scheme.positions.values():
        for kpi in position.kpis:
            names.setdefault(kpi.id, kpi.name.get(lang))
    return names
