"""Rating forms out (kpi forms) and back (kpi collect): the round trip on the sample, the
form's layout and protection, tampering refused with its cell, hostile names, and the self
round before the superior's."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_toolkit.cli import main
from kpi_toolkit.engine.inputs import check_roster
from kpi_toolkit.engine.raters import assign_raters, ratings_for
from kpi_toolkit.engine.scheme import builtin_scheme, scheme_from_dict
from kpi_toolkit.periods import parse_period
from kpi_toolkit.reports.collect import collect_rating_forms
from kpi_toolkit.reports.excel import cell_text
from kpi_toolkit.reports.form_identity import IDENTITY_SHEET, read_identity
from kpi_toolkit.reports.forms import write_rating_forms
from kpi_toolkit.sample.department import write_sample
from kpi_toolkit.sample.fill_forms import fill_forms

PERIOD = "2026-Q3"
HEADER = ("被评人编号", "被评人", "评价关系", "指标", "评分", "说明")
SCALE = {"很满意": 3, "较满意": 2, "不满意": 1, "很不满意": 0}


def run(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample(directory)
    return directory


def org(sample: Path, command: str, folder: Path, *more: object) -> list[object]:
    """The arguments of kpi forms/collect on the sample, 2026-Q3."""
    where = "--out-dir" if command == "forms" else "--forms"
    scheme = ["--scheme", "after_sales_team", "--roster", sample / "roster.csv"]
    return [command, *scheme, "--period", PERIOD, where, folder, *more]


@pytest.fixture(scope="module")
def blank_forms(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("forms") / "2026-Q3"
    assert main([str(a) for a in org(sample, "forms", folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def filled_forms(sample: Path, blank_forms: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("filled") / "2026-Q3"
    shutil.copytree(blank_forms, folder)
    ratings = team_ratings(sample)
    fill_forms(folder, ratings=ratings)
    return folder


def team_ratings(sample: Path) -> pd.DataFrame:
    """The sample's ratings under after_sales_team (the file holds every scheme's), the
    teamwork ratings as numbers."""
    table = ratings_for(
        pd.read_csv(sample / "ratings.csv", encoding="utf-8-sig", dtype={"value": str}),
        scheme=builtin_scheme("after_sales_team"),
    ).drop(columns="_row")
    return table.assign(value=table["value"].astype(float)).reset_index(drop=True)


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "returned"
    shutil.copytree(folder, target)
    return target


def score_table(capsys, sample: Path, ratings: Path, out: Path) -> pd.DataFrame:
    code, _, err = run(
        capsys,
        "score",
        "--scheme",
        "after_sales_team",
        "--actuals",
        sample / "actuals_after_sales_team.csv",
        "--roster",
        sample / "roster.csv",
        "--ratings",
        ratings,
        "--period",
        PERIOD,
        "--out",
        out,
    )
    assert code == 0, err
    return pd.read_csv(out, encoding="utf-8-sig")


# --- the round trip -------------------------------------------------------------------


def test_forms_filled_and_collected_score_as_the_sample_ratings(
    sample: Path, blank_forms: Path, filled_forms: Path, tmp_path: Path, capsys
):
    collected = tmp_path / "ratings_collected.csv"
    code, out, err = run(capsys, *org(sample, "collect", filled_forms), "--out", collected)
    assert code == 0, err
    table = pd.read_csv(collected, encoding="utf-8-sig")
    assert list(table.columns) == [
        "employee_id",
        "period",
        "kpi_id",
        "rater_id",
        "rater_group",
        "value",
    ]
    given = team_ratings(sample)
    given = given.loc[given["period"] == PERIOD]
    keys = ["employee_id", "kpi_id", "rater_id", "rater_group"]
    assert (
        table.sort_values(keys)
        .reset_index(drop=True)
        .equals(given.sort_values(keys).reset_index(drop=True)[table.columns])
    )
    # completeness: the raters who rated nobody kept their forms back; the rows the sample
    # has no rating for are blank
    forms = sorted(p.name.split("_")[0] for p in blank_forms.glob("*.xlsx"))
    silent = sorted(set(forms) - set(given["rater_id"]))
    assert silent, "the sample has raters who rate nobody"
    assert f"已交回 {len(forms) - len(silent)} / {len(forms)} 份评分表" in out
    assert f"未交回({len(silent)} 份):" in out and all(r in out for r in silent)
    assert f"已评 {len(given)} / " in out and "交回但留空" in out
    assert "未收齐的评价(按被评人和评价关系)" in out and "同级" in out
    by_hand = score_table(capsys, sample, sample / "ratings.csv", tmp_path / "a.csv")
    from_forms = score_table(capsys, sample, collected, tmp_path / "b.csv")
    pd.testing.assert_frame_equal(from_forms, by_hand)


def test_forms_out_say_where_and_how_many(sample: Path, tmp_path: Path, capsys):
    code, out, _ = run(capsys, *org(sample, "forms", tmp_path / "f"))
    assert code == 0
    forms = sorted((tmp_path / "f").glob("*.xlsx"))
    assert f"{len(forms)} 份评分表" in out and str((tmp_path / "f").resolve()) in out
    assigned = pd.read_csv(sample / "roster.csv", encoding="utf-8-sig")
    assert {p.name.split("_")[0] for p in forms} <= set(assigned["employee_id"])


# --- the form -------------------------------------------------------------------------


def table_of(book: openpyxl.Workbook) -> tuple[Any, int, int]:
    """The ratings sheet, its header row and its number of rows (from the identity)."""
    identity = read_identity(book)
    assert identity is not None
    return book["评分"], int(identity.get("header_row") or 0), len(identity.rows)


def validation_of(sheet: Any, cell: str) -> Any:
    found = [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, cell
    return found[0]


def test_a_form_has_the_header_validation_protection_and_hidden_identity(blank_forms: Path):
    path = next(blank_forms.glob("E004_*.xlsx"))
    book = openpyxl.load_workbook(path)
    sheet, header, count = table_of(book)
    assert count > 0
    assert tuple(c.value for c in sheet[header]) == HEADER
    title = sheet.cell(1, 1).value
    assert PERIOD in title and "E004" in title
    above = " ".join(str(sheet.cell(r, 1).value) for r in range(2, header))
    assert "留空" in above and "1 到 5" in above  # instructions in Chinese, with the range
    for row in range(header + 1, header + count + 1):
        rule = validation_of(sheet, f"E{row}")
        assert (rule.type, rule.operator, rule.formula1, rule.formula2) == (
            "decimal",
            "between",
            "1",
            "5",
        )
        assert rule.showErrorMessage and "1 到 5" in rule.error
        assert sheet.cell(row, 5).protection.locked is False
        for column in (1, 2, 3, 4, 6):
            assert sheet.cell(row, column).protection.locked is not False
        assert sheet.cell(row, 3).value in ("直接上级", "直接下级", "同级")
        assert sheet.cell(row, 4).value == "团队协作评分"
    assert sheet.protection.sheet and not sheet.protection.password
    assert book[IDENTITY_SHEET].sheet_state in ("hidden", "veryHidden")
    identity = read_identity(book)
    assert identity is not None
    assert identity.get("marker") == "kpi-toolkit rating form"
    assert identity.get("rater_id") == "E004" and identity.get("period") == PERIOD
    assert identity.get("scheme_id") == "after_sales_team" and identity.get("round") == "all"
    assert len(identity.get("scheme_digest") or "") == 64
    assert [r[0] for r in identity.rows] == [
        sheet.cell(r, 1).value for r in range(header + 1, header + count + 1)
    ]


# --- a small scheme of our own: labels, points, counts; self then superior ------------


def small_scheme() -> dict:
    return {
        "id": "small",
        "name": "小方案",
        "positions": {
            "clerk": {
                "name": "文员",
                "period": "quarter",
                "raters": {"superior": 1.0, "self": "shown"},
                "categories": {
                    "performance": {"name": "工作业绩", "points": 40},
                    "ability": {"name": "工作能力", "points": 30},
                    "attitude": {"name": "工作态度", "points": 30},
                },
                "kpis": [
                    {
                        "id": "complaints",
                        "name": "投诉",
                        "category": "performance",
                        "weight": 40,
                        "kind": "count",
                        "rule": {"kind": "deduct_per_unit", "per_unit": 10},
                    },
                    {
                        "id": "judgement",
                        "name": "工作质量",
                        "category": "ability",
                        "weight": 20,
                        "kind": "rating",
                        "source": "ratings",
                        "rule": {"kind": "manual"},
                    },
                    {
                        "id": "ideas",
                        "name": "合理化建议",
                        "category": "ability",
                        "weight": 10,
                        "kind": "count",
                        "target": 4,
                        "source": "ratings",
                        "rule": {"kind": "linear"},
                    },
                    {
                        "id": "service",
                        "name": "服务态度",
                        "category": "attitude",
                        "weight": 30,
                        "kind": "rating",
                        "source": "ratings",
                        "rule": {"kind": "scale", "labels": SCALE},
                    },
                ],
            }
        },
    }


def small_roster(**names: str) -> pd.DataFrame:
    people = [("B1", "chief", ""), ("C1", "clerk", "B1"), ("C2", "clerk", "B1")]
    return pd.DataFrame(
        {
            "employee_id": [p[0] for p in people],
            "name": [names.get(p[0], f"员工{p[0]}") for p in people],
            "position": [p[1] for p in people],
            "team": "一组",
            "status": "regular",
            "manager_id": [p[2] for p in people],
        }
    )


@pytest.fixture
def small(tmp_path: Path) -> dict[str, Path]:
    scheme = scheme_from_dict(small_scheme())  # a valid scheme
    assert scheme.positions["clerk"].raters == {"superior": 1.0, "self": 0.0}
    paths = {"scheme": tmp_path / "small.yaml", "roster": tmp_path / "roster.csv"}
    paths["scheme"].write_text(
        yaml.safe_dump(small_scheme(), allow_unicode=True, sort_keys=False), "utf-8"
    )
    small_roster().to_csv(paths["roster"], index=False, encoding="utf-8-sig")
    paths["actuals"] = tmp_path / "actuals.csv"
    pd.DataFrame({"employee_id": ["C1", "C2"], "period": PERIOD, "complaints": [0, 1]}).to_csv(
        paths["actuals"], index=False
    )
    return paths


def small_args(paths: dict[str, Path], command: str, folder: Path, *more: object) -> list:
    where = "--out-dir" if command == "forms" else "--forms"
    scheme = ["--scheme", paths["scheme"], "--roster", paths["roster"]]
    return [command, *scheme, "--period", PERIOD, where, folder, *more]


def fill(path: Path, values: dict[tuple[str, str], object]) -> None:
    """Type values into a form's 评分 cells by (ratee, KPI id), as a rater would."""
    book = openpyxl.load_workbook(path)
    sheet, header, _ = table_of(book)
    identity = read_identity(book)
    assert identity is not None
    for row, (ratee, kpi, _) in enumerate(identity.rows, start=header + 1):
        if (ratee, kpi) in values:
            sheet.cell(row, 5).value = values[(ratee, kpi)]
    book.save(path)


