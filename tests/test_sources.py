"""Source mappings: encodings, Chinese headers, null markers, day-first times, booleans, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import key_of, line_of

from kpi_toolkit.errors import InputError
from kpi_toolkit.files import builtin_names
from kpi_toolkit.records.metrics import compute_from_files
from kpi_toolkit.records.sources import load_source

CSV_ROWS = [
    "工单号,处理人,工单类型,创建时间,首次响应时间,解决时间,无效服务,客户评分",
    "T1,张三,维修,09/03/2026 10:00,09/03/2026 10:30,09/03/2026 15:00,否,5",
    "T2,张三,电话咨询,10/03/2026 09:00,-,-,是,-",
    "T3,李四,安装,11/03/2026 09:00,12/03/2026 09:00,13/03/2026 09:00,否,3",
    "T4,system,安装,11/03/2026 09:00,11/03/2026 09:05,11/03/2026 09:10,否,5",
    "T5,李四,维修,32/03/2026 09:00,-,-,否,4",
    "T6,李四,维修,12/03/2026 09:00,-,-,也许,4",
]
MAPPING = """
name: helpdesk_cn
table: tickets
file: tickets.csv
encoding: {encoding}
null_markers: ["-"]
timestamp_formats: ["%d/%m/%Y %H:%M"]
metrics: seed
fields:
  ticket_id: 工单号
  employee_id: 处理人
  type: 工单类型
  created_at: 创建时间
  first_response_at: 首次响应时间
  resolved_at: 解决时间
  invalid: 无效服务
  csat: 客户评分
filters:
  - {{where: "employee_id = 'system'", reason: system_account}}
