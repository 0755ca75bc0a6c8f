"""Work-objective plans (《工作目标计划表》, seed §4 第13–14条): per-person targets and weights.

Each person files a plan for the period, approved by the direct superior and filed with HR;
an adjustment during the period is approved the same way. A plans table holds
``employee_id, period, kpi_id, target, approved_by, approved_on`` with optional ``weight,
adjusted_on, reason, note`` (Chinese headers accepted: :data:`HEADERS`).

The first row for a person, period and KPI is the plan (it has no ``adjusted_on``); later
rows with ``adjusted_on`` are adjustments. The row *in force* for a period is the latest
(by ``adjusted_on``, the plan first, then by file row) of the rows approved no later than
the period's last day; an adjustment approved after the period does not count for it and
is listed as approved late. A blank ``target`` (or ``weight``) in the row in force means the
scheme's. Every check collects its problems and raises once, each naming the file row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, did_you_mean
from ..labels import Lang, label
from ..periods import Period, parse_period
from .inputs import (
    ROW,
    canonical_periods,
    contained,
    converted,
    file_of,
    listed,
    numbered,
    require_columns,
    text_of,
    unknown_employees,
)
from .scheme import Kpi, Position, Scheme

__all__ = [
    "HEADERS",
    "LOG_COLUMNS",
    "PLAN_COLUMNS",
    "check_plans",
    "in_force",
    "personal_columns",
    "plan_flags",
    "plan_log",
    "plans_for",
]

PLAN_COLUMNS = ("employee_id", "period", "kpi_id", "target", "approved_by", "approved_on")
OPTIONAL_COLUMNS = ("weight", "adjusted_on", "reason", "note")
# The plan form's Chinese headers (and the roster's 工号) → the table's columns.
HEADERS = {
    "员工编号": "employee_id",
    "工号": "employee_id",
    "考核周期": "period",
    "指标": "kpi_id",
    "目标值": "target",
    "批准人": "approved_by",
    "批准日期": "approved_on",
    "权重": "weight",
    "调整日期": "adjusted_on",
    "调整原因": "reason",
    "备注": "note",
}
LOG_COLUMNS = (
    "employee_id",
    "period",
    "kpi_id",
    "kind",
    "target",
    "weight",
    "adjusted_on",
    "approved_by",
    "approved_on",
    "reason",
    "note",
    "status",
    ROW,
)
# Why a rule kind reads no target, for the message refusing a personal target on it.
NO_TARGET = {
    "bands": "bands with fixed edges",
    "deduct_per_unit": "a deduction per occurrence beyond a fixed allowance",
    "threshold": "a fixed min or max",
    "scale": "a rating scale",
    "manual": "the superior's points",
}


def _renamed(raw: pd.DataFrame) -> pd.DataFrame:
    frame = raw.rename(columns=lambda c: HEADERS.get(str(c).strip(), str(c).strip()))
    frame.attrs = dict(raw.attrs)
    return frame


def _kpi_ids(position: Position) -> dict[str, str]:
    """A position's KPIs by id and by name (Chinese and English) → id."""
    names = {k.name.zh: k.id for k in position.kpis}
    names |= {k.name.en: k.id for k in position.kpis if k.name.en}
    return names | {k.id: k.id for k in position.kpis}


def plans_for(plans: pd.DataFrame, *, scheme: Scheme, roster: pd.DataFrame) -> pd.DataFrame:
    """The rows of a plans table that are the scheme's.

    One table (a data directory's ``plans.csv``) holds the plans under every scheme of the
    department. A row is another scheme's when its person holds a position the scheme does
    not appraise, when its period is not of that position's grain, or when its KPI is none
    of the scheme's (by id or name, or close to one: a misspelling stays and is refused).
    Rows of people not in the roster stay, to be refused. Row numbers are kept.

    >>> from kpi_toolkit.engine import builtin_scheme
    >>> roster = pd.DataFrame({"employee_id": ["E1", "E2"], "position": ["specialist",
    ...                                                                 "department_head"]})
    >>> table = pd.DataFrame({"employee_id": ["E1", "E1", "E2"], "period": "2026-Q3",
    ...     "kpi_id": ["csat", "plm_usage_rate", "csat"], "target": 0.9})
    >>> plans_for(table, scheme=builtin_scheme("after_sales_team"), roster=roster)["_row"].tolist()
    [2]
    """
    frame = numbered(_renamed(plans))
    if not {"employee_id", "kpi_id", "period"} <= set(frame.columns):
        return frame  # refused where it is checked, naming the missing column
    ids = text_of(frame, "employee_id")
    position = ids.map(dict(zip(roster["employee_id"], roster["position"], strict=True)))
    grain = position.map({pid: p.period for pid, p in scheme.positions.items()})
    period, _ = canonical_periods(frame)
    row_grain = period.map({p: parse_period(p).grain for p in period.dropna().unique()})
    of_grain = row_grain.isna() | grain.isna() | (row_grain == grain)
    known = set(scheme.kpi_ids()) | {n for p in scheme.positions.values() for n in _kpi_ids(p)}
    kpi = text_of(frame, "kpi_id")
    ours = kpi.map({k: k in known or bool(did_you_mean(k, known)) for k in kpi.unique()})
    keep = position.isna() & ~contained(ids, roster["employee_id"])
    keep |= position.isin(list(scheme.positions)) & ours.astype(bool) & of_grain
    out = frame.loc[keep.to_numpy(dtype=bool)]
    out.attrs = dict(plans.attrs)
    return out


