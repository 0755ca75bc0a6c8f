"""Weight scenarios: re-weighting from attainment shares equals scoring the re-weighted scheme."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit import builtin_scheme, load_scheme, score
from kpi_toolkit.engine.raters import ratings_for
from kpi_toolkit.engine.scheme import ForcedDistribution
from kpi_toolkit.errors import SchemeError
from kpi_toolkit.explorer.scenario_files import (
    list_scenarios,
    load_scenario,
    save_scenario,
    scenario_weights,
)
from kpi_toolkit.explorer.scenarios import (
    PRECISION,
    attainment,
    baseline_weights,
    compare,
    normalise,
    rescore,
    set_weight,
    spread,
    standing,
    team_changes,
)
from kpi_toolkit.explorer.sensitivity import smallest_changes, weight_sensitivity
from kpi_toolkit.sample.department import make_sample

SAMPLE = make_sample()


def ratings_of(name: str) -> pd.DataFrame:
    """The sample's ratings of the scheme's KPIs (one table holds every scheme's)."""
    return ratings_for(SAMPLE.ratings, scheme=builtin_scheme(name))


PERIOD = "2026-Q3"
CASES = {  # scheme: (position moved, its actuals, ratings)
    "manager_post": ("manager", SAMPLE.actuals_manager_post, ratings_of("manager_post")),
    "after_sales_team": (
        "specialist",
        SAMPLE.actuals_after_sales_team,
        ratings_of("after_sales_team"),
    ),
}


def _score(name: str, scheme=None):
    _, actuals, ratings = CASES[name]
    return score(
        actuals,
        scheme=scheme or builtin_scheme(name),
        roster=SAMPLE.roster,
        period=PERIOD,
        ratings=ratings,
    )


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    name = request.param
    return name, CASES[name][0], _score(name)


def _by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("employee_id").sort_index()


def test_shares_are_points_over_weight(case):
    _, position, appraisal = case
    att = attainment(appraisal)
    table = _by_id(att.table())
    scores = _by_id(appraisal.scores)
    for kpi in appraisal.scheme.positions[position].kpis:
        people = scores.index[scores["position"] == position]
        expected = scores.loc[people, kpi.id] / kpi.weight
        assert np.allclose(table.loc[people, kpi.id], expected)


def test_baseline_weights_give_back_the_appraisal(case):
    _, _, appraisal = case
    again, scores = _by_id(rescore(attainment(appraisal))), _by_id(appraisal.scores)
    assert np.allclose(again["total"], scores["total"], atol=1e-9)
    assert (again["grade"] == scores["grade"]).all()
    assert (again["rank"] == scores["rank"]).all()
    assert (again["department_rank"] == scores["department_rank"]).all()


@pytest.mark.parametrize("change", [-6, -2.5, 3, 8])
def test_rescore_equals_score_of_the_reweighted_scheme(case, change):
    name, position, appraisal = case
    scheme = appraisal.scheme
    spec = scheme.positions[position]
    weights = baseline_weights(scheme)[position]
    for kpi in spec.kpis[:3]:
        moved = set_weight(weights, position=spec, kpi_id=kpi.id, value=kpi.weight + change)
        fast = _by_id(rescore(attainment(appraisal), {position: moved}))
        slow = _by_id(_score(name, scheme.with_weights(position, moved)).scores)
        assert np.allclose(fast["total"], slow["total"], atol=0.01)
        assert np.allclose(fast[kpi.id], slow[kpi.id], atol=0.01, equal_nan=True)
        assert (fast["grade_id"] == slow["grade_id"]).all()
        assert (fast["rank"] == slow["rank"]).all()


def test_standing_is_rescore_in_numpy(case):
    _, position, appraisal = case
    att = attainment(appraisal)
    spec = appraisal.scheme.positions[position]
    moved = set_weight(
        baseline_weights(att.scheme)[position], position=spec, kpi_id=spec.kpis[0].id, value=4
    )
    fast = standing(att, moved, position=position)
    full = rescore(att, {position: moved}).iloc[fast.rows]
    order = [g.id for g in att.scheme.grade_order()]
    assert np.allclose(fast.total, full["total"])
    assert list(np.array(order)[fast.grade]) == list(full["grade_id"])
    assert list(fast.rank) == list(full["rank"])


def _forced(name: str, scope: str):
    distribution = ForcedDistribution.model_validate(
        {"scope": scope, "apply": True, "shares": {"excellent": {"max": 0.2}, "fail": {"min": 0.1}}}
    )
    return builtin_scheme(name).model_copy(update={"forced_distribution": distribution})


@pytest.mark.parametrize("scope", ["department", "position"])
def test_rescore_and_standing_apply_the_forced_distribution_as_score_does(scope):
    name, position = "after_sales_team", "specialist"
    scheme = _forced(name, scope)
    appraisal = _score(name, scheme)
    assert appraisal.scores["forced_from"].notna().any()  # it does move people
    att = attainment(appraisal)
    spec = scheme.positions[position]
    weights = baseline_weights(scheme)[position]
    order = [g.id for g in scheme.grade_order()]
    for kpi in spec.kpis[:4]:
        moved = set_weight(weights, position=spec, kpi_id=kpi.id, value=kpi.weight + 4)
        slow = _by_id(_score(name, scheme.with_weights(position, moved)).scores)
        fast = rescore(att, {position: moved})
        by_id = _by_id(fast)
        assert (by_id["total"] == slow["total"]).all()  # shown totals: equal, not close
        assert (by_id["grade_id"] == slow["grade_id"]).all()
        assert (by_id["forced_from"].fillna("") == slow["forced_from"].fillna("")).all()
        assert (by_id["rank"] == slow["rank"]).all()
        quick = standing(att, moved, position=position)
        rows = fast.iloc[quick.rows]
        assert (quick.total == rows["total"].to_numpy()).all()
        assert list(np.array(order)[quick.grade]) == list(rows["grade_id"])
        assert list(quick.rank) == list(rows["rank"])


def test_standing_counts_other_positions_moved_weights_in_a_department_distribution():
    """Weights moved earlier in another position change who fits a department's shares."""
    scheme = _forced("after_sales_team", "department")
    att = attainment(_score("after_sales_team", scheme))
    weights = baseline_weights(scheme)
    # free mode: the supervisors' weights doubled, so they crowd the best grade
    moved = {
        "supervisor": {k: 2 * w for k, w in weights["supervisor"].items()},
        "specialist": weights["specialist"],
    }
    full = rescore(att, moved)
    order = np.array([g.id for g in scheme.grade_order()])
    quick = standing(att, moved["specialist"], position="specialist", others=moved)
    rows = full.iloc[quick.rows]
    assert list(order[quick.grade]) == list(rows["grade_id"])
    assert list(quick.rank) == list(rows["rank"])
    alone = standing(att, moved["specialist"], position="specialist")  # others at baseline
    assert list(order[alone.grade]) != list(rows["grade_id"])


def test_keep_mode_respreads_within_the_category():
    spec = builtin_scheme("manager_post").positions["manager"]
    weights = {k.id: k.weight for k in spec.kpis}
    moved = set_weight(weights, position=spec, kpi_id="response_speed", value=25)
    # performance 70: the other four (10, 15, 15, 10 = 50) share 45, i.e. × 0.9
    assert moved == {
        **weights,
        "response_speed": 25,
        "invalid_service_ratio": 9,
        "report_on_time_rate": 13.5,
        "complaints": 13.5,
        "plm_usage_rate": 9,
    }
    for cid, category in spec.categories.items():
        members = [k.id for k in spec.kpis if k.category == cid]
        assert sum(moved[m] for m in members) == pytest.approx(category.points)


def test_keep_mode_is_exactly_proportional_and_adds_up_exactly():
    spec = builtin_scheme("manager_post").positions["manager"]
    weights = {k.id: k.weight for k in spec.kpis}
    moved = set_weight(weights, position=spec, kpi_id="internal_cooperation", value=9)
    # attitude 15: 5 and 2 share 6 → 30/7 and 12/7, to a millionth, adding up to 6 exactly
    assert (moved["periodic_report_on_time_rate"], moved["adhoc_tasks"]) == (4.285714, 1.714286)
    assert sum(round(w * PRECISION) for w in moved.values()) == 100 * PRECISION
    held = set_weight(weights, position=spec, kpi_id="internal_cooperation", value=40)
    assert held["internal_cooperation"] == 15 and held["adhoc_tasks"] == 0


def _five_tens():
    """The specialist position with performance as five KPIs of 10 points (the others moved
    to ability): the case the issue saw as 10/10/9.5/9.5/9.5."""
    spec = builtin_scheme("after_sales_team").positions["specialist"]
    members = [k.id for k in spec.kpis if k.category == "performance"][:5]
    kpis = tuple(
        k
        if k.id in members or k.category != "performance"
        else k.model_copy(update={"category": "ability"})
        for k in spec.kpis
    )
    weights = {k.id: 10.0 if k.id in members else k.weight for k in kpis}
    return spec.model_copy(update={"kpis": kpis}), members, weights


@pytest.mark.parametrize("move", [1.5, -2.5, 0.1, 3.333333, 7])
def test_keep_mode_gives_equal_weights_equal_shares_that_add_up(move):
    spec, members, weights = _five_tens()
    moved = set_weight(weights, position=spec, kpi_id=members[0], value=10 + move)
    shares = [moved[m] for m in members[1:]]
    assert sum(round(moved[k] * PRECISION) for k in members) == 50 * PRECISION  # exactly
    assert max(shares) - min(shares) <= 1 / PRECISION + 1e-12  # equal, to the last millionth
    assert all(moved[k] == round(moved[k], 6) for k in moved)  # no 5.000000000000001
    if move == 1.5:
        assert shares == [9.625] * 4


def test_spread_leaves_remainders_to_the_earlier_kpis():
    assert spread(10, {"a": 1, "b": 1, "c": 1}) == {"a": 3.333334, "b": 3.333333, "c": 3.333333}
    assert spread(20, {"a": 1, "b": 1, "c": 1}) == {"a": 6.666667, "b": 6.666667, "c": 6.666666}
    assert spread(5, {"a": 0, "b": 0}) == {"a": 2.5, "b": 2.5}


def test_free_mode_moves_one_weight_and_normalise_restores_categories():
    spec = builtin_scheme("manager_post").positions["manager"]
    weights = {k.id: k.weight for k in spec.kpis}
    free = set_weight(weights, position=spec, kpi_id="complaints", value=20, mode="free")
    assert sum(free.values()) == 105 and free["report_on_time_rate"] == 15
    back = normalise(free, position=spec)
    performance = [k.id for k in spec.kpis if k.category == "performance"]
    assert sum(back[k] for k in performance) == 70


def test_saved_scenario_validates_and_reproduces_the_scores(case, tmp_path):
    name, position, appraisal = case
    scheme = appraisal.scheme
    spec = scheme.positions[position]
    kpi = spec.kpis[0]
    moved = set_weight(
        baseline_weights(scheme)[position], position=spec, kpi_id=kpi.id, value=kpi.weight + 5
    )
    path = save_scenario(scheme, {position: moved}, name="响应速度加权", directory=tmp_path)
    assert path == tmp_path / "响应速度加权.yaml"
    loaded = load_scheme(path)  # what `kpi validate` runs
    assert loaded.id == scheme.id
    assert scenario_weights(scheme, loaded)[position] == moved
    rescored = _by_id(_score(name, loaded).scores)
    fast = _by_id(rescore(attainment(appraisal), {position: moved}))
    assert np.allclose(rescored["total"], fast["total"], atol=0.01)
    assert (rescored["grade"] == fast["grade"]).all()
    assert list_scenarios(tmp_path) == ["响应速度加权"]
    assert load_scenario("响应速度加权", directory=tmp_path) == loaded


def test_saving_refuses_what_would_not_validate(tmp_path):
    scheme = builtin_scheme("manager_post")
    spec = scheme.positions["manager"]
    weights = baseline_weights(scheme)["manager"]
    free = set_weight(weights, position=spec, kpi_id="complaints", value=20, mode="free")
    with pytest.raises(SchemeError, match="not 100"):
        save_scenario(scheme, {"manager": free}, name="over", directory=tmp_path)
    with pytest.raises(SchemeError, match="usable file name"):
        save_scenario(scheme, {"manager": weights}, name="../escape", directory=tmp_path)
    save_scenario(scheme, {"manager": weights}, name="same", directory=tmp_path)
    with pytest.raises(SchemeError, match="exists"):
        save_scenario(scheme, {"manager": weights}, name="same", directory=tmp_path)
    assert list_scenarios(tmp_path) == ["same"]


def test_scenario_changing_more_than_weights_is_refused(tmp_path):
    scheme = builtin_scheme("manager_post")
    other = scheme.model_copy(update={"grades": scheme.grades[1:]})
    with pytest.raises(SchemeError, match="more than the weights"):
        scenario_weights(scheme, other)


def test_compare_says_who_changes_grade_and_rank():
    appraisal = _score("after_sales_team")
    att = attainment(appraisal)
    spec = appraisal.scheme.positions["specialist"]
    weights = baseline_weights(appraisal.scheme)["specialist"]
    moved = set_weight(weights, position=spec, kpi_id="knowledge_sharing", value=0)
    before, after = rescore(att), rescore(att, {"specialist": moved})
    table = compare(before, after, scheme=appraisal.scheme).set_index("employee_id")
    # worked out from the two score tables, person by person
    b, a = _by_id(before), _by_id(after)
    order = {"excellent": 0, "good": 1, "pass": 2, "fail": 3}
    for emp in b.index:
        row = table.loc[emp]
        assert row["rank_change"] == b.loc[emp, "rank"] - a.loc[emp, "rank"]
        assert row["grade_steps"] == order[b.loc[emp, "grade_id"]] - order[a.loc[emp, "grade_id"]]
    assert (table["grade_steps"] != 0).sum() == 3  # the sensitivity table says 3 too
    teams = team_changes(before, after, scheme=appraisal.scheme)
    assert set(teams["team"]) == set(before["team"])
    assert (teams["rank_change"] == teams["rank_before"] - teams["rank_after"]).all()


def test_sensitivity_counts_match_rescoring():
    appraisal = _score("after_sales_team")
    att = attainment(appraisal)
    table = weight_sensitivity(att, position="specialist", delta=5)
    spec = appraisal.scheme.positions["specialist"]
    assert set(table["kpi_id"]) == {k.id for k in spec.kpis}  # every category has 2+ KPIs
    weights = baseline_weights(appraisal.scheme)["specialist"]
    base = rescore(att)
    for row in table.itertuples():
        moved = set_weight(weights, position=spec, kpi_id=row.kpi_id, value=row.new_weight)
        changes = compare(base, rescore(att, {"specialist": moved}), scheme=att.scheme)
        changes = changes.loc[changes["position"] == "specialist"]
        assert row.grade_changes == (changes["grade_steps"] != 0).sum()
        assert row.grade_up == (changes["grade_steps"] > 0).sum()
        assert row.rank_changes == (changes["rank_change"] != 0).sum()
    knowledge = table.set_index(["kpi_id", "change"]).loc[("knowledge_sharing", -5)]
    assert (knowledge["new_weight"], knowledge["grade_changes"]) == (0, 3)


def test_smallest_change_is_the_smallest_that_changes_the_grade():
    appraisal = _score("after_sales_team")
    att = attainment(appraisal)
    table = smallest_changes(att, position="specialist")
    spec = appraisal.scheme.positions["specialist"]
    weights = baseline_weights(appraisal.scheme)["specialist"]
    base = _by_id(rescore(att))
    for row in table.dropna(subset=["kpi_id"]).head(6).itertuples():
        moved = set_weight(weights, position=spec, kpi_id=row.kpi_id, value=row.new_weight)
        after = _by_id(rescore(att, {"specialist": moved}))
        assert after.loc[row.employee_id, "grade"] == row.new_grade
        assert row.new_grade != base.loc[row.employee_id, "grade"]
        # one step less in the same direction keeps the grade, for every KPI
        for kpi in spec.kpis:
            for sign in (-1, 1):
                nearer = weights[kpi.id] + sign * (abs(row.change) - 0.5)
                if abs(row.change) <= 0.5 or not 0 <= nearer <= 70:
                    continue
                moved = set_weight(weights, position=spec, kpi_id=kpi.id, value=nearer)
                grade = _by_id(rescore(att, {"specialist": moved})).loc[row.employee_id, "grade"]
                assert grade == base.loc[row.employee_id, "grade"]
    # hand-checked: E008 (59.37, 不合格) reaches 合格 when teamwork weighs 8.5
    first = table.iloc[0]
    assert (first["employee_id"], first["kpi_id"], first["new_weight"]) == ("E008", "teamwork", 8.5)
    assert (first["grade"], first["new_grade"]) == ("不合格", "合格")


def test_a_saved_scenario_writes_weights_to_a_millionth(tmp_path):
    scheme = builtin_scheme("manager_post")
    spec = scheme.positions["manager"]
    start = baseline_weights(scheme)["manager"]
    moved = set_weight(start, position=spec, kpi_id="internal_cooperation", value=9)
    path = save_scenario(scheme, {"manager": moved}, name="七分之一", directory=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "4.285714" in text and "1.714286" in text
    saved = load_scheme(path)
    assert not re.search(r"\d\.\d{7,}", saved.description or "")  # no 5.000000000000001
    numbers = re.findall(r"(?:weight|points): (\S+)", text)
    assert "4.285714" in numbers and not [n for n in numbers if re.search(r"\.\d{7,}", n)]
    assert saved.positions["manager"].categories["attitude"].points == 15
