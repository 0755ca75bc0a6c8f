"""Trends: the department, its teams and each person over the periods in the data.

Every period of the report's grain that the inputs hold, up to the report's own, is
appraised once by :func:`kpi_toolkit.pipeline.appraise`, as every other surface does, and
kept in a small cache keyed by the content of the inputs: a batch of scorecards run in one
kernel scores each period once. The tables mark the report's own period (本期).

``kpi report --compare 2026-Q1`` compares with any earlier period of the data
(:func:`compared`), not only the previous one.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from ..engine.scoring import Appraisal
from ..errors import InputError, Problem
from ..labels import Lang, label
from ..periods import Period, parse_period
from ..pipeline import Inputs, appraise
from .html import escape, section, table

if TYPE_CHECKING:
    from .context import ReportContext

__all__ = [
    "LAST_PERIODS",
    "appraised",
    "compared",
    "department_trend",
    "history",
    "past_appraisals",
    "person_trend",
    "team_trend",
    "trend_periods",
    "trends",
    "trends_of_person",
]

LAST_PERIODS = 8  # how many periods a trend shows, the report's own included
_CACHE_SIZE = 64
_appraisals: dict[tuple[str, str, str], Appraisal] = {}


def trend_periods(inputs: Inputs, *, period: Period, last: int = LAST_PERIODS) -> list[Period]:
    """The periods of ``period``'s grain the actuals hold, up to ``period``, the last ``last``."""
    found = []
    for text in inputs.periods():
        try:
            found.append(parse_period(text))
        except InputError:
            continue  # a malformed period is the appraisal's to report, not the trend's
    same = sorted({p for p in found if p.grain == period.grain and p <= period})
    return same[-last:] if last > 0 else []


def appraised(inputs: Inputs, *, period: Period, lang: Lang) -> Appraisal:
    """:func:`~kpi_toolkit.pipeline.appraise`, once per content of the inputs and period."""
    return _appraised(inputs, _fingerprint(inputs), period=period, lang=lang)


def _appraised(inputs: Inputs, fingerprint: str, *, period: Period, lang: Lang) -> Appraisal:
    """:func:`appraised` with the inputs' fingerprint worked out once by the caller."""
    key = (fingerprint, str(period), lang)
    if key not in _appraisals:
        if len(_appraisals) >= _CACHE_SIZE:
            _appraisals.pop(next(iter(_appraisals)))
        _appraisals[key] = appraise(inputs, period=period, lang=lang)
    return _appraisals[key]


def _fingerprint(inputs: Inputs) -> str:
    """A digest of the scheme and of every table the appraisal reads."""
    digest = hashlib.sha256(inputs.scheme.model_dump_json().encode("utf-8"))
    for frame in (inputs.roster, inputs.actuals, inputs.ratings, inputs.plans):
        if frame is None:
            digest.update(b"-")
            continue
        digest.update(repr(list(frame.columns)).encode("utf-8"))
        digest.update(
            pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes()
        )
    return digest.hexdigest()


def history(
    inputs: Inputs, *, period: Period, lang: Lang, current: Appraisal | None = None
) -> dict[str, Appraisal]:
    """Each trend period's appraisal, oldest first (a period that does not score is left
    out); ``current``, where given, stands for ``period``'s own."""
    found: dict[str, Appraisal] = {}
    fingerprint = _fingerprint(inputs)
    for when in trend_periods(inputs, period=period):
        if current is not None and when == period:
            found[str(when)] = current
            continue
        try:
            found[str(when)] = _appraised(inputs, fingerprint, period=when, lang=lang)
        except InputError:
            continue
    return found


def compared(
    inputs: Inputs, period: Period, *, lang: Lang, compare: str | Period | None = None
) -> Appraisal | None:
    """The appraisal a report compares with: ``compare``'s, else the previous period's
    where its actuals exist and score (else ``None``).

    Raises
    ------
    InputError
        ``compare`` is not a period, not of the report's grain, not before it, or not in
        the data.
    """
    if compare is None:
        earlier = period.previous()
        if str(earlier) not in inputs.periods():
            return None
        try:
            return appraised(inputs, period=earlier, lang=lang)
        except InputError:
            return None  # the previous period's data does not score: the change is not shown
    chosen = compare if isinstance(compare, Period) else parse_period(compare, where="--compare")
    earlier_ones = [str(p) for p in trend_periods(inputs, period=period, last=10_000)]
    if str(chosen) == str(period) or str(chosen) not in earlier_ones:
        raise InputError(
            Problem(
                where="--compare",
                value=str(compare),
                message=f"not an earlier {period.grain} of the data than {period}",
                allowed=", ".join(p for p in earlier_ones if p != str(period)) or "none",
            )
        )
    return appraised(inputs, period=chosen, lang=lang)


def _marked(periods: list[str], current: str, lang: Lang) -> list[str]:
    tag = label("report.trend.current", lang)
    return [f"{p} {tag}" if p == current else p for p in periods]