def check_plans(raw: pd.DataFrame, *, scheme: Scheme, roster: pd.DataFrame) -> pd.DataFrame:
    """Check a plans table (the scheme's rows, see :func:`plans_for`) against the scheme and
    a checked roster; return it typed, with ``kind`` (``plan`` or ``adjustment``).

    Refused, each with its row: a person not in the roster; a period that is not one; a KPI
    not in the person's position; a target not a number, outside its kind's domain (a ratio
    above 1), or on a rule that reads no target; a weight not above 0; a row without
    ``approved_by``/``approved_on``; an approval dated before the adjustment it approves; an
    approver who is not the person's direct superior (where the roster has ``manager_id``);
    an adjustment dated outside its period, or with no plan before it; a second plan; plan
    weights that no longer add up to a category's points.
    """
    frame = _renamed(raw)
    require_columns(frame, PLAN_COLUMNS, what="plans table")
    frame = numbered(frame)
    for column in (*PLAN_COLUMNS, *OPTIONAL_COLUMNS):
        frame[column] = text_of(frame, column) if column in frame else ""
    problems = unknown_employees(frame, roster)
    frame["period"], found = canonical_periods(frame)
    problems += found
    frame["_position"] = frame["employee_id"].map(
        dict(zip(roster["employee_id"], roster["position"], strict=True))
    )
    problems += _check_order(frame)
    problems += _check_kpis(frame, scheme)
    problems += _check_numbers(frame)
    problems += _check_approvals(frame, roster)
    if not problems:
        problems += _check_weights(frame, scheme)
    if problems:
        raise DataError(problems, title=f"{file_of(raw) or 'plans'}: {len(problems)} problem(s)")
    return frame.drop(columns=["_position", "_kpi"])


def _kpi_of(frame: pd.DataFrame, scheme: Scheme) -> list[Kpi | None]:
    """Each row's KPI in the person's position (``None`` where it has no such KPI)."""
    found: list[Kpi | None] = []
    for pid, kpi in zip(frame["_position"], frame["kpi_id"], strict=True):
        position = scheme.positions.get(pid) if isinstance(pid, str) else None
        kpi_id = _kpi_ids(position).get(kpi) if position else None
        found.append(position.kpi(kpi_id) if position and kpi_id else None)
    return found


def _check_kpis(frame: pd.DataFrame, scheme: Scheme) -> list[Problem]:
    kpis = _kpi_of(frame, scheme)
    frame["kpi_id"] = [k.id if k else text for k, text in zip(kpis, frame["kpi_id"], strict=True)]
    frame["_kpi"] = pd.Series(kpis, index=frame.index, dtype=object)
    known = frame["_position"].isin(list(scheme.positions))
    shown = dict.fromkeys(p for p in frame["_position"] if p in scheme.positions)
    problems = listed(
        frame,
        known & frame["_kpi"].isna(),
        column="kpi_id",
        message="not a KPI of the person's position",
        allowed="; ".join(
            f"{p}: {', '.join(k.id for k in scheme.positions[p].kpis)}" for p in shown
        ),
    )
    problems += listed(
        frame,
        frame["_position"].notna() & ~known,
        column="employee_id",
        message=f"the person's position is not appraised under scheme {scheme.id}",
        allowed=", ".join(scheme.positions),
    )
    return problems


def _check_numbers(frame: pd.DataFrame) -> list[Problem]:
    """Targets within their KPI's domain and on a rule that reads one; weights above 0."""
    problems = listed(
        frame,
        (frame["target"] == "") & (frame["weight"] == "") & frame["_kpi"].notna(),
        column="target",
        message="the row plans nothing",
        allowed="a target, or a weight, or both",
    )
    targets = np.full(len(frame), np.nan)
    planned = frame.loc[frame["_kpi"].notna()]
    for _, rows in planned.groupby(["_position", "kpi_id"], sort=False):
        kpi: Kpi = rows["_kpi"].iloc[0]
        numbers, faults = converted(rows["target"], kpi)
        targets[frame.index.get_indexer(rows.index)] = numbers
        for bad, message, allowed in faults:
            problems += listed(rows, bad, column="target", message=message, allowed=allowed)
        problems += _no_target(rows, kpi)
    frame["target"] = targets
    weights = pd.to_numeric(frame["weight"].where(frame["weight"] != ""), errors="coerce")
    problems += listed(
        frame,
        (frame["weight"] != "") & ~(weights > 0),
        column="weight",
        message="not a weight",
        allowed="a number above 0 (blank: the scheme's weight)",
    )
    frame["weight"] = weights.to_numpy(dtype=float)
    return problems


