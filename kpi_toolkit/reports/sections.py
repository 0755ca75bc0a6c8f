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
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import PurePath

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from ..engine.grading import team_ranking
from ..engine.scheme import Kpi, Position
from ..labels import Lang, label, ledger_table, name_of, position_names
from .breakdown import kpi_breakdowns
from .charts import bar_chart, box_chart, grade_distribution_chart, use_cjk_font
from .context import ReportContext
from .html import escape, number, section, table
from .navigation import grade_cells, people_table
from .palette import grade_colours, tint
from .plans import card_plans, person_plans
from .ratings import breakdown, completeness, own_against_superior
from .ratings import calibration as _calibration
from .trends import trends  # the trend section: mean total and grade mix per period

__all__ = [
    "approval",
    "attainment",
    "calibration",
    "change",
    "data_quality",
    "footer",
    "input_list",
    "labelled",
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


def labelled(rows: list[tuple], keys: tuple[str, ...], lang: Lang) -> pd.DataFrame:
    """A table of ``rows`` whose column headers are the labels of ``keys``."""
    return pd.DataFrame(rows, columns=[label(k, lang) for k in keys])


def _section(heading: str, body: str, *, css: str = "", anchor: str = "") -> HTML:
    return HTML(section(heading, body, css=css, anchor=anchor))


def png(figure: Figure, *, alt: str) -> str:
    """``figure`` as an ``<img>`` with its PNG inlined and ``alt`` (what the chart shows)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="kpi-chart" alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _grade_label(ctx: ReportContext, grade_id: str) -> str:
    return next(g.name.get(ctx.lang) for g in ctx.scheme.grades if g.id == grade_id)


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
    return _section(label("report.summary", lang), body, anchor="summary")


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


def teams(ctx: ReportContext) -> HTML:
    """Organisational appraisal: each team's mean total, grade and rank."""
    lang = ctx.lang
    ranked = team_ranking(ctx.appraisal.scores, scheme=ctx.scheme, lang=lang)
    ranked = ranked.rename(columns={"rank": "team_rank"})
    ranked.columns = [label(c, lang) for c in ranked.columns]
    shown = table(ranked, colours={label("grade", lang): grade_cells(ctx)})
    return _section(label("team_ranking", lang), shown, anchor="teams")


ATTAINMENT_COLUMNS = (
    "kpi",
    "weight",
    "target",
    "report.mean_actual",
    "report.mean_points",
    "report.attainment",
    "report.full_marks",
)


def attainment(ctx: ReportContext) -> HTML:
    """Per KPI: weight, target, mean actual, mean points, attainment, share at full marks."""
    lang, body = ctx.lang, ""
    for position in _positions(ctx):
        people = ctx.scores.loc[ctx.scores["position"] == position.id]
        actuals = ctx.appraisal.actuals.set_index("employee_id").reindex(people["employee_id"])
        rows = [_attainment_row(kpi, people, actuals, lang) for kpi in position.kpis]
        kpis = labelled(rows, ATTAINMENT_COLUMNS, lang)
        shares = pd.DataFrame(
            {
                "kpi": [k.name.get(lang) for k in position.kpis],
                "share": [people[k.id].mean() / k.weight for k in position.kpis],
            }
        )
        body += f"<h3>{escape(position.name.get(lang))}</h3>" + table(kpis)
        body += kpi_breakdowns(position, actuals, lang=lang, value_text=_actual)
        body += _attainment_charts(ctx, position, people, shares)
    if ctx.team is None and ctx.scores["team"].nunique() > 1:
        body += f'<p class="kpi-caption">{escape(label("chart.whole_department", lang))}</p>'
    return _section(label("report.kpis", lang), body, anchor="kpis")


def _attainment_charts(
    ctx: ReportContext, position: Position, people: pd.DataFrame, shares: pd.DataFrame
) -> str:
    """Each KPI's attainment (bars) and its spread across people (boxes), on percent axes."""
    lang, name = ctx.lang, position.name.get(ctx.lang)
    axis = label("chart.attainment_axis", lang)
    use_cjk_font()
    chart = bar_chart(
        shares,
        x="kpi",
        y="share",
        title=f"{label('report.attainment', lang)} · {name}",
        xlabel=axis,
        ylabel="",
        horizontal=True,
        percent=True,
    )
    ratios = {k.name.get(lang): people[k.id] / k.weight for k in position.kpis}
    spread = box_chart(
        ratios,
        title=f"{label('report.points_distribution', lang)} · {name}",
        xlabel=axis,
        percent=True,
    )
    bars = "、".join(f"{k} {v:.0%}" for k, v in zip(shares["kpi"], shares["share"], strict=True))
    medians = "、".join(
        label("chart.alt.median", lang, kpi=k, value=f"{v.median():.0%}") for k, v in ratios.items()
    )
    return png(chart, alt=label("chart.alt.attainment", lang, position=name, items=bars)) + png(
        spread, alt=label("chart.alt.spread", lang, position=name, items=medians)
    )


def _attainment_row(kpi: Kpi, people: pd.DataFrame, actuals: pd.DataFrame, lang: Lang) -> tuple:
    values = actuals[kpi.id] if kpi.id in actuals else pd.Series(dtype=float)
    points = people[kpi.id]
    return (
        kpi.name.get(lang),
        kpi.weight,
        _target(kpi),
        _actual(kpi, float(np.nanmean(values)) if values.notna().any() else np.nan),
        points.mean(),
        f"{points.mean() / kpi.weight:.0%}",
        f"{(points >= kpi.weight - 1e-9).mean():.0%}",
    )


def _target(kpi: Kpi) -> str:
    if kpi.target_text:
        return kpi.target_text
    return "—" if kpi.target is None else _actual(kpi, kpi.target)


def _actual(kpi: Kpi, value: float) -> str:
    if value is None or np.isnan(value):
        return "—"
    if kpi.kind == "ratio":
        return f"{value:.1%}"
    unit = f" {kpi.unit}" if kpi.unit else ""
    if kpi.kind == "count" and float(value).is_integer():
        return f"{value:g}{unit}"
    return f"{value:.1f}{unit}" if kpi.kind == "count" else f"{value:.2f}{unit}"


# A KPI's value and target as every section writes them (plans.py, improvement.py too).
kpi_value, kpi_target = _actual, _target


def _positions(ctx: ReportContext) -> list[Position]:
    present = set(ctx.scores["position"])
    return [p for pid, p in ctx.scheme.positions.items() if pid in present]


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
    return _section(label("report.ranking", lang), shown, anchor="ranking")


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
    ctx: ReportContext, employee_id: str, *, for_employee: bool = False, _cache: dict | None = None
) -> str:
    """One person's scorecard: each KPI's actual, target, rule in words, points of weight;
    the 360 breakdown and self against superior where rated.

    ``for_employee``: the card handed to the person, whose 360 breakdown merges the groups
    of a single colleague (see :func:`~kpi_toolkit.engine.calibration.merged_for_employee`);
    else the analyst's, with every group as rated.
    """
    cache = _cache if _cache is not None else _card_cache(ctx)
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
                _actual(kpi, float(value)),
                planned or _target(kpi),
                extra,
                f"{number(person[kpi.id])} / {weight or kpi.weight:g}",
            )
        )
    header = [
        label(c, lang)
        for c in ("report.category", "kpi", "actual", "target", "report.rule", "points")
    ]
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
    card = table(pd.DataFrame(rows, columns=header)) + focus(
        ctx, employee_id, chosen=chosen, planned=cache["plans"]
    )
    rated = breakdown(ctx, cache["ratings"].get(employee_id), for_employee=for_employee)
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


