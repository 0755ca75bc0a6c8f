"""Hostile input, files and tables: what a table file may be (empty, encodings, line ends,
binary, sizes, headers, workbooks and their oddities) and files that are not files (folders,
pipes, devices, dangling links), each read by the one reader (``kpi_toolkit.input_files``).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable

import pandas as pd
from hostile import Case, Place
from openpyxl import Workbook, load_workbook

SCORE = ["score", "--scheme", "after_sales_team", "--data-dir", "{sample}", "--period", "2025-Q1"]
ROOT = os.geteuid() == 0  # root reads a file whatever its mode


def _roster_as(name: str, *, encoding: str = "utf-8", newline: str = "\n") -> Callable:
    """The sample roster written to ``w/name`` in another encoding or with other line ends."""

    def setup(place: Place) -> None:
        text = place.frame("roster.csv").to_csv(index=False, lineterminator=newline)
        place.write(name, text.encode(encoding))

    return setup


def _roster_text(edit: Callable[[str], str], name: str = "roster.csv") -> Callable:
    def setup(place: Place) -> None:
        place.write(name, edit(place.frame("roster.csv").to_csv(index=False)))

    return setup


def _raw(name: str, data: bytes) -> Callable:
    def setup(place: Place) -> None:
        place.write(name, data)

    return setup


def _roster_columns(edit: Callable[[pd.DataFrame], pd.DataFrame], name: str) -> Callable:
    def setup(place: Place) -> None:
        place.write_frame(name, edit(place.frame("roster.csv")))

    return setup


def _fifo(place: Place) -> None:
    os.mkfifo(place.w / "roster.csv")


def _dangling(place: Place) -> None:
    (place.w / "roster.csv").symlink_to(place.w / "gone.csv")


def _folder(place: Place) -> None:
    (place.w / "roster.csv").mkdir()


def _unreadable(place: Place) -> None:
    path = place.write("roster.csv", (place.sample / "roster.csv").read_bytes())
    path.chmod(0)


def _huge_sparse(place: Place) -> None:
    with (place.w / "roster.csv").open("wb") as handle:
        handle.truncate(600 << 20)  # a sparse file: 600 MiB long, no disk used


def _zip_not_workbook(place: Place) -> None:
    with zipfile.ZipFile(place.w / "roster.xlsx", "w") as archive:
        archive.writestr("hello.txt", "not a workbook")


def _book(place: Place, fill: Callable[[Workbook], None]) -> None:
    book = load_workbook(place.sample / "roster.xlsx")
    fill(book)
    book.save(place.w / "roster.xlsx")


def _merged_header(place: Place) -> None:
    def fill(book: Workbook) -> None:
        sheet = book.worksheets[0]
        sheet.insert_cols(6)
        sheet["F1"] = None
        sheet["F2"] = "x"
        sheet.merge_cells("E1:F1")

    _book(place, fill)


def _formula(place: Place) -> None:
    _book(place, lambda book: book.worksheets[0].__setitem__("B3", "=A3&A2"))


def _error_value(place: Place) -> None:
    _book(place, lambda book: book.worksheets[0].__setitem__("B4", "#DIV/0!"))


def _hidden_first(place: Place) -> None:
    def fill(book: Workbook) -> None:
        decoy = book.create_sheet("说明", 0)
        decoy["A1"] = "not the roster"
        decoy.sheet_state = "hidden"
        book.create_sheet("备注")["A1"] = "a later sheet"

    _book(place, fill)


def _serial_date(place: Place) -> None:
    def fill(book: Workbook) -> None:
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        sheet.cell(row=3, column=header.index("joined") + 1, value=45000)

    _book(place, fill)


def _xlsm(place: Place) -> None:
    place.write("roster.xlsm", (place.sample / "roster.xlsx").read_bytes())


def _utf16be(place: Place) -> None:
    text = place.frame("roster.csv").to_csv(index=False)
    place.write("roster.csv", b"\xfe\xff" + text.encode("utf-16-be"))


def _with(flag: str, name: str) -> list[str]:
    return [*SCORE, flag, "{w}/" + name]


def _bad_roster(case_id: str, name: str, setup: Callable, *needles: str, **more) -> Case:
    return Case(id=case_id, argv=_with("--roster", name), setup=setup, needles=needles, **more)


def _good_roster(case_id: str, name: str, setup: Callable) -> Case:
    return Case(
        id=case_id,
        argv=[*_with("--roster", name), "--out", "{w}/out.csv"],
        setup=setup,
        code=0,
        exists=["{w}/out.csv"],
    )


_DUP = _roster_columns(lambda r: r.assign(**{"status ": r["status"]}), "dup.csv")
_BLANK_HEADER = _roster_text(
    lambda t: t.replace("manager_id\n", "manager_id,\n", 1).replace("S001\n", "S001,x\n", 1)
)

CASES = [
    # --- empty and nearly empty ---
    _bad_roster("file-empty-roster", "roster.csv", _raw("roster.csv", b""), "no header row"),
    _bad_roster(
        "file-bom-only-roster", "roster.csv", _raw("roster.csv", b"\xef\xbb\xbf"), "no header row"
    ),
    _bad_roster(
        "file-blank-lines-only", "roster.csv", _raw("roster.csv", b"\r\n\n  \n"), "no header row"
    ),
    _bad_roster(
        "file-utf16-bom-only", "roster.csv", _raw("roster.csv", b"\xff\xfe"), "no header row"
    ),
    Case(
        id="file-empty-scores-for-bonus",
        argv=[
            "bonus",
            "--scores",
            "{w}/s.csv",
            "--installs",
            "1",
            "--install-price",
            "1",
            "--repairs",
            "1",
            "--repair-price",
            "1",
        ],
        setup=_raw("s.csv", b""),
        needles=["s.csv", "no header row"],
    ),
    # --- encodings and line ends ---
    _good_roster("file-gbk-roster", "roster.csv", _roster_as("roster.csv", encoding="gbk")),
    _good_roster("file-gb18030-roster", "roster.csv", _roster_as("roster.csv", encoding="gb18030")),
    _good_roster("file-utf16-roster", "roster.csv", _roster_as("roster.csv", encoding="utf-16")),
    _good_roster("file-utf16be-bom-roster", "roster.csv", _utf16be),
    _good_roster(
        "file-utf8-bom-roster", "roster.csv", _roster_as("roster.csv", encoding="utf-8-sig")
    ),
    _good_roster("file-crlf-roster", "roster.csv", _roster_as("roster.csv", newline="\r\n")),
    _good_roster("file-cr-only-roster", "roster.csv", _roster_as("roster.csv", newline="\r")),
    _good_roster(
        "file-blank-lines-in-roster",
        "roster.csv",
        _roster_text(lambda t: t.replace("\nE0", "\n\n  \nE0")),
    ),
    _bad_roster(
        "file-binary-garbage-csv",
        "roster.csv",
        _raw("roster.csv", b"\x80\x81\xff\x00" * 500),
        "not readable as gb18030",
    ),
    _bad_roster(
        "file-png-named-csv",
        "roster.csv",
        _raw("roster.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        "roster.csv",
    ),
    # --- not files ---
    _bad_roster("file-roster-is-a-folder", "roster.csv", _folder, "is a folder"),
    _bad_roster("file-roster-is-a-fifo", "roster.csv", _fifo, "not a regular file", timeout=20),
    _bad_roster("file-roster-dangling-link", "roster.csv", _dangling, "link to a missing file"),
    Case(
        id="file-roster-dev-zero",
        argv=[*SCORE, "--roster", "/dev/zero"],
        needles=["/dev/zero", "not a regular file"],
        isolated=True,
        timeout=60,
        memory_mb=1500,
    ),
    Case(
        id="file-roster-dev-urandom",
        argv=[*SCORE, "--roster", "/dev/urandom"],
        needles=["not a regular file"],
        isolated=True,
        timeout=60,
    ),
    Case(
        id="file-actuals-dev-null",
        argv=[
            "score",
            "--scheme",
            "after_sales_team",
            "--data-dir",
            "{sample}",
            "--period",
            "2025-Q1",
            "--actuals",
            "/dev/null",
        ],
        needles=["/dev/null", "not a regular file"],
    ),
    Case(
        id="file-roster-unreadable",
        argv=[*_with("--roster", "roster.csv"), "--out", "{w}/out.csv"],
        setup=_unreadable,
        code=0 if ROOT else 2,  # root reads it anyway: only the refusal is tested as a user
        needles=() if ROOT else ("permission denied",),
    ),
    _bad_roster(
        "file-roster-above-size-cap", "roster.csv", _huge_sparse, "600.0 MiB", "KPI_MAX_INPUT_MB"
    ),
    # --- sizes and shapes ---
    _bad_roster(
        "file-one-line-of-2-mib",
        "roster.csv",
        _raw("roster.csv", b"employee_id," + b"x" * (2 << 20)),
        "longer than 1 MiB",
    ),
    _bad_roster(
        "file-ten-million-columns",
        "roster.csv",
        _raw("roster.csv", b"a," * 5_000_000 + b"\n"),
        "longer than 1 MiB",
        isolated=True,
        timeout=60,
    ),
    _bad_roster(
        "file-twenty-thousand-columns",
        "roster.csv",
        _raw("roster.csv", ",".join(f"c{i}" for i in range(20_000)).encode() + b"\n1\n"),
        "more than 16384",
    ),
    _bad_roster(
        "file-row-with-extra-fields",
        "roster.csv",
        _roster_text(lambda t: t.replace("\nE003,", "\nE003,x,y,z,w,v,u,t,s,r,q,", 1)),
        "cannot parse as CSV",
    ),
    # --- headers ---
    _bad_roster(
        "file-duplicate-status-column",
        "dup.csv",
        _DUP,
        "two columns have the header 'status'",
        "columns E (5)",
    ),
    _bad_roster(
        "file-blank-header-with-data", "roster.csv", _BLANK_HEADER, "blank header", "column J (10)"
    ),
    _good_roster(
        "file-trailing-commas", "roster.csv", _roster_text(lambda t: t.replace("\n", ",,\n"))
    ),
    _good_roster(
        "file-fullwidth-headers",
        "roster.csv",
        _roster_text(lambda t: t.replace("status", "ｓｔａｔｕｓ", 1)),
    ),
    _good_roster(
        "file-headers-with-spaces-and-bom",
        "roster.csv",
        _roster_text(lambda t: "\ufeff employee_id\u3000" + t[len("employee_id") :]),
    ),
    # --- workbooks ---
    _bad_roster(
        "file-empty-xlsx", "roster.xlsx", _raw("roster.xlsx", b""), "not an Excel workbook"
    ),
    _bad_roster(
        "file-garbage-xlsx",
        "roster.xlsx",
        _raw("roster.xlsx", b"PK\x03\x04" + b"\x00" * 100),
        "not an Excel workbook",
    ),
    _bad_roster(
        "file-zip-not-workbook", "roster.xlsx", _zip_not_workbook, "not a readable Excel workbook"
    ),
    _bad_roster(
        "file-encrypted-xlsx",
        "roster.xlsx",
        _raw("roster.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        "password-protected",
    ),
    _bad_roster(
        "file-xls-suffix",
        "roster.xls",
        _raw("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        "unsupported file extension '.xls'",
        ".xlsx",
    ),
    _bad_roster(
        "file-json-suffix",
        "roster.json",
        _raw("roster.json", b"[]"),
        "unsupported file extension '.json'",
        ".csv, .xlsx",
    ),
    _bad_roster(
        "file-no-suffix",
        "roster",
        _raw("roster", b"employee_id\n"),
        "unsupported file extension ''",
    ),
    _good_roster("file-xlsm-roster", "roster.xlsm", _xlsm),
    _bad_roster("file-xlsx-merged-header", "roster.xlsx", _merged_header, "blank header", "merged"),
    _bad_roster(
        "file-xlsx-formula-without-value",
        "roster.xlsx",
        _formula,
        "cell B3",
        "formula without a saved value",
    ),
    _bad_roster("file-xlsx-error-value", "roster.xlsx", _error_value, "cell B4", "#DIV/0!"),
    _good_roster("file-xlsx-hidden-first-sheet", "roster.xlsx", _hidden_first),
    _bad_roster(
        "file-xlsx-date-as-serial-number",
        "roster.xlsx",
        _serial_date,
        "row 3",
        "not a date",
        "45000",
    ),
    # --- raw exports ---
    Case(
        id="file-parquet-garbage",
        argv=[
            "metrics",
            "--source",
            "{w}/pq.yaml",
            "--data",
            "{w}/t.parquet",
            "--period-grain",
            "month",
        ],
        setup=lambda place: (
            place.write("t.parquet", b"PAR1" + b"\x07" * 300 + b"PAR1"),
            place.write(
                "pq.yaml",
                (place.params / "sources" / "sample_tickets.yaml")
                .read_text(encoding="utf-8")
                .replace("format: csv", "format: parquet"),
            ),
        ),
        needles=["t.parquet", "parquet"],
    ),
    Case(
        id="file-records-csv-empty",
        argv=[
            "metrics",
            "--source",
            "sample_tickets",
            "--data",
            "{w}/t.csv",
            "--period-grain",
            "month",
        ],
        setup=_raw("t.csv", b""),
        needles=["t.csv", "no header row"],
    ),
    Case(
        id="file-records-data-is-a-folder",
        argv=[
            "metrics",
            "--source",
            "sample_tickets",
            "--data",
            "{w}/t.csv",
            "--period-grain",
            "month",
        ],
        setup=lambda place: (place.w / "t.csv").mkdir(),
        needles=["t.csv", "is a folder"],
    ),
    Case(
        id="file-records-duplicate-header",
        argv=[
            "metrics",
            "--source",
            "sample_tickets",
            "--data",
            "{w}/t.csv",
            "--period-grain",
            "month",
        ],
        setup=lambda place: place.write("t.csv", "工单号,工单号\n1,2\n".encode("gbk")),
        needles=["two columns have the header '工单号'"],
    ),
]
