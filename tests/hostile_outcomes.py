"""Hostile outcomes: inputs that used to give a wrong answer with exit 0 — nobody appraised,
a period or year that is not one, dates, repeated headers, blank actuals, actuals nobody
uses. Ids start with ``out-``.
"""

from __future__ import annotations

from hostile import Case, Place, rows_csv

SCHEME = "after_sales_team"
PERIOD = "2026-Q3"
NOBODY = "nobody appraised"


def _score(period: str = PERIOD, *extra: str, data: str = "{sample}") -> list[str]:
    argv = ["score", "--scheme", SCHEME, "--data-dir", data, "--period", period]
    return [*argv, "--out", "{w}/out.csv", *extra]


def _annual(year: str, *extra: str, data: str = "{sample}") -> list[str]:
    argv = ["annual", "--scheme", SCHEME, "--data-dir", data, "--year", year]
    return [*argv, "--out", "{w}/year.csv", *extra]


def _copy(place: Place, *, skip: tuple[str, ...] = ()) -> None:
    """The sample's tables for the scheme copied to ``{w}/data`` (but ``skip``)."""
    for name in ("roster.csv", f"actuals_{SCHEME}.csv", "ratings.csv", "plans.csv"):
        if name not in skip:
            place.write_frame(f"data/{name}", place.frame(name))


def _header_only(place: Place) -> None:
    _copy(place, skip=(f"actuals_{SCHEME}.csv",))
    columns = place.frame(f"actuals_{SCHEME}.csv").columns
    place.write(f"data/actuals_{SCHEME}.csv", rows_csv(columns, []))


def _no_ratings(place: Place) -> None:
    """A ratings file with its header only (nobody is rated when nobody is appraised)."""
    place.write("data/ratings.csv", rows_csv(place.frame("ratings.csv").columns, []))


def _all_on_probation(place: Place) -> None:
    _copy(place, skip=("roster.csv", "ratings.csv"))
    _no_ratings(place)
    roster = place.frame("roster.csv")
    roster["status"] = "probation"
    place.write_frame("data/roster.csv", roster)


def _positions_unknown(place: Place) -> None:
    _copy(place, skip=("roster.csv", "ratings.csv"))
    _no_ratings(place)
    roster = place.frame("roster.csv")
    roster["position"] = "astronaut"
    place.write_frame("data/roster.csv", roster)


def _one_position_unknown(place: Place) -> None:
    """One manager of the monthly scheme moved to a position it lacks (their ratings out)."""
    roster = place.frame("roster.csv")
    roster.loc[roster["employee_id"] == "E002", "position"] = "astronaut"
    place.write_frame("data/roster.csv", roster)
    ratings = place.frame("ratings.csv")
    keep = (ratings["employee_id"] != "E002") & (ratings["rater_id"] != "E002")
    place.write_frame("data/ratings.csv", ratings.loc[keep])
    place.write_frame("data/actuals_monthly_repair.csv", place.frame("actuals_monthly_repair.csv"))


def _first_date_odd(place: Place) -> None:
    _copy(place, skip=("roster.csv",))
    roster = place.frame("roster.csv")
    roster.loc[roster.index[0], "joined"] = "15/03/2023"
    place.write_frame("data/roster.csv", roster)


def _one_date_only_bad(place: Place, output: str) -> None:
    assert output.count("not a date") == 1, output


def _dates_mixed_forms(place: Place) -> None:
    _copy(place, skip=("roster.csv",))
    roster = place.frame("roster.csv")
    roster.loc[roster.index[0], "joined"] = "2023/3/1"
    roster.loc[roster.index[1], "joined"] = "2023-03-01 00:00:00"
    place.write_frame("data/roster.csv", roster)


