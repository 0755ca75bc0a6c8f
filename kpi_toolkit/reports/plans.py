"""The work-objective plans in a report: what was planned, approved and adjusted.

The department report counts the plans filed, approved in time and adjusted, and lists the
period's plans and adjustments with their status (in force, replaced, approved after the
period and so not counted). Each scorecard shows, for the KPIs a plan set, the target used
and where it came from (the scheme, the plan or an adjustment; approved by whom and when),
and the person's adjustments of the period, the late ones included. Every word comes from
:mod:`kpi_toolkit.labels`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

from ..engine.scheme import Kpi
from ..labels import Lang, label
from .context import ReportContext
from .html import escape, section, table
from .navigation import people_table, teams_of
from .ratings import kpi_names

__all__ = ["card_plans", "person_plans", "plans"]

LOG_SHOWN = (
    "employee_id",
    "name",
    "kpi_id",
    "kind",
    "target",
    "weight",
    "adjusted_on",
    "reason",
    "approved_by",
    "approved_on",
    "status",
)


def _log(ctx: ReportContext) -> pd.DataFrame | None:
    """The period's plan log, of the people in the report."""
    log = ctx.appraisal.plan_log
    if log is None or ctx.team is None:
        return log
    people = ctx.roster if ctx.roster is not None else ctx.appraisal.scores
    members = people.loc[people["team"] == ctx.team, "employee_id"]
    return log.loc[log["employee_id"].isin(members)]


def _note(key: str, lang: Lang, **values: object) -> str:
    return f'<p class="kpi-note">{escape(label(key, lang, **values))}</p>'


def plans(ctx: ReportContext) -> HTML:
    """The department's plans: counts filed, approved and adjusted; the period's log.

    Nothing where no plans table was given.
    """
    log = _log(ctx)
    if log is None:
        return HTML("")
    lang = ctx.lang
    body = _note("report.plans.explain", lang)
    if log.empty:
        body += _note("report.plans.none", lang)
    else:
        body += table(_counts(log, lang), css="kpi-table kpi-plan-counts")
        body += f"<h3>{escape(label('report.plans.log', lang))}</h3>"
        teams = teams_of(ctx, log["employee_id"])
        body += people_table(_shown_log(ctx, log), teams=teams, ctx=ctx, css="kpi-plan-log")
    return HTML(section(label("report.plans", lang), body, css="kpi-plans", anchor="plans"))


