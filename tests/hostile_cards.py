"""Hostile input, scorecards in one pass: markup in a name among the cards built from one
appraisal (escaped on its own card, absent from the others), and the options of the
department report passed on to every card (corrections: every card used to fail)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from hostile import Case, Place

PERIOD = "2025-Q1"
REPORT = ["report", "--scheme", "after_sales_team", "--data-dir", "{w}/d", "--period", PERIOD]
REPORT += ["--out-dir", "{w}/out", "--quiet"]
MARKUP = '</div><script>alert("kpi")</script><div class="kpi-card">'
PEOPLE = ["E005", "E006", "E007", "E008"]  # the first runs in the kernel, the others are built
CARDS = [arg for person in PEOPLE for arg in ("--employee", person)]


def _data_dir(place: Place) -> Path:
    folder = place.w / "d"
    folder.mkdir()
    for file in place.sample.glob("*.csv"):
        shutil.copy(file, folder / file.name)
    return folder


def _named_with_markup(place: Place) -> None:
    roster = _data_dir(place) / "roster.csv"
    table = pd.read_csv(roster, dtype=str, keep_default_na=False)
    table.loc[table["employee_id"] == "E007", "name"] = MARKUP
    table.to_csv(roster, index=False)


def _markup_escaped_and_kept_to_its_card(place: Place, output: str) -> None:
    folder = place.w / "out" / "scorecards"
    for person in PEOPLE:
        for suffix in (".html", ".ipynb"):
            text = (folder / f"{person}{suffix}").read_text(encoding="utf-8")
            assert "<script>alert" not in text, (person, suffix)
            if person != "E007":
                assert "alert(" not in text and "E007" not in text, (person, suffix)
    page = (folder / "E007.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in page


def _corrected(place: Place) -> None:
    """A correction (an appeal) of E006's first actual in the period."""
    folder = _data_dir(place)
    actuals = pd.read_csv(folder / "actuals_after_sales_team.csv", dtype=str)
    row = actuals.loc[(actuals["employee_id"] == "E006") & (actuals["period"] == PERIOD)].iloc[0]
    kpi = next(c for c in actuals.columns if c not in ("employee_id", "period") and row[c])
    header = "employee_id,period,kpi_id,old_value,new_value,reason,approved_by,approved_on\n"
    fix = f"E006,{PERIOD},{kpi},{row[kpi]},{row[kpi]},复核无误,E004,2025-04-03\n"
    (place.w / "corrections.csv").write_text(header + fix, encoding="utf-8")


CASES = [
    Case(
        id="cards-markup-in-a-name-among-built-cards",
        argv=[*REPORT, *CARDS],
        setup=_named_with_markup,
        code=0,
        exists=[f"{{w}}/out/scorecards/{p}.ipynb" for p in PEOPLE],
        check=_markup_escaped_and_kept_to_its_card,
        timeout=300,
    ),
    Case(
        id="cards-corrections-passed-to-every-card",
        argv=[*REPORT, *CARDS[:4], "--corrections", "{w}/corrections.csv"],
        setup=_corrected,
        code=0,
        needles=["3 report(s) written", "0 failed"],
        exists=["{w}/out/scorecards/E005.html", "{w}/out/scorecards/E006.html"],
        timeout=300,
    ),
]
