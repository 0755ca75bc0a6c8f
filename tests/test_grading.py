"""Grades, ranks, the team ranking and forced distributions (grading.py)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from helpers import scheme
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_toolkit.engine.grading import (
    apply_distribution,
    check_distribution,
    forced_grades,
    grade_and_rank,
    grade_ids,
    grade_index,
    grade_names,
    rank,
    rank_min,
    shown_total,
    team_ranking,
)
from kpi_toolkit.engine.scheme import ForcedDistribution, Scheme


@pytest.mark.parametrize(
    ("total", "grade_id", "name"),
    [
        (100, "excellent", "优秀"),
        (90, "excellent", "优秀"),
        (90.0000001, "excellent", "优秀"),
        (89.995, "excellent", "优秀"),  # shown as 90.00: the grade of the total people see
        (89.99499999, "good", "良好"),  # shown as 89.99
        (80, "good", "良好"),
        (79.99, "pass", "合格"),
        (60, "pass", "合格"),
        (59.995, "pass", "合格"),
        (59.994, "fail", "不合格"),
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


# --- the shown total, and ties at it ------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "shown"),
    [
        (98.025, 98.03),  # half up (Python's round gives 98.03 or 98.02 by binary luck)
        (98.02499999999999, 98.03),  # float noise of a sum that is 98.025
        (98.0249999, 98.02),  # a real difference at 1e-7
        (0.125, 0.13),  # an exact binary half: round(0.125, 2) is 0.12 (half to even)
        (2.675, 2.68),  # round(2.675, 2) is 2.67 (the double is below the half)
        (1.005, 1.01),
        (89.995, 90.0),
        (100.0, 100.0),
        (0.0, 0.0),
    ],
)
def test_shown_total_rounds_halves_up(total: float, shown: float) -> None:
    assert shown_total([total]).tolist() == [shown]


def test_shown_total_keeps_blanks_blank() -> None:
    assert np.isnan(shown_total([np.nan])).all()


@given(st.integers(0, 20_000_000))
def test_shown_total_of_a_decimal_with_3_places_is_its_half_up_rounding(thousandths: int):
    written = Decimal(thousandths) / 1000
    expected = float(written.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert shown_total([float(written)]).tolist() == [expected]


@given(st.floats(min_value=-1e5, max_value=1e5, allow_nan=False))
def test_shown_total_is_a_2_decimal_value_near_the_total_and_stable(total: float):
    shown = shown_total([total])
    assert abs(shown[0] - total) <= 0.005 + 1e-9
    assert shown[0] == float(f"{shown[0]:.2f}")  # formats to exactly what is stored
    assert shown_total(shown).tobytes() == shown.tobytes()  # rounding again changes nothing


def test_people_shown_with_the_same_total_share_a_rank_and_the_next_place_is_skipped() -> None:
    totals = [99.0 - i * 0.05 for i in range(15)] + [98.031, 98.029, 98.02]
    ranks = rank_min(totals)
    assert ranks[15:].tolist() == [16, 16, 18]  # both shown as 98.03


def test_rank_min_within_groups_and_blank_totals_last() -> None:
    ranks = rank_min([80.0, np.nan, 80.004, 90.0, 70.0], groups=["a", "a", "a", "b", "b"])
    assert ranks.tolist() == [1, 3, 1, 1, 2]


@given(
    st.lists(
        st.tuples(st.integers(0, 4000).map(lambda k: k / 40), st.sampled_from("abc")),
        min_size=1,
        max_size=60,
    )
)
def test_rank_min_is_pandas_min_rank_of_the_shown_totals(people: list[tuple[float, str]]):
    totals, groups = pd.Series([t for t, _ in people]), pd.Series([g for _, g in people])
    expected = pd.Series(shown_total(totals)).groupby(groups).rank(method="min", ascending=False)
    assert rank_min(totals, groups=groups).tolist() == expected.astype(int).tolist()


@given(st.floats(min_value=0, max_value=110, allow_nan=False))
def test_grade_index_is_the_best_grade_the_shown_total_reaches(total: float):
    chosen = scheme("manager_post")
    shown = shown_total([total])[0]
    reached = [i for i, g in enumerate(chosen.grade_order()) if shown >= g.min]
    assert grade_index([total], scheme=chosen).tolist() == [reached[0]]


# --- grade_and_rank ----------------------------------------------------------------------


def test_grade_and_rank_stores_the_shown_total_and_grades_and_ranks_it() -> None:
    scores = pd.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3", "E4"],
            "position": ["manager", "manager", "manager", "supervisor"],
            "total": [89.996, 98.034, 98.025, 89.994],
            "note": ["a", "b", "c", "d"],
        }
    )
    graded = grade_and_rank(scores, scheme=scheme("manager_post"), lang="en")
    assert graded["total"].tolist() == [90.0, 98.03, 98.03, 89.99]
    assert graded["grade_id"].tolist() == ["excellent", "excellent", "excellent", "good"]
    assert graded["grade"].tolist() == ["Excellent", "Excellent", "Excellent", "Good"]
    assert graded["rank"].tolist() == [3, 1, 1, 1]
    assert graded["department_rank"].tolist() == [3, 1, 1, 4]
    assert graded["note"].tolist() == ["a", "b", "c", "d"]
    assert "forced_from" not in graded  # a distribution not applied is only checked
    assert scores["total"].tolist()[0] == 89.996  # the input is not changed


def applied(shares: dict, *, scope: str = "department") -> Scheme:
    distribution = ForcedDistribution.model_validate(
        {"scope": scope, "apply": True, "shares": shares}
    )
    return scheme("manager_post").model_copy(update={"forced_distribution": distribution})


def test_grade_and_rank_applies_the_distribution_to_shown_totals_keeping_ties() -> None:
    # 93.001 and 92.999 are both shown as 93.00: tied at the cut-off, they move together
    totals = [95.0, 94.0, 93.001, 92.999, 92.0, 85.0, 80.0, 70.0, 65.0, 50.0]
    scores = graded(totals)[["employee_id", "position", "total"]]
    result = grade_and_rank(scores, scheme=applied({"excellent": {"max": 0.3}}))
    assert result["grade_id"].tolist() == ["excellent"] * 2 + ["good"] * 5 + ["pass"] * 2 + ["fail"]
    assert result["forced_from"].tolist() == [None, None] + ["excellent"] * 3 + [None] * 5
    assert result["grade"].tolist()[2] == "良好"


def test_grade_and_rank_meets_a_minimum_moving_ties_in_together() -> None:
    totals = [95.0, 85.0, 80.0, 75.0, 70.0, 65.004, 64.996, 62.0, 61.0, 50.0]
    scores = graded(totals)[["employee_id", "position", "total"]]
    result = grade_and_rank(scores, scheme=applied({"fail": {"min": 0.4}}))
    # the 4th lowest is shown as 65.00, as is the 5th: both fail, 5 in all (min 4 met)
    assert result.loc[result["grade_id"] == "fail", "employee_id"].tolist() == [
        "E5",
        "E6",
        "E7",
        "E8",
        "E9",
    ]


def test_grade_and_rank_scope_position_applies_the_shares_per_position() -> None:
    totals = [95.0, 94.0, 93.0, 92.0, 91.0, 96.0, 70.0, 70.0, 65.0, 60.0]
    positions = ["manager"] * 5 + ["supervisor"] * 5
    scores = graded(totals, positions=positions)[["employee_id", "position", "total"]]
    by_position = grade_and_rank(
        scores, scheme=applied({"excellent": {"max": 0.2}}, scope="position")
    )
    assert (
        by_position["grade_id"].tolist()
        == ["excellent"] + ["good"] * 4 + ["excellent"] + ["pass"] * 4
    )
    department = grade_and_rank(scores, scheme=applied({"excellent": {"max": 0.2}}))
    # 2 of 10 in the department: 96 and 95
    assert department.loc[department["grade_id"] == "excellent", "total"].tolist() == [95, 96]


@settings(max_examples=150)
@given(
    totals=st.lists(st.integers(0, 80).map(lambda k: 50 + k / 2), min_size=1, max_size=40),
    caps=st.tuples(*[st.sampled_from([None, 0.0, 0.1, 0.2, 0.3, 0.5])] * 2),
    floors=st.tuples(*[st.sampled_from([None, 0.05, 0.1, 0.25])] * 2),
)
def test_forced_grades_hold_their_limits_never_split_ties_and_only_move_down(
    totals: list[float], caps: tuple, floors: tuple
) -> None:
    shares = {
        g: {k: v for k, v in (("max", cap), ("min", floor)) if v is not None}
        for g, cap, floor in zip(
            ["excellent", "good", "pass", "fail"],
            (*caps, None, None),
            (None, None, *floors),
            strict=True,
        )
    }
    chosen = applied({g: s for g, s in shares.items() if s})
    earned = grade_index(totals, scheme=chosen)
    grades = forced_grades(earned, totals, scopes=np.zeros(len(totals)), scheme=chosen)
    assert (grades >= earned).all()  # a forced distribution only moves people down
    shown = shown_total(totals)
    for i in range(len(totals)):  # a better total never gets a worse grade; ties stay tied
        assert (grades[shown > shown[i]] <= grades[i]).all()
        assert (grades[shown == shown[i]] == grades[i]).all()
    n = len(totals)
    for g, cap in enumerate(caps):
        if cap is not None:
            assert (grades == g).sum() <= np.floor(cap * n + 1e-9)
    fails, passes = (grades == 3).sum(), (grades == 2).sum()
    needed = [np.ceil(f * n - 1e-9) if f is not None else 0 for f in floors]
    assert fails >= min(needed[1], n)  # worst grade first: met whenever anyone is better
    assert passes >= min(needed[0], n - fails)  # then pass, from the people still better
