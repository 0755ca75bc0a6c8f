"""Forms back (``kpi collect``): a folder of returned workbooks turned into the ratings
table (rating forms) or the plans table (plan forms), with what is still missing.

Each workbook is read and checked by :mod:`kpi_toolkit.reports.returned_form` (ratings) or
:mod:`kpi_toolkit.reports.returned_plan` (plans); every problem of every file is raised at
once (with two forms of one person), so that one run lists all there is to fix. Blank
ratings are not problems: :func:`returned_by_group` and :attr:`Collected.forms` say who has
not rated whom. A blank target is not one either: the scheme's target stands.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..engine.raters import ASSIGNMENT_COLUMNS, completeness
from ..engine.scheme import Scheme
from ..errors import DataError, Problem
from ..labels import Lang, label
from ..periods import Period
from .forms import Round, form_rows, form_stem, form_stems
from .plan_form import plan_people, plan_rows
from .returned_form import Expected, ReturnedForm, read_returned_form
from .returned_plan import WORDS, PlanExpected, ReturnedPlan, read_returned_plan

__all__ = [
    "PLAN_COLUMNS",
    "RATING_COLUMNS",
    "Collected",
    "CollectedPlans",
    "collect_plan_forms",
    "collect_rating_forms",
    "returned_by_group",
]

RATING_COLUMNS = ["employee_id", "period", "kpi_id", "rater_id", "rater_group", "value"]
PLAN_COLUMNS = [
    "employee_id",
    "period",
    "kpi_id",
    "target",
    "approved_by",
    "approved_on",
    "weight",
    "adjusted_on",
    "reason",
    "note",
]


@dataclass(frozen=True)
class Collected:
    """Result of :func:`collect_rating_forms`.

    Attributes
    ----------
    ratings
        :data:`RATING_COLUMNS`, one row per rating given (the value as typed: a label or a
        number), in the order of the assignments.
    completeness
        The round's assignments (``employee_id, name, kpi_id, rater_id, rater_name,
        rater_group``) with ``rated``.
    forms
        ``rater_id, rater_name, file, rows, blank``: each rater of the round, the file they
        returned (``None``: not returned), how many rows it has and how many were left blank.
    """

    ratings: pd.DataFrame
    completeness: pd.DataFrame
    forms: pd.DataFrame


def collect_rating_forms(
    folder: str | os.PathLike[str],
    *,
    assigned: pd.DataFrame,
    roster: pd.DataFrame,
    scheme: Scheme,
    period: Period,
    round: Round = "all",
    lang: Lang = "zh",
) -> Collected:
    """Read every returned form (``*.xlsx``) in ``folder``: the ratings and what is missing.

    Parameters
    ----------
    folder
        The folder of forms written by :func:`~kpi_toolkit.reports.forms.write_rating_forms`
        and filled in. Office's lock files (``~$…``) are skipped.
    assigned, roster, scheme, period, round
        Today's assignments (:func:`~kpi_toolkit.engine.raters.assign_raters`), the checked
        roster, the scheme, the period and the round the forms went out for.
    lang
        The language of the problems' messages.

    Raises
    ------
    DataError
        Every problem of every file at once: a workbook that is not a form, a form for
        another period, scheme, round or rater, a renamed file, an added, removed or altered
        row, a rating outside what its KPI allows (a formula included), two forms of one
        rater.
    """
    directory = _folder(folder, lang=lang, words={})
    rows = form_rows(assigned, roster=roster, scheme=scheme, round=round)
    expected = Expected(rows, form_stems(assigned), scheme, period, round, lang)
    returned: list[ReturnedForm] = []
    problems: list[Problem] = []
    for path in _workbooks(directory):
        form, found = read_returned_form(path, expected)
        problems += found
        returned += [form] if form is not None else []
    problems += _twice([(f.rater_id, f.file) for f in returned], lang=lang, words={})
    if problems:
        raise DataError(problems, title=label("collect.problems", lang, count=len(problems)))
    ratings = _ratings(returned, rows, period)
    done = completeness(ratings, rows[ASSIGNMENT_COLUMNS])
    return Collected(ratings=ratings, completeness=done, forms=_forms(returned, rows))


def returned_by_group(done: pd.DataFrame) -> pd.DataFrame:
    """Per ratee and rater group: how many ratings came back of those assigned.

    ``done`` is :attr:`Collected.completeness`; returns ``employee_id, name, rater_group,
    rated, assigned`` in the assignments' order.
    """
    return done.groupby(["employee_id", "name", "rater_group"], sort=False, as_index=False).agg(
        rated=("rated", "sum"), assigned=("rated", "size")
    )


def _workbooks(directory: Path) -> list[Path]:
    """The folder's ``.xlsx`` files, Office's lock files (``~$name.xlsx``) and hidden files
    left out."""
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix.lower() == ".xlsx" and p.is_file() and not p.name.startswith(("~$", "."))
    )


def _folder(folder: str | os.PathLike[str], *, lang: Lang, words: dict[str, str]) -> Path:
    """The folder of returned forms, refused where there is none."""
    directory = Path(folder)
    if not directory.is_dir():
        say = {k: words.get(k, k) for k in ("collect.no_folder", "collect.folder_allowed")}
        raise DataError(
            Problem(
                where=str(directory),
                message=label(say["collect.no_folder"], lang),
                allowed=label(say["collect.folder_allowed"], lang),
            )
        )
    return directory


def _twice(returned: list[tuple[str, Path]], *, lang: Lang, words: dict[str, str]) -> list[Problem]:
    """A person (a rater, or the person a plan is for) who returned more than one form
    (say, one renamed copy)."""
    files: dict[str, list[Path]] = {}
    for holder, path in returned:
        files.setdefault(holder, []).append(path)
    twice, one = (words.get(k, k) for k in ("collect.twice", "collect.one_form"))
    return [
        Problem(
            where=holder,
            message=label(twice, lang, rater=holder, files=", ".join(p.name for p in paths)),
            value=len(paths),
            allowed=label(one, lang),
            file=str(paths[0].parent),
        )
        for holder, paths in files.items()
        if len(paths) > 1
    ]


def _ratings(returned: list[ReturnedForm], expected: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The ratings given, in the order of the assignments."""
    rows = [
        (e, str(period), k, form.rater_id, g, value)
        for form in returned
        for e, k, g, value in form.ratings
        if value is not None
    ]
    ratings = pd.DataFrame(rows, columns=RATING_COLUMNS).astype({"value": object})
    keys = ["employee_id", "kpi_id", "rater_id", "rater_group"]
    order = expected[keys].astype(str).assign(_order=range(len(expected)))
    ordered = ratings.merge(order, on=keys, how="left").sort_values("_order", kind="stable")
    return ordered[RATING_COLUMNS].reset_index(drop=True)


