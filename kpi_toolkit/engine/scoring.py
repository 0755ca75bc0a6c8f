"""Appraisal of one period: actuals → points → category subtotals → total → grade → rank."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, SchemeError
from ..labels import Lang, label
from ..periods import Period, parse_period
from .grading import check_distribution, grade_and_rank
from .inputs import check_actuals, check_roster, checked_ratings, contained, positions_in
from .plans import check_plans, plan_log, plans_for
from .points import ID_COLUMNS, join_flags, position_points, score_position
from .raters import Rated, check_assigned, rate_360, ratings_for
from .roster import appraisees
from .scheme import Scheme

__all__ = ["Appraisal", "position_points", "score"]


@dataclass(frozen=True)
class Appraisal:
    """One period's appraisal.

    Attributes
    ----------
    scores
        One row per appraised employee: ``employee_id, name, position, team, period``, a
        column per KPI with its points, a column per category with its subtotal, ``total``
        (as shown, 2 decimals), ``grade``, ``rank`` (within position), ``department_rank``,
        ``grade_id``, ``flags`` and, where the forced distribution is applied,
        ``forced_from`` (see :func:`~kpi_toolkit.engine.grading.grade_and_rank`).
    actuals
        The actual values that were scored, one row per appraised employee.
    excluded
        People not appraised, with the reason (probation, other position or period, ...).
    distribution
        The forced-distribution check (empty where the scheme sets none).
    ratings
        The 360 breakdown by rater group, where ratings were given.
    rater_values
        The period's ratings one per rater (``employee_id, kpi_id, rater_id, rater_group,
        value``): for rater leniency and self against superior; ``None`` without ratings.
    completeness
        Where the roster has ``manager_id``: every assigned (ratee, KPI, rater, group) with
        ``rated`` (whether the rating came back); else ``None``.
    plans
        With a plans table: the row in force per appraised person and KPI (target, weight,
        approved by and on; see :mod:`kpi_toolkit.engine.plans`); else ``None``.
    plan_log
        With a plans table: every plan and adjustment of the period with its ``status``
        (``in_force``, ``replaced``, ``late``); else ``None``.
    """

    scheme: Scheme
    period: Period
    scores: pd.DataFrame
    actuals: pd.DataFrame
    excluded: pd.DataFrame
    distribution: pd.DataFrame
    ratings: pd.DataFrame | None = field(default=None)
    rater_values: pd.DataFrame | None = field(default=None)
    completeness: pd.DataFrame | None = field(default=None)
    plans: pd.DataFrame | None = field(default=None)
    plan_log: pd.DataFrame | None = field(default=None)


def score(
    actuals: pd.DataFrame,
    *,
    scheme: Scheme,
    roster: pd.DataFrame,
    period: str | Period,
    ratings: pd.DataFrame | None = None,
    plans: pd.DataFrame | None = None,
    lang: Lang = "zh",
) -> Appraisal:
    """Appraise everyone in ``roster`` for ``period`` under ``scheme``.

    Parameters
    ----------
    actuals
        Wide table ``employee_id, period, <kpi_id>...`` (as read by
        :func:`kpi_toolkit.engine.inputs.read_table`, or numbers).
    roster
        ``employee_id, name, position, team, status`` (+ optional ``joined``, ``left``).
    period
        ``2026-Q3``, ``2026-07`` or ``2026``.
    ratings
        360 ratings ``employee_id, period, kpi_id, rater_id, rater_group, value``, needed
        when the scheme has KPIs with ``source: ratings``.
    plans
        Work-objective plans ``employee_id, period, kpi_id, target, approved_by,
        approved_on`` (+ ``weight, adjusted_on, reason, note``): a person's target (and
        weight) in force replaces the scheme's (:mod:`kpi_toolkit.engine.plans`); the
        ``flags`` name the KPIs scored on a personal target.

    Examples
    --------
    >>> from kpi_toolkit import builtin_scheme
    >>> import pandas as pd
    >>> roster = pd.DataFrame({"employee_id": ["E1"], "name": ["张伟"], "position": ["manager"],
    ...                        "team": ["华东"], "status": ["regular"]})
    >>> actuals = pd.DataFrame({"employee_id": ["E1"], "period": ["2026-Q3"],
    ...     "response_speed": [2], "invalid_service_ratio": [0.035], "report_on_time_rate": [0.93],
    ...     "complaints": [4], "plm_usage_rate": [0.96], "training_coverage": [0.85],
    ...     "new_staff_training_failures": [0], "periodic_report_on_time_rate": [1.0]})
    >>> ratings = pd.DataFrame({"employee_id": "E1", "period": "2026-Q3",   # 由上一级领导评分
    ...     "kpi_id": ["skill_development", "internal_cooperation", "adhoc_tasks"],
    ...     "rater_id": "S1", "rater_group": "superior", "value": ["较满意", "很满意", "很满意"]})
    >>> result = score(actuals, scheme=builtin_scheme("manager_post"), roster=roster,
    ...                period="2026-Q3", ratings=ratings)
    >>> round(float(result.scores["total"].iloc[0]), 2)
    90.13
    """
    period = parse_period(period) if isinstance(period, str) else period
    _refuse_unfilled(scheme)
    roster = check_roster(roster)
    checked = check_actuals(actuals, scheme=scheme, roster=roster)
    appraised, excluded = appraisees(roster, scheme=scheme, period=period, lang=lang)
    places = _places(roster, appraised)
    rows = appraised.merge(
        checked.loc[checked["period"] == str(period)].drop(
            columns=["name", "position", "team"], errors="ignore"
        ),
        on="employee_id",
        how="left",
        suffixes=("", "_actuals"),
        indicator=True,
    )
    no_row = rows["_merge"] == "left_only"
    excluded = pd.concat([excluded, _no_actuals(rows.loc[no_row], lang)], ignore_index=True)
    places = None if places is None or len(places) != len(rows) else places[~no_row.to_numpy()]
    rows = rows.loc[~no_row].drop(columns="_merge")
    rows["period"] = str(period)
    rated = _ratings(ratings, scheme=scheme, roster=roster, period=period, lang=lang)
    rows = _with_ratings(rows, rated, scheme, places=places)
    file = actuals.attrs.get("file")
    _refuse_missing_columns(rows, scheme, file=file)
    log = _plans(plans, scheme=scheme, roster=roster, period=period)
    used = None if log is None else log.loc[log["status"] == "in_force"]
    parts: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for pid, group in _by_position(rows):
        try:
            position = scheme.positions[str(pid)]
            parts.append(
                score_position(group, position, scheme=scheme, lang=lang, plans=used, file=file)
            )
        except DataError as error:  # every position's blank actuals at once
            problems += error.problems
    if problems:
        raise DataError(problems, title=f"missing actuals: {len(problems)} value(s)")
    scores = (
        pd.concat(parts, ignore_index=True)
        if len(parts) > 1
        else parts[0].reset_index(drop=True)
        if parts
        else _empty(scheme)
    )
    scores, no_data = _drop_unscored(scores, lang)
    excluded = pd.concat([excluded, no_data], ignore_index=True)
    scores = _ordered(grade_and_rank(scores, scheme=scheme, lang=lang), scheme)
    distribution = check_distribution(_earned(scores), scheme=scheme)
    scored = rows if len(scores) == len(rows) else _of(rows, scores)  # one row each
    return Appraisal(
        scheme=scheme,
        period=period,
        scores=scores,
        excluded=excluded,
        distribution=distribution,
        actuals=scored.reset_index(drop=True),
        ratings=None if rated is None else rated.breakdown,
        rater_values=None if rated is None else rated.given,
        completeness=None if rated is None else rated.completeness,
        plans=None if used is None else _of(used, scores).reset_index(drop=True),
        plan_log=log,
    )


def _by_position(rows: pd.DataFrame) -> Iterator[tuple[object, pd.DataFrame]]:
    """The rows of each position, in the order positions first appear (as
    ``groupby("position", sort=False)``); one position's rows are not copied."""
    position = rows["position"]
    if len(position) and (position == position.iloc[0]).fillna(False).all():
        yield position.iloc[0], rows
        return
    yield from rows.groupby("position", sort=False)


