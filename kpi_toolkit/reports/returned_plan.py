"""One returned plan form (《工作目标计划表》), read and checked (for ``kpi collect --kind
plan``).

Checked as a rating form is (:mod:`~kpi_toolkit.reports.returned_workbook`: nothing
evaluated, the identity's kind, scheme and digest, period, the file name), then against the
person's KPIs today and its own visible cells: the header, each KPI's pre-filled cells, the
不适用 cells, nothing added between or below the table and the signature block. Each target
must be a value its KPI's kind allows; the dates must be dates; a plan with a target must
carry the direct superior's name and date of approval. Every problem names the file and the
cell. A blank target is not a problem: the scheme's target stands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.inputs import allowed_values
from ..engine.scheme import Kpi, Position, Scheme
from ..errors import Problem
from ..labels import Lang, label
from ..periods import Period
from .excel import cell_text
from .form_cells import allowed_text
from .form_identity import LAYOUTS, VERSION, Identity, Layout
from .plan_form import (
    DATE_COLUMN,
    NAME_COLUMN,
    NOTE_COLUMN,
    PLAN,
    PLAN_COLUMNS,
    ROLES,
    SIGN_COLUMNS,
    TARGET_COLUMN,
    default_target,
)
from .returned_workbook import (
    SLACK_ROWS,
    FormCheck,
    as_number,
    filled,
    read_form,
    ref,
    rows_of,
    text,
    within,
)

__all__ = ["PlanExpected", "ReturnedPlan", "read_returned_plan"]

CHECKED = ("version", "kind", "scheme_id", "scheme_digest", "period")
# The rating forms' words, said of a plan (labels plan.*)
WORDS = {
    f"collect.{key}": f"plan.{key}"
    for key in ("not_form", "a_form", "too_large", "renamed", "unnamed", "added", "formula")
}
DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
Key = tuple[str, ...]  # an identity row: employee_id, kpi_id (cell texts)
Signed = tuple[str | None, str | None]  # a signature row's name and ISO date


@dataclass(frozen=True)
class PlanExpected:
    """What the plans of one collection must be.

    Attributes
    ----------
    people
        Who files a plan (:func:`~kpi_toolkit.reports.plan_form.plan_people`).
    rows
        Their KPIs (:func:`~kpi_toolkit.reports.plan_form.plan_rows`).
    stems
        Each person's plan file name without ``.xlsx``, by employee id.
    scheme, period
        What each plan's identity must say.
    lang
        The language of the problems' messages.
    """

    people: pd.DataFrame
    rows: pd.DataFrame
    stems: dict[str, str]
    scheme: Scheme
    period: Period
    lang: Lang = "zh"
    layout: Layout = LAYOUTS[PLAN]
    checked: tuple[str, ...] = CHECKED
    words: Mapping[str, str] = field(default_factory=lambda: dict(WORDS))

    def identity(self, key: str) -> str:
        """What the identity sheet must hold for ``key`` (as cell text)."""
        values = {
            "version": VERSION,
            "kind": PLAN,
            "scheme_id": self.scheme.id,
            "scheme_digest": self.scheme.digest(),
            "period": str(self.period),
        }
        return cell_text(values[key])

    def position_of(self, employee: str) -> Position:
        people = self.people.loc[self.people["employee_id"].astype(str) == employee]
        return self.scheme.positions[people["position"].iloc[0]]

    def kpis_of(self, employee: str) -> dict[Key, Kpi]:
        """The person's KPIs today, by their identity row."""
        mine = self.rows.loc[self.rows["employee_id"].astype(str) == employee]
        return {
            (cell_text(employee), cell_text(str(k))): self.scheme.positions[p].kpi(k)
            for p, k in zip(mine["position"], mine["kpi_id"], strict=True)
        }


@dataclass
class ReturnedPlan:
    """A returned plan that passed every check.

    ``targets`` lists ``(kpi_id, target, note)`` for each target written, in the form's
    order; ``approved_by`` and ``approved_on`` (ISO date) are the direct superior's name and
    date as written (``None`` where blank).
    """

    employee_id: str
    file: Path
    targets: list[tuple[str, float, str]] = field(default_factory=list)
    approved_by: str | None = None
    approved_on: str | None = None


def read_returned_plan(
    path: Path, expected: PlanExpected
) -> tuple[ReturnedPlan | None, list[Problem]]:
    """One file: the plan it holds, or every problem found in it."""
    return read_form(path, _PlanCheck(path, expected))


