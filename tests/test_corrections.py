"""Appeals and corrections as data (engine/corrections.py, reports/corrections.py, --corrections).

A small monthly_repair department, computed by hand from the seed's rules (section 3: −1
per percentage point below target, −3 per work mistake):

- M1: repair 93 % (target 95 %) → 30 − 2 = 28; report accuracy 99 % (98 %) → 10; one
  mistake → 60 − 3 = 57; total 95.00, 优秀, rank 2;
- M2: repair 96 % → 30; report accuracy 97 % → 10 − 1 = 9; one mistake → 57; total 96.00,
  优秀, rank 1.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.engine.corrections import (
    apply_corrections,
    check_corrections,
    correction_effects,
)
from kpi_toolkit.engine.scheme import builtin_scheme
from kpi_toolkit.errors import DataError
from kpi_toolkit.pipeline import appraise, resolve_inputs
from kpi_toolkit.reports.batch import plan_jobs
from kpi_toolkit.reports.context import load_context
from kpi_toolkit.reports.corrections import corrections as corrections_section
from kpi_toolkit.reports.corrections import shown

HEADER = "employee_id,period,kpi_id,old_value,new_value,reason,approved_by,approved_on\n"
FIX_M1 = "M1,2026-06,repair_task_completion_rate,0.93,0.95,返修记录漏登,S1,2026-07-05\n"


@pytest.fixture
def department(tmp_path: Path) -> Path:
    (tmp_path / "roster.csv").write_text(
        "employee_id,name,position,team,status\n"
        "M1,王经理,manager,售后,regular\n"
        "M2,李经理,manager,售后,regular\n",
        encoding="utf-8",
    )
    (tmp_path / "actuals_monthly_repair.csv").write_text(
        "employee_id,period,repair_task_completion_rate,report_accuracy_rate\n"
        "M1,2026-06,0.93,0.99\n"
        "M2,2026-06,96%,0.97\n",
        encoding="utf-8",
    )
    (tmp_path / "ratings.csv").write_text(
        "employee_id,period,kpi_id,rater_id,rater_group,value\n"
        "M1,2026-06,work_mistakes,S1,superior,1\n"
        "M2,2026-06,work_mistakes,S1,superior,1\n",
        encoding="utf-8",
    )
    return tmp_path


def corrections_file(folder: Path, *rows: str) -> Path:
    path = folder / "corrections.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def score(capsys, department: Path, *extra: object) -> tuple[int, pd.DataFrame | None, str]:
    out = department / "scores.csv"
    code, _, err = run(
        capsys,
        "score",
        "--scheme",
        "monthly_repair",
        "--data-dir",
        department,
        "--period",
        "2026-06",
        "--out",
        out,
        *extra,
    )
    return code, pd.read_csv(out, encoding="utf-8-sig") if code == 0 else None, err


def by_person(scores: pd.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(scores["employee_id"], scores[column], strict=True))


def test_the_department_scores_as_computed_by_hand(department: Path, capsys) -> None:
    code, scores, err = score(capsys, department)
    assert code == 0, err
    assert scores is not None
    assert by_person(scores, "total") == {"M1": 95.0, "M2": 96.0}
    assert by_person(scores, "rank") == {"M1": 2, "M2": 1}


def test_a_correction_changes_points_total_and_rank(department: Path, capsys) -> None:
    # M1's repair rate corrected 93 % → 95 %: 28 → 30 points, total 95 → 97, rank 2 → 1
    fixes = corrections_file(department, FIX_M1)
    code, scores, err = score(capsys, department, "--corrections", fixes)
    assert code == 0, err
    assert scores is not None
    assert by_person(scores, "repair_task_completion_rate") == {"M1": 30.0, "M2": 30.0}
    assert by_person(scores, "total") == {"M1": 97.0, "M2": 96.0}
    assert by_person(scores, "rank") == {"M1": 1, "M2": 2}


def test_an_old_value_that_is_not_there_is_refused_with_the_row(department: Path, capsys) -> None:
    wrong = FIX_M1.replace(",0.93,", ",0.92,")
    fixes = corrections_file(department, wrong)
    code, _, err = score(capsys, department, "--corrections", fixes)
    assert code == 2
    assert "row 2 (employee M1, 2026-06, repair_task_completion_rate), column old_value" in err
    assert "does not correct what is there" in err and "0.93" in err
    assert "Traceback" not in err


def test_an_old_value_matches_in_any_spelling_of_the_input(department: Path) -> None:
    # the actuals hold "96%"; the correction says 0.96
    fix = "M2,2026-06,repair_task_completion_rate,0.96,0.85,复核,S1,2026-07-06\n"
    inputs = resolve_inputs(
        "monthly_repair", data_dir=department, corrections=corrections_file(department, fix)
    )
    assert inputs.actuals.set_index("employee_id").at["M2", "repair_task_completion_rate"] == "0.85"
    assert inputs.uncorrected is not None
    assert "corrections" in inputs.provenance()


def test_a_kpi_scored_by_people_is_corrected_by_its_ratings(department: Path, capsys) -> None:
    rated = "M1,2026-06,work_mistakes,1,0,误记一次失误,S1,2026-07-05\n"
    code, _, err = score(capsys, department, "--corrections", corrections_file(department, rated))
    assert code == 2
    assert "row 2 (employee M1), column kpi_id" in err
    assert "corrected by its ratings" in err and "ratings table" in err


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (FIX_M1.replace(",S1,", ",,"), "approved_by", "blank"),
        (FIX_M1.replace("返修记录漏登", ""), "reason", "blank"),
        (FIX_M1.replace("2026-07-05", "下周"), "approved_on", "not a date"),
        (FIX_M1.replace("2026-06", "2026-13"), "period", "not a period"),
        (FIX_M1.replace(",0.95,", ",1.5,"), "new_value", "outside the range of a ratio"),
        (FIX_M1.replace("repair_task", "repair_tsk"), "kpi_id", "not a KPI of the scheme"),
    ],
)
def test_bad_rows_are_refused_naming_row_and_column(
    department: Path, capsys, row: str, column: str, message: str
) -> None:
    code, _, err = score(capsys, department, "--corrections", corrections_file(department, row))
    assert code == 2
    assert f"row 2 (employee M1), column {column}" in err
    assert message in err


def test_a_person_and_period_without_actuals_is_refused(department: Path, capsys) -> None:
    fixes = corrections_file(department, FIX_M1.replace("2026-06", "2026-05"))
    code, _, err = score(capsys, department, "--corrections", fixes)
    assert code == 2
    assert "no row for this person in 2026-05" in err


def test_corrections_apply_in_order_of_approval() -> None:
    # written in the file in the other order: the second correction starts from the first's
    scheme = builtin_scheme("monthly_repair")
    raw = pd.DataFrame(
        {
            "employee_id": ["E1", "E1"],
            "period": ["2026-06", "2026-06"],
            "kpi_id": ["repaired_pass_rate"] * 2,
            "old_value": ["0.97", "0.95"],
            "new_value": ["0.99", "0.97"],
            "reason": ["复核", "漏登"],
            "approved_by": ["M1", "M1"],
            "approved_on": ["2026-07-09", "2026-07-02"],
        }
    )
    actuals = pd.DataFrame(
        {"employee_id": ["E1"], "period": ["2026-06"], "repaired_pass_rate": ["0.95"]}
    )
    fixed = apply_corrections(actuals, check_corrections(raw, scheme=scheme), scheme=scheme)
    assert fixed["repaired_pass_rate"].tolist() == ["0.99"]
    with pytest.raises(DataError, match="does not correct what is there"):
        apply_corrections(actuals, check_corrections(raw.iloc[:1], scheme=scheme), scheme=scheme)


def test_the_report_lists_each_correction_and_what_it_changed(department: Path) -> None:
    # M2's repair rate 96 % → 85 %: 30 → 20 points, total 96 → 86, 优秀 → 良好, rank 1 → 2,
    # bonus factor 1.2 → 1.0; M1's 93 % → 95 %: 28 → 30, 95 → 97, rank 2 → 1
    down = "M2,2026-06,repair_task_completion_rate,0.96,0.85,复核发现重复计数,S1,2026-07-06\n"
    fixes = corrections_file(department, FIX_M1, down)
    ctx = load_context(
        scheme="monthly_repair", data_dir=department, period="2026-06", corrections=fixes
    )
    assert ctx.uncorrected is not None and ctx.corrections is not None
    html = corrections_section(ctx).data
    assert "考核申诉与更正" in html and "返修记录漏登" in html
    effects = correction_effects(ctx.uncorrected, ctx.appraisal, ctx.corrections)
    table = shown(effects).set_index("工号")
    assert table.at["M1", "指标得分"] == "28.00 → 30.00"
    assert table.at["M1", "总分"] == "95.00 → 97.00"
    assert table.at["M1", "岗位内排名"] == "2 → 1"
    assert table.at["M1", "等级"] == "优秀"
    assert table.at["M2", "总分"] == "96.00 → 86.00"
    assert table.at["M2", "等级"] == "优秀 → 良好"
    assert table.at["M2", "奖金系数"] == "1.20 → 1.00"
    assert table.at["M2", "原值 → 更正值"] == "0.96 → 0.85"
    assert "corrections" in ctx.inputs


def test_no_section_without_corrections(department: Path) -> None:
    ctx = load_context(scheme="monthly_repair", data_dir=department, period="2026-06")
    assert ctx.corrections is None
    assert corrections_section(ctx).data == ""


def test_kpi_report_passes_the_corrections_to_every_notebook(department: Path) -> None:
    fixes = corrections_file(department, FIX_M1)
    ctx = load_context(
        scheme="monthly_repair", data_dir=department, period="2026-06", corrections=fixes
    )
    jobs = plan_jobs(
        ctx,
        scheme="monthly_repair",
        data_dir=str(department),
        per_employee=True,
        corrections=str(fixes),
    )
    assert jobs and all(job.parameters["corrections"] == str(fixes) for job in jobs)


def test_named_files_appraised_with_and_without_the_corrections(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "employee_id,name,position,team,status\nM1,王经理,manager,售后,regular\n",
        encoding="utf-8",
    )
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "employee_id,period,repair_task_completion_rate,report_accuracy_rate\n"
        "M1,2026-06,0.93,0.99\n",
        encoding="utf-8",
    )
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        "employee_id,period,kpi_id,rater_id,rater_group,value\n"
        "M1,2026-06,work_mistakes,S1,superior,1\n",
        encoding="utf-8",
    )
    inputs = resolve_inputs(
        "monthly_repair",
        roster=roster,
        actuals=actuals,
        ratings=ratings,
        corrections=corrections_file(tmp_path, FIX_M1),
    )
    assert appraise(inputs, period="2026-06").scores["total"].tolist() == [97.0]
    assert appraise(inputs, period="2026-06", corrected=False).scores["total"].tolist() == [95.0]


def test_kpi_report_shows_the_corrections_section(department: Path, tmp_path: Path, capsys):
    fixes = corrections_file(department, FIX_M1)
    out = tmp_path / "reports"
    code, stdout, err = run(
        capsys,
        "report",
        "--scheme",
        "monthly_repair",
        "--data-dir",
        department,
        "--period",
        "2026-06",
        "--corrections",
        fixes,
        "--out-dir",
        out,
        "--quiet",
    )
    assert code == 0, err
    page = Path(stdout.strip().splitlines()[-1]).read_text(encoding="utf-8")
    assert "考核申诉与更正" in page and "返修记录漏登" in page
    assert "28.00 → 30.00" in page and "95.00 → 97.00" in page
    assert "考核更正(申诉)" in page  # the footer lists the corrections file and its hash
