"""Plan forms sent out: each appraised person's 《工作目标计划表》 as a workbook (seed
section 4, 第13–14条; ``kpi forms --kind plan``).

Sheet ``工作目标计划表`` has a title (period, person, position, team), the scheme, the
instructions, a table of the position's KPIs — ``类别 | 指标 | 权重 | 默认目标 | 默认目标值 |
评分标准 | 本人目标 | 备注``, pre-filled but for the last two — and a signature block for
本人 / 直接上级 / 人力资源部 (``签字栏 | 姓名 | 日期 | 签字``, the superior's name pre-filled from
the roster's ``manager_id`` where it has one). Only the 本人目标 and 备注 cells of the KPIs
whose rule reads a target, and the signature block's name, date and signature cells, can be
edited; a KPI whose rule has no target (bands with fixed edges) reads 不适用, locked. Each
本人目标 cell is validated to the values of its KPI's kind
(:func:`~kpi_toolkit.engine.inputs.allowed_values`). A very hidden sheet records the form's
identity (kind ``plan``, :mod:`~kpi_toolkit.reports.form_identity`), which ``kpi collect
--kind plan`` checks (:mod:`~kpi_toolkit.reports.returned_plan`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..engine.inputs import allowed_values
from ..engine.roster import appraisees
from ..engine.scheme import Kpi, Scheme
from ..files import inside, make_folder
from ..labels import Lang, label
from ..periods import Period
from .excel import BOLD, BORDER, HEADER_FILL, NOTE_FILL, put_cell, save_workbook
from .form_cells import OPEN, finish, validate
from .form_identity import LAYOUTS, VERSION, Identity, write_identity
from .forms import form_stem

__all__ = [
    "PLAN_COLUMNS",
    "ROLES",
    "SIGN_COLUMNS",
    "TARGET_COLUMN",
    "default_target",
    "plan_form",
    "plan_people",
    "plan_rows",
    "takes_target",
    "write_plan_forms",
]

# Label keys of the table's columns (plan.col.*); the person's target goes in the seventh (G)
PLAN_COLUMNS = ("category", "kpi", "weight", "default", "default_value", "rule", "target", "note")
TARGET_COLUMN = PLAN_COLUMNS.index("target") + 1
NOTE_COLUMN = PLAN_COLUMNS.index("note") + 1
DEFAULT_COLUMN = PLAN_COLUMNS.index("default_value") + 1
FILLED_COLUMNS = (TARGET_COLUMN, NOTE_COLUMN)
# The signature block: a header (plan.sign.*), then a row per role (plan.role.*)
SIGN_COLUMNS = ("role", "name", "date", "signature")
NAME_COLUMN, DATE_COLUMN = SIGN_COLUMNS.index("name") + 1, SIGN_COLUMNS.index("date") + 1
ROLES = ("self", "superior", "hr")
STEPS = ("fill", "blank", "na", "approve", "keep")
WIDTHS = (12, 24, 12, 16, 12, 44, 14, 28)
DATE_FORMAT = "yyyy-mm-dd"
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(vertical="top", wrap_text=True)
PERSON_COLUMNS = ["employee_id", "name", "position", "team", "superior"]
PLAN = "plan"  # the kind of form (form_identity.LAYOUTS)


def takes_target(kpi: Kpi) -> bool:
    """Whether a person's target means anything for ``kpi``: its rule reads the target.

    >>> from kpi_toolkit.engine.scheme import builtin_scheme
    >>> manager = builtin_scheme("manager_post").positions["manager"]
    >>> [k.id for k in manager.kpis if takes_target(k)]
    []
    >>> team = builtin_scheme("after_sales_team").positions["specialist"]
    >>> takes_target(team.kpi("csat"))
    True
    """
    return kpi.rule.reads_target()


def plan_people(roster: pd.DataFrame, *, scheme: Scheme, period: Period) -> pd.DataFrame:
    """Who files a plan for ``period``: each person appraised in it
    (:func:`~kpi_toolkit.engine.roster.appraisees`), in roster order, with ``superior`` the
    name of their direct superior where the roster says (``manager_id``), else blank.
    """
    appraised, _ = appraisees(roster, scheme=scheme, period=period)
    names = roster.set_index("employee_id")["name"]
    managers = appraised.get("manager_id", pd.Series("", index=appraised.index))
    superior = managers.fillna("").astype(str).map(names).fillna("")
    return appraised.assign(superior=superior)[PERSON_COLUMNS].reset_index(drop=True)


def plan_rows(people: pd.DataFrame, *, scheme: Scheme) -> pd.DataFrame:
    """One row per person of :func:`plan_people` and KPI of their position, in the
    position's order: ``employee_id, name, position, kpi_id, open`` (``open``: the KPI
    takes a personal target)."""
    rows = [
        (e, n, p, kpi.id, takes_target(kpi))
        for e, n, p in zip(people["employee_id"], people["name"], people["position"], strict=True)
        for kpi in scheme.positions[p].kpis
    ]
    return pd.DataFrame(rows, columns=["employee_id", "name", "position", "kpi_id", "open"])


def write_plan_forms(
    roster: pd.DataFrame,
    *,
    scheme: Scheme,
    period: Period,
    out_dir: str | os.PathLike[str],
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Write each appraised person's plan into ``out_dir``; return what was written.

    Parameters
    ----------
    roster
        The checked roster (``manager_id`` optional: the superior's name pre-filled).
    scheme, period
        The scheme (KPIs, weights, default targets, rules, its digest) and the period.
    out_dir
        The folder (made if missing). Each plan is ``<employee_id>_<name>.xlsx`` made safe
        for a file name (numbered on a clash), always inside this folder.
    lang
        ``zh`` (default) or ``en``: title, instructions, headers, names.

    Returns
    -------
    pandas.DataFrame
        ``employee_id, name, file, rows, open``: one row per plan, in roster order (``open``:
        the KPIs that take a personal target).
    """
    folder = make_folder(out_dir)
    written: list[tuple] = []
    taken: list[str] = []
    for person in plan_people(roster, scheme=scheme, period=period).to_dict("records"):
        employee, name = str(person["employee_id"]), str(person["name"])
        path = inside(folder, form_stem(employee, name), extension=".xlsx", taken=taken)
        taken.append(path.stem)
        save_workbook(plan_form(person, scheme=scheme, period=period, lang=lang), path)
        kpis = scheme.positions[str(person["position"])].kpis
        opened = sum(takes_target(k) for k in kpis)
        written.append((employee, name, str(path), len(kpis), opened))
    return pd.DataFrame(written, columns=["employee_id", "name", "file", "rows", "open"])


