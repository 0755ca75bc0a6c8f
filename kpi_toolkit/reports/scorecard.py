"""The sections of a personal scorecard, to hand to that person.

It shows the person's own result and only department aggregates (mean and quartiles):
no other person's name, id or points.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from ..errors import InputError, Problem
from ..labels import label
from . import sections as rs
from .context import ReportContext
from .html import escape, section, table

__all__ = ["department", "footer", "result", "title"]


def _person(ctx: ReportContext, employee_id: str) -> pd.Series:
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


def result(ctx: ReportContext, employee_id: str) -> HTML:
    """The person's scorecard: each KPI's actual, target, rule in words, points; the 360
    breakdown with every group of a single colleague merged into 其他评价人, and the
    person's self rating beside the superior's."""
    _person(ctx, employee_id)
    card = rs.scorecard(ctx, employee_id, for_employee=True)
    return HTML(section(label("report.scorecards", ctx.lang), card, anchor="result"))


def department(ctx: ReportContext, employee_id: str) -> HTML:
    """Each KPI's points: the person's against the mean and quartiles of the people of the
    same position (headed by what it covers: the position and how many people)."""
    lang, person = ctx.lang, _person(ctx, employee_id)
    position = ctx.scheme.positions[person["position"]]
    peers = ctx.appraisal.scores.loc[ctx.appraisal.scores["position"] == position.id]
    rows = [(kpi.name.get(lang), person[kpi.id], *_stats(peers[kpi.id])) for kpi in position.kpis]
    rows.append((label("total", lang), person["total"], *_stats(peers["total"])))
    keys = (
        "kpi",
        "report.yours",
        "report.position_mean",
        "report.q1",
        "report.median",
        "report.q3",
    )
    figures = rs.labelled(rows, keys, lang)
    name, count = position.name.get(lang), len(peers)
    heading = label("report.position_figures", lang, position=name, count=count)
    note = label("report.position_figures.note", lang, position=name, count=count)
    body = f'<p class="kpi-note">{escape(note)}</p>' + table(figures)
    return HTML(section(heading, body, anchor="position-figures"))


def _stats(values: pd.Series) -> tuple[float, float, float, float]:
    q1, q3 = float(values.quantile(0.25)), float(values.quantile(0.75))
    return (values.mean(), q1, values.median(), q3)


def footer(ctx: ReportContext) -> HTML:
    """Provenance: toolkit version, input hashes, parameters."""
    return rs.footer(ctx)
