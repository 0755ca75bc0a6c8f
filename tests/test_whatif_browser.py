"""The what-if panel in Chromium gives what the engine gives: totals, grades, ranks, forced.

The panel (``reports/whatif.js``) re-implements :mod:`kpi_toolkit.engine.grading`; these
tests type random weights into its inputs and compare every person it shows with
``score()`` under ``scheme.with_weights(...)``, and compare its primitives with Python's on
many inputs (rounding bit for bit, grades, ranks, forced distributions).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_toolkit import builtin_scheme, score
from kpi_toolkit.engine.grading import forced_grades, grade_index, rank_min, shown_total
from kpi_toolkit.engine.raters import ratings_for
from kpi_toolkit.engine.scheme import ForcedDistribution, Scheme
from kpi_toolkit.explorer.scenarios import set_weight
from kpi_toolkit.loader import parse_yaml
from kpi_toolkit.reports.context import ReportContext
from kpi_toolkit.reports.whatif import panel
from kpi_toolkit.sample.department import make_sample

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PERIOD = "2026-Q3"
SAMPLE = make_sample()
BLANKS = {"csat": 3, "handling_time": 2, "workload": 2}  # KPI → people with no actual
FIXTURE_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def forced(scheme: Scheme, **distribution: Any) -> Scheme:
    """``scheme`` with its forced distribution applied (``scope``, ``shares`` as given)."""
    base = scheme.forced_distribution.model_dump() if scheme.forced_distribution else {}
    chosen = ForcedDistribution.model_validate({**base, **distribution, "apply": True})
    return scheme.model_copy(update={"forced_distribution": chosen})


def with_blanks(actuals: pd.DataFrame) -> pd.DataFrame:
    """The quarter's actuals with a few actuals blank (for ``missing: exclude``)."""
    blank = actuals.copy()
    rows = blank.index[blank["period"] == PERIOD]
    start = 0
    for kpi_id, count in BLANKS.items():
        blank.loc[rows[start : start + count], kpi_id] = np.nan
        start += count
    return blank


TEAM = builtin_scheme("after_sales_team")
CASES = {  # name: (scheme, actuals)
    "department": (forced(TEAM), SAMPLE.actuals_after_sales_team),
    "position_exclude": (
        forced(
            TEAM.model_copy(update={"missing": "exclude"}),
            scope="position",
            shares={"excellent": {"max": 0.25}, "good": {"max": 0.3}, "fail": {"min": 0.1}},
        ),
        with_blanks(SAMPLE.actuals_after_sales_team),
    ),
}


def appraise(scheme: Scheme, actuals: pd.DataFrame):
    return score(
        actuals,
        scheme=scheme,
        roster=SAMPLE.roster,
        period=PERIOD,
        ratings=ratings_for(SAMPLE.ratings, scheme=scheme),
    )