class _PlanCheck(FormCheck[ReturnedPlan]):
    """The checks of one plan, collecting its problems."""

    expected: PlanExpected
    employee: str = ""

    def form(self, book: Any, identity: Identity) -> ReturnedPlan | None:
        """Person, file name, KPIs of today, then the sheet: the plan, if no fault."""
        person = self.person(identity)
        if person is None:
            return None
        self.employee = person
        self.file_name(person)
        today = self.expected.kpis_of(person)
        self.rows_today(identity, today)
        sheet = label("plan.sheet", self.shown)
        if sheet not in book.sheetnames:
            self.fail(label("collect.workbook", self.lang), "collect.no_sheet", sheet=sheet)
            return None
        plan = ReturnedPlan(employee_id=person, file=self.path)
        self.sheet(book[sheet], identity, today, plan)
        return None if self.problems else plan

    def person(self, identity: Identity) -> str | None:
        """The appraised person the identity names."""
        return self.holder(
            identity,
            key="employee_id",
            known=self.expected.people["employee_id"].astype(str).tolist(),
            fault="plan.not_appraised",
            allowed="plan.appraised",
            listed="people",
            named="employee",
        )

    def rows_today(self, identity: Identity, today: dict[Key, Kpi]) -> None:
        """The plan's KPIs against the person's today (the position or the scheme may have
        changed since the plans went out)."""
        header = int(identity.get("header_row") or 0)
        sheet, again = label("plan.sheet", self.shown), label("plan.send_again", self.lang)
        for number, key in enumerate(identity.rows, start=header + 1):
            if key not in today:
                where = f"{sheet}!B{number}"
                self.fail(where, "plan.no_longer", value=" ".join(key), allowed=again)
        listed = set(identity.rows)
        for key, kpi in today.items():
            if key not in listed:
                self.fail(sheet, "plan.not_on_form", allowed=again, kpi=kpi.name.get(self.lang))

    def sheet(
        self, sheet: Any, identity: Identity, today: dict[Key, Kpi], plan: ReturnedPlan
    ) -> None:
        """Header, each KPI row, nothing added, the signature block, the approval."""
        header, sign = int(identity.get("header_row") or 0), int(identity.get("sign_row") or 0)
        count, title = len(identity.rows), sheet.title
        last = max(sign + len(ROLES), header + count) + SLACK_ROWS
        if not self.sheet_size(sheet, last=last):
            return
        kpi_rows = range(header + 1, header + count + 1)
        sign_rows = range(sign + 1, sign + len(ROLES) + 1)
        dates: dict[str, Signed] = {}
        for number, cells in rows_of(
            sheet, first=header, last=last, at_least=sign + len(ROLES), columns=len(PLAN_COLUMNS)
        ):
            if number == header:
                self.header(cells, title, number, self.names("plan.col", PLAN_COLUMNS))
            elif number in kpi_rows and identity.rows[number - header - 1] in today:
                kpi = today[identity.rows[number - header - 1]]
                self.kpi_row(cells, (title, number), kpi, plan)
            elif number == sign:
                self.header(cells, title, number, self.names("plan.sign", SIGN_COLUMNS))
            elif number in sign_rows:
                role = ROLES[number - sign - 1]
                dates[role] = self.sign_row(cells, (title, number), role)
            elif number not in kpi_rows and any(filled(c.value) for c in cells):
                shown = " | ".join("" if c.value is None else str(c.value) for c in cells)
                self.fail(f"{title}!A{number}", "collect.added", value=shown.strip(" |"))
        self.approval(plan, dates.get("superior"), (title, sign + 1 + ROLES.index("superior")))

    def names(self, prefix: str, keys: Sequence[str]) -> list[str]:
        return [label(f"{prefix}.{key}", self.shown) for key in keys]

    def kpi_row(self, cells: Sequence, at: tuple[str, int], kpi: Kpi, plan: ReturnedPlan) -> None:
        """One KPI's row: its pre-filled cells unchanged, its target (or 不适用) and note."""
        self.unchanged(cells, at, self.prefilled(kpi))
        target_cell = _at(cells, TARGET_COLUMN)
        note = text(getattr(_at(cells, NOTE_COLUMN), "value", None))
        if not kpi.rule.reads_target():
            found = text(getattr(target_cell, "value", None))
            if found != label("plan.not_applicable", self.shown) or note is not None:
                shown = found if note is None else f"{found or ''} | {note}"
                rule = kpi.rule.describe(weight=kpi.weight, target=kpi.target, lang=self.lang)
                allowed = f"{label('plan.not_applicable', self.lang)} ({rule})"
                self.fail(
                    self.named(at, TARGET_COLUMN, kpi),
                    "plan.no_target",
                    value=shown,
                    allowed=allowed,
                )
            return
        value = self.target(target_cell, at, kpi)
        if value is not None:
            plan.targets.append((kpi.id, value, note or ""))

    def prefilled(self, kpi: Kpi) -> list[str | None]:
        """What the first six cells of ``kpi``'s row were written as."""
        position = self.expected.position_of(self.employee)
        words, number = default_target(kpi, self.shown)
        rule = kpi.rule.describe(weight=kpi.weight, target=kpi.target, lang=self.shown)
        written = [
            position.categories[kpi.category].name.get(self.shown),
            kpi.name.get(self.shown),
            words,
            rule,
        ]
        category, name, shown, described = (text(cell_text(w)) for w in written)
        return [category, name, text(kpi.weight), shown, text(number), described]

    def named(self, at: tuple[str, int], column: int, kpi: Kpi) -> str:
        """A cell's reference with the person and the KPI it is for."""
        people = self.expected.people
        names = dict(zip(people["employee_id"].astype(str), people["name"], strict=True))
        who = f"{self.employee} {names.get(self.employee, '')}".strip()
        named = label("plan.row", self.lang, employee=who, kpi=kpi.name.get(self.lang))
        return f"{ref(at, column)} ({named})"

    def target(self, cell: Any, at: tuple[str, int], kpi: Kpi) -> float | None:
        """A target as typed (``None``: blank); a problem where ``kpi``'s kind forbids it."""
        value, fault = _target(cell, kpi)
        if fault is not None:
            allowed = allowed_text(allowed_values(kpi), self.lang)
            where = self.named(at, TARGET_COLUMN, kpi)
            self.fail(where, fault, value=getattr(cell, "value", None), allowed=allowed)
        return value

    def sign_row(self, cells: Sequence, at: tuple[str, int], role: str) -> Signed:
        """A role's row of the signature block: the role unchanged, the date a date; returns
        the name and the ISO date as written (``None``: blank; a date that is none, already
        reported, is ``""``)."""
        self.unchanged(cells, at, [text(cell_text(label(f"plan.role.{role}", self.shown)))])
        name = text(getattr(_at(cells, NAME_COLUMN), "value", None))
        written = getattr(_at(cells, DATE_COLUMN), "value", None)
        day = _date(written)
        if filled(written) and day is None:
            self.fail(
                ref(at, DATE_COLUMN),
                "plan.not_date",
                value=written,
                allowed=label("plan.date", self.lang),
            )
        return name, (day or "") if filled(written) else None

    def approval(self, plan: ReturnedPlan, given: Signed | None, at: tuple[str, int]) -> None:
        """A plan with a target is approved: the superior's name and date written."""
        name, day = given if given is not None else (None, None)
        plan.approved_by, plan.approved_on = name, day or None
        if not plan.targets or (name is not None and day is not None):
            return
        cells = ((NAME_COLUMN, "name", name), (DATE_COLUMN, "date", day))
        missing = [(column, key) for column, key, written in cells if written is None]
        where = ", ".join(ref(at, c) for c, _ in missing)
        words = "、".join(label(f"plan.sign.{k}", self.lang) for _, k in missing)
        self.fail(
            where,
            "plan.unapproved",
            allowed=label("plan.approval_allowed", self.lang),
            missing=words,
        )