def _plans(
    plans: pd.DataFrame | None, *, scheme: Scheme, roster: pd.DataFrame, period: Period
) -> pd.DataFrame | None:
    """The period's plan log (every row with its status), the table checked as a whole."""
    if plans is None:
        return None
    checked = check_plans(
        plans_for(plans, scheme=scheme, roster=roster), scheme=scheme, roster=roster
    )
    return plan_log(checked, period=period)


def _of(frame: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[contained(frame["employee_id"], scores["employee_id"])]


def _refuse_unfilled(scheme: Scheme) -> None:
    if not scheme.unfilled:
        return
    raise SchemeError(
        [
            Problem(
                where=f"parameters.{name}",
                message="blank: the scheme cannot score until it is filled",
                value=None,
                file=scheme.path,
                allowed=f"a number ({scheme.parameters[name].note or name}); set it in the "
                f"YAML or pass --set {name}=VALUE",
            )
            for name in scheme.unfilled
        ],
        title=f"{scheme.path or scheme.id}: parameters to fill before scoring",
    )


def _ratings(
    ratings: pd.DataFrame | None,
    *,
    scheme: Scheme,
    roster: pd.DataFrame,
    period: Period,
    lang: Lang,
) -> Rated | None:
    rated_kpis = [k.id for p in scheme.positions.values() for k in p.kpis if k.source == "ratings"]
    if ratings is None:
        return None
    if not rated_kpis:
        raise DataError(
            Problem(
                where="ratings",
                message=f"scheme {scheme.id} has no KPI scored by people (source: ratings)",
                allowed="no ratings file",
            )
        )
    checked, ratees = checked_ratings(
        ratings_for(ratings, scheme=scheme), scheme=scheme, roster=roster
    )
    check_assigned(checked, scheme=scheme, roster=roster, period=period)
    return rate_360(checked, scheme=scheme, roster=roster, period=period, lang=lang, ratees=ratees)


def _places(roster: pd.DataFrame, appraised: pd.DataFrame) -> np.ndarray | None:
    """Each appraised person's place (0-based) in ``roster`` (``appraised`` keeps the
    roster's index labels); ``None`` where the labels do not say it."""
    if not roster.index.is_unique:
        return None
    return roster.index.get_indexer(appraised.index)


def _with_ratings(
    rows: pd.DataFrame, rated: Rated | None, scheme: Scheme, *, places: np.ndarray | None = None
) -> pd.DataFrame:
    """``rows`` with each rated KPI's 360 value and the 360 flags; ``places``: each row's
    place in the roster, where known (the people matched on it, not on their ids)."""
    rated_ids = sorted(
        {k.id for p in scheme.positions.values() for k in p.kpis if k.source == "ratings"}
    )
    if not rated_ids:
        return rows
    if rated is None:
        needed = sorted(
            set(rated_ids)
            & {k.id for pid in rows["position"].unique() for k in scheme.positions[pid].kpis}
        )
        if needed:
            raise DataError(
                Problem(
                    where="ratings",
                    message=f"KPIs {', '.join(needed)} are scored by people "
                    "(source: ratings): give the ratings table (--ratings, or ratings.csv "
                    "in the data directory; kpi collect writes it from the rating forms)",
                    allowed="employee_id, period, kpi_id, rater_id, rater_group, value",
                )
            )
        return rows
    rows = rows.drop(columns=[c for c in rated_ids if c in rows], errors="ignore")
    at = None
    if places is not None and rated.places is not None:
        size = 1 + max(int(places.max(initial=-1)), int(rated.places.max(initial=-1)))
        row_of = np.full(size, -1, dtype=np.intp)
        row_of[places] = np.arange(len(places))
        at = row_of[rated.places]
    rows = rows.assign(**_rated_columns(rows["employee_id"], rated.values, rated_ids, at=at))
    if len(rated.flags):
        extra = rated.flags.groupby("employee_id")["flag"].agg("; ".join)
        rows["flags"] = join_flags(rows["flags"], rows["employee_id"].map(extra))
    else:
        rows["flags"] = join_flags(rows["flags"])
    return rows


def _rated_columns(
    people: pd.Series, values: pd.DataFrame, kpi_ids: list[str], *, at: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """A column per rated KPI aligned with ``people``: each person's 360 value, NaN where
    there is none (``values`` has one row per person and KPI; ``at``: each value's row in
    ``people``, -1 where not there, if known)."""
    if at is None:
        at = positions_in(values["employee_id"], people)
    found = at >= 0
    columns = {}
    for kpi_id in kpi_ids:
        column = np.full(len(people), np.nan)
        mine = found & (values["kpi_id"] == kpi_id).to_numpy()
        column[at[mine]] = values["value"].to_numpy(dtype=float)[mine]
        columns[kpi_id] = column
    return columns


def _refuse_missing_columns(rows: pd.DataFrame, scheme: Scheme, *, file: str | None) -> None:
    needed = dict.fromkeys(
        k.id for pid in rows["position"].unique() for k in scheme.positions[pid].kpis
    )
    missing = [kpi_id for kpi_id in needed if kpi_id not in rows.columns]
    if missing:
        raise DataError(
            [
                Problem(
                    where=f"column {kpi_id}",
                    message="KPI column missing from the actuals",
                    allowed=f"a column for each KPI of the positions appraised: "
                    f"{', '.join(needed)}",
                    file=file,
                )
                for kpi_id in missing
            ]
        )


def _no_actuals(rows: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    return rows[["employee_id", "name", "position", "team"]].assign(
        reason_code="no_actuals", reason=label("excluded.no_actuals", lang)
    )


def _drop_unscored(scores: pd.DataFrame, lang: Lang) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People whose every actual is missing (and excluded) cannot be scored: list them."""
    none = scores["total"].isna()
    return scores.loc[~none].reset_index(drop=True), _no_actuals(scores.loc[none], lang)


def _ordered(scores: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Rows by position (the scheme's order), rank and employee; ``grade_id, flags`` last."""
    tail = [c for c in ("grade_id", "flags", "forced_from") if c in scores]
    order = [c for c in scores.columns if c not in tail]
    order_of = {p: i for i, p in enumerate(scheme.positions)}
    by_position = scores["position"].map(order_of).to_numpy()
    by_employee = pd.factorize(scores["employee_id"], sort=True)[0]
    rows = np.lexsort((by_employee, scores["rank"].to_numpy(), by_position))
    return scores[[*order, *tail]].iloc[rows].reset_index(drop=True)


def _earned(scores: pd.DataFrame) -> pd.DataFrame:
    """The grades earned: before a forced distribution moved anyone (``forced_from``)."""
    if "forced_from" not in scores:
        return scores
    return scores.assign(grade_id=scores["forced_from"].fillna(scores["grade_id"]))


def _empty(scheme: Scheme) -> pd.DataFrame:
    columns = [*ID_COLUMNS, *scheme.kpi_ids(), "total", "flags"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
