"""Scorecards in the report: one card per person, each KPI's actual, target, rule in words
and points, the 360 breakdown, self against superior, the plans and the improvement focus."""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

from ..engine.scheme import Kpi, Position
from ..labels import label
from .context import ReportContext
from .fragment import html_section
from .html import escape, number, table
from .kpi_text import kpi_target, kpi_value
from .palette import grade_colours, tint
from .plans import card_plans, person_plans
from .ratings import breakdown, breakdowns, own_against_superior

__all__ = ["EMPTY_FOCUS", "card_cache", "scorecard", "scorecards"]


def _card_rows(ctx: ReportContext, position: Position) -> list[tuple[str, Kpi | None, object]]:
    """The rows of a position's scorecard: (category name, KPI or None for the subtotal,
    the KPI's rule in words or the category)."""
    lang = ctx.lang
    rows: list[tuple[str, Kpi | None, object]] = []
    for category_id, category in position.categories.items():
        for kpi in (k for k in position.kpis if k.category == category_id):
            rule = kpi.rule.describe(weight=kpi.weight, target=kpi.target, lang=lang)
            rows.append((category.name.get(lang), kpi, rule))
        rows.append((category.name.get(lang), None, (category_id, category)))
    return rows


def scorecard(
    ctx: ReportContext, employee_id: str, *, for_employee: bool = False, cache: dict | None = None
) -> str:
    """One person's scorecard: each KPI's actual, target, rule in words, points of weight;
    the 360 breakdown and self against superior where rated.

    ``for_employee``: the card handed to the person, whose 360 breakdown merges the groups
    of a single colleague (see :func:`~kpi_toolkit.engine.calibration.merged_for_employee`);
    else the analyst's, with every group as rated.
    """
    cache = cache if cache is not None else card_cache(ctx)
    lang, person = ctx.lang, cache["people"][employee_id]
    position = ctx.scheme.positions[person["position"]]
    actual = cache["actuals"].get(employee_id, {})
    rows = []
    for category_name, kpi, extra in cache["layout"][position.id]:
        if kpi is None:
            category_id, category = extra
            rows.append(
                (
                    category_name,
                    label("report.subtotal", lang),
                    "",
                    "",
                    "",
                    f"{number(person[category_id])} / {category.points:g}",
                )
            )
            continue
        value = actual.get(kpi.id, np.nan)
        planned, weight = cache["plans"].get((employee_id, kpi.id), (None, None))
        rows.append(
            (
                category_name,
                kpi.name.get(lang),
                kpi_value(kpi, float(value)),
                planned or kpi_target(kpi),
                extra,
                f"{number(person[kpi.id])} / {weight or kpi.weight:g}",
            )
        )
    header = [
        label(c, lang)
        for c in ("report.category", "kpi", "actual", "target", "report.rule", "points")
    ]
    columns = {h: [row[i] for row in rows] for i, h in enumerate(header)}
    head = (
        f"<h3>{escape(person['name'])} <small>{escape(employee_id)} · {escape(person['team'])} · "
        f"{escape(position.name.get(lang))}</small></h3>"
        f'<p class="kpi-total">{escape(label("total", lang))} <b>{number(person["total"])}</b> · '
        f"{escape(label('grade', lang))} {_grade_mark(ctx, person)} · "
        f"{escape(label('rank', lang))} {escape(person['rank'])}{_consequence(ctx, person)}</p>"
    )
    notes = f'<p class="kpi-flags">{escape(person["flags"])}</p>' if person["flags"] else ""
    from .improvement import focus  # 改进重点 (imported here: it reads the formats above)

    chosen = cache["focus"].get(employee_id, EMPTY_FOCUS)
    card = table(columns) + focus(ctx, employee_id, chosen=chosen, planned=cache["plans"])
    if for_employee:
        rated = breakdown(ctx, cache["ratings"].get(employee_id), for_employee=True)
    else:
        rated = cache["breakdowns"].get(employee_id, "")
    rated += own_against_superior(ctx, cache["values"].get(employee_id))
    rated += person_plans(ctx, employee_id, for_employee=for_employee)
    team = escape(person["team"])
    return f'<div class="kpi-card" data-team="{team}">{head}{card}{rated}{notes}</div>'


EMPTY_FOCUS = pd.DataFrame()  # a person who lost no points


def _grade_mark(ctx: ReportContext, person: dict) -> str:
    """The person's grade in bold on its grade's tint."""
    colour = grade_colours(ctx.scheme).get(str(person.get("grade_id")), "#ffffff")
    return f'<b class="kpi-grade" style="background:{tint(colour)}">{escape(person["grade"])}</b>'


def _consequence(ctx: ReportContext, person: dict) -> str:
    """ " · 奖惩 通报表扬" where the person's grade carries a consequence in the scheme."""
    grade = next((g for g in ctx.scheme.grades if g.id == person.get("grade_id")), None)
    if grade is None or grade.consequence is None:
        return ""
    text = grade.consequence.get(ctx.lang)
    return f" · {escape(label('consequence', ctx.lang))} <b>{escape(text)}</b>"


def card_cache(ctx: ReportContext) -> dict:
    """What every scorecard looks up, indexed once."""
    from .improvement import focus_by_person

    ratings, values = ctx.appraisal.ratings, ctx.appraisal.rater_values
    return {
        "people": ctx.appraisal.scores.set_index("employee_id").to_dict("index"),
        "actuals": ctx.appraisal.actuals.set_index("employee_id").to_dict("index"),
        "layout": {pid: _card_rows(ctx, p) for pid, p in ctx.scheme.positions.items()},
        "ratings": {} if ratings is None else dict(tuple(ratings.groupby("employee_id"))),
        "breakdowns": breakdowns(ctx, ratings),  # the analyst's, for everyone at once
        "values": {} if values is None else dict(tuple(values.groupby("employee_id"))),
        "plans": card_plans(ctx),
        "focus": focus_by_person(ctx),
    }


def scorecards(ctx: ReportContext) -> HTML:
    """A scorecard for everyone in the report."""
    cache = card_cache(ctx)
    cards = "".join(scorecard(ctx, e, cache=cache) for e in ctx.scores["employee_id"])
    return html_section(label("report.scorecards", ctx.lang), cards, anchor="scorecards")