def _counts(log: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    first = log.loc[log["kind"] == "plan"]
    adjusted = log.loc[(log["kind"] == "adjustment") & (log["status"] != "late")]
    counts = {
        "filed": first["employee_id"].nunique(),
        "approved": first.loc[first["status"] != "late", "employee_id"].nunique(),
        "adjusted": adjusted["employee_id"].nunique(),
        "adjustments": len(adjusted),
        "late": int((log["status"] == "late").sum()),
        "personal": int(((log["status"] == "in_force") & log["target"].notna()).sum()),
    }
    return pd.DataFrame({label(f"report.plans.{k}", lang): [v] for k, v in counts.items()})


def _shown_log(
    ctx: ReportContext, log: pd.DataFrame, *, for_employee: bool = False
) -> pd.DataFrame:
    lang, names = ctx.lang, _approvers(ctx, for_employee=for_employee)
    shown = log.assign(
        name=log["employee_id"].map(ctx.names()),
        target=[_value(ctx, e, k, t) for e, k, t in zip(*_cols(log, "target"), strict=True)],
        weight=log["weight"].map(lambda w: "" if pd.isna(w) else f"{w:g}"),
        kpi_id=log["kpi_id"].map(kpi_names(ctx.scheme, lang)),
        kind=[label(f"plan.kind.{k}", lang) for k in log["kind"]],
        status=[label(f"plan.status.{s}", lang) for s in log["status"]],
        approved_by=[_who(w, names) for w in log["approved_by"]],
        approved_on=_day(log["approved_on"]),
        adjusted_on=_day(log["adjusted_on"]),
    )[list(LOG_SHOWN)]
    return shown.set_axis([label(f"report.plans.col.{c}", lang) for c in LOG_SHOWN], axis=1)


def _cols(log: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    return log["employee_id"], log["kpi_id"], log[column]


def _day(dates: pd.Series) -> list[str]:
    return ["" if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d") for d in dates]


def _who(approver: str, names: dict[str, str]) -> str:
    """An approver by name where the id is the roster's, else as written."""
    return names.get(approver, approver)


def _approvers(ctx: ReportContext, *, for_employee: bool) -> dict[str, str]:
    """How approvers are shown: by name and id; on the card handed to a person, whose
    approvals the roster's reporting lines have checked, as 直接上级 (no one else named)."""
    roster = ctx.roster
    if for_employee and roster is not None and "manager_id" in roster:
        superior = label("rater_group.superior", ctx.lang)
        ids = roster["manager_id"].loc[roster["manager_id"] != ""]
        names = roster.set_index("employee_id")["name"]
        return {
            **{i: superior for i in ids},
            **{str(names.get(i, i)): superior for i in ids},
        }
    return {e: f"{n} ({e})" for e, n in ctx.names().items()}


def _kpi(ctx: ReportContext, employee_id: str, kpi_id: str) -> Kpi | None:
    people = ctx.roster if ctx.roster is not None else ctx.appraisal.scores
    positions = dict(zip(people["employee_id"], people["position"], strict=True))
    position = ctx.scheme.positions.get(positions.get(employee_id, ""))
    return next((k for k in position.kpis if k.id == kpi_id), None) if position else None


def _value(ctx: ReportContext, employee_id: str, kpi_id: str, value: float) -> str:
    from .kpi_text import kpi_value  # the one way a KPI's value is written

    kpi = _kpi(ctx, employee_id, kpi_id)
    if value is None or np.isnan(value):
        return ""
    return kpi_value(kpi, float(value)) if kpi is not None else f"{value:g}"


def card_plans(ctx: ReportContext) -> dict[tuple[str, str], tuple[str | None, float | None]]:
    """(employee, KPI) → (the planned target as written, the planned weight) in force, for
    the scorecards' target and weight columns."""
    used = ctx.appraisal.plans
    if used is None:
        return {}
    return {
        (e, k): (
            None if pd.isna(t) else _value(ctx, e, k, t),
            None if pd.isna(w) else float(w),
        )
        for e, k, t, w in zip(
            used["employee_id"], used["kpi_id"], used["target"], used["weight"], strict=True
        )
    }


def person_plans(ctx: ReportContext, employee_id: str, *, for_employee: bool = False) -> str:
    """One person's planned targets (used, from where, approved by whom and when) and the
    period's plan log ("" where the person filed no plan for the period).

    ``for_employee``: the card handed to the person, naming the approver 直接上级."""
    log = ctx.appraisal.plan_log
    mine = None if log is None else log.loc[log["employee_id"] == employee_id]
    if mine is None or mine.empty:
        return ""
    lang = ctx.lang
    used = _used(ctx, employee_id, mine, for_employee=for_employee)
    rows = _shown_log(ctx, mine, for_employee=for_employee).drop(
        columns=[label(f"report.plans.col.{c}", lang) for c in ("employee_id", "name")]
    )
    return (
        f"<h4>{escape(label('report.plans.person', lang))}</h4>"
        + table(used, css="kpi-table kpi-plan-targets")
        + _note("report.plans.others", lang)
        + f"<h4>{escape(label('report.plans.log', lang))}</h4>"
        + table(rows, css="kpi-table kpi-plan-log")
    )


def _used(
    ctx: ReportContext, employee_id: str, mine: pd.DataFrame, *, for_employee: bool
) -> pd.DataFrame:
    """Per KPI the person planned: the scheme's target, the target used, where it came from."""
    from .kpi_text import kpi_target

    lang, names = ctx.lang, _approvers(ctx, for_employee=for_employee)
    rows = []
    for kpi_id in dict.fromkeys(mine["kpi_id"]):
        kpi = _kpi(ctx, employee_id, kpi_id)
        scheme = kpi_target(kpi) if kpi is not None else ""
        force = mine.loc[(mine["kpi_id"] == kpi_id) & (mine["status"] == "in_force")]
        if force.empty or pd.isna(force["target"].iloc[0]):
            used, source, who, when = scheme, label("plan.source.scheme", lang), "", ""
        else:
            row = force.iloc[0]
            used = _value(ctx, employee_id, kpi_id, row["target"])
            source = label(f"plan.source.{row['kind']}", lang)
            who, when = _who(row["approved_by"], names), _day(force["approved_on"])[0]
        name = kpi.name.get(lang) if kpi is not None else kpi_id
        rows.append((name, scheme, used, source, who, when))
    keys = ("kpi", "scheme_target", "target_used", "source", "approved_by", "approved_on")
    return pd.DataFrame(rows, columns=[label(f"report.plans.col.{k}", lang) for k in keys])
