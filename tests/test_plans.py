"""Work-objective plans (issue 10, points 1, 2, 4, 10): per-person targets and weights, the
row in force, adjustments approved in and after the period, every bad row refused.

Expected points are worked out by hand from each rule (in the comments)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_toolkit.cli import main
from kpi_toolkit.engine.annual import annual
from kpi_toolkit.engine.inputs import check_roster
from kpi_toolkit.engine.plans import check_plans, in_force, plan_log, plans_for
from kpi_toolkit.engine.scheme import scheme_from_dict
from kpi_toolkit.engine.scoring import position_points, score
from kpi_toolkit.errors import DataError
from kpi_toolkit.pipeline import resolve_inputs
from kpi_toolkit.reports.context import load_context
from kpi_toolkit.reports.plans import person_plans, plans
from kpi_toolkit.sample.department import make_sample, write_sample

PERIOD = "2026-Q3"
SCHEME = scheme_from_dict(
    {
        "id": "plan_test",
        "name": "计划测试",
        "positions": {
            "clerk": {
                "name": "专员",
                "period": "quarter",
                "categories": {
                    "performance": {"name": "工作业绩", "points": 70},
                    "attitude": {"name": "工作态度", "points": 30},
                },
                "kpis": [
                    {"id": "csat", "name": "客户满意度", "category": "performance", "weight": 40,
                     "kind": "ratio", "target": 0.90, "rule": {"kind": "linear"}},
                    {"id": "on_time", "name": "及时率", "category": "performance", "weight": 30,
                     "kind": "ratio", "target": 0.95,
                     "rule": {"kind": "deduct_per_point", "per_point": 2}},
                    {"id": "first_fix", "name": "一次修复率", "category": "attitude",
                     "weight": 20, "kind": "ratio", "target": 0.80,
                     "rule": {"kind": "threshold"}},
                    {"id": "complaints", "name": "投诉", "category": "attitude", "weight": 10,
                     "kind": "count", "rule": {"kind": "bands", "better": "lower", "bands": [
                         {"from": 0, "to": 2, "points": 10},
                         {"from": 2, "to": 10, "points": [10, 0]},
                         {"from": 10, "to": float("inf"), "points": 0}]}},
                ],
            },
            "lead": {
                "name": "组长",
                "period": "quarter",
                "categories": {"performance": {"name": "工作业绩", "points": 100}},
                "kpis": [
                    {"id": "team_output", "name": "团队产出", "category": "performance",
                     "weight": 100, "kind": "ratio", "target": 0.9,
                     "rule": {"kind": "linear"}},
                ],
            },
        },
    }
)  # fmt: skip
ROSTER = pd.DataFrame(
    {
        "employee_id": ["E1", "E2", "E3", "M1"],
        "name": ["张伟", "李娜", "王芳", "赵强"],
        "position": ["clerk", "clerk", "clerk", "lead"],
        "team": "一组",
        "status": "regular",
        "manager_id": ["M1", "M1", "M1", ""],
    }
)
# Everyone the same: csat 81 %, on time 92 %, first fix 75 %, one complaint (10 points).
ACTUALS = pd.DataFrame(
    {
        "employee_id": ["E1", "E2", "E3"],
        "period": PERIOD,
        "csat": 0.81,
        "on_time": 0.92,
        "first_fix": 0.75,
        "complaints": 1,
    }
)
# Without a plan: csat 40 × 0.81 / 0.90 = 36; on time 30 − 2 × 3 points short = 24;
# first fix 75 % < 80 %: 0; complaints 1 ≤ 2: 10. Total 70.
SCHEME_POINTS = {"csat": 36.0, "on_time": 24.0, "first_fix": 0.0, "complaints": 10.0}


def plan(*rows: dict) -> pd.DataFrame:
    """A plans table; each row defaults to a plan approved by M1 on 2026-07-02."""
    base = {"period": PERIOD, "approved_by": "M1", "approved_on": "2026-07-02"}
    return pd.DataFrame([{**base, **row} for row in rows]).fillna("")


def scored(plans_table: pd.DataFrame | None, roster: pd.DataFrame = ROSTER):
    return score(ACTUALS, scheme=SCHEME, roster=roster, period=PERIOD, plans=plans_table)


def points(result, employee: str) -> dict[str, float]:
    row = result.scores.set_index("employee_id").loc[employee]
    return {k: float(row[k]) for k in [*SCHEME_POINTS, "total"]}


def refusal(plans_table: pd.DataFrame, roster: pd.DataFrame = ROSTER) -> list[str]:
    with pytest.raises(DataError) as caught:
        scored(plans_table, roster)
    return [str(p) for p in caught.value.problems]


# --- scoring on personal targets -------------------------------------------------------


def test_without_plans_everyone_scores_on_the_schemes_targets() -> None:
    result = scored(None)
    assert points(result, "E1") == pytest.approx({**SCHEME_POINTS, "total": 70.0})
    assert result.plans is None and result.plan_log is None


def test_the_same_actual_scores_differently_under_two_approved_targets() -> None:
    result = scored(
        plan(
            {"employee_id": "E1", "kpi_id": "csat", "target": "0.81"},  # 40 × 0.81/0.81 = 40
            {"employee_id": "E2", "kpi_id": "csat", "target": "100%"},  # 40 × 0.81/1 = 32.4
            {"employee_id": "E1", "kpi_id": "on_time", "target": "0.93"},  # 30 − 2 × 1 = 28
            {"employee_id": "E2", "kpi_id": "first_fix", "target": "0.7"},  # 75 % ≥ 70 %: 20
        )
    )
    e1, e2, e3 = (points(result, e) for e in ("E1", "E2", "E3"))
    assert e1 == pytest.approx({**SCHEME_POINTS, "csat": 40, "on_time": 28, "total": 78})
    assert e2 == pytest.approx({**SCHEME_POINTS, "csat": 32.4, "first_fix": 20, "total": 86.4})
    assert e3 == pytest.approx({**SCHEME_POINTS, "total": 70})
    flags = result.scores.set_index("employee_id")["flags"]
    assert flags["E1"] == "个人目标:客户满意度, 及时率"
    assert flags["E2"] == "个人目标:客户满意度, 一次修复率"
    assert flags["E3"] == ""


def test_an_adjustment_approved_in_the_period_counts_one_approved_after_does_not() -> None:
    first = {"employee_id": "E1", "kpi_id": "csat", "target": 0.9}  # the plan: 36
    in_time = {
        **first,
        "target": 0.81,  # 40 × 0.81 / 0.81 = 40
        "adjusted_on": "2026-08-10",
        "approved_on": "2026/8/12",
        "reason": "承接新客户",
    }
    late = {**in_time, "adjusted_on": "2026-09-20", "approved_on": "2026年10月8日"}
    assert points(scored(plan(first, in_time)), "E1")["csat"] == pytest.approx(40)
    result = scored(plan(first, late))
    assert points(result, "E1")["csat"] == pytest.approx(36)
    log = result.plan_log
    assert log["status"].tolist() == ["in_force", "late"]
    assert log["kind"].tolist() == ["plan", "adjustment"]
    # Scored for the next quarter, whose last day is after the approval, neither row counts:
    # they are Q3's plan and adjustment.
    assert in_force(check_plans(plan(first, late), scheme=SCHEME, roster=check_roster(ROSTER)),
                    period="2026-Q4").empty  # fmt: skip


def test_the_latest_adjustment_in_force_replaces_the_earlier_ones() -> None:
    first = {"employee_id": "E1", "kpi_id": "csat", "target": 0.9}
    table = plan(
        first,
        {**first, "target": 0.81, "adjusted_on": "2026-09-01", "approved_on": "2026-09-02"},
        {**first, "target": 1.0, "adjusted_on": "2026-08-01", "approved_on": "2026-08-02"},
    )
    checked = check_plans(table, scheme=SCHEME, roster=check_roster(ROSTER))
    log = plan_log(checked, period=PERIOD)
    assert log["status"].tolist() == ["replaced", "in_force", "replaced"]
    assert points(scored(table), "E1")["csat"] == pytest.approx(40)  # the 1 September row


def test_a_rule_that_fixes_its_own_target_takes_the_personal_one() -> None:
    own = SCHEME.model_dump(mode="json")
    own["positions"]["clerk"]["kpis"][1]["rule"]["target"] = 0.96  # 30 − 2 × 4 = 22
    own_scheme = scheme_from_dict(own)
    table = plan({"employee_id": "E1", "kpi_id": "on_time", "target": 0.91})  # ≥: 30
    result = score(ACTUALS, scheme=own_scheme, roster=ROSTER, period=PERIOD, plans=table)
    on_time = result.scores.set_index("employee_id")["on_time"]
    assert on_time.to_dict() == pytest.approx({"E1": 30.0, "E2": 22.0, "E3": 22.0})


def test_planned_weights_move_points_within_a_category() -> None:
    result = scored(
        plan(
            {"employee_id": "E1", "kpi_id": "csat", "target": "", "weight": 50},
            {"employee_id": "E1", "kpi_id": "on_time", "target": "", "weight": 20},
        )
    )
    # csat: 0.81 / 0.90 of 50 = 45; on time: 24 / 30 of 20 = 16; the category still 70.
    e1 = points(result, "E1")
    assert e1 == pytest.approx({**SCHEME_POINTS, "csat": 45, "on_time": 16, "total": 71})
    assert result.scores.set_index("employee_id").loc["E1", "flags"] == ""  # no target planned


def test_chinese_headers_and_kpi_names_are_read() -> None:
    table = pd.DataFrame(
        {
            "员工编号": ["E1"],
            "考核周期": [PERIOD],
            "指标": ["客户满意度"],
            "目标值": ["81%"],
            "批准人": ["赵强"],  # the superior by name
            "批准日期": ["2026-07-01"],
        }
    )
    assert points(scored(table), "E1")["csat"] == pytest.approx(40)


def test_plans_of_other_schemes_and_grains_are_left_out() -> None:
    table = plan(
        {"employee_id": "E1", "kpi_id": "plm_usage_rate", "target": 0.9},  # no KPI of ours
        {"employee_id": "E1", "period": "2026-08", "kpi_id": "csat", "target": 0.9},  # a month
        {"employee_id": "E1", "kpi_id": "csta", "target": 0.9},  # a misspelling: kept
    )
    kept = plans_for(table, scheme=SCHEME, roster=ROSTER)
    assert kept["_row"].tolist() == [4]


# --- bad input: each refused with its row ----------------------------------------------

OK = {"employee_id": "E1", "kpi_id": "csat", "target": 0.9}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([{**OK, "approved_by": ""}], r"row 2 \(employee E1\), column approved_by: no approval"),
        ([{**OK, "approved_on": ""}], r"row 2 \(employee E1\), column approved_on: no approval"),
        (
            [OK, {**OK, "adjusted_on": "2026-08-10", "approved_on": "2026-08-09"}],
            r"row 3 \(employee E1\), column approved_on: approved before the adjustment it "
            r"approves \(found '2026-08-09'\)",
        ),
        (
            [{**OK, "approved_by": "E2"}],
            r"row 2 \(employee E1\), column approved_by: not the person's direct superior.*"
            r"found 'E2'.*M1 赵强",
        ),
        (
            [OK, {**OK, "adjusted_on": "2026-10-02", "approved_on": "2026-10-03"}],
            r"row 3 \(employee E1\), column adjusted_on: an adjustment dated outside its "
            r"period \(found '2026-10-02'\)",
        ),
        (
            [{**OK, "kpi_id": "team_output"}],
            r"row 2 \(employee E1\), column kpi_id: not a KPI of the person's position.*"
            r"clerk: csat, on_time, first_fix, complaints",
        ),
        (
            [{**OK, "kpi_id": "csta"}],
            r"row 2 \(employee E1\), column kpi_id: not a KPI of the person's position",
        ),
        (
            [{**OK, "target": 1.2}],
            r"row 2 \(employee E1\), column target: outside the range of a ratio \(found '?1.2'?\)",
        ),
        (
            [{**OK, "kpi_id": "complaints", "target": 1}],
            r"row 2 \(employee E1\), column target: the rule of complaints \(bands: bands "
            r"with fixed edges\) has no target",
        ),
        (
            [{**OK, "weight": 50}],
            r"rows 2 \(employee E1, period 2026-Q3\): the planned weights make category "
            r"工作业绩 \(performance\) add up to 80, not 70 \(\+10\)",
        ),
        (
            [OK, OK],
            r"row 3 \(employee E1\), column adjusted_on: a second plan for the same person",
        ),
        (
            [{**OK, "adjusted_on": "2026-08-01", "approved_on": "2026-08-01"}],
            r"row 2 \(employee E1\), column adjusted_on: an adjustment with no plan before it",
        ),
        ([{**OK, "employee_id": "E9"}], r"row 2 \(employee E9\), column employee_id: employee "),
        ([{**OK, "period": "2026-Q5"}], r"row 2 \(employee E1\), column period: not a period"),
        ([{**OK, "approved_on": "soon"}], r"row 2 \(employee E1\), column approved_on: not a date"),
    ],
    ids=[
        "no approver",
        "no approval date",
        "approved before adjusted",
        "not the superior",
        "adjusted outside the period",
        "KPI of another position",
        "misspelt KPI",
        "ratio above 1",
        "target on bands",
        "weights break a category",
        "a second plan",
        "adjustment without plan",
        "not in the roster",
        "not a period",
        "not a date",
    ],
)
def test_bad_rows_are_refused_with_their_row(rows: list[dict], expected: str) -> None:
    problems = refusal(plan(*rows))
    assert any(re.search(expected, p) for p in problems), problems


def test_every_bad_row_is_reported_at_once() -> None:
    problems = refusal(plan({**OK, "approved_by": ""}, {**OK, "employee_id": "E2", "target": 2}))
    assert len(problems) == 2


def test_any_approver_where_the_roster_says_nobodys_superior() -> None:
    roster = ROSTER.drop(columns="manager_id")
    result = scored(plan({**OK, "approved_by": "人力资源部 王经理", "target": 0.81}), roster)
    assert points(result, "E1")["csat"] == pytest.approx(40)


# --- the rules that read a target take one per actual ---------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # 10 × actual ÷ target, capped at 10: 10 × 0.8/0.8, 10 × 0.8/1.0
        ({"kind": "linear"}, [10.0, 8.0]),
        # 10 − 1 per point short: 0.8 against 0.8 → 10; against 1.0 → 20 points short → −10
        ({"kind": "deduct_per_point", "per_point": 1}, [10.0, -10.0]),
        # at least the target: 0.8 ≥ 0.8 → 10; 0.8 < 1.0 → 0
        ({"kind": "threshold"}, [10.0, 0.0]),
    ],
)
def test_rules_that_read_a_target_take_one_per_actual(rule: dict, expected: list) -> None:
    from kpi_toolkit.engine.rules import RULES

    made = RULES[rule["kind"]].model_validate(rule)
    got = made.points(np.array([0.8, 0.8]), weight=10, target=np.array([0.8, 1.0]))
    assert got.tolist() == pytest.approx(expected)
    assert made.target_of(0.9) == 0.9


def test_rules_that_read_no_target_say_so() -> None:
    from kpi_toolkit.engine.rules import RULES

    fixed = [
        RULES["threshold"].model_validate({"kind": "threshold", "min": 0.5}),
        RULES["scale"].model_validate({"kind": "scale", "labels": {"好": 2, "差": 1}}),
        RULES["deduct_per_unit"].model_validate({"kind": "deduct_per_unit", "per_unit": 1}),
    ]
    assert [rule.target_of(0.9) for rule in fixed] == [None, None, None]


# --- invariants -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    actual=st.floats(0, 1),
    target=st.floats(0.01, 1),
    weight=st.floats(1, 60),
)
def test_personal_points_stay_within_the_personal_weight(actual, target, weight) -> None:
    position = SCHEME.positions["clerk"]
    values = pd.DataFrame({k.id: [actual] for k in position.kpis[:3]}).assign(complaints=[0])
    got, _ = position_points(
        values,
        position,
        missing="error",
        targets=pd.DataFrame({"csat": [target], "on_time": [target], "first_fix": [target]}),
        weights=pd.DataFrame({"csat": [weight]}),
    )
    assert 0 <= got["csat"].iloc[0] <= weight + 1e-9
    for kpi in position.kpis[1:]:
        assert 0 <= got[kpi.id].iloc[0] <= kpi.weight + 1e-9


# --- the sample, the pipeline, the CLI and the report ----------------------------------


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample(directory)
    return directory


@pytest.fixture(scope="module")
def sample_ctx(sample_dir: Path):
    """The sample's 2026-Q3 appraisal under after_sales_team, its plans.csv picked up."""
    return load_context(scheme="after_sales_team", data_dir=sample_dir, period=PERIOD)


