"""Excel export of a period's scores: a scorecard per position, the team ranking, the people
not appraised, and a sheet saying what the file is.

Text from data (names, teams, ids, reasons, notes, the scheme's labels) is always written as
a string cell; text Excel would read as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage
return) gets a leading ``'``, so that editing the cell cannot run it either.
"""

from __future__ import annotations

import io
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..engine.grading import grade_names, team_ranking
from ..engine.scheme import Kpi, Position, Scheme
from ..engine.scoring import Appraisal
from ..errors import InputError, Problem
from ..files import NameRules, unused_name, write_atomic
from ..labels import Lang, label, position_names
from .html import number

__all__ = [
    "cell_text",
    "csv_cell",
    "put_cell",
    "save_workbook",
    "scores_workbooks",
    "table_csv",
    "write_scores_excel",
    "write_table",
    "write_table_excel",
]


Columns = Sequence[tuple[str, str | None]]  # (column or label key, number format)
ID_KEYS = ("employee_id", "name", "team")
POINTS, WHOLE, TIMESTAMP = "0.00", "0", "yyyy-mm-dd hh:mm:ss"
TAIL = (("total", POINTS), ("grade", None), ("rank", WHOLE), ("flags", None))
TOP, BOTTOM, TARGET_ROW, RULE_ROW, FIRST_PERSON_ROW = 2, 3, 4, 5, 6  # title in row 1
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
CSV_DECIMALS = 4  # what a CSV table keeps of a number
SHEET_TITLE_MAX = 31
# Excel's rules for a sheet title: none of []:*?/\, at most 31 characters, no ' at either end.
SHEET_TITLE = NameRules(
    unsafe=re.compile(r"[\[\]:*?/\\]"),
    max_chars=SHEET_TITLE_MAX,
    max_bytes=None,
    reserved=frozenset(),  # "History" is taken rather than refused: see _sheet_title
    strip="'",
    fallback="Sheet",
)
# Not allowed in XML 1.0: openpyxl refuses the control characters, and writes a lone
# surrogate or U+FFFE/U+FFFF into a file that neither Excel nor openpyxl can open again.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MIN_WIDTH, MAX_WIDTH = 6, 48
LINE_HEIGHT = 15  # points, for 11 pt text

THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NOTE_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
RULE_SIZE = 9  # points
RULE_FONT = Font(size=RULE_SIZE, color="595959")
BOLD = Font(bold=True)


def write_scores_excel(
    appraisal: Appraisal,
    path: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
    team: str | None = None,
) -> Path:
    """Write a period's scores as an Excel workbook, whole or not at all.

    Sheets: a scorecard per position with people appraised — two header rows (categories
    over their KPIs, each KPI with its weight), each KPI's target and rule in words, then a
    row per person: points, category subtotals, total, grade, rank in position, notes —; the
    team ranking; the people not appraised, with the reason; and an about sheet (scheme,
    period, grade bands, when and by which toolkit version the file was made).

    Parameters
    ----------
    appraisal
        The result of :func:`kpi_toolkit.score`.
    path
        The ``.xlsx`` file; its folder must exist. The workbook is built in memory and an
        existing file is replaced only by a complete new one.
    lang
        ``"zh"`` (default) or ``"en"``: headings and the names of positions, categories,
        KPIs and grades. Reasons and notes are as the appraisal gives them (score with the
        same ``lang``).
    team
        Only this team's people on the scorecard and not-appraised sheets (the team
        ranking stays the department's: it ranks the teams).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InputError
        ``path`` does not end in ``.xlsx``.

    Examples
    --------
    >>> write_scores_excel(result, "scores_2026-Q3.xlsx")  # doctest: +SKIP
    PosixPath('scores_2026-Q3.xlsx')
    """
    return save_workbook(_workbook(appraisal, lang=lang, team=team), path)