def test_each_kind_of_kpi_gets_its_validation(small: dict[str, Path], tmp_path: Path, capsys):
    code, _, err = run(capsys, *small_args(small, "forms", tmp_path / "f"))
    assert code == 0, err
    book = openpyxl.load_workbook(tmp_path / "f" / "B1_员工B1.xlsx")
    sheet, header, count = table_of(book)
    kinds = {}
    for row in range(header + 1, header + count + 1):
        rule = validation_of(sheet, f"E{row}")
        kinds[sheet.cell(row, 4).value] = (rule.type, rule.operator, rule.formula1, rule.formula2)
        assert sheet.cell(row, 3).value == "直接上级"
    assert kinds == {
        "服务态度": ("list", None, '"很满意,较满意,不满意,很不满意"', None),
        "工作质量": ("decimal", "between", "0", "20"),
        "合理化建议": ("whole", "greaterThanOrEqual", "0", None),
    }
    assert "很满意 / 较满意" in sheet.cell(header + 1, 6).value or any(
        "很满意" in str(sheet.cell(r, 6).value) for r in range(header + 1, header + count + 1)
    )


def test_self_round_then_the_superior_sees_the_self_score(
    small: dict[str, Path], tmp_path: Path, capsys
):
    own = tmp_path / "self"
    code, out, err = run(capsys, *small_args(small, "forms", own, "--round", "self"))
    assert code == 0, err
    assert sorted(p.name for p in own.glob("*.xlsx")) == ["C1_员工C1.xlsx", "C2_员工C2.xlsx"]
    book = openpyxl.load_workbook(own / "C1_员工C1.xlsx")
    sheet, header, count = table_of(book)
    assert count == 3 and {sheet.cell(r, 3).value for r in range(header + 1, header + 4)} == {
        "本人"
    }
    fill(own / "C1_员工C1.xlsx", {("C1", "service"): "很满意", ("C1", "judgement"): 19})
    fill(own / "C2_员工C2.xlsx", {("C2", "service"): "较满意"})
    self_table = tmp_path / "self.csv"
    code, out, err = run(
        capsys, *small_args(small, "collect", own, "--round", "self", "--out", self_table)
    )
    assert code == 0, err
    assert "已交回 2 / 2 份评分表" in out and "已评 3 / 6 项" in out
    # the superior's round without the self table: a note, and 未提供
    bare = tmp_path / "bare"
    code, _, err = run(capsys, *small_args(small, "forms", bare, "--round", "superior"))
    assert code == 0 and "--self-ratings" in err
    sheet, header, _ = table_of(openpyxl.load_workbook(bare / "B1_员工B1.xlsx"))
    assert "本人自评:未提供" in sheet.cell(header + 1, 6).value
    # with it: the person's own score beside the empty cell
    boss = tmp_path / "superior"
    code, _, err = run(
        capsys,
        *small_args(small, "forms", boss, "--round", "superior", "--self-ratings", self_table),
    )
    assert code == 0, err
    assert [p.name for p in boss.glob("*.xlsx")] == ["B1_员工B1.xlsx"]
    book = openpyxl.load_workbook(boss / "B1_员工B1.xlsx")
    sheet, header, count = table_of(book)
    notes = {
        (sheet.cell(r, 1).value, sheet.cell(r, 4).value): sheet.cell(r, 6).value
        for r in range(header + 1, header + count + 1)
    }
    assert "本人自评:很满意" in notes[("C1", "服务态度")]
    assert "本人自评:19" in notes[("C1", "工作质量")]
    assert "本人自评:较满意" in notes[("C2", "服务态度")]
    assert "本人自评:未提供" in notes[("C2", "工作质量")]
    assert {sheet.cell(r, 5).value for r in range(header + 1, header + count + 1)} == {None}
    marks = {("C1", "service"): "不满意", ("C1", "judgement"): 15, ("C1", "ideas"): 4}
    marks |= {("C2", "service"): "很满意", ("C2", "judgement"): 10, ("C2", "ideas"): 2}
    fill(boss / "B1_员工B1.xlsx", marks)
    superior_table = tmp_path / "superior.csv"
    code, out, err = run(
        capsys,
        *small_args(small, "collect", boss, "--round", "superior", "--out", superior_table),
    )
    assert code == 0, err
    both = pd.concat([pd.read_csv(t, encoding="utf-8-sig") for t in (self_table, superior_table)])
    both.to_csv(tmp_path / "ratings.csv", index=False, encoding="utf-8-sig")
    code, _, err = run(
        capsys,
        "score",
        "--scheme",
        small["scheme"],
        "--actuals",
        small["actuals"],
        "--roster",
        small["roster"],
        "--ratings",
        tmp_path / "ratings.csv",
        "--period",
        PERIOD,
        "--out",
        tmp_path / "scores.csv",
    )
    assert code == 0, err
    scores = pd.read_csv(tmp_path / "scores.csv", encoding="utf-8-sig").set_index("employee_id")
    # the superior's ratings alone: C1 不满意 (1 of 3), 15 of 20, 4 ideas of 4
    assert scores.loc["C1", "service"] == pytest.approx(10.0)
    assert scores.loc["C1", "judgement"] == pytest.approx(15.0)
    assert scores.loc["C1", "total"] == pytest.approx(40 + 15 + 10 + 10)
    assert scores.loc["C2", "service"] == pytest.approx(30.0)
    assert scores.loc["C2", "total"] == pytest.approx(30 + 10 + 5 + 30)


