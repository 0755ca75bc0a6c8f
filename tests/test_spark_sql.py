"""The metric layer's SQL rendered for Spark (no Spark needed), and choosing the engine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kpi_toolkit.cli import main
from kpi_toolkit.errors import InputError
from kpi_toolkit.records.engines import Engine, engine_of
from kpi_toolkit.records.spark_sql import java_patterns, to_spark

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def test_ordered_last_is_max_by_over_the_keys_nulls_last() -> None:
    sql = "SELECT last(x ORDER BY updated_at, _row) FILTER (WHERE x IS NOT NULL) FROM e"
    assert to_spark(sql) == (
        "SELECT MAX_BY(x, STRUCT(updated_at IS NULL, updated_at, _row IS NULL, _row)) "
        "FILTER(WHERE NOT x IS NULL) FROM e"
    )


def test_ordered_first_descending_is_max_by_nulls_still_last() -> None:
    assert to_spark("SELECT first(x ORDER BY t DESC) FROM e") == (
        "SELECT MAX_BY(x, STRUCT(NOT t IS NULL, t)) FROM e"
    )


def test_mixed_directions_have_no_rendering() -> None:
    with pytest.raises(ValueError, match="both ASC and DESC"):
        to_spark("SELECT first(x ORDER BY a, b DESC) FROM e")


def test_time_zones_local_times_and_instants() -> None:
    nested = to_spark("SELECT timezone('Europe/Paris', timezone('Asia/Shanghai', t)) FROM x")
    assert nested == (
        "SELECT FROM_UTC_TIMESTAMP(TO_UTC_TIMESTAMP(t, 'Asia/Shanghai'), 'Europe/Paris') FROM x"
    )
    parsed = to_spark("SELECT timezone('Asia/Shanghai', try_strptime(s, ['%Y-%m-%d %z'])) FROM x")
    assert parsed.startswith("SELECT FROM_UTC_TIMESTAMP(COALESCE(TRY_TO_TIMESTAMP(s")
    assert to_spark("SELECT timezone('UTC', t) FROM x", instants={"t"}).startswith(
        "SELECT FROM_UTC_TIMESTAMP(t,"
    )


def test_strptime_formats_as_java_patterns() -> None:
    assert java_patterns("%Y/%m/%d %H:%M:%S") == ("yyyy'/'M'/'d' 'H':'m':'s",)
    assert java_patterns("%d.%m.%y %I %p %%") == ("d'.'M'.'yy' 'h' 'a' %'",)
    assert len(java_patterns("%Y-%m-%dT%H:%M%z")) == 2  # +01:00 and +0100


def test_decimals_working_time_percentiles_and_integers() -> None:
    sql = (
        'SELECT date_diff(\'second\', a, b) / 3600.0, working_hours("_clock_a", "_clock_b"), '
        "quantile_cont(v, 0.9), TRY_CAST(TRY_CAST(s AS DOUBLE) AS BIGINT), epoch_us(a) // 60 FROM t"
    )
    assert to_spark(sql, macros={"working_hours": "60.0"}) == (
        "SELECT DATEDIFF(SECOND, a, b) / CAST(3600.0 AS DOUBLE), "
        "(`_clock_b` - `_clock_a`) / CAST(60.0 AS DOUBLE), PERCENTILE(v, CAST(0.9 AS DOUBLE)), "
        "TRY_CAST(BROUND(TRY_CAST(s AS DOUBLE)) AS BIGINT), UNIX_MICROS(a) DIV 60 FROM t"
    )


def test_a_time_of_day_in_seconds() -> None:
    sql = to_spark("SELECT date_part('epoch', TRY_CAST(\"T\" AS TIME)) FROM x")
    assert sql == (
        "SELECT CAST(UNIX_MICROS(TRY_CAST(CONCAT('1970-01-01 ', `T`) AS TIMESTAMP)) AS DOUBLE) "
        "/ 1000000 FROM x"
    )


def test_engine_names_and_the_environment() -> None:
    assert engine_of("duckdb") == Engine()
    assert Engine.from_environment({}) == Engine()
    with pytest.raises(InputError, match="unknown engine"):
        engine_of("polars")


def test_spark_without_pyspark_is_bad_input_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if it were not installed
    code = main(
        ["metrics", "--source", "pwc_call_center", "--period-grain", "month", "--engine", "spark"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "pip install 'kpi-toolkit[spark]'" in err and "Traceback" not in err


def test_a_spark_table_on_duckdb_is_bad_input(
    capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    mapping = tmp_path / "orders.yaml"
    mapping.write_text(
        "name: orders\ntable: tickets\nspark_table: warehouse.work_orders\n"
        "fields: {ticket_id: id, employee_id: agent, created_at: opened}\n",
        "utf-8",
    )
    code = main(["metrics", "--source", str(mapping), "--period-grain", "month"])
    err = capsys.readouterr().err
    assert code == 2 and "spark_table" in err and "--engine spark" in err


def test_the_engine_chosen_on_the_command_line_ends_with_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.delenv("KPI_ENGINE", raising=False)
    (tmp_path / "m.yaml").write_text("name: [\n", "utf-8")  # refused before Spark starts
    argv = ["metrics", "--source", str(tmp_path / "m.yaml"), "--period-grain", "month"]
    assert main([*argv, "--engine", "spark"]) == 2
    assert "KPI_ENGINE" not in os.environ  # the next command in this process runs on DuckDB


FOLDER_SOURCE = """
name: parquet_tickets
table: tickets
format: parquet
unique_ids: true
metrics: seed
calendar: cn_office
fields: {ticket_id: ticket_id, employee_id: employee_id, created_at: created_at,
         resolved_at: resolved_at, csat: csat}
"""


def test_duckdb_reads_a_partitioned_parquet_folder(tmp_path: Path) -> None:
    """A folder partitioned by month (``month=9/…``): the file's figures; rows numbered file
    after file in path order (month=10 before month=9), as Spark numbers them."""
    import pandas as pd

    from kpi_toolkit.records.metrics import compute_from_files

    stamps = pd.to_datetime(["2026-09-01 09:00", "2026-10-01 09:00", "2026-10-02 09:00",
                             "2026-09-03 09:00"]).astype("datetime64[us]")  # fmt: skip
    frame = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3", "t4"],
            "employee_id": ["e1", "e1", "e2", "e2"],
            "created_at": stamps,
            # t2 resolved before it was created: excluded, named by its row in the folder
            "resolved_at": stamps + pd.to_timedelta([1, -1, 2, 3], unit="h"),
            "csat": [5.0, 4.0, 3.0, None],
        }
    )
    source = tmp_path / "source.yaml"
    source.write_text(FOLDER_SOURCE, "utf-8")
    frame.to_parquet(tmp_path / "tickets.parquet", index=False)
    folder = tmp_path / "tickets"
    frame.assign(month=stamps.month).to_parquet(folder, partition_cols=["month"])
    (folder / "_SUCCESS").write_text("", "utf-8")  # a marker file, not data
    one = compute_from_files(source, tmp_path / "tickets.parquet", grain="month")
    parts = compute_from_files(source, folder, grain="month")
    assert one.actuals.equals(parts.actuals)
    assert dict(one.ledger.counts) == dict(parts.ledger.counts)
    assert one.ledger.excluded["row"].tolist() == [2]
    assert parts.ledger.excluded["row"].tolist() == [1]  # month=10's file comes first
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="file not found"):
        compute_from_files(source, empty, grain="month")
