"""One returned rating form, read and checked (for ``kpi collect``).

The workbook is opened read-only and never evaluated: a formula typed into a cell is read as
its text and refused. A form is checked against its hidden identity (scheme and digest,
period, round, rater), its file name, today's assignments and its own visible rows, and each
rating against the values its KPI allows. Every problem names the file and the cell
(``评分!E7``), the bad value and what is allowed. Blank ratings are not problems: they are
ratings not given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.inputs import Allowed, allowed_values
from ..engine.scheme import Kpi, Scheme
from ..errors import Problem
from ..labels import Lang, label, name_of
from ..periods import Period
from .excel import cell_text
from .form_cells import allowed_text
from .form_identity import KIND, LAYOUTS, VERSION, Identity, Layout
from .forms import COLUMNS, VALUE_COLUMN, Round
from .returned_workbook import (
    SLACK_ROWS,
    FormCheck,
    as_number,
    filled,
    read_form,
    ref,
    rows_of,
    text,
    texts,
    within,
)

__all__ = ["Expected", "ReturnedForm", "read_returned_form"]

CHECKED = ("version", "kind", "scheme_id", "scheme_digest", "period", "round")
Key = tuple[str, ...]  # an identity row: employee_id, kpi_id, rater_group (cell texts)


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
    layout: Layout = LAYOUTS[KIND]
    checked: tuple[str, ...] = CHECKED
    words: Mapping[str, str] = field(default_factory=dict)

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
    return read_form(path, _Check(path, expected))


class _Check(FormCheck[ReturnedForm]):
    """The checks of one rating form, collecting its problems."""

    expected: Expected

    def form(self, book: Any, identity: Identity) -> ReturnedForm | None:
        """Rater, file name, rows of today, then the table: the form, if no fault."""
        rater = self.rater(identity)
        if rater is None:
            return None
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

    def rater(self, identity: Identity) -> str | None:
        """The round's rater the identity names."""
        return self.holder(
            identity,
            key="rater_id",
            known=list(self.expected.rows["rater_id"].astype(str).unique()),
            fault="collect.not_assigned",
            allowed="collect.assigned_raters",
            listed="raters",
            named="rater",
        )

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
        for number, cells in rows_of(
            sheet, first=header, last=last, at_least=header + count, columns=len(COLUMNS)
        ):
            index = number - header - 1
            if index < 0:
                self.header(
                    cells,
                    sheet.title,
                    number,
                    [label(f"forms.col.{key}", self.shown) for key in COLUMNS],
                )
            elif index < count and identity.rows[index] in today:
                self.row(cells, (sheet.title, number), today[identity.rows[index]], form)
            elif index >= count and any(filled(c.value) for c in cells):
                shown = " | ".join("" if c.value is None else str(c.value) for c in cells)
                self.fail(f"{sheet.title}!A{number}", "collect.added", value=shown.strip(" |"))

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
        wanted = [text(cell_text(str(name))) for name in names]
        found = texts(cells, len(wanted))
        rating = cells[VALUE_COLUMN - 1] if len(cells) >= VALUE_COLUMN else None
        if not any(filled(v) for v in found) and (rating is None or not filled(rating.value)):
            allowed = " | ".join(w or "" for w in wanted)
            self.fail(ref(at, 1), "collect.removed", allowed=allowed)
            return
        self.unchanged(cells, at, wanted)
        value = self.rating(rating, ref(at, VALUE_COLUMN), row, kpi)
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


def _rating(cell: Any, allowed: Allowed) -> tuple[object, str | None]:
    """A rating cell's value as typed (``None``: blank), or the label key of its fault.

    A label of the scale, or a number within the range (whole where the KPI counts); a
    number typed as text is read as the number.
    """
    if cell is None or not filled(cell.value):
        return None, None
    value = cell.value
    if cell.data_type == "f":
        return None, "collect.formula"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, "collect.not_rating"
    if isinstance(value, str) and value.strip() in allowed.labels:
        return value.strip(), None
    number = as_number(value)
    if number is None or not within(number, allowed):
        return None, "collect.not_rating"
    return (number if isinstance(value, str) else value), None