def test_labels_ranges_and_whole_numbers_are_checked(
    small: dict[str, Path], tmp_path: Path, capsys
):
    folder = tmp_path / "superior"
    assert main([str(a) for a in small_args(small, "forms", folder, "--round", "superior")]) == 0
    form = folder / "B1_员工B1.xlsx"
    fill(form, {("C1", "service"): "非常好", ("C1", "judgement"): 25, ("C1", "ideas"): 2.5})
    code, _, err = run(capsys, *small_args(small, "collect", folder, "--round", "superior"))
    assert code == 2 and "3 处问题" in err
    assert "非常好" in err and "从下拉列表中选择:很满意 / 较满意 / 不满意 / 很不满意" in err
    assert "25" in err and "填写 0 到 20 之间的数字" in err
    assert "2.5" in err and "填写不小于 0 的整数" in err
    fill(form, {("C1", "service"): " 较满意 ", ("C1", "judgement"): "12.5", ("C1", "ideas"): 3})
    out = tmp_path / "ratings.csv"
    code, _, err = run(
        capsys, *small_args(small, "collect", folder, "--round", "superior", "--out", out)
    )
    assert code == 0, err
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("kpi_id")["value"]
    assert table.to_dict() == {"judgement": "12.5", "ideas": "3", "service": "较满意"}


