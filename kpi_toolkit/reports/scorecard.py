"""The sections of a personal scorecard, to hand to that person.

It shows the person's own result and only department aggregates (mean and quartiles):
no other person's name, id or points.

``employee_scorecard.ipynb`` calls these sections one per cell; :func:`card` returns the
same outputs in the same order, and :func:`card_book` what every card of a context looks up,
computed once, so that a batch renders each person's card from the one appraisal
(:mod:`kpi_toolkit.reports.card_batch`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from IPython.display import HTML

from ..engine.scheme import Position
from ..engine.scoring import Appraisal
from ..errors import InputError, Problem
from ..labels import label
from . import sections as rs
from .cards import card_cache
from .context import ReportContext
from .html import escape, section, table
from .improvement import AppealWindow, acknowledgement, appeal_window
from .trends import past_appraisals, trends_of_person

__all__ = [
    "CardBook",
    "card",
    "card_book",
    "card_context",
    "department",
    "footer",
    "result",
    "title",
]

Figures = tuple[int, list[tuple[str, str, tuple[float, float, float, float]]]]


@dataclass(frozen=True)
class CardBook:
    """What every scorecard of one context looks up, computed once and only read.

    Attributes
    ----------
    cards
        The lookups of :func:`~kpi_toolkit.reports.sections.scorecard` (people, actuals,
        ratings, plans, 改进重点), indexed by person.
    past
        The trend periods' appraisals (:func:`~kpi_toolkit.reports.trends.history`).
    figures
        Per position: how many people hold it and, per KPI and for the total, the label,
        the column and (mean, first quartile, median, third quartile) of their points.
    appeal
        The appeal window counted from the day the report was made.
    """

    cards: dict[str, Any]
    past: dict[str, Appraisal]
    figures: dict[str, Figures]
    appeal: AppealWindow


def card_book(ctx: ReportContext) -> CardBook:
    """The lookups every card of ``ctx`` shares (no person's outputs)."""
    return CardBook(
        cards=card_cache(ctx),
        past=past_appraisals(ctx),
        figures={pid: _figures(ctx, p) for pid, p in ctx.scheme.positions.items()},
        appeal=appeal_window(ctx.scheme, report_date=date.fromisoformat(ctx.generated[:10])),
    )


def card_context(
    ctx: ReportContext, *, scheme: object, period: object, employee_id: str
) -> ReportContext:
    """``ctx`` as the scorecard notebook makes it for ``employee_id``: its parameters (the
    footer's) are the scheme, the period and the person."""
    shown = {"scheme": scheme, "period": period, "employee_id": employee_id}
    return replace(ctx, parameters=shown, team=None)


def card(ctx: ReportContext, employee_id: str, *, book: CardBook | None = None) -> list[HTML]:
    """The person's card: the outputs of ``employee_scorecard.ipynb``'s cells, in order.

    Raises
    ------
    InputError
        The person is not appraised in the period.
    """
    book = book or card_book(ctx)
    return [
        title(ctx, employee_id),
        result(ctx, employee_id, book=book),
        trends_of_person(ctx, employee_id, past=book.past),
        department(ctx, employee_id, book=book),
        acknowledgement(ctx, employee_id, window=book.appeal),
        footer(ctx),
    ]


def _person(
    ctx: ReportContext, employee_id: str, *, book: CardBook | None = None
) -> pd.Series | dict[str, Any]:
    """The person's row of the scores (looked up in ``book`` where given)."""
    if book is not None and employee_id in book.cards["people"]:
        return book.cards["people"][employee_id]
    scores = ctx.appraisal.scores
    mine = scores.loc[scores["employee_id"] == employee_id]
    if len(mine):
        return mine.iloc[0]
    excluded = ctx.appraisal.excluded
    reason = excluded.loc[excluded["employee_id"] == employee_id, "reason"]
    message = (
        f"not appraised in {ctx.appraisal.period}: {reason.iloc[0]}"
        if len(reason)
        else f"not in the roster or not appraised in {ctx.appraisal.period}"
    )
    raise InputError(
        Problem(
            where="employee_id",
            value=employee_id,
            message=message,
            allowed="an appraised employee's id",
        )
    )


def title(ctx: ReportContext, employee_id: str) -> HTML:
    """Title block: the person, the scheme and the period."""
    _person(ctx, employee_id)
    return rs.title(ctx, heading=label("report.scorecard_title", ctx.lang))


def result(ctx: ReportContext, employee_id: str, *, book: CardBook | None = None) -> HTML:
    """The person's scorecard: each KPI's actual, target, rule in words, points; the 360
    breakdown with every group of a single colleague merged into 其他评价人, and the
    person's self rating beside the superior's."""
    _person(ctx, employee_id, book=book)
    cache = None if book is None else book.cards
    shown = rs.scorecard(ctx, employee_id, for_employee=True, cache=cache)
    return HTML(section(label("report.scorecards", ctx.lang), shown, anchor="result"))


def department(ctx: ReportContext, employee_id: str, *, book: CardBook | None = None) -> HTML:
    """Each KPI's points: the person's against the mean and quartiles of the people of the
    same position (headed by what it covers: the position and how many people)."""
    lang, person = ctx.lang, _person(ctx, employee_id, book=book)
    position = ctx.scheme.positions[person["position"]]
    count, stats = _figures(ctx, position) if book is None else book.figures[position.id]
    rows = [(name, person[column], *values) for name, column, values in stats]
    keys = (
        "kpi",
        "report.yours",
        "report.position_mean",
        "report.q1",
        "report.median",
        "report.q3",
    )
    figures = rs.labelled(rows, keys, lang)
    name = position.name.get(lang)
    heading = label("report.position_figures", lang, position=name, count=count)
    note = label("report.position_figures.note", lang, position=name, count=count)
    body = f'<p class="kpi-note">{escape(note)}</p>' + table(figures)
    return HTML(section(heading, body, anchor="position-figures"))


def _figures(ctx: ReportContext, position: Position) -> Figures:
    """How many people hold ``position``; per KPI (then the total) the label, the column
    and the statistics of their points."""
    scores = ctx.appraisal.scores
    peers = scores.loc[scores["position"] == position.id]
    columns = [(kpi.name.get(ctx.lang), kpi.id) for kpi in position.kpis]
    columns.append((label("total", ctx.lang), "total"))
    return len(peers), [(name, column, _stats(peers[column])) for name, column in columns]


def _stats(values: pd.Series) -> tuple[float, float, float, float]:
    q1, q3 = float(values.quantile(0.25)), float(values.quantile(0.75))
    return (values.mean(), q1, values.median(), q3)


def footer(ctx: ReportContext) -> HTML:
    """Provenance: toolkit version, input hashes, parameters."""
    return rs.footer(ctx)
