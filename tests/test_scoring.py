"""One period's appraisal end to end: actuals → points → subtotals → total → grade → rank."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import (
    PERIOD,
    SEED_MANAGER_POINTS,
    SEED_MANAGER_RATED,
    ManagerInputs,
    make_roster,
    manager_inputs,
    messages,
    ratings_table,
    scheme,
)

from kpi_toolkit import score
from kpi_toolkit.engine.scheme import ForcedDistribution, Scheme
from kpi_toolkit.engine.scoring import Appraisal
from kpi_toolkit.errors import DataError


def appraise(
    inputs: ManagerInputs,
    roster: pd.DataFrame,
    *,
    manager_post: Scheme | None = None,
    period: str = PERIOD,
    lang: str = "zh",
) -> Appraisal:
    return score(
        inputs.actuals,
        scheme=manager_post or scheme("manager_post"),
        roster=roster,
        period=period,
        ratings=inputs.ratings,
        lang=lang,
    )  # type: ignore[arg-type]


def with_missing(policy: str) -> Scheme:
    return scheme("manager_post").model_copy(update={"missing": policy})


# --- the seed's hand-made manager row --------------------------------------------------


def test_seed_manager_row_end_to_end() -> None:
    result = appraise(manager_inputs("E1"), make_roster(("E1", "manager")))
    row = result.scores.iloc[0]
    for kpi_id, points in SEED_MANAGER_POINTS.items():
        assert row[kpi_id] == pytest.approx(points), kpi_id
    assert row["performance"] == pytest.approx(61.8)
    assert row["ability"] == pytest.approx(13 + 1 / 3)
    assert row["attitude"] == pytest.approx(15)
    assert row["total"] == 90.13  # 90 + 2/15, stored as shown (grading.shown_total)
    assert (row["grade"], row["grade_id"], row["rank"], row["department_rank"]) == (
        "优秀",
        "excellent",
        1,
        1,
    )
    assert (row["employee_id"], row["position"], row["period"], row["flags"]) == (
        "E1",
        "manager",
        PERIOD,
        "",
    )
    assert result.period.grain == "quarter"
    assert result.distribution.empty
    breakdown = result.ratings  # items 6, 10, 11: the superior's, counted in full
    assert breakdown[["kpi_id", "rater_group", "raters", "used_weight"]].values.tolist() == [
        [kpi_id, "superior", 1, 1.0] for kpi_id in sorted(SEED_MANAGER_RATED)
    ]
    assert result.excluded.empty
    assert result.actuals["employee_id"].tolist() == ["E1"]


def test_score_columns_in_order() -> None:
    result = appraise(manager_inputs("E1"), make_roster(("E1", "manager")))
    assert list(result.scores.columns) == [
        "employee_id",
        "name",
        "position",
        "team",
        "period",
        *SEED_MANAGER_POINTS,
        "performance",
        "ability",
        "attitude",
        "total",
        "grade",
        "rank",
        "department_rank",
        "grade_id",
        "flags",
    ]


def test_grade_in_english() -> None:
    result = appraise(manager_inputs("E1"), make_roster(("E1", "manager")), lang="en")
    assert result.scores["grade"].tolist() == ["Excellent"]


@pytest.mark.parametrize(
    ("overrides", "total"),
    [
        ({}, 90 + 2 / 15),
        ({"response_speed": 25}, 90 + 2 / 15 - 18),  # never below 0
        ({"complaints": 3, "response_speed": 0}, 90 + 2 / 15 + 3),
        ({"training_coverage": 0.79}, 85 + 2 / 15),
        ({"new_staff_training_failures": 1}, 85 + 2 / 15),
        ({"adhoc_tasks": "很不满意", "internal_cooperation": "不满意"}, 90 + 2 / 15 - 2 - 16 / 3),
    ],
)
def test_total_moves_with_one_kpi(overrides: dict, total: float) -> None:
    result = appraise(manager_inputs("E1", **overrides), make_roster(("E1", "manager")))
    assert result.scores["total"].iloc[0] == pytest.approx(round(total, 2))  # as shown


# --- who is appraised -------------------------------------------------------------------


def test_probation_staff_not_appraised_and_listed_with_the_reason() -> None:
    roster = make_roster(("E1", "manager"), ("E2", "manager"), status=["regular", "试用"])
    result = appraise(manager_inputs("E1", "E2"), roster)
    assert result.scores["employee_id"].tolist() == ["E1"]
    excluded = result.excluded
    assert excluded[["employee_id", "name", "reason_code", "reason"]].values.tolist() == [
        ["E2", "员工E2", "probation", "试用期人员不参加考核"]
    ]


def test_yearly_position_excluded_from_a_quarter() -> None:
    team = scheme("after_sales_team")
    roster = make_roster(("M1", "manager"))
    result = score(
        pd.DataFrame({"employee_id": ["M1"], "period": [PERIOD]}),
        scheme=team,
        roster=roster,
        period=PERIOD,
    )
    assert result.scores.empty
    excluded = result.excluded
    assert excluded[["employee_id", "reason_code"]].values.tolist() == [["M1", "grain"]]
    assert excluded["reason"].iloc[0] == "售后服务经理 按年度考核,不在本期(2026-Q3)"


def test_joined_and_left_inside_the_period_flagged() -> None:
    roster = make_roster(
        ("E1", "manager"),
        ("E2", "manager"),
        ("E3", "manager"),
        joined=["2026-08-03", "2020-01-01", "2020-01-01"],
        left=["", "2026-09-15", "2026-05-31"],
    )
    result = appraise(manager_inputs("E1", "E2", "E3"), roster)
    flags = result.scores.set_index("employee_id")["flags"]
    assert flags.to_dict() == {"E1": "期内入职(2026-08-03)", "E2": "期内离职(2026-09-15)"}
    assert result.excluded["reason_code"].tolist() == ["not_employed"]


def test_employee_with_no_actuals_row_listed_as_not_appraised() -> None:
    roster = make_roster(("E1", "manager"), ("E2", "manager"))
    result = appraise(manager_inputs("E1"), roster)
    assert result.scores["employee_id"].tolist() == ["E1"]
    excluded = result.excluded
    assert excluded[["employee_id", "reason_code", "reason"]].values.tolist() == [
        ["E2", "no_actuals", "本期无任何指标数据"]
    ]


def test_only_the_period_scored() -> None:
    now = manager_inputs("E1")
    before = manager_inputs("E1", period="2026-Q2", complaints=9, adhoc_tasks="很不满意")
    both = ManagerInputs(
        *(pd.concat(pair, ignore_index=True) for pair in zip(now, before, strict=True))
    )
    result = appraise(both, make_roster(("E1", "manager")))
    assert result.scores[["complaints", "adhoc_tasks"]].values.tolist() == [[14, 2]]


# --- missing actuals ----------------------------------------------------------------------


def test_missing_policy_error_names_who_and_which_kpi() -> None:
    roster = make_roster(("E1", "manager"), ("E2", "manager"))
    inputs = manager_inputs("E1", "E2", complaints=[4, np.nan])
    with pytest.raises(DataError) as caught:
        appraise(inputs, roster)
    assert messages(caught.value) == [
        "row 3 (employee E2 (员工E2), period 2026-Q3), column complaints: no actual value "
        "(found '(blank)'); allowed: a value, or set the scheme's missing policy to zero or "
        "exclude"
    ]
    assert caught.value.title == "missing actuals: 1 value(s)"


def test_missing_policy_zero_scores_the_kpi_zero_and_flags_it() -> None:
    roster = make_roster(("E1", "manager"), ("E2", "manager"))
    inputs = manager_inputs("E1", "E2", complaints=[4, np.nan])
    scores = appraise(inputs, roster, manager_post=with_missing("zero")).scores
    row = scores.set_index("employee_id").loc["E2"]
    assert row["complaints"] == 0
    assert row["total"] == pytest.approx(76.13)  # 90 + 2/15 − 14, as shown
    assert row["flags"] == "客户服务投诉 缺数据,按 0 分计"


def test_missing_policy_exclude_respreads_the_weight() -> None:
    roster = make_roster(("E1", "manager"), ("E2", "manager"))
    inputs = manager_inputs("E1", "E2", complaints=[4, np.nan], adhoc_tasks=["很满意", ""])
    scores = appraise(inputs, roster, manager_post=with_missing("exclude")).scores
    row = scores.set_index("employee_id").loc["E2"]
    present = {
        k: v for k, v in SEED_MANAGER_POINTS.items() if k not in ("complaints", "adhoc_tasks")
    }
    # points earned ÷ weight present (100 − 15 − 2) × 100
    assert row["total"] == pytest.approx(sum(present.values()) / 83 * 100, abs=0.005)
    assert 0 <= row["total"] <= 100
    assert np.isnan(row["complaints"])
    assert row["response_speed"] == pytest.approx(18 * 100 / 83)
    kpis = list(SEED_MANAGER_POINTS)
    assert row[kpis].sum() == pytest.approx(row["total"], abs=0.005)  # total as shown
    assert row[["performance", "ability", "attitude"]].sum() == pytest.approx(
        row["total"], abs=0.005
    )
    assert "客户服务投诉 缺数据,权重已按比例分摊到其他指标" in row["flags"]
    assert "上级安排临时任务完成情况 缺数据" in row["flags"]
    e1 = scores.set_index("employee_id").loc["E1"]
    assert (e1["total"], e1["flags"]) == (90.13, "")


def test_kpi_level_missing_policy_overrides_the_scheme() -> None:
    manager_post = scheme("manager_post")
    manager = manager_post.positions["manager"]
    kpis = tuple(
        k.model_copy(update={"missing": "zero"}) if k.id == "complaints" else k
        for k in manager.kpis
    )
    changed = manager_post.model_copy(
        update={"positions": {"manager": manager.model_copy(update={"kpis": kpis})}}
    )
    result = appraise(
        manager_inputs("E1", complaints=[np.nan]),
        make_roster(("E1", "manager")),
        manager_post=changed,
    )
    assert result.scores["complaints"].tolist() == [0]


def test_exclude_with_every_actual_missing_lists_the_employee() -> None:
    roster = make_roster(("E1", "manager"), ("E2", "manager"))
    actuals, ratings = manager_inputs("E1", "E2")
    for kpi_id in actuals.columns[2:]:
        actuals[kpi_id] = actuals[kpi_id].astype(object)
        actuals.loc[1, kpi_id] = ""
    inputs = ManagerInputs(actuals, ratings.loc[ratings["employee_id"] == "E1"])
    result = appraise(inputs, roster, manager_post=with_missing("exclude"))
    assert result.scores["employee_id"].tolist() == ["E1"]
    assert result.excluded["reason_code"].tolist() == ["no_actuals"]


# --- ranks -------------------------------------------------------------------------------


def test_ranks_within_position_and_department() -> None:
    roster = make_roster(("A1", "manager"), ("A2", "manager"), ("A3", "manager"), ("A4", "manager"))
    # totals: seed 90.13 − complaints beyond 4; A2 and A4 tie
    inputs = manager_inputs("A1", "A2", "A3", "A4", complaints=[6, 4, 9, 4])
    scores = appraise(inputs, roster).scores
    assert scores["employee_id"].tolist() == ["A2", "A4", "A1", "A3"]
    assert scores["rank"].tolist() == [1, 1, 3, 4]
    assert scores["department_rank"].tolist() == [1, 1, 3, 4]
    assert scores.loc[scores["rank"] == 1, "total"].min() == scores["total"].max()


def test_rank_within_position_and_across_the_department() -> None:
    monthly = scheme("monthly_repair")
    roster = make_roster(
        ("M1", "manager"),
        ("Q1", "service_specialist"),
        ("Q2", "service_specialist"),
        ("O1", "other_staff"),
    )
    actuals = pd.DataFrame(
        {
            "employee_id": ["M1", "Q1", "Q2", "O1"],
            "period": ["2026-07"] * 4,
            "repair_task_completion_rate": [0.93, None, None, None],
            "report_accuracy_rate": [0.98, None, None, None],
            "repaired_pass_rate": [None, 0.99, 0.97, None],
            "repair_quantity_rate": [None, None, None, 0.90],
        }
    )
    # the CPI items are the superior's (G1, M1); the manager's own count is shown, not counted
    ratings = ratings_table(
        ("M1", "work_mistakes", "G1", "superior", 1),
        ("M1", "work_mistakes", "M1", "self", 0),
        ("Q1", "repair_quality", "M1", "superior", 40),
        ("Q2", "repair_quality", "M1", "superior", 45),
        ("O1", "work_mistakes", "M1", "superior", 0),
        period="2026-07",
    )
    result = score(actuals, scheme=monthly, roster=roster, period="2026-07", ratings=ratings)
    scores = result.scores.set_index("employee_id")
    # M1: (30 − 2) + 10 + (60 − 3) = 95; Q1: 50 + 40 = 90; Q2: 48 + 45 = 93; O1: 45 + 50 = 95
    assert scores["total"].to_dict() == pytest.approx({"M1": 95, "Q1": 90, "Q2": 93, "O1": 95})
    assert scores["rank"].to_dict() == {"M1": 1, "Q1": 2, "Q2": 1, "O1": 1}
    assert scores["department_rank"].to_dict() == {"M1": 1, "Q1": 4, "Q2": 3, "O1": 1}
    assert scores.loc["M1", ["kpi", "cpi"]].tolist() == pytest.approx([38, 57])


def test_forced_distribution_applied_through_score() -> None:
    distribution = ForcedDistribution.model_validate(
        {"apply": True, "shares": {"excellent": {"max": 0.5}, "fail": {"min": 0.25}}}
    )
    forced = scheme("manager_post").model_copy(update={"forced_distribution": distribution})
    ids = ["E1", "E2", "E3", "E4"]
    result = appraise(
        manager_inputs(*ids, complaints=[3, 4, 5, 6]),
        make_roster(*[(i, "manager") for i in ids]),
        manager_post=forced,
    )
    scores = result.scores.set_index("employee_id")
    assert scores["grade"].to_dict() == {"E1": "优秀", "E2": "优秀", "E3": "良好", "E4": "不合格"}
    assert scores["forced_from"].isna().tolist() == [True, True, True, False]
    assert scores.loc["E4", "forced_from"] == "good"
    # the check reports the earned grades, before the distribution was applied
    assert result.distribution["ok"].tolist() == [True, False]
