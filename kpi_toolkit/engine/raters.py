"""360 ratings (seed section 4): mean per rater group, weighted by the ratee's position.

The manager is rated by the superior and the subordinates; a supervisor by the superior,
peers and subordinates at once. A group with no ratings (or fewer raters than the scheme's
minimum) has its weight re-spread over the groups present and is flagged: it never counts
as zero. Self-ratings count only where the position has a ``self`` group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..labels import Lang, label, name_of
from ..periods import Period
from .scheme import Scheme

__all__ = ["Rated", "rate_360"]


@dataclass(frozen=True)
class Rated:
    """Result of :func:`rate_360`.

    Attributes
    ----------
    values
        ``employee_id, kpi_id, value``: the weighted 360 result per person and KPI.
    breakdown
        ``employee_id, kpi_id, rater_group, raters, mean, weight, used_weight, counted``.
    flags
        ``employee_id, flag``: re-spread groups, groups below the minimum, ignored self-ratings.
    """

    values: pd.DataFrame
    breakdown: pd.DataFrame
    flags: pd.DataFrame


def rate_360(
    ratings: pd.DataFrame,
    *,
    scheme: Scheme,
    roster: pd.DataFrame,
    period: Period,
    lang: Lang = "zh",
) -> Rated:
    """Weight checked ratings (see :func:`~kpi_toolkit.engine.inputs.check_ratings`) by
    rater group."""
    rows = ratings.loc[ratings["period"] == str(period)].merge(
        roster[["employee_id", "position"]], on="employee_id", how="left"
    )
    rows = rows.loc[rows["position"].isin(scheme.positions)]
    rows["weight"] = _group_weights(rows, scheme)
    self_rows = rows["rater_group"].eq("self") & rows["weight"].isna()
    flags = [_flag_frame(rows.loc[self_rows], "flag.self_ignored", scheme, lang)]
    _refuse_unknown_groups(rows.loc[rows["weight"].isna() & ~self_rows], scheme)
    groups = (
        rows.loc[~self_rows]
        .groupby(["employee_id", "position", "kpi_id", "rater_group"], as_index=False)
        .agg(raters=("rater_id", "nunique"), mean=("value", "mean"), weight=("weight", "first"))
    )
    minimum = (
        groups.apply(
            lambda g: scheme.positions[g["position"]].min_raters.get(g["rater_group"], 1), axis=1
        )
        if len(groups)
        else pd.Series(dtype=float)
    )
    groups["counted"] = groups["raters"] >= minimum
    flags.append(_few_flags(groups.loc[~groups["counted"]], minimum, scheme, lang))
    expected = _expected_groups(groups, scheme)
    flags.append(
        _flag_frame(
            expected.loc[expected["_merge"] == "left_only"],
            "flag.rater_group_missing",
            scheme,
            lang,
        )
    )
    counted = groups.loc[groups["counted"]]
    share = counted.groupby(["employee_id", "kpi_id"])["weight"].transform("sum")
    groups["used_weight"] = (counted["weight"] / share).reindex(groups.index).fillna(0.0)
    values = (
        groups.assign(part=groups["mean"] * groups["used_weight"])
        .loc[groups["counted"]]
        .groupby(["employee_id", "kpi_id"], as_index=False)
        .agg(value=("part", "sum"))
    )
    breakdown = groups.drop(columns=["position"])
    return Rated(values=values, breakdown=breakdown, flags=pd.concat(flags, ignore_index=True))


def _group_weights(rows: pd.DataFrame, scheme: Scheme) -> pd.Series:
    table = {(pid, g): w for pid, p in scheme.positions.items() for g, w in p.raters.items()}
    keys = zip(rows["position"], rows["rater_group"], strict=True)
    return pd.Series([table.get(k, np.nan) for k in keys], index=rows.index, dtype=float)


def _refuse_unknown_groups(bad: pd.DataFrame, scheme: Scheme) -> None:
    if bad.empty:
        return
    problems = [
        Problem(
            where=f"row {row} (employee {emp})",
            message=f"rater group {group!r} is not a group of position {pos}",
            value=group,
            allowed=", ".join(scheme.positions[pos].raters) or "no groups (position has none)",
            file=bad.attrs.get("file"),
        )
        for row, emp, group, pos in zip(
            bad.get("_row", bad.index),
            bad["employee_id"],
            bad["rater_group"],
            bad["position"],
            strict=True,
        )
    ]
    raise DataError(problems, title=f"ratings: {len(problems)} problem(s)")


def _expected_groups(groups: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Every (employee, KPI, group) the position expects, marked where ratings exist."""
    people = groups[["employee_id", "position", "kpi_id"]].drop_duplicates()
    wanted = pd.DataFrame(
        [(pid, g) for pid, p in scheme.positions.items() for g in p.raters],
        columns=["position", "rater_group"],
    )
    expected = people.merge(wanted, on="position")
    present = groups[["employee_id", "kpi_id", "rater_group"]]
    return expected.merge(present, how="left", indicator=True)


def _kpi_name(scheme: Scheme, position: str, kpi_id: str, lang: Lang) -> str:
    kpis = {k.id: k for k in scheme.positions[position].kpis}
    return kpis[kpi_id].name.get(lang) if kpi_id in kpis else kpi_id


def _flag_frame(rows: pd.DataFrame, key: str, scheme: Scheme, lang: Lang) -> pd.DataFrame:
    """One flag per (person, KPI, rater group), the KPI and the group named in words."""
    unique = rows.drop_duplicates(["employee_id", "kpi_id", "rater_group"])
    text = [
        label(key, lang, kpi=_kpi_name(scheme, p, k, lang), group=name_of("rater_group", g, lang))
        for p, k, g in zip(unique["position"], unique["kpi_id"], unique["rater_group"], strict=True)
    ]
    return pd.DataFrame({"employee_id": unique["employee_id"].to_numpy(), "flag": text})


def _few_flags(rows: pd.DataFrame, minimum: pd.Series, scheme: Scheme, lang: Lang) -> pd.DataFrame:
    text = [
        label(
            "flag.rater_group_too_few",
            lang,
            kpi=_kpi_name(scheme, p, k, lang),
            group=name_of("rater_group", g, lang),
            count=c,
            minimum=int(m),
        )
        for p, k, g, c, m in zip(
            rows["position"],
            rows["kpi_id"],
            rows["rater_group"],
            rows["raters"],
            minimum.loc[rows.index],
            strict=True,
        )
    ]
    return pd.DataFrame({"employee_id": rows["employee_id"].to_numpy(), "flag": text})
