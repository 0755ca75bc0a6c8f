"""The explorer served by Voilà, in Chromium: a slider moved with the keyboard re-ranks."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from kpi_toolkit import builtin_scheme, score
from kpi_toolkit.engine.raters import ratings_for
from kpi_toolkit.explorer.scenarios import attainment, rescore
from kpi_toolkit.explorer.server import serve_explorer
from kpi_toolkit.sample.department import make_sample, write_sample

pytestmark = pytest.mark.browser

PERIOD = "2026-Q3"
KPI = "knowledge_sharing"  # 5 points in ability (15): moving it re-ranks many specialists
PRESSES = 4  # ArrowLeft × 4 at step 0.5: 5 → 3
TIMEOUT_MS = 90_000  # the first page starts a kernel and scores the period


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _engine_ranking(weights: dict[str, float]) -> list[tuple[str, int]]:
    """(employee, rank) of the specialists in rank order, as the engine computes them."""
    sample, team = make_sample(), builtin_scheme("after_sales_team")
    appraisal = score(
        sample.actuals_after_sales_team,
        scheme=team,
        roster=sample.roster,
        period=PERIOD,
        ratings=ratings_for(sample.ratings, scheme=team),
        plans=sample.plans,  # the data directory's plans.csv, as the explorer reads it
    )
    scores = rescore(attainment(appraisal), {"specialist": weights})
    scores = scores.loc[scores["position"] == "specialist"].sort_values(["rank", "employee_id"])
    return list(zip(scores["employee_id"], scores["rank"].astype(int), strict=True))


def _shown_ranking(page) -> list[tuple[str, int]]:
    rows = page.locator("table.kpi-ranking tbody tr")
    ids = rows.evaluate_all("rows => rows.map(r => r.dataset.employee)")
    ranks = rows.evaluate_all("rows => rows.map(r => Number(r.cells[0].textContent))")
    return list(zip(ids, ranks, strict=True))


def _shown_weights(page) -> dict[str, float]:
    return json.loads(page.locator("table.kpi-ranking").get_attribute("data-weights"))


@pytest.fixture
def server(tmp_path: Path):
    """The explorer on actuals computed from the raw exports (kpi explore --sources)."""
    write_sample(tmp_path / "data", records=True)
    for table in (tmp_path / "data").glob("actuals_after_sales_team.*"):
        table.unlink()  # so the page can only be made from the raw exports
    running = serve_explorer(
        scheme="after_sales_team",
        data_dir=tmp_path / "data",
        sources="sample_department",
        records_dir=tmp_path / "data" / "records",
        period=PERIOD,
        port=_free_port(),
        scenario_dir=tmp_path / "scenarios",
        block=False,
    )
    try:
        running.wait_ready(timeout=60)
        yield running
    finally:
        running.stop()
    assert running.process.poll() is not None


def test_keyboard_slider_move_reranks_as_the_engine_says(server, chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    local = server.url.rstrip("/")
    blocked: list[str] = []

    def route(route) -> None:  # nothing leaves the machine: other requests are counted
        if route.request.url.startswith((local, "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    try:
        page.goto(server.url, timeout=TIMEOUT_MS)
        handle = page.locator(f".kpi-weight-{KPI} .noUi-handle")
        handle.wait_for(state="visible", timeout=TIMEOUT_MS)
        page.locator("table.kpi-ranking").wait_for(state="attached", timeout=TIMEOUT_MS)
        before = _shown_ranking(page)
        baseline = _shown_weights(page)
        assert baseline[KPI] == 5
        assert before == _engine_ranking(baseline)

        handle.focus()
        for _ in range(PRESSES):
            handle.press("ArrowLeft")
        page.wait_for_function(
            """([kpi, value]) => {
                const table = document.querySelector("table.kpi-ranking");
                return table && JSON.parse(table.dataset.weights)[kpi] === value;
            }""",
            arg=[KPI, 5 - 0.5 * PRESSES],
            timeout=TIMEOUT_MS,
        )
        weights = _shown_weights(page)
        assert sum(v for k, v in weights.items() if k in ("knowledge_sharing", "training")) == 15
        after = _shown_ranking(page)
        assert after == _engine_ranking(weights)
        assert after != before
        readout = page.locator(f".kpi-weight-{KPI} .widget-readout").inner_text()
        assert float(readout) == weights[KPI]
        _check_what_the_reader_sees(page)
        assert blocked == []  # no Font Awesome (nor anything) from a CDN
    finally:
        context.close()


def _check_what_the_reader_sees(page) -> None:
    """Chinese words at the top, whole mode buttons, keep mode exactly proportional."""
    text = page.locator("body").inner_text()
    assert "移动权重" in text and "Move a weight" not in text
    cut = page.eval_on_selector_all(
        ".widget-toggle-button",
        "bs => bs.filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.textContent)",
    )
    assert cut == []
    assert page.locator(".widget-toggle-button").count() == 2
