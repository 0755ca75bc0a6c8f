"""Working-day calendar: Chinese statutory holidays, 调休 make-up days, company overrides, hours.

Elapsed working time is computed for whole columns at once from a *slot table*: the days
between the first and the last timestamp are cut into equal slots (an hour, or finer when the
working hours start at 08:30, ...), each slot is working or not, and the cumulative working
minutes before each slot are kept. A timestamp's *working clock* is then the cumulative minutes
of its slot plus the part of its slot already worked; working time from ``a`` to ``b`` is
``clock(b) - clock(a)``. The same table joins into DuckDB SQL (see
:mod:`kpi_toolkit.records.metrics`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Literal

import chinese_calendar
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from ..errors import InputError, Problem
from ..loader import load_spec
from .sources import TimeZone, resolve_param

__all__ = [
    "CalendarSpec",
    "SlotTable",
    "WorkingHours",
    "covered_years",
    "load_calendar",
    "slot_table",
    "workdays",
    "working_day_after",
    "working_minutes",
]

_NS_PER_MINUTE = 60_000_000_000
_HOLIDAYS = np.array(sorted(chinese_calendar.holidays), dtype="datetime64[D]")
_MAKEUP_DAYS = np.array(sorted(chinese_calendar.workdays), dtype="datetime64[D]")
_COVERED = (min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year)


class WorkingHours(BaseModel):
    """One working interval of a day, e.g. 09:00–12:00."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self


