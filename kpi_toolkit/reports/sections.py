"""The sections of an appraisal report, each an HTML fragment built from a ReportContext.

Every text that comes from user data (names, teams, reasons, labels from the scheme) goes
through :func:`html.escape`; charts are embedded as PNG ``data:`` URIs, so the page needs
nothing from the network. The notebooks display these fragments; tests read them as text.
"""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML

from ..engine.grading import team_ranking
from ..engine.scheme import Kpi, Position
from ..labels import Lang, label
from .charts import bar_chart, box_chart, grade_distribution_chart, use_cjk_font
from .context import ReportContext

__all__ = [
    "approval",
    "attainment",
    "change",
    "data_quality",
    "footer",
    "ranking",
    "scorecard",
    "scorecards",
    "sensitivity",
    "summary",
    "teams",
    "title",
    "what_if",
]


def _e(value: object) -> str:
    return escape("" if value is None or value is pd.NA else str(value))


def _fmt(value: object, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float | np.floating) else _e(value)


def _table(frame: pd.DataFrame, *, css: str = "kpi-table", digits: int = 2) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_fmt(v, digits)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _labelled(rows: list[tuple], keys: tuple[str, ...], lang: Lang) -> pd.DataFrame:
    """A table of ``rows`` whose column headers are the labels of ``keys``."""
    return pd.DataFrame(rows, columns=[label(k, lang) for k in keys])


def _section(heading: str, body: str, *, css: str = "") -> HTML:
    return HTML(f'<section class="kpi-section {css}"><h2>{_e(heading)}</h2>{body}</section>')


