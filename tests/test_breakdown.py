"""Breakdowns: a metric per value of a column (``by:``), read by a KPI and shown in the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kpi_toolkit.engine.inputs import check_actuals
from kpi_toolkit.engine.scheme import load_scheme
from kpi_toolkit.files import builtin_path
from kpi_toolkit.records.metrics import compute
from kpi_toolkit.reports.breakdown import kpi_breakdowns
from kpi_toolkit.reports.sections import kpi_value
from kpi_toolkit.sample.department import make_sample

TICKETS = pd.DataFrame(
    {
        "ticket_id": ["t1", "t2", "t3", "t4"],
        "employee_id": ["E001", "E001", "E001", "E002"],
        "type": ["维修", "维修", "电话咨询", None],
        "created_at": pd.to_datetime(["2026-07-01", "2026-07-02", "2026-07-03", "2026-07-04"]),
        "resolved_at": pd.to_datetime(["2026-07-01", None, "2026-07-03", "2026-07-04"]),
        "invalid": [False, False, False, False],
    }
)


@pytest.fixture(scope="module")
def actuals() -> pd.DataFrame:
    return compute({"tickets": TICKETS}, metrics="after_sales_team", grain="quarter")


def test_one_figure_per_value_beside_the_total(actuals: pd.DataFrame) -> None:
    row = actuals.set_index("employee_id").loc["E001"]
    assert row["workload"] == 2 and row["workload[维修]"] == 1 and row["workload[电话咨询]"] == 1
    assert row["resolution_rate[维修]"] == 0.5 and row["resolution_rate"] == pytest.approx(2 / 3)
    # E002's ticket has no type: in the total only; a count is 0 for a value it lacks
    other = actuals.set_index("employee_id").loc["E002"]
    assert other["workload"] == 1 and other["workload[维修]"] == 0
    assert pd.isna(other["resolution_rate[维修]"])


def test_a_kpi_reads_a_breakdown_figure(tmp_path: Path, actuals: pd.DataFrame) -> None:
    text = builtin_path("schemes", "after_sales_team").read_text(encoding="utf-8")
    text = text.replace(
        "      - id: workload\n", "      - id: workload\n        actual: workload[维修]\n"
    )
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    scheme = load_scheme(tmp_path / "s.yaml")
    roster = make_sample().roster
    frame = actuals.assign(period="2026-Q3").iloc[:1]
    frame = frame.assign(employee_id=roster["employee_id"].iloc[0], workload=99)
    checked = check_actuals(frame.drop(columns="workload"), scheme=scheme, roster=roster)
    assert checked["workload"].iloc[0] == 1  # workload[维修], not the total


def test_the_report_shows_the_breakdown_under_its_kpi(actuals: pd.DataFrame) -> None:
    scheme = load_scheme(builtin_path("schemes", "after_sales_team"))
    position = next(iter(scheme.positions.values()))
    html = kpi_breakdowns(position, actuals, lang="zh", value_text=kpi_value)
    workload = next(k for k in position.kpis if k.id == "workload").name.get("zh")
    assert f"{workload}（维修）" in html and "分项明细" in html
    assert "workload[" not in html  # no internal id on a Chinese page