def _second_status(place: Place) -> None:
    _copy(place, skip=("roster.csv",))
    text = (place.sample / "roster.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    lines[0] += ",status"
    lines[1:] = [line + ",probation" for line in lines[1:]]
    place.write("data/roster.csv", "\n".join(lines) + "\n")


def _second_kpi_column(place: Place) -> None:
    _copy(place, skip=(f"actuals_{SCHEME}.csv",))
    text = (place.sample / f"actuals_{SCHEME}.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    lines[0] += ",csat"
    lines[1:] = [line + ",0.1" for line in lines[1:]]
    place.write(f"data/actuals_{SCHEME}.csv", "\n".join(lines) + "\n")


def _blank_actual(place: Place) -> None:
    _copy(place, skip=(f"actuals_{SCHEME}.csv",))
    actuals = place.frame(f"actuals_{SCHEME}.csv")
    rows = actuals.index[actuals["period"] == PERIOD]
    actuals.loc[rows[0], "csat"] = ""
    actuals.loc[rows[2], "csat"] = "  "
    place.write_frame(f"data/actuals_{SCHEME}.csv", actuals)


def _two_blank_rows_named(place: Place, output: str) -> None:
    assert output.count("no actual value") == 2, output


def _empty_scores(place: Place) -> None:
    header = ("employee_id", "name", "position", "team", "period", "total", "grade")
    place.write("scores.csv", rows_csv(header, []))


BONUS = ["--installs", "10", "--install-price", "30", "--repairs", "5", "--repair-price", "80"]
DATA = "{w}/data"

NOBODY_CASES = [
    Case(
        id="out-score-empty-period",
        argv=_score("2030-Q1"),
        needles=[NOBODY, "2030-Q1", "0 row(s) read"],
        absent=["{w}/out.csv"],
    ),
    Case(
        id="out-score-header-only-actuals",
        argv=_score(data=DATA),
        setup=_header_only,
        needles=[NOBODY, "0 row(s) read"],
        absent=["{w}/out.csv"],
    ),
    Case(
        id="out-score-everybody-on-probation",
        argv=_score(data=DATA),
        setup=_all_on_probation,
        needles=[NOBODY, "试用期"],
        absent=["{w}/out.csv"],
    ),
    Case(
        id="out-score-every-position-unknown",
        argv=_score(data=DATA),
        setup=_positions_unknown,
        needles=[NOBODY, "不在本考核方案中"],
        absent=["{w}/out.csv"],
    ),
    Case(
        id="out-score-english-reasons",
        argv=[*_score(data=DATA), "--lang", "en"],
        setup=_all_on_probation,
        needles=[NOBODY, "probation"],
    ),
    Case(
        id="out-annual-empty-year",
        argv=_annual("2030"),
        needles=[NOBODY, "2030"],
        absent=["{w}/year.csv"],
    ),
    Case(
        id="out-annual-everybody-on-probation",
        argv=_annual("2025", data=DATA),
        setup=_all_on_probation,
        needles=[NOBODY, "2025"],
        absent=["{w}/year.csv"],
    ),
    Case(
        id="out-bonus-header-only-scores",
        argv=["bonus", "--scores", "{w}/scores.csv", *BONUS],
        setup=_empty_scores,
        needles=[NOBODY, "0 row(s) read"],
    ),
    Case(
        id="out-report-empty-period",
        argv=[
            "report",
            "--scheme",
            SCHEME,
            "--data-dir",
            "{sample}",
            "--period",
            "2030-Q1",
            "--out-dir",
            "{w}/out",
        ],
        needles=[NOBODY, "2030-Q1"],
        absent=["{w}/out/*.html"],
    ),
    Case(
        id="out-one-unknown-position-warned",
        argv=[
            "score",
            "--scheme",
            "monthly_repair",
            "--data-dir",
            DATA,
            "--period",
            "2026-01",
            "--out",
            "{w}/out.csv",
        ],
        setup=_one_position_unknown,
        code=0,
        needles=["警告", "E002", "2026-01", "不在本考核方案中"],
        exists=["{w}/out.csv"],
    ),
]

PERIOD_CASES = [
    Case(
        id=f"out-annual-year-{name}",
        argv=_annual(year),
        needles=["not a year", "YYYY"],
        absent=["{w}/year.csv"],
    )
    for name, year in (
        ("quarter", "2026-Q3"),
        ("month", "2026-07"),
        ("text", "last year"),
        ("blank", ""),
        ("fullwidth", "２０２６-Q1"),
    )
] + [
    Case(
        id=f"out-score-period-{name}",
        argv=_score(period),
        needles=["not a period"],
        absent=["{w}/out.csv"],
    )
    for name, period in (
        ("quarter-5", "2026-Q5"),
        ("month-13", "2026-13"),
        ("no-year", "Q3"),
        ("sql", "2026-Q3'; DROP TABLE x"),
        ("newline", "2026-Q3\n2026-Q4"),
    )
]

TABLE_CASES = [
    Case(
        id="out-roster-first-date-odd",
        argv=_score(data=DATA),
        setup=_first_date_odd,
        needles=["row 2 (employee E001), column joined", "15/03/2023", "not a date"],
        check=_one_date_only_bad,
    ),
    Case(
        id="out-roster-dates-in-two-forms",
        argv=_score(data=DATA),
        setup=_dates_mixed_forms,
        code=0,
        exists=["{w}/out.csv"],
    ),
    Case(
        id="out-roster-second-status-column",
        argv=_score(data=DATA),
        setup=_second_status,
        needles=["roster.csv", "two columns have the header 'status'"],
    ),
    Case(
        id="out-actuals-second-kpi-column",
        argv=_score(data=DATA),
        setup=_second_kpi_column,
        needles=["two columns have the header 'csat'"],
    ),
    Case(
        id="out-actuals-blank-named-by-file-and-row",
        argv=_score(data=DATA),
        setup=_blank_actual,
        needles=[f"actuals_{SCHEME}.csv: row", "column csat", "no actual value"],
        check=_two_blank_rows_named,
    ),
]

CASES = [*NOBODY_CASES, *PERIOD_CASES, *TABLE_CASES]
