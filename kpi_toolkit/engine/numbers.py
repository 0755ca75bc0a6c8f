"""The one numeric-domain check: what a number a user gives may be.

Every number that comes from outside the scheme's own rules — a ``--set NAME=VALUE``
parameter, a bonus count or unit price, a total in a scores file — is checked here against
a :class:`Domain`: finite (no ``nan``, no ``inf``, no ``1e400`` read as infinity), within its
range, whole where it counts something, and no larger than a float holds exactly where it
is money in cents. The scheme's own numbers (weights, points, band edges, grade edges) are
refused non-finite by the scheme model (:mod:`kpi_toolkit.engine.scheme`), so that
``kpi validate`` names the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import Problem

__all__ = [
    "AMOUNT",
    "COUNT",
    "MAX_EXACT_CENTS",
    "NON_NEGATIVE",
    "TOTAL",
    "Domain",
    "as_numbers",
    "number_problems",
    "outside",
]

MAX_EXACT_CENTS = 2**53  # the largest whole number of cents a float holds exactly


@dataclass(frozen=True)
class Domain:
    """The numbers allowed: from ``low`` to ``high``, whole numbers only where ``whole``.

    Attributes
    ----------
    low, high
        The range, both ends included; infinities are never allowed whatever the range.
    whole
        Only whole numbers (counts).
    text
        The domain in words, for messages (``a whole number ≥ 0``).
    """

    low: float
    high: float
    whole: bool
    text: str


NON_NEGATIVE = Domain(0.0, np.inf, False, "a finite number ≥ 0")
COUNT = Domain(0.0, np.inf, True, "a whole number ≥ 0")
AMOUNT = Domain(0.0, MAX_EXACT_CENTS / 100, False, "an amount ≥ 0 (in yuan, up to 9e13)")
TOTAL = Domain(0.0, 100.0, False, "a number from 0 to 100")


def as_numbers(values: Iterable[object] | pd.Series) -> np.ndarray:
    """Numbers from text or numbers: NaN where a value is not a plain number.

    Text is read as Python reads a float after trimming spaces (``" 7 "`` → 7, ``1e309``
    → ``inf``, caught by :func:`outside`); ``50%``, ``1,5``, ``１２`` are not numbers here.

    Examples
    --------
    >>> as_numbers(["1.5", " 7 ", "x", "", None, 3]).tolist()
    [1.5, 7.0, nan, nan, nan, 3.0]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    text = series.astype("string").str.strip()
    ascii_only = text.str.fullmatch(r"[0-9eE.+\-a-zA-Z]*").fillna(False).astype(bool)
    numbers = pd.to_numeric(text.where(ascii_only), errors="coerce")
    return numbers.to_numpy(dtype=float, na_value=np.nan)


def outside(numbers: np.ndarray, domain: Domain) -> np.ndarray:
    """Where ``numbers`` are not in ``domain``: NaN, infinite, out of range, not whole.

    Examples
    --------
    >>> outside(np.array([0, 100, 150, -20, np.nan, np.inf]), TOTAL).tolist()
    [False, False, True, True, True, True]
    >>> outside(np.array([3, 2.5]), COUNT).tolist()
    [False, True]
    """
    values = np.asarray(numbers, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(values) | (values < domain.low) | (values > domain.high)
        if domain.whole:
            bad |= np.isfinite(values) & (values != np.round(values))
    return bad


def number_problems(
    values: Mapping[str, object], *, domain: Domain, file: str | None = None
) -> list[Problem]:
    """A problem for each named value not in ``domain`` (every one, not only the first).

    ``values`` maps where each value was given (``--installs``, ``parameters.x``) to the
    value as given (a number or its text).

    Examples
    --------
    >>> [p.where for p in number_problems({"--installs": "1e400", "--repairs": 3},
    ...                                   domain=COUNT)]
    ['--installs']
    """
    given = list(values.items())
    bad = outside(as_numbers([v for _, v in given]), domain)
    return [
        Problem(
            where=where, message="not " + domain.text, value=value, allowed=domain.text, file=file
        )
        for (where, value), wrong in zip(given, bad, strict=True)
        if wrong
    ]
