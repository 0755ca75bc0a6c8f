"""The KPI section: per position, each KPI's weight, target, mean actual and points, its
attainment and share at full marks, the breakdowns by group, and two charts (attainment
bars and the spread of points across people)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

from ..engine.scheme import Kpi, Position
from ..labels import Lang, label
from .breakdown import kpi_breakdowns
from .charts import bar_chart, box_chart, png, use_cjk_font
from .context import ReportContext
from .fragment import html_section, labelled
from .html import escape, table
from .kpi_text import kpi_target, kpi_value

__all__ = ["ATTAINMENT_COLUMNS", "attainment", "positions_of"]


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
    for position in positions_of(ctx):
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
        body += kpi_breakdowns(position, actuals, lang=lang, value_text=kpi_value)
        body += _attainment_charts(ctx, position, people, shares)
    if ctx.team is None and ctx.scores["team"].nunique() > 1:
        body += f'<p class="kpi-caption">{escape(label("chart.whole_department", lang))}</p>'
    return html_section(label("report.kpis", lang), body, anchor="kpis")


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
        kpi_target(kpi),
        kpi_value(kpi, float(np.nanmean(values)) if values.notna().any() else np.nan),
        points.mean(),
        f"{points.mean() / kpi.weight:.0%}",
        f"{(points >= kpi.weight - 1e-9).mean():.0%}",
    )


def positions_of(ctx: ReportContext) -> list[Position]:
    """The scheme's positions that someone in the report holds, in the scheme's order."""
    present = set(ctx.scores["position"])
    return [p for pid, p in ctx.scheme.positions.items() if pid in present]
