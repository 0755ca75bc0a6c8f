"""The sections of an appraisal report, each an HTML fragment built from a ReportContext.

Tables, sections and numbers are rendered by :mod:`kpi_toolkit.reports.html` (every text
from user data escaped); every word comes from :mod:`kpi_toolkit.labels`, so no internal id
(position, rater group, source, reason) is shown. Charts are embedded as PNG ``data:`` URIs,
so the page needs nothing from the network, each with alt text saying what it shows. The
notebooks display these fragments; tests read them as text.

The page's navigation (``templates/kpi_offline/static/kpi.js``) works on what is marked
here: each section's anchor (contents bar), ``table.kpi-people`` (sortable, searchable),
``data-team`` on a person's row or card and ``data-team-view`` on a chart drawn for one
team (the team filter). Grades take their colours from :mod:`.palette`.

This module is the notebooks' one import (``from kpi_toolkit.reports import sections as
rs``): the larger sections live in modules of their own (:mod:`.summary`,
:mod:`.attainment`, :mod:`.cards`, :mod:`.provenance`, :mod:`.trends`) and are named here.
"""

from __future__ import annotations

import json

import pandas as pd
from IPython.display import HTML

from ..engine.grading import team_ranking
from ..labels import label, ledger_table, position_names
from .attainment import attainment, positions_of
from .cards import scorecard, scorecards
from .charts import png
from .context import ReportContext
from .fragment import html_section, labelled
from .html import escape, table
from .kpi_text import kpi_target, kpi_value
from .navigation import grade_cells, people_table
from .provenance import footer, input_list
from .ratings import calibration as _calibration
from .ratings import completeness
from .summary import summary
from .trends import trends  # the trend section: mean total and grade mix per period

__all__ = [
    "approval",
    "attainment",
    "calibration",
    "change",
    "data_quality",
    "footer",
    "input_list",
    "kpi_target",
    "kpi_value",
    "labelled",
    "png",
    "ranking",
    "scorecard",
    "scorecards",
    "sensitivity",
    "summary",
    "teams",
    "title",
    "trends",
    "what_if",
]


def title(ctx: ReportContext, *, heading: str | None = None) -> HTML:
    """The report's title block: scheme, period, team."""
    lang = ctx.lang
    main = heading or label("report.title", lang)
    parts = [ctx.scheme.name.get(lang), f"{label('period', lang)} {ctx.appraisal.period}"]
    if ctx.team:
        parts.append(f"{label('team', lang)} {ctx.team}")
    line = " · ".join(escape(p) for p in parts)
    words = {k: label(f"page.{k}", lang) for k in ("contents", "search", "sort", "team")}
    words["all_teams"] = label("page.all_teams", lang)
    words["team_filter"] = "1" if ctx.team is None else ""  # the department report only
    return HTML(
        f'<header class="kpi-title" data-kpi-words="{escape(json.dumps(words))}">'
        f"<h1>{escape(main)}</h1><p>{line}</p></header>"
    )


def teams(ctx: ReportContext) -> HTML:
    """Organisational appraisal: each team's mean total, grade and rank."""
    lang = ctx.lang
    ranked = team_ranking(ctx.appraisal.scores, scheme=ctx.scheme, lang=lang)
    ranked = ranked.rename(columns={"rank": "team_rank"})
    ranked.columns = [label(c, lang) for c in ranked.columns]
    shown = table(ranked, colours={label("grade", lang): grade_cells(ctx)})
    return html_section(label("team_ranking", lang), shown, anchor="teams")


def ranking(ctx: ReportContext) -> HTML:
    """Everyone's total, grade and ranks, by position."""
    lang = ctx.lang
    columns = [
        "rank",
        "employee_id",
        "name",
        "team",
        "position",
        "total",
        "grade",
        "department_rank",
    ]
    ranked = ctx.scores[columns].copy()
    ranked["position"] = position_names(ranked["position"], scheme=ctx.scheme, lang=lang)
    ranked.columns = [label(c, lang) for c in columns]
    shown = people_table(ranked, teams=ctx.scores["team"].tolist(), ctx=ctx)
    return html_section(label("report.ranking", lang), shown, anchor="ranking")


def what_if(ctx: ReportContext) -> HTML:
    """A panel in which the reader tries other weights, offline (see :mod:`.whatif`)."""
    from .whatif import panel

    return HTML(panel(ctx))