"""


def _write(tmp_path: Path, encoding: str, codec: str | None = None) -> Path:
    (tmp_path / "tickets.csv").write_bytes("\n".join(CSV_ROWS).encode(codec or encoding))
    path = tmp_path / "helpdesk.yaml"
    path.write_text(MAPPING.format(encoding=encoding), encoding="utf-8")
    return path


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_chinese_export_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    result = compute_from_files(_write(tmp_path, encoding), grain="month")
    actuals = result.actuals.set_index("employee_id")
    assert actuals.loc["张三", "period"] == "2026-03"
    assert actuals.loc["张三", "invalid_service_ratio"] == 0.5
    assert actuals.loc["张三", "resolution_rate"] == 0.5
    assert actuals.loc["张三", "workload_repair"] == 1
    assert actuals.loc["李四", "response_speed"] == 0  # exactly one working day: not late
    assert actuals.loc["张三", "csat"] == 1.0  # one rated ticket, score 5
    counts = dict(result.ledger.counts)
    assert counts == {"used": 3, "system_account": 1, "unparseable_timestamp": 1, "bad_value": 1}
    assert result.ledger.excluded["工单号"].tolist() == ["T4", "T5", "T6"]
    assert result.ledger.excluded["row"].tolist() == [5, 6, 7]  # lines of the file


def test_data_argument_overrides_the_file(tmp_path: Path) -> None:
    mapping = _write(tmp_path, "utf-8")
    other = tmp_path / "other.csv"
    other.write_text("\n".join(CSV_ROWS[:2]), encoding="utf-8")
    result = compute_from_files(mapping, other, grain="year")
    assert result.actuals[["employee_id", "period"]].values.tolist() == [["张三", "2026"]]
    assert result.ledger.rows_in == 1


def test_wrong_encoding_is_an_input_error(tmp_path: Path) -> None:
    mapping = _write(tmp_path, "utf-8", codec="gbk")
    with pytest.raises(InputError) as caught:
        compute_from_files(mapping, grain="month")
    problem = caught.value.problems[0]
    assert problem.file.endswith("tickets.csv") and "utf-8" in problem.message
    assert "gbk" in problem.allowed and problem.where.startswith("byte ")


def test_missing_data_file(tmp_path: Path) -> None:
    mapping = _write(tmp_path, "utf-8")
    with pytest.raises(InputError, match="file not found"):
        compute_from_files(mapping, tmp_path / "nope.csv", grain="month")


def test_header_not_in_file_names_the_field_and_its_line(tmp_path: Path) -> None:
    mapping = _write(tmp_path, "utf-8")
    text = mapping.read_text(encoding="utf-8").replace("客户评分", "满意度")
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        compute_from_files(mapping, grain="month")
    (problem,) = caught.value.problems
    assert problem.where == f"fields.csat.column (line {line_of(text, 'csat: 满意度')})"
    assert problem.value == "满意度" and "客户评分" in problem.allowed


def test_required_column_unmapped_and_a_filter_on_it_at_once(tmp_path: Path) -> None:
    mapping = _write(tmp_path, "utf-8")
    text = mapping.read_text(encoding="utf-8").replace("  employee_id: 处理人\n", "")
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_source(mapping)
    problems = {key_of(p): p for p in caught.value.problems}
    assert problems["fields"].value == "employee_id"
    assert problems["fields"].where == f"fields (line {line_of(text, 'fields:')})"
    assert "unknown column 'employee_id'" in problems["filters[0].where"].message


def test_bad_mapping_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\ntable: tickes\nencoding: big5\nfields:\n  ticket_id: {column: a, expr: b}\n"
        "  csat: {column: c, type: float}\nfilters:\n  - {where: x, reason: spam}\nextra: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_source(path)
    problems = {key_of(p): p for p in caught.value.problems}
    assert problems["table"].where == "table (line 2)"
    assert problems["table"].value == "tickes" and "tickets" in problems["table"].allowed
    assert "did you mean 'tickets'?" in problems["table"].message
    assert problems["encoding"].value == "big5" and "gb18030" in problems["encoding"].allowed
    assert "fields.ticket_id" in problems and problems["fields.csat.type"].value == "float"
    assert problems["filters[0].reason"].value == "spam"
    assert "timestamp_formats" in problems["extra"].allowed
    assert all(p.file == str(path) for p in caught.value.problems)


def test_bad_yaml_syntax_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nfields: [a\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_source(path)
    assert caught.value.problems[0].where.startswith("line ")


def test_missing_yaml_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_source(tmp_path / "absent.yaml")


def test_builtin_mappings_parse() -> None:
    names = builtin_names("sources")
    assert names == [
        "pwc_call_center",
        "sample_complaints",
        "sample_exams",
        "sample_knowledge_sharing",
        "sample_reports",
        "sample_survey_communication",
        "sample_survey_quality",
        "sample_tickets",
        "servicenow_incident_log",
    ]
    assert all(load_source(name).name == name for name in names)


def test_xlsx_and_parquet_sources(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b"],
            "who": ["e1", "e2"],
            "at": pd.to_datetime(["2026-07-01 10:00", "2026-08-02 11:00"]),
            "ok": ["Y", "N"],
        }
    )
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "name: m\ntable: tickets\nfields: {ticket_id: id, employee_id: who, created_at: at, "
        "sla_met: ok}\n",
        encoding="utf-8",
    )
    for data in ("t.xlsx", "t.parquet"):
        result = compute_from_files(mapping, tmp_path / data, grain="month")
        assert result.actuals[["employee_id", "period", "sla_met_rate"]].values.tolist() == [
            ["e1", "2026-07", 1.0],
            ["e2", "2026-08", 0.0],
        ]
        assert result.ledger.balanced and result.ledger.rows_used == 2


# --- mapping expressions: checked at load, database errors at their key path and line --------


def _mapping(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    path = _write(tmp_path, "utf-8")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path, text.replace(old, new)


EVENTS = (
    "events:\n  key: ticket_id\n  aggregates:\n    ticket_id: any_value(ticket_id)\n"
    "    employee_id: any_value(employee_id)\n    created_at: min(created_at)\n"
    "    csat: avg(type)\nfilters:"
)


@pytest.mark.parametrize(
    ("old", "new", "where", "at", "message"),
    [
        ("employee_id = 'system'", "csat > 'high'", "filters[0].where", "high",
         "the database refused it: Could not convert string"),
        ("  csat: 客户评分\n", "  csat: {expr: \"date_diff('second', 创建时间, 解决时间)\"}\n",
         "fields.csat.expr", "date_diff", "date_diff(STRING_LITERAL, VARCHAR, VARCHAR)"),
        ("filters:", EVENTS, "events.aggregates.csat", "avg(type)", "avg(VARCHAR)"),
        ("employee_id = 'system'", "team = 'system'", "filters[0].where", "team =",
         "expression refused: unknown column 'team'"),
        ("metrics: seed\n", "metrics: seed\ntimezone: Asia/Nowhere\n", "timezone",
         "Asia/Nowhere", "unknown time zone 'Asia/Nowhere'"),
    ],
    ids=["filter", "field-expr", "event-aggregate", "unmapped-column", "time-zone"],
)  # fmt: skip # one row per case: the change to the mapping and what must be said
def test_a_refused_mapping_names_key_path_and_line(
    tmp_path: Path, old: str, new: str, where: str, at: str, message: str
) -> None:
    path, text = _mapping(tmp_path, old, new)
    with pytest.raises(InputError) as caught:
        compute_from_files(path, grain="month")
    (problem,) = caught.value.problems
    assert problem.where == f"{where} (line {line_of(text, at)})"
    assert Path(problem.file or "").resolve() == path.resolve()
    assert message in problem.message


def test_an_event_key_must_be_a_field(tmp_path: Path) -> None:
    path, _ = _mapping(tmp_path, "filters:", "events: {key: number, aggregates: {}}\nfilters:")
    with pytest.raises(InputError) as caught:
        load_source(path)
    problem = next(p for p in caught.value.problems if key_of(p) == "events.key")
    assert problem.value == "number" and "ticket_id" in problem.allowed


def test_a_parquet_file_that_cannot_be_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "utf-8")
    broken = tmp_path / "t.parquet"
    broken.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(InputError) as caught:
        compute_from_files(path, broken, grain="month")
    (problem,) = caught.value.problems
    assert problem.file == str(broken) and problem.message.startswith("cannot read as Parquet")
