"""Rating forms sent out: one Excel workbook per rater (seed section 4; ``kpi forms``).

Sheet ``评分`` has a title, instructions, and a table whose header row is ``被评人编号 |
被评人 | 评价关系 | 指标 | 评分 | 说明``: a row per (ratee, KPI) the rater is assigned in the
round. Only the ``评分`` cells can be edited (sheet protection, no password) and each carries
Excel data validation (the scale's labels, or the range of numbers). A very hidden sheet
records the form's identity (:mod:`kpi_toolkit.reports.form_identity`), so that ``kpi
collect`` can check a returned form.

Text from names (people, KPIs, the scheme) is written as text, never as a live formula.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.worksheet import Worksheet

from ..engine.inputs import allowed_values
from ..engine.scheme import RATER_GROUPS, Kpi, Scheme
from ..errors import InputError
from ..files import inside, make_folder, safe_name
from ..labels import Lang, label, name_of
from ..periods import Period, parse_period
from .excel import BOLD, BORDER, HEADER_FILL, put_cell, save_workbook
from .form_cells import OPEN, allowed_text, finish, number_text, validate
from .form_identity import identity_of, write_identity

__all__ = [
    "COLUMNS",
    "ROUNDS",
    "SELF_COLUMNS",
    "VALUE_COLUMN",
    "Round",
    "allowed_text",
    "form_rows",
    "form_stem",
    "form_stems",
    "rating_form",
    "self_scores",
    "write_rating_forms",
]

Round = Literal["all", "self", "superior", "others"]
ROUNDS: dict[Round, tuple[str, ...]] = {
    "all": RATER_GROUPS,
    "self": ("self",),
    "superior": ("superior",),
    "others": ("subordinates", "peers"),
}
# Label keys of the table's columns (forms.col.*); the rating goes in the fifth (E).
COLUMNS = ("ratee_id", "ratee", "relation", "kpi", "value", "help")
VALUE_COLUMN = COLUMNS.index("value") + 1
SELF_COLUMNS = ("employee_id", "period", "kpi_id", "rater_group", "value")
WIDTHS = (14, 14, 12, 24, 14, 48)
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(vertical="top", wrap_text=True)


def form_rows(
    assigned: pd.DataFrame, *, roster: pd.DataFrame, scheme: Scheme, round: Round = "all"
) -> pd.DataFrame:
    """The assignments one round of forms asks for, each with its ratee's position.

    ``assigned`` is :func:`~kpi_toolkit.engine.raters.assign_raters`'s table; the round keeps
    its groups: ``self`` only the self-appraisals, ``superior`` only the superiors',
    ``others`` peers and subordinates, ``all`` every group.
    """
    rows = assigned.loc[assigned["rater_group"].isin(ROUNDS[round])]
    positions = roster.set_index("employee_id")["position"]
    return rows.assign(position=rows["employee_id"].map(positions)).reset_index(drop=True)


def write_rating_forms(
    assigned: pd.DataFrame,
    *,
    roster: pd.DataFrame,
    scheme: Scheme,
    period: Period,
    out_dir: str | os.PathLike[str],
    round: Round = "all",
    self_ratings: Mapping[tuple[str, str], object] | None = None,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Write one rating form per rater of the round into ``out_dir``; return what was written.

    Parameters
    ----------
    assigned
        Who rates whom (:func:`~kpi_toolkit.engine.raters.assign_raters`).
    roster, scheme, period
        The checked roster (the ratees' positions), the scheme (KPI names, allowed values,
        its digest) and the period.
    out_dir
        The folder (made if missing). Each form is ``<rater_id>_<rater name>.xlsx`` made
        safe for a file name (numbered on a clash), always inside this folder.
    round
        ``all``, ``self``, ``superior`` or ``others`` (see :func:`form_rows`).
    self_ratings
        On the ``superior`` round: each person's own score by ``(employee_id, kpi_id)``,
        shown in 说明 where the ratee's position has a self-appraisal (``None``: not given).
    lang
        ``zh`` (default) or ``en``: title, instructions, headers, names.

    Returns
    -------
    pandas.DataFrame
        ``rater_id, rater_name, file, rows``: one row per form, in roster order.
    """
    folder = make_folder(out_dir)
    rows = form_rows(assigned, roster=roster, scheme=scheme, round=round)
    order = {e: i for i, e in enumerate(roster["employee_id"])}
    raters = rows.drop_duplicates("rater_id").sort_values(
        "rater_id", key=lambda ids: ids.map(order), kind="stable"
    )
    written: list[tuple] = []
    taken: list[str] = []
    for rater_id, rater_name in zip(raters["rater_id"], raters["rater_name"], strict=True):
        path = inside(folder, _stem(rater_id, rater_name), extension=".xlsx", taken=taken)
        taken.append(path.stem)
        mine = rows.loc[rows["rater_id"] == rater_id]
        book = rating_form(
            mine, scheme=scheme, period=period, round=round, self_ratings=self_ratings, lang=lang
        )
        save_workbook(book, path)
        written.append((rater_id, rater_name, str(path), len(mine)))
    return pd.DataFrame(written, columns=["rater_id", "rater_name", "file", "rows"])


