"""Invariants of every KPI of every built-in scheme, and of totals, subtotals and ranks.

For any in-domain actual: points lie in [0, weight] and move the right way as the actual
gets better. For any department: totals are the sum of the points and lie in [0, 100],
category subtotals add up to the total, and rank 1 holds the highest total.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import BUILTIN_SCHEMES, kpi_points, scheme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_toolkit import score
from kpi_toolkit.engine.rules import ManualRule
from kpi_toolkit.engine.scheme import Kpi, Position
from kpi_toolkit.engine.scoring import Appraisal

FEW = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KIND_DOMAINS = {
    "ratio": (0.0, 1.0),
    "count": (0.0, 200.0),
    "duration": (0.0, 1e4),
    "rating": (0.0, 100.0),
    "amount": (-1e3, 1e3),
}
PERIODS = {"month": "2026-07", "quarter": "2026-Q3", "year": "2026"}


def domain(kpi: Kpi) -> tuple[float, float]:
    """The values check_actuals accepts for the KPI (bounded for the test)."""
    if kpi.range is not None:
        return kpi.range
    if isinstance(kpi.rule, ManualRule):
        return 0.0, kpi.rule.out_of or kpi.weight
    labels = kpi.rule.value_labels()
    if labels:
        return min(labels.values()), max(labels.values())
    return KIND_DOMAINS[kpi.kind]


def actual(kpi: Kpi) -> st.SearchStrategy[float]:
    low, high = domain(kpi)
    if kpi.kind == "count":
        return st.integers(int(low), int(high)).map(float)
    return st.floats(low, high, allow_nan=False)


def edges(kpi: Kpi) -> list[float]:
    """Values where a rule changes: band edges, limits, targets (within the domain)."""
    rule = kpi.rule.model_dump()
    found = [*domain(kpi), kpi.target, rule.get("target"), rule.get("min"), rule.get("max")]
    for band in rule.get("bands", ()):
        found += [band["lower"], band["upper"]]
    low, high = domain(kpi)
    return [float(v) for v in found if v is not None and low <= v <= high and math.isfinite(v)]


def better_direction(kpi: Kpi) -> int:
    """+1 where a higher actual is better, −1 where lower is."""
    rule = kpi.rule.model_dump()
    if rule["kind"] == "deduct_per_unit":
        return -1
    if rule["kind"] == "threshold":
        return -1 if rule.get("max") is not None else 1
    return -1 if rule.get("better") == "lower" else 1


def distinct_kpis() -> list:
    """Every KPI of every built-in scheme, once (supervisor and specialist share theirs)."""
    seen: list[Kpi] = []
    params = []
    for name in BUILTIN_SCHEMES:
        for position_id, position in scheme(name).positions.items():
            for kpi in position.kpis:
                if kpi not in seen:
                    seen.append(kpi)
                    params.append(
                        pytest.param(name, position_id, kpi.id, id=f"{name}.{position_id}.{kpi.id}")
                    )
    return params


KPIS = distinct_kpis()


def position_and_kpi(name: str, position_id: str, kpi_id: str) -> tuple[Position, Kpi]:
    position = scheme(name).positions[position_id]
    return position, position.kpi(kpi_id)


@pytest.mark.parametrize(("name", "position_id", "kpi_id"), KPIS)
@FEW
@given(data=st.data())
def test_points_within_weight_and_monotonic(
    name: str, position_id: str, kpi_id: str, data: st.DataObject
) -> None:
    """Points lie in [0, weight] and never fall as the actual gets better."""
    position, kpi = position_and_kpi(name, position_id, kpi_id)
    values = data.draw(st.lists(actual(kpi), min_size=1, max_size=30)) + edges(kpi)
    ordered = sorted(values, reverse=better_direction(kpi) < 0)  # from worst to best
    points = kpi_points(position, kpi_id, ordered)
    pairs = list(zip(ordered, points, strict=True))
    assert not np.isnan(points).any(), pairs
    assert (points >= 0).all(), pairs
    assert (points <= kpi.weight + 1e-9).all(), pairs
    assert (np.diff(points) >= -1e-9).all(), pairs


# --- totals, subtotals, ranks -------------------------------------------------------------


@st.composite
def department(draw: st.DrawFn, name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A roster of 1–8 people of the scheme's positions of one grain, their actuals (some
    blank) and, where the scheme has 360 KPIs, a superior's rating of each."""
    chosen = scheme(name)
    grains = {p.period for p in chosen.positions.values()}
    grain = draw(st.sampled_from(sorted(grains)))
    position_ids = [pid for pid, p in chosen.positions.items() if p.period == grain]
    people = draw(st.lists(st.sampled_from(position_ids), min_size=1, max_size=8))
    ids = [f"E{i}" for i in range(len(people))]
    roster = pd.DataFrame(
        {
            "employee_id": ids,
            "name": ids,
            "position": people,
            "team": draw(
                st.lists(st.sampled_from(["华东", "华南"]), min_size=len(ids), max_size=len(ids))
            ),
            "status": "regular",
        }
    )
    rows, ratings = [], []
    for employee, position_id in zip(ids, people, strict=True):
        row = {"employee_id": employee, "period": PERIODS[grain]}
        for kpi in chosen.positions[position_id].kpis:
            if kpi.source == "ratings":
                ratings.append(
                    {
                        "employee_id": employee,
                        "period": PERIODS[grain],
                        "kpi_id": kpi.id,
                        "rater_id": "BOSS",
                        "rater_group": "superior",
                        "value": draw(actual(kpi)),
                    }
                )
            else:
                row[kpi.id] = draw(st.one_of(actual(kpi), st.just(np.nan)))
        rows.append(row)
    return roster, pd.DataFrame(rows), pd.DataFrame(ratings)


def appraise(name: str, data: st.DataObject) -> Appraisal:
    roster, actuals, ratings = data.draw(department(name))
    chosen = scheme(name).model_copy(update={"missing": "exclude"})
    return score(
        actuals,
        scheme=chosen,
        roster=roster,
        period=actuals["period"].iloc[0],
        ratings=ratings if len(ratings) else None,
    )


@pytest.mark.parametrize("name", BUILTIN_SCHEMES)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_totals_subtotals_and_ranks(name: str, data: st.DataObject) -> None:
    result = appraise(name, data)
    chosen = scheme(name)
    for position_id, group in result.scores.groupby("position"):
        position = chosen.positions[str(position_id)]
        points = group[[k.id for k in position.kpis]]
        subtotals = group[list(position.categories)]
        # the total is stored as shown: 2 decimals (grading.shown_total)
        assert np.allclose(points.sum(axis=1), group["total"], rtol=0, atol=0.005 + 1e-9)
        assert np.allclose(subtotals.sum(axis=1), group["total"], rtol=0, atol=0.005 + 1e-9)
        assert ((group["total"] >= 0) & (group["total"] <= 100 + 1e-9)).all()
        assert group.loc[group["rank"] == 1, "total"].min() == pytest.approx(group["total"].max())
    scores = result.scores
    if len(scores):
        best = scores.loc[scores["department_rank"] == 1, "total"]
        assert best.min() == pytest.approx(scores["total"].max())
        assert set(scores["rank"]) <= set(range(1, len(scores) + 1))
