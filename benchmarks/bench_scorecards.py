"""Benchmark: 500 personal scorecards against the department report, in the same process.

1. ``kpi report`` (in-process) of a department of ~500 appraised people (the sample
   repeated, see ``_department.py``): the department report's own time.
2. The scorecards of 500 of them, as ``kpi report --per-employee`` writes them: the card
   jobs of the same plan run by ``run_jobs`` from the period's context (computed once for
   the report), in a kernel of their own (its start counted), HTML and notebook written.

Prints both times, then the ratio as the last line. ``--quick`` runs 50 scorecards of a
department of ~110.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _department import PERIOD, department

from kpi_toolkit.cli import main as kpi
from kpi_toolkit.reports.batch import SCORECARDS, context_for, plan_jobs, run_jobs

SCHEME = "after_sales_team"


def department_report(directory: Path, out: Path) -> float:
    """``kpi report`` of the whole department, in this process."""
    args = ["report", "--scheme", SCHEME, "--data-dir", str(directory), "--period", PERIOD]
    start = time.perf_counter()
    code = kpi([*args, "--out-dir", str(out), "--quiet"])
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"kpi report failed with exit code {code}")
    return elapsed


def scorecards(directory: Path, out: Path, count: int) -> tuple[float, int]:
    """The scorecards of the first ``count`` people appraised, as ``kpi report`` makes
    them; their time and how many were written."""
    ctx = context_for(scheme=SCHEME, data_dir=str(directory), period=PERIOD, lang="zh")
    people = list(ctx.appraisal.scores["employee_id"])[:count]
    jobs = plan_jobs(ctx, scheme=SCHEME, data_dir=str(directory), employees=people)
    cards = [job for job in jobs if job.folder == SCORECARDS]
    start = time.perf_counter()
    outcomes = run_jobs(cards, out_dir=out, progress=False, context=ctx)
    elapsed = time.perf_counter() - start
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise SystemExit(f"{len(failed)} scorecard(s) failed, e.g. {failed[0].error}")
    return elapsed, len(outcomes)


def run(copies: int, count: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        department(root, copies)
        report = department_report(root, root / "report")
        cards, written = scorecards(root, root / "cards", count)
    print(f"department report: {report:.2f} s")
    print(f"{written} scorecards: {cards:.2f} s ({cards / written * 1000:.0f} ms a card)")
    print(
        f"{written} scorecards: {cards:.1f} s, department report {report:.1f} s, "
        f"ratio {cards / report:.2f}x (aim <= 2x)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 scorecards, ~110 people")
    options = parser.parse_args()
    run(*((2, 50) if options.quick else (9, 500)))
