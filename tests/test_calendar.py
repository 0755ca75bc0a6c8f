"""Working-day calendar: statutory holidays, 调休, overrides, hours, vectorised working time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
import pytest
from helpers import key_of
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_toolkit.errors import InputError
from kpi_toolkit.records.calendar import (
    CalendarSpec,
    WorkingHours,
    load_calendar,
    slot_table,
    workdays,
    working_minutes,
)

OFFICE = load_calendar("cn_office")
TECHNICIANS = load_calendar("cn_technicians")


def _days(*texts: str) -> np.ndarray:
    return np.array(texts, dtype="datetime64[D]")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-10-01", False),  # 国庆节
        ("2026-10-08", True),  # Thursday after the holiday
        ("2026-09-30", True),
        ("2026-03-07", False),  # ordinary Saturday
        ("2026-03-09", True),  # ordinary Monday
    ],
)
def test_office_days_follow_the_statutory_calendar(day: str, expected: bool) -> None:
    assert workdays(_days(day), calendar=OFFICE).tolist() == [expected]


def test_make_up_weekend_days_are_working_days() -> None:
    import chinese_calendar

    makeup = [d for d in chinese_calendar.workdays if d.year == 2026 and d.isoweekday() >= 6]
    assert makeup, "2026 has 调休 weekend working days"
    assert workdays(np.array(makeup, dtype="datetime64[D]"), calendar=OFFICE).all()


def test_six_day_week_works_saturdays_but_not_statutory_holidays() -> None:
    saturday, national_day_saturday = "2026-03-07", "2026-10-03"
    result = workdays(_days(saturday, national_day_saturday), calendar=TECHNICIANS)
    assert result.tolist() == [True, False]


def test_company_overrides_win() -> None:
    spec = OFFICE.model_copy(
        update={"holidays": (date(2026, 3, 9),), "extra_workdays": (date(2026, 3, 7),)}
    )
    assert workdays(_days("2026-03-09", "2026-03-07"), calendar=spec).tolist() == [False, True]


def test_year_beyond_the_package_fails_clearly() -> None:
    with pytest.raises(InputError) as caught:
        workdays(_days("2027-01-04"), calendar=OFFICE)
    text = str(caught.value)
    assert "2027-01-04" in text and "fallback: weekdays" in text and "2004" in text


def test_weekday_fallback_beyond_the_package() -> None:
    spec = OFFICE.model_copy(update={"fallback": "weekdays"})
    assert workdays(_days("2027-01-04", "2027-01-09"), calendar=spec).tolist() == [True, False]


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        ("2026-03-09 10:00", "2026-03-09 11:00", 60),
        ("2026-03-09 11:00", "2026-03-09 14:00", 120),  # lunch 12:00-13:00 excluded
        ("2026-03-06 17:00", "2026-03-09 10:00", 120),  # Friday → Monday
        ("2026-03-09 07:00", "2026-03-09 20:00", 480),  # one full working day
        ("2026-09-30 17:00", "2026-10-09 10:00", 600),  # 30 Sep 1 h, 8 Oct 8 h, 9 Oct 1 h
        ("2026-03-09 11:30", "2026-03-09 10:00", -90),
    ],
)
def test_working_minutes_examples(start: str, end: str, minutes: float) -> None:
    result = working_minutes(
        pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end)]), calendar=OFFICE
    )
    assert result.tolist() == [minutes]


def test_missing_timestamps_give_nan() -> None:
    start = pd.Series(pd.to_datetime(["2026-03-09 10:00", None]))
    end = pd.Series(pd.to_datetime([None, "2026-03-09 10:00"]))
    assert working_minutes(start, end, calendar=OFFICE).isna().all()


def test_half_hour_boundaries_use_finer_slots() -> None:
    start = pd.Series([pd.Timestamp("2026-03-07 08:00")])  # Saturday, technicians start 08:30
    end = pd.Series([pd.Timestamp("2026-03-07 09:15")])
    assert working_minutes(start, end, calendar=TECHNICIANS).tolist() == [45]
    assert TECHNICIANS.day_minutes == 480


def _brute_force(start: datetime, end: datetime, spec: CalendarSpec) -> float:
    """Count working seconds minute by minute with plain Python (independent check)."""
    total = 0.0
    moment = start
    while moment < end:
        step = min(end, moment.replace(second=0, microsecond=0) + timedelta(minutes=1)) - moment
        in_hours = any(h.start <= moment.time() < h.end for h in spec.hours)
        day = np.array([moment.date()], dtype="datetime64[D]")
        if in_hours and workdays(day, calendar=spec)[0]:
            total += step.total_seconds() / 60
        moment += step
    return total


moments = st.datetimes(datetime(2026, 9, 25), datetime(2026, 10, 14)).map(
    lambda d: d.replace(microsecond=0)
)


@settings(max_examples=15, deadline=None)
@given(moments, st.integers(0, 3 * 24 * 60))
def test_matches_a_minute_by_minute_count(start: datetime, length: int) -> None:
    end = start + timedelta(minutes=length, seconds=start.second)
    result = working_minutes(pd.Series([start]), pd.Series([end]), calendar=OFFICE)[0]
    assert result == pytest.approx(_brute_force(start, end, OFFICE))


@settings(max_examples=60, deadline=None)
@given(st.lists(moments, min_size=3, max_size=3))
def test_non_negative_and_additive(three: list[datetime]) -> None:
    a, b, c = (pd.Series([t]) for t in sorted(three))
    ab = working_minutes(a, b, calendar=OFFICE)[0]
    bc = working_minutes(b, c, calendar=OFFICE)[0]
    ac = working_minutes(a, c, calendar=OFFICE)[0]
    assert ab >= 0 and bc >= 0
    assert ac == pytest.approx(ab + bc)


@settings(max_examples=30, deadline=None)
@given(st.times(), st.times())
def test_zero_within_a_holiday(first: time, second: time) -> None:
    day = date(2026, 10, 2)
    start = pd.Series([datetime.combine(day, min(first, second))])
    end = pd.Series([datetime.combine(day, max(first, second))])
    assert working_minutes(start, end, calendar=OFFICE)[0] == 0


def test_slot_table_is_cumulative() -> None:
    table = slot_table(date(2026, 3, 9), date(2026, 3, 10), calendar=OFFICE)
    assert table.slot_minutes == 60
    assert table.working.sum() * 60 == 2 * OFFICE.day_minutes
    assert np.all(np.diff(table.cumulative) >= 0)


def test_bad_calendar_yaml_lists_every_problem(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "workweek: [1, 9]\nfallback: maybe\nhours:\n  - {start: '18:00', end: '09:00'}\n"
        "colour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_calendar(path)
    wheres = {p.where for p in caught.value.problems}
    expected = {"workweek (line 1)", "fallback (line 2)", "hours[0] (line 4)", "colour (line 5)"}
    assert expected <= wheres
    fallback = next(p for p in caught.value.problems if key_of(p) == "fallback")
    assert fallback.value == "maybe" and "weekdays" in fallback.allowed
    colour = next(p for p in caught.value.problems if key_of(p) == "colour")
    assert "workweek" in colour.allowed and colour.file == str(path)


def test_working_hours_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        WorkingHours(start=time(18), end=time(9))


def test_an_unknown_time_zone_names_its_line(tmp_path) -> None:
    path = tmp_path / "cal.yaml"
    path.write_text("name: x\ntimezone: Mars/Olympus\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_calendar(path)
    (problem,) = caught.value.problems
    assert problem.where == "timezone (line 2)" and "Mars/Olympus" in problem.message