def self_scores(ratings: pd.DataFrame, *, period: Period) -> dict[tuple[str, str], object]:
    """Each person's own score in ``period`` by ``(employee_id, kpi_id)``, as typed.

    ``ratings`` has :data:`SELF_COLUMNS` (the table ``kpi collect --round self`` writes);
    rows of other groups and periods are left out.

    >>> table = pd.DataFrame({"employee_id": ["C1", "C1"], "period": ["2026-Q3", "2026-Q2"],
    ...     "kpi_id": ["service"] * 2, "rater_group": ["self"] * 2, "value": ["很满意", "不满意"]})
    >>> self_scores(table, period=parse_period("2026-Q3"))
    {('C1', 'service'): '很满意'}
    """
    periods = {p: _period_or_none(str(p)) for p in ratings["period"].unique()}
    own = ratings.loc[
        (ratings["rater_group"] == "self") & (ratings["period"].map(periods) == str(period))
    ]
    keys = zip(own["employee_id"].astype(str), own["kpi_id"].astype(str), strict=True)
    return dict(zip(keys, own["value"], strict=True))


def _period_or_none(text: str) -> str | None:
    try:
        return str(parse_period(text))
    except InputError:
        return None


def _stem(holder_id: object, holder_name: object) -> str:
    return f"{holder_id}_{holder_name}"


def form_stem(holder_id: object, holder_name: object) -> str:
    """A form's file name without ``.xlsx`` (before any number a clash adds): the id and
    name of the person it is for (a rater, or the person a plan is for), made safe.

    >>> form_stem("../x", "a/b")
    'x_a_b'
    """
    return safe_name(_stem(holder_id, holder_name))


def form_stems(assigned: pd.DataFrame) -> dict[str, str]:
    """Each rater's form's file name without ``.xlsx`` (before any number a clash adds):
    ``<rater_id>_<rater name>`` made safe.

    >>> form_stems(pd.DataFrame({"rater_id": ["E004", "../x"], "rater_name": ["张三", "a/b"]}))
    {'E004': 'E004_张三', '../x': 'x_a_b'}
    """
    raters = assigned.drop_duplicates("rater_id")
    return {
        str(r): form_stem(r, n)
        for r, n in zip(raters["rater_id"], raters["rater_name"], strict=True)
    }


