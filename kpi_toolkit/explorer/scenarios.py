"""Weight scenarios: re-weight an appraisal from each person's attainment share per KPI.

A KPI's points divided by its weight is the person's *attainment share* (0–1, more with bonus
points). With other weights, each KPI earns the same share of its new weight, which is what
:meth:`~kpi_toolkit.engine.scheme.Scheme.with_weights` scores (its rules are scaled). So a
weight change is a matrix product, never a new :func:`~kpi_toolkit.engine.scoring.score`:
``total = Σ share × weight``, then grades and ranks by
:func:`~kpi_toolkit.engine.grading.grade_and_rank` and its primitives. Scenario files are
:mod:`kpi_toolkit.explorer.scenario_files`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from ..engine.grading import (
    distribution_scopes,
    forced_grades,
    grade_and_rank,
    grade_index,
    rank_min,
    shown_total,
    team_ranking,
)
from ..engine.scheme import Position, Scheme
from ..engine.scoring import Appraisal
from ..errors import KpiError
from ..labels import Lang

__all__ = [
    "PRECISION",
    "Attainment",
    "Mode",
    "Standing",
    "Weights",
    "attainment",
    "baseline_weights",
    "compare",
    "normalise",
    "rescore",
    "set_weight",
    "spread",
    "standing",
    "team_changes",
    "weight_matrix",
]

Weights = Mapping[str, Mapping[str, float]]  # position id → KPI id → weight
Mode = Literal["keep", "free"]
ID_COLUMNS = ["employee_id", "name", "position", "team", "period"]
PRECISION = 1_000_000  # weights are kept to a millionth of a point


@dataclass(frozen=True)
class Attainment:
    """Each appraised person's attainment share of each KPI, ready for re-weighting.

    Attributes
    ----------
    scheme
        The baseline scheme.
    people
        ``employee_id, name, position, team, period``, one row per appraised person.
    kpi_ids
        The columns of ``shares``: every KPI of every position.
    positions
        Position ids; ``codes`` indexes into them.
    codes
        Each person's position, as an index into ``positions``.
    member
        ``positions × kpi_ids``: whether the KPI belongs to the position.
    shares
        ``people × kpi_ids``: points ÷ weight; 0 where the KPI is not the person's or missing.
    missing
        ``people × kpi_ids``: the actual was missing and its weight re-spread (``exclude``).
    """

    scheme: Scheme
    people: pd.DataFrame
    kpi_ids: tuple[str, ...]
    positions: tuple[str, ...]
    codes: np.ndarray
    member: np.ndarray
    shares: np.ndarray
    missing: np.ndarray

    @cached_property
    def columns(self) -> dict[str, np.ndarray]:
        """``people``'s columns as numpy arrays (taken once: a slider move reads them)."""
        columns = {c: self.people[c].to_numpy(dtype=object) for c in self.people.columns}
        ids = self.people["employee_id"].to_numpy(dtype=str)
        columns["employee_order"] = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
        return columns

    def table(self) -> pd.DataFrame:
        """The shares as a table: ``people`` and one column per KPI (blank where none)."""
        shown = np.where(self.member[self.codes] & ~self.missing, self.shares, np.nan)
        return pd.concat([self.people, pd.DataFrame(shown, columns=list(self.kpi_ids))], axis=1)


def baseline_weights(scheme: Scheme) -> dict[str, dict[str, float]]:
    """Every position's KPI weights as the scheme sets them."""
    return {pid: {k.id: k.weight for k in p.kpis} for pid, p in scheme.positions.items()}


def weight_matrix(att: Attainment, weights: Weights | None = None) -> np.ndarray:
    """``positions × kpi_ids`` weights: the baseline's, overridden by ``weights``."""
    return _matrix(att.scheme, att.positions, att.kpi_ids, weights)


def _matrix(
    scheme: Scheme, positions: tuple[str, ...], kpi_ids: tuple[str, ...], weights: Weights | None
) -> np.ndarray:
    column = {kpi_id: j for j, kpi_id in enumerate(kpi_ids)}
    matrix = np.zeros((len(positions), len(kpi_ids)))
    base = baseline_weights(scheme)
    for i, pid in enumerate(positions):
        for kpi_id, weight in {**base[pid], **dict((weights or {}).get(pid, {}))}.items():
            matrix[i, column[kpi_id]] = weight
    return matrix


