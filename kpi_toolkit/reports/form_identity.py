"""What a form is: the identity its very hidden sheet records.

Each kind of form has its :class:`Layout`. A rating form (kind ``ratings``, written by
:func:`~kpi_toolkit.reports.forms.write_rating_forms`) carries a marker, a version, its
kind, the scheme's id and digest, the period, the round, the rater, the language it was
written in, where its table starts, and the list of its rows (``employee_id, kpi_id,
rater_group``) in order. A plan form (kind ``plan``, :mod:`kpi_toolkit.reports.plan_form`)
carries the person in place of the round and the rater, the row of its signature block, and
its rows as ``employee_id, kpi_id``. The first three keys (marker, version, kind) are the
same for every kind. ``kpi collect`` checks a returned form against it; the sample's raters
(:mod:`kpi_toolkit.sample.fill_forms`) find their rows by it. Every value is written as text
(:func:`~kpi_toolkit.reports.excel.put_cell`), so an id that looks like a formula stays
text; it is read back as the cell's text.
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
    "LAYOUTS",
    "MARKER",
    "PLAN_KEYS",
    "VERSION",
    "Identity",
    "Layout",
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
PLAN_KEYS = (
    "marker",
    "version",
    "kind",
    "scheme_id",
    "scheme_digest",
    "period",
    "employee_id",
    "lang",
    "header_row",
    "sign_row",
    "rows",
)
MAX_ROWS = 100_000  # rows one form may list: far above any department's


@dataclass(frozen=True)
class Layout:
    """Where a kind of form's identity sheet holds what: ``keys`` in column B from row 1
    (named in column A), then a blank row, a header, and the rows' ``row_keys``."""

    kind: str
    marker: str
    keys: tuple[str, ...]
    row_keys: tuple[str, ...]

    @property
    def first_row(self) -> int:
        """The identity sheet's row of the form's first row (after the keys, a blank row
        and a header)."""
        return len(self.keys) + 3

    def cell(self, key: str) -> str:
        """Where ``key`` is held: ``_form!B6``."""
        return f"{IDENTITY_SHEET}!B{self.keys.index(key) + 1}"


LAYOUTS = {
    KIND: Layout(KIND, MARKER, IDENTITY_KEYS, ("employee_id", "kpi_id", "rater_group")),
    "plan": Layout("plan", "kpi-toolkit plan form", PLAN_KEYS, ("employee_id", "kpi_id")),
}
MARKERS = {layout.marker: layout for layout in LAYOUTS.values()}


@dataclass(frozen=True)
class Identity:
    """What a form says it is, as its identity sheet holds it (cell text, see
    :func:`~kpi_toolkit.reports.excel.cell_text`).

    ``fields`` maps each key of its kind's :class:`Layout` to its text (``None`` where
    blank); ``rows`` lists the layout's ``row_keys`` (a rating form: ``(employee_id, kpi_id,
    rater_group)``) in the order of the table.
    """

    fields: Mapping[str, str | None]
    rows: tuple[tuple[str, ...], ...]

    def get(self, key: str) -> str | None:
        return self.fields.get(key)

    @property
    def layout(self) -> Layout:
        """The layout its marker names (a rating form's where it names none)."""
        return MARKERS.get(self.get("marker") or "", LAYOUTS[KIND])


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
    layout = identity.layout
    for row, key in enumerate(layout.keys, start=1):
        put_cell(sheet, row, 1, key)
        put_cell(sheet, row, 2, identity.get(key))
    for column, key in enumerate(layout.row_keys, start=1):
        put_cell(sheet, layout.first_row - 1, column, key)
    for row, values in enumerate(identity.rows, start=layout.first_row):
        for column, value in enumerate(values, start=1):
            put_cell(sheet, row, column, value)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True
    return sheet


def read_identity(book: Any) -> Identity | None:
    """The identity a form's hidden sheet records, or ``None`` where the workbook has no
    such sheet or its marker is none of :data:`LAYOUTS`' (not a form).

    Works on a workbook opened ``read_only``: reads at most as many rows as the identity
    says it lists (never more than :data:`MAX_ROWS`).
    """
    if IDENTITY_SHEET not in book.sheetnames:
        return None
    sheet = book[IDENTITY_SHEET]
    first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=2, values_only=True), ())
    layout = MARKERS.get(_pair(first)[1] or "")
    if layout is None:
        return None
    head = sheet.iter_rows(min_row=1, max_row=len(layout.keys), max_col=2, values_only=True)
    fields = {key: value for key, value in map(_pair, head) if key in layout.keys}
    count = _count(fields.get("rows"))
    rows = (
        tuple(
            tuple(_text(value) or "" for value in values)
            for values in sheet.iter_rows(
                min_row=layout.first_row,
                max_row=layout.first_row + count - 1,
                max_col=len(layout.row_keys),
                values_only=True,
            )
        )
        if count
        else ()
    )
    return Identity(fields=fields, rows=rows)


def _pair(values: tuple) -> tuple[str | None, str | None]:
    padded = (*values, None, None)
    return _text(padded[0]), _text(padded[1])


def _count(text: str | None) -> int:
    try:
        return min(max(int(text or 0), 0), MAX_ROWS)
    except ValueError:
        return 0


def _text(value: object) -> str | None:
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)