def department_trend(
    past: dict[str, Appraisal], *, current: str, lang: Lang, team: str | None = None
) -> pd.DataFrame:
    """Per period: headcount, mean total and how many people got each grade."""
    rows = []
    for when, appraisal in past.items():
        scores = appraisal.scores
        if team is not None:
            scores = scores.loc[scores["team"] == team]
        order = appraisal.scheme.grade_order()
        counts = scores["grade_id"].value_counts()
        row = {
            label("period", lang): when,
            label("headcount", lang): len(scores),
            label("mean_total", lang): scores["total"].mean() if len(scores) else float("nan"),
        }
        row |= {g.name.get(lang): int(counts.get(g.id, 0)) for g in order}
        rows.append(row)
    frame = pd.DataFrame(rows)
    if len(frame):
        frame[label("period", lang)] = _marked(list(frame[label("period", lang)]), current, lang)
    return frame


def team_trend(past: dict[str, Appraisal], *, current: str, lang: Lang) -> pd.DataFrame:
    """Each team's mean total (rows) per period (columns)."""
    means = {
        when: appraisal.scores.groupby("team", sort=True)["total"].mean()
        for when, appraisal in past.items()
    }
    frame = pd.DataFrame(means)
    frame.columns = _marked(list(frame.columns), current, lang)
    frame.index.name = label("team", lang)
    return frame.reset_index()


def person_trend(
    past: dict[str, Appraisal], employee_id: str, *, current: str, lang: Lang
) -> pd.DataFrame:
    """The person's total, grade, rank and each KPI's points per period appraised (KPIs
    of the position held in the latest period, by name)."""
    rows, kpis = [], None
    for when, appraisal in reversed(past.items()):
        mine = appraisal.scores.loc[appraisal.scores["employee_id"] == employee_id]
        if not len(mine):
            continue
        person = mine.iloc[0]
        position = appraisal.scheme.positions.get(str(person["position"]))
        if kpis is None and position is not None:
            kpis = [(k.id, k.name.get(lang)) for k in position.kpis]
        row = {
            label("period", lang): when,
            label("total", lang): person["total"],
            label("grade", lang): person["grade"],
            label("rank", lang): person["rank"],
        }
        row |= {name: person.get(kpi_id, float("nan")) for kpi_id, name in kpis or []}
        rows.append(row)
    frame = pd.DataFrame(rows[::-1])
    if len(frame):
        frame[label("period", lang)] = _marked(list(frame[label("period", lang)]), current, lang)
    return frame


def past_appraisals(ctx: ReportContext) -> dict[str, Appraisal]:
    period = ctx.appraisal.period
    if ctx.source is None:
        return {str(period): ctx.appraisal}
    return history(ctx.source, period=period, lang=ctx.lang, current=ctx.appraisal)


def _rows(frame: pd.DataFrame, current: str, lang: Lang) -> list[dict[str, str]]:
    """The current period's row marked (``class="kpi-current"``)."""
    tagged = f"{current} {label('report.trend.current', lang)}"
    column = label("period", lang)
    return [{"class": "kpi-current"} if p == tagged else {} for p in frame[column]]


def trends(ctx: ReportContext) -> HTML:
    """The department report's trend section: the department's (or the team's) mean total
    and grade mix per period, and each team's mean total per period."""
    lang, current, past = ctx.lang, str(ctx.appraisal.period), past_appraisals(ctx)
    heading = label("report.trend", lang)
    if len(past) < 2:
        return HTML(section(heading, f"<p>{escape(label('report.trend.none', lang))}</p>"))
    overall = department_trend(past, current=current, lang=lang, team=ctx.team)
    note = label("report.trend.explain", lang, first=next(iter(past)), last=current)
    body = f"<p>{escape(note)}</p>" + table(
        overall, digits=2, rows=_rows(overall, current, lang), css="kpi-table kpi-trend"
    )
    if ctx.team is None:
        teams = team_trend(past, current=current, lang=lang)
        body += f"<h3>{escape(label('report.trend.teams', lang))}</h3>"
        body += table(teams, css="kpi-table kpi-trend")
    return HTML(section(heading, body, css="kpi-trends"))


def trends_of_person(
    ctx: ReportContext, employee_id: str, *, past: dict[str, Appraisal] | None = None
) -> HTML:
    """The scorecard's trend: the person's total, grade, rank and KPI points per period.

    ``past``: the trend periods' appraisals (:func:`history`), given by a batch of cards
    that looked them up once."""
    lang, current = ctx.lang, str(ctx.appraisal.period)
    frame = person_trend(
        past_appraisals(ctx) if past is None else past, employee_id, current=current, lang=lang
    )
    heading = label("report.trend.person", lang)
    if len(frame) < 2:
        return HTML(section(heading, f"<p>{escape(label('report.trend.none', lang))}</p>"))
    shown = table(frame, rows=_rows(frame, current, lang), css="kpi-table kpi-trend")
    return HTML(section(heading, shown, css="kpi-trends"))
