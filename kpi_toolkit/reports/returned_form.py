"""One returned rating form, read and checked (for ``kpi collect``).

The workbook is opened read-only and never evaluated: a formula typed into a cell is read as
its text and refused. A form is checked against its hidden identity (scheme and digest,
period, round, rater), its file name, today's assignments and its own visible rows, and each
rating against the values its KPI allows. Every problem names the file and the cell
(``评分!E7``), the bad value and what is allowed. Blank ratings are not problems: they are
ratings not given.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..engine.inputs import Allowed, allowed_values
from ..engine.scheme import Kpi, Scheme
from ..errors import Problem
from ..labels import Lang, label, name_of
from ..periods import Period
from .excel import cell_text
from .form_identity import IDENTITY_KEYS, IDENTITY_SHEET, KIND, VERSION, Identity, read_identity
from .forms import COLUMNS, VALUE_COLUMN, Round, allowed_text

__all__ = ["Expected", "ReturnedForm", "read_returned_form"]

MAX_FILE_BYTES = 20 * 2**20  # a form of a thousand rows is well under 1 MB
MAX_UNPACKED_BYTES = 50 * 2**20
MAX_COLUMNS = 50
SLACK_ROWS = 1000  # rows read below the table, where added rows would be
CHECKED = ("version", "kind", "scheme_id", "scheme_digest", "period", "round")
Key = tuple[str, str, str]  # an identity row: employee_id, kpi_id, rater_group (cell texts)


@dataclass(frozen=True)
class Expected:
    """What the forms of one collection must be.

    Attributes
    ----------
    rows
        The round's rows (:func:`~kpi_toolkit.reports.forms.form_rows`).
    stems
        Every rater's form file name, without ``.xlsx``
        (:func:`~kpi_toolkit.reports.forms.form_stems`).
    scheme, period, round
        What each form's identity must say.
    lang
        The language of the problems' messages.
    """

    rows: pd.DataFrame
    stems: dict[str, str]
    scheme: Scheme
    period: Period
    round: Round
    lang: Lang = "zh"

    def identity(self, key: str) -> str:
        """What the identity sheet must hold for ``key`` (as cell text)."""
        return cell_text(
            {
                "version": VERSION,
                "kind": KIND,
                "scheme_id": self.scheme.id,
                "scheme_digest": self.scheme.digest(),
                "period": str(self.period),
                "round": self.round,
            }[key]
        )

    def assigned_to(self, rater: str) -> dict[Key, pd.Series]:
        """The rater's rows in the round, by their identity row."""
        rows = self.rows.loc[self.rows["rater_id"].astype(str) == rater]
        return {
            (cell_text(str(e)), cell_text(str(k)), cell_text(str(g))): row
            for (_, row), e, k, g in zip(
                rows.iterrows(),
                rows["employee_id"],
                rows["kpi_id"],
                rows["rater_group"],
                strict=True,
            )
        }

    def kpi(self, row: pd.Series) -> Kpi:
        return self.scheme.positions[row["position"]].kpi(row["kpi_id"])


@dataclass
class ReturnedForm:
    """A returned form that passed every check.

    ``ratings`` lists ``(employee_id, kpi_id, rater_group, value)`` in the form's order,
    ``value`` as typed (a label or a number) or ``None`` where left blank.
    """

    rater_id: str
    file: Path
    ratings: list[tuple[str, str, str, object]] = field(default_factory=list)


def read_returned_form(path: Path, expected: Expected) -> tuple[ReturnedForm | None, list[Problem]]:
    """One file: the form it holds, or every problem found in it."""
    check = _Check(path, expected)
    if not check.workbook_size():
        return None, check.problems
    try:
        book = load_workbook(path, read_only=True)  # never data_only: nothing is evaluated
    except Exception as error:  # any unreadable file is refused the same way
        check.fail(
            label("collect.workbook", expected.lang),
            "collect.not_workbook",
            value=type(error).__name__,
        )
        return None, check.problems
    try:
        return check.form(book), check.problems
    finally:
        book.close()