def _forms(returned: list[ReturnedForm], expected: pd.DataFrame) -> pd.DataFrame:
    """Each rater of the round: the file returned (or ``None``), its rows, the blank ones."""
    back = {form.rater_id: form for form in returned}
    raters = expected.drop_duplicates("rater_id")
    rows = []
    for rater, name in zip(raters["rater_id"].astype(str), raters["rater_name"], strict=True):
        form = back.get(rater)
        assigned = int((expected["rater_id"].astype(str) == rater).sum())
        blank = sum(v is None for *_, v in form.ratings) if form else assigned
        rows.append((rater, name, None if form is None else str(form.file), assigned, blank))
    return pd.DataFrame(rows, columns=["rater_id", "rater_name", "file", "rows", "blank"])


@dataclass(frozen=True)
class CollectedPlans:
    """Result of :func:`collect_plan_forms`.

    Attributes
    ----------
    plans
        :data:`PLAN_COLUMNS`, one row per personal target written, in roster and KPI order:
        the plans table ``kpi score --plans`` reads (``weight`` and ``adjusted_on`` blank:
        a plan, not an adjustment).
    forms
        ``employee_id, name, file, targets``: each person appraised in the period, the file
        returned (``None``: not returned) and how many targets it sets.
    """

    plans: pd.DataFrame
    forms: pd.DataFrame


BLANK = ("", "", "")  # weight, adjusted_on, reason: a plan sets no weight and adjusts nothing
PLAN_WORDS = {
    **WORDS,
    **{f"collect.{k}": f"plan.{k}" for k in ("no_folder", "folder_allowed", "twice", "one_form")},
}


def collect_plan_forms(
    folder: str | os.PathLike[str],
    *,
    roster: pd.DataFrame,
    scheme: Scheme,
    period: Period,
    lang: Lang = "zh",
) -> CollectedPlans:
    """Read every returned plan (``*.xlsx``) in ``folder``: the plans table.

    Parameters
    ----------
    folder
        The folder of plans written by
        :func:`~kpi_toolkit.reports.plan_form.write_plan_forms` and filled in. Office's lock
        files (``~$…``) are skipped.
    roster, scheme, period
        The checked roster, the scheme and the period the plans went out for.
    lang
        The language of the problems' messages.

    Raises
    ------
    DataError
        Every problem of every file at once: a workbook that is not a plan, a plan for
        another period, scheme or person, a renamed file, an added or altered row, a target
        outside its KPI's kind (a formula included) or on a KPI that takes none, a date that
        is not one, a target without the superior's name and date, two plans of one person.
    """
    directory = _folder(folder, lang=lang, words=PLAN_WORDS)
    people = plan_people(roster, scheme=scheme, period=period)
    stems = {
        str(e): form_stem(e, n) for e, n in zip(people["employee_id"], people["name"], strict=True)
    }
    expected = PlanExpected(people, plan_rows(people, scheme=scheme), stems, scheme, period, lang)
    returned: list[ReturnedPlan] = []
    problems: list[Problem] = []
    for path in _workbooks(directory):
        plan, found = read_returned_plan(path, expected)
        problems += found
        returned += [plan] if plan is not None else []
    problems += _twice([(p.employee_id, p.file) for p in returned], lang=lang, words=PLAN_WORDS)
    if problems:
        raise DataError(problems, title=label("plan.problems", lang, count=len(problems)))
    return CollectedPlans(
        plans=_plans(returned, people, period), forms=_plan_forms(returned, people)
    )


def _plans(returned: list[ReturnedPlan], people: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The targets written (numbers as typed), in roster order (each plan's rows in its
    KPIs' order)."""
    order = {str(e): i for i, e in enumerate(people["employee_id"])}
    rows = [
        (
            plan.employee_id,
            str(period),
            kpi,
            target,
            plan.approved_by,
            plan.approved_on,
            *BLANK,
            note,
        )
        for plan in sorted(returned, key=lambda p: order[p.employee_id])
        for kpi, target, note in plan.targets
    ]
    return pd.DataFrame(rows, columns=PLAN_COLUMNS, dtype=object)


def _plan_forms(returned: list[ReturnedPlan], people: pd.DataFrame) -> pd.DataFrame:
    """Each person of the period: the file returned (or ``None``) and its targets."""
    back = {plan.employee_id: plan for plan in returned}
    rows = [
        (e, n, str(back[e].file) if e in back else None, len(back[e].targets) if e in back else 0)
        for e, n in zip(people["employee_id"].astype(str), people["name"], strict=True)
    ]
    return pd.DataFrame(rows, columns=["employee_id", "name", "file", "targets"])
