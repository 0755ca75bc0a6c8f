"""Same answer on Spark: every figure and every ledger count, DuckDB against Spark local mode.

One Spark session for the whole run (:func:`kpi_toolkit.records.spark.spark_session` is
started once per process); each source's actuals are computed once per engine (module
fixtures). Run only with ``-m spark`` selected or by default; skipped without PySpark.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.records.bundle import BundleResult, actuals_from_bundle
from kpi_toolkit.records.ledger import Ledger
from kpi_toolkit.records.metrics import MetricsResult, compute_from_files
from kpi_toolkit.sample.department import write_sample

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark

REAL = Path(
    os.environ.get(
        "KPI_REAL_EXPORTS", Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
    )
)
real = pytest.mark.skipif(not REAL.is_dir(), reason="shared real exports not present")


@pytest.fixture(scope="session")
def spark() -> object:
    """The run's one Spark session (local[2])."""
    from kpi_toolkit.records.spark import spark_session

    return spark_session()


def same_figures(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    """Same rows and columns; counts exact, other figures within 1e-9."""
    assert list(duck.columns) == list(spark.columns)
    keys = ["employee_id", "period"]
    duck, spark = (
        duck.sort_values(keys, ignore_index=True),
        spark.sort_values(keys, ignore_index=True),
    )
    assert duck[keys].astype(str).equals(spark[keys].astype(str))
    for column in duck.columns.drop(keys):
        a, b = duck[column].astype(float).to_numpy(), spark[column].astype(float).to_numpy()
        assert np.array_equal(np.isnan(a), np.isnan(b)), column
        assert np.allclose(a, b, rtol=0, atol=1e-9, equal_nan=True), column


def same_ledger(duck: Ledger, spark: Ledger) -> None:
    assert spark.balanced and (duck.rows_in, dict(duck.counts)) == (
        spark.rows_in,
        dict(spark.counts),
    )
    rows = ["row", "reason"]
    assert duck.excluded[rows].astype(str).values.tolist() == (
        spark.excluded[rows].astype(str).values.tolist()
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    write_sample(folder, records=True)
    return folder


@pytest.fixture(scope="module")
def department(sample: Path, spark: object) -> tuple[BundleResult, BundleResult]:
    roster = pd.read_csv(sample / "roster.csv", dtype=str)
    run = {"grain": "month", "roster": roster, "data_dir": sample / "records"}
    duck = actuals_from_bundle("sample_department", engine="duckdb", **run)  # type: ignore[arg-type]
    return duck, actuals_from_bundle("sample_department", engine="spark", **run)  # type: ignore[arg-type]


def test_the_sample_department_on_both_engines(
    department: tuple[BundleResult, BundleResult],
) -> None:
    duck, spark = department
    same_figures(duck.actuals, spark.actuals)
    assert duck.ledgers.keys() == spark.ledgers.keys()
    for name in duck.ledgers:
        same_ledger(duck.ledgers[name], spark.ledgers[name])
    assert duck.skipped == spark.skipped


def both(source: str, data: Path | str, **options: object) -> tuple[MetricsResult, MetricsResult]:
    duck = compute_from_files(source, data, engine="duckdb", **options)  # type: ignore[arg-type]
    return duck, compute_from_files(source, data, engine="spark", **options)  # type: ignore[arg-type]


@real
def test_the_servicenow_log_on_both_engines(spark: object) -> None:
    duck, on_spark = both("servicenow_incident_log", REAL / "incident_event_log.csv", grain="month")
    same_figures(duck.actuals, on_spark.actuals)
    same_ledger(duck.ledger, on_spark.ledger)
    assert on_spark.ledger.rows_in == 119_998


@real
def test_the_pwc_workbook_on_both_engines(spark: object) -> None:
    duck, on_spark = both("pwc_call_center", REAL / "pwc_call_center.xlsx", grain="quarter")
    same_figures(duck.actuals, on_spark.actuals)
    same_ledger(duck.ledger, on_spark.ledger)


PARQUET_SOURCE = """
name: parquet_tickets
table: tickets
format: parquet
unique_ids: true
metrics: seed
calendar: cn_office
fields: {ticket_id: ticket_id, employee_id: employee_id, created_at: created_at,
         first_response_at: first_response_at, resolved_at: resolved_at, csat: csat}
"""


def test_a_partitioned_parquet_folder_and_the_working_day_calendar(
    tmp_path: Path, spark: object
) -> None:
    """National Day (1–7 Oct) off, Saturday 10 Oct a 调休 working day: the same working
    hours on both engines, from a partitioned Parquet folder (and on DuckDB from one file)."""
    stamps = pd.to_datetime
    frame = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3", "t4"],
            "employee_id": ["e1", "e1", "e2", "e2"],
            "created_at": stamps(["2026-09-30 17:00", "2026-10-09 17:00", "2026-10-10 09:00",
                                  "2026-11-02 09:30"]),
            "first_response_at": stamps(["2026-10-08 10:00", "2026-10-12 09:00",
                                         "2026-10-10 11:00", "2026-11-02 10:00"]),
            "resolved_at": stamps(["2026-10-09 10:00", None, "2026-10-12 09:00", None]),
            "csat": [5.0, None, 3.0, 4.0],
        }
    )  # fmt: skip
    frame["created_at"] = frame["created_at"].astype("datetime64[us]")
    (tmp_path / "source.yaml").write_text(PARQUET_SOURCE, "utf-8")
    frame.to_parquet(tmp_path / "tickets.parquet", index=False)
    folder = tmp_path / "tickets"
    frame.assign(month=frame["created_at"].dt.month).to_parquet(folder, partition_cols=["month"])
    source = tmp_path / "source.yaml"
    file = compute_from_files(source, tmp_path / "tickets.parquet", grain="month")
    duck, on_spark = both(str(source), folder, grain="month")
    same_figures(file.actuals, duck.actuals)
    same_figures(duck.actuals, on_spark.actuals)
    same_ledger(duck.ledger, on_spark.ledger)
    assert (file.ledger.rows_in, duck.ledger.rows_in, on_spark.ledger.rows_in) == (4, 4, 4)
    hours = on_spark.actuals.set_index(["employee_id", "period"])["first_response_working_hours"]
    # 17:00–18:00 on 30 Sep + 09:00–10:00 on 8 Oct; 09:00–11:00 on the 调休 Saturday
    assert hours[("e1", "2026-09")] == 2.0 and hours[("e2", "2026-10")] == 2.0


