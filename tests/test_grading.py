"""Grades, ranks, the team ranking and forced distributions (grading.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import scheme

from kpi_toolkit.engine.grading import (
    apply_distribution,
    check_distribution,
    grade_ids,
    grade_names,
    rank,
    team_ranking,
)
from kpi_toolkit.engine.scheme import ForcedDistribution, Scheme


@pytest.mark.parametrize(
    ("total", "grade_id", "name"),
    [
        (100, "excellent", "优秀"),
        (90, "excellent", "优秀"),
        (90.0000001, "excellent", "优秀"),
        (89.9999999, "excellent", "优秀"),  # float noise below 1e-6 is not a difference
        (89.999999, "good", "良好"),
        (80, "good", "良好"),
        (79.99, "pass", "合格"),
        (60, "pass", "合格"),
        (59.999999, "fail", "不合格"),
        (0, "fail", "不合格"),
    ],
)
def test_default_grade_bands(total: float, grade_id: str, name: str) -> None:
    manager_post = scheme("manager_post")
    ids = grade_ids(pd.Series([total]), scheme=manager_post)
    assert ids.tolist() == [grade_id]
    assert grade_names(ids, scheme=manager_post).tolist() == [name]


def test_grade_names_in_english() -> None:
    ids = grade_ids([95, 85, 65, 5], scheme=scheme("manager_post"))
    names = grade_names(ids, scheme=scheme("manager_post"), lang="en")
    assert names.tolist() == ["Excellent", "Good", "Pass", "Fail"]


def test_grades_of_a_scheme_without_its_own_use_the_defaults() -> None:
    assert [(g.id, g.min) for g in scheme("monthly_repair").grade_order()] == [
        ("excellent", 90),
        ("good", 80),
        ("pass", 60),
        ("fail", 0),
    ]


def test_rank_best_first_ties_share_the_best_rank() -> None:
    totals = pd.Series([80.0, 95.0, 80.0, 70.0, 95.0 + 1e-9])
    assert rank(totals).tolist() == [3, 1, 3, 5, 1]


def test_rank_within_groups() -> None:
    totals = pd.Series([80.0, 95.0, 85.0, 60.0])
    by = pd.Series(["a", "a", "b", "b"])
    assert rank(totals, by=by).tolist() == [2, 1, 1, 2]


def test_team_ranking_mean_grade_rank() -> None:
    scores = pd.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3", "E4", "E5"],
            "team": ["华东", "华东", "华南", "华北", "华北"],
            "total": [92.0, 84.0, 79.0, 90.0, 86.0],
        }
    )
    teams = team_ranking(scores, scheme=scheme("manager_post"))
    assert teams.to_dict("list") == {
        "team": ["华东", "华北", "华南"],
        "headcount": [2, 2, 1],
        "mean_total": [88.0, 88.0, 79.0],
        "grade": ["良好", "良好", "合格"],
        "rank": [1, 1, 3],
    }


# --- forced distribution -----------------------------------------------------------------


def forced(shares: dict, *, scope: str = "department") -> Scheme:
    distribution = ForcedDistribution.model_validate({"scope": scope, "shares": shares})
    return scheme("manager_post").model_copy(update={"forced_distribution": distribution})


def graded(totals: list[float], *, positions: list[str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "employee_id": [f"E{i}" for i in range(len(totals))],
            "position": positions or ["manager"] * len(totals),
            "total": totals,
        }
    )
    frame["grade_id"] = grade_ids(frame["total"], scheme=scheme("manager_post"))
    return frame


TOTALS = [95.0, 94.0, 93.0, 93.0, 92.0, 85.0, 80.0, 70.0, 65.0, 50.0]


def test_check_distribution_reports_violations() -> None:
    check = check_distribution(
        graded(TOTALS), scheme=forced({"excellent": {"max": 0.2}, "fail": {"min": 0.2}})
    )
    assert check[["grade_id", "limit", "count", "headcount", "allowed_count", "ok"]].to_dict(
        "records"
    ) == [
        {
            "grade_id": "excellent",
            "limit": "max",
            "count": 5,
            "headcount": 10,
            "allowed_count": 2,
            "ok": False,
        },
        {
            "grade_id": "fail",
            "limit": "min",
            "count": 1,
            "headcount": 10,
            "allowed_count": 2,
            "ok": False,
        },
    ]
    assert check["share"].tolist() == [0.5, 0.1]


def test_check_distribution_within_limits() -> None:
    check = check_distribution(
        graded(TOTALS), scheme=forced({"excellent": {"max": 0.5}, "fail": {"min": 0.1}})
    )
    assert check["ok"].all()


def test_check_distribution_by_position() -> None:
    positions = ["a"] * 5 + ["b"] * 5
    check = check_distribution(
        graded(TOTALS, positions=positions),
        scheme=forced({"excellent": {"max": 0.2}}, scope="position"),
    )
    assert check[["scope", "count", "allowed_count", "ok"]].values.tolist() == [
        ["a", 5, 1, False],
        ["b", 0, 1, True],
    ]


def test_no_forced_distribution_no_rows() -> None:
    assert check_distribution(graded(TOTALS), scheme=scheme("manager_post")).empty


def test_apply_caps_a_max_and_moves_ties_at_the_cut_together() -> None:
    result = apply_distribution(graded(TOTALS), scheme=forced({"excellent": {"max": 0.2}}))
    # 2 of 10 may be excellent: 95 and 94; 93, 93 (tied at the cut) and 92 move to good
    expected = ["excellent"] * 2 + ["good"] * 5 + ["pass"] * 2 + ["fail"]
    assert result["grade_id"].tolist() == expected
    assert result["forced_from"].isna().tolist() == [True, True] + [False] * 3 + [True] * 5
    assert result.loc[2:4, "forced_from"].tolist() == ["excellent"] * 3


def test_apply_never_exceeds_a_max_even_when_ties_straddle_it() -> None:
    totals = [95.0, 93.0, 93.0, 92.0, 85.0, 80.0, 70.0, 65.0, 60.0, 50.0]
    result = apply_distribution(graded(totals), scheme=forced({"excellent": {"max": 0.2}}))
    # 93 and 93 tie at the cut (2nd and 3rd): both move down, so only 1 stays
    assert (result["grade_id"] == "excellent").sum() == 1
    assert result.loc[result["grade_id"] == "excellent", "total"].tolist() == [95.0]


def test_apply_meets_a_min_moving_ties_in_together() -> None:
    totals = [95.0, 85.0, 80.0, 75.0, 70.0, 65.0, 65.0, 62.0, 61.0, 50.0]
    result = apply_distribution(graded(totals), scheme=forced({"fail": {"min": 0.2}}))
    fails = result.loc[result["grade_id"] == "fail", "total"].tolist()
    assert sorted(fails) == [50.0, 61.0]
    result = apply_distribution(graded(totals), scheme=forced({"fail": {"min": 0.3}}))
    fails = result.loc[result["grade_id"] == "fail", "total"].tolist()
    assert sorted(fails) == [50.0, 61.0, 62.0]
    result = apply_distribution(graded(totals), scheme=forced({"fail": {"min": 0.4}}))
    # the 4th lowest is 65, tied with another 65: both fail, 5 in all (min 4 met)
    assert sorted(result.loc[result["grade_id"] == "fail", "total"]) == [50, 61, 62, 65, 65]


def test_apply_leaves_a_distribution_that_holds_alone() -> None:
    scores = graded(TOTALS)
    result = apply_distribution(
        scores, scheme=forced({"excellent": {"max": 0.5}, "fail": {"min": 0.1}})
    )
    assert result["grade_id"].tolist() == scores["grade_id"].tolist()
    assert result["forced_from"].isna().all()
    assert "forced_from" not in scores


def test_apply_never_exceeds_a_max_whatever_the_order_of_the_shares() -> None:
    totals = [99.0, 98.0, 97.0, 96.0, 95.0, 94.0, 93.0, 92.0, 91.0, 90.5]
    chosen = forced({"good": {"max": 0.3}, "excellent": {"max": 0.1}})
    result = apply_distribution(graded(totals), scheme=chosen)
    assert check_distribution(result, scheme=chosen)["ok"].all()
    assert result["grade_id"].value_counts().to_dict() == {"pass": 6, "good": 3, "excellent": 1}
