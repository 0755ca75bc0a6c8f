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