def _png(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="kpi-chart" alt="" src="data:image/png;base64,{data}">'


def _grade_label(ctx: ReportContext, grade_id: str) -> str:
    return next(g.name.get(ctx.lang) for g in ctx.scheme.grades if g.id == grade_id)


def title(ctx: ReportContext, *, heading: str | None = None) -> HTML:
    """The report's title block: scheme, period, team."""
    lang = ctx.lang
    main = heading or label("report.title", lang)
    parts = [ctx.scheme.name.get(lang), f"{label('period', lang)} {ctx.appraisal.period}"]
    if ctx.team:
        parts.append(f"{label('team', lang)} {ctx.team}")
    line = " · ".join(_e(p) for p in parts)
    return HTML(f'<header class="kpi-title"><h1>{_e(main)}</h1><p>{line}</p></header>')


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
    use_cjk_font()
    chart = grade_distribution_chart(
        counts.set_index("grade_id")[["count"]],
        labels={g.id: g.name.get(lang) for g in ctx.scheme.grades},
        title=label("report.grade_distribution", lang),
        ylabel=label("headcount", lang),
    )
    body = _table(facts) + _png(chart) + _table(_distribution_table(ctx, counts))
    if len(ctx.excluded):
        reasons = ctx.excluded.groupby("reason", sort=False).size().reset_index()
        reasons.columns = [label("reason", lang), label("headcount", lang)]
        body += f"<h3>{_e(label('not_appraised', lang))}</h3>" + _table(reasons)
    return _section(label("report.summary", lang), body)


def _grade_counts(ctx: ReportContext) -> pd.DataFrame:
    order = [g.id for g in ctx.scheme.grade_order()]
    counts = ctx.scores["grade_id"].value_counts().reindex(order, fill_value=0)
    return pd.DataFrame({"grade_id": order, "count": counts.to_numpy()})


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
    return _labelled(rows, keys, lang)


def _holds(ctx: ReportContext, grade_id: str) -> str:
    checks = ctx.appraisal.distribution
    mine = checks.loc[checks["grade_id"] == grade_id, "ok"] if len(checks) else checks
    return "" if not len(mine) else ("✓" if mine.all() else "✗")


def teams(ctx: ReportContext) -> HTML:
    """Organisational appraisal: each team's mean total, grade and rank."""
    lang = ctx.lang
    table = team_ranking(ctx.appraisal.scores, scheme=ctx.scheme, lang=lang)
    table = table.rename(columns={"rank": "team_rank"})
    table.columns = [label(c, lang) for c in table.columns]
    return _section(label("team_ranking", lang), _table(table))


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
        table = _labelled(rows, ATTAINMENT_COLUMNS, lang)
        shares = pd.DataFrame(
            {
                "kpi": [k.name.get(lang) for k in position.kpis],
                "share": [people[k.id].mean() / k.weight for k in position.kpis],
            }
        )
        use_cjk_font()
        chart = bar_chart(
            shares,
            x="kpi",
            y="share",
            title=label("report.attainment", lang),
            xlabel="",
            ylabel="",
            horizontal=True,
            value_format="{:.0%}",
        )
        spread = box_chart(
            {k.name.get(lang): people[k.id] / k.weight for k in position.kpis},
            title=label("report.points_distribution", lang),
        )
        body += (
            f"<h3>{_e(position.name.get(lang))}</h3>" + _table(table) + _png(chart) + _png(spread)
        )
    return _section(label("report.kpis", lang), body)


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
    table = ctx.scores[columns].copy()
    names = {pid: p.name.get(lang) for pid, p in ctx.scheme.positions.items()}
    table["position"] = table["position"].map(names)
    table.columns = [label(c, lang) for c in columns]
    return _section(label("report.ranking", lang), _table(table))


def _rows_table(header: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="kpi-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _card_rows(ctx: ReportContext, position: Position) -> list[tuple[str, Kpi | None, object]]:
    """The rows of a position's scorecard: (category name, KPI or None for the subtotal,
    the KPI's rule in words or the category)."""
    lang, rows = ctx.lang, []
    for category_id, category in position.categories.items():
        for kpi in (k for k in position.kpis if k.category == category_id):
            rule = kpi.rule.describe(weight=kpi.weight, target=kpi.target, lang=lang)
            rows.append((category.name.get(lang), kpi, rule))
        rows.append((category.name.get(lang), None, (category_id, category)))
    return rows


def scorecard(ctx: ReportContext, employee_id: str, *, _cache: dict | None = None) -> str:
    """One person's scorecard: each KPI's actual, target, rule in words, points of weight."""
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
                    f"{person[category_id]:.2f} / {category.points:g}",
                )
            )
            continue
        value = actual.get(kpi.id, np.nan)
        rows.append(
            (
                category_name,
                kpi.name.get(lang),
                _actual(kpi, float(value)),
                _target(kpi),
                extra,
                f"{person[kpi.id]:.2f} / {kpi.weight:g}",
            )
        )
    header = [
        label(c, lang)
        for c in ("report.category", "kpi", "actual", "target", "report.rule", "points")
    ]
    head = (
        f"<h3>{_e(person['name'])} <small>{_e(employee_id)} · {_e(person['team'])} · "
        f"{_e(position.name.get(lang))}</small></h3>"
        f'<p class="kpi-total">{_e(label("total", lang))} <b>{person["total"]:.2f}</b> · '
        f"{_e(label('grade', lang))} <b>{_e(person['grade'])}</b> · "
        f"{_e(label('rank', lang))} {_e(person['rank'])}</p>"
    )
    notes = f'<p class="kpi-flags">{_e(person["flags"])}</p>' if person["flags"] else ""
    table = _rows_table(header, rows)
    return f'<div class="kpi-card">{head}{table}{_raters(ctx, employee_id, cache)}{notes}</div>'


def _card_cache(ctx: ReportContext) -> dict:
    """What every scorecard looks up, indexed once."""
    ratings = ctx.appraisal.ratings
    return {
        "people": ctx.appraisal.scores.set_index("employee_id").to_dict("index"),
        "actuals": ctx.appraisal.actuals.set_index("employee_id").to_dict("index"),
        "layout": {pid: _card_rows(ctx, p) for pid, p in ctx.scheme.positions.items()},
        "ratings": {} if ratings is None else dict(tuple(ratings.groupby("employee_id"))),
    }


def _raters(ctx: ReportContext, employee_id: str, cache: dict) -> str:
    mine = cache["ratings"].get(employee_id)
    if mine is None:
        return ""
    lang = ctx.lang
    names = {k.id: k.name.get(lang) for p in ctx.scheme.positions.values() for k in p.kpis}
    columns = ["kpi_id", "rater_group", "raters", "mean", "weight", "used_weight"]
    rows = [
        (names.get(k, k), g, r, f"{m:.2f}", f"{w:.2f}", f"{u:.2f}")
        for k, g, r, m, w, u in mine[columns].itertuples(index=False)
    ]
    header = [label(f"report.360.{c}", lang) for c in columns]
    return f"<h4>{_e(label('report.360', lang))}</h4>" + _rows_table(header, rows)


