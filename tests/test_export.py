"""kpi_toolkit.reports.export: in-process execution and offline HTML export."""

from __future__ import annotations

import os
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from kpi_toolkit.errors import KpiError
from kpi_toolkit.reports import export
from kpi_toolkit.reports.export import execute_notebook, export_html, shared_kernel

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SLIDER_CODE = "import ipywidgets\nipywidgets.IntSlider(value=weight, description='权重')"
SEEN_CODE = "import os\nprint('seen', 'earlier' in dir(), os.getcwd())\nearlier = weight"


def notebook(*sources: str) -> NotebookNode:
    """A notebook with a ``parameters`` cell (``weight = 1``) followed by ``sources``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = nbformat.v4.new_code_cell("weight = 1")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# 售后服务部绩效考核报告"), parameters]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def stream_text(nb: NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


@pytest.fixture(scope="module")
def executed() -> NotebookNode:
    return execute_notebook(notebook(SLIDER_CODE), {"weight": 7})


class Links(HTMLParser):
    """Every ``src``/``href`` value and every ``<link>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]


def urls_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.urls


def test_parameters_are_injected_after_the_parameters_cell(executed: NotebookNode) -> None:
    tags = [cell.metadata.get("tags", []) for cell in executed.cells]
    assert tags[1] == ["parameters"]
    assert tags[2] == ["injected-parameters"]
    assert "weight = 7" in executed.cells[2].source


def test_widget_state_is_stored_in_the_notebook_metadata(executed: NotebookNode) -> None:
    state = executed.metadata["widgets"][WIDGET_STATE]["state"]
    sliders = [m["state"] for m in state.values() if m["model_name"] == "IntSliderModel"]
    assert [(s["value"], s["description"]) for s in sliders] == [(7, "权重")]


def test_export_loads_nothing_from_the_network(executed: NotebookNode) -> None:
    html = export_html(executed, title="绩效报告")
    outside = [u for u in urls_of(html) if not u.startswith(("data:", "#"))]
    assert outside == []
    assert "url(http" not in html


def test_the_widget_renderer_is_a_data_uri_without_slashes_in_its_body(
    executed: NotebookNode,
) -> None:
    # The renderer's webpack runtime loads its fonts from its own URL up to the last "/".
    html = export_html(executed, title="绩效报告")
    scripts = [u for u in urls_of(html) if u.startswith("data:text/javascript")]
    assert len(scripts) == 1
    head, body = scripts[0].split(",", 1)
    assert head == "data:text/javascript;charset=utf-8"
    assert "/" not in body
    assert urllib.parse.unquote(body) == export.WIDGET_RENDERER.read_text(encoding="utf-8")


def test_export_hides_the_input_code_and_prompts(executed: NotebookNode) -> None:
    html = export_html(executed, title="绩效报告")
    assert "ipywidgets.IntSlider" not in html
    assert "weight = 7" not in html
    assert 'class="jp-InputPrompt' not in html
    assert 'class="jp-OutputPrompt' not in html
    assert "售后服务部绩效考核报告" in html


@pytest.mark.parametrize(
    ("lang", "tag"), [("zh", '<html lang="zh-CN">'), ("en", '<html lang="en">')]
)
def test_export_sets_the_page_language_and_title(
    executed: NotebookNode, lang: export.Language, tag: str
) -> None:
    html = export_html(executed, title="售后服务部 2026-Q3", lang=lang)
    assert tag in html
    assert "<title>售后服务部 2026-Q3</title>" in html
    assert "title" not in executed.metadata


def test_export_rejects_an_unknown_language(executed: NotebookNode) -> None:
    with pytest.raises(KpiError, match="Supported: zh, en"):
        export_html(executed, title="t", lang="fr")  # type: ignore[arg-type]


def test_missing_widget_renderer_says_how_to_fetch_it(
    executed: NotebookNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "WIDGET_RENDERER", tmp_path / "embed.js")
    with pytest.raises(KpiError, match="make install") as error:
        export_html(executed, title="t")
    assert "scripts/fetch-widget-renderer.sh" in str(error.value)


def test_a_page_without_widgets_does_not_carry_the_renderer(tmp_path: Path) -> None:
    nb = execute_notebook(notebook("print(weight * 2)"), {"weight": 21})
    html = export_html(nb, title="t")
    assert "42" in stream_text(nb)
    assert "data:text/javascript" not in html


def test_unknown_parameter_names_what_the_notebook_accepts() -> None:
    with pytest.raises(KpiError, match=r"Unknown notebook parameter\(s\): wieght.*assigns: weight"):
        execute_notebook(notebook(), {"wieght": 7})


def test_execute_runs_a_notebook_file_in_the_given_folder(tmp_path: Path) -> None:
    path = tmp_path / "report.ipynb"
    nbformat.write(notebook(SEEN_CODE), path)
    nb = execute_notebook(path, {"weight": 3}, cwd=tmp_path)
    assert f"seen False {tmp_path}" in stream_text(nb)
    assert nbformat.read(path, as_version=4).cells[2].outputs == []


def test_shared_kernel_keeps_no_variables_between_reports(tmp_path: Path) -> None:
    with shared_kernel() as kernel:
        first = execute_notebook(notebook(SEEN_CODE), {"weight": 1}, kernel=kernel)
        second = execute_notebook(notebook(SEEN_CODE), {"weight": 2}, kernel=kernel, cwd=tmp_path)
    assert f"seen False {os.getcwd()}" in stream_text(first)
    assert f"seen False {tmp_path}" in stream_text(second)
    assert [c.metadata.get("tags") for c in second.cells][1:3] == [
        ["parameters"],
        ["injected-parameters"],
    ]
