"""The corrections section of the department report: each appeal's correction and its effect.

One row per correction of the period (approved, applied by ``--corrections``): who, which
KPI, the value before and after, the reason and the approval, and what it changed — the
KPI's points, the total, the grade, the rank within the position and, where the scheme's
grades carry a bonus factor, the factor (so the bonus under ``--allocation grade``).
Computed by :func:`~kpi_toolkit.engine.corrections.correction_effects` from the period's
appraisal with and without the corrections, so the effect is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from IPython.display import HTML

from ..engine.corrections import correction_effects
from ..labels import Lang, label
from .context import ReportContext
from .html import escape, number, section
from .navigation import people_table, teams_of

__all__ = ["corrections"]

CHANGES = ("points", "total", "grade", "rank", "bonus_factor")


def corrections(ctx: ReportContext) -> HTML:
    """The corrections of the period and what each changed (nothing without corrections)."""
    lang = ctx.lang
    if ctx.corrections is None:
        return HTML("")
    heading = label("report.corrections", lang)
    mine = ctx.corrections
    if ctx.team is not None:
        members = ctx.appraisal.scores.loc[ctx.appraisal.scores["team"] == ctx.team]
        mine = mine.loc[mine["employee_id"].isin(members["employee_id"])]
    if ctx.uncorrected is None:
        note = label("report.corrections.no_before", lang)
        return HTML(
            section(heading, f'<p class="kpi-note">{escape(note)}</p>', anchor="corrections")
        )
    effects = correction_effects(ctx.uncorrected, ctx.appraisal, mine, lang=lang)
    if effects.empty:
        note = label("report.corrections.none", lang, period=str(ctx.appraisal.period))
        return HTML(
            section(heading, f'<p class="kpi-note">{escape(note)}</p>', anchor="corrections")
        )
    intro = label("report.corrections.intro", lang, count=len(effects))
    teams = teams_of(ctx, effects["employee_id"])
    body = people_table(shown(effects, lang=lang), teams=teams, ctx=ctx)
    return HTML(section(heading, f"<p>{escape(intro)}</p>" + body, anchor="corrections"))


def shown(effects: pd.DataFrame, *, lang: Lang = "zh") -> pd.DataFrame:
    """The effects as the report shows them: ``before → after`` per change, headers labelled."""
    columns: dict[str, Iterable[object]] = {
        "employee_id": effects["employee_id"],
        "name": effects["name"],
        "kpi": effects["kpi"],
        "corrections.value": _arrow(effects["old_value"], effects["new_value"]),
        "corrections.reason": effects["reason"],
        "corrections.approved_by": effects["approved_by"],
        "corrections.approved_on": effects["approved_on"].astype(str),
    }
    for change in CHANGES:
        if f"{change}_before" in effects:
            columns[f"corrections.{change}"] = _arrow(
                effects[f"{change}_before"], effects[f"{change}_after"]
            )
    return pd.DataFrame({label(k, lang): list(v) for k, v in columns.items()})


def _arrow(before: pd.Series, after: pd.Series) -> list[str]:
    return [
        f"{_text(b)} → {_text(a)}" if _text(b) != _text(a) else _text(a)
        for b, a in zip(before, after, strict=True)
    ]


def _text(value: object) -> str:
    return number(value) if not isinstance(value, str) else (value or "—")
