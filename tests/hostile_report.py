"""Hostile input, the department report's comparison: a ``--compare`` period that is not an
earlier period of the data is refused before anything runs (exit 2, no page); a previous
period whose actuals do not score leaves the comparison out and the report is written.

The previous period is scored only when a section reads it (``ReportContext.previous``);
these cases hold that a period named by ``--compare`` is still checked at once.
"""

from __future__ import annotations

import shutil

from hostile import Case, Place

PERIOD = "2026-Q3"
REPORT = ["report", "--scheme", "after_sales_team", "--period", PERIOD]
REPORT += ["--out-dir", "{w}/out", "--quiet"]
NO_PAGE = ["{w}/out/*.html", "{w}/out/*.ipynb"]


def _blank_previous(place: Place) -> None:
    """The sample with one actual of the previous quarter (2026-Q2) left blank."""
    for file in place.sample.glob("*.csv"):
        shutil.copy(file, place.w / file.name)
    actuals = place.frame("actuals_after_sales_team.csv")
    rows = actuals.index[actuals["period"] == "2026-Q2"]
    actuals.loc[rows[0], "csat"] = ""
    place.write_frame("actuals_after_sales_team.csv", actuals)


def _no_comparison(place: Place, output: str) -> None:
    page = next((place.w / "out").glob("appraisal_report_*.html")).read_text(encoding="utf-8")
    assert "无上期数据。" in page, "the comparison should be left out"
    assert "考核概况" in page


CASES = [
    Case(
        id="report-compare-not-in-data",
        argv=[*REPORT, "--data-dir", "{sample}", "--compare", "2019-Q1"],
        needles=["--compare", "2019-Q1", "not an earlier quarter"],
        absent=NO_PAGE,
    ),
    Case(
        id="report-compare-after-the-period",
        argv=[*REPORT, "--data-dir", "{sample}", "--compare", "2026-Q4"],
        needles=["--compare", "2026-Q4"],
        absent=NO_PAGE,
    ),
    Case(
        id="report-compare-the-period-itself",
        argv=[*REPORT, "--data-dir", "{sample}", "--compare", PERIOD],
        needles=["--compare", "not an earlier quarter"],
        absent=NO_PAGE,
    ),
    Case(
        id="report-compare-not-a-period",
        argv=[*REPORT, "--data-dir", "{sample}", "--compare", "last time"],
        needles=["--compare", "last time"],
        absent=NO_PAGE,
    ),
    Case(
        id="report-previous-does-not-score",
        argv=[*REPORT, "--data-dir", "{w}"],
        setup=_blank_previous,
        code=0,
        exists=["{w}/out/appraisal_report_2026-Q3.html"],
        check=_no_comparison,
        timeout=240,
    ),
]