def sensitivity(ctx: ReportContext, *, delta: float = 5.0) -> HTML:
    """For each KPI weight ± ``delta`` points (re-spread within its category), how many
    people change grade and rank (see :mod:`kpi_toolkit.explorer.sensitivity`)."""
    from ..explorer.scenarios import attainment
    from ..explorer.sensitivity import SENSITIVITY_COLUMNS, weight_sensitivity

    lang, shares, body = ctx.lang, attainment(ctx.appraisal), ""
    for position in positions_of(ctx):
        moves = weight_sensitivity(shares, position=position.id, delta=delta)
        moves = moves[[c for c in SENSITIVITY_COLUMNS if c != "kpi_id"]]
        moves.columns = [label(f"report.sensitivity.{c}", lang) for c in moves.columns]
        body += f"<h3>{escape(position.name.get(lang))}</h3>" + table(moves, digits=1)
    note = f"<p>{escape(label('report.sensitivity.explain', lang, delta=f'{delta:g}'))}</p>"
    return html_section(label("report.sensitivity", lang), note + body, anchor="sensitivity")


CHANGE_COLUMNS = (
    "employee_id",
    "name",
    "report.before",
    "report.grade_before",
    "total",
    "grade",
    "report.delta",
)


def change(ctx: ReportContext) -> HTML:
    """Each person's total and grade against the previous period, where it was appraised."""
    lang = ctx.lang
    if ctx.previous is None:
        return html_section(
            label("report.change", lang),
            f"<p>{escape(label('report.no_previous', lang))}</p>",
            anchor="change",
        )
    before = ctx.previous.scores[["employee_id", "total", "grade"]]
    merged = ctx.scores[["employee_id", "name", "team", "total", "grade"]].merge(
        before, on="employee_id", how="left", suffixes=("", "_before")
    )
    merged["delta"] = merged["total"] - merged["total_before"]
    merged = merged.sort_values("delta", ascending=False, na_position="last")
    shown = merged[
        ["employee_id", "name", "total_before", "grade_before", "total", "grade", "delta"]
    ]
    shown.columns = [label(c, lang) for c in CHANGE_COLUMNS]
    heading = f"{label('report.change', lang)} ({ctx.previous.period} → {ctx.appraisal.period})"
    body = people_table(shown, teams=merged["team"].tolist(), ctx=ctx)
    return html_section(heading, body, anchor="change")


def data_quality(ctx: ReportContext) -> HTML:
    """Inputs read and what was not used, with reasons (and the raw-record ledger if any);
    the completeness of the 360 ratings where the roster has reporting lines."""
    lang = ctx.lang
    actuals = ctx.appraisal.actuals
    if ctx.team is not None:  # the team's rows only, as every other count of the report
        actuals = actuals.loc[actuals["employee_id"].isin(ctx.scores["employee_id"])]
    facts = pd.DataFrame(
        {
            label("report.rows_scored", lang): [len(actuals)],
            label("report.excluded", lang): [len(ctx.excluded)],
        }
    )
    body = table(facts)
    if len(ctx.excluded):
        excluded = ctx.excluded[["employee_id", "name", "position", "team", "reason"]].copy()
        titles = ctx.excluded.get("position_name")  # the roster's title, where given
        excluded["position"] = position_names(
            excluded["position"], scheme=ctx.scheme, lang=lang, titles=titles
        )
        excluded.columns = [label(c, lang) for c in excluded.columns]
        body += people_table(excluded, teams=ctx.excluded["team"].tolist(), ctx=ctx)
    if ctx.ledger is not None and len(ctx.ledger):
        shown = ledger_table(ctx.ledger, lang=lang)
        body += f"<h3>{escape(label('report.ledger', lang))}</h3>" + table(shown)
        if ctx.team is not None:
            body += f'<p class="kpi-note">{escape(label("report.ledger.department", lang))}</p>'
    body += completeness(ctx)
    return html_section(label("report.data_quality", lang), body, anchor="data-quality")


def calibration(ctx: ReportContext) -> HTML:
    """For the analyst: each rater's leniency (the mean given against the other raters of
    the same people) and self against superior, before the ratings are calibrated."""
    return HTML(_calibration(ctx))


def approval(
    ctx: ReportContext,
    *,
    prepared_by: str = "",
    reviewed_by: str = "",
    approved_by: str = "",
    prepared_on: str = "",
    reviewed_on: str = "",
    approved_on: str = "",
) -> HTML:
    """The approval block of seed section 4: 编制人员 / 审核人员 / 批准人员 with dates."""
    lang = ctx.lang
    rows = [
        (label(f"report.{role}", lang), who, "", when)
        for role, who, when in (
            ("prepared_by", prepared_by, prepared_on),
            ("reviewed_by", reviewed_by, reviewed_on),
            ("approved_by", approved_by, approved_on),
        )
    ]
    headers = ["", label("name", lang), label("report.signature", lang), label("report.date", lang)]
    signed = table(
        pd.DataFrame(rows, columns=headers),
        css="kpi-table kpi-approval",
        classes={headers[2]: "kpi-sign"},  # the lines to sign on
    )
    return html_section(
        label("report.approval", lang), signed, css="kpi-approval-section", anchor="approval"
    )
