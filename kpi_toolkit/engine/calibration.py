"""Calibration of 360 ratings: how lenient each rater is, self against superior, and the
breakdown as the person rated may see it.

Every function reads the period's ratings one per rater (``Appraisal.rater_values``:
``employee_id, kpi_id, rater_id, rater_group, value``) or the breakdown by rater group
(``Appraisal.ratings``) and returns a new table; nothing is changed in place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "BREAKDOWN_ORDER",
    "LENIENCY_COLUMNS",
    "OTHERS",
    "SELF_SUPERIOR_COLUMNS",
    "leniency",
    "merged_for_employee",
    "self_and_superior",
]

LENIENCY_COLUMNS = ["rater_id", "kpi_id", "people", "given", "others", "difference"]
SELF_SUPERIOR_COLUMNS = ["employee_id", "kpi_id", "self", "superior", "gap"]
OTHERS = "others"  # the merged group of the employee's breakdown (其他评价人)
# Rater groups in the order a breakdown is shown; a person's own and the superior's are
# never merged (the superior is one known person, the self rating is the person's own).
BREAKDOWN_ORDER = ("superior", "subordinates", "peers", OTHERS, "self")
NEVER_MERGED = ("superior", "self")
KEYS = ["employee_id", "kpi_id"]


def leniency(rater_values: pd.DataFrame) -> pd.DataFrame:
    """Per rater and KPI, the mean they gave against the mean the other raters gave the
    same people on the same KPI.

    Self ratings are left out on both sides. For each person a rater rated, "the others"
    is the mean of every other (non-self) rater of that person on that KPI; a person nobody
    else rated cannot be compared and is left out. ``given`` and ``others`` are means over
    the same people (each person once), so a positive ``difference`` is a lenient rater
    and a negative one a harsh rater. A rater with nobody to compare is not listed.

    Returns
    -------
    DataFrame
        ``rater_id, kpi_id, people, given, others, difference``, most lenient first.

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "employee_id": ["A", "A", "A", "B", "B"],
    ...     "kpi_id": "teamwork",
    ...     "rater_id": ["R1", "R2", "A", "R1", "R2"],
    ...     "rater_group": ["superior", "peers", "self", "superior", "peers"],
    ...     "value": [5.0, 3.0, 1.0, 4.0, 4.0]})
    >>> leniency(rows).to_dict("records")[0]
    {'rater_id': 'R1', 'kpi_id': 'teamwork', 'people': 2, 'given': 4.5, 'others': 3.5, 'difference': 1.0}
    """  # noqa: E501
    rated = rater_values.loc[
        rater_values["rater_group"].ne("self") & rater_values["value"].notna(),
        [*KEYS, "rater_id", "value"],
    ]
    by_person = rated.groupby(KEYS)["value"]
    count = by_person.transform("count")
    with np.errstate(divide="ignore", invalid="ignore"):
        others = (by_person.transform("sum") - rated["value"]) / (count - 1)
    compared = rated.assign(others=others).loc[count > 1]
    out = compared.groupby(["rater_id", "kpi_id"], as_index=False, sort=False).agg(
        people=("employee_id", "nunique"), given=("value", "mean"), others=("others", "mean")
    )
    out["difference"] = out["given"] - out["others"]
    out = out.sort_values(["difference", "rater_id", "kpi_id"], ascending=[False, True, True])
    types = {"people": "int64", "given": "float64", "others": "float64", "difference": "float64"}
    return out[LENIENCY_COLUMNS].astype(types).reset_index(drop=True)


def self_and_superior(rater_values: pd.DataFrame) -> pd.DataFrame:
    """Each self rating beside the superior's rating of the same person and KPI.

    Only where a self rating exists; ``superior`` (and so ``gap``) is NaN where the
    superior has not rated. ``gap`` is self − superior: positive where the person rates
    themselves higher than their superior does.

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "employee_id": ["A", "A", "A", "B"], "kpi_id": "teamwork",
    ...     "rater_id": ["A", "M", "P", "M"],
    ...     "rater_group": ["self", "superior", "peers", "superior"],
    ...     "value": [4.5, 4.0, 3.0, 5.0]})
    >>> self_and_superior(rows).to_dict("records")
    [{'employee_id': 'A', 'kpi_id': 'teamwork', 'self': 4.5, 'superior': 4.0, 'gap': 0.5}]
    """
    out = _group_mean(rater_values, "self").merge(
        _group_mean(rater_values, "superior"), on=KEYS, how="left"
    )
    out["gap"] = out["self"] - out["superior"]
    return out[SELF_SUPERIOR_COLUMNS].reset_index(drop=True)


def _group_mean(rater_values: pd.DataFrame, group: str) -> pd.DataFrame:
    """``employee_id, kpi_id, <group>``: the mean rating of one rater group."""
    rows = rater_values.loc[rater_values["rater_group"].eq(group) & rater_values["value"].notna()]
    return rows.groupby(KEYS, sort=False)["value"].mean().rename(group).reset_index()


def merged_for_employee(breakdown: pd.DataFrame, *, min_raters: int = 2) -> pd.DataFrame:
    """The breakdown by rater group as shown to the person rated.

    A group other than the superior and self with fewer than ``min_raters`` raters is
    merged into ``others`` (其他评价人): raters and weights summed, the mean weighted by
    raters. Where ``others`` still has fewer than ``min_raters`` raters its mean is NaN
    (hidden), so no single colleague's rating can be read off. The superior's group and
    the person's own rating are shown as they are.

    Parameters
    ----------
    breakdown
        ``employee_id, kpi_id, rater_group, raters, mean, weight, used_weight, counted``
        (``Appraisal.ratings``).

    Returns
    -------
    DataFrame
        The same columns, groups in :data:`BREAKDOWN_ORDER` within each person and KPI.

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "employee_id": "A", "kpi_id": "teamwork",
    ...     "rater_group": ["superior", "peers", "subordinates"],
    ...     "raters": [1, 1, 3], "mean": [4.0, 2.0, 4.5],
    ...     "weight": [0.5, 0.25, 0.25], "used_weight": [2 / 3, 0.0, 1 / 3],
    ...     "counted": [True, False, True]})
    >>> merged_for_employee(rows)[["rater_group", "raters", "mean"]].to_dict("list")
    {'rater_group': ['superior', 'subordinates', 'others'], 'raters': [1, 3, 1], 'mean': [4.0, 4.5, nan]}
    """  # noqa: E501
    small = ~breakdown["rater_group"].isin(NEVER_MERGED) & (breakdown["raters"] < min_raters)
    if not small.any():  # nothing to merge (most people): no grouping
        return _in_order(breakdown.reset_index(drop=True), breakdown)
    merged = (
        breakdown.loc[small]
        .assign(part=breakdown["mean"] * breakdown["raters"])
        .groupby(KEYS, as_index=False, sort=False)
        .agg(
            raters=("raters", "sum"),
            part=("part", "sum"),
            weight=("weight", "sum"),
            used_weight=("used_weight", "sum"),
            counted=("counted", "any"),
        )
    )
    merged["mean"] = (merged["part"] / merged["raters"]).where(merged["raters"] >= min_raters)
    merged["rater_group"] = OTHERS
    if merged.empty:
        return _in_order(breakdown.reset_index(drop=True), breakdown)
    out = pd.concat(
        [breakdown.loc[~small], merged.reindex(columns=breakdown.columns)], ignore_index=True
    )
    return _in_order(out, breakdown)


def _in_order(out: pd.DataFrame, breakdown: pd.DataFrame) -> pd.DataFrame:
    """Rows per (person, KPI) in the breakdown's order, groups in :data:`BREAKDOWN_ORDER`."""
    people = pd.MultiIndex.from_frame(breakdown[KEYS]).unique()
    place = people.get_indexer(pd.MultiIndex.from_frame(out[KEYS]))
    group = out["rater_group"].map({g: i for i, g in enumerate(BREAKDOWN_ORDER)})
    order = np.lexsort((group.fillna(len(BREAKDOWN_ORDER)).to_numpy(), place))
    return out.iloc[order].reset_index(drop=True)
