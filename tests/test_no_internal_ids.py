"""No internal id reaches a Chinese page, workbook, explorer table or console line.

The sample department is appraised in zh through every surface (``kpi score``, ``kpi annual``,
``kpi report`` with the ledger of its raw exports, a team report, a scorecard, the annual
review, the explorer, the Excel workbook); the visible text of each (HTML text nodes, not
attributes, scripts or embedded data; every cell and sheet name of the workbook; stdout and
stderr) is searched for the ids of the built-in schemes and sources, as whole words. File
names and paths are the user's and are allowed, and so are employee ids.
"""

from __future__ import annotations

import contextlib
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook

from kpi_toolkit.cli import main
from kpi_toolkit.engine.scheme import builtin_scheme
from kpi_toolkit.explorer.widget import BASELINE, CURRENT, explore
from kpi_toolkit.files import builtin_names, builtin_path, notebooks_dir
from kpi_toolkit.records.ledger import REASONS
from kpi_toolkit.records.sources import load_source
from kpi_toolkit.records.tables import TABLES
from kpi_toolkit.reports.batch import Job, context_for, plan_jobs, run_jobs

if TYPE_CHECKING:
    from conftest import SampleReport

PERIOD, YEAR = "2026-Q3", "2026"
RATER_GROUPS = {"superior", "peers", "subordinates", "self"}
# a path or file name the user gave (the footer's provenance, "written to …" lines)
FILE_NAME = re.compile(r"[\w./\\:-]*\.(?:csv|xlsx|xls|parquet|yaml|yml|ipynb|html|json)\b")
WORD = re.compile(r"[A-Za-z0-9_-]+")  # "kpi-toolkit" is one word, "manager/supervisor" two
HIDDEN = {"script", "style", "template"}


def internal_ids() -> set[str]:
    """Position, KPI, category, grade, rater group and parameter ids of the built-in
    schemes; mapping names, canonical table names and reason codes of the sources."""
    ids = set(RATER_GROUPS) | set(TABLES) | set(REASONS)
    for name in builtin_names("schemes"):
        scheme = builtin_scheme(name)
        ids |= {g.id for g in scheme.grades} | set(scheme.parameters)
        for pid, position in scheme.positions.items():
            ids |= {pid, *position.categories, *position.raters, *(k.id for k in position.kpis)}
    for name in builtin_names("sources"):
        source = load_source(builtin_path("sources", name))
        ids |= {source.name, source.table, *(f.reason for f in source.filters)}
    return ids


IDS = internal_ids()


class _Text(HTMLParser):
    """The text nodes of a page, without scripts, styles and attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hidden += tag in HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in HIDDEN and self.hidden > 0

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_html(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return "\n".join(parser.parts)


def visible_workbook(path: Path) -> str:
    book = load_workbook(path)
    cells = [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    return "\n".join([*book.sheetnames, *cells])


def leaks(text: str, *, root: Path) -> dict[str, str]:
    """Each internal id found in ``text`` → the line it was found in."""
    text = re.sub(re.escape(str(root)) + r"[\w./\\-]*", " ", text)  # the user's folders
    found: dict[str, str] = {}
    for line in text.splitlines():
        for word in WORD.findall(FILE_NAME.sub(" ", line)):
            if word in IDS:
                found.setdefault(word, line.strip()[:160])
    return found


def cli(*args: object) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    assert code == 0, err.getvalue()
    return out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ids")


def _score(sample: Path, root: Path) -> str:
    records = ("--sources", "sample_department", "--records-dir", sample / "records")
    args = ("--scheme", "after_sales_team", "--data-dir", sample, *records)
    return cli("score", *args, "--period", PERIOD, "--out", root / "scores.csv")


def _annual(sample: Path, root: Path) -> str:
    args = ("--scheme", "after_sales_team", "--data-dir", sample, "--year", YEAR)
    return cli("annual", *args, "--out", root / "annual.csv")


def _more_pages(sample: Path, out: Path, *, person: str) -> dict[str, Path]:
    """A team report and the annual review, through kpi report's export path (the
    department report and the first person's scorecard come from the shared kpi report)."""
    common = {"sources": "sample_department", "records_dir": str(sample / "records")}
    ctx = context_for(
        scheme="after_sales_team", data_dir=str(sample), period=PERIOD, lang="zh", **common
    )
    first = ctx.appraisal.scores.iloc[0]
    assert first["employee_id"] == person  # whose scorecard the shared report made
    (team_job,) = plan_jobs(
        ctx, scheme="after_sales_team", data_dir=str(sample), teams=[first["team"]], **common
    )
    annual = Job(
        f"annual_review_{YEAR}",
        notebooks_dir() / "annual_review.ipynb",
        {"scheme": "after_sales_team", "data_dir": str(sample), "year": int(YEAR), "lang": "zh"},
        f"年度绩效考核结果 {YEAR}",
    )
    out.mkdir(exist_ok=True)
    outcomes = run_jobs([team_job, annual], out_dir=out, progress=False)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    names = ("team report", "annual review")
    return dict(zip(names, (o.html for o in outcomes), strict=True))