def test_the_samples_plans_have_one_adjustment_in_time_and_one_late(sample_dir: Path) -> None:
    table = pd.read_csv(sample_dir / "plans.csv", dtype=str, keep_default_na=False)
    adjustments = table.loc[table["adjusted_on"] != ""]
    assert len(adjustments) == 2 and table["employee_id"].nunique() == 6
    assert (adjustments["approved_on"] > "2026-09-30").sum() == 1


def test_a_data_directorys_plans_are_picked_up(sample_dir: Path, sample_ctx) -> None:
    inputs = resolve_inputs("after_sales_team", data_dir=sample_dir)
    assert inputs.plans is not None and inputs.files["plans"] == sample_dir / "plans.csv"
    ctx = sample_ctx
    log = ctx.appraisal.plan_log
    late = log.loc[log["status"] == "late"].iloc[0]
    # the late adjustment is not the target used: the plan's stays in force
    used = ctx.appraisal.plans.set_index(["employee_id", "kpi_id"])
    assert used.loc[(late["employee_id"], late["kpi_id"]), "target"] != late["target"]
    assert used.loc[(late["employee_id"], late["kpi_id"]), "kind"] == "plan"
    page = plans(ctx).data
    assert "工作目标计划" in page and "考核期结束后批准,不计入本期" in page
    card = person_plans(ctx, str(late["employee_id"]), for_employee=True)
    assert "个人目标及来源" in card and "直接上级" in card
    boss = ctx.roster.set_index("employee_id").loc[late["employee_id"], "manager_id"]
    assert boss not in card  # the card handed to the person names nobody else


