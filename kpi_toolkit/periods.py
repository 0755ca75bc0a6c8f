"""Appraisal periods: ``2026`` (year), ``2026-Q3`` (quarter), ``2026-07`` (month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .errors import InputError, Problem

__all__ = ["Grain", "Period", "parse_period"]

Grain = Literal["month", "quarter", "year"]
_PATTERNS: tuple[tuple[Grain, re.Pattern[str]], ...] = (
    ("year", re.compile(r"^(\d{4})$")),
    ("quarter", re.compile(r"^(\d{4})-Q(\d+)$", re.IGNORECASE)),
    ("month", re.compile(r"^(\d{4})-(\d{1,2})$")),
)
ALLOWED = "a year 2026, a quarter 2026-Q1 … 2026-Q4, or a month 2026-01 … 2026-12"


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period of one grain. ``str(period)`` gives its canonical text."""

    year: int
    grain: Grain
    index: int  # month 1-12, quarter 1-4, or 1 for a year

    def __str__(self) -> str:
        if self.grain == "year":
            return f"{self.year}"
        if self.grain == "quarter":
            return f"{self.year}-Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    @property
    def start(self) -> date:
        month = {"year": 1, "quarter": 3 * self.index - 2, "month": self.index}[self.grain]
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        months = {"year": 12, "quarter": 3, "month": 1}[self.grain]
        first = self.start
        total = first.month - 1 + months
        following = date(first.year + total // 12, total % 12 + 1, 1)
        return following - timedelta(days=1)

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies within this period (a quarter within a year, ...)."""
        return self.start <= other.start and other.end <= self.end

    def quarters(self) -> list[Period]:
        """The quarters of a year period."""
        return [Period(self.year, "quarter", q) for q in range(1, 5)]

    def previous(self) -> Period:
        """The period of the same grain just before this one."""
        size = {"year": 1, "quarter": 4, "month": 12}[self.grain]
        flat = self.year * size + self.index - 2
        return Period(flat // size, self.grain, flat % size + 1)


def parse_period(text: object, *, where: str = "period", file: str | None = None) -> Period:
    """Parse a period's text; raise :class:`InputError` naming the bad value otherwise.

    Examples
    --------
    >>> str(parse_period("2026-q3"))
    '2026-Q3'
    >>> parse_period("2026-07").grain
    'month'
    """
    raw = str(text).strip() if text is not None else ""
    for grain, pattern in _PATTERNS:
        match = pattern.match(raw)
        if not match:
            continue
        year = int(match.group(1))
        index = int(match.group(2)) if grain != "year" else 1
        limit = {"year": 1, "quarter": 4, "month": 12}[grain]
        if 1 <= index <= limit and year >= 1:  # year 0 is no date
            return Period(year, grain, index)
        break
    raise InputError(
        Problem(where=where, message="not a period", value=text, allowed=ALLOWED, file=file)
    )
