"""Sensitivity of grades and ranks to each weight, moved as the explorer moves it.

Every weight change here is the explorer's ``keep`` move (the other KPIs of the category
take up the difference in exact proportion), evaluated for many weights at once from
the attainment shares: ``totals = shares @ weightsᵀ``, re-spread where an actual is missing.
Grades and ranks are those of the shown totals, by the primitives of
:mod:`kpi_toolkit.engine.grading`; grades are the earned grades (before any forced
distribution).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..engine.grading import grade_ids, grade_index, grade_names, rank_min, shown_total
from ..labels import Lang
from .scenarios import Attainment, baseline_weights, set_weight

__all__ = ["smallest_changes", "weight_sensitivity"]


def _variants(
    att: Attainment,
    *,
    position: str,
    kpi_id: str,
    values: np.ndarray,
    weights: Mapping[str, float],
) -> np.ndarray:
    """``len(values) × kpi_ids`` weight rows: ``kpi_id`` set to each value, re-spread."""
    spec = att.scheme.positions[position]
    moved = [set_weight(weights, position=spec, kpi_id=kpi_id, value=value) for value in values]
    return _rows(att, moved)


def _rows(att: Attainment, weights: Sequence[Mapping[str, float]]) -> np.ndarray:
    column = {k: j for j, k in enumerate(att.kpi_ids)}
    rows = np.zeros((len(weights), len(att.kpi_ids)))
    for i, row in enumerate(weights):
        for kpi_id, weight in row.items():
            rows[i, column[kpi_id]] = weight
    return rows


def _totals(att: Attainment, people: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``people × variants`` totals, with missing actuals' weights re-spread."""
    shares, missing = att.shares[people], att.missing[people].astype(float)
    earned = shares @ rows.T
    total_weight = rows.sum(axis=1)
    kept = total_weight[None, :] - missing @ rows.T
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(kept > 0, earned * total_weight[None, :] / kept, np.nan)


def _movable(att: Attainment, position: str) -> list[str]:
    spec = att.scheme.positions[position]
    count = pd.Series([k.category for k in spec.kpis]).value_counts()
    return [k.id for k in spec.kpis if count[k.category] > 1]


