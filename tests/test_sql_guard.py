"""Confinement of YAML expressions: parser-level refusals and a locked DuckDB connection."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from kpi_toolkit.errors import InputError
from kpi_toolkit.records.metrics import compute
from kpi_toolkit.records.sql_guard import check_expression, open_confined

COLUMNS = {"created_at", "first_response_at", "invalid", "csat"}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("count(*) FROM read_csv('/etc/passwd')", "not a valid SQL expression"),
        ("(SELECT count(*) FROM read_csv('/etc/passwd'))", "SELECT"),
        ("read_text('/etc/passwd')", "read_text"),
        ("read_blob('/etc/shadow')", "read_blob"),
        ("glob('/etc/*')", "glob"),
        ("getenv('HOME')", "getenv"),
        ("current_setting('enable_external_access')", "current_setting"),
        ("csat; COPY tickets TO '/tmp/x.csv'", "';'"),
        ("COPY tickets TO '/tmp/x.csv'", "COPY"),
        ("ATTACH '/tmp/x.db'", "ATTACH"),
        ("INSTALL httpfs", "INSTALL"),
        ("LOAD httpfs", "LOAD"),
        ("PRAGMA threads=1", "PRAGMA"),
        ("SET enable_external_access = true", "SET"),
        ("csat -- hide the rest", "comments"),
        ("csat /* hide */", "comments"),
        ("(SELECT max(csat) FROM tickets)", "SELECT"),
        ("salary", "unknown column 'salary'"),
        ("t.csat", "qualified"),
        ("csat AS x", "single expression"),
        ("*", "'*'"),
        ("main.evil(csat)", "schema-qualified"),
        ("no_such_function(csat)", "unknown function"),
        ("working_days(created_at)", "two timestamp column names"),
        ("", "empty"),
    ],
)
def test_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(InputError) as caught:
        check_expression(text, columns=COLUMNS, where="metrics.m.filter", file="m.yaml")
    problem = caught.value.problems[0]
    assert problem.where == "metrics.m.filter" and problem.file == "m.yaml"
    assert problem.value == text and "no ';'" in problem.allowed
    assert any(why in p.message for p in caught.value.problems), caught.value


@pytest.mark.parametrize(
    "text",
    [
        "count_if(invalid)",
        "quantile_cont(csat, 0.9) FILTER (WHERE NOT invalid)",
        "extract(epoch FROM first_response_at)",
        "CASE WHEN csat >= 4 THEN 1 ELSE 0 END",
        "last(csat ORDER BY created_at)",
        "working_days(created_at, first_response_at) > 1",
    ],
)
def test_accepted(text: str) -> None:
    assert check_expression(text, columns=COLUMNS, where="m").text == text


def test_working_time_arguments_are_located() -> None:
    parsed = check_expression(
        'working_days(created_at, "first_response_at") > 1', columns=COLUMNS, where="m"
    )
    renamed = parsed.with_clocks({"created_at": "_a", "first_response_at": "_b"})
    assert renamed == "working_days(_a, _b) > 1"


@pytest.fixture
def confined() -> duckdb.DuckDBPyConnection:
    return open_confined({"tickets": pd.DataFrame({"csat": [4.0, 5.0]})})


def test_registered_data_stays_readable(confined: duckdb.DuckDBPyConnection) -> None:
    assert confined.execute("SELECT sum(csat) FROM tickets").fetchone() == (9.0,)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "COPY tickets TO '/tmp/kpi_guard_test.csv'",
        "ATTACH '/tmp/kpi_guard_test.db'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "PRAGMA threads = 1",
    ],
)
def test_connection_refuses_file_access_and_settings(
    confined: duckdb.DuckDBPyConnection, statement: str
) -> None:
    with pytest.raises(duckdb.Error):
        confined.execute(statement)
    assert not Path("/tmp/kpi_guard_test.csv").exists()


def test_python_variables_are_not_scanned(confined: duckdb.DuckDBPyConnection) -> None:
    secret = pd.DataFrame({"x": [1]})  # noqa: F841 - must stay invisible to SQL
    with pytest.raises(duckdb.CatalogException):
        confined.execute("SELECT * FROM secret")


def test_metric_expression_refused_names_metric_and_file(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(
        "name: evil\nmetrics:\n  leak:\n    kind: count\n"
        "    filter: \"csat > 0 OR (SELECT count(*) FROM read_csv('/etc/passwd')) > 0\"\n",
        encoding="utf-8",
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": ["t1"],
            "employee_id": ["e1"],
            "created_at": [pd.Timestamp("2026-03-09")],
            "csat": [5.0],
        }
    )
    with pytest.raises(InputError) as caught:
        compute({"tickets": tickets}, metrics=path)
    problem = caught.value.problems[0]
    assert problem.where == "metrics.leak.filter (line 5)" and problem.file == str(path)
    assert "read_csv" in str(problem.value)
