"""The one grade-and-rank: shown totals, grades, ranks, the team ranking, forced distributions.

Every surface grades and ranks through the numpy primitives here (:func:`shown_total`,
:func:`grade_index`, :func:`rank_min`, :func:`forced_grades`): scoring, the year result, the
team ranking, weight scenarios, sensitivity and the explorer; the what-if panel of the
shared HTML runs the same algorithm in ``reports/whatif.js``, operation for operation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..labels import Lang
from .scheme import Scheme

__all__ = [
    "apply_distribution",
    "check_distribution",
    "distribution_scopes",
    "forced_grades",
    "grade_and_rank",
    "grade_ids",
    "grade_index",
    "grade_names",
    "rank",
    "rank_min",
    "shown_total",
    "team_ranking",
]

NOISE = 1e9  # totals are first rounded to 1e-9: float noise of a sum is not a difference
SLACK = 1e-9  # share × headcount within this of a whole number counts as that number

ArrayLike = pd.Series | np.ndarray | Sequence[float]


def _half_up(values: np.ndarray) -> np.ndarray:
    """Round to a whole number, halves up: ``Math.round`` of JavaScript, in the same steps."""
    whole = np.floor(values)
    return whole + (values - whole >= 0.5)


def shown_total(total: ArrayLike) -> np.ndarray:
    """The total as every surface shows it: 2 decimals, halves rounded up.

    Two steps, each reproduced bit for bit by ``reports/whatif.js``: the total is first
    rounded to 9 decimals (so float noise such as ``98.02499999999999`` for 98.025 is not
    a difference), then to 2 decimals, a half going up (98.025 → 98.03; Python's
    ``round`` would round half to even, and a binary fraction just below a half down). Each
    step is ``floor(x) + (x - floor(x) >= 0.5)`` on ``x × 10⁹`` then ``÷ 10⁷``, and the
    result is divided by 100, so it is the double nearest to the shown decimal and
    formats to it exactly. Exact for totals below 10⁶; NaN stays NaN.

    Examples
    --------
    >>> shown_total([98.025, 98.02499999999999, 0.125, 89.995, 90.0]).tolist()
    [98.03, 98.03, 0.13, 90.0, 90.0]
    """
    scaled = _half_up(np.asarray(total, dtype=float) * NOISE) / (NOISE / 100)
    return _half_up(scaled) / 100


def grade_index(total: ArrayLike, *, scheme: Scheme) -> np.ndarray:
    """Each shown total's grade, as an index into ``scheme.grade_order()`` (0 = best).

    The best grade whose ``min`` the shown total reaches; the worst grade below every
    ``min`` and for a blank total.

    Examples
    --------
    >>> from kpi_toolkit import builtin_scheme
    >>> grade_index([95, 89.996, 89.994, 10], scheme=builtin_scheme("manager_post")).tolist()
    [0, 0, 1, 3]
    """
    shown = shown_total(total)
    mins = np.array([g.min for g in scheme.grade_order()])[::-1]  # worst first, ascending
    found = np.searchsorted(mins, shown, side="right") - 1
    worst = len(mins) - 1
    return np.where(np.isnan(shown), worst, worst - np.clip(found, 0, worst))


def rank_min(total: ArrayLike, *, groups: ArrayLike | None = None) -> np.ndarray:
    """Rank of each shown total, 1 = best, within ``groups`` if given.

    People with the same shown total share the best of their places and the next
    place is skipped (98.03, 98.03, 97.50 → 1, 1, 3). A blank total ranks last.

    Examples
    --------
    >>> rank_min([98.031, 98.029, 97.5, 99.0], groups=["a", "a", "a", "b"]).tolist()
    [1, 1, 3, 1]
    """
    shown = shown_total(total)
    key = np.where(np.isnan(shown), np.inf, -shown)
    codes = (
        np.zeros(len(key), dtype=np.intp) if groups is None else pd.factorize(np.asarray(groups))[0]
    )
    order = np.lexsort((key, codes)) if groups is not None else np.argsort(key, kind="stable")
    places = np.arange(len(key))
    new_group = np.r_[True, codes[order][1:] != codes[order][:-1]]
    first = new_group | np.r_[True, key[order][1:] != key[order][:-1]]
    start = np.maximum.accumulate(np.where(new_group, places, 0))
    result = np.empty(len(key), dtype=np.int64)
    result[order] = np.maximum.accumulate(np.where(first, places, 0)) - start + 1
    return result


def grade_ids(totals: ArrayLike, *, scheme: Scheme) -> np.ndarray:
    """The grade id of each total: the best grade whose ``min`` the shown total reaches."""
    ids = np.array([g.id for g in scheme.grade_order()], dtype=object)
    return ids[grade_index(totals, scheme=scheme)]


def grade_names(ids: ArrayLike, *, scheme: Scheme, lang: Lang = "zh") -> np.ndarray:
    """Grade ids (``excellent``) as names (``优秀``)."""
    names = {g.id: g.name.get(lang) for g in scheme.grades}
    codes, uniques = pd.factorize(np.asarray(ids, dtype=object))
    return np.array([names[u] for u in uniques] + [None], dtype=object)[codes]


def rank(totals: pd.Series, *, by: pd.Series | None = None) -> pd.Series:
    """:func:`rank_min` as a Series on the index of ``totals``."""
    ranks = rank_min(totals.to_numpy(dtype=float), groups=None if by is None else by.to_numpy())
    return pd.Series(ranks, index=totals.index, dtype="Int64")


def grade_and_rank(scores: pd.DataFrame, *, scheme: Scheme, lang: Lang = "zh") -> pd.DataFrame:
    """Grade and rank a score table: the one place where people get a grade and a rank.

    Parameters
    ----------
    scores
        ``employee_id, position, total`` and whatever else (kept as it is, in its order).
    scheme
        Its grade bands and forced distribution.

    Returns
    -------
    pandas.DataFrame
        A copy with ``total`` replaced by its shown value (:func:`shown_total`) and
        ``grade_id``, ``grade`` (the name in ``lang``), ``rank`` (within position),
        ``department_rank``; where the scheme applies its forced distribution
        (``forced_distribution.apply: true``), the grades after it and ``forced_from``,
        the earned grade of each person it moved (blank for the others). A distribution
        that is not applied is left to :func:`check_distribution`.

    Notes
    -----
    Tie rule: grades and ranks follow the total people see. Every table, file and page
    shows a total with 2 decimals, halves rounded up (98.025 is shown as 98.03), and the
    total is stored as shown, so the grade and the rank are those of the shown total:
    a person shown as 90.00 has the grade whose minimum is 90 even if the unrounded sum
    was 89.996, and people shown with the same total share a rank, the best of their
    places, the next place being skipped (two people at 98.03 after fifteen better
    ones are both 16th, the next one is 18th). A forced distribution works on the same
    shown totals and never splits a tie: a maximum share is never exceeded, so people
    tied at the cut-off move down together (and the grade may keep fewer people than it
    allows); a minimum share is always met, so people tied at the cut-off move in
    together (and the grade may get more than it needs). Caps go from the best grade
    down, minimums from the worst grade up, within the department or each position as
    the scheme's ``scope`` says.

    Examples
    --------
    >>> import pandas as pd
    >>> from kpi_toolkit import builtin_scheme
    >>> scores = pd.DataFrame({"employee_id": ["E1", "E2", "E3"],
    ...                        "position": ["manager"] * 3, "total": [98.034, 98.025, 89.996]})
    >>> graded = grade_and_rank(scores, scheme=builtin_scheme("manager_post"))
    >>> graded[["total", "grade", "rank"]].values.tolist()
    [[98.03, '优秀', 1], [98.03, '优秀', 1], [90.0, '优秀', 3]]
    """
    result = scores.copy()
    total = shown_total(result["total"].to_numpy(dtype=float))
    earned = grade_index(total, scheme=scheme)
    forced = scheme.forced_distribution
    applied = forced is not None and forced.apply
    grades = (
        forced_grades(
            earned,
            total,
            scopes=distribution_scopes(result["position"], scheme=scheme),
            scheme=scheme,
        )
        if applied
        else earned
    )
    order = scheme.grade_order()
    ids = np.array([g.id for g in order], dtype=object)
    result["total"] = total
    result["grade_id"] = ids[grades]
    result["grade"] = np.array([g.name.get(lang) for g in order], dtype=object)[grades]
    result["rank"] = rank_min(total, groups=result["position"].to_numpy())
    result["department_rank"] = rank_min(total)
    if applied:
        result["forced_from"] = _forced_from(grades, earned, ids, result.index)
    return result


def _forced_from(
    grades: np.ndarray, earned: np.ndarray, ids: np.ndarray, index: pd.Index
) -> pd.Series:
    """The earned grade id of each person the distribution moved; blank for the others."""
    earned_ids = pd.Series(ids[earned], index=index, dtype="object")
    return earned_ids.where(grades != earned, None)


def distribution_scopes(positions: ArrayLike, *, scheme: Scheme) -> np.ndarray:
    """Each person's forced-distribution scope, as a code: one per position, or all 0.

    ``positions`` are the people's positions (ids or codes); the scope is the department
    unless the scheme's forced distribution says ``scope: position``.
    """
    forced = scheme.forced_distribution
    if forced is not None and forced.scope == "position":
        return pd.factorize(np.asarray(positions))[0]
    return np.zeros(len(positions), dtype=np.intp)


def forced_grades(
    grades: np.ndarray, total: ArrayLike, *, scopes: np.ndarray, scheme: Scheme
) -> np.ndarray:
    """Grade indices (0 = best) after the scheme's forced distribution, by shown total.

    ``grades`` are the earned grade indices (:func:`grade_index`); ``scopes`` a code per
    person (:func:`distribution_scopes`).
    Caps go from the best grade down (what a cap moves out may meet the next grade's cap),
    minimums from the worst grade up. Ties: a ``max`` share is never exceeded, people tied
    at the cut-off move down together; a ``min`` share is always met, people tied at the
    cut-off move in together, so it may be exceeded.
    """
    shares = scheme.forced_distribution.shares if scheme.forced_distribution else {}
    ids = [g.id for g in scheme.grade_order()]
    caps = [(i, shares[g].max) for i, g in enumerate(ids[:-1]) if g in shares]
    floors = [(i, shares[g].min) for i, g in reversed(list(enumerate(ids))) if g in shares]
    shown = shown_total(total)
    result = np.array(grades, dtype=np.int64)
    for scope in np.unique(scopes):
        members = np.flatnonzero(scopes == scope)
        for grade, share in caps:  # best grade first: an overflow cascades down
            if share is not None:
                _cap(result, shown, members, grade=grade, share=share)
        for grade, share in floors:  # worst grade first
            if share is not None:
                _fill(result, shown, members, grade=grade, share=share)
    return result


def _cap(
    result: np.ndarray, shown: np.ndarray, members: np.ndarray, *, grade: int, share: float
) -> None:
    allowed = math.floor(share * len(members) + SLACK)
    inside = members[result[members] == grade]
    if len(inside) <= allowed:
        return
    cut = -np.sort(-shown[inside])[allowed]  # the first total that does not fit
    result[inside[shown[inside] <= cut]] = grade + 1


def _fill(
    result: np.ndarray, shown: np.ndarray, members: np.ndarray, *, grade: int, share: float
) -> None:
    needed = math.ceil(share * len(members) - SLACK)
    have = int((result[members] == grade).sum())
    better = members[result[members] < grade]
    if have >= needed or not len(better):
        return
    cut = np.sort(shown[better])[min(needed - have, len(better)) - 1]
    result[better[shown[better] <= cut]] = grade


def apply_distribution(scores: pd.DataFrame, *, scheme: Scheme) -> pd.DataFrame:
    """Apply the forced distribution to graded scores (``grade_id``) by :func:`forced_grades`.

    People moved get ``forced_from`` (their earned grade); ``grade`` is left to the caller
    (:func:`grade_and_rank` sets both).
    """
    order = [g.id for g in scheme.grade_order()]
    earned = pd.Categorical(scores["grade_id"], categories=order).codes.astype(np.int64)
    total = scores["total"].to_numpy(dtype=float)
    grades = forced_grades(
        earned, total, scopes=distribution_scopes(scores["position"], scheme=scheme), scheme=scheme
    )
    ids = np.array(order, dtype=object)
    result = scores.copy()
    result["grade_id"] = ids[grades]
    result["forced_from"] = _forced_from(grades, earned, ids, result.index)
    return result


def team_ranking(scores: pd.DataFrame, *, scheme: Scheme, lang: Lang = "zh") -> pd.DataFrame:
    """Organisational appraisal: each team's headcount, mean total (shown), grade and rank."""
    teams = scores.groupby("team", as_index=False).agg(
        headcount=("employee_id", "size"), mean_total=("total", "mean")
    )
    teams["mean_total"] = shown_total(teams["mean_total"])
    teams["grade"] = grade_names(
        grade_ids(teams["mean_total"], scheme=scheme), scheme=scheme, lang=lang
    )
    teams["rank"] = rank(teams["mean_total"])
    return teams.sort_values(["rank", "team"]).reset_index(drop=True)


def _scopes(scores: pd.DataFrame, scheme: Scheme) -> list[tuple[str, pd.DataFrame]]:
    forced = scheme.forced_distribution
    if forced is None:
        return []
    if forced.scope == "position":
        return [(str(pid), group) for pid, group in scores.groupby("position", sort=False)]
    return [("department", scores)]


def check_distribution(scores: pd.DataFrame, *, scheme: Scheme) -> pd.DataFrame:
    """Each forced-distribution limit against the grades given: count, share, whether it holds.

    Returns ``scope, grade_id, limit, share_limit, count, headcount, share, allowed_count, ok``.
    """
    forced = scheme.forced_distribution
    rows = []
    for scope, group in _scopes(scores, scheme):
        n = len(group)
        for grade_id, share in forced.shares.items() if forced else []:
            count = int((group["grade_id"] == grade_id).sum())
            for limit, value in (("max", share.max), ("min", share.min)):
                if value is None:
                    continue
                allowed = (
                    math.floor(value * n + SLACK)
                    if limit == "max"
                    else math.ceil(value * n - SLACK)
                )
                ok = count <= allowed if limit == "max" else count >= allowed
                rows.append(
                    (scope, grade_id, limit, value, count, n, count / n if n else 0.0, allowed, ok)
                )
    return pd.DataFrame(rows, columns=list(DISTRIBUTION_COLUMNS))


DISTRIBUTION_COLUMNS = (
    "scope",
    "grade_id",
    "limit",
    "share_limit",
    "count",
    "headcount",
    "share",
    "allowed_count",
    "ok",
)