def weight_sensitivity(
    att: Attainment,
    *,
    position: str,
    delta: float = 5.0,
    weights: Mapping[str, float] | None = None,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """For each KPI weight moved by −``delta`` and +``delta``: how many change grade or rank.

    Parameters
    ----------
    att
        From :func:`kpi_toolkit.explorer.scenarios.attainment`.
    position
        The position whose weights move (its people are counted).
    delta
        Points to move each weight by (held within ``[0, category points]``).
    weights
        The position's weights to start from (the baseline's by default).

    Returns
    -------
    pandas.DataFrame
        ``kpi_id, kpi, weight, change, new_weight, grade_changes, grade_up, grade_down,
        rank_changes``, two rows per KPI that can move (a category with one KPI cannot).
    """
    start = dict(weights or baseline_weights(att.scheme)[position])
    people = np.flatnonzero(att.codes == att.positions.index(position))
    spec = att.scheme.positions[position]
    base = _totals(att, people, _rows(att, [start]))[:, 0]
    base_grade = grade_index(base, scheme=att.scheme)
    base_rank = _ranks(base[:, None])[:, 0]
    records = []
    for kpi_id in _movable(att, position):
        values = np.array([start[kpi_id] - delta, start[kpi_id] + delta])
        rows = _variants(att, position=position, kpi_id=kpi_id, values=values, weights=start)
        totals = _totals(att, people, rows)
        grades = grade_index(totals, scheme=att.scheme)
        ranks = _ranks(totals)
        column = att.kpi_ids.index(kpi_id)
        for i, change in enumerate((-delta, delta)):
            steps = base_grade - grades[:, i]  # +1: one grade better
            records.append(
                {
                    "kpi_id": kpi_id,
                    "kpi": spec.kpi(kpi_id).name.get(lang),
                    "weight": start[kpi_id],
                    "change": change,
                    "new_weight": rows[i, column],
                    "grade_changes": int((steps != 0).sum()),
                    "grade_up": int((steps > 0).sum()),
                    "grade_down": int((steps < 0).sum()),
                    "rank_changes": int((ranks[:, i] != base_rank).sum()),
                }
            )
    return pd.DataFrame.from_records(records, columns=list(SENSITIVITY_COLUMNS))


SENSITIVITY_COLUMNS = (
    "kpi_id",
    "kpi",
    "weight",
    "change",
    "new_weight",
    "grade_changes",
    "grade_up",
    "grade_down",
    "rank_changes",
)


def _ranks(totals: np.ndarray) -> np.ndarray:
    """Rank each column (1 = best, ties share the best rank) by :func:`grading.rank_min`."""
    people, variants = totals.shape
    columns = np.repeat(np.arange(variants), people)
    return rank_min(totals.T.ravel(), groups=columns).reshape(variants, people).T


def smallest_changes(
    att: Attainment,
    *,
    position: str,
    weights: Mapping[str, float] | None = None,
    step: float = 0.5,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Per person: the smallest move of one weight (re-spread) that changes their grade.

    Every weight of the position is tried at every ``step`` over its whole range (0 to the
    category's points); the smallest move wins, the earlier KPI on a tie.

    Returns
    -------
    pandas.DataFrame
        ``employee_id, name, team, total, grade, kpi_id, kpi, weight, new_weight, change,
        new_grade``, sorted by the size of the change; blank KPI columns for people whom no
        single move changes.
    """
    start = dict(weights or baseline_weights(att.scheme)[position])
    spec = att.scheme.positions[position]
    people = np.flatnonzero(att.codes == att.positions.index(position))
    best = np.full(len(people), np.inf)
    found: dict[str, np.ndarray] = {
        "kpi": np.full(len(people), None, dtype=object),
        "new_weight": np.full(len(people), np.nan),
        "new_grade": np.full(len(people), None, dtype=object),
    }
    base = _totals(att, people, _rows(att, [start]))[:, 0]
    base_grade = grade_ids(base, scheme=att.scheme)
    for kpi_id in _movable(att, position):
        budget = sum(start[k.id] for k in spec.kpis if k.category == spec.kpi(kpi_id).category)
        values = np.arange(0.0, budget + step / 2, step)
        values = values[np.abs(values - start[kpi_id]) > 1e-9]
        rows = _variants(att, position=position, kpi_id=kpi_id, values=values, weights=start)
        grades = grade_ids(_totals(att, people, rows).ravel(), scheme=att.scheme)
        grades = grades.reshape(len(people), len(values))
        distance = np.where(grades != base_grade[:, None], np.abs(values - start[kpi_id]), np.inf)
        pick = distance.argmin(axis=1)
        better = distance[np.arange(len(people)), pick] < best - 1e-9
        best = np.where(better, distance[np.arange(len(people)), pick], best)
        found["kpi"][better] = kpi_id
        found["new_weight"][better] = values[pick][better]
        found["new_grade"][better] = grades[np.arange(len(people)), pick][better]
    return _smallest_table(att, people, base, base_grade, found, start, lang)


def _smallest_table(
    att: Attainment,
    people: np.ndarray,
    base: np.ndarray,
    base_grade: np.ndarray,
    found: dict[str, np.ndarray],
    start: Mapping[str, float],
    lang: Lang,
) -> pd.DataFrame:
    spec = att.scheme.positions[att.people["position"].iloc[people[0]]] if len(people) else None
    table = att.people.iloc[people][["employee_id", "name", "team"]].reset_index(drop=True)
    table["total"] = shown_total(base)
    table["grade"] = grade_names(base_grade, scheme=att.scheme, lang=lang)
    table["kpi_id"] = found["kpi"]
    table["kpi"] = [spec.kpi(k).name.get(lang) if spec and k else None for k in found["kpi"]]
    table["weight"] = [start[k] if k else np.nan for k in found["kpi"]]
    table["new_weight"] = found["new_weight"]
    table["change"] = table["new_weight"] - table["weight"]
    table["new_grade"] = [
        grade_names(np.array([g]), scheme=att.scheme, lang=lang)[0] if g else None
        for g in found["new_grade"]
    ]
    size = table["change"].abs().fillna(np.inf)
    return table.iloc[np.lexsort((table["employee_id"], size))].reset_index(drop=True)