def test_manager_schemes_ignore_the_specialists_plans(sample_dir: Path) -> None:
    ctx = load_context(scheme="manager_post", data_dir=sample_dir, period=PERIOD)
    assert ctx.appraisal.plan_log is not None and ctx.appraisal.plan_log.empty


def test_annual_scores_each_quarter_with_its_plans() -> None:
    table = plan({"employee_id": "E1", "kpi_id": "csat", "target": 0.81})
    year = annual(ACTUALS, scheme=SCHEME, roster=ROSTER, year=2026, plans=table)
    totals = year.scores.set_index("employee_id")["total"]
    assert totals.to_dict() == pytest.approx({"E1": 74.0, "E2": 70.0, "E3": 70.0})


def _cli(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_scores_with_plans(sample_dir: Path, tmp_path: Path, capsys) -> None:
    table = pd.DataFrame(
        {
            "employee_id": ["E005"],
            "period": [PERIOD],
            "kpi_id": ["csat"],
            "target": ["0.5"],
            "approved_by": ["E004"],
            "approved_on": ["2026-07-01"],
        }
    )
    table.to_excel(tmp_path / "plans.xlsx", index=False)
    out = tmp_path / "scores.csv"
    args = ["score", "--scheme", "after_sales_team", "--data-dir", sample_dir]
    code, _, _ = _cli(capsys, *args, "--period", PERIOD, "--plans", tmp_path / "plans.xlsx",
                      "--out", out)  # fmt: skip
    assert code == 0
    scores = pd.read_csv(out).set_index("employee_id")
    assert scores.loc["E005", "csat"] == 15  # any csat ≥ 50 % meets the target: full marks
    assert scores.loc["E005", "flags"] == "个人目标:客户满意度"
    # the named file replaces the data directory's: nobody else on a personal target
    assert scores["flags"].fillna("").str.contains("个人目标").sum() == 1
    code, _, _ = _cli(capsys, "annual", "--scheme", "after_sales_team", "--data-dir",
                      sample_dir, "--year", 2026, "--plans", tmp_path / "plans.xlsx")  # fmt: skip
    assert code == 0


def test_cli_refuses_a_bad_plan_with_exit_2(sample_dir: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "plans.csv"
    bad.write_text(
        "员工编号,考核周期,指标,目标值,批准人,批准日期\nE005,2026-Q3,csat,0.9,E006,2026-07-01\n",
        encoding="utf-8",
    )
    args = ["score", "--scheme", "after_sales_team", "--data-dir", sample_dir]
    code, _, err = _cli(capsys, *args, "--period", PERIOD, "--plans", bad)
    assert code == 2
    assert "row 2 (employee E005), column approved_by: not the person's direct superior" in err
    assert "Traceback" not in err


def test_report_passes_plans_to_every_notebook(sample_dir: Path, tmp_path: Path) -> None:
    from kpi_toolkit.reports.batch import context_for, plan_jobs

    own = tmp_path / "own_plans.csv"
    make_sample().plans.head(1).to_csv(own, index=False)
    ctx = context_for(
        scheme="after_sales_team", data_dir=str(sample_dir), period=PERIOD, lang="zh",
        plans=str(own),
    )  # fmt: skip
    assert len(ctx.appraisal.plan_log) == 1 and ctx.inputs["plans"][0] == str(own)
    jobs = plan_jobs(ctx, scheme="after_sales_team", data_dir=str(sample_dir),
                     employees=["E008"], plans=str(own))  # fmt: skip
    assert [job.parameters["plans"] for job in jobs] == [str(own)] * 2


def test_points_are_nan_free_for_everyone_planned(sample_ctx) -> None:
    ctx = sample_ctx
    planned = ctx.appraisal.plans["employee_id"].unique()
    rows = ctx.appraisal.scores.set_index("employee_id").loc[planned]
    assert np.isfinite(rows["total"].to_numpy(dtype=float)).all()
