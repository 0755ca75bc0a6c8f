"""Reporting lines: who is whose superior, subordinate and peer (seed section 4, 第5条).

The roster's optional ``manager_id`` names each person's direct superior (直接上级). The
superior may sit outside the appraised department (the sales director over the after-sales
manager): listed in the roster with a position the scheme does not appraise. From it:

- ``superior``: the ratee's ``manager_id``;
- ``subordinates``: everyone whose ``manager_id`` is the ratee;
- ``peers``: others with the ratee's position (a position with ``peers: same_superior``
  narrows them to those who also share the ratee's superior);
- ``self``: the ratee.

Subordinates and peers on probation, and people not employed in the period, do not rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..periods import Period
from .roster import not_employed
from .scheme import RATER_GROUPS, Scheme

__all__ = ["has_reporting_lines", "in_cycle", "relationships"]

RELATION_COLUMNS = ["employee_id", "rater_id", "rater_group"]


def has_reporting_lines(roster: pd.DataFrame) -> bool:
    """Whether the roster says who reports to whom (a ``manager_id`` column)."""
    return "manager_id" in roster.columns


def in_cycle(employee_ids: pd.Series, manager_ids: pd.Series) -> np.ndarray:
    """Which people sit on a loop of reporting lines (A reports to B reports to A).

    A person who is their own superior is a loop of one.

    >>> ids = pd.Series(["A", "B", "C", "D"])
    >>> in_cycle(ids, pd.Series(["B", "A", "A", ""])).tolist()
    [True, True, False, False]
    """
    up = dict(zip(employee_ids, manager_ids, strict=True))
    looped: set[str] = set()
    settled: set[str] = set()
    for start in up:
        path: list[str] = []
        seen: set[str] = set()
        node = start
        while node in up and node not in settled and node not in seen:
            seen.add(node)
            path.append(node)
            node = up[node]
        if node in seen:  # walked back onto this path: the loop is from node on
            looped.update(path[path.index(node) :])
        settled.update(path)
    return employee_ids.isin(looped).to_numpy()


def _active(roster: pd.DataFrame, period: Period | None) -> pd.Series:
    """Who is employed during the period (everyone where no period is given)."""
    if period is None:
        return pd.Series(True, index=roster.index)
    return ~not_employed(roster, period)


def relationships(
    roster: pd.DataFrame,
    *,
    scheme: Scheme,
    ratees: pd.Series,
    period: Period | None = None,
) -> pd.DataFrame:
    """Every (ratee, rater, group) the reporting lines give, for the ``ratees`` ids.

    ``roster`` is checked (:func:`~kpi_toolkit.engine.inputs.check_roster`) and has
    ``manager_id``. Returns ``employee_id, rater_id, rater_group`` with one row per pair:
    where a rater is in two relations to a ratee the first of superior, subordinates,
    peers, self is kept.
    """
    people = roster.assign(
        manager_id=roster["manager_id"].astype("string").fillna(""),
        _active=_active(roster, period),
    )
    may_rate = people.loc[people["_active"] & (people["status"] != "probation")]
    who = people.loc[people["employee_id"].isin(ratees)]
    superior = who.loc[who["manager_id"] != "", ["employee_id", "manager_id"]].rename(
        columns={"manager_id": "rater_id"}
    )
    superior = superior.loc[superior["rater_id"].isin(people.loc[people["_active"], "employee_id"])]
    subordinates = who[["employee_id"]].merge(
        may_rate[["employee_id", "manager_id"]].rename(
            columns={"employee_id": "rater_id", "manager_id": "employee_id"}
        ),
        on="employee_id",
    )
    peers = _peers(who, may_rate, scheme)
    parts = {
        "superior": superior,
        "subordinates": subordinates,
        "peers": peers,
        "self": who[["employee_id"]].assign(rater_id=who["employee_id"]),
    }
    frames = [parts[g].assign(rater_group=g)[RELATION_COLUMNS] for g in RATER_GROUPS]
    out = pd.concat(frames, ignore_index=True).astype("object")
    return out.drop_duplicates(["employee_id", "rater_id"]).reset_index(drop=True)


def _peers(who: pd.DataFrame, may_rate: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Others with the same position (and, where the position says so, the same superior)."""
    same_superior = {pid for pid, p in scheme.positions.items() if p.peers == "same_superior"}
    pairs = who[["employee_id", "position", "manager_id"]].merge(
        may_rate[["employee_id", "position", "manager_id"]].rename(
            columns={"employee_id": "rater_id", "manager_id": "rater_manager"}
        ),
        on="position",
    )
    narrowed = pairs["position"].isin(same_superior)
    keep = (pairs["rater_id"] != pairs["employee_id"]) & (
        ~narrowed | (pairs["manager_id"] == pairs["rater_manager"])
    )
    return pairs.loc[keep, ["employee_id", "rater_id"]]
