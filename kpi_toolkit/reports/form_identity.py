"""What a rating form is: the identity its very hidden sheet records.

A form written by :func:`~kpi_toolkit.reports.forms.write_rating_forms` carries a marker, a
version, its kind, the scheme's id and digest, the period, the round, the rater, the
language it was written in, where its table starts, and the list of its rows
(``employee_id, kpi_id, rater_group``) in order. ``kpi collect`` checks a returned form
against it; the sample's raters (:mod:`kpi_toolkit.sample.fill_forms`) find their rows by it.
Every value is written as text (:func:`~kpi_toolkit.reports.excel.put_cell`), so an id that
looks like a formula stays text; it is read back as the cell's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..engine.scheme import Scheme
from ..labels import Lang
from ..periods import Period
from .excel import put_cell

__all__ = [
    "IDENTITY_KEYS",
    "IDENTITY_SHEET",
    "KIND",
    "MARKER",
    "VERSION",
    "Identity",
    "identity_of",
    "read_identity",
    "write_identity",
]

MARKER = "kpi-toolkit rating form"
VERSION = "1"
KIND = "ratings"
IDENTITY_SHEET = "_form"
IDENTITY_KEYS = (
    "marker",
    "version",
    "kind",
    "scheme_id",
    "scheme_digest",
    "period",
    "round",
    "rater_id",
    "lang",
    "header_row",
    "rows",
)
ROW_KEYS = ("employee_id", "kpi_id", "rater_group")
FIRST_IDENTITY_ROW = len(IDENTITY_KEYS) + 3  # after the keys, a blank row and a header
MAX_ROWS = 100_000  # rows one form may list: far above any department's


@dataclass(frozen=True)
class Identity:
    """What a form says it is, as its identity sheet holds it (cell text, see
    :func:`~kpi_toolkit.reports.excel.cell_text`).

    ``fields`` maps each of :data:`IDENTITY_KEYS` to its text (``None`` where blank);
    ``rows`` lists ``(employee_id, kpi_id, rater_group)`` in the order of the table.
    """

    fields: Mapping[str, str | None]
    rows: tuple[tuple[str, str, str], ...]

    def get(self, key: str) -> str | None:
        return self.fields.get(key)


def identity_of(
    rows: pd.DataFrame, *, scheme: Scheme, period: Period, round: str, lang: Lang, header: int
) -> Identity:
    """The identity of one rater's form: ``rows`` are that rater's rows of
    :func:`~kpi_toolkit.reports.forms.form_rows`, the table's header at row ``header``."""
    fields = {
        "marker": MARKER,
        "version": VERSION,
        "kind": KIND,
        "scheme_id": scheme.id,
        "scheme_digest": scheme.digest(),
        "period": str(period),
        "round": round,
        "rater_id": str(rows["rater_id"].iloc[0]),
        "lang": lang,
        "header_row": str(header),
        "rows": str(len(rows)),
    }
    keys = zip(rows["employee_id"], rows["kpi_id"], rows["rater_group"], strict=True)
    return Identity(fields=fields, rows=tuple((str(e), str(k), str(g)) for e, k, g in keys))


def write_identity(book: Workbook, identity: Identity) -> Worksheet:
    """The very hidden, protected sheet recording what the form is."""
    sheet = book.create_sheet(IDENTITY_SHEET)
    for row, key in enumerate(IDENTITY_KEYS, start=1):
        put_cell(sheet, row, 1, key)
        put_cell(sheet, row, 2, identity.get(key))
    for column, key in enumerate(ROW_KEYS, start=1):
        put_cell(sheet, FIRST_IDENTITY_ROW - 1, column, key)
    for row, values in enumerate(identity.rows, start=FIRST_IDENTITY_ROW):
        for column, value in enumerate(values, start=1):
            put_cell(sheet, row, column, value)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True
    return sheet


def read_identity(book: Any) -> Identity | None:
    """The identity a form's hidden sheet records, or ``None`` where the workbook has no
    such sheet or its marker is not :data:`MARKER` (not a rating form).

    Works on a workbook opened ``read_only``: reads at most as many rows as the identity
    says it lists (never more than :data:`MAX_ROWS`).
    """
    if IDENTITY_SHEET not in book.sheetnames:
        return None
    sheet = book[IDENTITY_SHEET]
    head = [
        (_text(a), _text(b))
        for a, b in sheet.iter_rows(
            min_row=1, max_row=len(IDENTITY_KEYS), max_col=2, values_only=True
        )
    ]
    fields = {key: value for key, value in head if key in IDENTITY_KEYS}
    if fields.get("marker") != MARKER:
        return None
    count = _count(fields.get("rows"))
    rows = (
        tuple(
            (_text(e) or "", _text(k) or "", _text(g) or "")
            for e, k, g in sheet.iter_rows(
                min_row=FIRST_IDENTITY_ROW,
                max_row=FIRST_IDENTITY_ROW + count - 1,
                max_col=len(ROW_KEYS),
                values_only=True,
            )
        )
        if count
        else ()
    )
    return Identity(fields=fields, rows=rows)


def _count(text: str | None) -> int:
    try:
        return min(max(int(text or 0), 0), MAX_ROWS)
    except ValueError:
        return 0


def _text(value: object) -> str | None:
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)