def attainment(appraisal: Appraisal) -> Attainment:
    """Attainment shares (points ÷ weight) of everyone in an appraisal.

    Where a missing actual's weight was re-spread (``missing: exclude``) the points were
    scaled up; the share is taken before that scaling, so it can be re-spread again under
    other weights.

    Examples
    --------
    >>> from kpi_toolkit.sample.department import make_sample
    >>> from kpi_toolkit import builtin_scheme, score
    >>> from kpi_toolkit.engine.raters import ratings_for
    >>> sample, manager_post = make_sample(), builtin_scheme("manager_post")
    >>> result = score(sample.actuals_manager_post, scheme=manager_post, roster=sample.roster,
    ...                period="2026-Q3", ratings=ratings_for(sample.ratings, scheme=manager_post))
    >>> att = attainment(result)
    >>> bool(((att.shares >= 0) & (att.shares <= 1)).all())
    True
    """
    scheme, scores = appraisal.scheme, appraisal.scores
    positions = tuple(scheme.positions)
    kpi_ids = scheme.kpi_ids()
    member = np.array(
        [[k in {x.id for x in scheme.positions[p].kpis} for k in kpi_ids] for p in positions]
    )
    codes = pd.Categorical(scores["position"], categories=positions).codes.astype(np.intp)
    points = scores.reindex(columns=list(kpi_ids)).to_numpy(dtype=float)
    weights = _matrix(scheme, positions, kpi_ids, None)[codes]
    missing = member[codes] & np.isnan(points)
    factor = _respread_factor(weights, missing)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(member[codes] & ~missing, points / (weights * factor[:, None]), 0.0)
    people = scores[ID_COLUMNS].reset_index(drop=True)
    return Attainment(scheme, people, kpi_ids, positions, codes, member, shares, missing)


