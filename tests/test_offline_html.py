"""An exported report opened in Chromium with the network cut: all of it shows, in Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest
from nbformat import NotebookNode

from kpi_toolkit.files import write_atomic
from kpi_toolkit.reports.export import execute_notebook, export_html

if TYPE_CHECKING:
    from conftest import OfflinePage

pytestmark = pytest.mark.browser

CHART_CODE = """\
import pandas as pd
from kpi_toolkit.reports.charts import bar_chart, use_cjk_font
use_cjk_font()
scores = pd.DataFrame({"姓名": ["张三", "李四", "王五"], "总分": [92.5, 81.0, weight * 10]})
bar_chart(scores, x="姓名", y="总分", title="总分排名", ylabel="分数")"""
SLIDER_CODE = """\
import ipywidgets
ipywidgets.IntSlider(value=weight, description="权重")"""


def report_notebook() -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = nbformat.v4.new_code_cell("weight = 5")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 售后服务部绩效考核报告\n\n本季度各岗位得分如下。"),
        parameters,
        nbformat.v4.new_code_cell(CHART_CODE),
        nbformat.v4.new_code_cell(SLIDER_CODE),
    ]
    return nb


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    executed = execute_notebook(report_notebook(), {"weight": 7})
    html = export_html(executed, title="售后服务部绩效考核报告 2026-Q3")
    return write_atomic(tmp_path_factory.mktemp("report") / "report.html", html)


def test_report_source_has_no_input_code(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    for line in (CHART_CODE + "\n" + SLIDER_CODE).splitlines():
        assert line not in html


def test_report_renders_offline_with_chart_and_slider(
    report: Path, offline_page: OfflinePage, tmp_path: Path
) -> None:
    page = offline_page.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri(), wait_until="load")

    slider = page.locator(".jupyter-widgets .widget-slider")
    slider.wait_for(state="visible")
    assert page.locator(".widget-readout").inner_text() == "7"
    assert page.locator(".widget-label").first.inner_text() == "权重"
    assert page.get_by_role("heading", name="售后服务部绩效考核报告").is_visible()
    assert page.title() == "售后服务部绩效考核报告 2026-Q3"
    widths = page.locator(".jp-RenderedImage img").evaluate_all(
        "imgs => imgs.map(i => i.naturalWidth)"
    )
    assert len(widths) == 1 and widths[0] > 0
    page.screenshot(path=tmp_path / "report.png", full_page=True)

    assert offline_page.blocked == []
    assert errors == []


def test_the_reader_can_move_the_slider_in_the_page(
    report: Path, offline_page: OfflinePage
) -> None:
    page = offline_page.page
    page.goto(report.as_uri(), wait_until="load")
    page.locator(".widget-slider .noUi-handle").press("ArrowRight")
    assert page.locator(".widget-readout").inner_text() == "8"
    assert offline_page.blocked == []