@pytest.fixture(scope="module")
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def open_panel(page: Page, scheme: Scheme, actuals: pd.DataFrame) -> None:
    ctx = ReportContext(
        appraisal=appraise(scheme, actuals), previous=None, team=None, lang="zh", inputs={}
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_content(f'<!doctype html><html><meta charset="utf-8"><body>{panel(ctx)}</body>')
    assert errors == []


def shown_rows(page: Page) -> dict[str, tuple[str, str, int, int]]:
    """Employee → (total, grade, rank, department rank) as the panel shows them."""
    rows = page.eval_on_selector_all(
        ".kpi-whatif tbody tr",
        "rows => rows.map(r => [r.dataset.employee, r.dataset.departmentRank,"
        " ...Array.from(r.cells).map(c => c.textContent)])",
    )
    return {r[0]: (r[5], r[6], int(r[7]), int(r[1])) for r in rows}


def engine_rows(scores: pd.DataFrame, position: str) -> dict[str, tuple[str, str, int, int]]:
    mine = scores.loc[scores["position"] == position]
    return {
        e: (f"{t:.2f}", g, int(r), int(d))
        for e, t, g, r, d in zip(
            mine["employee_id"],
            mine["total"],
            mine["grade"],
            mine["rank"],
            mine["department_rank"],
            strict=True,
        )
    }


def random_weights(rng: np.random.Generator, count: int, draw: int) -> list[float]:
    """Weights from 0 to 30 in halves; every third draw scaled to add up to 100."""
    weights = rng.integers(1, 61, count) / 2
    if draw % 3 == 2:
        weights = np.round(weights / weights.sum() * 100 * 2) / 2
        weights[0] += 100 - weights.sum()
    return [float(w) for w in weights]


@pytest.mark.parametrize("case", list(CASES))
def test_panel_equals_score_on_random_weights_with_the_distribution_applied(page, case):
    scheme, actuals = CASES[case]
    open_panel(page, scheme, actuals)
    baseline = appraise(scheme, actuals).scores
    moved = int(baseline["forced_from"].notna().sum())
    assert moved > 0  # the distribution does move people: the test can see it
    rng = np.random.default_rng(20260806)
    present = [p for p in scheme.positions if p in set(baseline["position"])]
    page.check(".kpi-whatif input[value='free']")  # each weight as typed
    tried = scheme  # the panel keeps each position's weights when another is picked
    for index, position in enumerate(present):
        page.select_option(".kpi-whatif select", str(index))
        assert shown_rows(page) == engine_rows(appraise(tried, actuals).scores, position)
        kpis = scheme.positions[position].kpis
        for draw in range(4):
            weights = dict(
                zip([k.id for k in kpis], random_weights(rng, len(kpis), draw), strict=True)
            )
            for kpi_id, weight in weights.items():
                page.fill(f".kpi-whatif input[data-kpi='{kpi_id}']", str(weight))
            expected = appraise(tried.with_weights(position, weights), actuals).scores
            assert shown_rows(page) == engine_rows(expected, position), (position, weights)
        tried = tried.with_weights(position, weights)


def test_panel_baseline_without_apply_is_the_engines_table(page):
    scheme = builtin_scheme("after_sales_team")
    assert scheme.forced_distribution is not None and not scheme.forced_distribution.apply
    open_panel(page, scheme, SAMPLE.actuals_after_sales_team)
    scores = appraise(scheme, SAMPLE.actuals_after_sales_team).scores
    present = [p for p in scheme.positions if p in set(scores["position"])]
    for index, position in enumerate(present):
        page.select_option(".kpi-whatif select", str(index))
        assert shown_rows(page) == engine_rows(scores, position)
        changes = page.eval_on_selector_all(
            ".kpi-whatif tbody tr", "rs => rs.map(r => r.cells[6].textContent)"
        )
        assert set(changes) == {""}


# --- the primitives, Python against JavaScript -------------------------------------------

TIES = st.integers(0, 12_000_000).map(lambda k: k / 100_000)  # 5 decimals: x.xx5 ties
EIGHTHS = st.integers(0, 960).map(lambda k: k / 8)  # exact binary halves at 2 decimals
NEAR = st.builds(
    lambda k, steps: float(
        np.nextafter(k / 1000, np.inf if steps > 0 else -np.inf) if steps else k / 1000
    ),
    st.integers(0, 120_000),
    st.integers(-1, 1),
)
DOUBLES = st.one_of(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), TIES, EIGHTHS, NEAR)


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(totals=st.lists(DOUBLES, min_size=1, max_size=200))
def test_shown_total_is_the_same_in_javascript_bit_for_bit(page, totals):
    _load_script(page)
    in_js = page.evaluate("xs => xs.map(x => window.kpiWhatif.shownTotal(x))", totals)
    in_python = shown_total(totals)
    assert np.array(in_js, dtype=float).tobytes() == in_python.tobytes()


def _load_script(page: Page) -> None:
    from kpi_toolkit.reports.whatif import script

    if not page.evaluate("() => !!window.kpiWhatif"):
        page.add_script_tag(content=script())


PEOPLE = st.lists(
    st.tuples(st.integers(0, 400).map(lambda k: 50 + k / 8), st.integers(0, 2)),
    min_size=1,
    max_size=40,
)
SHARE = st.one_of(st.none(), st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.25, 1 / 3, 0.5]))


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(
    people=PEOPLE,
    limits=st.lists(st.tuples(SHARE, SHARE), min_size=4, max_size=4),
    scope=st.sampled_from(["department", "position"]),
)
def test_grades_ranks_and_distribution_are_the_same_in_javascript(page, people, limits, scope):
    _load_script(page)
    ids = [g.id for g in TEAM.grade_order()]
    shares = {
        g: {"max": high, "min": low}
        for g, (high, low) in zip(ids, limits, strict=True)
        if high is not None or low is not None
    }
    scheme = forced(TEAM, scope=scope, shares=shares)
    totals = [t for t, _ in people]
    positions = [p for _, p in people]
    shown = shown_total(totals)
    earned = grade_index(shown, scheme=scheme)
    scopes = positions if scope == "position" else [0] * len(people)
    expected = {
        "earned": earned.tolist(),
        "grade": forced_grades(earned, shown, scopes=np.array(scopes), scheme=scheme).tolist(),
        "rank": rank_min(shown, groups=positions).tolist(),
        "department": rank_min(shown).tolist(),
    }
    grades = [{"min": g.min} for g in scheme.grade_order()]
    per_grade = [shares.get(g) for g in ids]
    got = page.evaluate(
        """([shown, positions, scopes, grades, shares]) => {
            const w = window.kpiWhatif;
            const earned = shown.map((s) => w.gradeIndex(s, grades));
            return {earned, grade: w.forcedGrades(earned, shown, scopes, shares),
                    rank: w.rankMin(shown, positions), department: w.rankMin(shown)};
        }""",
        [shown.tolist(), positions, scopes, grades, per_grade],
    )
    assert got == expected


