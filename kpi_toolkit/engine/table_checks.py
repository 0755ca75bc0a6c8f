"""The machinery of every check of a table a user gives (roster, actuals, ratings, plans,
corrections): row numbers, texts, the required columns, one problem per bad row, periods,
employees looked up in the roster.

Each problem names the file, the row (as numbered in the file: the header is row 1), the
employee, the column, the bad value and what is allowed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, InputError, Problem, did_you_mean
from ..periods import ALLOWED as PERIODS_ALLOWED
from ..periods import parse_period

__all__ = [
    "MAX_LISTED",
    "ROW",
    "canonical_period",
    "canonical_periods",
    "combined_codes",
    "contained",
    "file_of",
    "listed",
    "numbered",
    "positions_in",
    "require_columns",
    "sorted_groups",
    "text_of",
    "unknown_employees",
]

MAX_LISTED = 10  # bad rows listed per column; the rest are counted
ROW = "_row"  # the row number in the file, carried along for messages


def contained(values: pd.Series, reference: pd.Series | list) -> np.ndarray:
    """Whether each value is in ``reference``.

    One factorisation of both (``isin`` on Arrow-backed strings converts value by value in
    pandas 3 and is ~50× slower).
    """
    reference = pd.Series(reference)
    codes, _ = pd.factorize(pd.concat([reference, values], ignore_index=True))
    return np.isin(codes[len(reference) :], codes[: len(reference)])


def positions_in(values: pd.Series, reference: pd.Series) -> np.ndarray:
    """Each value's place (0-based) in ``reference``, its first where repeated; -1 where
    it is not there (a blank is not found).

    One factorisation of both, as :func:`contained`.

    Examples
    --------
    >>> positions_in(pd.Series(["b", "x", "a", None]), pd.Series(["a", "b"])).tolist()
    [1, -1, 0, -1]
    """
    codes, uniques = pd.factorize(pd.concat([reference, values], ignore_index=True))
    own = codes[: len(reference)]
    place = np.full(len(uniques) + 1, -1, dtype=np.intp)  # the last slot: a blank's -1
    known = np.flatnonzero(own >= 0)[::-1]  # backwards: the first place is written last
    place[own[known]] = known
    return place[codes[len(reference) :]]


def sorted_groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct ``key`` (in the keys' order) and each row's group.

    As ``np.unique(key, return_index=True, return_inverse=True)``, by one stable sort
    (``np.unique`` alone is many times slower on these keys in numpy 2.4).
    """
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.empty(len(key), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    group = np.empty(len(key), dtype=np.intp)
    group[order] = np.cumsum(starts) - 1
    return order[starts], group


def combined_codes(codes: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    """One int64 code per row for several codes, sorting as the tuple of them sorts."""
    key = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    for code, size in zip(codes, sizes, strict=True):
        width = max(size, 1)
        if len(key) and int(key.max()) > (2**62) // width:  # keep clear of overflow
            key = sorted_groups(key)[1].astype(np.int64)
        key = key * width + code
    return key


def _rows(frame: pd.DataFrame) -> pd.Series:
    return frame[ROW]


def _numbered(raw: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``raw`` whose ``_row`` gives each row's place (header = row 1)."""
    frame = raw.copy()
    if ROW not in frame:
        frame[ROW] = np.arange(2, len(frame) + 2)
    return frame


def _file(frame: pd.DataFrame) -> str | None:
    return frame.attrs.get("file")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("string").str.strip().fillna("")


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], *, what: str) -> None:
    """Refuse a table without ``columns``, or with a column twice in its header."""
    missing = [c for c in columns if c not in frame.columns]
    found = ", ".join(str(c) for c in frame.columns if c != ROW)
    problems = [
        Problem(
            where=f"column {c}",
            message=f"the {what} needs this column{did_you_mean(c, frame.columns)}",
            allowed=", ".join(columns),
            value=found,
            file=_file(frame),
        )
        for c in missing
    ]
    problems += [
        Problem(
            where=f"column {first}",
            message=f"the header names this column more than once (read as {again!r}): "
            "which one holds the data is unclear",
            value=found,
            allowed="each column once",
            file=_file(frame),
        )
        for again, first in _repeated_headers(frame.columns)
    ]
    if problems:
        raise DataError(problems)


def _repeated_headers(columns: pd.Index) -> list[tuple[str, str]]:
    """Columns a reader renamed because the header repeats a name: pandas reads a second
    ``status`` as ``status.1``. Each as (name read, name repeated)."""
    names = {str(c) for c in columns}
    repeated = []
    for column in map(str, columns):
        stem, dot, number = column.rpartition(".")
        if dot and number.isdigit() and stem in names:
            repeated.append((column, stem))
    return repeated


def _listed(
    frame: pd.DataFrame, mask: pd.Series, *, column: str, message: str, allowed: str
) -> list[Problem]:
    """One problem per bad row (up to :data:`MAX_LISTED`), then a count of the rest."""
    if not mask.any():  # the usual case: no copy of the rows
        return []
    bad = frame.loc[mask]
    problems = [
        Problem(
            where=f"row {row} (employee {emp}), column {column}",
            message=message,
            value=value,
            allowed=allowed,
            file=_file(frame),
        )
        for row, emp, value in zip(
            _rows(bad).head(MAX_LISTED),
            bad["employee_id"].head(MAX_LISTED),  # every table requires the column first
            bad[column].head(MAX_LISTED),
            strict=False,
        )
    ]
    if len(bad) > MAX_LISTED:
        problems.append(
            Problem(
                where=f"column {column}",
                file=_file(frame),
                message=f"{len(bad) - MAX_LISTED} more rows like these",
            )
        )
    return problems


def _periods(frame: pd.DataFrame) -> tuple[pd.Series, list[Problem]]:
    """The period column in canonical form (None where unreadable) and its problems."""
    text = _text(frame, "period")
    codes, uniques = pd.factorize(text)  # a few periods in many rows: each read once
    lookup = {value: _canonical_or_none(value) for value in uniques}
    canonical = pd.Series(uniques, dtype=text.dtype, name=text.name).map(lookup).take(codes)
    canonical.index = text.index  # as text.map(lookup), mapping each distinct text once
    bad = canonical.isna()
    if not bad.any():
        return canonical, []
    problems = _listed(
        frame.assign(period=text),
        bad,
        column="period",
        message="not a period",
        allowed=PERIODS_ALLOWED,
    )
    return canonical, problems


def _check_employees(
    frame: pd.DataFrame, roster: pd.DataFrame, *, unknown: np.ndarray | None = None
) -> list[Problem]:
    """The rows whose employee is not in the roster (``unknown``: where already known)."""
    if unknown is None:
        unknown = ~contained(frame["employee_id"], roster["employee_id"])
    if not unknown.any():
        return []
    return _listed(
        frame,
        pd.Series(unknown, index=frame.index),
        column="employee_id",
        message="employee not in the roster",
        allowed="an employee_id listed in the roster",
    )


def _canonical_or_none(value: str) -> str | None:
    try:
        return str(parse_period(value))
    except InputError:
        return None


# Public names for the modules beside this one (inputs, plans, corrections).
numbered = _numbered
text_of = _text
file_of = _file
require_columns = _require_columns
listed = _listed
canonical_periods = _periods
unknown_employees = _check_employees
canonical_period = _canonical_or_none
