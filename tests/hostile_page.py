"""Hostile input, the report page: a team named like a path or markup, and a data folder
whose name must not reach a shared page. A team report writes the team's workbook, named
after the team inside the output folder (never the department's under the department's
name); the page names its inputs by file name and hash, never by the folder they were in.
"""

from __future__ import annotations

import shutil

import pandas as pd
from hostile import Case, Place

PERIOD = "2025-Q1"
TEAM = "../安装组<b>"
FOLDER = "kpi_private_folder_x/d"  # the page may name "d", never the folder it is in
REPORT = ["report", "--scheme", "after_sales_team", "--period", PERIOD]
REPORT += ["--out-dir", "{w}/out", "--quiet"]


def _copy(place: Place, folder: str) -> None:
    target = place.w / folder
    target.mkdir(parents=True)
    for file in place.sample.glob("*.csv"):
        shutil.copy(file, target / file.name)


def _team_like_a_path(place: Place) -> None:
    _copy(place, "d")
    for file in (place.w / "d").glob("*.csv"):
        table = pd.read_csv(file, dtype=str, keep_default_na=False)
        if "team" in table:
            table["team"] = table["team"].replace({"安装组": TEAM})
            table.to_csv(file, index=False)


def _only_the_team_workbook(place: Place, output: str) -> None:
    books = sorted(p.name for p in (place.w / "out").glob("*.xlsx"))
    assert len(books) == 1 and books[0].startswith(f"scores_{PERIOD}_"), books
    assert "安装组" in books[0] and "/" not in books[0], books
    people = pd.read_excel(place.w / "out" / books[0], sheet_name=None, header=None)
    roster = pd.read_csv(place.w / "d" / "roster.csv", dtype=str)
    others = set(roster.loc[roster["team"] != TEAM, "employee_id"])
    cells = {str(v) for frame in people.values() for v in frame.to_numpy().ravel()}
    assert not others & cells


def _no_folder_in_the_page(place: Place, output: str) -> None:
    pages = list((place.w / "out").glob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "kpi_private_folder_x" not in html and str(place.w) not in html, page.name


CASES = [
    Case(
        id="page-team-report-workbook-is-the-teams",
        argv=[*REPORT, "--data-dir", "{w}/d", "--team", TEAM],
        setup=_team_like_a_path,
        code=0,
        absent=[f"{{w}}/out/scores_{PERIOD}.xlsx", "{w}/安装组*"],
        check=_only_the_team_workbook,
    ),
    Case(
        id="page-footer-names-no-folder",
        argv=[*REPORT, "--data-dir", f"{{w}}/{FOLDER}"],
        setup=lambda place: _copy(place, FOLDER),
        code=0,
        exists=[f"{{w}}/out/appraisal_report_{PERIOD}.html"],
        check=_no_folder_in_the_page,
    ),
]
