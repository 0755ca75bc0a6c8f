"""Reading and checking the tables a user gives: roster, actuals, 360 ratings.

Every check runs over whole columns and collects its problems; each names the file, the
row (as numbered in the file: the header is row 1), the employee, the column, the bad value
and what is allowed. Nothing is dropped silently. The shared machinery of the checks is in
:mod:`~kpi_toolkit.engine.table_checks`, the values a KPI may take in
:mod:`~kpi_toolkit.engine.values`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..breakdown import split_breakdown
from ..errors import DataError, Problem, did_you_mean
from .scheme import Scheme
from .table_checks import (
    MAX_LISTED,
    ROW,
    canonical_period,
    canonical_periods,
    combined_codes,
    contained,
    file_of,
    listed,
    numbered,
    positions_in,
    require_columns,
    sorted_groups,
    text_of,
    unknown_employees,
)
from .values import Allowed, allowed_values, converted

__all__ = [
    "MAX_LISTED",
    "ROSTER_COLUMNS",
    "ROW",
    "Allowed",
    "allowed_values",
    "canonical_period",
    "canonical_periods",
    "check_actuals",
    "check_ratings",
    "check_roster",
    "checked_ratings",
    "combined_codes",
    "contained",
    "converted",
    "file_of",
    "listed",
    "numbered",
    "positions_in",
    "read_table",
    "require_columns",
    "sorted_groups",
    "text_of",
    "unknown_employees",
]

ROSTER_COLUMNS = ("employee_id", "name", "position", "team", "status")
STATUSES = {"regular": "regular", "probation": "probation", "正式": "regular", "试用": "probation"}
META_COLUMNS = ("employee_id", "period", "name", "position", "team", "note")
RATING_COLUMNS = ("employee_id", "period", "kpi_id", "rater_id", "rater_group", "value")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table a user gives (roster, actuals, ratings, plans, scores) as text columns.

    A CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM or GBK/GB18030) or the first visible sheet
    of an XLSX workbook, read by :func:`kpi_toolkit.input_files.read_table_file` (which
    says what is refused: sizes, encodings, duplicate headers, formulas without a value).
    Headers are trimmed, full-width letters made plain; blank cells are empty strings; blank
    rows are left out; each row's number in the file (header = row 1) is in column ``_row``.
    """
    from ..input_files import read_table_file

    frame = read_table_file(path, fold_width=True)
    frame[ROW] = frame.index.to_numpy(dtype="int64")
    frame = frame.reset_index(drop=True)
    frame.attrs["file"] = str(path)
    return frame


# --- roster ---------------------------------------------------------------------------


def check_roster(raw: pd.DataFrame) -> pd.DataFrame:
    """Check a roster: the required columns, known statuses, unique ids, dates."""
    require_columns(raw, ROSTER_COLUMNS, what="roster")
    roster = numbered(raw)
    for column in ROSTER_COLUMNS:
        roster[column] = text_of(roster, column)
    status = roster["status"].str.lower().map(STATUSES)
    problems = listed(
        roster,
        status.isna(),
        column="status",
        message="unknown status",
        allowed="regular (正式) or probation (试用)",
    )
    problems += listed(
        roster,
        roster["employee_id"] == "",
        column="employee_id",
        message="blank employee id",
        allowed="an id",
    )
    dup = roster["employee_id"].duplicated(keep=False) & (roster["employee_id"] != "")
    problems += listed(
        roster,
        dup,
        column="employee_id",
        message="employee listed twice",
        allowed="one row per employee",
    )
    roster["status"] = status
    if "manager_id" in roster:
        problems += _check_reporting_lines(roster)
    for column in ("joined", "left", "confirmed"):
        if column in roster:
            text = text_of(roster, column)
            dates = dates_of(text)
            problems += listed(
                roster,
                dates.isna() & (text != ""),
                column=column,
                message="not a date",
                allowed="a date like 2026-03-15",
            )
            roster[column] = dates
    if "confirmed" in roster:
        problems += _check_confirmed(roster)
    if problems:
        raise DataError(problems, title=f"{file_of(raw) or 'roster'}: {len(problems)} problem(s)")
    return roster


def dates_of(text: pd.Series) -> pd.Series:
    """Each text read as a date on its own (``2026-03-15``, ``2026/03/15``, with or without
    a time); NaT where blank or not such a date.

    Parsed value by value: the first value does not set the format of the others (so an
    odd first date is reported, not the good ones after it).

    Examples
    --------
    >>> texts = pd.Series(["15/03/2026", "2026-03-01", "2026/3/5", "", "2026-02-30"])
    >>> dates_of(texts).dt.day.tolist()
    [nan, 1.0, 5.0, nan, nan]
    """
    plain = text.where(text != "").str.replace("/", "-", regex=False)
    return pd.to_datetime(plain, errors="coerce", format="ISO8601")


