"""Benchmark: 500 personal scorecards against the department report, in the same process.

1. ``kpi report --employee …`` (in-process) with the scorecards of 500 people of a
   department of ~500 appraised (the sample repeated, see ``_department.py``): the
   department report and the 500 cards, as an analyst runs them (``--per-employee``
   plans the same card jobs). Run first, so it also pays the imports.
2. ``kpi report`` of the same department alone: the department report's own time.

The scorecards' time is the first less the second. Prints the times, then the ratio of the
scorecards' time to the department report's as the last line. ``--quick`` runs 50
scorecards of a department of ~110.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _department import PERIOD, SCHEME, department, kpi_report

from kpi_toolkit.reports.batch import SCORECARDS, context_for


def run(copies: int, count: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        department(root, copies)
        ctx = context_for(scheme=SCHEME, data_dir=str(root), period=PERIOD, lang="zh")
        people = list(ctx.appraisal.scores["employee_id"])[:count]  # the appraised
        both = kpi_report(root, root / "cards", option="--employee", values=people)
        written = len(list((root / "cards" / SCORECARDS).glob("*.html")))
        report = kpi_report(root, root / "report")
    if written != len(people):
        raise SystemExit(f"{len(people) - written} scorecard(s) not written")
    cards = both - report
    print(f"department report: {report:.2f} s")
    print(f"department report and {written} scorecards: {both:.2f} s")
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
