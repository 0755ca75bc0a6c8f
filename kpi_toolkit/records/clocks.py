"""Working-time clocks: where each timestamp a metric reads falls on the working-time line.

``working_minutes(a, b)``, ``working_hours(a, b)`` and ``working_days(a, b)`` in a metric
expression read each argument's clock: the working minutes since the calendar's start up to
that moment, joined from the slot table of :mod:`kpi_toolkit.records.calendar`; the span is
the difference of two clocks. A timestamp outside the calendar is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from .calendar import CalendarSpec, covered_years, slot_table
from .sql_guard import Connection, Expression, quote_identifier
from .staging import CANONICAL_VIEW

__all__ = ["calendar_span", "clock_source", "refuse_outside_calendar"]


_SLOT_US = 60_000_000


def clock_source(
    con: Connection, parsed: Mapping[str, Mapping[str, Any]], calendar: CalendarSpec
) -> tuple[str, dict[str, str]]:
    """The relation the metrics read (with a clock column per working-time argument) and the
    clock column of each such argument."""
    clocks = sorted(
        {
            c
            for parts in parsed.values()
            for e in parts.values()
            if isinstance(e, Expression)
            for _, _, c in e.clock_refs
        }
    )
    source = _with_clocks(con, clocks, calendar) if clocks else CANONICAL_VIEW
    return source, {c: f"_clock_{c}" for c in clocks}


def _with_clocks(con: Connection, clocks: list[str], calendar: CalendarSpec) -> str:
    """Register the slot table and working-time macros; return a FROM with clock columns."""
    first, last = calendar_span(calendar)
    table = slot_table(first, last, calendar=calendar)
    con.register("_workcal", table.frame())
    slot_us = table.slot_minutes * _SLOT_US
    for name, scale in (
        ("working_minutes", 1.0),
        ("working_hours", 60.0),
        ("working_days", calendar.day_minutes),
    ):
        con.execute(f"CREATE OR REPLACE TEMP MACRO {name}(a, b) AS (b - a) / {scale}")
    joins = " ".join(
        f"LEFT JOIN _workcal k{i} ON k{i}.slot = epoch_us(t.{quote_identifier(c)}) // {slot_us}"
        for i, c in enumerate(clocks)
    )
    values = ", ".join(
        f"k{i}.cumulative + k{i}.working * "
        f"((epoch_us(t.{quote_identifier(c)}) % {slot_us}) / {_SLOT_US}.0) "
        f"AS {quote_identifier(f'_clock_{c}')}"
        for i, c in enumerate(clocks)
    )
    return f"(SELECT t.*, {values} FROM {CANONICAL_VIEW} t {joins})"


def calendar_span(calendar: CalendarSpec) -> tuple[date, date]:
    """Days the slot table covers: the holiday package's years, wider with a weekday fallback."""
    years = covered_years() if calendar.fallback == "error" else (2000, 2050)
    return date(years[0], 1, 1), date(years[1], 12, 31)


def refuse_outside_calendar(frame: pd.DataFrame, clocks: list[str], calendar: CalendarSpec) -> None:
    outside = {c: int(frame[f"_out_{c}"].sum()) for c in clocks if frame[f"_out_{c}"].sum()}
    if outside:
        first, last = calendar_span(calendar)
        raise InputError(
            [
                Problem(
                    c,
                    f"{n} timestamps outside the working-day calendar",
                    None,
                    f"{first} … {last} (or 'fallback: weekdays')",
                    calendar.file,
                )
                for c, n in outside.items()
            ]
        )