class CalendarSpec(BaseModel):
    """A working calendar as written in ``params/calendar/*.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = "default"
    base: Literal["chinese_statutory", "weekdays"] = "chinese_statutory"
    fallback: Literal["error", "weekdays"] = "error"
    workweek: tuple[int, ...] = (1, 2, 3, 4, 5)
    hours: tuple[WorkingHours, ...] = (
        WorkingHours(start=time(9), end=time(12)),
        WorkingHours(start=time(13), end=time(18)),
    )
    extra_workdays: tuple[date, ...] = ()
    holidays: tuple[date, ...] = ()
    timezone: TimeZone = "Asia/Shanghai"
    file: str | None = None

    @field_validator("workweek")
    @classmethod
    def _iso_weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(d not in range(1, 8) for d in value) or len(set(value)) < len(value):
            raise ValueError("ISO weekday numbers 1 (Mon) … 7 (Sun), each once")
        return value

    @model_validator(mode="after")
    def _hours_apart(self) -> CalendarSpec:
        ends = [h.end for h in self.hours[:-1]]
        if not self.hours or any(e > h.start for e, h in zip(ends, self.hours[1:], strict=True)):
            raise ValueError("hours must be at least one interval, in order, not overlapping")
        return self

    @property
    def day_minutes(self) -> float:
        """Working minutes of one full working day (what "1 working day" means)."""
        return float(sum(_minute(h.end) - _minute(h.start) for h in self.hours))


def covered_years() -> tuple[int, int]:
    """First and last year of the Chinese holiday calendar package."""
    return _COVERED


def load_calendar(name: str | Path = "cn_office") -> CalendarSpec:
    """Read a calendar by name (``params/calendar/NAME.yaml``) or path."""
    path = resolve_param(name, "calendar")
    return load_spec(path, model=CalendarSpec).model_copy(update={"file": str(path)})


def workdays(days: np.ndarray, *, calendar: CalendarSpec) -> np.ndarray:
    """Whether each day (``datetime64[D]``) is a working day.

    Statutory holidays are off and 调休 make-up days on, from ``chinese_calendar``; the
    ``workweek`` adds ordinary working weekdays (six-day weeks); company ``holidays`` and
    ``extra_workdays`` override both. Days outside the package's years fail, or follow the
    plain ``workweek`` when the calendar says ``fallback: weekdays``.
    """
    days = np.asarray(days, dtype="datetime64[D]")
    iso_weekday = (days.astype("int64") + 3) % 7 + 1
    plain = np.isin(iso_weekday, calendar.workweek)
    if calendar.base == "chinese_statutory":
        _check_covered(days, calendar=calendar)
        plain = np.isin(days, _MAKEUP_DAYS) | (plain & ~np.isin(days, _HOLIDAYS))
    extra = np.isin(days, np.array(calendar.extra_workdays, dtype="datetime64[D]"))
    off = np.isin(days, np.array(calendar.holidays, dtype="datetime64[D]"))
    return (plain | extra) & ~off


def _check_covered(days: np.ndarray, *, calendar: CalendarSpec) -> None:
    years = days.astype("datetime64[Y]").astype(int) + 1970
    outside = days[(years < _COVERED[0]) | (years > _COVERED[1])]
    if outside.size and calendar.fallback == "error":
        raise InputError(
            Problem(
                where=f"calendar {calendar.name!r}",
                message=(
                    "date outside the years of the Chinese holiday calendar; add "
                    "'fallback: weekdays' to the calendar YAML to treat those years as plain "
                    "working weeks without statutory holidays"
                ),
                value=str(outside.min()),
                allowed=f"dates in {_COVERED[0]}–{_COVERED[1]}",
                file=calendar.file,
            )
        )


@dataclass(frozen=True)
class SlotTable:
    """Cumulative working minutes per slot from ``first_slot`` (slots counted from 1970)."""

    first_slot: int
    slot_minutes: int
    cumulative: np.ndarray  # working minutes before each slot
    working: np.ndarray  # 1.0 when the slot is working time, else 0.0

    def clock(self, stamps: pd.Series | np.ndarray) -> np.ndarray:
        """Working minutes from the table's start to each timestamp (NaN for NaT)."""
        ns = np.asarray(pd.to_datetime(stamps), dtype="datetime64[ns]").astype("int64")
        missing = ns == np.iinfo("int64").min
        slot_ns = self.slot_minutes * _NS_PER_MINUTE
        index = np.where(missing, 0, ns // slot_ns - self.first_slot)
        if index.size and (index.min() < 0 or index.max() >= self.working.size):
            raise ValueError("timestamp outside the slot table; build it from the data's range")
        offset = (ns % slot_ns) / _NS_PER_MINUTE
        return np.where(missing, np.nan, self.cumulative[index] + self.working[index] * offset)

    def frame(self) -> pd.DataFrame:
        """The table as ``slot, cumulative, working`` rows (to join in SQL)."""
        slots = np.arange(self.working.size, dtype="int64") + self.first_slot
        return pd.DataFrame({"slot": slots, "cumulative": self.cumulative, "working": self.working})


def slot_table(first: date, last: date, *, calendar: CalendarSpec) -> SlotTable:
    """The slot table covering the days ``first`` … ``last`` (inclusive)."""
    minutes = _slot_minutes(calendar)
    days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
    starts = np.arange(0, 1440, minutes)
    in_hours = np.zeros(starts.size, dtype=bool)
    for interval in calendar.hours:
        in_hours |= (starts >= _minute(interval.start)) & (starts < _minute(interval.end))
    working = (workdays(days, calendar=calendar)[:, None] & in_hours[None, :]).ravel()
    cumulative = np.concatenate([[0.0], np.cumsum(working * float(minutes))[:-1]])
    first_slot = int(days[0].astype("int64")) * (1440 // minutes)
    return SlotTable(first_slot, minutes, cumulative, working.astype(float))


def _minute(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _slot_minutes(calendar: CalendarSpec) -> int:
    """The largest slot dividing the day in which every hour boundary falls on a slot edge."""
    bounds = [_minute(h.start) for h in calendar.hours] + [_minute(h.end) for h in calendar.hours]
    return math.gcd(1440, *bounds)


def working_minutes(start: pd.Series, end: pd.Series, *, calendar: CalendarSpec) -> pd.Series:
    """Working minutes from ``start`` to ``end``, element-wise (negative when end < start).

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2026-09-30 17:00"]))
    >>> e = pd.Series(pd.to_datetime(["2026-10-08 10:00"]))
    >>> working_minutes(s, e, calendar=CalendarSpec()).tolist()  # National Day 1–7 Oct off
    [120.0]
    """
    both = pd.concat([pd.to_datetime(start), pd.to_datetime(end)]).dropna()
    if both.empty:
        return pd.Series(np.nan, index=start.index, dtype=float)
    table = slot_table(both.min().date(), both.max().date(), calendar=calendar)
    values = table.clock(end) - table.clock(start)
    return pd.Series(values, index=start.index, dtype=float)


def working_day_after(day: date, count: int, *, calendar: CalendarSpec) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself is not counted).

    Examples
    --------
    >>> working_day_after(date(2026, 9, 30), 5, calendar=CalendarSpec())  # 国庆 1–7 Oct off,
    ... # Sat 10 Oct a 调休 working day: 8, 9, 10, 12, 13 Oct
    datetime.date(2026, 10, 13)
    """
    found, start = 0, np.datetime64(day, "D") + 1
    while True:  # two weeks at a time: never asks the calendar about years it need not
        days = np.arange(start, start + 14)
        working = days[workdays(days, calendar=calendar)]
        if found + working.size >= count:
            return working[count - found - 1].astype(object)
        found, start = found + working.size, start + 14
