"""Confinement of YAML expressions: parser-level refusals and a locked DuckDB connection."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
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


# --- names that reach SQL stay names --------------------------------------------------------

CRAFTED_NAMES = [
    'a"b',
    "back\\slash\\",
    "x\"); COPY (SELECT 1) TO '{marker}'; --",
    "x\", (SELECT current_setting('home_directory')) AS \"y",
    "“curly”quotes",
    "' OR 1=1 --",
]


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": ["t1", "t2"],
            "employee_id": ["e1", "e1"],
            "created_at": pd.to_datetime(["2026-07-01 10:00", "2026-07-02 10:00"]),
            "resolved_at": pd.to_datetime(["2026-07-01 12:00", None]),
        }
    )


@pytest.mark.parametrize("name", CRAFTED_NAMES)
def test_a_crafted_metric_id_is_a_column_name(name: str, tmp_path: Path) -> None:
    from kpi_toolkit.records.metric_sets import MetricSet

    marker = tmp_path / "copied.csv"
    name = name.format(marker=marker)
    metrics = MetricSet.model_validate(
        {"name": "m", "metrics": {name: {"kind": "count"}, "plain": {"kind": "count"}}}
    )
    actuals = compute({"tickets": _tickets()}, metrics=metrics)
    assert list(actuals.columns) == ["employee_id", "period", name, "plain"]
    assert actuals[name].tolist() == actuals["plain"].tolist() == [2]
    assert not marker.exists()


@pytest.mark.parametrize("name", CRAFTED_NAMES)
def test_a_crafted_period_column_stays_a_name(name: str, tmp_path: Path) -> None:
    from kpi_toolkit.records.metric_sets import MetricSet
    from kpi_toolkit.records.metrics import _run
    from kpi_toolkit.records.sources import SourceSpec, read_raw

    marker = tmp_path / "copied.csv"
    name = name.format(marker=marker)
    data = tmp_path / "t.csv"
    data.write_text("id,who,created\nt1,e1,2026-07-01 10:00\nt2,e1,2026-08-01 10:00\n")
    fields = {
        "ticket_id": "id",
        "employee_id": "who",
        name: {"column": "created", "type": "timestamp"},
    }
    spec = SourceSpec.model_validate({"name": "s", "table": "tickets", "fields": fields})
    # built in Python, past the checks a metric set file gets: only the quoting stands
    metrics = MetricSet.model_validate(
        {"name": "m", "periods": {"tickets": name}, "metrics": {"n": {"kind": "count"}}}
    )
    # the canonical table keeps its own columns only: the name reaches year("…") quoted,
    # names no column there, and is refused as bad input with the name as written
    with open_confined({"_raw": read_raw(spec, data)}) as con, pytest.raises(InputError) as caught:
        _run(con, spec, metrics, grain="month", period=None, calendar="cn_office")
    assert "not found" in str(caught.value)
    assert f'"{name}" not found' in str(caught.value).replace('""', '"')
    assert not marker.exists()


def test_a_name_with_a_nul_character_is_refused() -> None:
    from kpi_toolkit.records.metric_sets import MetricSet

    metrics = MetricSet.model_validate({"name": "m", "metrics": {"a\x00b": {"kind": "count"}}})
    with pytest.raises(InputError, match="NUL character"):
        compute({"tickets": _tickets()}, metrics=metrics)


def test_a_crafted_period_column_in_a_metric_set_file_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "copied.csv"
    crafted = f"created_at\"); COPY (SELECT 1) TO '{marker}'; --"
    path = tmp_path / "m.yaml"
    path.write_text(
        f"name: m\nperiods: {{tickets: '{crafted.replace(chr(39), chr(39) * 2)}'}}\n"
        "metrics: {n: {kind: count}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        compute({"tickets": _tickets()}, metrics=path)
    assert "periods.tickets (line 2): column not found" in str(caught.value)
    assert not marker.exists()


# --- the structure of the SQL built in records/ ---------------------------------------------
#
# Every f-string in kpi_toolkit/records/ that builds SQL may interpolate only: a call of
# quote_identifier or quote_literal, or one of the names below, each reviewed to hold SQL the
# module built from quoted parts, a checked expression (sql_guard.check_expression), a
# number, or a fixed name of its own. A new interpolation fails this test until it is
# reviewed and added. This is a tripwire, not a proof: a reviewed name could later be bound
# to user text; the tests above and the hostile table check what the SQL does.

QUOTING = {"quote_identifier", "quote_literal"}
REVIEWED = {
    "ledger.py": {"CANONICAL_VIEW", "key", "raw", "row", "target"},
    "staging.py": {
        "' '.join(cases)", "CANONICAL_VIEW", "DUCKDB_TYPES[kind]", "_any(bad_ts)", "checked",
        "_any(bad_value)", "_excluded_sql(spec)",
        "checked_sql(rule.where, columns, f'filters[{i}].where', spec)",
        "checked_sql(rule.where, columns, where, spec)",
        "aggregates", "checks", "collapse", "column", "columns", "end", "fields", "flags",
        "inner", "key", "kind", "order", "origin", "parsed[name][0]", "raw", "reason",
        "roster", "row", "select", "sql", "staged", "start", "target", "value",
        # filters after the collapse, extra columns
        "checked_sql(rule.where, collapsed, f'events.filters[{i}].where', spec)",
        "_typed(checked_sql(text, columns, f'events.aggregates.{name}', spec), name, spec)",
    },
    "fields.py": {
        "', '.join((quote_literal(f) for f in formats))", "DUCKDB_TYPES[kind]", "cleaned",
        "column", "markers", "origin", "text", "value", "whens", "_strptime(text, formats)",
        # time zones (formats quoted by _strptime)
        "_strptime(text, naive)", "_strptime(stripped, bare)", "_strptime(text, offset)",
    },
    "metrics.py": {"CANONICAL_VIEW", "ROW_COLUMN", "_parquet(path, spec)", "literal"},
    "aggregates.py": {
        "', '.join(selects + checks)", "_metric_sql(parts, names)",
        "_metric_sql(parts, names, only=part)", "source",
        # the period's timestamp (period_time: quoted name, quoted zones); breakdowns
        "period", "_PERIOD_INDEX[grain].format(period)", "_metric_sql(parsed[metric_id], names)",
    },
    "clocks.py": {"CANONICAL_VIEW", "_SLOT_US", "i", "joins", "name", "scale", "slot_us", "values"},
    "metric_sets.py": {
        "base", "p['denominator']", "p['filter']", "p['numerator']", "p['q']", "p['value']",
        # a kind's call and its conditions (the parts above), true ones left out
        "call", "kept", "rows",
    },
    "sql_guard.py": {"_GUARD_TABLE", "_PREFIX", "paths", "text"},
}  # fmt: skip # a reviewed list, read as a table
SQL_WORDS = re.compile(
    r"\b(SELECT|FROM|WHERE|JOIN|CASE|WHEN|AS|FILTER|CAST|SET|CREATE|GROUP|EXCLUDE|USING|"
    r"MACRO|IN)\b|year\(|strptime|count\(|timezone\(|epoch_us\("
)


def _interpolations(path: Path) -> Iterator[tuple[int, str, ast.expr]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.JoinedStr):
            continue
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if SQL_WORDS.search(text):
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    yield node.lineno, ast.unparse(value.value), value.value


def _quoted(expression: ast.expr) -> bool:
    return (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Name)
        and expression.func.id in QUOTING
    )


def test_sql_in_records_interpolates_only_quoted_or_reviewed_values() -> None:
    folder = Path(__file__).parents[1] / "kpi_toolkit" / "records"
    unreviewed = [
        f"{path.name}:{line}: {{{text}}}"
        for path in sorted(folder.glob("*.py"))
        for line, text, expression in _interpolations(path)
        if not _quoted(expression) and text not in REVIEWED.get(path.name, set())
    ]
    assert not unreviewed, "\n".join(unreviewed)


def test_the_tripwire_catches_a_pasted_name(tmp_path: Path) -> None:
    pasted = tmp_path / "pasted.py"
    pasted.write_text("def f(c):\n    return f'SELECT year(\"{c}\") FROM t'\n", encoding="utf-8")
    found = [text for _, text, e in _interpolations(pasted) if not _quoted(e)]
    assert found == ["c"]
