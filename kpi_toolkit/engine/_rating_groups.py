"""The groups of 360 rating rows, on integer codes: (ratee, position, KPI, rater group).

Used by :func:`~kpi_toolkit.engine.raters.rate_360`. Each key is factorised once, in the
order of its sorted texts, so every table comes out in the order a ``groupby`` on the texts
gives, with the same numbers (``tests/test_raters_grouping.py`` compares the two).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scheme import Scheme
from .table_checks import combined_codes, positions_in, sorted_groups

__all__ = ["RateeCodes", "RatingGroups", "with_positions"]

RateeCodes = tuple[np.ndarray, int]


def with_positions(
    rows: pd.DataFrame, roster: pd.DataFrame, *, at: np.ndarray | None = None
) -> pd.DataFrame:
    """``rows`` (renumbered from 0) with each ratee's ``position`` from the roster (missing
    where the ratee is not in it); ``at``: each row's place in the roster, if known."""
    if at is None:
        at = positions_in(rows["employee_id"], roster["employee_id"])
    out = rows.reset_index(drop=True)
    out["position"] = roster["position"].array.take(at, allow_fill=True)
    return out


class RatingGroups:
    """The (ratee, position, KPI, rater group) groups of rating rows, on integer codes.

    Each key is factorised once, its codes in the order of its sorted texts: a group's
    combined code sorts as ``groupby(keys)`` sorts (a ratee has one position). Sums go
    through pandas' grouped reductions, so they are the ones of ``groupby``.
    """

    KEYS = ("employee_id", "position", "kpi_id", "rater_group")

    def __init__(self, rows: pd.DataFrame, *, ratees: RateeCodes | None = None) -> None:
        """``ratees``: each row's ratee as a code that sorts as the ids sort and the
        number of codes (from the roster, factorised once), instead of the ids' texts."""
        self.rows = rows
        codes = [
            pd.factorize(rows[c], sort=True)
            if c != "employee_id" or ratees is None
            else (ratees[0], range(ratees[1]))
            for c in self.KEYS
        ]
        self.position_ids, self.group_ids = codes[1][1], codes[3][1]
        row_key = combined_codes([c for c, _ in codes], [len(u) for _, u in codes])
        self.first, self.group_of_row = sorted_groups(row_key)
        self.position_code = codes[1][0][self.first]
        self.group_code = codes[3][0][self.first]
        # (ratee, KPI) of each group, numbered 0, 1, ... as the pairs' texts sort
        emp, kpi = codes[0][0][self.first], codes[2][0][self.first]
        pair = combined_codes([emp, kpi], [len(codes[0][1]), len(codes[2][1])])
        self.pair_first, self.pair = sorted_groups(pair)

    def groups(self) -> pd.DataFrame:
        """``employee_id, position, kpi_id, rater_group, raters, mean, weight`` per group."""
        out = self.rows[list(self.KEYS)].iloc[self.first].reset_index(drop=True)
        raters, _ = pd.factorize(self.rows["rater_id"])
        given = raters >= 0  # a blank rater is no rater (nunique)
        size = max(int(raters.max(initial=-1)) + 1, 1)
        pairs = self.group_of_row[given].astype(np.int64) * size + raters[given]
        first, _ = sorted_groups(pairs)
        out["raters"] = np.bincount(pairs[first] // size, minlength=len(self.first))
        out["raters"] = out["raters"].astype(np.int64)
        out["mean"] = _group_means(self.rows["value"].to_numpy(dtype=float), self.group_of_row)
        out["weight"] = self.rows["weight"].to_numpy(dtype=float)[self.first]
        return out

    def used_weights(self, weight: np.ndarray, counted: np.ndarray) -> np.ndarray:
        """Each counted group's share of the counted weight of its (ratee, KPI); 0 if not
        counted."""
        share = pd.Series(weight[counted]).groupby(self.pair[counted]).transform("sum")
        used = np.zeros(len(weight))
        used[counted] = weight[counted] / share.to_numpy()
        return used

    def values(self, part: np.ndarray, counted: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """``employee_id, kpi_id, value``: the sum of the counted parts per (ratee, KPI);
        and the place in ``rows`` of each result's first rating."""
        sums = pd.Series(part[counted]).groupby(self.pair[counted]).sum()
        first, _ = sorted_groups(self.pair[counted])
        at = self.first[np.flatnonzero(counted)[first]]
        out = self.rows[["employee_id", "kpi_id"]].iloc[at].reset_index(drop=True)
        out["value"] = sums.to_numpy()
        return out, at

    def missing_groups(self, groups: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
        """Every (ratee, KPI, counted group of the position) without a rating, in the order
        of (ratee, KPI) then the position's groups."""
        width = len(self.group_ids) + 1  # the last: a group no rating names
        seen = np.zeros((len(self.pair_first), width), dtype=bool)
        seen[self.pair, self.group_code] = True
        people = self.pair_first  # the first group of each (ratee, KPI)
        wanted = [(pid, g) for pid, p in scheme.positions.items() for g in p.counted_groups()]
        position_of = {p: i for i, p in enumerate(self.position_ids)}
        group_of = {g: i for i, g in enumerate(self.group_ids)}
        found: list[tuple[np.ndarray, np.ndarray]] = []
        for order, (pid, group) in enumerate(wanted):
            mine = people[self.position_code[people] == position_of.get(pid, -1)]
            absent = ~seen[self.pair[mine], group_of.get(group, width - 1)]
            found.append((mine[absent], np.full(int(absent.sum()), order)))
        at = np.concatenate([f for f, _ in found]) if found else np.zeros(0, dtype=np.intp)
        which = np.concatenate([w for _, w in found]) if found else np.zeros(0, dtype=np.intp)
        sequence = np.lexsort((which, at))
        out = groups[["employee_id", "position", "kpi_id"]].iloc[at[sequence]]
        return out.assign(rater_group=[wanted[i][1] for i in which[sequence]])


def _group_means(value: np.ndarray, group: np.ndarray) -> np.ndarray:
    """The mean of each group's values, NaN skipped (NaN for a group without one).

    Where no group has more than two values, by ``bincount``: a sum of one or two numbers
    is the same however it is compensated, so the means are those of ``groupby().mean()``
    (which sums with Kahan compensation); else by ``groupby().mean()`` itself.
    """
    size = int(group.max(initial=-1)) + 1
    known = ~np.isnan(value)
    counts = np.bincount(group[known], minlength=size)
    if counts.max(initial=0) > 2:
        return pd.Series(value).groupby(group).mean().to_numpy()
    sums = np.bincount(group[known], weights=value[known], minlength=size)
    with np.errstate(invalid="ignore"):
        return sums / counts