class _Cells(HTMLParser):
    """The visible text of each table row of a page (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, ...]] = []
        self._row: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")
        self._row = [] if tag == "tr" else self._row

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")
        if tag == "tr" and self._row is not None:
            self.rows.append(tuple(self._row))
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None and not self._skip and data.strip():
            self._row.append(data.strip())


_WRITTEN_AT = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


def _report(
    sample: Path, out: Path, engine: str
) -> tuple[dict[str, pd.DataFrame], list[tuple[str, ...]]]:
    """``kpi report`` of one team from the raw exports: its scores workbook and its page."""
    args = ["report", "--scheme", "after_sales_team", "--data-dir", str(sample), "--sources",
            "sample_department", "--records-dir", str(sample / "records"), "--period", "2026-Q3",
            "--team", "维修组", "--out-dir", str(out), "--quiet", "--engine", engine]  # fmt: skip
    assert main(args) == 0
    (workbook,) = out.glob("*.xlsx")
    (page,) = out.glob("*.html")
    cells = _Cells()
    cells.feed(page.read_text(encoding="utf-8"))
    sheets = pd.read_excel(workbook, sheet_name=None)
    # the workbook's own creation time (its about sheet) is the one cell that may differ
    stamped = {n: s.astype(str).replace(_WRITTEN_AT, "", regex=True) for n, s in sheets.items()}
    return stamped, cells.rows


@pytest.mark.slow  # about 90 s: two Spark sessions (this process and the kernel); make test-slow
def test_a_report_on_spark_shows_the_duckdb_reports_figures(
    sample: Path, tmp_path: Path, spark: object
) -> None:
    """``kpi report --engine spark``: the same scores workbook and the same tables on the
    page (the notebook's kernel computes on Spark too) as on DuckDB."""
    duck_scores, duck_rows = _report(sample, tmp_path / "duckdb", "duckdb")
    spark_scores, spark_rows = _report(sample, tmp_path / "spark", "spark")
    assert duck_scores.keys() == spark_scores.keys()
    for sheet, scores in duck_scores.items():
        pd.testing.assert_frame_equal(scores, spark_scores[sheet])
    shown = pd.concat(duck_scores.values()).astype(str).to_numpy().ravel().tolist()
    assert "E044" in shown and len(duck_rows) > 1  # the team's people, the page's tables
    assert duck_rows == spark_rows
