"""The report page a director reads, in Chromium with the network cut: the contents bar moves
to its section, tables of people sort and search, the department report's team filter
narrows every table of people and switches the grade chart; print hides what cannot be
clicked on paper. And what the page says: the breach in words, alt text on every chart, file
names (no folder) in the footer, a team report's counts and workbook scoped to the team."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.sample.department import write_sample

if TYPE_CHECKING:
    from conftest import OfflinePage

TEAM = "安装组"
PERIOD = "2026-Q3"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("data")
    write_sample(directory)
    return directory


def _report(data_dir: Path, out: Path, *extra: str) -> None:
    argv = ["report", "--scheme", "after_sales_team", "--data-dir", str(data_dir)]
    argv += ["--period", PERIOD, "--out-dir", str(out), "--quiet", *extra]
    assert main(argv) == 0


@pytest.fixture(scope="module")
def department(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("department")
    _report(data_dir, out)
    return out / f"appraisal_report_{PERIOD}.html"


@pytest.fixture(scope="module")
def team(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("team")
    _report(data_dir, out, "--team", TEAM)
    return out


def _open(offline_page: OfflinePage, page: Path):
    browser = offline_page.page
    browser.goto(page.as_uri())
    browser.wait_for_selector("nav.kpi-contents")
    return browser


def _shown_rows(browser, selector: str) -> list[list[str]]:
    return browser.eval_on_selector_all(
        f"{selector} tbody tr",
        """rows => rows.filter(r => r.offsetParent !== null)
                      .map(r => Array.from(r.cells).map(c => c.textContent.trim()))""",
    )


RANKING = "#kpi-ranking table.kpi-people"


@pytest.mark.browser
def test_contents_links_move_to_their_section(department: Path, offline_page: OfflinePage):
    browser = _open(offline_page, department)
    links = browser.eval_on_selector_all("nav.kpi-contents a", "a => a.map(x => x.textContent)")
    for heading in ("考核概况", "考核排名", "个人考核表", "数据质量", "审批"):
        assert heading in links
    for target in ("kpi-scorecards", "kpi-approval", "kpi-summary"):
        before = browser.evaluate("window.scrollY")
        browser.click(f'nav.kpi-contents a[href="#{target}"]')
        browser.wait_for_timeout(300)
        box = browser.eval_on_selector(f"#{target}", "e => e.getBoundingClientRect().top")
        bar = browser.eval_on_selector("nav.kpi-contents", "e => e.getBoundingClientRect().bottom")
        assert browser.evaluate("window.scrollY") != before
        assert bar <= box < browser.evaluate("window.innerHeight") / 2  # in view, below the bar
        assert (
            browser.eval_on_selector("nav.kpi-contents", "e => e.getBoundingClientRect().top") == 0
        )
    assert offline_page.blocked == []


@pytest.mark.browser
def test_sorting_changes_the_order_of_rows(department: Path, offline_page: OfflinePage):
    browser = _open(offline_page, department)
    headers = browser.eval_on_selector_all(f"{RANKING} th", "t => t.map(x => x.textContent)")
    total = headers.index("总分")
    before = [row[total] for row in _shown_rows(browser, RANKING)]
    browser.click(f"{RANKING} th:nth-child({total + 1})")
    ascending = [row[total] for row in _shown_rows(browser, RANKING)]
    assert ascending != before
    assert [float(v) for v in ascending] == sorted(float(v) for v in before)
    browser.click(f"{RANKING} th:nth-child({total + 1})")
    descending = [float(row[total]) for row in _shown_rows(browser, RANKING)]
    assert descending == sorted(descending, reverse=True)
    name = headers.index("姓名")
    browser.click(f"{RANKING} th:nth-child({name + 1})")
    names = [row[name] for row in _shown_rows(browser, RANKING)]
    assert names != [row[name] for row in _shown_rows(browser, RANKING)[::-1]]
    assert browser.eval_on_selector(f"{RANKING} th:nth-child({name + 1})", "t => t.ariaSort")
    assert offline_page.blocked == []


@pytest.mark.browser
def test_search_narrows_the_rows(department: Path, offline_page: OfflinePage, data_dir: Path):
    browser = _open(offline_page, department)
    everyone = _shown_rows(browser, RANKING)
    someone = everyone[3][2]  # 姓名
    box = browser.locator("#kpi-ranking input.kpi-search")
    box.fill(someone)
    found = _shown_rows(browser, RANKING)
    assert 1 <= len(found) < len(everyone)
    assert all(someone in "".join(row) for row in found)
    box.fill("")
    assert len(_shown_rows(browser, RANKING)) == len(everyone)


@pytest.mark.browser
def test_team_filter_narrows_every_table_of_people(
    department: Path, offline_page: OfflinePage, data_dir: Path
):
    roster = pd.read_csv(data_dir / "roster.csv", dtype=str)
    browser = _open(offline_page, department)
    everyone = len(_shown_rows(browser, RANKING))
    cards = "#kpi-scorecards .kpi-card"
    assert (
        browser.eval_on_selector_all(cards, "c => c.filter(x => x.offsetParent).length") == everyone
    )
    browser.select_option("nav.kpi-contents select", TEAM)
    rows = _shown_rows(browser, RANKING)
    assert 0 < len(rows) < everyone
    assert all(row[3] == TEAM for row in rows)  # 团队
    shown = browser.eval_on_selector_all(cards, "c => c.filter(x => x.offsetParent).length")
    assert shown == len(rows)
    for table in browser.query_selector_all("table.kpi-people"):
        for row in table.query_selector_all("tbody tr"):
            if row.is_visible():
                assert row.get_attribute("data-team") == TEAM
    charts = browser.eval_on_selector_all(
        "#kpi-summary figure[data-team-view]",
        "f => f.filter(x => !x.hidden).map(x => x.getAttribute('data-team-view'))",
    )
    assert charts == [TEAM]
    browser.select_option("nav.kpi-contents select", "")
    assert len(_shown_rows(browser, RANKING)) == everyone
    assert set(roster.loc[roster["team"] == TEAM, "name"]) >= {r[2] for r in rows}
    assert offline_page.blocked == []


@pytest.mark.browser
def test_print_shows_nothing_to_click(department: Path, offline_page: OfflinePage):
    browser = _open(offline_page, department)
    browser.emulate_media(media="print")
    for hidden in ("nav.kpi-contents", "input.kpi-search", ".kpi-whatif"):
        assert browser.eval_on_selector(hidden, "e => getComputedStyle(e).display") == "none"
    breaks = browser.eval_on_selector_all(
        "section.kpi-section", "s => s.map(x => getComputedStyle(x).breakBefore)"
    )
    assert breaks[0] != "page" and set(breaks[1:]) == {"page"}
    title = browser.eval_on_selector('meta[name="kpi-title"]', "m => m.content")
    assert title == browser.title() and title.startswith("售后服务部绩效考核报告")
    signature = browser.eval_on_selector_all("#kpi-approval td.kpi-sign", "c => c.length")
    assert signature == 3


def test_the_page_explains_and_names_no_folder(department: Path, data_dir: Path):
    html = department.read_text(encoding="utf-8")
    assert "超出 18 人" in html and "apply: true" in html  # 优秀 29 of 56 against ≤ 20 %
    assert "最多 11 人" in html
    images = re.findall(r"<img [^>]*>", html)
    assert images and all(re.search(r'alt="[^"]{8,}"', image) for image in images)
    assert str(data_dir) not in html and str(data_dir.parent) not in html
    assert "roster.csv</code> sha256" in html
    assert re.search(r'<th class="num">总分</th>', html)  # numbers right, header too
    assert re.search(r"<td>[^<]*服务组</td>", html)  # text left


def test_a_team_report_is_scoped_to_its_team(team: Path, data_dir: Path):
    roster = pd.read_csv(data_dir / "roster.csv", dtype=str)
    html = (team / f"appraisal_report_{PERIOD}_{TEAM}.html").read_text(encoding="utf-8")
    members = roster.loc[(roster["team"] == TEAM) & (roster["status"] == "regular")]
    quality = html[html.index('id="kpi-data-quality"') :]
    first = re.search(r'<td class="num">(\d+)</td>', quality)
    assert first is not None and int(first.group(1)) <= len(members)
    assert "全部门:✗ 超出 18 人" in html  # the check covers the department, said so
    workbook = team / f"scores_{PERIOD}_{TEAM}.xlsx"
    assert workbook.is_file() and not (team / f"scores_{PERIOD}.xlsx").exists()
    sheets = pd.read_excel(workbook, sheet_name=None, header=None)
    cells = {str(v) for frame in sheets.values() for v in frame.to_numpy().ravel()}
    others = set(roster.loc[roster["team"] != TEAM, "employee_id"])
    assert set(members["employee_id"]) & cells and not others & cells
