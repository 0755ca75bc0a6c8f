"""Every rule kind against the seed's own figures (SCHEMES.md section 2 and 3)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from helpers import kpi_points, make_roster, manager_ratings, scheme, single_kpi_position
from pydantic import ValidationError

from kpi_toolkit.engine.inputs import check_ratings, check_roster
from kpi_toolkit.engine.rules import (
    RULES,
    BandsRule,
    DeductPerPointRule,
    DeductPerUnitRule,
    LinearRule,
    ManualRule,
    ScaleRule,
    ThresholdRule,
)


def manager_points(kpi_id: str, actual: float) -> float:
    return float(kpi_points(scheme("manager_post").positions["manager"], kpi_id, [actual])[0])


# (kpi, actual, points): the seed's table for the manager post (section 2).
SEED_FIGURES = [
    # 3. report on-time rate, higher is better, each band holds its lower edge (≥)
    ("report_on_time_rate", 0.93, 13.8),
    ("report_on_time_rate", 1.00, 15),
    ("report_on_time_rate", 0.95, 15),
    ("report_on_time_rate", 0.90, 12),
    ("report_on_time_rate", 0.85, 10),
    ("report_on_time_rate", 0.80, 8),
    ("report_on_time_rate", 0.70, 4),
    ("report_on_time_rate", 0.60, 0),
    ("report_on_time_rate", 0.599, 0),
    ("report_on_time_rate", 0.0, 0),
    # 2. invalid service ratio, lower is better, each band holds its upper edge (≤)
    ("invalid_service_ratio", 0.0, 10),
    ("invalid_service_ratio", 0.01, 10),
    ("invalid_service_ratio", 0.015, 9),
    ("invalid_service_ratio", 0.02, 8),
    ("invalid_service_ratio", 0.035, 6),
    ("invalid_service_ratio", 0.05, 5),
    ("invalid_service_ratio", 0.075, 3),
    ("invalid_service_ratio", 0.10, 2),
    ("invalid_service_ratio", 0.55, 0.5),
    ("invalid_service_ratio", 1.00, 0),
    # 5. PLM usage rate: 95 % 10; 90–95 % 8–10; 85–90 % 5–7; 80–85 % 2–4; < 80 % 0
    ("plm_usage_rate", 1.00, 10),
    ("plm_usage_rate", 0.95, 10),
    ("plm_usage_rate", 0.925, 9),
    ("plm_usage_rate", 0.90, 8),
    ("plm_usage_rate", 0.875, 6),
    ("plm_usage_rate", 0.85, 5),
    ("plm_usage_rate", 0.825, 3),
    ("plm_usage_rate", 0.80, 2),
    ("plm_usage_rate", 0.79, 0),
    # 1. response speed: 20, −1 per request answered later than 1 working day
    ("response_speed", 0, 20),
    ("response_speed", 1, 19),
    ("response_speed", 3, 17),
    ("response_speed", 20, 0),
    ("response_speed", 25, 0),  # never below 0
    # 4. complaints: 15 up to 3 a quarter, −1 for each beyond
    ("complaints", 0, 15),
    ("complaints", 3, 15),
    ("complaints", 4, 14),
    ("complaints", 5, 13),
    ("complaints", 40, 0),
    # 9. new staff failing the training exam: −5 each
    ("new_staff_training_failures", 0, 5),
    ("new_staff_training_failures", 1, 0),
    ("new_staff_training_failures", 3, 0),
    # 8. training coverage: ≥ 80 % 5, else 0
    ("training_coverage", 1.0, 5),
    ("training_coverage", 0.80, 5),
    ("training_coverage", 0.799, 0),
    ("training_coverage", 0.0, 0),
    # 6. internal cooperation (weight 8): 很满意 3 / 较满意 2 / 不满意 1 / 很不满意 0
    ("internal_cooperation", 3, 8),
    ("internal_cooperation", 2, 16 / 3),
    ("internal_cooperation", 1, 8 / 3),
    ("internal_cooperation", 0, 0),
    ("internal_cooperation", 2.5, 20 / 3),  # a mean of ratings
    # 10, 11: the same scale at weights 5 and 2
    ("skill_development", 2, 10 / 3),
    ("adhoc_tasks", 3, 2),
    ("adhoc_tasks", 1, 2 / 3),
    # 7. periodic reports: the bands of item 3 scaled to 5
    ("periodic_report_on_time_rate", 1.0, 5),
    ("periodic_report_on_time_rate", 0.95, 5),
    ("periodic_report_on_time_rate", 0.93, 4.6),
    ("periodic_report_on_time_rate", 0.90, 4),
    ("periodic_report_on_time_rate", 0.80, 8 / 3),
    ("periodic_report_on_time_rate", 0.59, 0),
]


@pytest.mark.parametrize(("kpi_id", "actual", "expected"), SEED_FIGURES)
def test_manager_post_seed_figures(kpi_id: str, actual: float, expected: float) -> None:
    assert manager_points(kpi_id, actual) == pytest.approx(expected, abs=1e-6)


def test_lower_is_better_bands_hold_their_upper_edge() -> None:
    # 2 % scores 8 (the 1–2 % band's end), just above 2 % starts the 2–5 % band at 7
    assert manager_points("invalid_service_ratio", 0.02) == pytest.approx(8)
    assert manager_points("invalid_service_ratio", 0.0200001) == pytest.approx(7, abs=1e-3)
    assert manager_points("invalid_service_ratio", 0.0200001) < 7


def test_higher_is_better_bands_hold_their_lower_edge() -> None:
    # PLM: 90 % is the 90–95 % band's start (8), just below is the 85–90 % band's end (7)
    assert manager_points("plm_usage_rate", 0.90) == pytest.approx(8)
    assert manager_points("plm_usage_rate", 0.8999999) == pytest.approx(7, abs=1e-4)


@pytest.mark.parametrize(
    ("kpi_id", "values"),
    [
        ("report_on_time_rate", [0.0, 0.3, 0.6, 0.61, 0.8, 0.9, 0.94, 0.95, 1.0]),
        ("plm_usage_rate", [0.0, 0.8, 0.82, 0.85, 0.899, 0.9, 0.95, 1.0]),
    ],
)
def test_bands_never_fall_as_the_rate_rises(kpi_id: str, values: list[float]) -> None:
    points = kpi_points(scheme("manager_post").positions["manager"], kpi_id, values)
    assert (np.diff(points) >= 0).all(), points


def test_missing_actual_stays_missing_for_every_rule_kind() -> None:
    rules = {
        "bands": BandsRule(
            kind="bands", better="higher", bands=[{"from": 0, "to": 1, "points": [0, 10]}]
        ),
        "deduct_per_unit": DeductPerUnitRule(kind="deduct_per_unit", per_unit=1),
        "deduct_per_point": DeductPerPointRule(kind="deduct_per_point", per_point=1, target=0.9),
        "threshold": ThresholdRule(kind="threshold", min=0.5),
        "scale": ScaleRule(kind="scale", labels={"好": 1, "差": 0}),
        "linear": LinearRule(kind="linear"),
        "manual": ManualRule(kind="manual"),
    }
    assert set(rules) == set(RULES), "a rule kind has no case here"
    for kind, rule in rules.items():
        points = rule.points(np.array([np.nan, 0.5]), weight=10, target=0.9)
        assert math.isnan(points[0]), kind
        assert not math.isnan(points[1]), kind


# --- deduct_per_point (section 3, monthly_repair) --------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(1.0, 30), (0.95, 30), (0.94, 29), (0.93, 28), (0.935, 28.5), (0.90, 25), (0.60, 0), (0.0, 0)],
)
def test_repair_completion_loses_one_point_per_percentage_point(
    actual: float, expected: float
) -> None:
    position = scheme("monthly_repair").positions["manager"]
    points = kpi_points(position, "repair_task_completion_rate", [actual])
    assert points[0] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("actual", "expected"), [(0.93, 28), (0.935, 29), (0.9499, 30), (0.95, 30)]
)
def test_whole_points_counts_only_whole_points_short(actual: float, expected: float) -> None:
    position = single_kpi_position(
        {"kind": "deduct_per_point", "per_point": 1, "whole_points": True}, weight=30, target=0.95
    )
    assert kpi_points(position, "k", [actual])[0] == pytest.approx(expected)


def test_deduct_per_point_lower_is_better_and_own_target() -> None:
    # department_head: −1 per percentage point of overspend beyond the allowed 5 %
    position = scheme("department_head").positions["department_head"]
    points = kpi_points(position, "budget_deviation_rate", [-0.10, 0.05, 0.08, 0.30])
    assert points == pytest.approx([15, 15, 12, 0])


# --- threshold, linear, manual -----------------------------------------------------------


@pytest.mark.parametrize(("actual", "expected"), [(0.0, 10), (0.02, 10), (0.0201, 0), (0.5, 0)])
def test_threshold_with_max(actual: float, expected: float) -> None:
    position = single_kpi_position({"kind": "threshold", "max": 0.02})
    assert kpi_points(position, "k", [actual])[0] == expected


def test_threshold_otherwise_and_target_as_minimum() -> None:
    position = single_kpi_position({"kind": "threshold", "otherwise": 3}, target=0.8)
    assert list(kpi_points(position, "k", [0.79, 0.8, 0.9])) == [3, 10, 10]


@pytest.mark.parametrize(
    ("rule", "target", "actual", "expected"),
    [
        ({"kind": "linear"}, 0.9, 0.9, 10),
        ({"kind": "linear"}, 0.9, 0.45, 5),
        ({"kind": "linear"}, 0.9, 0.0, 0),
        ({"kind": "linear"}, 0.9, 1.0, 10),  # capped at the weight
        ({"kind": "linear", "cap": 1.2}, 0.5, 0.55, 11),
        ({"kind": "linear", "cap": 1.2}, 0.5, 1.0, 12),
        ({"kind": "linear", "better": "lower"}, 30, 30, 10),
        ({"kind": "linear", "better": "lower"}, 30, 60, 5),
        ({"kind": "linear", "better": "lower"}, 30, 15, 10),  # capped
        ({"kind": "linear", "better": "lower"}, 30, 0, 10),  # no division by zero
    ],
)
def test_linear(rule: dict, target: float, actual: float, expected: float) -> None:
    bonus = 10 * (rule.get("cap", 1) - 1)
    position = single_kpi_position(rule, target=target, kind="amount", bonus_points=bonus)
    assert kpi_points(position, "k", [actual])[0] == pytest.approx(expected)


def test_bonus_points_allow_more_than_the_weight_only_when_the_scheme_says_so() -> None:
    rule = {"kind": "linear", "cap": 1.5}
    without = single_kpi_position(rule, target=1.0, kind="amount")
    with_bonus = single_kpi_position(rule, target=1.0, kind="amount", bonus_points=2)
    assert kpi_points(without, "k", [2.0])[0] == 10
    assert kpi_points(with_bonus, "k", [2.0])[0] == 12


@pytest.mark.parametrize(
    ("out_of", "actual", "expected"),
    [(None, 7, 7), (None, 12, 10), (None, -1, 0), (100, 85, 8.5), (100, 130, 10), (5, 2.5, 5)],
)
def test_manual_scaled_and_clipped_to_weight(
    out_of: float | None, actual: float, expected: float
) -> None:
    rule = {"kind": "manual"} if out_of is None else {"kind": "manual", "out_of": out_of}
    position = single_kpi_position(rule, kind="rating")
    assert kpi_points(position, "k", [actual])[0] == pytest.approx(expected)


def test_scale_with_explicit_top() -> None:
    position = single_kpi_position(
        {"kind": "scale", "labels": {"好": 4, "中": 2, "差": 0}, "top": 5}, kind="rating"
    )
    assert kpi_points(position, "k", [5, 4, 2])[0:3] == pytest.approx([10, 8, 4])
    assert ScaleRule(kind="scale", labels={"好": 4, "差": 0}).value_labels() == {"好": 4, "差": 0}


# --- the registry and the rule models ----------------------------------------------------


def test_registry_has_every_kind_the_seed_needs() -> None:
    assert set(RULES) >= {
        "bands",
        "deduct_per_unit",
        "deduct_per_point",
        "threshold",
        "scale",
        "linear",
        "manual",
    }
    for kind, cls in RULES.items():
        assert cls.model_fields["kind"].annotation.__args__ == (kind,)


def test_rules_are_frozen_and_refuse_unknown_keys() -> None:
    rule = DeductPerUnitRule(kind="deduct_per_unit", per_unit=1)
    with pytest.raises(ValidationError):
        rule.per_unit = 2  # type: ignore[misc]
    with pytest.raises(ValidationError, match="per_unti"):
        DeductPerUnitRule(kind="deduct_per_unit", per_unit=1, per_unti=2)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        DeductPerUnitRule(kind="deduct_per_unit", per_unit=0)


@pytest.mark.parametrize(
    ("kpi_id", "lang", "expected"),
    [
        ("response_speed", "zh", "满分 20,超过 0 次后每次扣 1 分"),
        ("complaints", "en", "full 15; −1 per occurrence beyond 3"),
        ("training_coverage", "zh", "≥ 0.8 得 5 分,否则 0 分"),
        ("report_on_time_rate", "en", "banded, higher is better: 0.95–1: 15; 0.9–0.95: 12–15"),
        ("internal_cooperation", "zh", "很满意 3 / 较满意 2 / 不满意 1 / 很不满意 0"),
    ],
)
def test_describe_states_the_rule_with_its_figures(kpi_id: str, lang: str, expected: str) -> None:
    kpi = scheme("manager_post").positions["manager"].kpi(kpi_id)
    text = kpi.rule.describe(weight=kpi.weight, target=kpi.target, lang=lang)  # type: ignore[arg-type]
    assert expected in text


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        ("很满意", 8),
        ("较满意", 16 / 3),
        ("不满意", 8 / 3),
        ("很不满意", 0),
        ("2.5", 20 / 3),
        (2.5, 20 / 3),
    ],
)
def test_internal_cooperation_rating_labels_and_numbers(rating: object, expected: float) -> None:
    manager_post = scheme("manager_post")
    roster = check_roster(make_roster(("E1", "manager")))
    ratings = manager_ratings("E1", internal_cooperation=[rating])
    checked = check_ratings(ratings, scheme=manager_post, roster=roster)
    value = checked.set_index("kpi_id").loc["internal_cooperation", "value"]
    points = kpi_points(manager_post.positions["manager"], "internal_cooperation", [value])
    assert points[0] == pytest.approx(expected)


def test_linear_with_a_tiny_actual_gives_no_warning() -> None:
    rule = LinearRule(kind="linear", better="lower")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        points = rule.points(np.array([5e-324]), weight=10, target=30)
    assert points.tolist() == [10]
