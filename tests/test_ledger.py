"""Data-quality ledger: every input row is used or excluded with a reason."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_toolkit.periods import parse_period
from kpi_toolkit.records.ledger import REASONS, Ledger, reason_label
from kpi_toolkit.records.metrics import compute_from_files
from kpi_toolkit.sample.department import make_sample
from kpi_toolkit.sample.records import write_records

MAPPING = """
name: flat
table: tickets
null_markers: ["NULL"]
timestamp_formats: ["%Y-%m-%d %H:%M"]
fields: {ticket_id: id, employee_id: who, created_at: created, resolved_at: resolved,
         invalid: invalid}
filters: [{where: "employee_id = 'robot'", reason: system_account}]
"""


def _run(tmp_path: Path, rows: list[tuple[str, str, str, str, str]], **options):
    csv = tmp_path / "t.csv"
    lines = ["id,who,created,resolved,invalid"] + [",".join(r) for r in rows]
    csv.write_text("\n".join(lines), encoding="utf-8")
    mapping = tmp_path / "flat.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return compute_from_files(mapping, csv, grain="month", **options)


ROWS = [
    ("t1", "e1", "2026-07-01 10:00", "2026-07-01 12:00", "否"),  # used
    ("t1", "e1", "2026-07-02 10:00", "NULL", "否"),  # duplicate id
    ("t2", "NULL", "2026-07-01 10:00", "NULL", "否"),  # no employee
    ("t3", "e9", "2026-07-01 10:00", "NULL", "否"),  # not on the roster
    ("t4", "e1", "2026-07-03 10:00", "2026-07-02 10:00", "否"),  # resolved before created
    ("t5", "e1", "2026-08-01 10:00", "NULL", "否"),  # outside 2026-07
    ("t6", "robot", "2026-07-01 10:00", "NULL", "否"),  # system account
    ("t7", "e1", "1/7/2026", "NULL", "否"),  # unparseable timestamp
    ("t8", "e1", "2026-07-01 10:00", "NULL", "maybe"),  # bad value
    ("NULL", "e1", "2026-07-01 10:00", "NULL", "否"),  # missing id
]
EXPECTED = [
    "used",
    "duplicate_id",
    "missing_employee",
    "unknown_employee",
    "resolved_before_created",
    "outside_period",
    "system_account",
    "unparseable_timestamp",
    "bad_value",
    "missing_value",
]


def test_each_reason(tmp_path: Path) -> None:
    roster = pd.DataFrame({"employee_id": ["e1", "robot"]})
    result = _run(tmp_path, ROWS, period=parse_period("2026-07"), roster=roster)
    ledger = result.ledger
    assert ledger.rows_in == len(ROWS) and ledger.balanced
    assert dict(ledger.counts) == {code: 1 for code in EXPECTED}
    by_row = dict(zip(ledger.excluded["row"], ledger.excluded["reason"], strict=True))
    # rows are named by their line in the file: the header is line 1
    assert by_row == {i + 2: code for i, code in enumerate(EXPECTED) if code != "used"}
    assert result.actuals.to_dict("records") == [
        {"employee_id": "e1", "period": "2026-07", **result.actuals.iloc[0, 2:].to_dict()}
    ]
    assert result.actuals.loc[0, "workload"] == 1


def test_summary_in_both_languages(tmp_path: Path) -> None:
    ledger = _run(tmp_path, ROWS).ledger
    zh = ledger.summary()
    en = ledger.summary(lang="en")
    assert zh["rows"].sum() == len(ROWS) == en["rows"].sum()
    assert zh.loc[zh["reason"] == "duplicate_id", "label"].item() == "编号重复"
    assert en.loc[en["reason"] == "duplicate_id", "label"].item() == "duplicate id"
    assert reason_label("outside_period", lang="en") == "outside the period"


def test_every_reason_has_both_labels() -> None:
    assert all(set(labels) == {"zh", "en"} and all(labels.values()) for labels in REASONS.values())


row_strategy = st.tuples(
    st.sampled_from(["t1", "t2", "t3", "NULL"]),
    st.sampled_from(["e1", "e2", "robot", "NULL"]),
    st.sampled_from(["2026-07-01 10:00", "2026-08-31 23:59", "bad", "NULL"]),
    st.sampled_from(["2026-07-01 09:00", "2026-09-01 10:00", "NULL", "x"]),
    st.sampled_from(["是", "否", "Y", "?", "NULL"]),
)


@settings(max_examples=15, deadline=None)
@given(st.lists(row_strategy, min_size=1, max_size=12))
def test_ledger_always_balances(tmp_path_factory, rows) -> None:
    folder = tmp_path_factory.mktemp("ledger")
    metrics = folder / "rows.yaml"
    metrics.write_text("name: rows\nmetrics: {rows: {kind: count}}\n", encoding="utf-8")
    result = _run(folder, rows, period=parse_period("2026-07"), metrics=metrics)
    ledger = result.ledger
    assert ledger.balanced and ledger.rows_in == len(rows)
    assert set(ledger.counts) <= set(REASONS)
    assert ledger.rows_used == result.actuals["rows"].sum()
    used_ids = [r[0] for r in rows if r[0] != "NULL"]
    assert ledger.rows_used <= len(set(used_ids))


def test_used_rows_are_unique_ids(tmp_path: Path) -> None:
    rows = [("a", "e1", "2026-07-01 10:00", "NULL", "否")] * 3
    ledger = _run(tmp_path, rows).ledger
    assert dict(ledger.counts) == {"used": 1, "duplicate_id": 2}
    assert ledger.excluded["row"].tolist() == [3, 4]


def test_declared_unique_ids_skip_the_duplicate_check(tmp_path: Path) -> None:
    rows = [("t1", "e1", "2026-07-01 10:00", "2026-07-01 12:00", "否")] * 2
    csv = tmp_path / "t.csv"
    csv.write_text("id,who,created,resolved,invalid\n" + "\n".join(",".join(r) for r in rows))
    (tmp_path / "flat.yaml").write_text(MAPPING + "unique_ids: true\n", encoding="utf-8")
    result = compute_from_files(tmp_path / "flat.yaml", csv, grain="month")
    assert dict(result.ledger.counts) == {"used": 2}  # trusted as declared
    assert result.ledger.balanced
    assert result.actuals.loc[0, "workload"] == 2  # both counted


@pytest.mark.parametrize("grain", ["month", "quarter", "year"])
def test_period_filter_with_any_grain(tmp_path: Path, grain: str) -> None:
    rows = [
        ("a", "e1", "2026-07-01 10:00", "NULL", "否"),
        ("b", "e1", "2027-01-01 10:00", "NULL", "否"),
    ]
    csv = tmp_path / "t.csv"
    csv.write_text("id,who,created,resolved,invalid\n" + "\n".join(",".join(r) for r in rows))
    (tmp_path / "flat.yaml").write_text(MAPPING, encoding="utf-8")
    result = compute_from_files(
        tmp_path / "flat.yaml", csv, grain=grain, period=parse_period("2026")
    )
    assert dict(result.ledger.counts) == {"used": 1, "outside_period": 1}


# --- the balance against rows counted from the files themselves ------------------------------

# mapping, file, encoding (None: a workbook), canonical table
SAMPLE_EXPORTS = [
    ("sample_tickets", "tickets.csv", "gbk", "tickets"),
    ("sample_survey_quality", "surveys.csv", "utf-8-sig", "surveys"),
    ("sample_survey_communication", "surveys.csv", "utf-8-sig", "surveys"),
    ("sample_complaints", "complaints.csv", "utf-8-sig", "complaints"),
    ("sample_exams", "exams.csv", "utf-8", "training"),
    ("sample_reports", "reports.xlsx", None, "reports"),
    ("sample_knowledge_sharing", "knowledge_sharing.xlsx", None, "events"),
]


def data_rows(path: Path, encoding: str | None) -> int:
    """Rows under the header, counted with the csv module or openpyxl (not the toolkit)."""
    if encoding is None:
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
        return sum(any(cell is not None for cell in row) for row in rows[1:])
    with path.open(encoding=encoding, newline="") as handle:
        return sum(1 for row in csv.reader(handle) if row) - 1


@pytest.fixture(scope="module")
def sample_records(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    roster = make_sample().roster
    last_team = roster.loc[roster["position"] == "specialist", "team"].iloc[-1]
    roster = roster.loc[roster["team"] == last_team].reset_index(drop=True)
    folder = tmp_path_factory.mktemp("records")
    write_records(folder, roster=roster)
    return folder, roster


@pytest.mark.parametrize(("mapping", "file", "encoding", "table"), SAMPLE_EXPORTS)
def test_ledger_balances_against_rows_counted_in_the_file(
    sample_records: tuple[Path, pd.DataFrame],
    tmp_path: Path,
    mapping: str,
    file: str,
    encoding: str | None,
    table: str,
) -> None:
    folder, roster = sample_records
    rows = tmp_path / "rows.yaml"  # one count over the whole canonical table
    rows.write_text(f"name: rows\ntable: {table}\nmetrics: {{rows: {{kind: count}}}}\n")
    result = compute_from_files(mapping, folder / file, grain="year", roster=roster, metrics=rows)
    ledger, counted = result.ledger, data_rows(folder / file, encoding)
    assert ledger.rows_in == counted
    assert int(result.actuals["rows"].sum()) == ledger.rows_used  # rows of the canonical table
    assert ledger.rows_used + len(ledger.excluded) == counted
    assert ledger.rows_used > 0 and len(ledger.excluded) > 0 and ledger.balanced


def test_a_ledger_that_does_not_add_up_is_not_balanced() -> None:
    excluded = pd.DataFrame({"row": [2], "reason": ["bad_value"]})
    assert not Ledger("s", 5, {"used": 3, "bad_value": 1}, excluded).balanced
    assert Ledger("s", 4, {"used": 3, "bad_value": 1}, excluded).balanced
    assert not Ledger("s", 4, {"used": 3, "bad_value": 1}, excluded.iloc[:0]).balanced


def test_a_roster_with_numeric_ids_matches_the_text_ids_of_an_export(tmp_path: Path) -> None:
    rows = [
        ("t1", "101", "2026-07-01 10:00", "NULL", "否"),
        ("t2", "102", "2026-07-01 10:00", "NULL", "否"),
    ]
    roster = pd.DataFrame({"employee_id": [101, 103]})
    ledger = _run(tmp_path, rows, roster=roster).ledger
    assert dict(ledger.counts) == {"used": 1, "unknown_employee": 1}


def test_rows_are_named_by_their_line_blank_lines_and_quoted_breaks_counted(
    tmp_path: Path,
) -> None:
    text = (
        "id,who,created,resolved,invalid\r\n"
        "t1,e1,2026-07-01 10:00,NULL,否\r\n"
        "\r\n"  # line 3: blank
        't2,"e\r\n1",2026-07-01 10:00,NULL,否\r\n'  # lines 4-5: a line break in a cell
        "   \r\n"  # line 6: only spaces
        "t3,robot,2026-07-01 10:00,NULL,否\r\n"  # line 7
    )
    (tmp_path / "t.csv").write_text(text, encoding="utf-8", newline="")
    (tmp_path / "flat.yaml").write_text(MAPPING, encoding="utf-8")
    ledger = compute_from_files(tmp_path / "flat.yaml", tmp_path / "t.csv", grain="month").ledger
    assert ledger.rows_in == 3 and ledger.balanced
    assert ledger.excluded[["row", "id"]].values.tolist() == [[7, "t3"]]


def test_xlsx_rows_are_named_by_the_sheet_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "who", "created", "resolved", "invalid"])
    sheet.append(["t1", "e1", "2026-07-01 10:00", "NULL", "否"])
    sheet.append(["t2", "robot", "2026-07-01 10:00", "NULL", "否"])
    book.save(tmp_path / "t.xlsx")
    (tmp_path / "flat.yaml").write_text(MAPPING, encoding="utf-8")
    ledger = compute_from_files(tmp_path / "flat.yaml", tmp_path / "t.xlsx", grain="month").ledger
    assert ledger.excluded["row"].tolist() == [3]


def test_the_most_complete_copy_of_a_ticket_is_used_even_when_it_comes_later(
    tmp_path: Path,
) -> None:
    rows = [
        ("t1", "NULL", "2026-07-01 10:00", "NULL", "NULL"),  # truncated copy first
        ("t1", "e1", "2026-07-01 10:00", "2026-07-01 12:00", "否"),  # the complete copy
        ("t2", "e1", "2026-07-01 10:00", "NULL", "否"),
        ("t2", "e1", "2026-07-01 10:00", "NULL", "否"),  # equally complete: the first wins
    ]
    result = _run(tmp_path, rows)
    ledger = result.ledger
    assert dict(ledger.counts) == {"used": 2, "duplicate_id": 2}
    assert ledger.excluded["row"].tolist() == [2, 5]
    assert result.actuals["workload"].sum() == 1  # t1, resolved in its complete copy, is used


@pytest.mark.parametrize("unique", [False, True])
def test_the_used_rows_are_the_same_counted_by_the_metrics_or_apart(
    tmp_path: Path, unique: bool
) -> None:
    """The metrics' aggregate counts the used rows in its pass; where no metric can be
    computed (its column is not mapped) they are counted apart: the same ledger."""
    rows = ROWS if not unique else [r for r in ROWS if r[:2] != ("t1", "e1") or "12:00" in r[3]]
    mapping = MAPPING + ("unique_ids: true\n" if unique else "")
    unmapped = tmp_path / "unmapped.yaml"
    unmapped.write_text("name: u\nmetrics: {m: {kind: mean, value: csat}}\n", encoding="utf-8")
    ledgers = []
    for metrics in (None, unmapped):
        folder = tmp_path / f"run{len(ledgers)}"
        folder.mkdir()
        (folder / "flat.yaml").write_text(mapping, encoding="utf-8")
        data = folder / "t.csv"
        data.write_text(
            "\n".join(["id,who,created,resolved,invalid"] + [",".join(r) for r in rows])
        )
        roster = pd.DataFrame({"employee_id": ["e1", "robot"]})
        result = compute_from_files(
            folder / "flat.yaml",
            data,
            grain="month",
            period=parse_period("2026-07"),
            roster=roster,
            metrics=metrics,
        )
        assert result.actuals.empty == (metrics is not None)
        ledgers.append(result.ledger)
    counted, apart = ledgers
    assert counted.balanced and apart.balanced
    assert dict(counted.counts) == dict(apart.counts) and counted.rows_used == 1
    pd.testing.assert_frame_equal(counted.excluded, apart.excluded)