# --- what the reader can do: limits, modes, kept edits, marks, YAML, print ---------------


def _weights(page: Page) -> dict[str, str]:
    return dict(
        page.eval_on_selector_all(
            ".kpi-whatif input[type=number]", "xs => xs.map(x => [x.dataset.kpi, x.value])"
        )
    )


def _box(kpi_id: str) -> str:
    return f".kpi-whatif input[data-kpi='{kpi_id}']"


@pytest.fixture
def team_page(page: Page) -> Page:
    open_panel(page, TEAM, SAMPLE.actuals_after_sales_team)
    page.select_option(".kpi-whatif select", str(list(TEAM.positions).index("specialist")))
    return page


def test_typed_weights_are_clamped_with_a_message(team_page):
    page = team_page
    page.fill(_box("csat"), "1000")  # keep mode: at most the category's 70 points
    assert _weights(page)["csat"] == "70"
    message = page.inner_text(".kpi-whatif-message")
    assert "1000" in message and "70" in message and "客户满意度" in message
    totals = page.eval_on_selector_all(".kpi-whatif-total", "xs => xs.map(x => +x.textContent)")
    assert max(totals) <= 100
    page.fill(_box("training"), "-5")
    assert _weights(page)["training"] == "0" and "-5" in page.inner_text(".kpi-whatif-message")
    page.check(".kpi-whatif input[value='free']")
    page.fill(_box("teamwork"), "1000")  # free mode: at most the total, 100
    assert _weights(page)["teamwork"] == "100"
    assert page.get_attribute(_box("teamwork"), "max") == "100"
    page.check(".kpi-whatif input[value='keep']")
    assert page.get_attribute(_box("teamwork"), "max") == "15"


def test_keep_mode_is_the_explorers_move_exactly(team_page):
    page = team_page
    page.fill(_box("csat"), "16.5")
    spec = TEAM.positions["specialist"]
    expected = set_weight(
        {k.id: k.weight for k in spec.kpis}, position=spec, kpi_id="csat", value=16.5
    )
    assert _weights(page) == {k: f"{w:g}" if w == int(w) else repr(w) for k, w in expected.items()}
    assert page.inner_text(".kpi-whatif-sum") == "权重合计 100"


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(
    start=st.lists(st.integers(0, 40_000_000).map(lambda u: u / 1e6), min_size=2, max_size=7),
    value=st.integers(-5_000_000, 90_000_000).map(lambda u: u / 1e6),
    mode=st.sampled_from(["keep", "free"]),
)
def test_moving_a_weight_is_the_same_in_javascript(page, start, value, mode):
    _load_script(page)
    team = builtin_scheme("manager_post")
    spec = team.positions["manager"]
    performance = [k for k in spec.kpis if k.category == "performance"]
    ids = [k.id for k in performance][: len(start)]
    weights = {k.id: k.weight for k in spec.kpis} | dict(zip(ids, start, strict=False))
    expected = set_weight(weights, position=spec, kpi_id=ids[0], value=value, mode=mode)
    kpis = [{"category_id": k.category} for k in spec.kpis]
    moved = [k.id for k in spec.kpis].index(ids[0])
    got = page.evaluate(
        "([ws, kpis, k, v, mode]) => window.kpiWhatif.setWeight(ws, kpis, k, v, mode)",
        [[weights[k.id] for k in spec.kpis], kpis, moved, value, mode],
    )
    assert got == [expected[k.id] for k in spec.kpis]


def test_spread_is_exactly_proportional_in_javascript(page):
    _load_script(page)
    got = page.evaluate("() => window.kpiWhatif.spread(38.5, [10, 10, 10, 10])")
    assert got == [9.625] * 4
    assert page.evaluate("() => window.kpiWhatif.spread(10, [1, 1, 1])") == [
        3.333334,
        3.333333,
        3.333333,
    ]