def plan_form(
    person: Mapping[Any, Any], *, scheme: Scheme, period: Period, lang: Lang = "zh"
) -> Workbook:
    """The workbook of one person's plan: sheet ``工作目标计划表`` and the hidden identity.

    ``person`` is one row of :func:`plan_people` (``employee_id, name, position, team,
    superior``).
    """
    position = scheme.positions[person["position"]]
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = label("plan.sheet", lang)
    header = _preamble(sheet, person, scheme=scheme, period=period, lang=lang)
    _header_row(sheet, header, [label(f"plan.col.{key}", lang) for key in PLAN_COLUMNS])
    for row, kpi in enumerate(position.kpis, start=header + 1):
        category = position.categories[kpi.category].name.get(lang)
        _kpi_row(sheet, row, kpi, category=category, lang=lang)
    sign = header + len(position.kpis) + 2
    _signatures(sheet, sign, person, lang)
    fields = {
        "marker": LAYOUTS[PLAN].marker,
        "version": VERSION,
        "kind": PLAN,
        "scheme_id": scheme.id,
        "scheme_digest": scheme.digest(),
        "period": str(period),
        "employee_id": str(person["employee_id"]),
        "lang": lang,
        "header_row": str(header),
        "sign_row": str(sign),
        "rows": str(len(position.kpis)),
    }
    rows = tuple((str(person["employee_id"]), kpi.id) for kpi in position.kpis)
    lists = write_identity(book, Identity(fields=fields, rows=rows))
    cells = [(r, allowed_values(k)) for r, k in enumerate(position.kpis, header + 1)]
    title = label("plan.col.target", lang)
    opened = [(r, a) for (r, a), k in zip(cells, position.kpis, strict=True) if takes_target(k)]
    validate(sheet, opened, column=TARGET_COLUMN, lists=lists, title=title, lang=lang)
    _date_rule(sheet, [sign + 1 + i for i in range(len(ROLES))], lang)
    finish(sheet, header=header, widths=WIDTHS)
    book.security = WorkbookProtection(lockStructure=True)  # no sheet added, shown or removed
    return book


