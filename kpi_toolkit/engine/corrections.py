"""Appeals and corrections as data: approved changes applied on top of the actuals.

A corrections table ``employee_id, period, kpi_id, old_value, new_value, reason,
approved_by, approved_on`` says, row by row, which actual was wrong and what it should be.
It is applied to the actuals before appraising (:func:`apply_corrections`), so an appeal's
effect is reproducible: the same inputs and the same corrections give the same result, and
:func:`correction_effects` shows what each one changed.

Only measured KPIs are corrected here. A KPI scored by people (``source: ratings``) is
corrected by its ratings (the ratings table, or a rating form sent again). Each ``old_value``
must match the value the input holds (after the corrections approved before it, for the
same cell): a correction that does not correct what is there is refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..labels import Lang
from ..periods import ALLOWED as PERIODS_ALLOWED
from .inputs import (
    ROW,
    canonical_period,
    converted,
    listed,
    numbered,
    require_columns,
    text_of,
)
from .scheme import Kpi, Scheme
from .scoring import Appraisal

__all__ = ["CORRECTION_COLUMNS", "apply_corrections", "check_corrections", "correction_effects"]

CORRECTION_COLUMNS = (
    "employee_id",
    "period",
    "kpi_id",
    "old_value",
    "new_value",
    "reason",
    "approved_by",
    "approved_on",
)
TOLERANCE = 1e-9  # an old value matches the input's when it differs by float noise only


def check_corrections(raw: pd.DataFrame, *, scheme: Scheme) -> pd.DataFrame:
    """Check a corrections table on its own: columns, KPIs, periods, values, approvals.

    Returns the table with text columns stripped, ``period`` canonical, ``approved_on`` a
    date and ``old``/``new`` the values as numbers, sorted by approval date (the order in
    which they are applied). Every problem is reported at once, each naming the row.
    """
    require_columns(raw, CORRECTION_COLUMNS, what="corrections table")
    frame = numbered(raw)
    for column in CORRECTION_COLUMNS:
        frame[column] = text_of(frame, column)
    kpis = {k.id: k for p in scheme.positions.values() for k in p.kpis}
    problems = _kpi_problems(frame, kpis)
    periods = frame["period"].map(canonical_period)
    problems += listed(
        frame,
        periods.isna(),
        column="period",
        message="not a period",
        allowed=PERIODS_ALLOWED,
    )
    for column in ("reason", "approved_by"):
        problems += listed(
            frame,
            frame[column] == "",
            column=column,
            message="blank: a correction is made only with its reason and approver",
            allowed="the reason (申诉理由) and who approved it" if column == "reason" else "a name",
        )
    approved = pd.to_datetime(
        frame["approved_on"].where(frame["approved_on"] != ""), errors="coerce"
    )
    problems += listed(
        frame,
        approved.isna(),
        column="approved_on",
        message="not a date: a correction is made only once approved",
        allowed="a date like 2026-10-12",
    )
    measured = frame["kpi_id"].map(lambda k: k in kpis and kpis[k].source == "actuals")
    values = {"old_value": np.full(len(frame), np.nan), "new_value": np.full(len(frame), np.nan)}
    for kpi_id, rows in frame.loc[measured].groupby("kpi_id", sort=False):
        for column, numbers in values.items():
            got, faults = converted(rows[column], kpis[str(kpi_id)])
            numbers[frame.index.get_indexer(rows.index)] = got
            for bad, message, allowed in faults:
                problems += listed(rows, bad, column=column, message=message, allowed=allowed)
    if problems:
        raise DataError(problems, title=f"{_file(raw)}: {len(problems)} problem(s)")
    checked = frame.assign(
        period=periods, approved_on=approved, old=values["old_value"], new=values["new_value"]
    )
    checked = checked.sort_values("approved_on", kind="stable").reset_index(drop=True)
    checked.attrs["file"] = _file(raw)
    return checked


def _file(frame: pd.DataFrame) -> str:
    return frame.attrs.get("file") or "corrections"


def _kpi_problems(frame: pd.DataFrame, kpis: dict[str, Kpi]) -> list[Problem]:
    rated = frame["kpi_id"].map(lambda k: k in kpis and kpis[k].source == "ratings")
    problems = listed(
        frame,
        ~frame["kpi_id"].isin(list(kpis)),
        column="kpi_id",
        message="not a KPI of the scheme",
        allowed=", ".join(k for k, v in kpis.items() if v.source == "actuals"),
    )
    problems += listed(
        frame,
        rated,
        column="kpi_id",
        message="a KPI scored by people (source: ratings) is corrected by its ratings, "
        "not here: change the rating in the ratings table (or send the rating form again)",
        allowed="a measured KPI (source: actuals)",
    )
    return problems


def apply_corrections(
    actuals: pd.DataFrame, corrections: pd.DataFrame, *, scheme: Scheme
) -> pd.DataFrame:
    """The actuals with each correction's ``new_value`` in place of its ``old_value``.

    ``corrections`` as :func:`check_corrections` returns it (applied in that order).
    Refused, every row at once: a person and period the actuals do not hold, and an
    ``old_value`` that is not the value there (the correction does not correct what is
    there).

    Examples
    --------
    >>> from kpi_toolkit.engine.scheme import builtin_scheme
    >>> scheme = builtin_scheme("monthly_repair")
    >>> actuals = pd.DataFrame({"employee_id": ["E1"], "period": ["2026-06"],
    ...                         "repaired_pass_rate": ["0.95"]})
    >>> corrections = check_corrections(pd.DataFrame({"employee_id": ["E1"],
    ...     "period": ["2026-06"], "kpi_id": ["repaired_pass_rate"], "old_value": ["95%"],
    ...     "new_value": ["0.98"], "reason": ["返修记录漏登"], "approved_by": ["E002"],
    ...     "approved_on": ["2026-07-05"]}), scheme=scheme)
    >>> apply_corrections(actuals, corrections, scheme=scheme)["repaired_pass_rate"].tolist()
    ['0.98']
    """
    kpis = {k.id: k for p in scheme.positions.values() for k in p.kpis}
    out = numbered(actuals)
    keys = out["employee_id"].astype(str).str.strip() + "\0" + out["period"].map(_canonical_text)
    where = pd.Series(out.index, index=keys.to_numpy())
    where = where[~where.index.duplicated()]
    problems: list[Problem] = []
    file = corrections.attrs.get("file")
    for _, fix in corrections.iterrows():
        key = f"{fix['employee_id']}\0{fix['period']}"
        if key not in where.index:
            problems.append(_no_row(fix, file))
            continue
        index, column = where[key], str(fix["kpi_id"])
        cell = out.at[index, column] if column in out else ""
        there = converted(pd.Series([cell], dtype="object").fillna(""), kpis[column])[0][0]
        if not _same(there, float(fix["old"])):
            problems.append(_mismatch(fix, cell, file))
            continue
        if column not in out:
            out[column] = ""
        out[column] = out[column].astype("object")
        out.at[index, column] = fix["new_value"]
    if problems:
        raise DataError(problems, title=f"{_file(corrections)}: {len(problems)} problem(s)")
    return out.drop(columns=[ROW]) if ROW not in actuals else out


def _canonical_text(value: object) -> str:
    return canonical_period(str(value).strip()) or str(value).strip()


def _same(there: float, old: float) -> bool:
    if np.isnan(there) or np.isnan(old):
        return bool(np.isnan(there) and np.isnan(old))
    return abs(there - old) <= TOLERANCE


def _where(fix: pd.Series, column: str) -> str:
    return (
        f"row {fix[ROW]} (employee {fix['employee_id']}, {fix['period']}, {fix['kpi_id']}), "
        f"column {column}"
    )


def _no_row(fix: pd.Series, file: str | None) -> Problem:
    return Problem(
        where=_where(fix, "employee_id"),
        message=f"the actuals hold no row for this person in {fix['period']}: nothing to correct",
        value=fix["employee_id"],
        allowed="a person and period the actuals hold",
        file=file,
    )


def _mismatch(fix: pd.Series, cell: object, file: str | None) -> Problem:
    shown = str(cell).strip() or "blank"
    return Problem(
        where=_where(fix, "old_value"),
        message=f"the correction does not correct what is there: the input holds {shown}",
        value=fix["old_value"],
        allowed=f"the value the input holds ({shown}), or the new_value of the correction "
        "approved before it",
        file=file,
    )


def correction_effects(
    before: Appraisal,
    after: Appraisal,
    corrections: pd.DataFrame,
    *,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """What each correction of the period changed: one row per correction.

    ``before`` is the period's appraisal without the corrections, ``after`` with them.
    Columns: ``employee_id, name, kpi_id, kpi, old_value, new_value, reason, approved_by,
    approved_on``, the KPI's points, the person's total, grade and rank (within position)
    each ``_before`` and ``_after``, and, where the scheme's grades carry a bonus factor,
    ``bonus_factor_before``/``_after``. A person appraised only on one side has blanks on
    the other.
    """
    period = str(after.period)
    rows = corrections.loc[corrections["period"] == period]
    kpi_names = {k.id: k.name.get(lang) for p in after.scheme.positions.values() for k in p.kpis}
    factors = {g.name.get(lang): g.bonus_factor for g in after.scheme.grades}
    out = rows[list(CORRECTION_COLUMNS)].assign(
        kpi=rows["kpi_id"].map(kpi_names), approved_on=rows["approved_on"].dt.date
    )
    for side, appraisal in (("before", before), ("after", after)):
        scores = appraisal.scores.set_index("employee_id")
        points = [
            scores[k].get(e, np.nan) if k in scores else np.nan
            for e, k in zip(out["employee_id"], out["kpi_id"], strict=True)
        ]
        for column in ("total", "grade", "rank"):
            out[f"{column}_{side}"] = out["employee_id"].map(scores[column])
        out[f"points_{side}"] = points
        if any(f is not None for f in factors.values()):
            out[f"bonus_factor_{side}"] = out[f"grade_{side}"].map(factors)
    names = pd.concat([before.scores, after.scores]).drop_duplicates("employee_id")
    out.insert(1, "name", out["employee_id"].map(names.set_index("employee_id")["name"]))
    return out.reset_index(drop=True)
