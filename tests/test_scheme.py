"""Scheme files: the built-in schemes, and every problem a broken file can have.

Each broken file is the small valid ``TINY_SCHEME`` with one thing changed; each problem must
name the key path and its line, the bad value and what is allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import (
    BUILTIN_SCHEMES,
    DEPARTMENT_HEAD_PARAMETERS,
    TINY_SCHEME,
    line_of,
    messages,
    ratings_table,
    write_scheme,
)
from pydantic import ValidationError

from kpi_toolkit import load_scheme, score
from kpi_toolkit.engine.scheme import builtin_scheme
from kpi_toolkit.errors import InputError, KpiError, SchemeError
from kpi_toolkit.files import builtin_names, builtin_path

ACTUALS_HEAD = {
    "employee_id": ["H1"],
    "period": ["2026"],
    "plan_completion_rate": [0.9],
    "complaint_rate": [0.01],
    "complaint_handling_days": [3],
    "compensation_paid": [1.0],
    "budget_deviation_rate": [0.08],
    "cost_income_ratio": [0.17],
}
# The department head's subjective items: the superior's scores (source: ratings).
HEAD_RATINGS = ratings_table(
    ("H1", "rules_regulations", "D1", "superior", 12),
    ("H1", "daily_affairs", "D1", "superior", 9),
    period="2026",
)
HEAD_ROSTER = pd.DataFrame(
    {
        "employee_id": ["H1"],
        "name": ["赵部长"],
        "position": ["department_head"],
        "team": ["售后服务部"],
        "status": ["regular"],
    }
)


COUNT_WEIGHT = "weight: 30\n        kind: count"
RATING_WEIGHT = "weight: 30\n        kind: rating"
PERIOD_LINE = "    period: quarter\n"


def broken(tmp_path: Path, old: str, new: str, *, count: int = 1) -> tuple[SchemeError, str]:
    """Load TINY_SCHEME with ``old`` replaced by ``new``; return the error and the text."""
    assert old in TINY_SCHEME, old
    text = TINY_SCHEME.replace(old, new, count)
    with pytest.raises(SchemeError) as caught:
        load_scheme(write_scheme(tmp_path, text))
    return caught.value, text


def only(error: SchemeError, pattern: str) -> str:
    """The one problem whose text matches ``pattern``."""
    found = [m for m in messages(error) if re.search(pattern, m)]
    assert len(found) == 1, messages(error)
    return found[0]


# --- the built-in schemes ----------------------------------------------------------------


@pytest.mark.parametrize("name", BUILTIN_SCHEMES)
def test_every_builtin_scheme_loads(name: str) -> None:
    scheme = load_scheme(name)
    assert scheme.id == name
    assert scheme.path == str(builtin_path("schemes", name))
    for position in scheme.positions.values():
        assert sum(c.points for c in position.categories.values()) == pytest.approx(100)
        for category_id, category in position.categories.items():
            weights = [k.weight for k in position.kpis if k.category == category_id]
            assert sum(weights) == pytest.approx(category.points)


def test_builtin_schemes_are_all_listed() -> None:
    assert builtin_names("schemes") == sorted(BUILTIN_SCHEMES)


def test_manager_post_carries_the_seed_table() -> None:
    manager = builtin_scheme("manager_post").positions["manager"]
    assert {cid: c.points for cid, c in manager.categories.items()} == {
        "performance": 70,
        "ability": 15,
        "attitude": 15,
    }
    assert [(k.id, k.category, k.weight) for k in manager.kpis] == [
        ("response_speed", "performance", 20),
        ("invalid_service_ratio", "performance", 10),
        ("report_on_time_rate", "performance", 15),
        ("complaints", "performance", 15),
        ("plm_usage_rate", "performance", 10),
        ("training_coverage", "ability", 5),
        ("new_staff_training_failures", "ability", 5),
        ("skill_development", "ability", 5),
        ("internal_cooperation", "attitude", 8),
        ("periodic_report_on_time_rate", "attitude", 5),
        ("adhoc_tasks", "attitude", 2),
    ]
    assert manager.kpi("complaints").rule.allowance == 3  # type: ignore[union-attr]


def test_a_missing_scheme_file_names_the_builtins(tmp_path: Path) -> None:
    with pytest.raises(SchemeError) as caught:
        load_scheme(tmp_path / "nowhere.yaml")
    (text,) = messages(caught.value)
    assert "no such scheme file" in text
    assert "nowhere.yaml" in text
    for name in BUILTIN_SCHEMES:
        assert name in text


def test_tiny_scheme_is_valid(tmp_path: Path) -> None:
    scheme = load_scheme(write_scheme(tmp_path, TINY_SCHEME))
    assert scheme.positions["clerk"].kpi("on_time").weight == 40
    assert scheme.missing == "error"
    assert [g.name.zh for g in scheme.grade_order()] == ["优秀", "良好", "合格", "不合格"]


# --- sums ---------------------------------------------------------------------------------


def test_weights_not_adding_up_to_their_category(tmp_path: Path) -> None:
    error, text = broken(tmp_path, COUNT_WEIGHT, COUNT_WEIGHT.replace("30", "25"))
    problem = only(error, "KPI weights")
    line = line_of(text, "performance: {name")
    assert f"positions.clerk.categories.performance (line {line})" in problem
    assert "add up to 65 (on_time 40 + complaints 25)" in problem
    assert "the category has 70 points: short by 5" in problem
    assert "allowed: weights adding up to 70" in problem
    assert str(tmp_path / "scheme.yaml") in problem


def test_weights_over_their_category(tmp_path: Path) -> None:
    error, _ = broken(tmp_path, RATING_WEIGHT, RATING_WEIGHT.replace("30", "32.5"))
    problem = only(error, "KPI weights")
    assert "category attitude add up to 32.5 (attitude_score 32.5)" in problem
    assert "over by 2.5" in problem


def test_categories_not_adding_up_to_100(tmp_path: Path) -> None:
    text = TINY_SCHEME.replace("points: 70}", "points: 60}").replace("weight: 40\n", "weight: 30\n")
    with pytest.raises(SchemeError) as caught:
        load_scheme(write_scheme(tmp_path, text))
    (problem,) = messages(caught.value)
    assert f"positions.clerk.categories (line {line_of(text, 'categories:')})" in problem
    assert "category points add up to 90 (performance 60 + attitude 30), not 100" in problem
    assert "short by 10" in problem
    assert "allowed: category points that add up to 100" in problem


# --- bands --------------------------------------------------------------------------------

BAND = "{from: 0.0, to: 0.9, points: [0, 40]}"


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("{from: 0.0, to: 0.92, points: [0, 40]}", "bands overlap: 0–0.92 and 0.9–1"),
        (
            "{from: 0.0, to: 0.85, points: [0, 40]}",
            "gap between bands 0–0.85 and 0.9–1: 0.85–0.9 is not covered",
        ),
        ("{from: 0.2, to: 0.9, points: [0, 40]}", "bands cover 0.2–1, but a ratio can be 0–1"),
    ],
    ids=["overlap", "gap", "not-covering"],
)
def test_bad_bands(tmp_path: Path, band: str, expected: str) -> None:
    error, text = broken(tmp_path, BAND, band)
    (problem,) = messages(error)
    assert f"positions.clerk.kpis[0].rule.bands (line {line_of(text, 'bands:')})" in problem
    assert expected in problem
    assert "allowed: bands" in problem


def test_band_that_ends_before_it_starts(tmp_path: Path) -> None:
    error, _ = broken(tmp_path, BAND, "{from: 0.9, to: 0.0, points: [0, 40]}")
    problem = only(error, "band ends before it starts")
    assert "from 0.9 to 0" in problem
    assert "allowed: from < to" in problem


def test_unbounded_band_cannot_interpolate(tmp_path: Path) -> None:
    rule = "rule: {kind: deduct_per_unit, per_unit: 2}"
    bands = "rule: {kind: bands, better: lower, bands: [{from: 0, to: .inf, points: [30, 0]}]}"
    error, _ = broken(tmp_path, rule, bands)
    problem = only(error, "an unbounded band cannot interpolate points")
    assert "positions.clerk.kpis[1].rule.bands[0].points" in problem
    assert "found [30, 0]" in problem
    assert "allowed: a single number of points" in problem


def test_bands_of_a_count_must_reach_infinity(tmp_path: Path) -> None:
    rule = "rule: {kind: deduct_per_unit, per_unit: 2}"
    bands = "rule: {kind: bands, better: lower, bands: [{from: 0, to: 10, points: [30, 0]}]}"
    error, _ = broken(tmp_path, rule, bands)
    assert "bands cover 0–10, but a count can be 0–inf" in only(error, "bands cover")


# --- names: rule kinds, keys, categories ------------------------------------------------


def test_unknown_rule_kind_suggests_the_nearest(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "kind: deduct_per_unit", "kind: deduct_per_unt")
    (problem,) = messages(error)
    line = line_of(text, "deduct_per_unt")
    assert f"positions.clerk.kpis[1].rule.kind (line {line})" in problem
    assert "unknown rule kind; did you mean 'deduct_per_unit'?" in problem
    assert "found 'deduct_per_unt'" in problem
    assert "allowed: bands, deduct_per_unit, deduct_per_point, threshold, scale" in problem


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("kind: bands", "kind: [bands]", "positions.clerk.kpis[0].rule.kind"),
        ("kind: ratio", "kind: [ratio]", "positions.clerk.kpis[0].kind"),
    ],
    ids=["rule-kind", "kpi-kind"],
)
def test_a_list_as_a_kind_is_a_problem_not_a_crash(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    error, _ = broken(tmp_path, old, new)
    assert any(where in m for m in messages(error)), messages(error)


def test_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    error, text = broken(tmp_path, COUNT_WEIGHT, COUNT_WEIGHT.replace("weight", "wieght"))
    problem = only(error, "unknown key")
    assert f"positions.clerk.kpis[1].wieght (line {line_of(text, 'wieght')})" in problem
    assert "unknown key; did you mean 'weight'?" in problem
    assert "found 'wieght'" in problem
    assert "allowed: id, name, category, weight, kind" in problem


def test_unknown_category_suggests_the_nearest(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "category: attitude\n", "category: attitud\n")
    problem = only(error, "unknown category")
    line = line_of(text, "category: attitud")
    assert f"positions.clerk.kpis[2].category (line {line})" in problem
    assert "did you mean 'attitude'?" in problem
    assert "found 'attitud'" in problem
    assert "allowed: performance, attitude" in problem


def test_kpi_id_used_twice(tmp_path: Path) -> None:
    error, _ = broken(tmp_path, "id: complaints", "id: on_time")
    problem = only(error, "used twice")
    assert "positions.clerk.kpis[1].id" in problem
    assert "found 'on_time'" in problem


def test_unknown_parameter_reference(tmp_path: Path) -> None:
    text = TINY_SCHEME.replace(
        "rule: {kind: deduct_per_unit, per_unit: 2}",
        "rule: {kind: deduct_per_unit, per_unit: {param: per_complaint}}",
    ).replace("positions:", "parameters:\n  per_complain: {value: 2}\npositions:")
    with pytest.raises(SchemeError) as caught:
        load_scheme(write_scheme(tmp_path, text))
    problem = only(caught.value, "unknown parameter")
    assert "positions.clerk.kpis[1].rule.per_unit" in problem
    assert "did you mean 'per_complain'?" in problem


def test_parameters_fill_the_rule(tmp_path: Path) -> None:
    text = TINY_SCHEME.replace(
        "rule: {kind: deduct_per_unit, per_unit: 2}",
        "rule: {kind: deduct_per_unit, per_unit: {param: per_complaint}}",
    ).replace("positions:", "parameters:\n  per_complaint: {value: 2}\npositions:")
    path = write_scheme(tmp_path, text)
    assert load_scheme(path).positions["clerk"].kpi("complaints").rule.per_unit == 2  # type: ignore[union-attr]
    filled = load_scheme(path, parameters={"per_complaint": 3})
    assert filled.positions["clerk"].kpi("complaints").rule.per_unit == 3  # type: ignore[union-attr]


# --- YAML syntax and several problems at once ---------------------------------------------


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    text = TINY_SCHEME.replace(COUNT_WEIGHT, COUNT_WEIGHT.replace("30", "30: 5"))
    with pytest.raises(InputError) as caught:
        load_scheme(write_scheme(tmp_path, text))
    (problem,) = messages(caught.value)
    assert f"line {line_of(text, 'weight: 30: 5')}, column 19" in problem
    assert "YAML syntax error: mapping values are not allowed here" in problem
    assert str(tmp_path / "scheme.yaml") in problem


def test_yaml_syntax_error_is_a_scheme_error(tmp_path: Path) -> None:
    text = TINY_SCHEME.replace("name: 投诉", "name: [投诉")
    with pytest.raises(SchemeError) as caught:
        load_scheme(write_scheme(tmp_path, text))
    assert "YAML syntax error" in messages(caught.value)[0]


def test_several_problems_reported_at_once(tmp_path: Path) -> None:
    text = (
        TINY_SCHEME.replace("wieght", "wieght")
        .replace(COUNT_WEIGHT, COUNT_WEIGHT.replace("weight", "wieght"))
        .replace("kind: deduct_per_unit", "kind: dedcut_per_unit")
        .replace("points: 30}", "points: 20}")
        .replace(BAND, "{from: 0.0, to: 0.85, points: [0, 40]}")
    )
    with pytest.raises(SchemeError) as caught:
        load_scheme(write_scheme(tmp_path, text))
    error = caught.value
    for pattern in (
        "did you mean 'weight'",
        "did you mean 'deduct_per_unit'",
        "not 100",
        "gap between bands",
        "category attitude add up to 30",
    ):
        only(error, pattern)
    assert error.title == f"{tmp_path / 'scheme.yaml'}: {len(error.problems)} problem(s)"
    assert len(error.problems) >= 5
    rendered = str(error)
    assert all(f"  - {m}" in rendered for m in messages(error))


def test_every_problem_has_a_line(tmp_path: Path) -> None:
    error, _ = broken(tmp_path, COUNT_WEIGHT, COUNT_WEIGHT.replace("weight", "wieght"))
    for problem in error.problems:
        assert "(line " in problem.where, problem


# --- raters, grades, forced distribution ------------------------------------------------


def test_rater_weights_not_adding_up_to_1(tmp_path: Path) -> None:
    error, text = broken(
        tmp_path,
        "    period: quarter\n",
        "    period: quarter\n    raters: {superior: 0.5, peers: 0.3}\n",
    )
    (problem,) = messages(error)
    assert f"positions.clerk.raters (line {line_of(text, 'raters:')})" in problem
    assert "rater group weights add up to 0.8 (superior 0.5 + peers 0.3), not 1" in problem
    assert "allowed: positive weights adding up to 1" in problem


def test_rater_weight_of_zero_refused(tmp_path: Path) -> None:
    error, _ = broken(
        tmp_path,
        "    period: quarter\n",
        "    period: quarter\n    raters: {superior: 1, peers: 0}\n",
    )
    assert "rater group weights" in only(error, "raters")


GRADES = "grades:\n  - {id: a, name: 优, min: 80}\n  - {id: b, name: 中, min: 50}\npositions:"


def test_grades_with_no_band_at_0(tmp_path: Path) -> None:
    error, text = broken(tmp_path, "positions:", GRADES)
    (problem,) = messages(error)
    assert f"grades (line {line_of(text, 'grades:')})" in problem
    assert "the lowest grade starts at 50: totals 0–50 would have no grade" in problem
    assert "allowed: a lowest grade with min 0" in problem


def test_two_grades_at_the_same_total(tmp_path: Path) -> None:
    grades = (
        "grades:\n  - {id: a, name: 优, min: 80}\n  - {id: b, name: 良, min: 80}\n"
        "  - {id: c, name: 差, min: 0}\npositions:"
    )
    error, _ = broken(tmp_path, "positions:", grades)
    assert "found [80.0]" in only(error, "two grades start at the same total")


def test_forced_distribution_of_an_unknown_grade(tmp_path: Path) -> None:
    forced = "forced_distribution:\n  shares: {excelent: {max: 0.2}}\npositions:"
    error, _ = broken(tmp_path, "positions:", forced)
    problem = only(error, "unknown grade")
    assert "forced_distribution.shares.excelent" in problem
    assert "did you mean 'excellent'?" in problem


# --- blank parameters (department_head) --------------------------------------------------


def test_department_head_blank_parameters_refused_by_score() -> None:
    scheme = builtin_scheme("department_head")
    assert scheme.unfilled == tuple(DEPARTMENT_HEAD_PARAMETERS)
    with pytest.raises(SchemeError) as caught:
        score(
            pd.DataFrame(ACTUALS_HEAD),
            scheme=scheme,
            roster=HEAD_ROSTER,
            period="2026",
            ratings=HEAD_RATINGS,
        )
    problems = messages(caught.value)
    assert len(problems) == len(DEPARTMENT_HEAD_PARAMETERS)
    for name, problem in zip(DEPARTMENT_HEAD_PARAMETERS, problems, strict=True):
        assert f"parameters.{name}: blank" in problem
        assert f"--set {name}=VALUE" in problem
    assert "客户投诉率不得超过[ ]%" in problems[0]


def test_department_head_scores_once_filled() -> None:
    scheme = load_scheme("department_head", parameters=DEPARTMENT_HEAD_PARAMETERS)
    assert scheme.unfilled == ()
    head = scheme.positions["department_head"]
    assert head.kpi("complaint_rate").rule.max == 0.02  # type: ignore[union-attr]
    assert head.kpi("cost_income_ratio").rule.target == 0.15  # type: ignore[union-attr]
    result = score(
        pd.DataFrame(ACTUALS_HEAD),
        scheme=scheme,
        roster=HEAD_ROSTER,
        period="2026",
        ratings=HEAD_RATINGS,
    )
    row = result.scores.iloc[0]
    # 12 + 0.9 × 20 + 10 + 10 + 5 + (15 − 3) + (15 − 2) + 9
    assert row["total"] == pytest.approx(89)
    assert row["grade"] == "良好"


def test_unknown_parameter_given_to_load_scheme() -> None:
    with pytest.raises(SchemeError) as caught:
        load_scheme("department_head", parameters={"complaint_rate_mx": 0.02})
    (problem,) = messages(caught.value)
    assert "parameter complaint_rate_mx: the scheme has no such parameter" in problem
    assert "allowed: complaint_rate_max, complaint_handling_days_max" in problem


# --- rules the file must not let through --------------------------------------------------


def test_threshold_without_a_limit_is_refused(tmp_path: Path) -> None:
    error, _ = broken(tmp_path, "rule: {kind: manual}", "rule: {kind: threshold}")
    problem = only(error, "needs a numeric target")
    assert "positions.clerk.kpis[2].target" in problem
    assert "rule kind 'threshold' needs a numeric target (or the rule's min or max)" in problem


def test_rule_needing_a_target_refuses_a_null_target(tmp_path: Path) -> None:
    error, _ = broken(
        tmp_path, "rule: {kind: manual}", "target: null\n        rule: {kind: linear}"
    )
    problem = only(error, "needs a numeric target")
    assert "positions.clerk.kpis[2].target" in problem
    assert "rule kind 'linear'" in problem


def test_rule_needing_a_target_without_one(tmp_path: Path) -> None:
    error, _ = broken(tmp_path, "rule: {kind: manual}", "rule: {kind: linear}")
    problem = only(error, "needs a numeric target")
    assert "positions.clerk.kpis[2].target" in problem
    assert "rule kind 'linear'" in problem


# --- models: frozen, changed by copy ------------------------------------------------------


def test_scheme_is_frozen_and_changed_by_copy() -> None:
    scheme = builtin_scheme("manager_post")
    with pytest.raises(ValidationError):
        scheme.missing = "zero"  # type: ignore[misc]
    changed = scheme.with_weights("manager", {"response_speed": 15, "complaints": 20})
    assert changed is not scheme
    assert changed.positions["manager"].kpi("response_speed").weight == 15
    assert changed.positions["manager"].kpi("complaints").weight == 20
    assert scheme.positions["manager"].kpi("response_speed").weight == 20


def test_errors_share_one_root() -> None:
    assert issubclass(SchemeError, InputError)
    assert issubclass(InputError, KpiError)


def test_with_weights_refuses_an_unknown_kpi() -> None:
    with pytest.raises(KpiError, match="respons_speed"):
        builtin_scheme("manager_post").with_weights("manager", {"respons_speed": 15})
