"""A returned form's workbook, whatever its kind: opened safely and checked against what
the collection expects of every form (for ``kpi collect``).

The workbook is opened read-only and never evaluated: a formula typed into a cell is read as
its text. Its size is bounded before it is opened (hostile input); its hidden identity must
say this collection's kind, scheme and digest, period (and, for ratings, round) in a layout
that can be read; its file name must be the one written for the person the form is for.
Each kind's own table is checked by a subclass of :class:`FormCheck`
(:mod:`~kpi_toolkit.reports.returned_form` for ratings,
:mod:`~kpi_toolkit.reports.returned_plan` for plans). Every problem names the file and the
cell.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..engine.inputs import Allowed
from ..errors import Problem
from ..labels import Lang, label
from .excel import cell_text
from .form_identity import Identity, Layout, read_identity

__all__ = ["Collection", "FormCheck", "read_form"]

MAX_FILE_BYTES = 20 * 2**20  # a form of a thousand rows is well under 1 MB
MAX_UNPACKED_BYTES = 50 * 2**20
MAX_COLUMNS = 50
SLACK_ROWS = 1000  # rows read below the table, where added rows would be
T = TypeVar("T")


class Collection(Protocol):
    """What one collection expects of every form it reads."""

    @property
    def lang(self) -> Lang:
        """The language of the problems' messages."""
        ...

    @property
    def layout(self) -> Layout: ...

    @property
    def checked(self) -> tuple[str, ...]:
        """The identity keys that must say :meth:`identity`."""
        ...

    @property
    def stems(self) -> dict[str, str]:
        """Each expected form's file name without ``.xlsx``, by the id of its person."""
        ...

    @property
    def words(self) -> Mapping[str, str]:
        """Label keys of this kind in place of the rating forms' (``collect.not_form`` →
        ``plan.not_form``)."""
        ...

    def identity(self, key: str) -> str: ...


class FormCheck(Generic[T]):
    """The checks of one file, collecting its problems (messages in the collection's
    language); :meth:`form` is the kind's own."""

    def __init__(self, path: Path, expected: Collection):
        self.path, self.expected, self.lang = path, expected, expected.lang
        self.problems: list[Problem] = []
        self.shown: Lang = "zh"  # the language the form was written in

    def form(self, book: Any, identity: Identity) -> T | None:
        """The kind's own checks of a form whose identity passed :meth:`opened`."""
        raise NotImplementedError

    def fail(
        self,
        where: str,
        key: str,
        *,
        value: object = None,
        allowed: str | None = None,
        **words: object,
    ) -> None:
        message = label(self.expected.words.get(key, key), self.lang, **words)
        self.problems.append(
            Problem(where=where, message=message, value=value, allowed=allowed, file=str(self.path))
        )

    def holder(
        self,
        identity: Identity,
        *,
        key: str,
        known: Sequence[str],
        fault: str,
        allowed: str,
        listed: str,
        named: str,
    ) -> str | None:
        """Whom the form belongs to: the id the identity's ``key`` names, if ``known`` (ids
        compared as the cells hold them); else a fault at that identity cell, listing the
        first ten known ids (``allowed`` a label with the word ``listed``, ``fault`` one with
        the word ``named``)."""
        found = identity.get(key) or ""
        holder = {cell_text(k): k for k in known}.get(found)
        if holder is None:
            shown = ", ".join(known[:10]) + (" …" if len(known) > 10 else "")
            self.fail(
                identity.layout.cell(key),
                fault,
                value=found,
                allowed=label(allowed, self.lang, **{listed: shown}),
                **{named: found},
            )
        return holder

    def say(self, key: str, **words: object) -> str:
        """A label of this kind of form, in the collection's language."""
        return label(self.expected.words.get(key, key), self.lang, **words)

    def workbook_size(self) -> bool:
        """Not too large, a zip archive, not unpacking to too much (hostile input)."""
        size, unpacked = self.path.stat().st_size, 0
        if size <= MAX_FILE_BYTES and zipfile.is_zipfile(self.path):
            with zipfile.ZipFile(self.path) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        elif size <= MAX_FILE_BYTES:
            self.fail(self.path.name, "collect.not_workbook", allowed=self.say("collect.a_form"))
            return False
        if size <= MAX_FILE_BYTES and unpacked <= MAX_UNPACKED_BYTES:
            return True
        megabytes = f"{max(size, unpacked) / 2**20:.1f}"
        limit = MAX_FILE_BYTES // 2**20
        self.fail(
            label("collect.workbook", self.lang), "collect.too_large", size=megabytes, limit=limit
        )
        return False

    def opened(self, identity: Identity | None) -> bool:
        """The identity is a form's, of this collection, in a layout that can be read."""
        if identity is None:
            self.fail(self.path.name, "collect.not_form", allowed=self.say("collect.a_form"))
            return False
        if not self.identity(identity):
            return False
        self.shown = "en" if identity.get("lang") == "en" else "zh"
        return True

    def identity(self, identity: Identity) -> bool:
        """The identity says this collection's kind, version, scheme, period (and round),
        a known language and a layout that can be read."""
        before, expected = len(self.problems), self.expected
        if identity.layout.kind != expected.layout.kind:
            self.identity_fault(identity, "kind", identity.get("kind"), expected.identity("kind"))
            return False
        for key in expected.checked:
            found, wanted = identity.get(key), expected.identity(key)
            if found != wanted:
                self.identity_fault(identity, key, found, wanted)
        if identity.get("lang") not in ("zh", "en"):
            self.identity_fault(identity, "lang", identity.get("lang"), "zh, en")
        for key in (k for k in identity.layout.keys if k.endswith("_row") or k == "rows"):
            text = identity.get(key) or ""
            if not text.isdigit() or (key == "rows" and int(text) != len(identity.rows)):
                self.identity_fault(identity, key, text, None)
        return len(self.problems) == before

    def identity_fault(
        self, identity: Identity, key: str, found: object, wanted: str | None
    ) -> None:
        item = label(f"collect.key.{key}", self.lang)
        where = identity.layout.cell(key)
        self.fail(where, "collect.identity", value=found, allowed=wanted, item=item)

    def file_name(self, holder: str) -> None:
        """The file must be named for the form's person: its name starts with the one it
        was written with (``E004_张三 (1).xlsx``, as a mail program saves a second copy,
        still does). Where several people's names fit, the longest is the file's."""
        stems, stem = self.expected.stems, self.path.stem.casefold()
        fits = {r: len(s) for r, s in stems.items() if stem.startswith(s.casefold())}
        if holder in fits and fits[holder] == max(fits.values()):
            return
        where = label("collect.file_name", self.lang)
        allowed = f"{stems[holder]}.xlsx"
        if fits:
            named = max(fits, key=lambda r: fits[r])
            key, words = "collect.renamed", {"named": named, "rater": holder}
        else:
            key, words = "collect.unnamed", {"rater": holder}
        self.fail(where, key, value=self.path.name, allowed=allowed, **words)

    def sheet_size(self, sheet: Any, *, last: int) -> bool:
        rows, columns = sheet.max_row or 0, sheet.max_column or 0
        if rows <= last and columns <= MAX_COLUMNS:
            return True
        allowed = label("collect.sheet_allowed", self.lang, rows=last, columns=MAX_COLUMNS)
        self.fail(sheet.title, "collect.too_big_sheet", allowed=allowed, rows=rows, columns=columns)
        return False

    def header(self, cells: Sequence, sheet: str, number: int, wanted: Sequence[str]) -> None:
        """The header row at ``number`` reads ``wanted`` (as written)."""
        wanted = [cell_text(w) for w in wanted]
        found = texts(cells, len(wanted))
        if found != wanted:
            where = f"{sheet}!A{number}:{get_column_letter(len(wanted))}{number}"
            shown, allowed = " | ".join(map(str, found)), " | ".join(wanted)
            self.fail(where, "collect.header", value=shown, allowed=allowed)

    def unchanged(
        self, cells: Sequence, at: tuple[str, int], wanted: Sequence[str | None], *, first: int = 1
    ) -> None:
        """The cells from column ``first`` on still read ``wanted`` (each as written)."""
        blank = label("collect.blank_cell", self.lang)
        found = texts(cells[first - 1 :], len(wanted))
        for column, (got, want) in enumerate(zip(found, wanted, strict=True), start=first):
            if got != want:
                shown = blank if got is None else got
                self.fail(ref(at, column), "collect.altered", value=shown, allowed=want or blank)


