"""The summary section: headcount appraised and excluded, the grade distribution (one
chart for the department and, in its report, one per team for the team filter) against the
forced distribution, and each limit not held, in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

from ..labels import label
from .charts import grade_distribution_chart, png, use_cjk_font
from .context import ReportContext
from .fragment import html_section, labelled
from .html import escape, table
from .navigation import grade_cells
from .palette import grade_colours

__all__ = ["summary"]


def summary(ctx: ReportContext) -> HTML:
    """Headcount appraised and excluded (with reasons), mean total, grade distribution."""
    lang, scores = ctx.lang, ctx.scores
    facts = pd.DataFrame(
        {
            label("report.appraised", lang): [len(scores)],
            label("report.excluded", lang): [len(ctx.excluded)],
            label("mean_total", lang): [scores["total"].mean() if len(scores) else np.nan],
        }
    )
    counts = _grade_counts(ctx)
    body = table(facts) + _grade_figures(ctx)
    grades = {label("grade", lang): grade_cells(ctx)}
    body += table(_distribution_table(ctx, counts), colours=grades)
    body += _breaches(ctx)
    if len(ctx.excluded):
        reasons = ctx.excluded.groupby("reason", sort=False).size().reset_index()
        reasons.columns = [label("reason", lang), label("headcount", lang)]
        body += f"<h3>{escape(label('not_appraised', lang))}</h3>" + table(reasons)
    return html_section(label("report.summary", lang), body, anchor="summary")


def _grade_counts(ctx: ReportContext, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    order = [g.id for g in ctx.scheme.grade_order()]
    given = ctx.scores if scores is None else scores
    counts = given["grade_id"].value_counts().reindex(order, fill_value=0)
    return pd.DataFrame({"grade_id": order, "count": counts.to_numpy()})


def _grade_figures(ctx: ReportContext) -> str:
    """The grade distribution chart; in the department report one more per team, each shown
    when the team filter picks it (``data-team-view``)."""
    teams = sorted(set(ctx.scores["team"])) if ctx.team is None else []
    shown = [("", ctx.scores), *((t, ctx.scores.loc[ctx.scores["team"] == t]) for t in teams)]
    if len(teams) < 2:
        shown = shown[:1]
    return "".join(
        _grade_figure(ctx, scores, team=team, views=len(shown) > 1) for team, scores in shown
    )


def _grade_figure(ctx: ReportContext, scores: pd.DataFrame, *, team: str, views: bool) -> str:
    lang = ctx.lang
    counts = _grade_counts(ctx, scores)
    title = label("report.grade_distribution", lang)
    title = f"{title} · {team}" if team else title
    names = {g.id: g.name.get(lang) for g in ctx.scheme.grades}
    use_cjk_font()
    chart = grade_distribution_chart(
        counts.set_index("grade_id")[["count"]],
        labels=names,
        title=title,
        ylabel=label("headcount", lang),
        colours=grade_colours(ctx.scheme),
    )
    items = "、".join(
        label("chart.alt.grade_item", lang, grade=names[g], count=int(n))
        for g, n in zip(counts["grade_id"], counts["count"], strict=True)
    )
    image = png(chart, alt=label("chart.alt.grades", lang, title=title, items=items))
    view = f' data-team-view="{escape(team)}"' if views else ""
    hidden = " hidden" if views and team else ""
    return f'<figure class="kpi-figure"{view}{hidden}>{image}</figure>'


def _distribution_table(ctx: ReportContext, counts: pd.DataFrame) -> pd.DataFrame:
    lang, n = ctx.lang, max(len(ctx.scores), 1)
    forced = ctx.scheme.forced_distribution
    limits = {} if forced is None else forced.shares
    rows = []
    for grade_id, count in zip(counts["grade_id"], counts["count"], strict=True):
        share = limits.get(grade_id)
        rule = (
            ""
            if share is None
            else " ".join(
                f"{sign} {value:.0%}"
                for sign, value in (("≤", share.max), ("≥", share.min))
                if value is not None
            )
        )
        rows.append(
            (
                _grade_label(ctx, grade_id),
                int(count),
                f"{count / n:.0%}",
                rule,
                _holds(ctx, grade_id),
            )
        )
    keys = ("grade", "headcount", "report.share", "report.forced", "report.forced_ok")
    return labelled(rows, keys, lang)


def _holds(ctx: ReportContext, grade_id: str) -> str:
    """✓, or ✗ with how many people over (or short of) the limit."""
    checks = ctx.appraisal.distribution
    mine = checks.loc[checks["grade_id"] == grade_id] if len(checks) else checks
    if not len(mine):
        return ""
    broken = mine.loc[~mine["ok"]]
    if not len(broken):
        return "✓"
    first = broken.iloc[0]
    over = abs(int(first["count"]) - int(first["allowed_count"]))
    key = "report.breach.cell" if first["limit"] == "max" else "report.breach.cell_min"
    return _department_scope(ctx) + label(key, ctx.lang, over=over)


def _department_scope(ctx: ReportContext) -> str:
    """In a team report, "全部门:" before a check that covers the department."""
    if ctx.team is None:
        return ""
    whole = label("report.breach.department", ctx.lang)
    return label("report.breach.scope", ctx.lang, scope=whole)


def _breaches(ctx: ReportContext) -> str:
    """Each forced-distribution limit not held, in words: how many people over the limit
    and what ``apply: true`` would do (or, where applied, nothing: it holds)."""
    lang, checks = ctx.lang, ctx.appraisal.distribution
    broken = checks.loc[~checks["ok"]] if len(checks) else checks
    forced = ctx.scheme.forced_distribution
    order = ctx.scheme.grade_order()
    lines = []
    for row in broken.to_dict("records"):
        index = next(i for i, g in enumerate(order) if g.id == row["grade_id"])
        over = abs(int(row["count"]) - int(row["allowed_count"]))
        scope = "" if row["scope"] == "department" else _scope_name(ctx, str(row["scope"]))
        words = {
            "scope": _department_scope(ctx)
            + (label("report.breach.scope", lang, scope=scope) if scope else ""),
            "grade": order[index].name.get(lang),
            "count": int(row["count"]),
            "share": f"{row['share']:.0%}",
            "limit": f"{'≤' if row['limit'] == 'max' else '≥'} {row['share_limit']:.0%}",
            "allowed": int(row["allowed_count"]),
            "over": over,
        }
        text = label(f"report.breach.{row['limit']}", lang, **words)
        if forced is not None and not forced.apply:
            after = order[min(index + 1, len(order) - 1)].name.get(lang)
            text += label(f"report.breach.apply_{row['limit']}", lang, **words, next=after)
        lines.append(f"<p>{escape(text)}</p>")
    return f'<div class="kpi-breach">{"".join(lines)}</div>' if lines else ""


def _scope_name(ctx: ReportContext, scope: str) -> str:
    position = ctx.scheme.positions.get(scope)
    return position.name.get(ctx.lang) if position is not None else scope


def _grade_label(ctx: ReportContext, grade_id: str) -> str:
    return next(g.name.get(ctx.lang) for g in ctx.scheme.grades if g.id == grade_id)
