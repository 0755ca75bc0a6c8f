"""Per-agent monthly actuals from the two real exports, checked against plain pandas."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from kpi_toolkit.records.metrics import MetricsResult, compute_from_files

# the checkout's ../shared; KPI_REAL_EXPORTS names another copy (a worktree elsewhere)
REAL = Path(
    os.environ.get(
        "KPI_REAL_EXPORTS", Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
    )
)
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="shared real exports not present")


@pytest.fixture(scope="module")
def servicenow() -> MetricsResult:
    return compute_from_files(
        "servicenow_incident_log", REAL / "incident_event_log.csv", grain="month"
    )


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    frame = pd.read_csv(REAL / "incident_event_log.csv", dtype=str, keep_default_na=False)
    frame["order"] = range(len(frame))
    for column in ("opened_at", "resolved_at", "sys_updated_at"):
        frame[column] = pd.to_datetime(frame[column].replace("?", None), format="%d/%m/%Y %H:%M")
    return frame


@pytest.fixture(scope="module")
def incidents(events: pd.DataFrame) -> pd.DataFrame:
    ordered = events.sort_values(["sys_updated_at", "order"])
    assigned = ordered[ordered["assigned_to"] != "?"].groupby("number")["assigned_to"].last()
    last = ordered.groupby("number").last()
    return pd.DataFrame(
        {
            "agent": assigned.reindex(last.index),
            "opened_at": events.groupby("number")["opened_at"].min(),
            "resolved_at": events.groupby("number")["resolved_at"].max(),
            "reopened": events.groupby("number")["reopen_count"].max().astype(int) > 0,
            "sla": last["made_sla"] == "true",
        }
    )


def test_every_incident_is_counted_once(servicenow: MetricsResult, events: pd.DataFrame) -> None:
    excluded = servicenow.ledger.excluded
    unassigned = excluded.loc[excluded["reason"] == "missing_employee", "number"].nunique()
    assert servicenow.actuals["tickets"].sum() + unassigned == 20_769
    assert events["number"].nunique() == 20_769


def test_ledger_balances(servicenow: MetricsResult) -> None:
    ledger = servicenow.ledger
    assert ledger.rows_in == 119_998 and ledger.balanced
    assert ledger.rows_used + ledger.rows_excluded == 119_998
    assert set(ledger.counts) <= {"used", "missing_employee"}


@pytest.mark.parametrize(
    ("agent", "month"), [("Resolver 17", "2016-03"), ("Resolver 89", "2016-04")]
)
def test_one_agent_month(
    servicenow: MetricsResult, incidents: pd.DataFrame, agent: str, month: str
) -> None:
    mine = incidents[
        (incidents["agent"] == agent) & (incidents["opened_at"].dt.strftime("%Y-%m") == month)
    ]
    row = servicenow.actuals.set_index(["employee_id", "period"]).loc[(agent, month)]
    hours = (mine["resolved_at"] - mine["opened_at"]).dt.total_seconds() / 3600
    assert row["tickets"] == len(mine) > 0
    assert row["resolution_rate"] == pytest.approx(mine["resolved_at"].notna().mean())
    assert row["median_resolution_hours"] == pytest.approx(hours.median())
    assert row["reopen_rate"] == pytest.approx(mine["reopened"].mean())
    assert row["sla_met_rate"] == pytest.approx(mine["sla"].mean())


def test_call_centre_agent_month() -> None:
    result = compute_from_files("pwc_call_center", REAL / "pwc_call_center.xlsx", grain="month")
    calls = pd.read_excel(REAL / "pwc_call_center.xlsx", sheet_name="Sheet1")
    mine = calls[(calls["Agent"] == "Greg") & calls["Date"].astype(str).str.startswith("2021-02")]
    answered = mine[mine["Answered (Y/N)"] == "Y"]
    row = result.actuals.set_index(["employee_id", "period"]).loc[("Greg", "2021-02")]
    assert row["calls"] == len(mine) > 0
    assert row["answer_rate"] == pytest.approx(len(answered) / len(mine))
    assert row["resolution_rate"] == pytest.approx((mine["Resolved"] == "Y").mean())
    assert row["median_answer_seconds"] == pytest.approx(
        answered["Speed of answer in seconds"].median()
    )
    assert row["csat_mean"] == pytest.approx(mine["Satisfaction rating"].mean())
    assert result.actuals["calls"].sum() == 5000 and result.ledger.balanced
    assert sorted(result.actuals["period"].unique()) == ["2021-01", "2021-02", "2021-03"]