class _Check:
    """The checks of one file, collecting its problems (messages in ``expected.lang``)."""

    def __init__(self, path: Path, expected: Expected):
        self.path, self.expected, self.lang = path, expected, expected.lang
        self.problems: list[Problem] = []
        self.shown: Lang = "zh"  # the language the form was written in

    def fail(
        self,
        where: str,
        key: str,
        *,
        value: object = None,
        allowed: str | None = None,
        **words: object,
    ) -> None:
        message = label(key, self.lang, **words)
        self.problems.append(
            Problem(where=where, message=message, value=value, allowed=allowed, file=str(self.path))
        )

    def workbook_size(self) -> bool:
        """Not too large, a zip archive, not unpacking to too much (hostile input)."""
        size, unpacked = self.path.stat().st_size, 0
        if size <= MAX_FILE_BYTES and zipfile.is_zipfile(self.path):
            with zipfile.ZipFile(self.path) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        elif size <= MAX_FILE_BYTES:
            self.fail(
                self.path.name, "collect.not_workbook", allowed=label("collect.a_form", self.lang)
            )
            return False
        if size <= MAX_FILE_BYTES and unpacked <= MAX_UNPACKED_BYTES:
            return True
        megabytes = f"{max(size, unpacked) / 2**20:.1f}"
        limit = MAX_FILE_BYTES // 2**20
        self.fail(
            label("collect.workbook", self.lang), "collect.too_large", size=megabytes, limit=limit
        )
        return False

    def form(self, book: Any) -> ReturnedForm | None:
        """Identity, rater, file name, rows of today, then the table: the form, if no fault."""
        identity = read_identity(book)
        if identity is None:
            self.fail(
                self.path.name, "collect.not_form", allowed=label("collect.a_form", self.lang)
            )
            return None
        if not self.identity(identity):
            return None
        rater = self.rater(identity)
        if rater is None:
            return None
        self.shown = "en" if identity.get("lang") == "en" else "zh"
        self.file_name(rater)
        today = self.expected.assigned_to(rater)
        self.rows_today(identity, today)
        sheet = label("forms.sheet", self.shown)
        if sheet not in book.sheetnames:
            self.fail(label("collect.workbook", self.lang), "collect.no_sheet", sheet=sheet)
            return None
        form = ReturnedForm(rater_id=rater, file=self.path)
        self.table(book[sheet], identity, today, form)
        return None if self.problems else form

    def identity(self, identity: Identity) -> bool:
        """The identity says this collection's version, kind, scheme, period and round, and
        a layout that can be read."""
        before = len(self.problems)
        for key in CHECKED:
            found, wanted = identity.get(key), self.expected.identity(key)
            if found != wanted:
                self.identity_fault(key, found, wanted)
        if identity.get("lang") not in ("zh", "en"):
            self.identity_fault("lang", identity.get("lang"), "zh, en")
        for key in ("header_row", "rows"):
            text = identity.get(key) or ""
            if not text.isdigit() or (key == "rows" and int(text) != len(identity.rows)):
                self.identity_fault(key, text, None)
        return len(self.problems) == before

    def identity_fault(self, key: str, found: object, wanted: str | None) -> None:
        where = f"{IDENTITY_SHEET}!B{IDENTITY_KEYS.index(key) + 1}"
        item = label(f"collect.key.{key}", self.lang)
        self.fail(where, "collect.identity", value=found, allowed=wanted, item=item)

    def rater(self, identity: Identity) -> str | None:
        """The round's rater the identity names (ids compared as the cells hold them)."""
        raters = self.expected.rows["rater_id"].astype(str).unique()
        found = identity.get("rater_id") or ""
        rater = {cell_text(r): r for r in raters}.get(found)
        if rater is None:
            shown = ", ".join(raters[:10]) + (" …" if len(raters) > 10 else "")
            self.fail(
                f"{IDENTITY_SHEET}!B{IDENTITY_KEYS.index('rater_id') + 1}",
                "collect.not_assigned",
                value=found,
                allowed=label("collect.assigned_raters", self.lang, raters=shown),
                rater=found,
            )
        return rater

    def file_name(self, rater: str) -> None:
        """The file must be named for the form's rater: its name starts with the one
        :func:`~kpi_toolkit.reports.forms.write_rating_forms` gave (``E004_张三 (1).xlsx``,
        as a mail program saves a second copy, still does). Where several raters' names
        fit, the longest is the file's."""
        stems, stem = self.expected.stems, self.path.stem.casefold()
        fits = {r: len(s) for r, s in stems.items() if stem.startswith(s.casefold())}
        if rater in fits and fits[rater] == max(fits.values()):
            return
        where = label("collect.file_name", self.lang)
        allowed = f"{stems[rater]}.xlsx"
        if fits:
            named = max(fits, key=lambda r: fits[r])
            key, words = "collect.renamed", {"named": named, "rater": rater}
        else:
            key, words = "collect.unnamed", {"rater": rater}
        self.fail(where, key, value=self.path.name, allowed=allowed, **words)

    def rows_today(self, identity: Identity, today: dict[Key, pd.Series]) -> None:
        """The form's rows against today's assignments of its rater (the roster may have
        changed since the forms went out)."""
        header = int(identity.get("header_row") or 0)
        sheet, again = label("forms.sheet", self.shown), label("collect.send_again", self.lang)
        for number, key in enumerate(identity.rows, start=header + 1):
            if key not in today:
                where = f"{sheet}!A{number}"
                self.fail(where, "collect.no_longer", value=" ".join(key), allowed=again)
        listed = set(identity.rows)
        for key, row in today.items():
            if key not in listed:
                self.fail(
                    sheet,
                    "collect.not_on_form",
                    allowed=again,
                    ratee=f"{row['employee_id']} {row['name']}",
                    kpi=self.expected.kpi(row).name.get(self.lang),
                    group=name_of("rater_group", row["rater_group"], self.lang),
                )

    def table(
        self, sheet: Any, identity: Identity, today: dict[Key, pd.Series], form: ReturnedForm
    ) -> None:
        """The header, each row as the identity lists it, nothing added, each rating allowed."""
        header, count = int(identity.get("header_row") or 0), len(identity.rows)
        last = header + count + SLACK_ROWS
        if not self.sheet_size(sheet, last=last):
            return
        for number, cells in _cells(sheet, first=header, last=last, at_least=header + count):
            index = number - header - 1
            if index < 0:
                self.header(cells, sheet.title, number)
            elif index < count and identity.rows[index] in today:
                self.row(cells, (sheet.title, number), today[identity.rows[index]], form)
            elif index >= count and any(_filled(c.value) for c in cells):
                shown = " | ".join("" if c.value is None else str(c.value) for c in cells)
                self.fail(f"{sheet.title}!A{number}", "collect.added", value=shown.strip(" |"))

    def sheet_size(self, sheet: Any, *, last: int) -> bool:
        rows, columns = sheet.max_row or 0, sheet.max_column or 0
        if rows <= last and columns <= MAX_COLUMNS:
            return True
        allowed = label("collect.sheet_allowed", self.lang, rows=last, columns=MAX_COLUMNS)
        self.fail(sheet.title, "collect.too_big_sheet", allowed=allowed, rows=rows, columns=columns)
        return False

    def header(self, cells: Sequence, sheet: str, number: int) -> None:
        wanted = [cell_text(label(f"forms.col.{key}", self.shown)) for key in COLUMNS]
        found = _texts(cells, len(COLUMNS))
        if found != wanted:
            where = f"{sheet}!A{number}:{get_column_letter(len(COLUMNS))}{number}"
            shown, allowed = " | ".join(map(str, found)), " | ".join(wanted)
            self.fail(where, "collect.header", value=shown, allowed=allowed)

    def row(self, cells: Sequence, at: tuple[str, int], row: pd.Series, form: ReturnedForm) -> None:
        """One row of the table (``at``: sheet and row number): the four cells naming it
        unchanged, and its rating."""
        kpi = self.expected.kpi(row)
        names = (
            row["employee_id"],
            row["name"],
            name_of("rater_group", row["rater_group"], self.shown),
            kpi.name.get(self.shown),
        )
        wanted = [_text(cell_text(str(name))) for name in names]
        found = _texts(cells, len(wanted))
        rating = cells[VALUE_COLUMN - 1] if len(cells) >= VALUE_COLUMN else None
        if not any(_filled(v) for v in found) and (rating is None or not _filled(rating.value)):
            allowed = " | ".join(w or "" for w in wanted)
            self.fail(_ref(at, 1), "collect.removed", allowed=allowed)
            return
        blank = label("collect.blank_cell", self.lang)
        for column, (got, want) in enumerate(zip(found, wanted, strict=True), start=1):
            if got != want:
                shown = blank if got is None else got
                self.fail(_ref(at, column), "collect.altered", value=shown, allowed=want or blank)
        value = self.rating(rating, _ref(at, VALUE_COLUMN), row, kpi)
        form.ratings.append(
            (str(row["employee_id"]), str(row["kpi_id"]), str(row["rater_group"]), value)
        )

    def rating(self, cell: Any, where: str, row: pd.Series, kpi: Kpi) -> object:
        """A rating as typed (``None``: blank); a problem where it is not one ``kpi`` allows."""
        value, fault = _rating(cell, allowed_values(kpi))
        if fault is not None:
            ratee = f"{row['employee_id']} {row['name']}"
            named = label("collect.row", self.lang, ratee=ratee, kpi=kpi.name.get(self.lang))
            allowed = allowed_text(allowed_values(kpi), self.lang)
            self.fail(f"{where} ({named})", fault, value=cell.value, allowed=allowed)
        return value


