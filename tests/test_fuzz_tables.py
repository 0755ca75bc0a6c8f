"""Fuzzing the one table reader through ``kpi score``: arbitrary bytes, small CSV texts and
workbooks of random cells given as roster or actuals exit 0 or 2, never 1, never a
traceback; every example is small and runs in process under an alarm."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hostile import bounded
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from kpi_toolkit.cli import main

ROLES = ("--roster", "--actuals")
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADERS = ["employee_id", "name", "position", "team", "status", "period", "csat", "status ", ""]
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["E004", "E005", "specialist", "regular", "probation", "2025-Q1", "=1+1"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.none(),
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz_sample")
    assert main(["sample", "--out", str(folder)]) == 0
    return folder


def _score(sample: Path, role: str, path: Path) -> None:
    argv = ["score", "--scheme", "after_sales_team", "--data-dir", str(sample)]
    argv += ["--period", "2025-Q1", role, str(path), "--out", str(path.with_suffix(".out.csv"))]
    err = io.StringIO()
    with bounded(30, "an example"), redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = main(argv)
    assert code in (0, 2), err.getvalue()[-2000:]
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue()


@SETTINGS
@given(data=st.binary(max_size=600), role=st.sampled_from(ROLES))
def test_any_bytes_as_a_csv(sample: Path, tmp_path: Path, data: bytes, role: str) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(data)
    _score(sample, role, path)


@SETTINGS
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=7),
    rows=st.lists(st.lists(CELL, max_size=8), max_size=6),
    separator=st.sampled_from(["\n", "\r\n", "\r"]),
    role=st.sampled_from(ROLES),
)
def test_small_csv_texts(
    sample: Path, tmp_path: Path, header: list, rows: list, separator: str, role: str
) -> None:
    lines = [",".join(header)] + [",".join("" if c is None else str(c) for c in r) for r in rows]
    path = tmp_path / "table.csv"
    path.write_bytes(separator.join(lines).encode("utf-8", "surrogatepass"))
    _score(sample, role, path)


@SETTINGS
@given(
    header=st.lists(st.one_of(st.sampled_from(HEADERS), CELL), min_size=1, max_size=7),
    rows=st.lists(st.lists(CELL, max_size=8), max_size=6),
    role=st.sampled_from(ROLES),
)
def test_workbooks_of_random_cells(
    sample: Path, tmp_path: Path, header: list, rows: list, role: str
) -> None:
    book = Workbook()
    sheet = book.active
    for r, values in enumerate([header, *rows], start=1):
        for c, value in enumerate(values, start=1):
            try:
                sheet.cell(row=r, column=c, value=value)
            except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses it
                continue
    path = tmp_path / "table.xlsx"
    try:
        book.save(path)
    except (ValueError, TypeError):
        return
    _score(sample, role, path)
