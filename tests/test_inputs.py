"""Reading and checking the user's tables: every problem names where, what and what is allowed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import (
    PERIOD,
    make_roster,
    manager_actuals,
    manager_ratings,
    messages,
    ratings_table,
    scheme,
)

from kpi_toolkit import score
from kpi_toolkit.engine.inputs import (
    MAX_LISTED,
    check_actuals,
    check_ratings,
    check_roster,
    read_table,
)
from kpi_toolkit.errors import DataError

RATIO_ALLOWED = "allowed: a fraction from 0 to 1 (93 % is 0.93, or write 93%)"
COUNT_ALLOWED = "allowed: a whole number ≥ 0"
SCALE_ALLOWED = "allowed: one of 很满意, 较满意, 不满意, 很不满意, or a number from 0 to 3"


def manager_roster(*ids: str) -> pd.DataFrame:
    return check_roster(make_roster(*[(i, "manager") for i in ids]))


def actuals_problems(actuals: pd.DataFrame, *ids: str) -> list[str]:
    with pytest.raises(DataError) as caught:
        check_actuals(actuals, scheme=scheme("manager_post"), roster=manager_roster(*ids))
    return messages(caught.value)


# --- bad cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message", "allowed"),
    [
        ("report_on_time_rate", "1.7", "outside the range of a ratio", RATIO_ALLOWED),
        ("report_on_time_rate", "-0.1", "outside the range of a ratio", RATIO_ALLOWED),
        ("report_on_time_rate", "170%", "outside the range of a ratio", RATIO_ALLOWED),
        ("complaints", "-2", "outside the range of a count", COUNT_ALLOWED),
        ("complaints", "1.5", "outside the range of a count", COUNT_ALLOWED),
        ("complaints", "三", "not a number", COUNT_ALLOWED),
        ("plm_usage_rate", "high", "not a number", RATIO_ALLOWED),
    ],
)
def test_bad_cell_names_row_employee_column_value_and_what_is_allowed(
    column: str, value: str, message: str, allowed: str
) -> None:
    actuals = manager_actuals("E1", "E2", **{column: [value, "0.5" if "rate" in column else "1"]})
    (problem,) = actuals_problems(actuals, "E1", "E2")
    assert problem.startswith(f"row 2 (employee E1), column {column}: {message}")
    assert f"(found {value!r})" in problem
    assert problem.endswith(allowed)


def test_numeric_column_out_of_range() -> None:
    actuals = manager_actuals("E1", report_on_time_rate=[1.7])
    (problem,) = actuals_problems(actuals, "E1")
    assert problem == (
        f"row 2 (employee E1), column report_on_time_rate: outside the range of a ratio "
        f"(found 1.7); {RATIO_ALLOWED}"
    )


def test_every_bad_cell_reported_at_once() -> None:
    actuals = manager_actuals("E1", "E2", complaints=["-2", "1"], plm_usage_rate=["x", "0.9"])
    actuals["period"] = ["2026-Q9", PERIOD]
    problems = actuals_problems(actuals, "E1", "E2")
    assert len(problems) == 3
    assert problems[0].startswith("row 2 (employee E1), column period: not a period")
    assert problems[1].startswith("row 2 (employee E1), column complaints: outside the range")
    assert problems[2].startswith("row 2 (employee E1), column plm_usage_rate: not a number")


def test_unreadable_and_out_of_range_in_one_column_both_reported() -> None:
    problems = actuals_problems(manager_actuals("E1", "E2", complaints=["x", "-2"]), "E1", "E2")
    assert len(problems) == 2
    assert problems[0].startswith("row 2 (employee E1), column complaints: not a number")
    assert problems[1].startswith("row 3 (employee E2), column complaints: outside the range")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"complaints": ["1", "2", "-2"]}, "row 4 (employee E3), column complaints"),
        ({"employee_id": ["E1", "E2", "E9"]}, "row 4 (employee E9), column employee_id"),
        ({"employee_id": ["E1", "E2", "E2"]}, "rows 3, 4: employee E2"),
    ],
    ids=["bad-cell", "unknown-employee", "duplicate"],
)
def test_row_numbers_in_an_in_memory_table(overrides: dict, expected: str) -> None:
    (problem,) = actuals_problems(manager_actuals("E1", "E2", "E3", **overrides), "E1", "E2", "E3")
    assert problem.startswith(expected)


def test_percent_sign_in_a_count_column_is_refused() -> None:
    (problem,) = actuals_problems(manager_actuals("E1", complaints=["5%"]), "E1")
    assert problem.startswith("row 2 (employee E1), column complaints: not a number (found '5%')")


def test_more_bad_rows_than_listed_are_counted() -> None:
    ids = [f"E{i}" for i in range(MAX_LISTED + 3)]
    problems = actuals_problems(manager_actuals(*ids, complaints="-1"), *ids)
    assert len(problems) == MAX_LISTED + 1
    assert problems[-1] == "column complaints: 3 more rows like these"


# --- readable forms ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("93%", 0.93), ("93 %", 0.93), (" 0.93 ", 0.93), ("100%", 1.0), ("0%", 0.0), ("", np.nan)],
)
def test_ratio_text(text: str, expected: float) -> None:
    actuals = manager_actuals("E1", report_on_time_rate=[text])
    checked = check_actuals(actuals, scheme=scheme("manager_post"), roster=manager_roster("E1"))
    assert checked["report_on_time_rate"].iloc[0] == pytest.approx(expected, nan_ok=True)


def test_rating_labels_read_as_their_values() -> None:
    ratings = manager_ratings(
        "E1", "E2", "E3", "E4", internal_cooperation=["很满意", "较满意", "不满意", "很不满意"]
    )
    checked = check_ratings(
        ratings, scheme=scheme("manager_post"), roster=manager_roster("E1", "E2", "E3", "E4")
    )
    cooperation = checked.loc[checked["kpi_id"] == "internal_cooperation", "value"]
    assert cooperation.tolist() == [3, 2, 1, 0]


@pytest.mark.parametrize(
    ("value", "message"),
    [("一般", "not a number"), ("4", "outside the range of a rating")],
)
def test_bad_rating_names_row_employee_value_and_the_scale(value: str, message: str) -> None:
    ratings = manager_ratings("E1", "E2", internal_cooperation=[value, "较满意"])
    with pytest.raises(DataError) as caught:
        check_ratings(ratings, scheme=scheme("manager_post"), roster=manager_roster("E1", "E2"))
    problem = messages(caught.value)[0]
    assert problem.startswith(f"row 3 (employee E1), column value: {message}")
    assert f"(found {value!r})" in problem
    assert problem.endswith(SCALE_ALLOWED)


def test_period_text_made_canonical() -> None:
    actuals = manager_actuals("E1", period="2026-q3")
    checked = check_actuals(actuals, scheme=scheme("manager_post"), roster=manager_roster("E1"))
    assert checked["period"].iloc[0] == PERIOD


# --- rows and columns ---------------------------------------------------------------------


def test_employee_missing_from_the_roster() -> None:
    (problem,) = actuals_problems(manager_actuals("E9", "E1"), "E1")
    assert problem == (
        "row 2 (employee E9), column employee_id: employee not in the roster (found 'E9'); "
        "allowed: an employee_id listed in the roster"
    )


def test_duplicate_employee_period_row(tmp_path: Path) -> None:
    path = tmp_path / "actuals.csv"
    manager_actuals("E1", "E2", "E1").to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        check_actuals(
            read_table(path), scheme=scheme("manager_post"), roster=manager_roster("E1", "E2")
        )
    (problem,) = messages(caught.value)
    assert problem == (
        f"{path}: rows 2, 4: employee E1 has more than one row for 2026-Q3; "
        "allowed: one row per employee and period"
    )


def test_same_employee_in_two_periods_is_fine() -> None:
    actuals = pd.concat([manager_actuals("E1"), manager_actuals("E1", period="2026-Q2")])
    checked = check_actuals(actuals, scheme=scheme("manager_post"), roster=manager_roster("E1"))
    assert sorted(checked["period"]) == ["2026-Q2", "2026-Q3"]


def test_unknown_kpi_column_suggests_the_nearest() -> None:
    actuals = manager_actuals("E1").rename(columns={"complaints": "complaint"})
    (problem,) = actuals_problems(actuals, "E1")
    assert problem.startswith(
        "column complaint: not a KPI of scheme manager_post; did you mean 'complaints'? "
        "(found 'complaint')"
    )
    assert "allowed: employee_id, period, name, position, team, note, response_speed" in problem


def test_missing_kpi_column_refused_by_score() -> None:
    actuals = manager_actuals("E1").drop(columns=["complaints"])
    with pytest.raises(DataError) as caught:
        score(
            actuals,
            scheme=scheme("manager_post"),
            roster=make_roster(("E1", "manager")),
            period=PERIOD,
            ratings=manager_ratings("E1"),
        )
    (problem,) = messages(caught.value)
    assert problem.startswith("column complaints: KPI column missing from the actuals")
    assert "allowed: a column for each KPI of the positions appraised: response_speed" in problem


@pytest.mark.parametrize("period", ["2026-Q5", "2026-13", "Q3", "2026/07"])
def test_bad_period(period: str) -> None:
    (problem,) = actuals_problems(manager_actuals("E1", period=period), "E1")
    assert problem.startswith(f"row 2 (employee E1), column period: not a period (found {period!r}")
    assert "allowed: a year 2026, a quarter 2026-Q1 … 2026-Q4, or a month 2026-01 … 2026-12" in (
        problem
    )


def test_actuals_need_employee_and_period_columns() -> None:
    with pytest.raises(DataError) as caught:
        check_actuals(
            manager_actuals("E1").drop(columns=["period"]),
            scheme=scheme("manager_post"),
            roster=manager_roster("E1"),
        )
    (problem,) = messages(caught.value)
    assert problem.startswith("column period: the actuals table needs this column")


# --- the roster ---------------------------------------------------------------------------


def test_roster_statuses_in_chinese_and_english() -> None:
    roster = check_roster(
        make_roster(
            ("E1", "manager"),
            ("E2", "manager"),
            ("E3", "manager"),
            status=["正式", "试用", "Probation"],
        )
    )
    assert roster["status"].tolist() == ["regular", "probation", "probation"]


def test_roster_problems_collected() -> None:
    raw = make_roster(
        ("E1", "manager"),
        ("E1", "manager"),
        status=["regular", "在职"],
        joined=["2026-01-01", "yesterday"],
    )
    with pytest.raises(DataError) as caught:
        check_roster(raw)
    problems = messages(caught.value)
    assert any(
        "unknown status (found '在职'); allowed: regular (正式) or probation (试用)" in p
        for p in problems
    )
    assert sum("employee listed twice (found 'E1')" in p for p in problems) == 2
    assert any("column joined: not a date (found 'yesterday')" in p for p in problems)


def test_roster_missing_column_suggests_the_nearest() -> None:
    raw = make_roster(("E1", "manager")).rename(columns={"name": "nme"})
    with pytest.raises(DataError) as caught:
        check_roster(raw)
    (problem,) = messages(caught.value)
    assert problem.startswith("column name: the roster needs this column; did you mean 'nme'?")


# --- ratings ------------------------------------------------------------------------------


def test_ratings_checked_against_the_kpi_scale() -> None:
    team = scheme("after_sales_team")
    roster = check_roster(make_roster(("S1", "supervisor")))
    ratings = pd.DataFrame(
        {
            "employee_id": ["S1", "S1", "S1"],
            "period": [PERIOD] * 3,
            "kpi_id": ["teamwork", "teamwork", "csat"],
            "rater_id": ["M1", "P1", "M1"],
            "rater_group": ["superior", "peers", "superior"],
            "value": ["4", "6", "4"],
        }
    )
    with pytest.raises(DataError) as caught:
        check_ratings(ratings, scheme=team, roster=roster)
    problems = messages(caught.value)
    assert len(problems) == 2
    assert any(
        "column kpi_id: not a KPI scored by people (source: ratings) in this scheme (found 'csat')"
        in p
        and "allowed: teamwork" in p
        for p in problems
    )
    assert any(
        "column value: outside the range of a rating (found '6')" in p
        and "a number from 1 to 5" in p
        for p in problems
    )


# --- files --------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        read_table(tmp_path / "actuals.csv")
    assert messages(caught.value) == [
        f"{tmp_path / 'actuals.csv'}: file not found; allowed: an existing, readable file"
    ]


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "actuals.xls"
    path.write_bytes(b"")
    with pytest.raises(DataError) as caught:
        read_table(path)
    assert messages(caught.value) == [
        f"{path}: unsupported file extension '.xls'; "
        "allowed: .csv, .xlsx (save an .xls workbook as .xlsx)"
    ]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_csv_with_chinese_names(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "roster.csv"
    raw = make_roster(("E1", "manager"), ("E2", "manager"), status=["正式", "试用"])
    raw["name"] = ["张伟", "李娜"]
    raw["team"] = "华东一组"
    raw.to_csv(path, index=False, encoding=encoding)
    table = read_table(path)
    assert table["name"].tolist() == ["张伟", "李娜"]
    assert table["team"].tolist() == ["华东一组", "华东一组"]
    assert table["_row"].tolist() == [2, 3]
    assert check_roster(table)["status"].tolist() == ["regular", "probation"]


def test_problems_from_a_file_name_the_file_and_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "actuals.csv"
    manager_actuals("E1", "E2", complaints=["1", "-2"]).to_csv(path, index=False, encoding="gbk")
    with pytest.raises(DataError) as caught:
        check_actuals(
            read_table(path), scheme=scheme("manager_post"), roster=manager_roster("E1", "E2")
        )
    (problem,) = messages(caught.value)
    assert problem.startswith(f"{path}: row 3 (employee E2), column complaints")
    assert caught.value.title == f"{path}: 1 problem(s)"


def test_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "actuals.xlsx"
    manager_actuals("E1", report_on_time_rate=["93%"]).to_excel(path, index=False)
    table = read_table(path)
    assert table.attrs["file"] == str(path)
    checked = check_actuals(table, scheme=scheme("manager_post"), roster=manager_roster("E1"))
    assert checked["report_on_time_rate"].iloc[0] == pytest.approx(0.93)


def test_ratings_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "ratings.xlsx"
    manager_ratings("E1").to_excel(path, index=False)
    table = read_table(path)
    checked = check_ratings(table, scheme=scheme("manager_post"), roster=manager_roster("E1"))
    assert checked.set_index("kpi_id")["value"].to_dict() == {
        "skill_development": 2,
        "internal_cooperation": 3,
        "adhoc_tasks": 3,
    }


def test_gbk_file_scored_end_to_end(tmp_path: Path) -> None:
    roster_path, actuals_path = tmp_path / "roster.csv", tmp_path / "actuals.csv"
    raw = make_roster(("E1", "manager"))
    raw["name"] = ["张伟"]
    raw.to_csv(roster_path, index=False, encoding="gbk")
    ratings_path = tmp_path / "ratings.csv"
    manager_actuals("E1", report_on_time_rate=["93%"]).to_csv(
        actuals_path, index=False, encoding="gbk"
    )
    manager_ratings("E1").to_csv(ratings_path, index=False, encoding="gbk")
    result = score(
        read_table(actuals_path),
        scheme=scheme("manager_post"),
        roster=read_table(roster_path),
        period=PERIOD,
        ratings=read_table(ratings_path),
    )
    row = result.scores.iloc[0]
    assert (row["name"], round(row["total"], 2), row["grade"]) == ("张伟", 90.13, "优秀")


def test_manual_score_above_its_scale_is_refused() -> None:
    ratings = ratings_table(("H1", "rules_regulations", "D1", "superior", "85"), period="2026")
    with pytest.raises(DataError) as caught:
        check_ratings(
            ratings,
            scheme=scheme("department_head"),
            roster=check_roster(make_roster(("H1", "department_head"))),
        )
    (problem,) = messages(caught.value)
    assert "column value: outside the range of a rating (found '85')" in problem
    assert problem.endswith("points from 0 to 15 (the superior's score)")


@pytest.mark.parametrize("text", ["-0", "-0.0", "-0%"])
def test_minus_zero_is_zero(text: str) -> None:
    # target ÷ -0 is -inf: a lower-is-better rule would score a perfect 0 as nothing
    actuals = manager_actuals("E1", invalid_service_ratio=[text])
    checked = check_actuals(actuals, scheme=scheme("manager_post"), roster=manager_roster("E1"))
    value = checked["invalid_service_ratio"].iloc[0]
    assert value == 0 and not np.signbit(value)


# --- repeated headers ------------------------------------------------------------------


def test_a_column_twice_in_the_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "employee_id,name,position,team,status,status\nE1,甲,manager,一组,regular,probation\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:  # the reader: both columns named
        read_table(path)
    (problem,) = messages(caught.value)
    assert "columns E (5) and F (6): two columns have the header 'status'" in problem
    # a table read otherwise (pandas renames the second to status.1) is refused by the check
    frame = pd.read_csv(path, dtype=str)
    with pytest.raises(DataError) as caught:
        check_roster(frame)
    (problem,) = messages(caught.value)
    assert "column status: the header names this column more than once" in problem
    assert "'status.1'" in problem


def test_a_column_named_like_a_repeat_of_no_other_is_fine() -> None:
    roster = make_roster(("E1", "manager")).assign(**{"v1.1": "x"})
    assert len(check_roster(roster)) == 1