def _ref(at: tuple[str, int], column: int) -> str:
    """A cell's reference as Excel writes it: ``评分!E7``."""
    sheet, row = at
    return f"{sheet}!{get_column_letter(column)}{row}"


def _cells(sheet: Any, *, first: int, last: int, at_least: int) -> Iterator[tuple[int, Sequence]]:
    """``(row number, cells A–F)`` from ``first`` to ``last``, streamed; rows the sheet does
    not have, up to ``at_least``, as no cells."""
    number = first - 1
    for number, cells in enumerate(
        sheet.iter_rows(min_row=first, max_row=last, max_col=len(COLUMNS)), start=first
    ):
        yield number, cells
    for missing in range(number + 1, at_least + 1):
        yield missing, ()


def _texts(cells: Sequence, count: int) -> list[str | None]:
    """The first ``count`` cells' values as the text they were written as (``None``: blank)."""
    found = [_text(c.value) for c in cells[:count]]
    return found + [None] * (count - len(found))


def _text(value: object) -> str | None:
    if not _filled(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _rating(cell: Any, allowed: Allowed) -> tuple[object, str | None]:
    """A rating cell's value as typed (``None``: blank), or the label key of its fault.

    A label of the scale, or a number within the range (whole where the KPI counts); a
    number typed as text is read as the number.
    """
    if cell is None or not _filled(cell.value):
        return None, None
    value = cell.value
    if cell.data_type == "f":
        return None, "collect.formula"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, "collect.not_rating"
    if isinstance(value, str) and value.strip() in allowed.labels:
        return value.strip(), None
    number = _number(value)
    if number is None or not _within(number, allowed):
        return None, "collect.not_rating"
    return (number if isinstance(value, str) else value), None


def _number(value: int | float | str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _within(number: float, allowed: Allowed) -> bool:
    whole = not allowed.whole or number.is_integer()
    return allowed.low <= number <= allowed.high and whole