def _no_target(rows: pd.DataFrame, kpi: Kpi) -> list[Problem]:
    """A target planned for a KPI whose rule reads none: say so, naming the rule kind."""
    if kpi.rule.target_of(kpi.target) is not None:
        return []
    kind = str(getattr(kpi.rule, "kind", type(kpi.rule).__name__))
    why = NO_TARGET.get(kind, "its definition reads none")
    return listed(
        rows,
        rows["target"] != "",
        column="target",
        message=f"the rule of {kpi.id} ({kind}: {why}) has no target, so a personal target "
        "cannot change its points",
        allowed="a blank target (a planned weight alone is allowed)",
    )


def _dates(text: pd.Series) -> pd.Series:
    """Dates as written in China or by Excel (2026-07-15, 2026/7/15, 2026年7月15日)."""
    cleaned = text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    parsed = pd.to_datetime(cleaned.where(cleaned != ""), errors="coerce", format="mixed")
    return parsed.dt.normalize()


def _days(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its date columns as text, for messages."""
    return frame.assign(
        **{c: frame[c].dt.strftime("%Y-%m-%d") for c in ("approved_on", "adjusted_on")}
    )


def _check_approvals(frame: pd.DataFrame, roster: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    for column in ("approved_by", "approved_on"):
        problems += listed(
            frame,
            frame[column] == "",
            column=column,
            message="no approval: a plan or an adjustment counts once approved",
            allowed="who approved it (the direct superior) and the date",
        )
    for column in ("approved_on", "adjusted_on"):
        dates = _dates(frame[column])
        problems += listed(
            frame,
            dates.isna() & (frame[column] != ""),
            column=column,
            message="not a date",
            allowed="a date like 2026-07-15",
        )
        frame[column] = dates
    problems += listed(
        _days(frame),
        frame["approved_on"] < frame["adjusted_on"],
        column="approved_on",
        message="approved before the adjustment it approves",
        allowed="a date on or after adjusted_on",
    )
    return problems + _check_in_period(frame) + _check_approvers(frame, roster)


def _check_in_period(frame: pd.DataFrame) -> list[Problem]:
    bounds = {p: parse_period(p) for p in frame["period"].dropna().unique()}
    start = pd.to_datetime(frame["period"].map({p: b.start for p, b in bounds.items()}))
    end = pd.to_datetime(frame["period"].map({p: b.end for p, b in bounds.items()}))
    outside = (frame["adjusted_on"] < start) | (frame["adjusted_on"] > end)
    return listed(
        _days(frame),
        outside,
        column="adjusted_on",
        message="an adjustment dated outside its period",
        allowed="a date within the row's period (a plan for another period is a row of "
        "that period)",
    )


def _check_approvers(frame: pd.DataFrame, roster: pd.DataFrame) -> list[Problem]:
    """Where the roster has ``manager_id``: the approver is the direct superior (by id or
    name); a person with no superior in the roster may have anyone approve."""
    if "manager_id" not in roster:
        return []
    manager = dict(zip(roster["employee_id"], roster["manager_id"], strict=True))
    name = dict(zip(roster["employee_id"], roster["name"], strict=True))
    boss = frame["employee_id"].map(manager).fillna("")
    pairs = zip(frame["approved_by"], boss, strict=True)
    ok = [not b or who in (b, name.get(b)) for who, b in pairs]
    bad = (boss != "") & (frame["approved_by"] != "") & ~np.array(ok, dtype=bool)
    superiors = [f"{b} {name.get(b, '')}".strip() for b in boss.loc[bad]]
    return listed(
        frame,
        bad,
        column="approved_by",
        message="not the person's direct superior (manager_id in the roster)",
        allowed="the direct superior's id or name: " + ", ".join(dict.fromkeys(superiors)),
    )


def _check_order(frame: pd.DataFrame) -> list[Problem]:
    """The first row of a person, period and KPI is the plan; later ones are adjustments."""
    first = ~frame.duplicated(["employee_id", "period", "kpi_id"], keep="first")
    adjusted = frame["adjusted_on"] != ""
    frame["kind"] = np.where(first, "plan", "adjustment")
    problems = listed(
        frame,
        first & adjusted,
        column="adjusted_on",
        message="an adjustment with no plan before it (the first row of a person, period "
        "and KPI is the plan)",
        allowed="the plan's row first, without adjusted_on",
    )
    problems += listed(
        frame.assign(adjusted_on="(blank)"),
        ~first & ~adjusted,
        column="adjusted_on",
        message="a second plan for the same person, period and KPI",
        allowed="the date of the adjustment (later rows are adjustments)",
    )
    return problems


def _check_weights(frame: pd.DataFrame, scheme: Scheme) -> list[Problem]:
    """A person's weights in force still add up to each category's points, every period."""
    problems: list[Problem] = []
    for text in frame.loc[frame["weight"].notna(), "period"].unique():
        used = in_force(frame, period=str(text))
        used = used.loc[used["weight"].notna()]
        for emp, mine in used.groupby("employee_id", sort=False):
            position = scheme.positions[frame.loc[frame["employee_id"] == emp, "_position"].iloc[0]]
            problems += _category_sums(mine, position, file=file_of(frame))
    return problems


def _category_sums(mine: pd.DataFrame, position: Position, *, file: str | None) -> list[Problem]:
    """One person's planned weights (rows in force) against each category's points."""
    own = dict(zip(mine["kpi_id"], mine["weight"], strict=True))
    emp, period = mine["employee_id"].iloc[0], mine["period"].iloc[0]
    problems = []
    for cid, category in position.categories.items():
        members = [k.id for k in position.kpis if k.category == cid]
        total = sum(own.get(k.id, k.weight) for k in position.kpis if k.category == cid)
        if abs(total - category.points) <= 1e-6:
            continue
        rows = ", ".join(str(r) for r in mine.loc[mine["kpi_id"].isin(members), ROW])
        problems.append(
            Problem(
                where=f"rows {rows} (employee {emp}, period {period})",
                message=f"the planned weights make category {category.name.zh} ({cid}) add "
                f"up to {total:g}, not {category.points:g} ({total - category.points:+g})",
                value=total,
                allowed=f"weights of the category's KPIs adding up to {category.points:g} "
                f"(change another KPI of {category.name.zh} too); every category's "
                "points, so the total stays 100",
                file=file,
            )
        )
    return problems


def plan_log(plans: pd.DataFrame, *, period: str | Period) -> pd.DataFrame:
    """Every row of a checked plans table for ``period`` with its ``status``:
    ``in_force`` (the row scored), ``replaced`` (a later approved row replaced it) or
    ``late`` (approved after the period's last day: it does not count)."""
    period = parse_period(period) if isinstance(period, str) else period
    rows = plans.loc[plans["period"] == str(period)].copy()
    late = rows["approved_on"] > pd.Timestamp(period.end)
    order = rows.assign(_late=late).sort_values(  # the plan (no adjusted_on) first
        ["_late", "adjusted_on", ROW], kind="stable", na_position="first"
    )
    counted = order.loc[~order["_late"]]
    latest = ~counted.duplicated(["employee_id", "kpi_id"], keep="last")
    status = pd.Series("late", index=order.index, dtype=object)
    status[counted.index] = np.where(latest, "in_force", "replaced")
    rows["status"] = status
    return rows.sort_values(ROW, kind="stable")[list(LOG_COLUMNS)].reset_index(drop=True)


def in_force(plans: pd.DataFrame, *, period: str | Period) -> pd.DataFrame:
    """The row in force per person and KPI for ``period`` (see :func:`plan_log`)."""
    log = plan_log(plans, period=period)
    return log.loc[log["status"] == "in_force"].reset_index(drop=True)


def personal_columns(
    used: pd.DataFrame | None, employee_ids: pd.Series
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Each person's planned targets and weights as wide tables (a column per KPI, NaN where
    the scheme's applies), aligned with ``employee_ids``; ``None`` without any."""
    if used is None:
        return None, None
    mine = used.loc[contained(used["employee_id"], employee_ids)]
    if mine.empty:
        return None, None
    wide = [
        mine.pivot(index="employee_id", columns="kpi_id", values=column)
        .reindex(employee_ids.to_numpy())
        .set_axis(employee_ids.index)
        for column in ("target", "weight")
    ]
    return wide[0], wide[1]


def plan_flags(
    targets: pd.DataFrame | None, position: Position, *, index: pd.Index, lang: Lang = "zh"
) -> pd.Series:
    """Per person, the flag naming the KPIs scored on a personal target ("" for none)."""
    flags = pd.Series("", index=index, dtype=object)
    if targets is None:
        return flags
    names = [k.name.get(lang) for k in position.kpis if k.id in targets]
    planned = targets[[k.id for k in position.kpis if k.id in targets]].notna().to_numpy()
    for i, row in enumerate(planned):
        kpis = [n for n, on in zip(names, row, strict=True) if on]
        if kpis:
            flags.iloc[i] = label("flag.plan", lang, kpis=", ".join(kpis))
    return flags
