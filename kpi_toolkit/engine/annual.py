"""The year result (第12条): the arithmetic mean of a person's results in the year.

Supervisors and specialists are appraised quarterly and their year result is the mean of
their quarterly totals, with how many quarters it rests on; positions appraised yearly are
scored on yearly actuals directly; monthly positions average their months.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import InputError, Problem
from ..labels import Lang
from ..periods import Period, parse_period
from .grading import grade_and_rank
from .scheme import Scheme
from .scoring import Appraisal, score

__all__ = ["AnnualResult", "annual"]


@dataclass(frozen=True)
class AnnualResult:
    """Result of :func:`annual`.

    Attributes
    ----------
    scores
        ``employee_id, name, position, team, year, total, periods, quarters, grade_id,
        grade, rank, department_rank`` (graded and ranked by
        :func:`~kpi_toolkit.engine.grading.grade_and_rank`, with ``forced_from`` where the
        scheme applies a forced distribution) and one column per period with that
        period's total.
    appraisals
        The appraisal of each period that had actuals.
    excluded
        People with no result in the year, with the reasons given by the periods.
    """

    scores: pd.DataFrame
    appraisals: tuple[Appraisal, ...]
    excluded: pd.DataFrame


def _periods_of(year: Period, grains: set[str]) -> list[Period]:
    periods: list[Period] = []
    if "month" in grains:
        periods += [Period(year.year, "month", m) for m in range(1, 13)]
    if "quarter" in grains:
        periods += year.quarters()
    if "year" in grains:
        periods.append(year)
    return periods


def annual(
    actuals: pd.DataFrame,
    *,
    scheme: Scheme,
    roster: pd.DataFrame,
    year: int | str,
    ratings: pd.DataFrame | None = None,
    plans: pd.DataFrame | None = None,
    lang: Lang = "zh",
) -> AnnualResult:
    """Year results for everyone appraised in ``year`` under ``scheme`` (each period scored
    with its own plans in force, where ``plans`` are given)."""
    target = parse_year(year)
    present = set(actuals["period"].astype(str).str.strip().str.upper())
    appraisals = tuple(
        score(
            actuals,
            scheme=scheme,
            roster=roster,
            period=p,
            ratings=ratings,
            plans=plans,
            lang=lang,
        )
        for p in _periods_of(target, {pos.period for pos in scheme.positions.values()})
        if str(p).upper() in present
    )
    totals = (
        pd.concat(
            [
                a.scores[["employee_id", "name", "position", "team", "period", "total"]]
                for a in appraisals
            ],
            ignore_index=True,
        )
        if appraisals
        else pd.DataFrame(columns=["employee_id", "name", "position", "team", "period", "total"])
    )
    result = _summarise(totals, target, scheme, lang)
    return AnnualResult(
        scores=result, appraisals=appraisals, excluded=_never_scored(appraisals, result)
    )


def parse_year(year: int | str) -> Period:
    """A year's period from ``2026``; a quarter or month (``2026-Q3``) is refused.

    Examples
    --------
    >>> str(parse_year(" 2026 "))
    '2026'
    >>> parse_year("2026-Q3")
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.InputError: year: not a year (found '2026-Q3'); allowed: a year YYYY, ...
    """
    allowed = "a year YYYY, e.g. 2026"
    try:
        target = parse_period(str(year), where="year")
    except InputError:
        target = None
    if target is None or target.grain != "year":
        raise InputError(Problem(where="year", message="not a year", value=year, allowed=allowed))
    return target


def _summarise(totals: pd.DataFrame, year: Period, scheme: Scheme, lang: Lang) -> pd.DataFrame:
    keys = ["employee_id", "name", "position", "team"]
    means = totals.groupby(keys, as_index=False, sort=False).agg(
        total=("total", "mean"), periods=("total", "size")
    )
    quarterly = totals["period"].str.contains("Q")
    quarters = totals.loc[quarterly].groupby("employee_id")["total"].size()
    means["quarters"] = means["employee_id"].map(quarters).fillna(0).astype(int)
    means.insert(4, "year", year.year)
    means = grade_and_rank(means, scheme=scheme, lang=lang)
    wide = totals.pivot_table(index="employee_id", columns="period", values="total")
    means = means.merge(wide, left_on="employee_id", right_index=True, how="left")
    return means.sort_values(["position", "rank", "employee_id"]).reset_index(drop=True)


def _never_scored(appraisals: tuple[Appraisal, ...], result: pd.DataFrame) -> pd.DataFrame:
    if not appraisals:
        return pd.DataFrame(columns=["employee_id", "name", "position", "team", "reason"])
    excluded = pd.concat([a.excluded.assign(period=str(a.period)) for a in appraisals])
    excluded = excluded.loc[~excluded["employee_id"].isin(result["employee_id"])]
    return (
        excluded.drop_duplicates(["employee_id", "reason_code"])
        .groupby(["employee_id", "name", "position", "team"], as_index=False, sort=False)
        .agg(reason=("reason", lambda r: "; ".join(dict.fromkeys(r))))
    )