# --- tampering ------------------------------------------------------------------------


def set_identity(path: Path, key: str, value: str) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[IDENTITY_SHEET]
    row = next(r for r in range(1, 20) if sheet.cell(r, 1).value == key)
    sheet.cell(row, 2).value = value
    book.save(path)


def set_cell(path: Path, row_offset: int, column: int, value: object) -> str:
    """Write into the ratings sheet ``row_offset`` rows below the header; return the cell."""
    book = openpyxl.load_workbook(path)
    sheet, header, _ = table_of(book)
    sheet.cell(header + row_offset, column).value = value
    book.save(path)
    return f"评分!{sheet.cell(header + row_offset, column).coordinate}"


def test_every_tampering_is_refused_with_its_file_and_cell_all_at_once(
    sample: Path, filled_forms: Path, tmp_path: Path, capsys
):
    folder = copy_of(filled_forms, tmp_path)
    forms = sorted(folder.glob("*.xlsx"))
    by_rater = {p.name.split("_")[0]: p for p in forms}
    set_identity(by_rater["E005"], "period", "2026-Q2")
    set_identity(by_rater["E006"], "scheme_id", "manager_post")
    set_identity(by_rater["E007"], "scheme_digest", "0" * 64)
    set_identity(by_rater["E008"], "round", "self")
    set_identity(by_rater["E009"], "rater_id", "E010")  # another rater's form, this name
    added = set_cell(by_rater["E014"], 40, 1, "E999")  # a row added below the table
    altered = set_cell(by_rater["E015"], 1, 1, "E099")  # the first ratee's id changed
    outside = set_cell(by_rater["E016"], 1, 5, 9)  # a teamwork rating of 9 (1–5)
    words = set_cell(by_rater["E017"], 2, 5, "很好")  # text in a numeric KPI
    formula = set_cell(by_rater["E018"], 1, 5, "=5*1")  # a formula: read as text, refused
    shutil.move(by_rater["E019"], folder / by_rater["E020"].name)  # a renamed file
    second = by_rater["E021"].with_name(f"{by_rater['E021'].stem} (2).xlsx")
    shutil.copy(by_rater["E021"], second)  # two forms of one rater (a mail program's copy)
    other = openpyxl.Workbook()
    other.active["A1"] = "not a form"
    other.save(folder / "notes.xlsx")
    (folder / "broken.xlsx").write_bytes(b"this is not a zip archive")
    code, out, err = run(capsys, *org(sample, "collect", folder))
    assert code == 2 and out == ""
    assert "Traceback" not in err
    lines = err.splitlines()

    def said(file: Path | str, *parts: str) -> bool:
        name = Path(file).name
        return any(name in line and all(p in line for p in parts) for line in lines)

    assert said(by_rater["E005"], f"{IDENTITY_SHEET}!B6", "考核周期", "2026-Q2", PERIOD)
    assert said(by_rater["E006"], f"{IDENTITY_SHEET}!B4", "manager_post", "after_sales_team")
    assert said(by_rater["E007"], f"{IDENTITY_SHEET}!B5", "方案已修改")
    assert said(by_rater["E008"], f"{IDENTITY_SHEET}!B7", "self", "all")
    assert said(by_rater["E009"], "E010", "E009", "改名")
    assert said(by_rater["E014"], added, "新增", "E999")
    assert said(by_rater["E015"], altered, "修改", "E099")
    assert said(by_rater["E016"], outside.split("!")[0], outside, "9", "1 到 5")
    assert said(by_rater["E017"], words, "很好", "1 到 5")
    assert said(by_rater["E018"], formula, "公式", "=5*1")
    assert said(by_rater["E020"], "E019", "E020", "改名")
    assert said(folder, "E021", "不止一份", second.name)
    assert said("notes.xlsx", "不是评分表")
    assert said("broken.xlsx", "不是可读取的 Excel 工作簿")
    assert "处问题" in err


