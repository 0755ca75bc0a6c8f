"""Small builders shared by the engine's tests: rosters, actuals, ratings, schemes, KPIs."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from kpi_toolkit.engine.scheme import Position, Scheme, builtin_scheme, load_scheme
from kpi_toolkit.engine.scoring import position_points
from kpi_toolkit.errors import InputError, Problem

PERIOD = "2026-Q3"
BUILTIN_SCHEMES = ("after_sales_team", "department_head", "manager_post", "monthly_repair")

# department_head's blank targets ("不得超过[ ]%"), filled with example values.
DEPARTMENT_HEAD_PARAMETERS = {
    "complaint_rate_max": 0.02,
    "complaint_handling_days_max": 5,
    "compensation_max": 2,
    "budget_deviation_max": 0.05,
    "cost_income_target": 0.15,
}

# The hand-made manager row of the seed (section 2), with its points worked out by hand:
# what is measured (the actuals) ...
SEED_MANAGER_ROW: dict[str, Any] = {
    "response_speed": 2,  # 20 − 2 = 18
    "invalid_service_ratio": 0.035,  # 2–5 %: 7 → 5, half way = 6
    "report_on_time_rate": 0.93,  # 90–95 %: 12 → 15, 3/5 of the way = 13.8
    "complaints": 4,  # 15 − (4 − 3) = 14
    "plm_usage_rate": 0.96,  # ≥ 95 %: 10
    "training_coverage": 0.85,  # ≥ 80 %: 5
    "new_staff_training_failures": 0,  # 5
    "periodic_report_on_time_rate": 1.0,  # ≥ 95 %: 5
}
# ... and what the direct superior rates (items 6, 10, 11: source: ratings).
SEED_MANAGER_RATED: dict[str, Any] = {
    "skill_development": "较满意",  # 2 / 3 × 5 = 10/3
    "internal_cooperation": "很满意",  # 3 / 3 × 8 = 8
    "adhoc_tasks": "很满意",  # 3 / 3 × 2 = 2
}
SUPERIOR = "S001"  # the managers' superior where a test's roster says nothing
RATING_COLUMNS = ["employee_id", "period", "kpi_id", "rater_id", "rater_group", "value"]
SEED_MANAGER_POINTS = {
    "response_speed": 18.0,
    "invalid_service_ratio": 6.0,
    "report_on_time_rate": 13.8,
    "complaints": 14.0,
    "plm_usage_rate": 10.0,
    "training_coverage": 5.0,
    "new_staff_training_failures": 5.0,
    "skill_development": 10 / 3,
    "internal_cooperation": 8.0,
    "periodic_report_on_time_rate": 5.0,
    "adhoc_tasks": 2.0,
}

# A small valid scheme; tests break one thing at a time with str.replace.
TINY_SCHEME = """\
id: tiny
name: 小方案
positions:
  clerk:
    name: 文员
    period: quarter
    categories:
      performance: {name: 工作业绩, points: 70}
      attitude: {name: 工作态度, points: 30}
    kpis:
      - id: on_time
        name: 准时率
        category: performance
        weight: 40
        kind: ratio
        rule:
          kind: bands
          better: higher
          bands:
            - {from: 0.9, to: 1.0, points: 40}
            - {from: 0.0, to: 0.9, points: [0, 40]}
      - id: complaints
        name: 投诉
        category: performance
        weight: 30
        kind: count
        rule: {kind: deduct_per_unit, per_unit: 2}
      - id: attitude_score
        name: 态度
        category: attitude
        weight: 30
        kind: rating
        rule: {kind: manual}