def _preamble(
    sheet: Worksheet, person: Mapping[Any, Any], *, scheme: Scheme, period: Period, lang: Lang
) -> int:
    """Title, person, scheme, instructions, a blank row: returns the row of the header."""
    position = scheme.positions[person["position"]].name.get(lang)
    lines = [
        label(
            "plan.person",
            lang,
            employee_id=person["employee_id"],
            name=person["name"],
            position=position,
            team=person["team"],
        ),
        label("forms.scheme", lang, scheme=scheme.name.get(lang)),
        label("forms.how", lang),
        *(label(f"plan.how.{step}", lang) for step in STEPS),
    ]
    put_cell(sheet, 1, 1, label("plan.title", lang, period=period)).font = TITLE_FONT
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PLAN_COLUMNS))
    for row, text in enumerate(lines, start=2):
        put_cell(sheet, row, 1, text).alignment = WRAP
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(PLAN_COLUMNS))
    sheet.cell(2, 1).font = sheet.cell(4, 1).font = BOLD
    return len(lines) + 3


def _header_row(sheet: Worksheet, row: int, names: list[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = put_cell(sheet, row, column, name)
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BORDER


def default_target(kpi: Kpi, lang: Lang = "zh") -> tuple[str, float | None]:
    """A KPI's default target in words and as a number (``None``: the scheme gives none).

    >>> from kpi_toolkit.engine.scheme import builtin_scheme
    >>> default_target(builtin_scheme("after_sales_team").positions["specialist"].kpi("csat"))
    ('≥ 90%', 0.9)
    """
    if kpi.target_text:
        return kpi.target_text, kpi.target
    if kpi.target is None:
        return label("plan.no_default", lang), None
    return (f"{kpi.target:.0%}" if kpi.kind == "ratio" else f"{kpi.target:g}"), kpi.target


def number_format(kpi: Kpi) -> str:
    """How a target of ``kpi`` shows: a ratio as a percentage."""
    return "0.0%" if kpi.kind == "ratio" else "General"


def _kpi_row(sheet: Worksheet, row: int, kpi: Kpi, *, category: str, lang: Lang) -> None:
    text, number = default_target(kpi, lang)
    opened = takes_target(kpi)
    values = (
        category,
        kpi.name.get(lang),
        kpi.weight,
        text,
        number,
        kpi.rule.describe(weight=kpi.weight, target=kpi.target, lang=lang),
        None if opened else label("plan.not_applicable", lang),
        None,
    )
    for column, value in enumerate(values, start=1):
        shown = number_format(kpi) if column == DEFAULT_COLUMN else None
        cell = put_cell(sheet, row, column, value, number_format=shown)
        cell.border, cell.alignment = BORDER, WRAP
    if opened:
        sheet.cell(row, TARGET_COLUMN).number_format = number_format(kpi)
        for column in FILLED_COLUMNS:
            sheet.cell(row, column).protection = OPEN
    else:
        sheet.cell(row, TARGET_COLUMN).fill = NOTE_FILL
        sheet.cell(row, NOTE_COLUMN).fill = NOTE_FILL


def _signatures(sheet: Worksheet, row: int, person: Mapping[Any, Any], lang: Lang) -> None:
    """The signature block from ``row``: header, then 本人 / 直接上级 / 人力资源部."""
    _header_row(sheet, row, [label(f"plan.sign.{key}", lang) for key in SIGN_COLUMNS])
    names = {"self": person["name"], "superior": person.get("superior") or None, "hr": None}
    for number, role in enumerate(ROLES, start=row + 1):
        put_cell(sheet, number, 1, label(f"plan.role.{role}", lang)).font = BOLD
        put_cell(sheet, number, NAME_COLUMN, names[role])
        sheet.cell(number, DATE_COLUMN).number_format = DATE_FORMAT
        last = len(PLAN_COLUMNS) - 2  # the signature spans to the rule column
        sheet.merge_cells(start_row=number, start_column=4, end_row=number, end_column=last)
        sheet.row_dimensions[number].height = 30
        for column in range(1, last + 1):
            sheet.cell(number, column).border = BORDER
        for column in (NAME_COLUMN, DATE_COLUMN, 4):
            sheet.cell(number, column).protection = OPEN


def _date_rule(sheet: Worksheet, rows: list[int], lang: Lang) -> None:
    """The date cells take a date (2000–2099)."""
    rule = DataValidation(type="date", operator="between", formula1="36526", formula2="73415")
    rule.allowBlank = rule.showErrorMessage = rule.showInputMessage = True
    rule.errorTitle = label("plan.invalid_date", lang)[:32]
    rule.promptTitle = label("plan.sign.date", lang)[:32]
    rule.error = rule.prompt = label("plan.date", lang)
    letter = get_column_letter(DATE_COLUMN)
    for row in rows:
        rule.add(f"{letter}{row}")
    sheet.add_data_validation(rule)
