"""Hostile input, paths: names that would leave the output folder or collide in it, links
planted in it, output paths that are folders, pipes or not writable, Windows-style paths and
names no file system takes. Every output file is named by ``kpi_toolkit.files.inside``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
from hostile import Case, Place

PERIOD = "2025-Q1"
SCORE = ["score", "--scheme", "after_sales_team", "--data-dir", "{sample}", "--period", PERIOD]
FORMS = ["forms", "--scheme", "after_sales_team", "--roster", "{w}/roster.csv"]
FORMS += ["--period", PERIOD, "--out-dir", "{w}/forms"]
PLANS = [*FORMS[:1], "--kind", "plan", *FORMS[1:]]
REPORT = ["report", "--scheme", "after_sales_team", "--data-dir", "{w}/d", "--period", PERIOD]
REPORT += ["--out-dir", "{w}/out", "--quiet"]
OUTSIDE = "kpi_hostile_path_case"  # a name no other test uses, looked for in /tmp
ESCAPE = "../" * 12 + f"tmp/{OUTSIDE}"
HANZI = "售后服务" * 75  # 300 characters, 900 bytes in UTF-8


def _data_dir(place: Place) -> Path:
    """A copy of the sample's tables in ``w/d`` (the report's data directory)."""
    folder = place.w / "d"
    folder.mkdir()
    for file in place.sample.glob("*.csv"):
        shutil.copy(file, folder / file.name)
    return folder


def _renamed(folder: Path, ids: Mapping[str, str] = {}, teams: Mapping[str, str] = {}) -> None:
    """Every table of ``folder`` with employee ids (and teams) renamed, properly quoted."""
    for file in folder.glob("*.csv"):
        table = pd.read_csv(file, dtype=str, keep_default_na=False)
        for column in ("employee_id", "manager_id", "rater_id"):
            if column in table:
                table[column] = table[column].replace(dict(ids))
        if "team" in table:
            table["team"] = table["team"].replace(dict(teams))
        table.to_csv(file, index=False)


def _roster(ids: Mapping[str, str] = {}, names: Mapping[str, str] = {}) -> Callable:
    """The sample roster in ``w`` with some ids (and the references to them) and names changed."""

    def setup(place: Place) -> None:
        shutil.copy(place.sample / "roster.csv", place.w / "roster.csv")
        _renamed(place.w, ids=ids)
        if names:
            table = pd.read_csv(place.w / "roster.csv", dtype=str, keep_default_na=False)
            table["name"] = [
                names.get(e, n) for e, n in zip(table["employee_id"], table["name"], strict=True)
            ]
            table.to_csv(place.w / "roster.csv", index=False)

    return setup


def _forms_all_inside(place: Place, output: str) -> None:
    """As many workbooks in the forms folder as the run says it wrote, none elsewhere."""
    written = sorted((place.w / "forms").glob("*.xlsx"))
    said = re.search(r"(\d+) (?:份|forms?|plans?)", output)
    assert said and int(said.group(1)) == len(written), (said, len(written))
    stray = [p for p in place.w.rglob("*.xlsx") if p.parent != place.w / "forms"]
    assert not stray, stray
    assert all(len(p.name.encode()) <= 255 for p in written)


def _forms_case(case_id: str, setup: Callable, *, argv: list[str] = FORMS) -> Case:
    return Case(
        id=case_id,
        argv=argv,
        setup=setup,
        code=0,
        check=_forms_all_inside,
        absent=[f"/tmp/{OUTSIDE}*"],
        exists=["{w}/forms/*.xlsx"],
    )


def _team_collision(place: Place) -> None:
    _renamed(_data_dir(place), teams={"华东服务组": "华东 服务组", "华北服务组": "华东/服务组"})


def _two_team_reports(place: Place, output: str) -> None:
    pages = sorted(p.name for p in (place.w / "out").glob("appraisal_report_*.html"))
    assert pages == [f"appraisal_report_{PERIOD}_华东_服务组{n}.html" for n in ("", "_2")], pages
    assert "2 report(s) written" in output, output


def _escaping_id(place: Place) -> None:
    _renamed(_data_dir(place), ids={"E010": ESCAPE})


def _planted_scorecards(place: Place) -> None:
    _data_dir(place)
    elsewhere = place.w / "elsewhere"
    elsewhere.mkdir()
    (place.w / "out").mkdir()
    (place.w / "out" / "scorecards").symlink_to(elsewhere, target_is_directory=True)


def _planted_form(place: Place) -> None:
    _roster()(place)
    (place.w / "forms").mkdir()
    (place.w / "elsewhere.xlsx").write_bytes(b"keep me")
    (place.w / "forms" / "E002_宋霞.xlsx").symlink_to(place.w / "elsewhere.xlsx")


def _kept_elsewhere(place: Place, output: str) -> None:
    assert (place.w / "elsewhere.xlsx").read_bytes() == b"keep me"


def _file(name: str, data: bytes = b"x") -> Callable:
    def setup(place: Place) -> None:
        (place.w / name).parent.mkdir(parents=True, exist_ok=True)
        (place.w / name).write_bytes(data)

    return setup


def _folder(name: str) -> Callable:
    return lambda place: (place.w / name).mkdir(parents=True)


def _fifo(name: str) -> Callable:
    import os

    return lambda place: os.mkfifo(place.w / name)


def _out(name: str) -> list[str]:
    return [*SCORE, "--out", "{w}/" + name]


CASES = [
    # --- report: names from ids and teams, links planted in the output folder ---
    Case(
        id="path-scorecard-id-traversal",
        argv=[*REPORT, "--employee", ESCAPE],
        setup=_escaping_id,
        code=0,
        absent=[f"/tmp/{OUTSIDE}.html", f"/tmp/{OUTSIDE}.ipynb", "{w}/tmp"],
        exists=[f"{{w}}/out/scorecards/tmp_{OUTSIDE}.html"],
        timeout=240,
    ),
    Case(
        id="path-team-names-collide-after-safe-name",
        argv=[*REPORT, "--team", "华东 服务组", "--team", "华东/服务组"],
        setup=_team_collision,
        code=0,
        check=_two_team_reports,
        timeout=240,
    ),
    Case(
        id="path-scorecards-folder-is-a-planted-link",
        argv=[*REPORT, "--employee", "E010"],
        setup=_planted_scorecards,
        needles=["scorecards", "leads outside the output folder"],
        absent=["{w}/elsewhere/*"],
    ),
    Case(
        id="path-report-out-dir-is-a-file",
        argv=REPORT,
        setup=lambda place: (_data_dir(place), _file("out")(place)),
        needles=["out: is a file, not a folder"],
    ),
    Case(
        id="path-report-out-dir-under-a-file",
        argv=[*REPORT[:-3], "--out-dir", "{w}/d/roster.csv/out", "--quiet"],
        setup=_data_dir,
        needles=["roster.csv/out", "cannot write"],
    ),
    # --- forms: one per rater or person, named from ids and names ---
    _forms_case("path-forms-name-traversal", _roster(names={"E002": ESCAPE})),
    _forms_case("path-forms-id-traversal", _roster(ids={"E002": "../../" + OUTSIDE})),
    _forms_case("path-forms-windows-id", _roster(ids={"E002": "C:\\x\\y", "E003": "..\\..\\z"})),
    _forms_case("path-forms-windows-name", _roster(names={"E002": "C:\\Windows\\System32\\x"})),
    _forms_case("path-forms-300-hanzi-name", _roster(names={"E002": HANZI, "E003": HANZI})),
    _forms_case("path-forms-nul-newline-rtl", _roster(names={"E002": "a\x00b\nc\u202ed\u200f"})),
    _forms_case("path-forms-device-names", _roster(ids={"E002": "CON", "E003": "NUL.csv"})),
    _forms_case("path-forms-dots-only", _roster(ids={"E002": "..", "E003": "."})),
    _forms_case(
        "path-forms-ids-collide-after-safe-name",
        _roster(ids={"E002": "a/b", "E003": "a b"}, names={"E002": "x", "E003": "x"}),
    ),
    _forms_case(
        "path-forms-ids-collide-ignoring-case",
        _roster(ids={"E002": "ab", "E003": "AB"}, names={"E002": "x", "E003": "X"}),
    ),
    _forms_case("path-plan-forms-name-traversal", _roster(names={"E004": ESCAPE}), argv=PLANS),
    _forms_case(
        "path-plan-forms-ids-collide",
        _roster(ids={"E004": "a/b", "E005": "a_b"}, names={"E004": "x", "E005": "x"}),
        argv=PLANS,
    ),
    Case(
        id="path-forms-planted-link",
        argv=FORMS,
        setup=_planted_form,
        needles=["leads outside the output folder"],
        check=_kept_elsewhere,
    ),
    Case(
        id="path-forms-out-dir-is-a-file",
        argv=FORMS,
        setup=lambda place: (_roster()(place), _file("forms")(place)),
        needles=["forms: is a file, not a folder"],
    ),
    # --- score --out: what the output path is ---
    Case(
        id="path-score-out-is-a-folder",
        argv=_out("o.csv"),
        setup=_folder("o.csv"),
        needles=["o.csv: is a folder"],
    ),
    Case(
        id="path-score-xlsx-out-is-a-folder",
        argv=_out("o.xlsx"),
        setup=_folder("o.xlsx"),
        needles=["o.xlsx: is a folder"],
    ),
    Case(
        id="path-score-out-is-a-fifo",
        argv=_out("o.csv"),
        setup=_fifo("o.csv"),
        needles=["o.csv: is not a regular file"],
        timeout=30,
    ),
    Case(
        id="path-score-out-link-to-a-folder",
        argv=_out("o.csv"),
        setup=lambda place: (place.w / "o.csv").symlink_to(place.w, target_is_directory=True),
        needles=["o.csv: is a folder"],
    ),
    Case(
        id="path-score-out-in-proc",
        argv=[*SCORE, "--out", "/proc/kpi_hostile.csv"],
        needles=["/proc/kpi_hostile.csv", "cannot write"],
        absent=["/proc/.kpi_hostile*"],
    ),
    Case(
        id="path-score-out-name-too-long",
        argv=_out("长" * 100 + ".csv"),
        needles=["cannot write", "file name too long"],
    ),
    Case(
        id="path-score-out-nul-in-name",
        argv=_out("a\x00b.csv"),
        needles=["NUL character"],
    ),
    Case(
        id="path-score-out-windows-path",
        argv=[*SCORE, "--out", "C:\\x\\y.csv"],
        code=0,
        exists=["{w}/C:\\x\\y.csv"],  # on POSIX a backslash is a character of the name
    ),
    Case(
        id="path-score-out-dangling-link-is-replaced",
        argv=_out("o.csv"),
        setup=lambda place: (place.w / "o.csv").symlink_to(place.w / "nowhere" / "x.csv"),
        code=0,
        exists=["{w}/o.csv"],
        absent=["{w}/nowhere"],
    ),
    # --- input paths ---
    Case(
        id="path-roster-windows-path",
        argv=[*SCORE, "--roster", "C:\\data\\roster.csv"],
        needles=["C:\\data\\roster.csv", "file not found"],
    ),
    Case(
        id="path-roster-nul-in-path",
        argv=[*SCORE, "--roster", "roster\x00.csv"],
        needles=["NUL character"],
    ),
    Case(
        id="path-roster-under-a-file",
        argv=[*SCORE, "--roster", "{sample}/roster.csv/roster.csv"],
        needles=["roster.csv/roster.csv", "not a directory"],
    ),
]
