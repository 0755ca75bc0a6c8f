"""Grades, ranks, the team ranking, and forced distributions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..labels import Lang
from .scheme import Scheme

__all__ = [
    "apply_distribution",
    "check_distribution",
    "grade_ids",
    "grade_names",
    "rank",
    "team_ranking",
]

RANK_DECIMALS = 6  # totals equal to 6 decimals are ties (float noise is not a difference)


def grade_ids(totals: pd.Series | np.ndarray, *, scheme: Scheme) -> np.ndarray:
    """The grade id of each total: the best grade whose ``min`` the total reaches."""
    ordered = sorted(scheme.grades, key=lambda g: g.min)
    mins = np.array([g.min for g in ordered])
    index = (
        np.searchsorted(
            mins, np.round(np.asarray(totals, dtype=float), RANK_DECIMALS), side="right"
        )
        - 1
    )
    ids = np.array([g.id for g in ordered], dtype=object)
    return ids[np.clip(index, 0, len(ordered) - 1)]


def grade_names(ids: pd.Series | np.ndarray, *, scheme: Scheme, lang: Lang = "zh") -> np.ndarray:
    """Grade ids (``excellent``) as names (``优秀``)."""
    names = {g.id: g.name.get(lang) for g in scheme.grades}
    codes, uniques = pd.factorize(np.asarray(ids, dtype=object))
    return np.array([names[u] for u in uniques] + [None], dtype=object)[codes]


def rank(totals: pd.Series, *, by: pd.Series | None = None) -> pd.Series:
    """Rank totals (1 = best, ties share the best rank), within groups of ``by`` if given."""
    rounded = totals.round(RANK_DECIMALS)
    ranked = (
        rounded.groupby(by).rank(method="min", ascending=False)
        if by is not None
        else (rounded.rank(method="min", ascending=False))
    )
    return ranked.astype("Int64")


def team_ranking(scores: pd.DataFrame, *, scheme: Scheme, lang: Lang = "zh") -> pd.DataFrame:
    """Organisational appraisal: each team's headcount, mean total, grade and rank."""
    teams = scores.groupby("team", as_index=False).agg(
        headcount=("employee_id", "size"), mean_total=("total", "mean")
    )
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
                    math.floor(value * n + 1e-9) if limit == "max" else math.ceil(value * n - 1e-9)
                )
                ok = count <= allowed if limit == "max" else count >= allowed
                rows.append(
                    (scope, grade_id, limit, value, count, n, count / n if n else 0.0, allowed, ok)
                )
    return pd.DataFrame(
        rows,
        columns=[
            "scope",
            "grade_id",
            "limit",
            "share_limit",
            "count",
            "headcount",
            "share",
            "allowed_count",
            "ok",
        ],
    )


def apply_distribution(scores: pd.DataFrame, *, scheme: Scheme) -> pd.DataFrame:
    """Apply the forced distribution by rank.

    Caps are applied from the best grade down (what a cap moves out may meet the next
    grade's cap), minimums from the worst grade up. Rule for ties: a ``max`` share is never
    exceeded: people tied at the cut-off are moved down together. A ``min`` share is always
    met: people tied at the cut-off are moved in together, so it may be exceeded. People
    moved get ``forced_from`` (their earned grade).
    """
    order = [g.id for g in scheme.grade_order()]
    result = scores.copy()
    result["forced_from"] = pd.Series(pd.NA, index=result.index, dtype="object")
    shares = scheme.forced_distribution.shares  # type: ignore[union-attr]
    caps = [(g, shares[g].max) for g in order if g in shares and shares[g].max is not None]
    floors = [
        (g, shares[g].min) for g in reversed(order) if g in shares and shares[g].min is not None
    ]
    for _, group in _scopes(result, scheme):
        for grade_id, share in caps:  # best grade first: an overflow cascades down
            _cap(result, group.index, grade_id, share, order)
        for grade_id, share in floors:  # worst grade first
            _fill(result, group.index, grade_id, share, order)
    return result


def _move(result: pd.DataFrame, index: pd.Index, grade_id: str) -> None:
    earned = result.loc[index, "forced_from"].isna()
    result.loc[index[earned.to_numpy()], "forced_from"] = result.loc[index, "grade_id"][earned]
    result.loc[index, "grade_id"] = grade_id


def _cap(
    result: pd.DataFrame, scope: pd.Index, grade_id: str, share: float, order: list[str]
) -> None:
    members = result.loc[scope][result.loc[scope, "grade_id"] == grade_id]
    allowed = math.floor(share * len(scope) + 1e-9)
    if len(members) <= allowed or order.index(grade_id) == len(order) - 1:
        return
    totals = members["total"].round(6).sort_values(ascending=False)
    cut = totals.iloc[allowed]  # the first total that does not fit
    _move(result, totals.index[totals <= cut], order[order.index(grade_id) + 1])


def _fill(
    result: pd.DataFrame, scope: pd.Index, grade_id: str, share: float, order: list[str]
) -> None:
    needed = math.ceil(share * len(scope) - 1e-9)
    rank_of = {g: i for i, g in enumerate(order)}
    current = result.loc[scope, "grade_id"].map(rank_of)
    have = int((current == rank_of[grade_id]).sum())
    better = result.loc[scope][current < rank_of[grade_id]]
    if have >= needed or better.empty:
        return
    totals = better["total"].round(6).sort_values()
    cut = totals.iloc[min(needed - have, len(totals)) - 1]
    _move(result, totals.index[totals <= cut], grade_id)
