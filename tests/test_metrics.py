"""Metric definitions and their computation over canonical tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kpi_toolkit.errors import InputError
from kpi_toolkit.periods import parse_period
from kpi_toolkit.records.metrics import (
    KINDS,
    MetricSet,
    compute,
    compute_from_files,
    load_metrics,
)

T = pd.Timestamp
TICKETS = pd.DataFrame(
    {
        "ticket_id": ["t1", "t2", "t3", "t4", "t5"],
        "employee_id": ["e1", "e1", "e1", "e2", "e2"],
        "type": ["维修", "维修", "电话咨询", "安装", "维修"],
        "created_at": [
            T("2026-09-30 17:00"),
            T("2026-03-09 10:00"),
            T("2026-03-10 10:00"),
            T("2026-03-06 17:00"),
            T("2026-07-01 09:00"),
        ],
        "first_response_at": [
            T("2026-10-09 10:00"),
            T("2026-03-10 10:30"),
            T("2026-03-10 10:05"),
            T("2026-03-09 17:30"),
            None,
        ],
        "resolved_at": [
            T("2026-10-09 12:00"),
            T("2026-03-11 10:00"),
            None,
            T("2026-03-10 09:00"),
            T("2026-07-02 09:00"),
        ],
        "invalid": [False, True, False, False, None],
        "csat": [5.0, 3.0, None, 4.0, 2.0],
        "repair_passed": [True, False, None, None, True],
    }
)


@pytest.fixture(scope="module")
def quarterly() -> pd.DataFrame:
    return compute({"tickets": TICKETS}, grain="quarter").set_index(["employee_id", "period"])


def test_response_speed_counts_answers_later_than_one_working_day(quarterly) -> None:
    # t1: 30 Sep 17:00 → 9 Oct 10:00 = 600 working min (> 480, late; National Day excluded)
    # t2: 9 Mar 10:00 → 10 Mar 10:30 = 510 min (late); t3: 5 min; t4: Fri 17:00 → Mon 17:30
    # = 60 + 450 = 510 (late)
    assert quarterly.loc[("e1", "2026-Q3"), "response_speed"] == 1
    assert quarterly.loc[("e1", "2026-Q1"), "response_speed"] == 1
    assert quarterly.loc[("e2", "2026-Q1"), "response_speed"] == 1
    assert quarterly.loc[("e2", "2026-Q3"), "response_speed"] == 0


def test_ratios_are_fractions(quarterly) -> None:
    q1 = quarterly.loc[("e1", "2026-Q1")]
    assert q1["invalid_service_ratio"] == 0.5
    assert q1["resolution_rate"] == 0.5
    assert q1["csat"] == 0.0  # one rated ticket, score 3
    assert q1["repair_task_completion_rate"] == 1.0
    assert q1["repair_pass_rate"] == 0.0
    assert quarterly.loc[("e2", "2026-Q3"), "invalid_service_ratio"] == 0.0


def test_medians_and_workload(quarterly) -> None:
    assert quarterly.loc[("e1", "2026-Q1"), "handling_hours"] == 48.0
    assert quarterly.loc[("e1", "2026-Q1"), "first_response_minutes"] == pytest.approx(
        (1470 + 5) / 2
    )
    assert quarterly.loc[("e1", "2026-Q3"), "first_response_working_hours"] == 10.0
    assert quarterly.loc[("e1", "2026-Q1"), "workload_repair"] == 1
    assert quarterly.loc[("e1", "2026-Q1"), "workload_phone"] == 0


def test_periods_are_written_by_period_text() -> None:
    for grain, expected in [("month", "2026-03"), ("quarter", "2026-Q1"), ("year", "2026")]:
        actuals = compute({"tickets": TICKETS}, grain=grain)
        assert expected in set(actuals["period"])
        assert all(str(parse_period(p)) == p for p in actuals["period"])


def test_other_tables_of_the_seed() -> None:
    reports = pd.DataFrame(
        {
            "report_id": ["r1", "r2", "r3", "r4"],
            "employee_id": ["e1"] * 4,
            "due_at": [T("2026-07-05")] * 4,
            "submitted_at": [T("2026-07-04"), T("2026-07-05"), T("2026-07-06"), None],
        }
    )
    complaints = pd.DataFrame(
        {
            "complaint_id": ["c1", "c2"],
            "employee_id": ["e1", "e1"],
            "received_at": [T("2026-07-01"), T("2026-08-01")],
            "compensation": [100.0, None],
        }
    )
    training = pd.DataFrame(
        {
            "record_id": ["x1", "x2", "x3"],
            "employee_id": ["e1", "e1", "e1"],
            "exam_at": [T("2026-07-01")] * 3,
            "score": [89.5, 90.0, 60.0],
            "pass_mark": [None, None, 50.0],
            "new_staff": [True, True, True],
        }
    )
    finance = pd.DataFrame(
        {
            "record_id": ["f1", "f2"],
            "employee_id": ["head", "head"],
            "booked_at": [T("2026-07-01"), T("2026-08-01")],
            "budget": [100.0, 100.0],
            "actual_cost": [90.0, 120.0],
            "income": [300.0, 100.0],
        }
    )
    actuals = compute(
        {"reports": reports, "complaints": complaints, "training": training, "finance": finance},
        grain="quarter",
    ).set_index("employee_id")
    assert actuals.loc["e1", "report_on_time_rate"] == 0.5
    assert actuals.loc["e1", "complaints"] == 2 and actuals.loc["e1", "compensation_paid"] == 100
    assert actuals.loc["e1", "new_staff_training_failures"] == 1
    assert actuals.loc["head", "budget_deviation"] == pytest.approx(0.05)
    assert actuals.loc["head", "cost_to_income_ratio"] == pytest.approx(210 / 400)
    assert actuals.loc["head", "complaints"] == 0  # counts are 0, not missing


def test_builtin_metric_sets_use_registered_kinds() -> None:
    for name in ("seed", "servicenow", "call_center"):
        metric_set = load_metrics(name)
        assert {m.kind for m in metric_set.metrics.values()} <= set(KINDS)
    assert {
        "response_speed",
        "invalid_service_ratio",
        "report_on_time_rate",
        "complaints",
        "csat",
        "new_staff_training_failures",
    } <= set(load_metrics("seed").metrics)


def test_metric_set_is_frozen() -> None:
    metric_set = load_metrics("seed")
    with pytest.raises(ValueError):
        metric_set.name = "other"  # type: ignore[misc]
    assert isinstance(metric_set.model_copy(update={"name": "x"}), MetricSet)


def test_bad_metric_definitions_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "name: m\nmetrics:\n  a: {kind: average, value: csat}\n"
        "  b: {kind: ratio}\n  c: {kind: percentile, value: csat, q: 90}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_metrics(path)
    wheres = [p.where for p in caught.value.problems]
    assert wheres == ["metrics.a.kind (line 3)", "metrics.b (line 4)", "metrics.c (line 5)"]
    assert "ratio" in caught.value.problems[0].message


def test_unknown_column_in_a_metric_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: m\nmetrics:\n  a: {kind: mean, value: salary}\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown column 'salary'"):
        compute({"tickets": TICKETS}, metrics=path)


def test_metrics_on_unmapped_columns_are_skipped() -> None:
    actuals = compute({"tickets": TICKETS[["ticket_id", "employee_id", "created_at"]]})
    assert "invalid_service_ratio" not in actuals and "workload" not in actuals
    assert "csat" not in actuals


# --- columns checked at load, database errors at the expression's key path and line ---------

CSV = "id,who,kind,created,score\nt1,e1,维修,2026-03-09 10:00,5\nt2,e2,安装,2026-03-10 09:00,4\n"
MAPPING = """\
name: flat
table: tickets
metrics: {metrics}
fields: {{ticket_id: id, employee_id: who, type: kind, created_at: created, csat: score}}
"""


def _metric_set(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(f"name: m\ntable: tickets\nmetrics:\n{body}", encoding="utf-8")
    (tmp_path / "t.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(MAPPING.format(metrics=path), encoding="utf-8")
    return path


def _refusal(tmp_path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        compute_from_files(tmp_path / "s.yaml", tmp_path / "t.csv", grain="month")
    return caught.value


def test_period_from_an_unknown_column_names_key_path_and_line(tmp_path: Path) -> None:
    path = _metric_set(tmp_path, "  n:\n    kind: count\n    period_from: no_such_col\n")
    (problem,) = _refusal(tmp_path).problems
    assert str(problem) == (
        f"{path}: metrics.n.period_from (line 6): column not found (found 'no_such_col'); "
        "allowed: the timestamp columns of table tickets: created_at, first_response_at, "
        "resolved_at, closed_at"
    )


def test_a_period_column_must_be_a_timestamp(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: m\nperiods:\n  surveys: score\nmetrics: {}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_metrics(path)
    (problem,) = caught.value.problems
    assert (
        problem.where == "periods.surveys (line 3)" and problem.message == "not a timestamp column"
    )


def test_every_refused_expression_of_a_set_at_once(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "name: m\nmetrics:\n  a: {kind: mean, value: salary}\n"
        "  b: {kind: ratio, numerator: bonus > 0, filter: read_text('x')}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_metrics(path)
    wheres = [p.where for p in caught.value.problems]
    assert wheres == ["metrics.a.value (line 3)", "metrics.b.filter (line 4)",
                      "metrics.b.numerator (line 4)"]  # fmt: skip # one table of expected paths


@pytest.mark.parametrize(
    ("body", "where", "found"),
    [
        (
            "  n:\n    kind: mean\n    value: ticket_id\n",
            "metrics.n.value (line 6)",
            "avg(VARCHAR)",
        ),
        (
            "  n:\n    kind: count\n    filter: CAST(type AS INTEGER) > 0\n",
            "metrics.n.filter (line 6)",
            "Could not convert string",
        ),
        (
            "  ok: {kind: count}\n  n:\n    kind: ratio\n    numerator: csat > 'high'\n",
            "metrics.n.numerator (line 7)",
            "'high'",
        ),
    ],
)
def test_a_database_error_names_the_expression(
    tmp_path: Path, body: str, where: str, found: str
) -> None:
    path = _metric_set(tmp_path, body)
    (problem,) = _refusal(tmp_path).problems
    assert (problem.where, problem.file) == (where, str(path))
    assert problem.message.startswith("the database refused it: ") and found in problem.message
    assert "LINE 1" not in problem.message and "SELECT" not in problem.message


def test_metrics_whose_period_column_is_not_mapped_are_skipped(tmp_path: Path) -> None:
    _metric_set(
        tmp_path, "  n:\n    kind: count\n    period_from: resolved_at\n  m: {kind: count}\n"
    )
    result = compute_from_files(tmp_path / "s.yaml", tmp_path / "t.csv", grain="month")
    assert result.skipped == {"n": "period column not mapped: resolved_at"}
    assert result.actuals["m"].tolist() == [1, 1]


def test_the_cli_names_key_path_and_line_without_a_traceback(tmp_path: Path) -> None:
    path = _metric_set(tmp_path, "  n:\n    kind: mean\n    value: ticket_id\n")
    for text, where in (
        (None, "metrics.n.value (line 6)"),
        ("    period_from: no_such_col\n", "metrics.n.period_from (line 7)"),
    ):
        if text:
            path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "kpi_toolkit", "metrics", "--source", str(tmp_path / "s.yaml"),
             "--data", str(tmp_path / "t.csv"), "--period-grain", "month"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip # the command line as typed
        assert done.returncode == 2, done.stderr
        assert f"{path}: {where}" in done.stderr
        assert "Traceback" not in done.stderr and "Error:" not in done.stderr
