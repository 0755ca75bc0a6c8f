"""The hostile-input table: one :class:`Case` per hostile or careless input, run by
``tests/test_hostile.py``.

A case is a row: the files it makes (``setup``), the command line, the exit code expected, the
needles its message must hold, the files that must not exist afterwards and the workbooks that
must hold no formula. Cases live in ``tests/hostile_*.py`` modules by class (paths, SQL and
YAML, numbers, files and tables, ...), each a list named ``CASES``; the runner collects them
all.

Placeholders in ``argv``, ``absent`` and ``no_formulas``: ``{w}`` the case's own empty folder
(also the working directory), ``{sample}`` the sample department (shared by every case: read
it, never write it), ``{params}`` the built-in ``params/`` folder.

Every case is bounded: in process, an alarm stops it after ``timeout`` seconds; a case marked
``isolated`` runs ``python -m kpi_toolkit`` in a child process with a memory cap
(``memory_mb``) and the same time limit, for inputs that could hang or eat memory.
"""

from __future__ import annotations

import csv
import io
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

Setup = Callable[["Place"], None]

TRACEBACK_MARKS = ("Traceback (most recent call last)", "internal error")


@dataclass(frozen=True)
class Place:
    """Where a case runs: its own folder ``w`` and the shared, read-only sample ``sample``."""

    w: Path
    sample: Path
    params: Path

    def write(self, name: str, text: str | bytes, *, encoding: str = "utf-8") -> Path:
        """Write ``text`` to ``w/name`` (folders made) and return the path."""
        path = self.w / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding=encoding, newline="")
        return path

    def frame(self, name: str) -> pd.DataFrame:
        """A sample table (``roster.csv``, ``actuals_after_sales_team.csv`` ...) read as text."""
        return pd.read_csv(self.sample / name, dtype=str, keep_default_na=False)

    def write_frame(self, name: str, frame: pd.DataFrame, **options: Any) -> Path:
        """``frame`` written to ``w/name`` as CSV (or ``.xlsx`` by its suffix)."""
        path = self.w / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".xlsx":
            frame.to_excel(path, index=False, **options)
        else:
            frame.to_csv(path, index=False, **options)
        return path


@dataclass(frozen=True)
class Case:
    """One hostile input and what must happen.

    Attributes
    ----------
    id
        Short, unique, kebab-case: the pytest id.
    argv
        The ``kpi`` command line after ``kpi`` (placeholders allowed).
    setup
        Builds the case's files in ``place.w``; ``None``: the command reads the sample only.
    code
        Expected exit code: 2 for bad input, 0 where the input is odd but fine.
    needles
        Texts that must all occur in stderr + stdout (case-insensitive).
    absent
        Paths (globs allowed) that must not exist afterwards (``.partial`` leftovers, files
        outside the output folder).
    no_formulas
        Workbooks (globs allowed) that must hold no formula cell (a cell whose value starts
        with ``=``, typed as a formula by openpyxl).
    csv_safe
        CSV files (globs) whose cells may not start with ``= + - @`` followed by a letter or
        ``(`` (a cell Excel would run as a formula); numbers such as ``-1.5`` are fine.
    exists
        Paths (globs) that must exist afterwards (what a run that succeeds must write).
    isolated
        Run in a child process with a memory cap (for bombs and hangs).
    timeout, memory_mb
        Bounds of the run.
    check
        A further check given the place and the combined output, for what the fields above
        cannot say (e.g. two reports both written); raise ``AssertionError`` on failure.
    """

    id: str
    argv: Sequence[str]
    setup: Setup | None = None
    code: int = 2
    needles: Sequence[str] = ()
    absent: Sequence[str] = ()
    no_formulas: Sequence[str] = ()
    csv_safe: Sequence[str] = ()
    exists: Sequence[str] = ()
    isolated: bool = False
    timeout: float = 120.0
    memory_mb: int = 1500
    check: Callable[[Place, str], None] | None = field(default=None, compare=False)


def rows_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A small CSV text from a header and rows (every value written as given)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@contextmanager
def bounded(seconds: float, what: str) -> Iterator[None]:
    """Run the block under an alarm: past ``seconds`` it stops with ``TimeoutError``."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