def _card_cache(ctx: ReportContext) -> dict:
    """What every scorecard looks up, indexed once."""
    from .improvement import focus_by_person

    ratings, values = ctx.appraisal.ratings, ctx.appraisal.rater_values
    return {
        "people": ctx.appraisal.scores.set_index("employee_id").to_dict("index"),
        "actuals": ctx.appraisal.actuals.set_index("employee_id").to_dict("index"),
        "layout": {pid: _card_rows(ctx, p) for pid, p in ctx.scheme.positions.items()},
        "ratings": {} if ratings is None else dict(tuple(ratings.groupby("employee_id"))),
        "values": {} if values is None else dict(tuple(values.groupby("employee_id"))),
        "plans": card_plans(ctx),
        "focus": focus_by_person(ctx),
    }


def scorecards(ctx: ReportContext) -> HTML:
    """A scorecard for everyone in the report."""
    cache = _card_cache(ctx)
    cards = "".join(scorecard(ctx, e, _cache=cache) for e in ctx.scores["employee_id"])
    return _section(label("report.scorecards", ctx.lang), cards, anchor="scorecards")


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
    for position in _positions(ctx):
        moves = weight_sensitivity(shares, position=position.id, delta=delta)
        moves = moves[[c for c in SENSITIVITY_COLUMNS if c != "kpi_id"]]
        moves.columns = [label(f"report.sensitivity.{c}", lang) for c in moves.columns]
        body += f"<h3>{escape(position.name.get(lang))}</h3>" + table(moves, digits=1)
    note = f"<p>{escape(label('report.sensitivity.explain', lang, delta=f'{delta:g}'))}</p>"
    return _section(label("report.sensitivity", lang), note + body, anchor="sensitivity")


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
        return _section(
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
    return _section(heading, body, anchor="change")


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
    return _section(label("report.data_quality", lang), body, anchor="data-quality")


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
    return _section(
        label("report.approval", lang), signed, css="kpi-approval-section", anchor="approval"
    )


def footer(ctx: ReportContext) -> HTML:
    """Provenance: toolkit version, each input's file name and SHA-256, the parameters
    (a path shown by its last part: the page names no folder of the machine that made it)."""
    lang = ctx.lang
    params = "".join(
        f"<li>{escape(name_of('param', k, lang))} = "
        f"<code>{escape(_shown_parameter(k, v))}</code></li>"
        for k, v in ctx.parameters.items()
    )
    return HTML(
        f'<footer class="kpi-footer"><p>kpi-toolkit {escape(ctx.version)} · '
        f"{escape(label('report.generated', lang))} {escape(ctx.generated)}</p>"
        f"{input_list(ctx.inputs, lang=lang, ledger=ctx.ledger)}<ul>{params}</ul></footer>"
    )


def input_list(
    inputs: dict[str, tuple[str, str]], *, lang: Lang, ledger: pd.DataFrame | None = None
) -> str:
    """Each input file as a list item: its role in words, its file name and its SHA-256
    (not its folder: the page is shared, the hash identifies the file).

    A raw export's role (``records:<mapping>``) is named by the table it fills, found in
    the ``ledger`` (``source, table, ...``) when there is one.
    """
    tables: dict[str, str] = {}
    if ledger is not None and "table" in ledger:
        tables = dict(zip(ledger["source"], ledger["table"], strict=True))
    items = "".join(
        f"<li>{escape(_role(role, tables, lang))}: <code>{escape(_file_name(path))}</code> sha256 "
        f"<code>{escape(digest)}</code></li>"
        for role, (path, digest) in inputs.items()
    )
    return f"<ul>{items}</ul>"


PATH_PARAMETERS = frozenset(
    {"scheme", "data_dir", "sources", "records_dir", "corrections", "plans", "scenario"}
)


def _file_name(path: object) -> str:
    """The last part of a path, whichever the machine's separator (``C:\\d\\r.csv``)."""
    return PurePath(str(path).replace("\\", "/")).name or str(path)


def _shown_parameter(key: str, value: object) -> object:
    """A path parameter by its last part; any other as given."""
    return _file_name(value) if key in PATH_PARAMETERS and isinstance(value, str) else value


def _role(role: str, tables: dict[str, str], lang: Lang) -> str:
    """``roster`` → 花名册; ``records:sample_tickets`` → 原始记录 · 工单."""
    kind, _, source = role.partition(":")
    shown = name_of("input", kind, lang)
    return f"{shown} · {name_of('table', tables[source], lang)}" if source in tables else shown