def test_a_removed_row_and_an_added_assignment_are_named(
    sample: Path, filled_forms: Path, tmp_path: Path, capsys
):
    folder = copy_of(filled_forms, tmp_path)
    path = next(folder.glob("E004_*.xlsx"))
    book = openpyxl.load_workbook(path)
    sheet, header, count = table_of(book)
    sheet.delete_rows(header + count)  # the last row gone
    book.save(path)
    code, _, err = run(capsys, *org(sample, "collect", folder))
    assert code == 2
    assert f"评分!A{header + count}" in err and "此行被删除" in err


def test_huge_or_absurd_workbooks_are_refused(
    sample: Path, filled_forms: Path, tmp_path: Path, capsys
):
    folder = copy_of(filled_forms, tmp_path)
    with open(folder / "huge.xlsx", "wb") as handle:
        handle.truncate(21 * 2**20)  # sparse: 21 MB of nothing
    path = next(folder.glob("E004_*.xlsx"))
    book = openpyxl.load_workbook(path)
    book["评分"].cell(1_000_000, 30).value = "x"
    book.save(path)
    code, _, err = run(capsys, *org(sample, "collect", folder))
    assert code == 2
    assert "huge.xlsx" in err and "文件过大" in err
    assert path.name in err and "工作表尺寸异常" in err


