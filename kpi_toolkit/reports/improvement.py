"""Where points were lost, as a reader sees it: 改进重点, 培训需求, 员工确认, the year's pattern.

- :func:`focus`: on each scorecard, the two or three KPIs with the most points lost, with
  actual, target and points lost (nothing when nothing was lost);
- :func:`training_needs`: in the department report, the KPIs where most points were lost
  across the department, and by team;
- :func:`acknowledgement`: the end of a person's scorecard: signature and date lines and
  the appeal window, counted in Chinese working days from the report date;
- :func:`year_pattern_lines`: the console lines of ``kpi annual``: each KPI a person lost
  points on in three quarters or more.

The numbers come from :mod:`kpi_toolkit.engine.improvement`; the words from the label table.
IPython and the report sections are imported on first use, so the command line can format
the year's pattern without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from ..engine.improvement import focus as focus_table
from ..engine.improvement import kpi_names, losses_by_kpi, points_lost
from ..engine.scheme import Scheme
from ..labels import Lang, label
from .html import escape, number, section, table

if TYPE_CHECKING:
    from IPython.display import HTML

    from .context import ReportContext

__all__ = [
    "DEFAULT_APPEAL_DAYS",
    "AppealWindow",
    "acknowledgement",
    "appeal_window",
    "focus",
    "focus_by_person",
    "training_needs",
    "year_pattern_lines",
]

DEFAULT_APPEAL_DAYS = 5  # where the scheme sets no appeal_working_days
CALENDAR = "cn_office"


def focus_by_person(ctx: ReportContext, *, top: int = 3) -> dict[str, pd.DataFrame]:
    """Everyone's 改进重点 rows at once (for many scorecards), by employee."""
    lost = points_lost(ctx.appraisal.scores, scheme=ctx.scheme)
    chosen = focus_table(lost, actuals=ctx.appraisal.actuals, top=top)
    return {str(e): rows for e, rows in chosen.groupby("employee_id", sort=False)}


def focus(
    ctx: ReportContext,
    employee_id: str,
    *,
    top: int = 3,
    chosen: pd.DataFrame | None = None,
    planned: dict | None = None,
) -> str:
    """The 改进重点 block of one scorecard: the person's ``top`` KPIs with the most points
    lost (a tie in the scheme's order), each with actual, target and points lost; ``""``
    when the person lost no points. ``chosen`` (from :func:`focus_by_person`) and ``planned``
    (:func:`~kpi_toolkit.reports.plans.card_plans`) spare recomputing them per card."""
    from .kpi_text import kpi_target, kpi_value
    from .plans import card_plans

    if chosen is None:
        scores = ctx.appraisal.scores
        lost = points_lost(scores.loc[scores["employee_id"] == employee_id], scheme=ctx.scheme)
        chosen = focus_table(lost, actuals=ctx.appraisal.actuals, top=top)
    if chosen.empty:
        return ""
    lang, position = ctx.lang, ctx.scheme.positions[chosen["position"].iloc[0]]
    if planned is None:  # a personal target (a work-objective plan) where one is in force
        planned = card_plans(ctx)
    rows = [
        (
            order,
            position.kpi(kpi_id).name.get(lang),
            kpi_value(position.kpi(kpi_id), actual),
            planned.get((employee_id, kpi_id), (None, None))[0] or kpi_target(position.kpi(kpi_id)),
            f"{number(points)} / {weight:g}",
            number(lost_points),
        )
        for order, kpi_id, actual, points, weight, lost_points in zip(
            chosen["order"],
            chosen["kpi_id"],
            chosen["actual"],
            chosen["points"],
            chosen["weight"],
            chosen["lost"],
            strict=True,
        )
    ]
    keys = ("improve.order", "kpi", "actual", "target", "points", "improve.lost")
    shown = {label(k, lang): [row[i] for row in rows] for i, k in enumerate(keys)}
    return (
        f'<div class="kpi-focus"><h4>{escape(label("improve.focus", lang))}</h4>'
        f"<p>{escape(label('improve.focus.note', lang))}</p>{table(shown)}</div>"
    )


def training_needs(ctx: ReportContext, *, top: int = 5, per_team: int = 3) -> HTML:
    """The 培训需求 section: the ``top`` KPIs with the most points lost across the people of
    the report, and each team's ``per_team``."""
    from IPython.display import HTML

    lang = ctx.lang
    lost = points_lost(ctx.scores, scheme=ctx.scheme)
    names = kpi_names(ctx.scheme, lang)
    department = losses_by_kpi(lost)
    department = department.loc[department["lost"] > 0]
    heading = label("improve.training", lang)
    if department.empty:
        body = f"<p>{escape(label('improve.training.none', lang))}</p>"
        return HTML(section(heading, body, anchor="training"))
    first = department.iloc[0]
    lead = label(
        "improve.training.top",
        lang,
        kpi=names[first["kpi_id"]],
        lost=number(float(first["lost"])),
        losing=int(first["losing"]),
    )
    teams = losses_by_kpi(lost, by="team")
    teams = teams.loc[teams["lost"] > 0].groupby("team", sort=False).head(per_team)
    body = (
        f"<p>{escape(label('improve.training.note', lang))}</p>"
        f'<p class="kpi-training-top"><b>{escape(lead)}</b></p>'
        + table(_shown(department.head(top), names, lang))
        + f"<h3>{escape(label('improve.by_team', lang))}</h3>"
        + table(_shown(teams, names, lang), rows=[{"data-team": str(t)} for t in teams["team"]])
    )
    return HTML(section(heading, body, anchor="training"))