def read_form(path: Path, check: FormCheck[T]) -> tuple[T | None, list[Problem]]:
    """One file: the form ``check`` finds in it, or every problem found in it."""
    if not check.workbook_size():
        return None, check.problems
    try:
        book = load_workbook(path, read_only=True)  # never data_only: nothing is evaluated
    except Exception as error:  # any unreadable file is refused the same way
        check.fail(
            label("collect.workbook", check.lang),
            "collect.not_workbook",
            value=type(error).__name__,
        )
        return None, check.problems
    try:
        identity = read_identity(book)
        if not check.opened(identity) or identity is None:
            return None, check.problems
        return check.form(book, identity), check.problems
    finally:
        book.close()


def ref(at: tuple[str, int], column: int) -> str:
    """A cell's reference as Excel writes it: ``评分!E7``."""
    sheet, row = at
    return f"{sheet}!{get_column_letter(column)}{row}"


def rows_of(
    sheet: Any, *, first: int, last: int, at_least: int, columns: int
) -> Iterator[tuple[int, Sequence]]:
    """``(row number, cells)`` from ``first`` to ``last``, streamed; rows the sheet does not
    have, up to ``at_least``, as no cells."""
    number = first - 1
    for number, cells in enumerate(
        sheet.iter_rows(min_row=first, max_row=last, max_col=columns), start=first
    ):
        yield number, cells
    for missing in range(number + 1, at_least + 1):
        yield missing, ()


def texts(cells: Sequence, count: int) -> list[str | None]:
    """The first ``count`` cells' values as the text they were written as (``None``: blank)."""
    found = [text(c.value) for c in cells[:count]]
    return found + [None] * (count - len(found))


def text(value: object) -> str | None:
    if not filled(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def wanted_text(value: object) -> str | None:
    """What a cell written with ``value`` reads back as (:func:`text` of its cell text)."""
    return text(cell_text(str(value)))


def filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def as_number(value: int | float | str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def within(number: float, allowed: Allowed) -> bool:
    whole = not allowed.whole or number.is_integer()
    return allowed.low <= number <= allowed.high and whole
