"""Who is appraised in a period and who is not, with the reason (roster.appraisees)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import make_roster, messages, scheme

from kpi_toolkit.engine.inputs import check_roster
from kpi_toolkit.engine.roster import EXCLUDED_COLUMNS, appraisees, require_appraised
from kpi_toolkit.errors import DataError
from kpi_toolkit.periods import parse_period


def split(
    raw: pd.DataFrame, period: str, *, name: str = "after_sales_team", lang: str = "zh"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return appraisees(
        check_roster(raw), scheme=scheme(name), period=parse_period(period), lang=lang
    )  # type: ignore[arg-type]


def reasons(excluded: pd.DataFrame) -> dict[str, tuple[str, str]]:
    return {
        e: (c, r)
        for e, c, r in zip(
            excluded["employee_id"], excluded["reason_code"], excluded["reason"], strict=True
        )
    }


TEAM = make_roster(
    ("S1", "supervisor"),
    ("S2", "supervisor"),
    ("P1", "specialist"),
    ("M1", "manager"),  # appraised yearly
    ("X1", "driver"),  # not a position of the scheme
    status=["regular", "试用", "regular", "regular", "regular"],
)


def test_quarter_excludes_probation_yearly_and_unknown_positions() -> None:
    appraised, excluded = split(TEAM, "2026-Q3")
    assert appraised["employee_id"].tolist() == ["S1", "P1"]
    assert list(excluded.columns) == EXCLUDED_COLUMNS
    assert reasons(excluded) == {
        "S2": ("probation", "试用期人员不参加考核"),
        "M1": ("grain", "售后服务经理 按年度考核,不在本期(2026-Q3)"),
        "X1": ("position", "岗位 driver 不在本考核方案中"),
    }


def test_year_appraises_the_manager_and_not_the_quarterly_staff() -> None:
    appraised, excluded = split(TEAM, "2026")
    assert appraised["employee_id"].tolist() == ["M1"]
    assert reasons(excluded)["S1"] == ("grain", "售后服务主管 按季度考核,不在本期(2026)")


def test_reasons_in_english() -> None:
    _, excluded = split(TEAM, "2026-Q3", lang="en")
    assert reasons(excluded)["S2"] == ("probation", "on probation: not appraised")
    assert reasons(excluded)["M1"][1] == (
        "After-sales manager is appraised per year, not in this period (2026-Q3)"
    )


def test_probation_wins_over_other_reasons() -> None:
    raw = make_roster(("M1", "manager"), status="probation")
    _, excluded = split(raw, "2026-Q3")
    assert reasons(excluded) == {"M1": ("probation", "试用期人员不参加考核")}


@pytest.mark.parametrize(
    ("joined", "left", "flag"),
    [
        ("2026-08-01", "", "期内入职(2026-08-01)"),
        ("2020-01-01", "2026-08-15", "期内离职(2026-08-15)"),
        ("2026-07-15", "2026-09-01", "期内入职(2026-07-15); 期内离职(2026-09-01)"),
        ("2026-07-01", "", ""),  # joined on the first day: the whole period
        ("2020-01-01", "2026-09-30", ""),  # left on the last day: the whole period
        ("", "", ""),
    ],
)
def test_joined_or_left_inside_the_period_flagged(joined: str, left: str, flag: str) -> None:
    raw = make_roster(("S1", "supervisor"), joined=[joined], left=[left])
    appraised, _ = split(raw, "2026-Q3")
    assert appraised["employee_id"].tolist() == ["S1"]
    assert appraised["flags"].tolist() == [flag]


@pytest.mark.parametrize(("joined", "left"), [("2026-10-01", ""), ("2020-01-01", "2026-06-30")])
def test_not_employed_during_the_period(joined: str, left: str) -> None:
    raw = make_roster(("S1", "supervisor"), joined=[joined], left=[left])
    appraised, excluded = split(raw, "2026-Q3")
    assert appraised.empty
    assert reasons(excluded) == {"S1": ("not_employed", "2026-Q3 期间不在职")}


def test_nobody_excluded_gives_an_empty_table() -> None:
    _, excluded = split(make_roster(("S1", "supervisor"), ("P1", "specialist")), "2026-Q3")
    assert excluded.empty


# --- dates, each read on its own ------------------------------------------------------


def test_an_odd_first_date_is_the_only_one_reported() -> None:
    roster = make_roster(*[(f"E{i}", "manager") for i in range(1, 6)])
    roster["joined"] = ["15/03/2023", "2023-03-01", "2023/3/5", "2023-03-05 00:00:00", ""]
    with pytest.raises(DataError) as caught:
        check_roster(roster)
    (problem,) = messages(caught.value)
    assert "row 2 (employee E1), column joined: not a date (found '15/03/2023')" in problem


def test_nobody_appraised_says_rows_read_and_why_each_group_is_out() -> None:
    excluded = pd.DataFrame(
        {"employee_id": ["E1", "E2", "E3"], "reason": ["试用期", "试用期", "岗位 X 不在方案中"]}
    )
    with pytest.raises(DataError) as caught:
        require_appraised(excluded.iloc[0:0], excluded, period="2026-Q3", rows=3, file="a.csv")
    (problem,) = messages(caught.value)
    assert caught.value.title == "nobody appraised in 2026-Q3"
    assert (
        "3 row(s) read for it, 3 person(s) left out: 试用期 [2]; 岗位 X 不在方案中 [1]" in problem
    )


def test_somebody_appraised_passes() -> None:
    scores = pd.DataFrame({"employee_id": ["E1"]})
    require_appraised(scores, pd.DataFrame(), period="2026-Q3", rows=1)