def scorecards(ctx: ReportContext) -> HTML:
    """A scorecard for everyone in the report."""
    cache = _card_cache(ctx)
    cards = "".join(scorecard(ctx, e, _cache=cache) for e in ctx.scores["employee_id"])
    return _section(label("report.scorecards", ctx.lang), cards)


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
        table = weight_sensitivity(shares, position=position.id, delta=delta)
        table = table[[c for c in SENSITIVITY_COLUMNS if c != "kpi_id"]]
        table.columns = [label(f"report.sensitivity.{c}", lang) for c in table.columns]
        body += f"<h3>{_e(position.name.get(lang))}</h3>" + _table(table, digits=1)
    note = f"<p>{_e(label('report.sensitivity.explain', lang, delta=f'{delta:g}'))}</p>"
    return _section(label("report.sensitivity", lang), note + body)


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
            label("report.change", lang), f"<p>{_e(label('report.no_previous', lang))}</p>"
        )
    before = ctx.previous.scores[["employee_id", "total", "grade"]]
    merged = ctx.scores[["employee_id", "name", "total", "grade"]].merge(
        before, on="employee_id", how="left", suffixes=("", "_before")
    )
    merged["delta"] = merged["total"] - merged["total_before"]
    merged = merged.sort_values("delta", ascending=False, na_position="last")
    table = merged[
        ["employee_id", "name", "total_before", "grade_before", "total", "grade", "delta"]
    ]
    table.columns = [label(c, lang) for c in CHANGE_COLUMNS]
    heading = f"{label('report.change', lang)} ({ctx.previous.period} → {ctx.appraisal.period})"
    return _section(heading, _table(table))


def data_quality(ctx: ReportContext) -> HTML:
    """Inputs read and what was not used, with reasons (and the raw-record ledger if any)."""
    lang = ctx.lang
    actuals = ctx.appraisal.actuals
    facts = pd.DataFrame(
        {
            label("report.rows_scored", lang): [len(actuals)],
            label("report.excluded", lang): [len(ctx.excluded)],
        }
    )
    body = _table(facts)
    if len(ctx.excluded):
        table = ctx.excluded[["employee_id", "name", "position", "team", "reason"]].copy()
        names = {pid: p.name.get(lang) for pid, p in ctx.scheme.positions.items()}
        table["position"] = table["position"].map(lambda p: names.get(p, p))
        table.columns = [label(c, lang) for c in table.columns]
        body += _table(table)
    ledger = ctx.ledger
    if ledger is not None and len(ledger):
        shown = ledger.assign(file=ledger["file"].map(lambda f: Path(str(f)).name))
        shown = shown[["source", "file", "label", "rows"]]
        shown.columns = [label(f"report.ledger.{c}", lang) for c in shown.columns]
        body += f"<h3>{_e(label('report.ledger', lang))}</h3>" + _table(shown)
    return _section(label("report.data_quality", lang), body)


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
        (label(f"report.{role}", lang), who, when)
        for role, who, when in (
            ("prepared_by", prepared_by, prepared_on),
            ("reviewed_by", reviewed_by, reviewed_on),
            ("approved_by", approved_by, approved_on),
        )
    ]
    table = pd.DataFrame(rows, columns=["", label("name", lang), label("report.date", lang)])
    return _section(label("report.approval", lang), _table(table, css="kpi-table kpi-approval"))


def footer(ctx: ReportContext) -> HTML:
    """Provenance: toolkit version, each input's path and SHA-256, the parameters."""
    lang = ctx.lang
    files = "".join(
        f"<li>{_e(role)}: <code>{_e(path)}</code> sha256 <code>{_e(digest)}</code></li>"
        for role, (path, digest) in ctx.inputs.items()
    )
    params = "".join(f"<li>{_e(k)} = <code>{_e(v)}</code></li>" for k, v in ctx.parameters.items())
    return HTML(
        f'<footer class="kpi-footer"><p>kpi-toolkit {_e(ctx.version)} · '
        f"{_e(label('report.generated', lang))} {_e(ctx.generated)}</p>"
        f"<ul>{files}</ul><ul>{params}</ul></footer>"
    )