def _at(cells: Sequence, column: int) -> Any:
    return cells[column - 1] if len(cells) >= column else None


def _target(cell: Any, kpi: Kpi) -> tuple[float | None, str | None]:
    """A target cell's number (``None``: blank), or the label key of its fault: a number
    (a ratio also as ``95%``) within what ``kpi``'s kind allows."""
    if cell is None or not filled(cell.value):
        return None, None
    value = cell.value
    if cell.data_type == "f":
        return None, "collect.formula"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, "plan.not_target"
    number = _typed_number(value, ratio=kpi.kind == "ratio")
    if number is None or not within(number, allowed_values(kpi)):
        return None, "plan.not_target"
    return (number if isinstance(value, str) else value), None


def _typed_number(value: int | float | str, *, ratio: bool) -> float | None:
    """A number as typed: text read as a number, ``95%`` as 0.95 for a ratio.

    >>> _typed_number(" 95% ", ratio=True), _typed_number("12", ratio=False)
    (0.95, 12.0)
    """
    if isinstance(value, str) and ratio and value.strip().endswith("%"):
        number = as_number(value.strip()[:-1])
        return None if number is None else round(number / 100, 12)
    return as_number(value)


def _date(value: object) -> str | None:
    """A written date as ISO text (``None``: blank or not a date).

    >>> _date("2026年7月5日"), _date("2026/07/05"), _date(datetime(2026, 7, 5)), _date("7/5")
    ('2026-07-05', '2026-07-05', '2026-07-05', None)
    """
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    match = DATE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None