def _check_confirmed(roster: pd.DataFrame) -> list[Problem]:
    """转正日期 (``confirmed``): not before the person joined, not after they left.

    With a date, ``status`` is the person's status without a date and the date decides per
    period (probation before it, regular from it: :func:`~kpi_toolkit.engine.roster.appraisees`);
    a date that cannot have happened while the person was employed is a contradiction.
    """
    confirmed = roster["confirmed"]
    shown = roster.assign(confirmed=confirmed.dt.date.astype(str))
    problems: list[Problem] = []
    for column, wrong, message in (
        ("joined", lambda d: confirmed < d, "confirmed (转正) before the person joined"),
        ("left", lambda d: confirmed > d, "confirmed (转正) after the person left"),
    ):
        if column in roster and pd.api.types.is_datetime64_any_dtype(roster[column]):
            problems += listed(
                shown,
                wrong(roster[column]).fillna(False),
                column="confirmed",
                message=message,
                allowed=f"a date from the {column} date on"
                if column == "joined"
                else "a date up to the left date, or blank",
            )
    return problems


def _check_reporting_lines(roster: pd.DataFrame) -> list[Problem]:
    """``manager_id``: someone in the roster, not the person, no loop of superiors."""
    from .relations import in_cycle

    roster["manager_id"] = text_of(roster, "manager_id")
    manager = roster["manager_id"]
    ids = ", ".join(roster["employee_id"].head(5)) + (", ..." if len(roster) > 5 else "")
    problems = listed(
        roster,
        (manager != "") & ~contained(manager, roster["employee_id"]),
        column="manager_id",
        message="the direct superior is not in the roster",
        allowed=f"blank, or the employee_id of someone in the roster ({ids}); list a "
        "superior outside the department with a position the scheme does not appraise",
    )
    own = manager == roster["employee_id"]
    problems += listed(
        roster,
        own,
        column="manager_id",
        message="a person cannot be their own direct superior",
        allowed="another person's employee_id, or blank",
    )
    looped = in_cycle(roster["employee_id"], manager) & ~own.to_numpy()
    problems += listed(
        roster,
        pd.Series(looped, index=roster.index),
        column="manager_id",
        message="the reporting lines go round in a loop through this person",
        allowed="reporting lines that end at someone with no manager_id",
    )
    return problems


# --- actuals --------------------------------------------------------------------------


def check_actuals(raw: pd.DataFrame, *, scheme: Scheme, roster: pd.DataFrame) -> pd.DataFrame:
    """Check a wide actuals table and turn its KPI columns into numbers.

    Ratios are fractions (0.93; ``93%`` is read as 0.93), counts whole numbers ≥ 0,
    durations ≥ 0, ratings their labels or numbers within the scale. Blank cells stay
    missing (the scheme's missing-value policy decides later).
    """
    require_columns(raw, ("employee_id", "period"), what="actuals table")
    frame = _from_breakdowns(numbered(raw), scheme)
    frame["employee_id"] = text_of(frame, "employee_id")
    problems = _check_columns(frame, scheme)
    problems += _check_periods(frame)
    problems += unknown_employees(frame, roster)
    kpis = {k.id: k for p in scheme.positions.values() for k in p.kpis}
    for column in [c for c in frame.columns if c in kpis]:
        values, faults = converted(frame[column], kpis[column])
        for mask, message, allowed in faults:
            problems += listed(frame, mask, column=column, message=message, allowed=allowed)
        frame[column] = values
    if problems:
        raise DataError(problems, title=f"{file_of(raw) or 'actuals'}: {len(problems)} problem(s)")
    return frame


