"""The what-if panel's data and HTML (whatif.py); the page itself: test_whatif_browser.py."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit import builtin_scheme, score
from kpi_toolkit.engine.grading import shown_total
from kpi_toolkit.engine.raters import ratings_for
from kpi_toolkit.engine.scheme import ForcedDistribution, Scheme
from kpi_toolkit.reports.context import ReportContext
from kpi_toolkit.reports.whatif import panel, panel_data, script
from kpi_toolkit.sample.department import make_sample

SAMPLE = make_sample()
PERIOD = "2026-Q3"
SCHEME = builtin_scheme("after_sales_team")
RATINGS = ratings_for(SAMPLE.ratings, scheme=SCHEME)


def appraise(scheme: Scheme = SCHEME, actuals: pd.DataFrame | None = None):
    return score(
        SAMPLE.actuals_after_sales_team if actuals is None else actuals,
        scheme=scheme,
        roster=SAMPLE.roster,
        period=PERIOD,
        ratings=RATINGS,
    )


@pytest.fixture(scope="module")
def appraisal():
    return appraise()


@pytest.fixture(scope="module")
def data(appraisal) -> dict:
    return panel_data(appraisal)


def test_every_appraised_person_is_in_the_panel_once(appraisal, data):
    people = data["people"]
    assert sorted(p["id"] for p in people) == sorted(appraisal.scores["employee_id"])
    positions = [p["id"] for p in data["positions"]]
    assert positions == [p for p in SCHEME.positions if p in set(appraisal.scores["position"])]
    by_id = appraisal.scores.set_index("employee_id")
    for person in people:
        row = by_id.loc[person["id"]]
        assert (person["name"], person["team"]) == (row["name"], row["team"])
        assert positions[person["position"]] == row["position"]


def test_positions_carry_their_kpis_weights_and_category_names(data):
    specialist = next(p for p in data["positions"] if p["id"] == "specialist")
    spec = SCHEME.positions["specialist"]
    assert specialist["name"] == spec.name.get("zh")
    assert [k["id"] for k in specialist["kpis"]] == [k.id for k in spec.kpis]
    assert sum(k["weight"] for k in specialist["kpis"]) == 100
    assert {k["category"] for k in specialist["kpis"]} == {
        c.name.get("zh") for c in spec.categories.values()
    }


def test_shares_times_weights_give_each_persons_total(appraisal, data):
    by_id = appraisal.scores.set_index("employee_id")
    for person in data["people"]:
        weights = [k["weight"] for k in data["positions"][person["position"]]["kpis"]]
        assert len(person["shares"]) == len(weights) == len(person["missing"])
        total = sum(s * w for s, w in zip(person["shares"], weights, strict=True))
        assert shown_total([total])[0] == by_id.loc[person["id"], "total"]
        kpis = [k["id"] for k in data["positions"][person["position"]]["kpis"]]
        for share, weight, kpi_id in zip(person["shares"], weights, kpis, strict=True):
            assert share * weight == pytest.approx(by_id.loc[person["id"], kpi_id])


def test_a_missing_actual_is_flagged_and_its_weight_respread():
    actuals = SAMPLE.actuals_after_sales_team.copy()
    first = actuals.index[actuals["period"] == PERIOD][0]
    actuals.loc[first, "csat"] = np.nan
    appraisal = appraise(SCHEME.model_copy(update={"missing": "exclude"}), actuals)
    data = panel_data(appraisal)
    person = next(p for p in data["people"] if p["id"] == actuals.loc[first, "employee_id"])
    kpis = data["positions"][person["position"]]["kpis"]
    at = [k["id"] for k in kpis].index("csat")
    assert person["missing"][at] == 1 and person["shares"][at] == 0
    assert sum(person["missing"]) == 1
    weights = np.array([k["weight"] for k in kpis])
    kept = weights.sum() - weights[at]
    total = (np.array(person["shares"]) * weights).sum() * weights.sum() / kept
    scores = appraisal.scores.set_index("employee_id")
    assert shown_total([total])[0] == scores.loc[person["id"], "total"]


def test_grades_best_first_and_labels_in_the_language(appraisal):
    data = panel_data(appraisal, lang="en")
    assert [(g["id"], g["name"], g["min"]) for g in data["grades"]] == [
        ("excellent", "Excellent", 90),
        ("good", "Good", 80),
        ("pass", "Pass", 60),
        ("fail", "Fail", 0),
    ]
    assert data["text"]["total"] == "Total" and data["text"]["not_100"] == "not 100"
    assert panel_data(appraisal)["text"]["not_100"] == "不等于 100"


def test_forced_distribution_travels_only_where_it_is_applied(appraisal, data):
    assert data["forced"] is None  # the built-in scheme checks it, does not apply it
    chosen = SCHEME.forced_distribution.model_dump() | {"apply": True, "scope": "position"}
    applied = SCHEME.model_copy(
        update={"forced_distribution": ForcedDistribution.model_validate(chosen)}
    )
    forced = panel_data(appraise(applied))["forced"]
    assert forced == {
        "scope": "position",
        "shares": [{"max": 0.2, "min": None}, None, None, {"max": None, "min": 0.05}],
    }


def test_team_is_passed_for_the_page_to_show_only_its_people(appraisal):
    assert panel_data(appraisal, team="安装组")["team"] == "安装组"
    assert len(panel_data(appraisal, team="安装组")["people"]) == len(appraisal.scores)


def test_panel_inlines_the_data_and_the_script_and_escapes_markup(appraisal):
    scores = appraisal.scores.copy()
    scores.loc[0, "name"] = "<img src=x onerror=alert(1)></script>"
    hostile = type(appraisal)(**{**appraisal.__dict__, "scores": scores})
    ctx = ReportContext(appraisal=hostile, previous=None, team=None, lang="zh", inputs={})
    html = panel(ctx)
    assert html.count("<script") == 2 and "<img" not in html
    block = re.search(r'class="kpi-whatif-data">(.*?)</script>', html, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["people"][0]["name"] == "<img src=x onerror=alert(1)></script>"
    assert script() in html
    assert "</script" not in script().lower() and "<!--" not in script()


def test_limits_modes_and_the_yaml_heading_travel_from_python(data):
    specialist = next(p for p in data["positions"] if p["id"] == "specialist")
    spec = SCHEME.positions["specialist"]
    assert specialist["total"] == 100
    for kpi in specialist["kpis"]:
        category_id = spec.kpi(kpi["id"]).category
        points = spec.categories[category_id].points
        assert (kpi["category_id"], kpi["points"]) == (category_id, points)
    assert data["scheme"] == {"id": SCHEME.id, "name": SCHEME.name.get("zh")}
    assert "{max}" in data["text"]["clamped"] and "{typed}" in data["text"]["clamped"]
    assert data["text"]["mode.keep"].startswith("保持类别分值")


def test_panel_is_hidden_in_print(appraisal):
    ctx = ReportContext(appraisal=appraisal, previous=None, team=None, lang="zh", inputs={})
    assert re.search(r"@media print\{\.kpi-whatif\{display:none", panel(ctx))
