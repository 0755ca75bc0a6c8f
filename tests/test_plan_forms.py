"""Plan forms (《工作目标计划表》) out (kpi forms --kind plan) and back (kpi collect --kind
plan): the round trip to the exact plans table, the form's layout, validation and
protection, tampering and missing approvals refused with their cells, the CLI's exit codes."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import MergedCell

from kpi_toolkit.cli import main
from kpi_toolkit.engine.inputs import check_roster, read_table
from kpi_toolkit.engine.scheme import scheme_from_dict
from kpi_toolkit.errors import DataError
from kpi_toolkit.periods import parse_period
from kpi_toolkit.reports.collect import PLAN_COLUMNS, collect_plan_forms
from kpi_toolkit.reports.form_identity import IDENTITY_SHEET, read_identity
from kpi_toolkit.reports.forms import rating_form
from kpi_toolkit.reports.plan_form import write_plan_forms

PERIOD = "2026-Q3"
SHEET = "工作目标计划表"
HEADER = ("类别", "指标", "权重", "默认目标", "默认目标值", "评分标准", "本人目标", "备注")
TARGET, NOTE, NAME, DATE = "G", "H", "B", "C"


def plan_scheme() -> dict:
    """A clerk with a ratio and a count scored on their targets, and an error rate scored
    on fixed bands (no target)."""
    return {
        "id": "plans_small",
        "name": "计划测试方案",
        "positions": {
            "clerk": {
                "name": "文员",
                "period": "quarter",
                "categories": {
                    "performance": {"name": "工作业绩", "points": 70},
                    "quality": {"name": "工作质量", "points": 30},
                },
                "kpis": [
                    {
                        "id": "on_time",
                        "name": "报告准时率",
                        "category": "performance",
                        "weight": 40,
                        "kind": "ratio",
                        "target": 0.95,
                        "target_text": "≥ 95%",
                        "rule": {"kind": "linear"},
                    },
                    {
                        "id": "tickets",
                        "name": "工单数",
                        "category": "performance",
                        "weight": 30,
                        "kind": "count",
                        "target": 120,
                        "rule": {"kind": "linear"},
                    },
                    {
                        "id": "errors",
                        "name": "差错率",
                        "category": "quality",
                        "weight": 30,
                        "kind": "ratio",
                        "rule": {
                            "kind": "bands",
                            "better": "lower",
                            "bands": [
                                {"from": 0, "to": 0.01, "points": 30},
                                {"from": 0.01, "to": 1, "points": 0},
                            ],
                        },
                    },
                ],
            }
        },
    }


def plan_roster(*, lines: bool = True) -> pd.DataFrame:
    """A chief (not appraised), two clerks under the chief, a clerk on probation."""
    people = [
        ("B1", "王主管", "chief", "regular", ""),
        ("C1", "李一", "clerk", "regular", "B1"),
        ("C2", "赵二", "clerk", "regular", "B1"),
        ("P1", "钱三", "clerk", "probation", "B1"),
    ]
    roster = pd.DataFrame(
        people, columns=["employee_id", "name", "position", "status", "manager_id"]
    ).assign(team="一组")
    return roster if lines else roster.drop(columns="manager_id")


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    found = {"scheme": tmp_path / "plans_small.yaml", "roster": tmp_path / "roster.csv"}
    text = yaml.safe_dump(plan_scheme(), allow_unicode=True, sort_keys=False)
    found["scheme"].write_text(text, "utf-8")
    plan_roster().to_csv(found["roster"], index=False, encoding="utf-8-sig")
    found["forms"] = tmp_path / "plans"
    return found


def args(paths: dict[str, Path], command: str, *more: object, period: str = PERIOD) -> list[str]:
    where = "--out-dir" if command == "forms" else "--forms"
    org = ["--scheme", paths["scheme"], "--roster", paths["roster"], "--period", period]
    return [str(a) for a in [command, "--kind", "plan", *org, where, paths["forms"], *more]]


def run(capsys: pytest.CaptureFixture, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write(paths: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, args(paths, "forms"))
    assert code == 0, out
    assert "2 份工作目标计划表(共 6 项指标,其中 4 项可设个人目标)" in out


def layout(path: Path) -> tuple[openpyxl.Workbook, dict[str, int]]:
    """The workbook and the rows of its header, its KPIs and its signature block."""
    book = openpyxl.load_workbook(path)
    identity = read_identity(book)
    assert identity is not None
    header, sign = int(identity.get("header_row") or 0), int(identity.get("sign_row") or 0)
    rows = {kpi: header + i for i, (_, kpi) in enumerate(identity.rows, start=1)}
    return book, {"header": header, "sign": sign, **rows, "superior": sign + 2}


def fill(
    path: Path,
    targets: dict[str, object],
    *,
    notes: dict[str, str] | None = None,
    approved: tuple[object, object] | None = None,
    cells: dict[str, object] | None = None,
) -> None:
    """Type a person's targets (by KPI id), notes, the superior's name and date, and any
    other cells (``"G14": …``) into a plan, as people would."""
    book, at = layout(path)
    sheet = book[SHEET]
    for kpi, value in targets.items():
        sheet[f"{TARGET}{at[kpi]}"] = value
    for kpi, note in (notes or {}).items():
        sheet[f"{NOTE}{at[kpi]}"] = note
    if approved is not None:
        name, day = approved
        if name is not None:  # None: as pre-filled
            sheet[f"{NAME}{at['superior']}"] = name
        sheet[f"{DATE}{at['superior']}"] = day
    for ref, value in (cells or {}).items():
        sheet[ref] = value
    book.save(path)


def form_of(paths: dict[str, Path], employee: str) -> Path:
    (path,) = paths["forms"].glob(f"{employee}_*.xlsx")
    return path


def test_round_trip_gives_the_exact_plans_table(
    paths: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    write(paths, capsys)
    assert sorted(p.name for p in paths["forms"].iterdir()) == ["C1_李一.xlsx", "C2_赵二.xlsx"]
    fill(
        form_of(paths, "C1"),
        {"on_time": 0.97, "tickets": 130},
        notes={"tickets": "新产品线上线"},
        approved=(None, datetime(2026, 7, 3)),  # the superior's name stays as pre-filled
    )
    fill(form_of(paths, "C2"), {"on_time": "96%"}, approved=("B1", "2026年7月4日"))
    out = paths["forms"].parent / "plans.csv"
    code, stdout, err = run(capsys, [*args(paths, "collect"), "--out", str(out)])
    assert code == 0, err
    assert "已交回 2 / 2 份计划表;2 人设了个人目标,共 3 项" in stdout
    table = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    expected = pd.DataFrame(
        [
            ["C1", PERIOD, "on_time", "0.97", "王主管", "2026-07-03", "", "", "", ""],
            ["C1", PERIOD, "tickets", "130", "王主管", "2026-07-03", "", "", "", "新产品线上线"],
            ["C2", PERIOD, "on_time", "0.96", "B1", "2026-07-04", "", "", "", ""],
        ],
        columns=PLAN_COLUMNS,
    )
    pd.testing.assert_frame_equal(table, expected)


def test_blank_plans_write_no_rows_and_need_no_approval(
    paths: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    write(paths, capsys)
    form_of(paths, "C2").unlink()  # not returned
    code, out, err = run(capsys, args(paths, "collect"))
    assert code == 0
    assert out.strip() == ",".join(PLAN_COLUMNS)
    assert "已交回 1 / 2 份计划表;0 人设了个人目标,共 0 项" in err
    assert "未交回(1 份):C2 赵二" in err


def test_the_form_is_prefilled_validated_and_protected(
    paths: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    write(paths, capsys)
    book, at = layout(form_of(paths, "C1"))
    sheet = book[SHEET]
    assert book.sheetnames == [SHEET, IDENTITY_SHEET]
    assert book[IDENTITY_SHEET].sheet_state == "veryHidden"
    assert sheet["A1"].value == f"《工作目标计划表》 {PERIOD}"
    assert sheet["A2"].value == "被考核人:C1 李一    岗位:文员    团队:一组"
    head = [sheet.cell(at["header"], c).value for c in range(1, 9)]
    assert tuple(head) == HEADER
    row = [sheet.cell(at["on_time"], c).value for c in range(1, 7)]
    assert row[:5] == ["工作业绩", "报告准时率", 40, "≥ 95%", 0.95]
    on_time = scheme_from_dict(plan_scheme()).positions["clerk"].kpi("on_time")
    assert row[5] == on_time.rule.describe(weight=40, target=0.95)  # as the reports say it
    assert sheet.cell(at["tickets"], 4).value == "120"
    assert sheet[f"{TARGET}{at['errors']}"].value == "不适用"
    signatures = [sheet.cell(at["sign"] + i, 1).value for i in range(1, 4)]
    assert signatures == ["本人", "直接上级", "人力资源部"]
    assert sheet[f"{NAME}{at['superior']}"].value == "王主管"
    assert sheet[f"{NAME}{at['sign'] + 1}"].value == "李一"
    assert "直接上级的姓名和审批日期" in sheet["A8"].value
    # only the targets of KPIs that take one, their notes and the signature cells are open
    assert sheet.protection.sheet and book.security.lockStructure
    opened = {
        cell.coordinate
        for line in sheet.iter_rows(min_row=1, max_row=at["sign"] + 3, max_col=8)
        for cell in line
        if not cell.protection.locked and not isinstance(cell, MergedCell)
    }
    people = {f"{c}{at['sign'] + i}" for c in "BCD" for i in (1, 2, 3)}
    targets = {f"{c}{at[k]}" for c in (TARGET, NOTE) for k in ("on_time", "tickets")}
    assert opened == targets | people
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    ratio, count = rules[f"{TARGET}{at['on_time']}"], rules[f"{TARGET}{at['tickets']}"]
    assert (ratio.type, ratio.formula1, ratio.formula2) == ("decimal", "0", "1")
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert rules[" ".join(f"C{at['sign'] + i}" for i in (1, 2, 3))].type == "date"
    assert not any(f"{TARGET}{at['errors']}" in key for key in rules)
    assert sheet[f"{TARGET}{at['on_time']}"].number_format == "0.0%"
    identity = read_identity(book)
    assert identity is not None
    assert identity.get("kind") == "plan" and identity.get("employee_id") == "C1"
    assert identity.rows == (("C1", "on_time"), ("C1", "tickets"), ("C1", "errors"))


def test_without_reporting_lines_the_superior_is_written_by_hand(
    paths: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    plan_roster(lines=False).to_csv(paths["roster"], index=False, encoding="utf-8-sig")
    write(paths, capsys)
    book, at = layout(form_of(paths, "C1"))
    assert book[SHEET][f"{NAME}{at['superior']}"].value is None
    fill(form_of(paths, "C1"), {"tickets": 100}, approved=("王主管", "2026-07-01"))
    code, out, _ = run(capsys, args(paths, "collect"))
    assert code == 0
    assert "C1,2026-Q3,tickets,100,王主管,2026-07-01" in out


def test_tampering_and_missing_approval_are_refused_with_their_cells(
    paths: dict[str, Path], capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    write(paths, capsys)
    forms = paths["forms"]
    original = form_of(paths, "C1")
    _, at = layout(original)
    copies = {}
    for n, case in enumerate(
        ["outside", "formula", "altered", "added", "no_target", "unapproved", "bad_date"], 1
    ):
        copies[case] = forms / f"C1_李一 ({n}).xlsx"
        shutil.copy(original, copies[case])
    original.unlink()
    sign, superior = at["sign"], at["superior"]
    fill(copies["outside"], {"on_time": 1.5, "tickets": 12.5}, approved=("王主管", "2026-07-01"))
    fill(copies["formula"], {"tickets": "=100+20"}, approved=("王主管", "2026-07-01"))
    fill(copies["altered"], {}, cells={f"C{at['tickets']}": 3, f"B{at['errors']}": "出错"})
    fill(copies["added"], {}, cells={f"A{sign - 1}": "补充指标", f"A{sign + 5}": "另附"})
    fill(copies["no_target"], {"errors": 0.005}, approved=("王主管", "2026-07-01"))
    fill(copies["unapproved"], {"tickets": 125}, cells={f"B{superior}": None})
    fill(copies["bad_date"], {"tickets": 125}, approved=("王主管", "七月初"))
    # another period's plan, and a workbook that is no plan
    form_of(paths, "C2").unlink()
    q2 = {**paths, "forms": tmp_path / "q2"}
    assert main(args(q2, "forms", period="2026-Q2")) == 0
    shutil.move(form_of(q2, "C2"), forms / "C2_赵二 (Q2).xlsx")
    book = openpyxl.Workbook()
    book.active["A1"] = "工单数"
    book.save(forms / "C2_赵二 (list).xlsx")
    capsys.readouterr()
    code, out, err = run(capsys, args(paths, "collect"))
    assert code == 2 and out == ""
    assert "Traceback" not in err
    lines = err.splitlines()

    def said(file: Path, *parts: str) -> bool:
        return any(file.name in line and all(p in line for p in parts) for line in lines)

    assert said(copies["outside"], f"{SHEET}!G{at['on_time']}", "1.5", "0 到 1", "报告准时率")
    assert said(copies["outside"], f"{SHEET}!G{at['tickets']}", "12.5", "整数")
    assert said(copies["formula"], f"{SHEET}!G{at['tickets']}", "公式")
    assert said(copies["altered"], f"{SHEET}!C{at['tickets']}", "修改", "30")
    assert said(copies["altered"], f"{SHEET}!B{at['errors']}", "出错", "差错率")
    assert said(copies["added"], f"{SHEET}!A{sign - 1}", "补充指标")
    assert said(copies["added"], f"{SHEET}!A{sign + 5}", "另附")
    assert said(copies["no_target"], f"{SHEET}!G{at['errors']}", "不使用目标值", "0.005")
    assert said(copies["unapproved"], f"{SHEET}!B{superior}, {SHEET}!C{superior}", "审批")
    assert said(copies["bad_date"], f"{SHEET}!C{superior}", "七月初", "不是有效的日期")
    assert not said(copies["bad_date"], "审批")  # reported once, as not a date
    assert said(forms / "C2_赵二 (Q2).xlsx", f"{IDENTITY_SHEET}!B6", "2026-Q2", PERIOD)
    assert said(forms / "C2_赵二 (list).xlsx", "不是工作目标计划表")
    assert f"{len([line for line in lines if line.startswith('  - ')])} 处问题" in err


def test_another_scheme_another_kind_and_another_person_are_refused(
    paths: dict[str, Path], capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    write(paths, capsys)
    forms = paths["forms"]
    changed = plan_scheme()
    changed["positions"]["clerk"]["kpis"][0]["target"] = 0.9
    other = {**paths, "scheme": tmp_path / "changed.yaml", "forms": tmp_path / "other"}
    other["scheme"].write_text(yaml.safe_dump(changed, allow_unicode=True), "utf-8")
    assert main(args(other, "forms")) == 0
    form_of(paths, "C2").unlink()
    shutil.move(form_of(other, "C2"), forms / "C2_赵二 (new).xlsx")
    roster = check_roster(read_table(paths["roster"]))
    scheme = scheme_from_dict(plan_scheme())
    people = write_plan_forms(
        roster.assign(status="regular"),
        scheme=scheme,
        period=parse_period(PERIOD),
        out_dir=tmp_path / "all",
    )
    assert "P1" in set(people["employee_id"])
    shutil.copy(tmp_path / "all" / "P1_钱三.xlsx", forms / "P1_钱三.xlsx")
    capsys.readouterr()
    with pytest.raises(DataError) as caught:
        collect_plan_forms(forms, roster=roster, scheme=scheme, period=parse_period(PERIOD))
    problems = {(Path(p.file or "").name, p.where): p for p in caught.value.problems}
    digest = problems[("C2_赵二 (new).xlsx", f"{IDENTITY_SHEET}!B5")]
    assert "方案已修改" in digest.message
    stranger = problems[("P1_钱三.xlsx", f"{IDENTITY_SHEET}!B7")]
    assert stranger.value == "P1" and "不参加考核" in stranger.message


def test_a_rating_form_is_not_a_plan(
    paths: dict[str, Path], capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    write(paths, capsys)
    rated = scheme_from_dict(plan_scheme())
    roster = check_roster(read_table(paths["roster"]))
    rows = pd.DataFrame(
        {
            "employee_id": ["C1"],
            "name": ["李一"],
            "kpi_id": ["tickets"],
            "rater_id": ["B1"],
            "rater_name": ["王主管"],
            "rater_group": ["superior"],
            "position": ["clerk"],
        }
    )
    rating_form(rows, scheme=rated, period=parse_period(PERIOD)).save(
        paths["forms"] / "C1_李一 (rating).xlsx"
    )
    with pytest.raises(DataError) as caught:
        collect_plan_forms(paths["forms"], roster=roster, scheme=rated, period=parse_period(PERIOD))
    (problem,) = caught.value.problems
    assert problem.where == f"{IDENTITY_SHEET}!B3"
    assert (problem.value, problem.allowed) == ("ratings", "plan")


def test_cli_exit_codes(paths: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    write(paths, capsys)
    code, _, err = run(capsys, [*args(paths, "collect")[:-2], "--forms", "/no/such/folder"])
    assert code == 2 and "计划表文件夹不存在" in err
    fill(form_of(paths, "C1"), {"tickets": 125})
    code, _, err = run(capsys, args(paths, "collect"))
    assert code == 2 and "计划须经直接上级审批" in err and "Traceback" not in err
    code, _, err = run(capsys, args(paths, "forms", period="2026-13"))
    assert code == 2


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.integers(0, 10_000).map(lambda n: n / 10_000))  # 0.01 % steps
def test_any_ratio_in_its_domain_comes_back_as_typed(
    target: float, paths: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    if not paths["forms"].exists():
        write(paths, capsys)
    path = form_of(paths, "C1")
    fill(path, {"on_time": target}, approved=("王主管", datetime(2026, 7, 1)))
    collected = collect_plan_forms(
        paths["forms"],
        roster=check_roster(read_table(paths["roster"])),
        scheme=scheme_from_dict(plan_scheme()),
        period=parse_period(PERIOD),
    )
    assert collected.plans["target"].tolist() == [target]
