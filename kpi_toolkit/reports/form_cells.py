"""The cells a form asks someone to fill in: what they allow, said in words and enforced by
Excel's data validation, and the sheet protection that leaves only them open.

Shared by every kind of form (:mod:`kpi_toolkit.reports.forms` for ratings,
:mod:`kpi_toolkit.reports.plan_form` for plans).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..engine.inputs import Allowed
from ..labels import Lang, label
from .excel import put_cell
from .form_identity import IDENTITY_SHEET

__all__ = [
    "OPEN",
    "allowed_text",
    "finish",
    "number_text",
    "protect",
    "runs",
    "validate",
]

LIST_COLUMN = 5  # on the identity sheet: lists of labels too long to write inline
INLINE_LIST_MAX = 255  # Excel's limit for a list written into the validation itself
OPEN = Protection(locked=False)


def allowed_text(allowed: Allowed, lang: Lang = "zh") -> str:
    """The values a cell may take, in words: the forms' notes, their instructions, the
    cell's validation message.

    >>> from kpi_toolkit.engine.inputs import Allowed
    >>> allowed_text(Allowed(1.0, 5.0, "a number from 1 to 5"))
    '填写 1 到 5 之间的数字'
    """
    if allowed.labels:
        return label("forms.allowed.labels", lang, labels=" / ".join(allowed.labels))
    low, high = number_text(allowed.low), number_text(allowed.high)
    whole = "whole_" if allowed.whole else ""
    if math.isinf(allowed.low):
        return label("forms.allowed.any", lang)
    if math.isinf(allowed.high):
        return label(f"forms.allowed.{whole}at_least", lang, low=low)
    return label(f"forms.allowed.{whole}range", lang, low=low, high=high)


def number_text(value: float) -> str:
    """A number as a person writes it: ``5.0`` → ``5``, ``0.5`` → ``0.5``."""
    return f"{value:g}"


def validate(
    sheet: Worksheet,
    cells: Sequence[tuple[int, Allowed]],
    *,
    column: int,
    lists: Worksheet,
    title: str,
    lang: Lang,
) -> None:
    """Data validation on the cells of ``column`` at each row of ``cells``, one rule per
    kind of allowed values; ``title`` heads the cell's prompt."""
    groups: dict[tuple, tuple[Allowed, list[int]]] = {}
    for row, allowed in cells:
        key = (allowed.low, allowed.high, allowed.whole, tuple(allowed.labels.items()))
        groups.setdefault(key, (allowed, []))[1].append(row)
    letter = get_column_letter(column)
    for allowed, rows in groups.values():
        rule = _rule(allowed, lists=lists, title=title, lang=lang)
        for start, end in runs(rows):
            rule.add(f"{letter}{start}" if start == end else f"{letter}{start}:{letter}{end}")
        sheet.add_data_validation(rule)


def runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) runs.

    >>> runs([3, 4, 5, 8, 10, 11])
    [(3, 5), (8, 8), (10, 11)]
    """
    found: list[tuple[int, int]] = []
    for row in rows:
        if found and found[-1][1] == row - 1:
            found[-1] = (found[-1][0], row)
        else:
            found.append((row, row))
    return found


def _rule(allowed: Allowed, *, lists: Worksheet, title: str, lang: Lang) -> DataValidation:
    """A validation of the allowed values: an error in Chinese stops anything else, and the
    same words show as a prompt on the cell."""
    if allowed.labels:
        rule = DataValidation(type="list", formula1=_list_source(allowed, lists))
    else:
        rule = _number_rule(allowed)
    text = allowed_text(allowed, lang)[:255]  # Excel's limits: 255 and 32 characters
    rule.allowBlank = rule.showErrorMessage = rule.showInputMessage = True
    rule.errorStyle = "stop"
    rule.errorTitle = label("forms.invalid_title", lang)[:32]
    rule.promptTitle = title[:32]
    rule.error = rule.prompt = text
    return rule


def _number_rule(allowed: Allowed) -> DataValidation:
    kind: Literal["whole", "decimal"] = "whole" if allowed.whole else "decimal"
    if math.isinf(allowed.low):
        return DataValidation(type=kind, operator="between", formula1="-1E+307", formula2="1E+307")
    low = number_text(allowed.low)
    if math.isinf(allowed.high):
        return DataValidation(type=kind, operator="greaterThanOrEqual", formula1=low)
    high = number_text(allowed.high)
    return DataValidation(type=kind, operator="between", formula1=low, formula2=high)


def _list_source(allowed: Allowed, lists: Worksheet) -> str:
    """The labels written into the rule (``"很满意,较满意"``), or, where they cannot be (a
    comma or a quote in a label, longer than Excel allows), a range of the identity sheet."""
    names = list(allowed.labels)
    inline = ",".join(names)
    if len(inline) <= INLINE_LIST_MAX and not any("," in n or '"' in n for n in names):
        return f'"{inline}"'
    column = LIST_COLUMN + sum(1 for _ in _list_columns(lists))
    for row, name in enumerate(names, start=1):
        put_cell(lists, row, column, name)
    letter = get_column_letter(column)
    return f"'{IDENTITY_SHEET}'!${letter}$1:${letter}${len(names)}"


def _list_columns(lists: Worksheet) -> Iterable[int]:
    column = LIST_COLUMN
    while lists.cell(1, column).value is not None:
        yield column
        column += 1


def protect(sheet: Worksheet) -> None:
    """Lock every cell not opened with :data:`OPEN` (no password: it guards against slips,
    not against intent); widths and heights may still change."""
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = False
    protection.selectLockedCells = protection.selectUnlockedCells = False


def finish(sheet: Worksheet, *, header: int, widths: Sequence[float]) -> None:
    """A form's widths, frozen header, A4 landscape printing with the header repeated, and
    protection: only the cells opened with :data:`OPEN` can be edited."""
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row in range(2, header - 1):
        sheet.row_dimensions[row].height = 30
    sheet.freeze_panes = f"A{header + 1}"
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    protect(sheet)