def _shown(losses: pd.DataFrame, names: dict[str, str], lang: Lang) -> pd.DataFrame:
    shown = losses.assign(
        kpi_id=losses["kpi_id"].map(names),
        losing=losses["losing"].astype(int),
        share=[f"{s:.0%}" for s in losses["share"]],
    )
    keys = {
        "team": "team",
        "kpi_id": "kpi",
        "people": "improve.people",
        "losing": "improve.losing",
        "lost": "improve.lost_total",
        "mean_lost": "improve.mean_lost",
        "share": "improve.share",
    }
    return shown.rename(columns={c: label(k, lang) for c, k in keys.items()})


@dataclass(frozen=True)
class AppealWindow:
    """The appeal window of a report: its last day (inclusive), how many working days it
    spans, and whether that is the default (the scheme sets none)."""

    report_date: date
    deadline: date
    days: int
    default: bool


def appeal_window(scheme: Scheme, *, report_date: date) -> AppealWindow:
    """The scheme's ``appeal_working_days`` (else :data:`DEFAULT_APPEAL_DAYS`) counted in the
    ``cn_office`` calendar from the day after ``report_date``; the last of them is the
    deadline.

    Examples
    --------
    >>> from kpi_toolkit import builtin_scheme
    >>> window = appeal_window(builtin_scheme("after_sales_team"), report_date=date(2026, 9, 30))
    >>> str(window.deadline), window.days, window.default  # 国庆 1–7 Oct; Sat 10 Oct works
    ('2026-10-13', 5, True)
    """
    from ..records.calendar import load_calendar, working_day_after

    days = scheme.appeal_working_days or DEFAULT_APPEAL_DAYS
    deadline = working_day_after(report_date, days, calendar=load_calendar(CALENDAR))
    return AppealWindow(report_date, deadline, days, scheme.appeal_working_days is None)


def acknowledgement(
    ctx: ReportContext,
    employee_id: str | None = None,
    *,
    report_date: date | str | None = None,
    window: AppealWindow | None = None,
) -> HTML:
    """The 员工确认 block that ends a person's scorecard: signature and date lines, and the
    appeal deadline counted from ``report_date`` (default: the day the report was made).

    ``employee_id``: the person whose card it ends, named on the signature line.
    ``window``: that day's :func:`appeal_window`, where a batch of cards counted it once.
    """
    from IPython.display import HTML

    lang = ctx.lang
    when = date.fromisoformat(str(report_date or ctx.generated)[:10])
    if window is None or window.report_date != when:
        window = appeal_window(ctx.scheme, report_date=when)
    names = ctx.names()
    person = "" if employee_id is None else names.get(employee_id, employee_id)
    keys = ("name", "ack.signature", "report.date")
    lines = pd.DataFrame([(person, "", "")], columns=[label(k, lang) for k in keys])
    notes = [label("ack.counted", lang, day=when.isoformat())]
    if window.default:
        notes.append(label("ack.default", lang, days=window.days))
    deadline = label("ack.deadline", lang, date=window.deadline.isoformat(), days=window.days)
    body = (
        f"<p>{escape(label('ack.read', lang))}</p>"
        f'<p class="kpi-appeal"><b>{escape(deadline)}</b><br><small>'
        f"{escape('; '.join(notes) if lang == 'en' else ';'.join(notes))}</small></p>"
        + table(lines, css="kpi-table kpi-approval")
    )
    return HTML(
        section(
            label("ack.title", lang), body, anchor="acknowledgement", css="kpi-approval-section"
        )
    )


def year_pattern_lines(
    pattern: pd.DataFrame,
    *,
    scheme: Scheme,
    lang: Lang = "zh",
    min_quarters: int = 3,
    per_person: int = 3,
) -> list[str]:
    """The year's pattern (:func:`kpi_toolkit.engine.improvement.year_pattern`) as console
    lines: a heading, then one line per person (the most points lost first) naming their
    ``per_person`` KPIs with the most points lost and how many there are; or one line
    saying nobody."""
    if pattern.empty:
        return [label("improve.pattern.none", lang, quarters=min_quarters)]
    names, joiner = kpi_names(scheme, lang), "、" if lang == "zh" else "; "
    keys = ["employee_id", "name"]
    order = pattern.groupby(keys, sort=False)["lost"].sum().sort_values(ascending=False)
    lines = [label("improve.pattern", lang, quarters=min_quarters)]
    for employee_id, name in order.index:
        mine = pattern.loc[pattern["employee_id"] == employee_id].sort_values(
            "lost", ascending=False, kind="stable"
        )
        kpis = joiner.join(
            label("improve.pattern.kpi", lang, kpi=names[k], count=q, lost=number(float(x)))
            for k, q, x in zip(
                mine["kpi_id"][:per_person],
                mine["quarters"][:per_person],
                mine["lost"][:per_person],
                strict=True,
            )
        )
        if len(mine) > per_person:
            kpis += label("improve.pattern.more", lang, count=len(mine))
        lines.append(
            "  " + label("improve.pattern.row", lang, employee=employee_id, name=name, kpis=kpis)
        )
    return lines
