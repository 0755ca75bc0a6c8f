"""A scheme with other weights scores each actual at the same share of its new weight."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_toolkit import builtin_scheme, score
from kpi_toolkit.engine.raters import ratings_for
from kpi_toolkit.sample.department import make_sample

SAMPLE = make_sample()


def ratings_of(name: str) -> pd.DataFrame:
    """The sample's ratings of the scheme's KPIs (one table holds every scheme's)."""
    return ratings_for(SAMPLE.ratings, scheme=builtin_scheme(name))


SCHEMES = {
    "manager_post": ("manager", SAMPLE.actuals_manager_post, ratings_of("manager_post")),
    "after_sales_team": (
        "specialist",
        SAMPLE.actuals_after_sales_team,
        ratings_of("after_sales_team"),
    ),
}


def _appraise(scheme, actuals, ratings) -> pd.DataFrame:
    result = score(actuals, scheme=scheme, roster=SAMPLE.roster, period="2026-Q3", ratings=ratings)
    return result.scores.set_index("employee_id")


@pytest.mark.parametrize("name", list(SCHEMES))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_points_are_the_same_share_of_the_new_weight(name: str, data: st.DataObject):
    position_id, actuals, ratings = SCHEMES[name]
    scheme = builtin_scheme(name)
    position = scheme.positions[position_id]
    weights = {k.id: data.draw(st.integers(1, 40), label=k.id) for k in position.kpis}
    changed = scheme.with_weights(position_id, weights)
    before = _appraise(scheme, actuals, ratings)
    after = _appraise(changed, actuals, ratings)
    people = before.index[before["position"] == position_id]
    for kpi in position.kpis:
        share = before.loc[people, kpi.id] / kpi.weight
        assert (after.loc[people, kpi.id] - share * weights[kpi.id]).abs().max() < 1e-9
    for category_id in position.categories:
        members = [k.id for k in position.kpis if k.category == category_id]
        assert changed.positions[position_id].categories[category_id].points == sum(
            weights[m] for m in members
        )


def test_unchanged_weights_give_the_same_scheme():
    scheme = builtin_scheme("manager_post")
    same = scheme.with_weights("manager", {"complaints": 15})
    assert same.positions["manager"] == scheme.positions["manager"]
    assert same is not scheme