def _explorer(sample: Path, root: Path) -> str:
    explorer = explore(
        scheme="after_sales_team", data_dir=sample, period=PERIOD, scenario_dir=root / "scenarios"
    )
    explorer.sliders["knowledge_sharing"].value = 0  # grades change; cannot be saved
    explorer.compute_sensitivity()
    explorer.compare(BASELINE, CURRENT)
    shown = [explorer.note.value, explorer.ranking.value, explorer.distribution.value]
    shown += [explorer.edges.value, explorer.sensitivity.value, explorer.comparison.value]
    for name in ("零权重", "a/b"):
        explorer.scenario_name.value = name
        explorer.save_button.click()
        shown.append(explorer.message.value)
    words = [label for label, _ in explorer.position.options]
    words += [slider.description for slider in explorer.sliders.values()]
    return visible_html("\n".join(shown)) + "\n" + "\n".join(words)


@pytest.fixture(scope="module")
def surfaces(sample_department: Path, sample_report: SampleReport, root: Path) -> dict[str, str]:
    """Surface → its visible text, everything rendered in zh."""
    sample, out = sample_department, sample_report.out
    assert sample_report.period == PERIOD
    shown = {"kpi score": _score(sample, root), "kpi annual": _annual(sample, root)}
    shown["kpi report"] = sample_report.console
    pages = {
        "department report": out / f"appraisal_report_{PERIOD}.html",
        "scorecard": out / "scorecards" / f"{sample_report.person}.html",
    }
    pages |= _more_pages(sample, root / "reports", person=sample_report.person)
    shown |= {name: visible_html(page.read_text(encoding="utf-8")) for name, page in pages.items()}
    shown["workbook"] = visible_workbook(out / f"scores_{PERIOD}.xlsx")
    shown["explorer"] = _explorer(sample, root)
    return shown


SURFACES = [
    "kpi score",
    "kpi annual",
    "kpi report",
    "department report",
    "team report",
    "scorecard",
    "annual review",
    "workbook",
    "explorer",
]


@pytest.mark.notebook
@pytest.mark.parametrize("surface", SURFACES)
def test_no_internal_id_is_shown(surfaces: dict[str, str], surface: str, root: Path) -> None:
    assert surfaces[surface].strip(), f"{surface} shows nothing"
    assert leaks(surfaces[surface], root=root) == {}


def test_the_search_finds_what_it_looks_for(tmp_path: Path) -> None:
    page = (
        "<p>岗位 department_head 不在本考核方案中</p><p data-x='peers'>同级</p>"
        "<script>var a = 'superior';</script><p>manager/supervisor · kpi-toolkit</p>"
        f"<code>{tmp_path}/records/tickets.csv</code><p>E001 曾芳</p>"
    )
    found = leaks(visible_html(page), root=tmp_path)
    assert set(found) == {"department_head", "manager", "supervisor"}
    assert {"csat", "peers", "sample_tickets", "outside_period", "surveys", "excellent"} <= IDS
    assert {"workload_per_quarter", "performance", "department_head"} <= IDS
