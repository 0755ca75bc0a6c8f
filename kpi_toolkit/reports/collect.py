"""Rating forms back (``kpi collect``): a folder of returned workbooks turned into the
ratings table, with what is still missing.

Each workbook is read and checked by :mod:`kpi_toolkit.reports.returned_form`; every problem
of every file is raised at once (with two forms of one rater), so that one run lists all
there is to fix. Blank ratings are not problems: :func:`returned_by_group` and
:attr:`Collected.forms` say who has not rated whom.
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
from .forms import Round, form_rows, form_stems
from .returned_form import Expected, ReturnedForm, read_returned_form

__all__ = ["RATING_COLUMNS", "Collected", "collect_rating_forms", "returned_by_group"]

RATING_COLUMNS = ["employee_id", "period", "kpi_id", "rater_id", "rater_group", "value"]


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
    directory = Path(folder)
    if not directory.is_dir():
        raise DataError(
            Problem(
                where=str(directory),
                message=label("collect.no_folder", lang),
                allowed=label("collect.folder_allowed", lang),
            )
        )
    rows = form_rows(assigned, roster=roster, scheme=scheme, round=round)
    expected = Expected(rows, form_stems(assigned), scheme, period, round, lang)
    returned: list[ReturnedForm] = []
    problems: list[Problem] = []
    for path in _workbooks(directory):
        form, found = read_returned_form(path, expected)
        problems += found
        returned += [form] if form is not None else []
    problems += _twice(returned, lang)
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


def _twice(returned: list[ReturnedForm], lang: Lang) -> list[Problem]:
    """A rater who returned more than one form (say, one renamed copy)."""
    files: dict[str, list[Path]] = {}
    for form in returned:
        files.setdefault(form.rater_id, []).append(form.file)
    return [
        Problem(
            where=rater,
            message=label(
                "collect.twice", lang, rater=rater, files=", ".join(p.name for p in paths)
            ),
            value=len(paths),
            allowed=label("collect.one_form", lang),
            file=str(paths[0].parent),
        )
        for rater, paths in files.items()
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
