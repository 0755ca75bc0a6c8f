"""The Excel export: written whole, read back with openpyxl and compared with the appraisal."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kpi_toolkit import InputError, __version__, builtin_scheme, score
from kpi_toolkit.engine.grading import team_ranking
from kpi_toolkit.engine.inputs import read_table
from kpi_toolkit.engine.raters import ratings_for
from kpi_toolkit.engine.scoring import Appraisal
from kpi_toolkit.reports.excel import write_scores_excel
from kpi_toolkit.reports.palette import GRADE_STEPS, tint
from kpi_toolkit.sample.department import write_sample

HYPERLINK = '=HYPERLINK("http://x","y")'
TEAM = builtin_scheme("after_sales_team")
DDE_TEAM = "+cmd|' /C calc'!A0"
AT_NAME = "@SUM(A1)"
MINUS_NAME = "-1+2"  # someone on probation: appears on the sheet of people not appraised
ZH_SHEETS = ["售后服务主管", "售后服务专员", "团队排名", "未参加考核", "说明"]
EN_SHEETS = ["After-sales supervisor", "After-sales specialist", "Team ranking"]
EN_SHEETS += ["Not appraised", "About"]
FIRST_PERSON_ROW = 6


@pytest.fixture(scope="module")
def appraisal(tmp_path_factory: pytest.TempPathFactory) -> Appraisal:
    """The sample department, 2026-Q3, with ratings; some names and a team are formulas."""
    folder = tmp_path_factory.mktemp("sample")
    write_sample(folder)
    roster = pd.read_csv(folder / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[roster["employee_id"] == "E035", ["name", "team"]] = [HYPERLINK, DDE_TEAM]
    roster.loc[roster["employee_id"] == "E005", "name"] = AT_NAME  # a supervisor
    roster.loc[roster["employee_id"] == "E013", "name"] = MINUS_NAME
    return score(
        read_table(folder / "actuals_after_sales_team.csv"),
        scheme=TEAM,
        roster=roster,
        ratings=ratings_for(read_table(folder / "ratings.csv"), scheme=TEAM),
        period="2026-Q3",
    )


@pytest.fixture(scope="module")
def written(appraisal: Appraisal, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scores_excel(appraisal, tmp_path_factory.mktemp("zh") / "scores.xlsx")


@pytest.fixture(scope="module")
def book(written: Path) -> Workbook:
    return load_workbook(written)


@pytest.fixture(scope="module")
def english(appraisal: Appraisal, tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    path = tmp_path_factory.mktemp("en") / "scores.xlsx"
    return load_workbook(write_scores_excel(appraisal, path, lang="en"))


def people(sheet: Worksheet) -> dict[str, dict[str, object]]:
    """Each person's row of a scorecard, keyed by employee id, by column heading (the KPI,
    subtotal heading of row 3, or the heading spanning rows 2-3)."""
    headings = [
        bottom.value if bottom.value is not None else top.value
        for top, bottom in zip(sheet[2], sheet[3], strict=True)
    ]
    rows = sheet.iter_rows(min_row=FIRST_PERSON_ROW, values_only=True)
    return {row[0]: dict(zip(headings, row, strict=True)) for row in rows}


def exact(value: float) -> object:
    """As equal as xlsx stores it: 16 significant digits (Excel itself keeps 15)."""
    return pytest.approx(value, rel=1e-15, abs=0)


def unquoted(text: object) -> object:
    return text[1:] if isinstance(text, str) and text.startswith("'") else text


def test_sheets_are_the_positions_then_teams_excluded_and_about(book: Workbook) -> None:
    # manager is in the scheme but appraised yearly: nobody this quarter, so no sheet
    assert book.sheetnames == ZH_SHEETS


def test_category_headings_are_merged_over_their_kpis(book: Workbook) -> None:
    sheet = book["售后服务主管"]
    position = builtin_scheme("after_sales_team").positions["supervisor"]
    merged_in_row_2 = {
        (r.min_col, r.max_col): sheet.cell(2, r.min_col).value
        for r in sheet.merged_cells.ranges
        if r.min_row == r.max_row == 2
    }
    column, expected = 4, {}
    for category_id, category in position.categories.items():
        count = sum(k.category == category_id for k in position.kpis)
        expected[(column, column + count - 1)] = category.name.zh
        column += count
    expected[(column, column + len(position.categories) - 1)] = "小计"
    assert merged_in_row_2 == expected
    kpi_headings = [c.value for c in sheet[3][3 : 3 + len(position.kpis)]]
    assert kpi_headings[0] == "客户满意度 (15)"
    assert kpi_headings == [f"{k.name.zh} ({k.weight:g})" for k in position.kpis]
    assert [c.value for c in sheet[2][-4:]] == ["总分", "等级", "岗位排名", "备注"]


def test_targets_and_rules_are_under_the_header(book: Workbook) -> None:
    sheet = book["售后服务主管"]
    assert (sheet["A4"].value, sheet["D4"].value) == ("目标值", "≥ 90%")
    assert sheet["A5"].value == "计分规则"
    assert sheet["D5"].value.startswith("实际 ÷ 目标 × 15")


def test_points_totals_grades_and_ranks_are_the_appraisals(
    appraisal: Appraisal, book: Workbook
) -> None:
    scheme = appraisal.scheme
    for position_id, sheet_name in (("supervisor", "售后服务主管"), ("specialist", "售后服务专员")):
        position = scheme.positions[position_id]
        scores = appraisal.scores.loc[appraisal.scores["position"] == position_id]
        written = people(book[sheet_name])
        assert sorted(written) == sorted(scores["employee_id"])
        for record in scores.to_dict("records"):
            row = written[record["employee_id"]]
            for kpi in position.kpis:
                assert row[f"{kpi.name.zh} ({kpi.weight:g})"] == exact(record[kpi.id])
            for category_id, category in position.categories.items():
                heading = f"{category.name.zh} ({category.points:g})"
                assert row[heading] == exact(record[category_id])
            assert row["总分"] == exact(record["total"])
            assert (row["等级"], row["岗位排名"]) == (record["grade"], record["rank"])
            assert (unquoted(row["姓名"]), unquoted(row["团队"])) == (
                record["name"],
                record["team"],
            )


def test_numbers_are_numeric_cells_shown_with_two_decimals(book: Workbook) -> None:
    sheet = book["售后服务专员"]
    points = sheet.iter_rows(min_row=FIRST_PERSON_ROW, min_col=4, max_col=sheet.max_column - 3)
    cells = [cell for row in points for cell in row]
    assert len(cells) == 50 * (11 + 3 + 1)  # people × (KPIs + subtotals + total)
    assert {(c.data_type, c.number_format) for c in cells} == {("n", "0.00")}
    ranks = [row[0] for row in sheet.iter_rows(min_row=FIRST_PERSON_ROW, min_col=20, max_col=20)]
    assert {(c.data_type, c.number_format, type(c.value)) for c in ranks} == {("n", "0", int)}


@pytest.mark.parametrize("text", [HYPERLINK, DDE_TEAM, AT_NAME, MINUS_NAME])
def test_formula_like_text_comes_back_as_quoted_text(book: Workbook, text: str) -> None:
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value == "'" + text]
    assert cells, f"{text!r} not found quoted"
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_no_cell_holds_a_formula(book: Workbook, written: Path) -> None:
    assert not [c for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(written) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        assert not [n for n in sheets if re.search(rb"<f[ >]", archive.read(n))]


def test_team_ranking_sheet(appraisal: Appraisal, book: Workbook) -> None:
    expected = team_ranking(appraisal.scores, scheme=appraisal.scheme)
    sheet = book["团队排名"]
    assert [c.value for c in sheet[2]] == ["排名", "团队", "人数", "平均分", "等级"]
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert [[r[0], unquoted(r[1]), r[2], r[3], r[4]] for r in rows] == expected[
        ["rank", "team", "headcount", "mean_total", "grade"]
    ].values.tolist()
    assert sheet["D3"].number_format == "0.00"


def test_excluded_sheet_gives_each_person_and_reason(appraisal: Appraisal, book: Workbook) -> None:
    sheet = book["未参加考核"]
    assert [c.value for c in sheet[2]] == ["工号", "姓名", "岗位", "团队", "原因"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert sorted(rows) == sorted(appraisal.excluded["employee_id"])
    assert rows["E013"][1:3] == ("'" + MINUS_NAME, "售后服务专员")
    assert rows["E013"][4] == "试用期人员不参加考核"


def test_about_sheet_says_what_the_file_is(book: Workbook) -> None:
    items = dict(book["说明"].iter_rows(min_row=3, max_col=2, values_only=True))
    assert items["考核方案"] == "售后团队绩效考核"
    assert items["方案编号"] == "after_sales_team"
    assert items["方案文件"].endswith("after_sales_team.yaml")
    assert items["考核周期"] == "2026-Q3"
    assert items["工具版本"] == f"kpi-toolkit {__version__}"
    assert isinstance(items["生成时间"], datetime)
    bands = {k: items[k] for k in ("优秀", "良好", "合格", "不合格")}
    assert bands == {
        "优秀": "[90, 100]",
        "良好": "[80, 90)",
        "合格": "[60, 80)",
        "不合格": "[0, 60)",
    }


def test_layout_freezes_fills_fits_and_prints(book: Workbook) -> None:
    sheet = book["售后服务专员"]
    assert sheet.freeze_panes == "C4"  # below the header, right of the name
    assert sheet.print_title_rows == "$2:$3"
    setup = sheet.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet["A2"].font.b and sheet["A2"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet["A2"].border.left.style == "thin"
    grade_fills = {
        row[0].value: row[0].fill.fgColor.rgb[-6:]
        for row in sheet.iter_rows(min_row=FIRST_PERSON_ROW, min_col=19, max_col=19)
    }
    # the grades' colours of every chart and page (palette), as tints
    assert grade_fills["优秀"] == tint(GRADE_STEPS[0])[1:].upper()
    assert grade_fills["不合格"] == tint(GRADE_STEPS[-1])[1:].upper()
    teams = book["售后服务主管"].column_dimensions["C"].width
    assert teams == 2 * len("华东服务组") + 2  # wide characters count double, plus a margin


def test_english_headings(english: Workbook) -> None:
    assert english.sheetnames == EN_SHEETS
    sheet = english["After-sales supervisor"]
    assert (
        sheet["A1"].value == "After-sales team appraisal · After-sales supervisor · period 2026-Q3"
    )
    assert [c.value for c in sheet[2][:4]] == ["Employee ID", "Name", "Team", "Work performance"]
    assert [c.value for c in sheet[2][-4:]] == ["Total", "Grade", "Rank in position", "Notes"]
    assert sheet["D3"].value == "Customer satisfaction (15)"
    assert sheet["A4"].value == "Target"
    grades = {row["Grade"] for row in people(sheet).values()}
    assert grades <= {"Excellent", "Good", "Pass", "Fail"}
    assert [c.value for c in english["Team ranking"][2]] == [
        "Rank",
        "Team",
        "Headcount",
        "Mean total",
        "Grade",
    ]


def test_sheet_titles_are_made_safe_for_excel(appraisal: Appraisal, tmp_path: Path) -> None:
    scheme = appraisal.scheme
    renamed = {
        "supervisor": "主管/组长: [A]*? " + "长" * 40,
        "specialist": "团队排名",  # the name of a sheet that comes later
    }
    positions = {
        pid: p.model_copy(update={"name": p.name.model_copy(update={"zh": renamed[pid]})})
        if pid in renamed
        else p
        for pid, p in scheme.positions.items()
    }
    odd = dataclasses.replace(appraisal, scheme=scheme.model_copy(update={"positions": positions}))
    titles = load_workbook(write_scores_excel(odd, tmp_path / "odd.xlsx")).sheetnames
    assert titles[0] == ("主管_组长_ _A___ " + "长" * 40)[:31]
    assert titles[1:3] == ["团队排名", "团队排名 (2)"]
    assert all(len(t) <= 31 and not re.search(r"[\[\]:*?/\\]", t) for t in titles)
    assert len({t.casefold() for t in titles}) == len(titles)


@pytest.mark.parametrize("old", [None, b"the old report"])
def test_a_failed_export_leaves_no_file_or_the_old_one(
    appraisal: Appraisal, tmp_path: Path, old: bytes | None
) -> None:
    path = tmp_path / "scores.xlsx"
    if old is not None:
        path.write_bytes(old)
    broken = dataclasses.replace(appraisal, scores=appraisal.scores.drop(columns="grade_id"))
    with pytest.raises(KeyError, match="grade_id"):
        write_scores_excel(broken, path)
    assert sorted(tmp_path.iterdir()) == ([] if old is None else [path])
    assert old is None or path.read_bytes() == old


def test_a_failed_replace_leaves_no_temporary_file(appraisal: Appraisal, tmp_path: Path) -> None:
    taken = tmp_path / "scores.xlsx"
    taken.mkdir()  # a folder where the file should go: bad input naming it
    with pytest.raises(InputError, match=r"scores\.xlsx: is a folder"):
        write_scores_excel(appraisal, taken)
    assert [p.name for p in tmp_path.iterdir()] == ["scores.xlsx"]
    assert taken.is_dir() and not any(taken.iterdir())


def test_characters_xml_cannot_hold_are_replaced(appraisal: Appraisal, tmp_path: Path) -> None:
    # A lone surrogate (text decoded with errors="surrogateescape") would make a file that
    # neither Excel nor openpyxl opens; a control character makes openpyxl refuse.
    scores = appraisal.scores.astype({"name": object})  # Arrow strings refuse surrogates
    scores.loc[0, "name"] = "张\udc80\x01伟"
    odd = dataclasses.replace(appraisal, scores=scores)
    book = load_workbook(write_scores_excel(odd, tmp_path / "odd.xlsx"))
    position = odd.scheme.positions[scores.loc[0, "position"]].name.zh
    assert people(book[position])[scores.loc[0, "employee_id"]]["姓名"] == "张\ufffd\ufffd伟"


def test_a_name_without_xlsx_is_refused_before_anything_is_written(
    appraisal: Appraisal, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match=r"scores\.xls: unsupported file extension.*'\.xls'"):
        write_scores_excel(appraisal, tmp_path / "scores.xls")
    assert not any(tmp_path.iterdir())


# --- the one table writer (CSV meant for Excel) ----------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("-1.5", "-1.5"),
        ("+3", "+3"),
        ("张三", "张三"),
    ],
)
def test_csv_text_never_runs_as_a_formula(tmp_path: Path, text: str, written: str) -> None:
    from kpi_toolkit.reports.excel import write_table

    path = write_table(pd.DataFrame({"name": [text], "total": [-1.5]}), tmp_path / "t.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["name"].tolist() == [written]
    assert back["total"].tolist() == ["-1.5"]  # numbers stay numbers


def test_csv_keeps_the_types_of_a_mixed_column(tmp_path: Path) -> None:
    from kpi_toolkit.reports.excel import table_csv

    frame = pd.DataFrame({"target": pd.Series([0.97, 130, "=1"], dtype=object)})
    assert table_csv(frame).splitlines() == ["target", "0.97", "130", "'=1"]
