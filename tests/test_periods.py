"""Appraisal periods: parsing, canonical text, bounds, containment, the previous period."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_toolkit.errors import InputError
from kpi_toolkit.periods import ALLOWED, Period, parse_period


@pytest.mark.parametrize(
    ("text", "canonical", "grain", "start", "end"),
    [
        ("2026", "2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q1", "2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-q3", "2026-Q3", "quarter", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", "2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-07", "2026-07", "month", date(2026, 7, 1), date(2026, 7, 31)),
        ("2026-7", "2026-07", "month", date(2026, 7, 1), date(2026, 7, 31)),
        (" 2026-12 ", "2026-12", "month", date(2026, 12, 1), date(2026, 12, 31)),
        ("2024-02", "2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-02", "2026-02", "month", date(2026, 2, 1), date(2026, 2, 28)),
        (2026, "2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_parse(text: object, canonical: str, grain: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (str(period), period.grain, period.start, period.end) == (canonical, grain, start, end)
    assert parse_period(str(period)) == period


@pytest.mark.parametrize(
    "text", ["2026-Q5", "2026-Q0", "2026-13", "2026-00", "26-Q1", "2026Q3", "2026-H1", "", None]
)
def test_not_a_period(text: object) -> None:
    with pytest.raises(InputError) as caught:
        parse_period(text, where="row 7, column period", file="actuals.csv")
    (problem,) = caught.value.problems
    assert problem.where == "row 7, column period"
    assert problem.file == "actuals.csv"
    assert problem.value == text
    assert problem.allowed == ALLOWED
    assert str(problem).startswith("actuals.csv: row 7, column period: not a period")


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2026-Q1", "2025-Q4"),
        ("2026-Q3", "2026-Q2"),
        ("2026-01", "2025-12"),
        ("2026-07", "2026-06"),
        ("2026", "2025"),
    ],
)
def test_previous(text: str, previous: str) -> None:
    assert str(parse_period(text).previous()) == previous


def test_quarters_of_a_year() -> None:
    assert [str(q) for q in parse_period("2026").quarters()] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("2026", "2026-Q2", True),
        ("2026", "2026-05", True),
        ("2026-Q3", "2026-07", True),
        ("2026-Q3", "2026-09", True),
        ("2026-Q3", "2026-10", False),
        ("2026-Q2", "2026", False),
        ("2026", "2025-Q4", False),
        ("2026-Q3", "2026-Q3", True),
    ],
)
def test_contains(outer: str, inner: str, expected: bool) -> None:
    assert parse_period(outer).contains(parse_period(inner)) is expected


def test_period_is_frozen() -> None:
    period = Period(2026, "quarter", 3)
    with pytest.raises(AttributeError):
        period.index = 4  # type: ignore[misc]
    assert {period, parse_period("2026-Q3")} == {period}
