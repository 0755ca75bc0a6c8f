"""One appraisal per period: a person has the same total and grade on every surface.

The demo quarter is computed from the sample department's raw exports (the bundle
``sample_department``), then one person is looked up in the CSV of ``kpi score``, the
workbook and the department HTML of ``kpi report``, the person's scorecard, the explorer's
baseline and the what-if panel's baseline in the browser.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pandas as pd
import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.explorer.widget import explore
from kpi_toolkit.pipeline import appraise, resolve_inputs
from kpi_toolkit.sample import make_sample

if TYPE_CHECKING:
    from conftest import SampleReport

PERSON = "E054"
PERIOD = "2026-Q3"
SCHEME = "after_sales_team"
BUNDLE = "sample_department"


@pytest.fixture(scope="module")
def sample(sample_department: Path) -> Path:
    """The sample department, raw exports included (shared, read-only)."""
    return sample_department


def _from_records(sample: Path) -> list[str]:
    return [
        "--data-dir",
        str(sample),
        "--sources",
        BUNDLE,
        "--records-dir",
        str(sample / "records"),
    ]


@pytest.fixture(scope="module")
def expected(sample: Path) -> pd.Series:
    """The person's row in the one appraisal, computed from the raw exports."""
    inputs = resolve_inputs(
        SCHEME, data_dir=sample, sources=BUNDLE, records_dir=sample / "records", grains=["quarter"]
    )
    scores = appraise(inputs, period=PERIOD).scores
    return scores.set_index("employee_id").loc[PERSON]


@pytest.fixture(scope="module")
def report(sample_report: SampleReport) -> Path:
    """``kpi report --scheme after_sales_team`` of the sample's raw exports, the quarter,
    ``--employee E054`` (shared with the other modules that read its pages)."""
    assert (sample_report.period, sample_report.person) == (PERIOD, PERSON)
    return sample_report.out


def _shown(total: float) -> str:
    return f"{total:.2f}"


class _Rows(HTMLParser):
    """The visible text of each table row (``<tr>``) and of the whole page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._row: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._skip or not data.strip():
            return
        self.text.append(data.strip())
        if self._row is not None:
            self._row.append(data.strip())


def _page(path: Path) -> _Rows:
    parser = _Rows()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_sample_tells_one_story(sample: Path):
    """Its actuals table and its raw exports give the same scores, person by person."""
    table = appraise(resolve_inputs(SCHEME, data_dir=sample), period=PERIOD).scores
    records = appraise(
        resolve_inputs(SCHEME, data_dir=sample, sources=BUNDLE, records_dir=sample / "records"),
        period=PERIOD,
    ).scores
    pd.testing.assert_frame_equal(table, records)
    made = make_sample().actuals_after_sales_team
    written = pd.read_csv(sample / f"actuals_{SCHEME}.csv", dtype={"employee_id": str})
    assert len(made) == len(written)
    assert set(zip(made["employee_id"], made["period"], strict=True)) == set(
        zip(written["employee_id"], written["period"], strict=True)
    )


def test_kpi_score_csv(sample: Path, expected: pd.Series, tmp_path: Path, capsys):
    out = tmp_path / "scores.csv"
    args = ["score", "--scheme", SCHEME, *_from_records(sample), "--period", PERIOD]
    assert main([*args, "--out", str(out)]) == 0
    row = pd.read_csv(out, dtype={"employee_id": str}).set_index("employee_id").loc[PERSON]
    assert _shown(row["total"]) == _shown(expected["total"])
    assert (row["grade"], row["rank"]) == (expected["grade"], expected["rank"])
    assert "sample_department" not in capsys.readouterr().out


def test_the_old_spelling_of_the_records_folder_gives_the_same(sample: Path, tmp_path: Path):
    """``kpi score --sources B --data-dir RAW --roster R`` (before --records-dir) still works."""
    out = tmp_path / "old.csv"
    code = main(
        [
            "score",
            "--scheme",
            SCHEME,
            "--sources",
            BUNDLE,
            "--data-dir",
            str(sample / "records"),
            "--roster",
            str(sample / "roster.csv"),
            "--ratings",
            str(sample / "ratings.csv"),
            "--plans",  # the sample's, which the new spelling reads from --data-dir
            str(sample / "plans.csv"),
            "--period",
            PERIOD,
            "--out",
            str(out),
        ]
    )
    new = tmp_path / "new.csv"
    assert code == 0
    args = ["score", "--scheme", SCHEME, *_from_records(sample), "--period", PERIOD]
    assert main([*args, "--out", str(new)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(new))


def test_kpi_report_workbook(report: Path, expected: pd.Series):
    book = openpyxl.load_workbook(report / f"scores_{PERIOD}.xlsx", read_only=True)
    rows = [
        [cell for cell in row if cell is not None]
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        if PERSON in row
    ]
    assert rows, f"{PERSON} is in no sheet"
    found = rows[0]
    totals = [v for v in found if isinstance(v, float) and _shown(v) == _shown(expected["total"])]
    assert totals and expected["grade"] in found


def test_department_html(report: Path, expected: pd.Series):
    page = _page(report / f"appraisal_report_{PERIOD}.html")
    rows = [row for row in page.rows if PERSON in row]
    assert any(_shown(expected["total"]) in row and expected["grade"] in row for row in rows)


def test_scorecard_html(report: Path, expected: pd.Series):
    page = _page(report / "scorecards" / f"{PERSON}.html")
    text = " ".join(page.text)
    assert _shown(expected["total"]) in text and expected["grade"] in text


def test_explorer_baseline(sample: Path, expected: pd.Series, tmp_path: Path):
    explorer = explore(
        scheme=SCHEME,
        data_dir=sample,
        period=PERIOD,
        sources=BUNDLE,
        records_dir=sample / "records",
        scenario_dir=tmp_path,
    )
    row = explorer.baseline.set_index("employee_id").loc[PERSON]
    assert _shown(row["total"]) == _shown(expected["total"])
    assert (row["grade"], row["rank"]) == (expected["grade"], expected["rank"])


@pytest.mark.browser
def test_what_if_panel_baseline(report: Path, expected: pd.Series, offline_page):
    page = offline_page.page
    page.goto((report / f"appraisal_report_{PERIOD}.html").as_uri())
    picker = page.locator(".kpi-whatif-position")
    for value in picker.locator("option").evaluate_all("(os) => os.map((o) => o.value)"):
        picker.select_option(value)
        row = page.locator(f'.kpi-whatif-table tr[data-employee="{PERSON}"]')
        if row.count():
            cells = row.locator("td").all_inner_texts()
            assert _shown(expected["total"]) in cells and expected["grade"] in cells
            return
    pytest.fail(f"{PERSON} is in no position of the what-if panel")