def test_edits_are_kept_per_position(team_page):
    page = team_page
    page.check(".kpi-whatif input[value='free']")
    page.fill(_box("csat"), "20")
    page.select_option(".kpi-whatif select", str(list(TEAM.positions).index("supervisor")))
    assert _weights(page)["csat"] == "15"  # the supervisor's own
    page.select_option(".kpi-whatif select", str(list(TEAM.positions).index("specialist")))
    assert _weights(page)["csat"] == "20"
    assert "105" in page.inner_text(".kpi-whatif-sum")


def test_grade_changes_are_marked_in_colour_and_symbol_with_a_legend(team_page):
    page = team_page
    page.fill(_box("first_response"), "70")  # 4 specialists up a grade, 4 down
    legend = page.inner_text(".kpi-whatif-legend")
    assert "▲ 等级上升" in legend and "▼ 等级下降" in legend
    rows = page.eval_on_selector_all(
        ".kpi-whatif tbody tr[data-grade-change]",
        "rs => rs.map(r => [r.dataset.gradeChange, r.className, r.cells[7].textContent,"
        " getComputedStyle(r.cells[0]).backgroundColor])",
    )
    assert {way for way, *_ in rows} == {"up", "down"}
    for way, cls, text, colour in rows:
        assert cls == f"kpi-whatif-{way}" and text.startswith("▲" if way == "up" else "▼")
        assert "→" in text and colour not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")


def test_unchanged_weights_give_every_person_the_engines_total_and_grade(page):
    open_panel(page, TEAM, SAMPLE.actuals_after_sales_team)
    scores = appraise(TEAM, SAMPLE.actuals_after_sales_team).scores
    shown: dict[str, tuple[str, str, int, int]] = {}
    for index in range(page.locator(".kpi-whatif select option").count()):
        page.select_option(".kpi-whatif select", str(index))
        shown |= shown_rows(page)
    expected: dict[str, tuple[str, str, int, int]] = {}
    for position in set(scores["position"]):
        expected |= engine_rows(scores, position)
    assert shown == expected and len(shown) == len(scores)


def test_the_grade_table_comes_from_the_scheme(page):
    from kpi_toolkit.reports.whatif import script

    assert "优秀" not in script() and "90" not in script()  # no grade re-typed in JS
    stricter = TEAM.model_copy(
        update={
            "grades": tuple(
                g.model_copy(update={"min": min(g.min + 5, 99)}) if g.min else g
                for g in TEAM.grades
            )
        }
    )
    open_panel(page, stricter, SAMPLE.actuals_after_sales_team)
    scores = appraise(stricter, SAMPLE.actuals_after_sales_team).scores
    page.select_option(".kpi-whatif select", "0")
    position = next(p for p in stricter.positions if p in set(scores["position"]))
    assert shown_rows(page) == engine_rows(scores, position)


def test_copied_yaml_scores_as_the_panel_shows(team_page, chromium):
    page = team_page
    page.check(".kpi-whatif input[value='free']")
    tried = {"csat": 20.5, "complaint_rate": 7.25, "teamwork": 6}
    for kpi_id, weight in tried.items():
        page.fill(_box(kpi_id), str(weight))
    shown = shown_rows(page)
    page.click(".kpi-whatif-copy")
    text = page.input_value(".kpi-whatif-yaml")
    assert page.inner_text(".kpi-whatif-message")  # copied, or why not
    fragment = parse_yaml(text).data
    kpis = fragment["positions"]["specialist"]["kpis"]
    weights = {k["id"]: k["weight"] for k in kpis}
    assert set(fragment) == {"positions"} and weights["csat"] == 20.5
    scheme = TEAM.with_weights("specialist", weights)
    points = fragment["positions"]["specialist"]["categories"]
    assert {c: scheme.positions["specialist"].categories[c].points for c in points} == {
        c: v["points"] for c, v in points.items()
    }
    scores = appraise(scheme, SAMPLE.actuals_after_sales_team).scores
    assert shown == engine_rows(scores, "specialist")


def test_the_panel_is_not_printed_and_every_input_has_a_label(team_page):
    page = team_page
    unlabelled = page.eval_on_selector_all(
        ".kpi-whatif input, .kpi-whatif select",
        "xs => xs.filter(x => !x.labels || !x.labels.length).map(x => x.outerHTML)",
    )
    assert unlabelled == []
    assert page.get_attribute(".kpi-whatif-yaml", "aria-label")
    assert page.is_visible(".kpi-whatif")
    page.emulate_media(media="print")
    try:
        assert not page.is_visible(".kpi-whatif")
    finally:
        page.emulate_media(media="screen")
