"""The 360 parts of a report: completeness of the ratings, rater leniency, self against
superior, and each person's breakdown by rater group.

The analyst's report shows who has not rated, how lenient each rater is and the full
breakdown; the scorecard handed to a person shows the breakdown through
:func:`~kpi_toolkit.engine.calibration.merged_for_employee`, so that no single colleague's
rating can be read off. Every word comes from :mod:`kpi_toolkit.labels`: rater groups and
KPIs by name, never by id.
"""

from __future__ import annotations

import pandas as pd

from ..engine.calibration import OTHERS, leniency, merged_for_employee, self_and_superior
from ..engine.scheme import Scheme
from ..labels import Lang, label, name_of
from .context import ReportContext
from .html import escape, section, table
from .navigation import people_table, teams_of

__all__ = [
    "breakdown",
    "breakdowns",
    "calibration",
    "completeness",
    "kpi_names",
    "own_against_superior",
]


def kpi_names(scheme: Scheme, lang: Lang) -> dict[str, str]:
    """KPI id → its name in ``lang`` (the first position to define it names it)."""
    names: dict[str, str] = {}
    for position in scheme.positions.values():
        for kpi in position.kpis:
            names.setdefault(kpi.id, kpi.name.get(lang))
    return names


def _labelled(frame: pd.DataFrame, prefix: str, lang: Lang) -> pd.DataFrame:
    """``frame`` with each column ``c`` headed by the label ``prefix.c``."""
    return frame.set_axis([label(f"{prefix}.{c}", lang) for c in frame.columns], axis=1)


def _heading(key: str, lang: Lang, level: int = 3) -> str:
    return f"<h{level}>{escape(label(key, lang))}</h{level}>"


def _note(key: str, lang: Lang, **values: object) -> str:
    return f'<p class="kpi-note">{escape(label(key, lang, **values))}</p>'


def completeness(ctx: ReportContext) -> str:
    """For the data-quality section: ratings assigned and returned, raters who returned
    nothing, and the ratings not given per ratee, KPI and rater group."""
    lang, done = ctx.lang, ctx.completeness
    if done is None:
        return "" if ctx.rater_values is None else _note("report.completeness.no_lines", lang)
    returned = int(done["rated"].sum())
    facts = pd.DataFrame(
        {
            "assigned": [len(done)],
            "returned": [returned],
            "missing": [len(done) - returned],
            "share": [f"{returned / len(done):.0%}" if len(done) else "—"],
        }
    )
    body = table(_labelled(facts, "report.completeness", lang), css="kpi-table kpi-completeness")
    body += _silent_raters(done, lang) + _gaps(ctx, done)
    return (
        f'<div class="kpi-ratings-completeness">{_heading("report.completeness", lang)}{body}</div>'
    )


def _silent_raters(done: pd.DataFrame, lang: Lang) -> str:
    per_rater = done.groupby(["rater_id", "rater_name"], as_index=False, sort=True).agg(
        returned=("rated", "sum"), assigned=("rated", "size")
    )
    silent = per_rater.loc[per_rater["returned"] == 0, ["rater_id", "rater_name", "assigned"]]
    heading = _heading("report.completeness.silent", lang, 4)
    if silent.empty:
        return heading + _note("report.completeness.none_silent", lang)
    shown = _labelled(silent, "report.completeness", lang)
    return heading + table(shown, css="kpi-table kpi-silent-raters")


def _gaps(ctx: ReportContext, done: pd.DataFrame) -> str:
    lang = ctx.lang
    keys = ["employee_id", "name", "kpi_id", "rater_group"]
    groups = done.groupby(keys, as_index=False, sort=False).agg(
        returned=("rated", "sum"), assigned=("rated", "size")
    )
    gaps = groups.loc[groups["returned"] < groups["assigned"]].copy()
    heading = _heading("report.completeness.gaps", lang, 4)
    if gaps.empty:
        return heading + _note("report.completeness.none_missing", lang)
    gaps["kpi_id"] = gaps["kpi_id"].map(kpi_names(ctx.scheme, lang))
    gaps["rater_group"] = [name_of("rater_group", g, lang) for g in gaps["rater_group"]]
    shown = _labelled(gaps, "report.completeness", lang)
    return heading + table(shown, css="kpi-table kpi-rating-gaps")


def calibration(ctx: ReportContext) -> str:
    """The analyst's section: each rater's leniency and self against superior ("" where
    the scheme rates nothing by 360)."""
    values = ctx.rater_values
    if values is None:
        return ""
    lang = ctx.lang
    body = _leniency(ctx, values) + _self_superior(ctx, values)
    return section(
        label("report.calibration", lang), body, css="kpi-calibration", anchor="calibration"
    )