def rating_form(
    rows: pd.DataFrame,
    *,
    scheme: Scheme,
    period: Period,
    round: Round = "all",
    self_ratings: Mapping[tuple[str, str], object] | None = None,
    lang: Lang = "zh",
) -> Workbook:
    """The workbook of one rater's form: sheet ``评分`` and the hidden identity sheet.

    ``rows`` are one rater's rows of :func:`form_rows`.
    """
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = label("forms.sheet", lang)
    kpis = [_kpi(scheme, p, k) for p, k in zip(rows["position"], rows["kpi_id"], strict=True)]
    first = _preamble(sheet, rows.iloc[0], kpis=kpis, scheme=scheme, period=period, lang=lang)
    identity = identity_of(rows, scheme=scheme, period=period, round=round, lang=lang, header=first)
    for column, key in enumerate(COLUMNS, start=1):
        cell = put_cell(sheet, first, column, label(f"forms.col.{key}", lang))
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BORDER
    shown_self = round == "superior"  # the person's own score beside the superior's cell
    for row, (record, kpi) in enumerate(zip(rows.itertuples(), kpis, strict=True), start=first + 1):
        note = allowed_text(allowed_values(kpi), lang)
        if shown_self and "self" in scheme.positions[str(record.position)].raters:
            own = _self_score(self_ratings, record.employee_id, kpi.id, lang)
            note = label("forms.note_and_self", lang, note=note, own=own)
        values = (
            record.employee_id,
            record.name,
            name_of("rater_group", str(record.rater_group), lang),
            kpi.name.get(lang),
            None,
            note,
        )
        for column, value in enumerate(values, start=1):
            put_cell(sheet, row, column, value).border = BORDER
        sheet.cell(row, len(COLUMNS)).alignment = WRAP
        sheet.cell(row, VALUE_COLUMN).protection = OPEN
    identity_sheet = write_identity(book, identity)
    cells = [(row, allowed_values(kpi)) for row, kpi in enumerate(kpis, start=first + 1)]
    title = label("forms.col.value", lang)
    validate(sheet, cells, column=VALUE_COLUMN, lists=identity_sheet, title=title, lang=lang)
    finish(sheet, header=first, widths=WIDTHS)
    book.security = WorkbookProtection(lockStructure=True)  # no sheet added, shown or removed
    return book


def _kpi(scheme: Scheme, position: object, kpi_id: object) -> Kpi:
    return scheme.positions[str(position)].kpi(str(kpi_id))


def _preamble(
    sheet: Worksheet,
    rater: pd.Series,
    *,
    kpis: list[Kpi],
    scheme: Scheme,
    period: Period,
    lang: Lang,
) -> int:
    """Title, scheme, instructions (how to fill, each KPI's values), a blank row: returns
    the row of the table's header."""
    title = label(
        "forms.title", lang, period=period, rater_id=rater["rater_id"], rater=rater["rater_name"]
    )
    lines = [label("forms.scheme", lang, scheme=scheme.name.get(lang)), label("forms.how", lang)]
    lines += [label(f"forms.how.{step}", lang) for step in ("fill", "blank", "keep")]
    lines += dict.fromkeys(_line(kpi, lang) for kpi in kpis)  # each KPI's values, once
    put_cell(sheet, 1, 1, title).font = TITLE_FONT
    for row, text in enumerate(lines, start=2):
        put_cell(sheet, row, 1, text).alignment = WRAP
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
    sheet.cell(3, 1).font = BOLD
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    return len(lines) + 3


def _line(kpi: Kpi, lang: Lang) -> str:
    return label(
        "forms.how.kpi",
        lang,
        kpi=kpi.name.get(lang),
        allowed=allowed_text(allowed_values(kpi), lang),
    )


def _self_score(
    self_ratings: Mapping[tuple[str, str], object] | None, ratee: object, kpi: str, lang: Lang
) -> str:
    given = (self_ratings or {}).get((str(ratee), kpi))
    if given is None or given == "" or (isinstance(given, float) and math.isnan(given)):
        return label("forms.self_score", lang, value=label("forms.self_missing", lang))
    shown = number_text(given) if isinstance(given, float) else str(given)
    return label("forms.self_score", lang, value=shown)
