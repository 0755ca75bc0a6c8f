"""kpi report end to end: notebooks run in one kernel, offline HTML, batches and failures."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.engine.raters import ratings_for
from kpi_toolkit.sample.department import write_sample

XSS = "<img src=x onerror=alert(1)>"
TEAM = "安装组"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample department, with one person in TEAM named like an XSS attack."""
    directory = tmp_path_factory.mktemp("data")
    write_sample(directory)
    roster = pd.read_csv(directory / "roster.csv", dtype=str, keep_default_na=False)
    target = roster.index[(roster["team"] == TEAM) & (roster["position"] == "specialist")][0]
    roster.loc[target, "name"] = XSS
    roster.to_csv(directory / "roster.csv", index=False, encoding="utf-8-sig")
    return directory


@pytest.fixture(scope="module")
def department(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path, str]:
    out = tmp_path_factory.mktemp("department")
    code = main(
        [
            "report",
            "--scheme",
            "after_sales_team",
            "--data-dir",
            str(data_dir),
            "--period",
            "2026-Q3",
            "--out-dir",
            str(out),
            "--quiet",
            "--prepared-by",
            "王芳",
            "--prepared-on",
            "2026-10-08",
        ]
    )
    return code, out, (out / "appraisal_report_2026-Q3.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def batch(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """One team with a scorecard per person, and a team that does not exist."""
    out = tmp_path_factory.mktemp("batch")
    code = main(
        [
            "report",
            "--scheme",
            "after_sales_team",
            "--data-dir",
            str(data_dir),
            "--period",
            "2026-Q3",
            "--out-dir",
            str(out),
            "--quiet",
            "--team",
            "不存在组",
            "--team",
            TEAM,
            "--per-employee",
        ]
    )
    return code, out


def test_department_report_is_written(department: tuple[int, Path, str]):
    code, out, html = department
    assert code == 0
    assert (out / "appraisal_report_2026-Q3.ipynb").is_file()
    assert (out / "scores_2026-Q3.xlsx").is_file()
    assert '<html lang="zh-CN">' in html
    assert "售后服务部绩效考核报告" in html
    for heading in (
        "考核概况",
        "团队排名(组织考核)",
        "各指标完成情况",
        "考核排名",
        "个人考核表",
        "与上期比较",
        "数据质量",
        "审批",
        "编制人员",
        "审核人员",
        "批准人员",
        "权重模拟",
        "权重敏感性",
    ):
        assert heading in html, heading
    assert "王芳" in html and "2026-10-08" in html
    assert "试用期人员不参加考核" in html  # the excluded, with their reason


def test_report_ran_without_warnings(department: tuple[int, Path, str]):
    import nbformat

    _, out, html = department
    nb = nbformat.read(out / "appraisal_report_2026-Q3.ipynb", as_version=4)
    streams = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "stream"]
    assert streams == []  # no warning of any kind, e.g. a glyph missing from the font
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == []
    assert "Glyph" not in html


def test_report_hides_code_and_notes(department: tuple[int, Path, str]):
    _, _, html = department
    assert "load_context(" not in html and "rs.summary" not in html
    assert "Cells tagged" not in html  # the notes cells are not in the shared page


def test_report_footer_traces_every_input(department: tuple[int, Path, str], data_dir: Path):
    from kpi_toolkit import __version__
    from kpi_toolkit.files import sha256

    _, _, html = department
    assert f"kpi-toolkit {__version__}" in html
    for name in ("roster.csv", "actuals_after_sales_team.csv", "ratings.csv"):
        assert sha256(data_dir / name) in html
    assert re.search(
        r"考核方案: <code>[^<]*after_sales_team.yaml</code> sha256 <code>[0-9a-f]{64}", html
    )


def test_xss_name_is_escaped(department: tuple[int, Path, str]):
    _, _, html = department
    assert XSS not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_failing_team_does_not_stop_the_others(batch: tuple[int, Path], capsys):
    code, out = batch
    assert code == 1
    assert (out / f"appraisal_report_2026-Q3_{TEAM}.html").is_file()
    assert not list(out.glob("*不存在组*.html"))
    cards = list((out / "scorecards").glob("*.html"))
    assert len(cards) == 10  # everyone appraised in the team
    assert not list(out.glob("**/.*.partial"))  # no half-written file left


def test_scorecard_names_nobody_else(batch: tuple[int, Path], data_dir: Path):
    """Every card (rendered in one pass: nothing of one carried to the next), as a page and
    as a notebook (its outputs and parameters), names nobody else."""
    import json

    import nbformat

    _, out = batch
    roster = pd.read_csv(data_dir / "roster.csv", dtype=str, keep_default_na=False)
    cards = sorted((out / "scorecards").glob("*.html"))
    assert len(cards) == 10
    for card in cards:
        html = card.read_text(encoding="utf-8")
        nb = nbformat.read(card.with_suffix(".ipynb"), as_version=4)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        injected = [c.source for c in nb.cells if "injected-parameters" in c.metadata.tags]
        notebook = json.dumps([outputs, injected, nb.metadata], ensure_ascii=False)
        me = card.stem
        mine = roster.loc[roster["employee_id"] == me, "name"].iloc[0]
        assert mine in html or mine == XSS
        others = roster.loc[roster["employee_id"] != me]
        for text in (html, notebook):
            leaked = [n for n in others["name"] if n in text and n != TEAM]
            assert not leaked, (me, leaked)
            assert not [e for e in others["employee_id"] if re.search(rf"\b{e}\b", text)]
        assert "同岗位统计(" in html  # the aggregates, headed by what they cover


@pytest.mark.browser
def test_report_opens_offline_and_reads_in_chinese(department, offline_page, tmp_path):
    _, out, _ = department
    page = offline_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((out / "appraisal_report_2026-Q3.html").as_uri())
    page.wait_for_load_state("load")
    assert offline_page.blocked == []
    title = page.locator("h1", has_text="售后服务部绩效考核报告")
    assert title.is_visible()
    assert page.locator("img.kpi-chart").count() >= 3
    widths = page.eval_on_selector_all("img.kpi-chart", "els => els.map(e => e.naturalWidth)")
    assert min(widths) > 100
    assert page.get_by_text(XSS, exact=True).count() >= 1  # shown as text
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000


@pytest.mark.browser
def test_what_if_panel_agrees_with_the_engine(department, data_dir: Path, offline_page):
    from kpi_toolkit import builtin_scheme, score
    from kpi_toolkit.engine.inputs import read_table

    _, out, _ = department
    page = offline_page.page
    page.goto((out / "appraisal_report_2026-Q3.html").as_uri())
    panel = page.locator(".kpi-whatif")
    panel.locator("select").select_option(label="售后服务专员")
    panel.locator("input[value='free']").check()  # each weight as typed (keep is the default)
    new = {"csat": 25, "workload": 0, "teamwork": 20}
    for kpi_id, weight in new.items():
        panel.locator(f"input[data-kpi='{kpi_id}']").fill(str(weight))
    assert "不等于 100" in panel.locator(".kpi-whatif-sum").text_content()  # 115
    rows = panel.locator("tbody tr")
    shown = {
        rows.nth(i).get_attribute("data-employee"): float(
            rows.nth(i).locator(".kpi-whatif-total").text_content()
        )
        for i in range(rows.count())
    }
    scheme = builtin_scheme("after_sales_team").with_weights("specialist", new)
    result = score(
        read_table(data_dir / "actuals_after_sales_team.csv"),
        scheme=scheme,
        roster=read_table(data_dir / "roster.csv"),
        period="2026-Q3",
        ratings=ratings_for(read_table(data_dir / "ratings.csv"), scheme=scheme),
        plans=read_table(data_dir / "plans.csv"),  # the data directory's, as the report's
    )
    engine = result.scores.loc[result.scores["position"] == "specialist"].set_index("employee_id")[
        "total"
    ]
    assert set(shown) == set(engine.index)
    assert max(abs(shown[e] - engine[e]) for e in shown) <= 0.01
    first = rows.nth(0).locator("td").nth(5).text_content()
    assert first == "1"
    assert offline_page.blocked == []
