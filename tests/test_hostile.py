"""Runs the hostile-input table (``tests/hostile.py``; cases in ``tests/hostile_*.py``).

Each case: exit code as expected, its needles in the message, no traceback, no ``.partial``
file left anywhere in its folder, the paths it names absent, no formula in the workbooks it
names, no live formula in the CSV files it names.
"""

from __future__ import annotations

import fnmatch
import importlib
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import TRACEBACK_MARKS, Case, Place, bounded
from openpyxl import load_workbook

from kpi_toolkit.cli import main
from kpi_toolkit.files import _resource_dir

HERE = Path(__file__).parent
LIVE_CSV_CELL = re.compile(r"^[=+\-@\t\r][A-Za-z(_@\"']")


def _cases() -> list[Case]:
    cases: list[Case] = []
    for module_file in sorted(HERE.glob("hostile_*.py")):
        module = importlib.import_module(module_file.stem)
        cases.extend(module.CASES)
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"case ids used twice: {duplicates}"
    return cases


CASES = _cases()


@pytest.fixture(scope="session")
def hostile_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile_sample")
    assert main(["sample", "--out", str(folder)]) == 0
    return folder


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 150, len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input(
    case: Case, hostile_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    place = Place(w=tmp_path, sample=hostile_sample, params=_resource_dir("params"))
    if case.setup is not None:
        case.setup(place)
    argv = [_fill(part, place) for part in case.argv]
    monkeypatch.chdir(tmp_path)
    if case.isolated:
        code, output = _run_isolated(argv, case, cwd=tmp_path)
    else:
        with bounded(case.timeout, f"case {case.id}"):
            code = main(argv)
        captured = capsys.readouterr()
        output = captured.err + captured.out
    shown = output[-3000:]
    for mark in TRACEBACK_MARKS:
        assert mark not in output, shown
    assert code == case.code, f"exit {code}, expected {case.code}:\n{shown}"
    for needle in case.needles:
        assert needle.casefold() in output.casefold(), f"{needle!r} not in:\n{shown}"
    leftovers = [p for p in tmp_path.rglob("*") if ".partial" in p.name]
    assert not leftovers, leftovers
    for pattern in case.absent:
        found = _glob(_fill(pattern, place))
        assert not found, f"must not exist: {found}"
    for pattern in case.exists:
        assert _glob(_fill(pattern, place)), f"missing: {pattern}"
    for pattern in case.no_formulas:
        for path in _glob(_fill(pattern, place)):
            assert not _formulas(path), f"{path}: formulas {_formulas(path)[:3]}"
    for pattern in case.csv_safe:
        for path in _glob(_fill(pattern, place)):
            live = _live_cells(path)
            assert not live, f"{path}: cells Excel would run: {live[:3]}"
    if case.check is not None:
        case.check(place, output)


def _fill(text: str, place: Place) -> str:
    return text.format(w=place.w, sample=place.sample, params=place.params)


def _glob(pattern: str) -> list[Path]:
    path = Path(pattern)
    if not any(ch in pattern for ch in "*?["):
        return [path] if path.exists() or path.is_symlink() else []
    anchor = Path(path.anchor)
    return sorted(anchor.glob(str(path.relative_to(anchor))))


def _formulas(path: Path) -> list[str]:
    book = load_workbook(path)
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _live_cells(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row if LIVE_CSV_CELL.match(cell)]


def _run_isolated(argv: list[str], case: Case, *, cwd: Path) -> tuple[int, str]:
    limit = case.memory_mb * 1024 * 1024

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kpi_toolkit", *argv],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=case.timeout,
            preexec_fn=cap,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"case {case.id} ran past {case.timeout} s")
    return done.returncode, done.stderr + done.stdout


def test_glob_helper_matches(tmp_path: Path) -> None:
    (tmp_path / "a.partial").write_text("x")
    assert _glob(str(tmp_path / "*.partial")) == [tmp_path / "a.partial"]
    assert fnmatch.fnmatch("a.partial", "*.partial")
