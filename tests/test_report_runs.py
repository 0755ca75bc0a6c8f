"""kpi report's runs (issue 14): trends over the periods of the data, --compare any earlier
period, --annual YYYY, --pdf beside each page, and the standard Jupyter way: papermill from
any folder, then ``jupyter nbconvert --to kpi_html``."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.periods import parse_period
from kpi_toolkit.pipeline import resolve_inputs
from kpi_toolkit.reports import trends
from kpi_toolkit.reports.context import load_context
from kpi_toolkit.sample.department import write_sample

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SCHEME = "after_sales_team"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample(directory)
    return directory


@pytest.fixture(scope="module")
def ctx(sample: Path):
    return load_context(scheme=SCHEME, data_dir=sample, period="2026-Q3", compare="2025-Q4")


# --- trends and --compare --------------------------------------------------------------


def test_trend_periods_are_the_data_s_periods_of_the_grain_up_to_the_report_s(sample: Path):
    inputs = resolve_inputs(SCHEME, data_dir=sample, grains=("quarter",))
    chosen = trends.trend_periods(inputs, period=parse_period("2026-Q1"))
    assert [str(p) for p in chosen] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert len(trends.trend_periods(inputs, period=parse_period("2026-Q3"), last=3)) == 3


def test_each_period_is_appraised_once_and_kept(sample: Path):
    inputs = resolve_inputs(SCHEME, data_dir=sample, grains=("quarter",))
    again = resolve_inputs(SCHEME, data_dir=sample, grains=("quarter",))
    first = trends.appraised(inputs, period=parse_period("2025-Q2"), lang="zh")
    assert trends.appraised(again, period=parse_period("2025-Q2"), lang="zh") is first


def test_department_trend_has_the_mean_and_grade_mix_of_every_period(ctx) -> None:
    past = trends.history(ctx.source, period=ctx.appraisal.period, lang="zh")
    table = trends.department_trend(past, current="2026-Q3", lang="zh")
    assert list(table["考核周期"]) == [*[str(p) for p in past][:-1], "2026-Q3 (本期)"]
    grades = ["优秀", "良好", "合格", "不合格"]
    assert (table[grades].sum(axis=1) == table["人数"]).all()
    latest = past["2025-Q4"].scores["total"].mean()
    assert table.loc[table["考核周期"] == "2025-Q4", "平均分"].item() == pytest.approx(latest)


def test_the_report_s_trend_section_marks_the_current_period(ctx) -> None:
    html = trends.trends(ctx).data
    assert "历期趋势" in html and "各团队平均分" in html
    assert '<tr class="kpi-current"><td>2026-Q3 (本期)</td>' in html
    assert all(team in html for team in set(ctx.appraisal.scores["team"]))


def test_a_person_s_trend_has_their_totals_and_kpi_points(ctx) -> None:
    past = trends.history(ctx.source, period=ctx.appraisal.period, lang="zh")
    table = trends.person_trend(past, "E005", current="2026-Q3", lang="zh")
    mine = past["2025-Q3"].scores.set_index("employee_id").loc["E005"]
    row = table.loc[table["考核周期"] == "2025-Q3"].iloc[0]
    assert row["总分"] == mine["total"] and row["客户满意度"] == mine["csat"]
    assert table["考核周期"].iloc[-1] == "2026-Q3 (本期)"


def test_compare_chooses_any_earlier_period(ctx, sample: Path) -> None:
    assert str(ctx.previous.period) == "2025-Q4"
    default = load_context(scheme=SCHEME, data_dir=sample, period="2026-Q3")
    assert str(default.previous.period) == "2026-Q2"  # by default the previous one


@pytest.mark.parametrize("compare", ["2026-Q3", "2026-Q4", "2024-Q1", "2025", "2025-07", "Q9"])
def test_compare_refuses_what_is_not_an_earlier_period_of_the_data(
    sample: Path, tmp_path: Path, capsys, compare: str
) -> None:
    argv = ["report", "--scheme", SCHEME, "--data-dir", str(sample), "--period", "2026-Q3"]
    code = main([*argv, "--compare", compare, "--out-dir", str(tmp_path / "out")])
    assert code == 2
    assert "--compare" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --- the report command's options --------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ([], "--period / --annual"),
        (["--period", "2026-Q3", "--annual", "2025"], "--period / --annual"),
        (["--annual", "2025", "--team", "维修组"], "--team"),
        (["--annual", "2025", "--compare", "2025-Q1"], "--compare"),
        (["--period", "2026-Q3", "--installs", "5"], "--installs"),
        (["--annual", "2025", "--installs", "5"], "--install-price"),
        (["--annual", "二〇二五"], "year"),
    ],
)
def test_report_options_refused_with_exit_2(
    sample: Path, tmp_path: Path, capsys, extra: list[str], named: str
) -> None:
    argv = ["report", "--scheme", SCHEME, "--data-dir", str(sample), *extra]
    assert main([*argv, "--out-dir", str(tmp_path / "out"), "--quiet"]) == 2
    assert named in capsys.readouterr().err


def test_pdf_without_playwright_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi_toolkit.errors import InputError
    from kpi_toolkit.reports import pdf

    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # as if not installed
    with pytest.raises(InputError, match=r"kpi-toolkit\[pdf\]"):
        pdf._check_tools()


# --- whole runs: --annual, --pdf, the standard Jupyter way -------------------------------


def _pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    # Chromium maps some CJK glyphs to compatibility code points (⼈ for 人): NFKC folds them;
    # the extracted text has runs of spaces where the page has one.
    pages = (unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(path).pages)
    return [" ".join(text.split()) for text in pages]


@pytest.mark.browser
def test_annual_review_from_the_cli_with_its_pdf(sample: Path, tmp_path: Path, capsys) -> None:
    argv = ["report", "--scheme", SCHEME, "--data-dir", str(sample), "--annual", "2025"]
    bonus = ["--installs", "4000", "--install-price", "25", "--repairs", "1200"]
    bonus += ["--repair-price", "20", "--allocation", "grade"]
    signed = ["--prepared-by", "王芳", "--approved-on", "2026-01-15"]
    out = tmp_path / "out"
    assert main([*argv, *bonus, *signed, "--pdf", "--quiet", "--out-dir", str(out)]) == 0
    page = (out / "annual_review_2025.html").read_text(encoding="utf-8")
    for words in ("年度绩效考核结果", "奖金池", "124,000.00 元", "参加考核人数", "人均基数"):
        assert words in page
    assert "2,137.93 元" in page and "基数 × 等级系数" in page and "分配规则" in page
    assert "编制人员" in page and "王芳" in page and "2026-01-15" in page
    assert "售后服务专员" in page and "manager" not in page.split("<body", 1)[1]
    assert "2025-Q4" in page and "<title>年度绩效考核结果 2025</title>" in page
    text = _pdf_text(out / "annual_review_2025.pdf")
    assert "年度绩效考核结果" in text[0] and "1 / " in text[0]
    assert capsys.readouterr().out.split() == [
        str(out / "annual_review_2025.html"),
        str(out / "annual_review_2025.pdf"),
    ]


@pytest.mark.browser
def test_pdf_beside_each_page_with_the_title_on_page_one(
    sample: Path, tmp_path: Path, chromium
) -> None:
    # ``chromium`` runs Playwright in this thread already: --pdf must print all the same.
    argv = ["report", "--scheme", SCHEME, "--data-dir", str(sample), "--period", "2026-Q3"]
    out = tmp_path / "out"
    more = ["--employee", "E005", "--compare", "2025-Q3", "--pdf", "--quiet"]
    code = main([*argv, *more, "--out-dir", str(out)])
    assert code == 0
    report = out / "appraisal_report_2026-Q3.pdf"
    card = out / "scorecards" / "E005.pdf"
    assert report.is_file() and card.is_file()
    first = _pdf_text(report)[0]
    assert "售后服务部绩效考核报告" in first  # the heading, as text (selectable)
    assert "售后服务部绩效考核报告 2026-Q3" in first  # the header: the page's title
    assert "1 / " in first  # the footer: page numbers
    assert "个人绩效考核结果" in _pdf_text(card)[0]
    page = (out / "appraisal_report_2026-Q3.html").read_text(encoding="utf-8")
    assert "2025-Q3 → 2026-Q3" in page and "历期趋势" in page
    assert "历期考核结果" in (out / "scorecards" / "E005.html").read_text(encoding="utf-8")


def _run(argv: list[str], *, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.browser
@pytest.mark.notebook
def test_papermill_then_nbconvert_kpi_html_gives_the_offline_page(
    tmp_path: Path, offline_page
) -> None:
    declared = importlib.metadata.entry_points(group="nbconvert.exporters")
    assert "kpi_html" in declared.names, "reinstall the package: pip install -e . --no-deps"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KPI_TOOLKIT_CACHE": str(tmp_path / "cache")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    notebook = ROOT / "notebooks" / "appraisal_report.ipynb"
    papermill = [str(VENV_BIN / "papermill"), str(notebook), "out.ipynb"]
    papermill += ["-p", "team", "华东服务组"]
    _run([*papermill, "--cwd", str(elsewhere)], cwd=elsewhere, env=env)  # no -p data_dir
    _run(
        [str(VENV_BIN / "jupyter"), "nbconvert", "--to", "kpi_html", "out.ipynb"],
        cwd=elsewhere,
        env=env,
    )
    html = (elsewhere / "out.html").read_text(encoding="utf-8")
    assert "<title>售后服务部绩效考核报告 2026-Q3</title>" in html
    assert '<html lang="zh-CN">' in html and "华东服务组" in html
    assert "load_context(" not in html and "\\u534e" not in html  # no code, no escapes
    assert "历期趋势:" not in html  # the explanatory (notes) cells are left out
    assert "require.js" not in html and "mathjax" not in html.lower()
    offline_page.page.goto((elsewhere / "out.html").as_uri(), wait_until="load")
    assert offline_page.page.locator("h1").first.inner_text() == "售后服务部绩效考核报告"
    assert offline_page.blocked == []