def _respread_factor(weights: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """How much the other KPIs are scaled up where a missing KPI's weight is re-spread."""
    total = weights.sum(axis=1)
    kept = total - (weights * missing).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(kept > 0, total / kept, np.nan)


def rescore(att: Attainment, weights: Weights | None = None, *, lang: Lang = "zh") -> pd.DataFrame:
    """Points, totals, grades and ranks under other weights, from the attainment shares.

    Parameters
    ----------
    att
        From :func:`attainment`.
    weights
        ``{position: {kpi_id: weight}}``; KPIs not named keep their baseline weight.

    Returns
    -------
    pandas.DataFrame
        ``employee_id, name, position, team, period``, a column per KPI with its points,
        ``total, grade_id, grade, rank`` (within position), ``department_rank``; in the order
        of ``att.people``. The same as ``score()`` under
        ``scheme.with_weights(position, weights)``.
    """
    matrix = weight_matrix(att, weights)[att.codes]
    points = att.shares * matrix * _respread_factor(matrix, att.missing)[:, None]
    shown = np.where(att.member[att.codes] & ~att.missing, points, np.nan)
    scores = pd.concat([att.people, pd.DataFrame(shown, columns=list(att.kpi_ids))], axis=1)
    scores["total"] = _totals(att, weights)
    return grade_and_rank(scores, scheme=att.scheme, lang=lang)


def _totals(att: Attainment, weights: Weights | None, rows: np.ndarray | None = None) -> np.ndarray:
    """Totals of ``rows`` (everyone by default): Σ share × weight, re-spread where missing.

    One matrix-vector product per position (what keeps a slider move fast).
    """
    rows = np.arange(len(att.codes)) if rows is None else rows
    matrix = weight_matrix(att, weights)
    codes = att.codes[rows]
    earned, missed = np.empty(len(rows)), np.empty(len(rows))
    for code in np.unique(codes):
        at = codes == code
        earned[at] = att.shares[rows[at]] @ matrix[code]
        missed[at] = att.missing[rows[at]] @ matrix[code]
    whole = matrix.sum(axis=1)[codes]
    kept = whole - missed
    with np.errstate(divide="ignore", invalid="ignore"):
        return earned * np.where(kept > 0, whole / kept, np.nan)


@dataclass(frozen=True)
class Standing:
    """One position's people under some weights, as arrays (what a slider move needs).

    Attributes
    ----------
    rows
        Indexes into ``Attainment.people``.
    total
        Totals as shown (:func:`~kpi_toolkit.engine.grading.shown_total`).
    grade
        Grade as an index into ``scheme.grade_order()`` (0 = the best grade).
    rank
        Rank within the position (1 = best, ties share the best rank).
    """

    rows: np.ndarray
    total: np.ndarray
    grade: np.ndarray
    rank: np.ndarray


def standing(
    att: Attainment,
    weights: Mapping[str, float] | None = None,
    *,
    position: str,
    others: Weights | None = None,
) -> Standing:
    """Totals, grades and ranks of one position's people: :func:`rescore` in numpy only.

    The same numbers as :func:`rescore`, from the same primitives of
    :mod:`kpi_toolkit.engine.grading`. Where the scheme applies a forced distribution,
    which reaches across positions, everyone's totals are taken: the other positions under
    ``others`` (their baseline weights where not given).
    """
    rows = np.flatnonzero(att.codes == att.positions.index(position))
    moved = {**dict(others or {}), position: dict(weights or {})}
    forced = att.scheme.forced_distribution
    if forced is not None and forced.apply:
        total = shown_total(_totals(att, moved))
        scopes = distribution_scopes(att.codes, scheme=att.scheme)
        grade = forced_grades(
            grade_index(total, scheme=att.scheme), total, scopes=scopes, scheme=att.scheme
        )
        return Standing(rows, total[rows], grade[rows], rank_min(total[rows]))
    total = shown_total(_totals(att, moved, rows))
    return Standing(rows, total, grade_index(total, scheme=att.scheme), rank_min(total))


# --- moving one weight ----------------------------------------------------------------


def set_weight(
    weights: Mapping[str, float],
    *,
    position: Position,
    kpi_id: str,
    value: float,
    mode: Mode = "keep",
) -> dict[str, float]:
    """One position's weights with ``kpi_id`` moved to ``value``.

    In ``keep`` mode the other KPIs of the same category take up the difference in
    exact proportion to their weights, so every category keeps its points and the total
    stays 100; the value is held within ``[0, category points]``, and a category with one
    KPI cannot move. Weights are kept to :data:`PRECISION` (a millionth of a point); the
    re-spread weights add up exactly, the last millionth going to the earlier KPIs
    (:func:`spread`). In ``free`` mode only ``kpi_id`` changes (held at 0 or more).

    Examples
    --------
    >>> from kpi_toolkit import builtin_scheme
    >>> manager = builtin_scheme("manager_post").positions["manager"]
    >>> weights = {k.id: k.weight for k in manager.kpis}
    >>> moved = set_weight(weights, position=manager, kpi_id="response_speed", value=25)
    >>> moved["response_speed"], moved["complaints"], sum(moved.values())
    (25.0, 13.5, 100.0)
    """
    new = {k.id: float(weights[k.id]) for k in position.kpis}
    value = max(_rounded(value), 0.0)
    if mode == "free":
        return {**new, kpi_id: value}
    category = position.kpi(kpi_id).category
    others = [k.id for k in position.kpis if k.category == category and k.id != kpi_id]
    if not others:
        return new
    budget = _rounded(new[kpi_id] + sum(new[k] for k in others))
    new[kpi_id] = min(value, budget)
    new.update(spread(budget - new[kpi_id], {k: new[k] for k in others}))
    return new


def _units(value: float) -> int:
    """``value`` in millionths of a point, halves up (as ``Math.floor(x + 0.5)`` in JS)."""
    return math.floor(float(value) * PRECISION + 0.5)


def _rounded(value: float) -> float:
    """``value`` to :data:`PRECISION` (``10 → 5.000000000000001`` never shows)."""
    return _units(value) / PRECISION


def spread(amount: float, current: Mapping[str, float]) -> dict[str, float]:
    """``amount`` shared in exact proportion to ``current`` (equally when all are 0).

    Counted in millionths of a point (:data:`PRECISION`), in integers: each KPI gets its
    proportional share rounded down, and the millionths left over go one each to the
    largest remainders, the earlier KPI first on a tie. The shares add up to ``amount``
    exactly; equal weights get equal shares whenever ``amount`` allows it.
    ``reports/whatif.js`` does the same, step for step.

    Examples
    --------
    >>> spread(38.5, {"a": 10, "b": 10, "c": 10, "d": 10})
    {'a': 9.625, 'b': 9.625, 'c': 9.625, 'd': 9.625}
    >>> spread(10, {"a": 1, "b": 1, "c": 1})
    {'a': 3.333334, 'b': 3.333333, 'c': 3.333333}
    """
    units = [_units(w) for w in current.values()]
    parts = units if sum(units) > 0 else [1] * len(units)
    whole = _units(amount)
    floor = [whole * p // sum(parts) for p in parts]
    rest = [whole * p - f * sum(parts) for p, f in zip(parts, floor, strict=True)]
    for i in sorted(range(len(parts)), key=lambda i: -rest[i])[: whole - sum(floor)]:
        floor[i] += 1
    return {k: f / PRECISION for k, f in zip(current, floor, strict=True)}


def normalise(weights: Mapping[str, float], *, position: Position) -> dict[str, float]:
    """Weights scaled within each category so the category has its points again."""
    new = {k.id: float(weights[k.id]) for k in position.kpis}
    for category_id, category in position.categories.items():
        members = [k.id for k in position.kpis if k.category == category_id]
        new.update(spread(category.points, {k: new[k] for k in members}))
    return new


# --- comparing two appraisals ---------------------------------------------------------


def compare(before: pd.DataFrame, after: pd.DataFrame, *, scheme: Scheme) -> pd.DataFrame:
    """Who changes total, grade or rank between two score tables of the same people.

    Returns
    -------
    pandas.DataFrame
        ``employee_id, name, position, team``, ``total_before, total_after, total_change``,
        ``grade_before, grade_after`` (names), ``grade_id_before, grade_id_after``,
        ``grade_steps`` (+1 = one grade better), ``rank_before, rank_after``, ``rank_change``
        (+3 = three places up), sorted by position, the new rank and the employee id.
    """
    at = pd.Index(after["employee_id"]).get_indexer(before["employee_id"])
    if (at < 0).any() or len(before) != len(after):
        raise KpiError("compare() needs the same people in both score tables")
    grades = [g.id for g in scheme.grade_order()]
    steps = (
        pd.Categorical(before["grade_id"], categories=grades).codes
        - pd.Categorical(after["grade_id"].to_numpy()[at], categories=grades).codes
    )
    rank_before = before["rank"].to_numpy(dtype=np.int64)
    rank_after = after["rank"].to_numpy(dtype=np.int64)[at]
    table = (
        before[["employee_id", "name", "position", "team"]]
        .reset_index(drop=True)
        .assign(
            total_before=before["total"].to_numpy(),
            total_after=after["total"].to_numpy()[at],
            grade_id_before=before["grade_id"].to_numpy(),
            grade_id_after=after["grade_id"].to_numpy()[at],
            grade_before=before["grade"].to_numpy(),
            grade_after=after["grade"].to_numpy()[at],
            rank_before=rank_before,
            rank_after=rank_after,
        )
    )
    table["total_change"] = table["total_after"] - table["total_before"]
    table["grade_steps"] = steps
    table["rank_change"] = rank_before - rank_after
    order = np.lexsort(
        (
            before["employee_id"].to_numpy(dtype=str),
            rank_after,
            before["position"].to_numpy(dtype=str),
        )
    )
    return table.iloc[order].reset_index(drop=True)


def team_changes(
    before: pd.DataFrame, after: pd.DataFrame, *, scheme: Scheme, lang: Lang = "zh"
) -> pd.DataFrame:
    """The team ranking (organisational appraisal) before and after, side by side.

    Returns ``team, headcount, mean_total_before, mean_total_after, grade_before,
    grade_after, rank_before, rank_after, rank_change``, sorted by the new rank.
    """
    a = team_ranking(before, scheme=scheme, lang=lang)
    b = team_ranking(after, scheme=scheme, lang=lang).drop(columns="headcount")
    both = a.merge(b, on="team", suffixes=("_before", "_after"))
    both["rank_change"] = (both["rank_before"] - both["rank_after"]).astype("Int64")
    return both.sort_values(["rank_after", "team"]).reset_index(drop=True)