"""


@cache
def scheme(name: str) -> Scheme:
    """A built-in scheme, loaded once per test session (department_head filled in)."""
    if name == "department_head":
        return load_scheme(name, parameters=DEPARTMENT_HEAD_PARAMETERS)
    return builtin_scheme(name)


def make_roster(*people: tuple[str, str], status: str = "regular", **columns: Any) -> pd.DataFrame:
    """A roster from ``(employee_id, position)`` pairs; other columns given or defaulted."""
    ids = [p[0] for p in people]
    frame = pd.DataFrame(
        {
            "employee_id": ids,
            "name": [f"员工{i}" for i in ids],
            "position": [p[1] for p in people],
            "team": "华东",
            "status": status,
        }
    )
    for column, values in columns.items():
        frame[column] = values
    return frame


def manager_actuals(*employee_ids: str, period: str = PERIOD, **overrides: Any) -> pd.DataFrame:
    """Measured actuals of manager_post for each employee: the seed row, columns overridden.

    An override may be a scalar (for every row) or a list (one value per employee). The
    superior's items are ratings: see :func:`manager_ratings` and :func:`manager_inputs`.
    """
    rated = sorted(set(overrides) & set(SEED_MANAGER_RATED))
    if rated:
        raise TypeError(f"{rated} are rated by the superior: give them to manager_ratings")
    frame = pd.DataFrame(
        [{"employee_id": e, "period": period, **SEED_MANAGER_ROW} for e in employee_ids]
    )
    for column, value in overrides.items():
        frame[column] = value
    return frame


def ratings_table(*rows: tuple[Any, ...], period: str = PERIOD) -> pd.DataFrame:
    """A ratings table from ``(employee_id, kpi_id, rater_id, rater_group, value)`` rows."""
    frame = pd.DataFrame(rows, columns=[c for c in RATING_COLUMNS if c != "period"])
    frame.insert(1, "period", period)
    return frame


def manager_ratings(
    *employee_ids: str,
    period: str = PERIOD,
    superior: str | list[str] = SUPERIOR,
    **overrides: Any,
) -> pd.DataFrame:
    """The superior's ratings of manager_post's items 6, 10, 11: the seed's labels.

    ``superior`` is the rater (one for all, or one per employee, as the roster's
    ``manager_id``). An override is a scalar or one value per employee; a blank value
    (``""`` or ``None``) leaves that rating out (not rated).
    """
    superiors = [superior] * len(employee_ids) if isinstance(superior, str) else superior
    values = {kpi: [label] * len(employee_ids) for kpi, label in SEED_MANAGER_RATED.items()}
    for kpi, value in overrides.items():
        if kpi not in SEED_MANAGER_RATED:
            raise TypeError(f"{kpi} is measured, not rated: give it to manager_actuals")
        values[kpi] = value if isinstance(value, list) else [value] * len(employee_ids)
    rows = [
        (e, kpi, rater, "superior", values[kpi][i])
        for i, (e, rater) in enumerate(zip(employee_ids, superiors, strict=True))
        for kpi in SEED_MANAGER_RATED
        if values[kpi][i] not in ("", None)
    ]
    return ratings_table(*rows, period=period)


class ManagerInputs(NamedTuple):
    """manager_post's actuals (measured) and ratings (by the superior)."""

    actuals: pd.DataFrame
    ratings: pd.DataFrame


def manager_inputs(
    *employee_ids: str,
    period: str = PERIOD,
    superior: str | list[str] = SUPERIOR,
    **overrides: Any,
) -> ManagerInputs:
    """The seed row for each employee as manager_post takes it: measured items in the
    actuals, the superior's items in the ratings; each override goes where it belongs."""
    rated = {k: v for k, v in overrides.items() if k in SEED_MANAGER_RATED}
    measured = {k: v for k, v in overrides.items() if k not in SEED_MANAGER_RATED}
    return ManagerInputs(
        manager_actuals(*employee_ids, period=period, **measured),
        manager_ratings(*employee_ids, period=period, superior=superior, **rated),
    )


def write_scheme(directory: Path, text: str, name: str = "scheme.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of ``text`` containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def messages(error: InputError) -> list[str]:
    return [str(p) for p in error.problems]


def kpi_points(position: Position, kpi_id: str, values: list[Any]) -> np.ndarray:
    """Points the engine gives (clipped, as in scoring) for actuals of one KPI.

    The position is narrowed to that one KPI, so the test reads nothing else.
    """
    position = position.model_copy(update={"kpis": (position.kpi(kpi_id),)})
    frame = pd.DataFrame({kpi_id: np.asarray(values, dtype=float)})
    frame["employee_id"] = [f"E{i}" for i in range(len(values))]
    frame["name"] = frame["employee_id"]
    frame["period"] = PERIOD
    points, _ = position_points(frame, position, missing="error")
    return points[kpi_id].to_numpy()


def single_kpi_position(
    rule: dict[str, Any],
    *,
    weight: float = 10,
    kind: str = "ratio",
    target: float | None = None,
    bonus_points: float = 0,
) -> Position:
    """A position with one KPI ``k`` of the given rule (built directly, no scheme checks)."""
    return Position.model_validate(
        {
            "id": "p",
            "name": "岗位",
            "period": "quarter",
            "categories": {"c": {"name": "类", "points": weight}},
            "kpis": [
                {
                    "id": "k",
                    "name": "指标",
                    "category": "c",
                    "weight": weight,
                    "kind": kind,
                    "target": target,
                    "rule": rule,
                    "bonus_points": bonus_points,
                }
            ],
        }
    )


def key_of(problem: Problem) -> str:
    """A problem's key path without its line: ``fields.csat (line 9)`` → ``fields.csat``."""
    return problem.where.split(" (line ")[0]