def _from_breakdowns(frame: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """A KPI that reads a breakdown figure (``actual: workload[维修]``) gets that column."""
    reads = {
        k.id: k.actual for p in scheme.positions.values() for k in p.kpis if k.actual is not None
    }
    copies = {kpi: frame[column] for kpi, column in reads.items() if column in frame}
    return frame.assign(**copies) if copies else frame


def _check_columns(frame: pd.DataFrame, scheme: Scheme) -> list[Problem]:
    # breakdown figures (workload[维修]) ride along: the report shows them under their KPI
    breakdowns = {c for c in frame.columns if split_breakdown(str(c)) is not None}
    known = set(META_COLUMNS) | set(scheme.kpi_ids()) | {ROW} | breakdowns
    return [
        Problem(
            where=f"column {column}",
            message=f"not a KPI of scheme {scheme.id}{did_you_mean(column, scheme.kpi_ids())}",
            value=column,
            allowed=", ".join((*META_COLUMNS, *scheme.kpi_ids())),
            file=file_of(frame),
        )
        for column in frame.columns
        if column not in known
    ]


def _check_periods(frame: pd.DataFrame) -> list[Problem]:
    frame["period"], problems = canonical_periods(frame)
    pair = (
        pd.factorize(frame["employee_id"])[0] * (len(frame) + 1) + pd.factorize(frame["period"])[0]
    )
    dup = pd.Series(pair, index=frame.index).duplicated(keep=False) & frame["period"].notna()
    for (emp, period), group in frame[dup].groupby(["employee_id", "period"], sort=False):
        rows = ", ".join(str(r) for r in group[ROW])
        problems.append(
            Problem(
                where=f"rows {rows}",
                file=file_of(frame),
                message=f"employee {emp} has more than one row for {period}",
                allowed="one row per employee and period",
            )
        )
    return problems


# --- ratings --------------------------------------------------------------------------


def check_ratings(raw: pd.DataFrame, *, scheme: Scheme, roster: pd.DataFrame) -> pd.DataFrame:
    """Check a 360 ratings table ``employee_id, period, kpi_id, rater_id, rater_group, value``."""
    return checked_ratings(raw, scheme=scheme, roster=roster)[0]


def checked_ratings(
    raw: pd.DataFrame, *, scheme: Scheme, roster: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`check_ratings`, and each row's place in ``roster`` (the ratee looked up once,
    for :func:`~kpi_toolkit.engine.raters.rate_360`)."""
    require_columns(raw, RATING_COLUMNS, what="ratings table")
    frame = numbered(raw)
    for column in ("employee_id", "kpi_id", "rater_id", "rater_group"):
        frame[column] = text_of(frame, column)
    ratees = positions_in(frame["employee_id"], roster["employee_id"])
    problems = unknown_employees(frame, roster, unknown=ratees < 0)
    rated = {k.id: k for p in scheme.positions.values() for k in p.kpis if k.source == "ratings"}
    problems += listed(
        frame,
        ~frame["kpi_id"].isin(rated),
        column="kpi_id",
        message="not a KPI scored by people (source: ratings) in this scheme",
        allowed=", ".join(rated) or "none",
    )
    frame["period"], period_problems = canonical_periods(frame)
    problems += period_problems
    values = np.full(len(frame), np.nan)
    for kpi_id, kpi in rated.items():
        mask = (frame["kpi_id"] == kpi_id).to_numpy()
        numbers, faults = converted(frame.loc[mask, "value"], kpi)
        values[mask] = numbers
        for bad, message, allowed in faults:
            problems += listed(
                frame.loc[mask], bad, column="value", message=message, allowed=allowed
            )
    twice = _rated_twice(frame, ratees)
    if twice.any():
        problems += listed(
            frame.assign(value=frame["rater_id"]),
            twice,
            column="rater_id",
            message="the same rater rates this person and KPI twice in the period",
            allowed="one rating per rater, person, KPI and period",
        )
    typed = _typed(frame["value"])  # an unreadable value is reported above, once
    blank = frame["kpi_id"].isin(rated) & np.isnan(values) & ~typed
    problems += listed(
        frame,
        blank,
        column="value",
        message="blank rating",
        allowed="a rating (or leave the row out)",
    )
    frame["value"] = values
    if problems:
        raise DataError(problems, title=f"{file_of(raw) or 'ratings'}: {len(problems)} problem(s)")
    return frame, ratees


def _rated_twice(frame: pd.DataFrame, ratees: np.ndarray) -> pd.Series:
    """Rows where a rater rates the same person and KPI more than once in a period.

    On integer codes (the ratee's place in the roster, the other keys factorised); where a
    ratee is not in the roster, on the texts.
    """
    keys = ["employee_id", "period", "kpi_id", "rater_id"]
    if (ratees < 0).any():
        return frame.duplicated(keys, keep=False)
    codes = [ratees] + [pd.factorize(frame[c])[0] + 1 for c in keys[1:]]  # NaN: -1 → 0
    sizes = [int(code.max(initial=0)) + 1 for code in codes]
    _, group = sorted_groups(combined_codes(codes, sizes))
    return pd.Series(np.bincount(group)[group] > 1, index=frame.index)


def _typed(column: pd.Series) -> np.ndarray:
    """Whether each cell holds something (a number column: not NaN; text: not blank)."""
    if pd.api.types.is_numeric_dtype(column):
        return column.notna().to_numpy()
    return (column.astype("string").str.strip().fillna("") != "").to_numpy()