# --- hostile names --------------------------------------------------------------------

HOSTILE = {
    "B1": "../../x",
    "C1": "=cmd|' /C calc'!A0",
    "C2": "CON",
}


def no_formula_anywhere(path: Path) -> bool:
    book = openpyxl.load_workbook(path)
    return all(
        cell.data_type != "f"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )


def test_hostile_names_stay_text_and_files_stay_inside(
    small: dict[str, Path], tmp_path: Path, capsys
):
    roster = small_roster(**HOSTILE)
    for person in (["C3", "长" * 300], ["../C4", "a/b\\c\x00"], ["CON", "."]):
        roster.loc[len(roster)] = [*person, "clerk", "一组", "regular", "B1"]
    roster.to_csv(small["roster"], index=False, encoding="utf-8-sig")
    folder = tmp_path / "out"
    code, _, err = run(capsys, *small_args(small, "forms", folder))
    assert code == 0, err
    made = sorted(p for p in tmp_path.rglob("*.xlsx"))
    assert len(made) == 6 and all(p.parent == folder for p in made)
    names = {p.name for p in made}
    assert {"B1_.._.._x.xlsx", "C4_a_b_c.xlsx", "_CON.xlsx", "C2_CON.xlsx"} <= names
    for path in made:
        assert len(path.name.encode()) <= 255 and not path.name.startswith(".")
        assert no_formula_anywhere(path)
    book = openpyxl.load_workbook(next(p for p in made if p.name.startswith("C1")))
    sheet, header, _ = table_of(book)
    assert sheet.cell(header + 1, 2).value == cell_text(HOSTILE["C1"])
    assert sheet.cell(header + 1, 2).data_type == "s"
    assert HOSTILE["C1"] in sheet.cell(1, 1).value  # in the title, as text
    code, _, err = run(capsys, *small_args(small, "collect", folder))
    assert code == 0, err  # blank forms: nothing rated, nothing refused
    assert "已交回 6 / 6 份评分表" in err and "已评 0 / 30 项" in err


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(min_size=0, max_size=80),
    ratee=st.text(min_size=0, max_size=40),
    rater_id=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20),
)
def test_any_names_give_a_form_inside_the_folder_that_reads_back(
    name: str, ratee: str, rater_id: str, tmp_path: Path
):
    boss = rater_id.strip() or "B"
    if boss in ("C1", "C2"):
        return
    roster = small_roster().assign(
        name=[name, ratee, "员工C2"], employee_id=[boss, "C1", "C2"], manager_id=["", boss, boss]
    )
    checked = check_roster(roster)
    scheme = scheme_from_dict(small_scheme())
    period = parse_period(PERIOD)
    assigned = assign_raters(checked, scheme=scheme, period=period)
    folder = tmp_path / "forms" / str(abs(hash((name, ratee, rater_id))))
    written = write_rating_forms(
        assigned, roster=checked, scheme=scheme, period=period, out_dir=folder, round="superior"
    )
    (path,) = [Path(p) for p in written["file"]]
    assert path.parent == folder and path.is_file()
    fill(path, {("C1", "judgement"): 12})
    collected = collect_rating_forms(
        folder, assigned=assigned, roster=checked, scheme=scheme, period=period, round="superior"
    )
    assert collected.ratings[["employee_id", "kpi_id", "value"]].values.tolist() == [
        ["C1", "judgement", 12]
    ]
    assert len(collected.completeness) == 6


# --- the command line -----------------------------------------------------------------


def test_cli_exit_codes(sample: Path, small: dict[str, Path], tmp_path: Path, capsys):
    no_lines = tmp_path / "roster.csv"
    small_roster().drop(columns="manager_id").to_csv(no_lines, index=False)
    code, _, err = run(
        capsys,
        "forms",
        "--scheme",
        small["scheme"],
        "--roster",
        no_lines,
        "--period",
        PERIOD,
        "--out-dir",
        tmp_path / "f",
    )
    assert code == 2 and "manager_id" in err and "Traceback" not in err
    code, _, err = run(capsys, *org(sample, "collect", tmp_path / "nowhere"))
    assert code == 2 and "nowhere" in err and "评分表文件夹不存在" in err
    with pytest.raises(SystemExit) as stopped:
        main(["forms", "--kind", "plan", "--scheme", "x", "--roster", "r", "--period", PERIOD])
    assert stopped.value.code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(capsys, *org(sample, "collect", empty))
    assert code == 0 and out.startswith("\ufeff") is False
    assert "已交回 0 / 58 份评分表" in err and "未交回(58 份)" in err