def scores_workbooks(appraisal: Appraisal, teams: Sequence[str]) -> dict[str | None, str]:
    """The scores workbooks of a ``kpi report`` run, each team (``None``: the department)
    → its file stem: ``scores_<period>`` for the department, ``scores_<period>_<team>`` for
    each team report (``teams`` as ``--team`` gives them; ``["all"]``: every team).

    Examples
    --------
    >>> scores_workbooks(appraisal, ["安装组"])  # doctest: +SKIP
    {'安装组': 'scores_2026-Q3_安装组'}
    """
    period = appraisal.period
    known = sorted(set(appraisal.scores["team"]))
    chosen = known if list(teams) == ["all"] else [t for t in teams if t in known]
    if not teams:
        return {None: f"scores_{period}"}
    stems: dict[str | None, str] = {}
    for team in chosen:
        stems[team] = unused_name(f"scores_{period}_{team}", taken=stems.values())
    return stems


def write_table_excel(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write one table as a workbook of one sheet, whole or not at all.

    A header row of the column names, then a row per record. Text is never a formula (a
    value starting with ``=``, ``+``, ``-`` or ``@`` is kept as text), numbers stay numbers,
    a missing value is an empty cell. What ``kpi score --out scores.xlsx`` writes.

    Raises
    ------
    InputError
        ``path`` does not end in ``.xlsx``.
    """
    book = Workbook()
    sheet = book.worksheets[0]
    for column, name in enumerate(frame.columns, start=1):
        put_cell(sheet, 1, column, str(name))
    for row, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        for column, value in enumerate(values, start=1):
            put_cell(sheet, row, column, value)
    return save_workbook(book, path)


def write_table(
    frame: pd.DataFrame, path: str | os.PathLike[str], *, decimals: int | None = CSV_DECIMALS
) -> Path:
    """Write one table to ``path``, whole or not at all: the one writer of every command's
    ``--out`` (``kpi score``, ``annual``, ``bonus``, ``raters``, ``collect``, ``metrics``).

    ``.xlsx``: :func:`write_table_excel` (every text cell through :func:`put_cell`, never a
    formula). Any other name: CSV in UTF-8 with a BOM (what Excel opens as UTF-8), numbers
    rounded to ``decimals`` (``None``: full precision, read back as written), and text made
    inert for a spreadsheet (:func:`table_csv`).
    """
    if Path(path).suffix.lower() == ".xlsx":
        return write_table_excel(frame, path)
    return write_atomic(path, table_csv(frame, decimals=decimals).encode("utf-8-sig"))


def table_csv(frame: pd.DataFrame, *, decimals: int | None = CSV_DECIMALS) -> str:
    """The table as CSV text meant to be opened in Excel: no cell runs as a formula.

    Following the OWASP advice on CSV injection, a text cell starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (:func:`csv_cell`), so
    that ``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0`` is shown as text, not run. Text that
    is a plain number (``-1.5``) is left as it is, and numbers stay numbers (rounded to
    ``decimals``, by default :data:`CSV_DECIMALS`; ``None``: full precision).

    Examples
    --------
    >>> print(table_csv(pd.DataFrame({"name": ["=1+1", "-1.5", "张三"], "total": [-1.5, 2, 3]})))
    name,total
    '=1+1,-1.5
    -1.5,2.0
    张三,3.0
    <BLANKLINE>
    """
    text = frame.copy() if decimals is None else frame.round(decimals)
    for column in text.columns:
        if pd.api.types.is_numeric_dtype(text[column]):
            continue
        risky = text[column].map(_runs_as_formula).astype(bool)
        if risky.any():  # only those cells: the column's other values keep their type
            text[column] = text[column].astype(object)
            text.loc[risky, column] = text.loc[risky, column].map(csv_cell)
    return str(text.to_csv(index=False))


def _runs_as_formula(value: object) -> bool:
    return csv_cell(value) is not value


def csv_cell(value: object) -> object:
    """A CSV cell Excel will not run: text starting like a formula gets a leading ``'``.

    Examples
    --------
    >>> csv_cell("@SUM(1+1)"), csv_cell("-2+3"), csv_cell("-2.5"), csv_cell(7)
    ("'@SUM(1+1)", "'-2+3", '-2.5', 7)
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    return value if PLAIN_NUMBER.fullmatch(value) else "'" + value


def save_workbook(book: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save ``book`` to an ``.xlsx`` file, whole or not at all (built in memory first)."""
    if Path(path).suffix.lower() != ".xlsx":
        where, found = os.fspath(path), Path(path).suffix
        problem = Problem(where, "unsupported file extension", found, ".xlsx (e.g. scores.xlsx)")
        raise InputError(problem)
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomic(path, buffer.getvalue())


def _workbook(appraisal: Appraisal, *, lang: Lang, team: str | None = None) -> Workbook:
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    scheme = appraisal.scheme
    scores = appraisal.scores.assign(
        grade=grade_names(appraisal.scores["grade_id"], scheme=scheme, lang=lang)
    )
    if team is not None:
        scores = scores.loc[scores["team"] == team]
        excluded = appraisal.excluded
        appraisal = replace(appraisal, excluded=excluded.loc[excluded["team"] == team])
    for position in scheme.positions.values():
        people = scores.loc[scores["position"] == position.id]
        if not people.empty:
            sheet = _new_sheet(book, position.name.get(lang))
            _scorecard(sheet, people, position=position, appraisal=appraisal, lang=lang)
    _team_sheet(_new_sheet(book, label("excel.sheet.team_ranking", lang)), appraisal, lang)
    _excluded_sheet(_new_sheet(book, label("not_appraised", lang)), appraisal, lang)
    _about_sheet(_new_sheet(book, label("excel.sheet.about", lang)), appraisal, lang)
    return book


def _new_sheet(book: Workbook, name: str) -> Worksheet:
    return book.create_sheet(_sheet_title(name, taken=book.sheetnames))


def _sheet_title(name: str, *, taken: Iterable[str]) -> str:
    """A valid title not yet used: ≤ 31 characters, none of ``[]:*?/\\``, unique ignoring case."""
    # Excel reserves "History"
    return unused_name(name, taken=[*taken, "History"], rules=SHEET_TITLE, suffix=" ({n})")


def put_cell(
    sheet: Worksheet, row: int, column: int, value: object, *, number_format: str | None = None
) -> Cell:
    """Write one value: text is never a formula; numbers stay numbers, in ``number_format``."""
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, Cell)  # written before its range is merged
    plain = _plain(value)
    if isinstance(plain, str):
        text = cell_text(plain)
        cell.value = text
        cell.data_type = "s"
        quoted = text.startswith("'") and not plain.startswith("'")
        cell.quotePrefix = quoted  # Excel keeps a re-edited cell as text
    else:
        cell.value = plain
        if number_format is not None and plain is not None:
            cell.number_format = number_format
    return cell


def cell_text(text: str) -> str:
    """The string :func:`put_cell` stores for ``text``: what a reader of the cell finds.

    Characters XML cannot hold become U+FFFD; text Excel would read as a formula gets a
    leading ``'``; a carriage return is a line feed (as every XML reader reads it back).

    Examples
    --------
    >>> cell_text("=SUM(A1:A9)")
    "'=SUM(A1:A9)"
    >>> cell_text("张三")
    '张三'
    """
    text = NOT_IN_XML.sub("\ufffd", text)
    quoted = text.startswith(FORMULA_STARTS)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if quoted else text


def _plain(value: object) -> bool | int | float | str | datetime | None:
    """``None`` for a missing value, Python numbers for numpy ones, text for anything else."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):  # type: ignore[call-overload]  # pandas-stubs: is_scalar does not narrow
        return None
    if isinstance(value, bool | int | float | str | datetime):
        return value
    return value.item() if hasattr(value, "item") else str(value)


def _heading(
    sheet: Worksheet,
    at: tuple[int, int],
    text: str,
    *,
    to: tuple[int, int] | None = None,
    fill: PatternFill = HEADER_FILL,
) -> None:
    """A bold, filled, bordered heading at (row, column), merged down/right to ``to``."""
    (row, column), (last_row, last_column) = at, to or at
    put_cell(sheet, row, column, text)
    if to is not None and to != at:
        sheet.merge_cells(
            start_row=row, start_column=column, end_row=last_row, end_column=last_column
        )
    for line in sheet.iter_rows(row, last_row, column, last_column):
        for cell in line:
            cell.font, cell.fill, cell.border, cell.alignment = BOLD, fill, BORDER, CENTRED


def _title(sheet: Worksheet, text: str, *, width: int) -> None:
    put_cell(sheet, 1, 1, text).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    sheet.row_dimensions[1].height = 24


def _rows(sheet: Worksheet, frame: pd.DataFrame, columns: Columns, *, first: int) -> None:
    """A bordered row per record of ``frame``; ``columns`` are (column, number format)."""
    values = frame.reindex(columns=[name for name, _ in columns]).to_numpy(dtype=object)
    formats = [number_format for _, number_format in columns]
    for row, record in enumerate(values, start=first):
        for column, (value, number_format) in enumerate(zip(record, formats, strict=True), 1):
            put_cell(sheet, row, column, value, number_format=number_format).border = BORDER


def _scorecard(
    sheet: Worksheet, people: pd.DataFrame, *, position: Position, appraisal: Appraisal, lang: Lang
) -> None:
    categories = [c for c in position.categories if any(k.category == c for k in position.kpis)]
    kpis = [k for c in categories for k in position.kpis if k.category == c]  # adjacent
    columns = [(key, None) for key in ID_KEYS] + [(k.id, POINTS) for k in kpis]
    columns += [(c, POINTS) for c in categories] + list(TAIL)
    names = {"scheme": appraisal.scheme.name.get(lang), "position": position.name.get(lang)}
    _title(sheet, label("excel.title", lang, **names, period=appraisal.period), width=len(columns))
    _scorecard_header(sheet, position, kpis, categories, lang)
    _targets(sheet, kpis, lang)
    _rows(sheet, people, columns, first=FIRST_PERSON_ROW)
    _colour(sheet, column=len(columns) - 2, fills=_grade_fills(appraisal.scheme, lang))
    _finish(sheet, freeze="C4", title_rows=f"{TOP}:{BOTTOM}", skip_rows={RULE_ROW})
    _fit_rule_row(sheet, columns=range(len(ID_KEYS) + 1, len(ID_KEYS) + len(kpis) + 1))


def _scorecard_header(
    sheet: Worksheet, position: Position, kpis: list[Kpi], categories: list[str], lang: Lang
) -> None:
    """Row TOP: categories over their KPIs, 小计 over the subtotals; row BOTTOM: the KPIs
    with their weights, the categories with their points; the rest spans both rows."""
    for column, key in enumerate(ID_KEYS, start=1):
        _heading(sheet, (TOP, column), label(key, lang), to=(BOTTOM, column))
    column = len(ID_KEYS) + 1
    for category_id in categories:
        count = sum(k.category == category_id for k in kpis)
        name = position.categories[category_id].name.get(lang)
        _heading(sheet, (TOP, column), name, to=(TOP, column + count - 1))
        column += count
    subtotal = label("excel.subtotal", lang)
    _heading(sheet, (TOP, column), subtotal, to=(TOP, column + len(categories) - 1))
    parts = [(k.name, k.weight) for k in kpis]
    parts += [(position.categories[c].name, position.categories[c].points) for c in categories]
    for column, (names, points) in enumerate(parts, start=len(ID_KEYS) + 1):
        _heading(sheet, (BOTTOM, column), f"{names.get(lang)} ({points:g})")
    for column, (key, _) in enumerate(TAIL, start=len(ID_KEYS) + len(parts) + 1):
        _heading(sheet, (TOP, column), label(key, lang), to=(BOTTOM, column))


def _targets(sheet: Worksheet, kpis: list[Kpi], lang: Lang) -> None:
    """Under the header: each KPI's target, and its rule in words."""
    for row, key in ((TARGET_ROW, "target"), (RULE_ROW, "excel.rule")):
        _heading(sheet, (row, 1), label(key, lang), to=(row, len(ID_KEYS)), fill=NOTE_FILL)
    for column, kpi in enumerate(kpis, start=len(ID_KEYS) + 1):
        target = kpi.target if kpi.target_text is None else kpi.target_text
        number_format = "0%" if kpi.kind == "ratio" else "General"
        cell = put_cell(sheet, TARGET_ROW, column, target, number_format=number_format)
        cell.alignment, cell.fill, cell.border = CENTRED, NOTE_FILL, BORDER
        rule = kpi.rule.describe(weight=kpi.weight, target=kpi.target, lang=lang)
        cell = put_cell(sheet, RULE_ROW, column, rule)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        cell.font, cell.fill, cell.border = RULE_FONT, NOTE_FILL, BORDER


def _fit_rule_row(sheet: Worksheet, *, columns: range) -> None:
    """Tall enough for the wrapped rules (Excel does not size a wrapped row on opening)."""
    lines = 1
    for column in columns:
        text = str(sheet.cell(RULE_ROW, column).value or "")
        room = max(sheet.column_dimensions[get_column_letter(column)].width - 1, 1)
        lines = max(lines, math.ceil(_display_width(text) * RULE_SIZE / 11 / room))
    sheet.row_dimensions[RULE_ROW].height = min(12 * lines + 4, 409)


def _grade_fills(scheme: Scheme, lang: Lang) -> dict[str, PatternFill]:
    """A fill per grade name: the tint of the grade's colour in every report and chart
    (:mod:`kpi_toolkit.reports.palette`)."""
    from .palette import grade_name_colours, tint

    return {
        name: PatternFill("solid", fgColor=tint(colour)[1:].upper())
        for name, colour in grade_name_colours(scheme, lang).items()
    }


def _colour(sheet: Worksheet, *, column: int, fills: dict[str, PatternFill]) -> None:
    """Fill the cells of ``column`` that hold a grade name with that grade's colour."""
    for (cell,) in sheet.iter_rows(min_row=TOP, min_col=column, max_col=column):
        if isinstance(cell.value, str) and cell.value in fills:
            cell.fill = fills[cell.value]


def _table(
    sheet: Worksheet, frame: pd.DataFrame, columns: Columns, *, title: str, lang: Lang
) -> None:
    """A titled table: a header row of labels (``columns`` are label keys), a row per record."""
    _title(sheet, title, width=len(columns))
    for column, (key, _) in enumerate(columns, start=1):
        _heading(sheet, (TOP, column), label(key, lang))
    _rows(sheet, frame, columns, first=TOP + 1)
    _finish(sheet, freeze=f"A{TOP + 1}", title_rows=f"{TOP}:{TOP}")


def _team_sheet(sheet: Worksheet, appraisal: Appraisal, lang: Lang) -> None:
    teams = team_ranking(appraisal.scores, scheme=appraisal.scheme, lang=lang)
    columns = [("team_rank", WHOLE), ("team", None), ("headcount", WHOLE)]
    columns += [("mean_total", POINTS), ("grade", None)]
    title = f"{label('team_ranking', lang)} · {appraisal.period}"
    _table(sheet, teams.rename(columns={"rank": "team_rank"}), columns, title=title, lang=lang)
    _colour(sheet, column=len(columns), fills=_grade_fills(appraisal.scheme, lang))


def _excluded_sheet(sheet: Worksheet, appraisal: Appraisal, lang: Lang) -> None:
    keys = ["employee_id", "name", "position", "team", "reason"]
    excluded = appraisal.excluded.reindex(columns=keys)
    titles = appraisal.excluded.get("position_name")  # the roster's title, where given
    excluded["position"] = position_names(
        excluded["position"], scheme=appraisal.scheme, lang=lang, titles=titles
    )
    title = f"{label('not_appraised', lang)} · {appraisal.period}"
    _table(sheet, excluded, [(key, None) for key in keys], title=title, lang=lang)


def _about_sheet(sheet: Worksheet, appraisal: Appraisal, lang: Lang) -> None:
    """The scheme, the period, the grade bands (best first: ``[90, 100]``, ``[80, 90)``…),
    when the file was made and by which toolkit version."""
    from .. import __version__  # not at the top: the package imports its modules first

    scheme = appraisal.scheme
    items: list[tuple[str, object]] = [
        (label(key, lang), value)
        for key, value in (
            ("excel.scheme", scheme.name.get(lang)),
            ("excel.scheme_id", scheme.id),
            ("excel.source", scheme.source),
            ("excel.path", scheme.path),
            ("period", str(appraisal.period)),
            ("excel.generated", datetime.now().replace(microsecond=0)),
            ("excel.version", f"kpi-toolkit {__version__}"),
            ("excel.grade_bands", None),
        )
    ]
    uppers = [(100, "]")] + [(g.min, ")") for g in scheme.grade_order()]
    for grade, (upper, bracket) in zip(scheme.grade_order(), uppers, strict=False):
        items.append((grade.name.get(lang), f"[{grade.min:g}, {upper:g}{bracket}"))
    about = pd.DataFrame(items, columns=["excel.item", "excel.value"])
    columns = [("excel.item", None), ("excel.value", TIMESTAMP)]
    _table(sheet, about, columns, title=label("excel.sheet.about", lang), lang=lang)
    _colour(sheet, column=1, fills=_grade_fills(scheme, lang))


def _finish(
    sheet: Worksheet, *, freeze: str, title_rows: str, skip_rows: Iterable[int] = ()
) -> None:
    """Frozen panes, fitted columns, and printing landscape, one page wide, header repeated."""
    sheet.freeze_panes = freeze
    _fit_columns(sheet, skip_rows=set(skip_rows))
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # 0: as many pages down
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = title_rows


def _fit_columns(sheet: Worksheet, *, skip_rows: set[int]) -> None:
    """Each column as wide as its widest cell (CJK characters count double); text merged
    across columns (titles, category headings) does not count."""
    spanning = {
        cell
        for merged in sheet.merged_cells.ranges
        if merged.max_col > merged.min_col
        for cell in merged.cells
    }
    widths: dict[int, float] = {}
    for line in sheet.iter_rows():
        for cell in line:
            if cell.value is None or cell.row in skip_rows or (cell.row, cell.column) in spanning:
                continue
            widths[cell.column] = max(widths.get(cell.column, 0), _cell_width(cell))
            if _cell_width(cell) > MAX_WIDTH:  # wraps instead (long sources, reasons, notes)
                _wrap(sheet, cell)
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def _wrap(sheet: Worksheet, cell: Cell) -> None:
    """Wrap a cell too long for the widest column, its row made tall enough to show it."""
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    lines = math.ceil(_cell_width(cell) / (MAX_WIDTH - 2))
    height = sheet.row_dimensions[cell.row].height or 0
    sheet.row_dimensions[cell.row].height = max(height, LINE_HEIGHT * lines)


def _cell_width(cell: Cell) -> float:
    if isinstance(cell.value, datetime):
        return len(TIMESTAMP)
    if isinstance(cell.value, float) and cell.number_format == POINTS:
        return len(number(cell.value, 2))
    size = cell.font.sz if cell.font is not None and cell.font.sz else 11
    return _display_width(str(cell.value)) * size / 11


def _display_width(text: str) -> int:
    """Width in Latin characters of the longest line: wide (CJK) characters count two."""
    widths = [
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        for line in text.splitlines()
    ]
    return max(widths, default=0)