def _leniency(ctx: ReportContext, values: pd.DataFrame) -> str:
    lang = ctx.lang
    shown = leniency(values)
    text = _heading("report.leniency", lang) + _note("report.leniency.explain", lang)
    if shown.empty:
        return text + _note("report.leniency.none", lang)
    shown.insert(1, "rater_name", shown["rater_id"].map(ctx.names()))
    shown["kpi_id"] = shown["kpi_id"].map(kpi_names(ctx.scheme, lang))
    labelled = _labelled(shown, "report.leniency", lang)
    teams = teams_of(ctx, shown["rater_id"])
    return text + people_table(labelled, teams=teams, ctx=ctx, css="kpi-leniency")


def _self_superior(ctx: ReportContext, values: pd.DataFrame) -> str:
    lang = ctx.lang
    pairs = self_and_superior(values)
    has_self = any("self" in p.raters for p in ctx.scheme.positions.values())
    if pairs.empty and not has_self:
        return ""
    text = _heading("report.self_superior", lang)
    if pairs.empty:
        return text + _note("report.self_superior.none", lang)
    pairs = pairs.sort_values("gap", ascending=False, na_position="last", kind="stable")
    pairs.insert(1, "name", pairs["employee_id"].map(ctx.names()))
    pairs["kpi_id"] = pairs["kpi_id"].map(kpi_names(ctx.scheme, lang))
    shown = _labelled(pairs, "report.self_superior", lang)
    teams = teams_of(ctx, pairs["employee_id"])
    return text + people_table(shown, teams=teams, ctx=ctx, css="kpi-self-superior")


def breakdown(ctx: ReportContext, rows: pd.DataFrame | None, *, for_employee: bool) -> str:
    """One person's 360 breakdown by rater group, KPIs and groups by name.

    ``for_employee``: through :func:`merged_for_employee` (groups of one colleague merged
    into 其他评价人, a lone rating hidden), with a note saying so.
    """
    if rows is None or rows.empty:
        return ""
    lang = ctx.lang
    shown = merged_for_employee(rows) if for_employee else rows
    merged = for_employee and bool((shown["rater_group"] == OTHERS).any())
    note = _note("report.360.merged", lang) if merged else ""
    return _heading("report.360", lang, 4) + table(_named(ctx, shown), css=BREAKDOWN_CSS) + note


def breakdowns(ctx: ReportContext, ratings: pd.DataFrame | None) -> dict[str, str]:
    """Everyone's :func:`breakdown` as the analyst sees it, by employee id: the names
    looked up once for the whole table (the department report's scorecards)."""
    if ratings is None or ratings.empty:
        return {}
    shown = _named(ctx, ratings)
    columns = {c: list(shown[c]) for c in shown.columns}
    heading = _heading("report.360", ctx.lang, 4)
    found = {}
    for employee, places in ratings.groupby("employee_id", sort=False).indices.items():
        mine = {c: [values[i] for i in places] for c, values in columns.items()}
        found[str(employee)] = heading + table(mine, css=BREAKDOWN_CSS)
    return found


BREAKDOWN_CSS = "kpi-table kpi-360"
BREAKDOWN_COLUMNS = ["kpi_id", "rater_group", "raters", "mean", "weight", "used_weight"]


def _named(ctx: ReportContext, rows: pd.DataFrame) -> pd.DataFrame:
    """The breakdown's columns, KPIs and rater groups by name, headed by their labels."""
    lang = ctx.lang
    shown = rows[BREAKDOWN_COLUMNS].assign(
        kpi_id=rows["kpi_id"].map(kpi_names(ctx.scheme, lang)),
        rater_group=[name_of("rater_group", g, lang) for g in rows["rater_group"]],
    )
    return _labelled(shown, "report.360", lang)


def own_against_superior(ctx: ReportContext, values: pd.DataFrame | None) -> str:
    """One person's self ratings beside the superior's, with the gap ("" without any)."""
    if values is None or not values["rater_group"].eq("self").any():
        return ""  # no self-appraisal: nothing to set beside the superior's
    pairs = self_and_superior(values)
    if pairs is None or pairs.empty:
        return ""
    lang = ctx.lang
    pairs = pairs.drop(columns="employee_id")
    pairs["kpi_id"] = pairs["kpi_id"].map(kpi_names(ctx.scheme, lang))
    shown = _labelled(pairs, "report.self_superior", lang)
    return _heading("report.self_superior", lang, 4) + table(
        shown, css="kpi-table kpi-self-superior"
    )
