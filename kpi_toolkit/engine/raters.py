"""360 ratings (seed section 4): who rates whom, and the mean per rater group weighted by
the ratee's position.

The manager is rated by the superior and the subordinates; a supervisor by the superior,
peers and subordinates at once. A group with no ratings (or fewer raters than the scheme's
minimum) has its weight re-spread over the groups present and is flagged: it never counts
as zero. Self-ratings count only where the position has a ``self`` group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, did_you_mean
from ..labels import Lang, label, name_of
from ..periods import Period
from ._rating_groups import RatingGroups, with_positions
from .relations import has_reporting_lines, relationships
from .roster import appraisees
from .scheme import RATER_GROUPS, Scheme
from .table_checks import positions_in

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "Rated",
    "assign_raters",
    "check_assigned",
    "completeness",
    "rate_360",
    "ratings_for",
]

ASSIGNMENT_COLUMNS = ["employee_id", "name", "kpi_id", "rater_id", "rater_name", "rater_group"]


@dataclass(frozen=True)
class Rated:
    """Result of :func:`rate_360`.

    Attributes
    ----------
    values
        ``employee_id, kpi_id, value``: the weighted 360 result per person and KPI.
    breakdown
        ``employee_id, kpi_id, rater_group, raters, mean, weight, used_weight, counted``.
    flags
        ``employee_id, flag``: re-spread groups, groups below the minimum, ignored self-ratings.
    given
        The period's ratings of appraised positions, one per rater: ``employee_id, kpi_id,
        rater_id, rater_group, value`` (for leniency and self against superior).
    completeness
        Where the roster has reporting lines: every assignment of
        :func:`assign_raters` with ``rated`` (a rating came back); else ``None``.
    places
        Each row of ``values``: the ratee's place (0-based) in the roster, where known.
    """

    values: pd.DataFrame
    breakdown: pd.DataFrame
    flags: pd.DataFrame
    given: pd.DataFrame
    completeness: pd.DataFrame | None = None
    places: np.ndarray | None = field(default=None, compare=False, repr=False)


def assign_raters(roster: pd.DataFrame, *, scheme: Scheme, period: Period) -> pd.DataFrame:
    """Who rates whom in ``period``: one row per (ratee, rated KPI, rater).

    ``roster`` is checked and has ``manager_id``. Ratees are the people appraised in the
    period whose position has KPIs with ``source: ratings``; each such KPI is rated by every
    person in each rater group of the position (``raters``), ``self`` included where the
    position has it. Returns :data:`ASSIGNMENT_COLUMNS` ordered by ratee, KPI, group, rater.
    """
    appraised, _ = appraisees(roster, scheme=scheme, period=period)
    ratees = appraised.loc[
        appraised["position"].map(lambda p: bool(scheme.positions[p].rated_kpis)),
        ["employee_id", "position"],
    ]
    related = relationships(roster, scheme=scheme, ratees=ratees["employee_id"], period=period)
    wanted = pd.DataFrame(
        [
            (pid, k.id, g, i, RATER_GROUPS.index(g))
            for pid, p in scheme.positions.items()
            for i, k in enumerate(p.rated_kpis)
            for g in p.raters
        ],
        columns=["position", "kpi_id", "rater_group", "_kpi", "_group"],
    )
    names = roster.set_index("employee_id")["name"]
    out = (
        ratees.merge(wanted, on="position")
        .merge(related, on=["employee_id", "rater_group"])
        .assign(name=lambda f: f["employee_id"].map(names))
        .assign(rater_name=lambda f: f["rater_id"].map(names))
    )
    order = {e: i for i, e in enumerate(roster["employee_id"])}
    out = out.assign(_ratee=out["employee_id"].map(order), _rater=out["rater_id"].map(order))
    out = out.sort_values(["_ratee", "_kpi", "_group", "_rater"], kind="stable")
    return out[ASSIGNMENT_COLUMNS].reset_index(drop=True)


def ratings_for(ratings: pd.DataFrame, *, scheme: Scheme) -> pd.DataFrame:
    """The rows of a ratings table that are the scheme's.

    One table (a data directory's ``ratings.csv``) holds what people score under every
    scheme of the department. A row rating a KPI the scheme does not have is another
    scheme's and is left out; a row naming one of the scheme's KPIs, or what looks like a
    misspelling of a KPI it rates, stays and is checked (and refused where it is wrong). The
    file's row numbers are kept for messages.

    >>> from kpi_toolkit.engine import builtin_scheme
    >>> table = pd.DataFrame({"employee_id": ["E1", "E1", "E1"], "period": "2026-Q3",
    ...     "kpi_id": ["teamwork", "internal_cooperation", "teamwrok"], "rater_id": "E2",
    ...     "rater_group": "peers", "value": [4, "很满意", 4]})
    >>> ratings_for(table, scheme=builtin_scheme("after_sales_team"))["kpi_id"].tolist()
    ['teamwork', 'teamwrok']
    """
    if "kpi_id" not in ratings.columns:
        return ratings  # refused where it is checked, naming the missing column
    numbered = ratings if "_row" in ratings else ratings.assign(_row=np.arange(len(ratings)) + 2)
    own = set(scheme.kpi_ids())
    rated = [k.id for p in scheme.positions.values() for k in p.rated_kpis]
    ids = numbered["kpi_id"].astype("string").str.strip().fillna("")
    kept = {i: i in own or bool(did_you_mean(i, rated)) for i in ids.unique()}
    out = numbered.loc[ids.isin([i for i, keep in kept.items() if keep]).to_numpy()]
    out.attrs = dict(ratings.attrs)
    return out


def check_assigned(
    ratings: pd.DataFrame, *, scheme: Scheme, roster: pd.DataFrame, period: Period
) -> None:
    """Refuse rows of a checked ratings table that no reporting line gives.

    Only where the roster has ``manager_id``. A row is refused when the rater is not in
    the claimed relation to the ratee (a manager as a supervisor's "subordinate"), or the
    rater's group does not rate that KPI. Each problem names the file row, the rater, the
    ratee, the claimed group and the actual relationship.
    """
    if not has_reporting_lines(roster):
        return
    rows = ratings.loc[ratings["period"] == str(period)]
    assigned = assign_raters(roster, scheme=scheme, period=period)
    keys = ["employee_id", "kpi_id", "rater_id", "rater_group"]
    matched = rows.merge(assigned[keys], on=keys, how="left", indicator=True)
    bad = rows.loc[(matched["_merge"] == "left_only").to_numpy()]
    if bad.empty:
        return
    related = relationships(roster, scheme=scheme, ratees=bad["employee_id"], period=period)
    actual = bad.merge(related, on=["employee_id", "rater_id"], how="left", suffixes=("", "_is"))
    names = roster.set_index("employee_id")["name"]
    problems = []
    numbers = actual["_row"] if "_row" in actual else pd.Series(actual.index + 2)
    for number, row in zip(numbers.head(20), actual.head(20).itertuples(), strict=False):
        relation = row.rater_group_is if isinstance(row.rater_group_is, str) else None
        problems.append(
            Problem(
                where=f"row {number} (ratee {row.employee_id} "
                f"{names.get(row.employee_id, '')}, rater {row.rater_id} "
                f"{names.get(row.rater_id, '')}, KPI {row.kpi_id})",
                message=_mismatch(relation, row.rater_group, row.rater_id),
                value=None,
                allowed=_allowed_groups(assigned, row.employee_id, row.kpi_id, row.rater_id),
                file=ratings.attrs.get("file"),
            )
        )
    if len(actual) > 20:
        problems.append(
            Problem(where="ratings", message=f"{len(actual) - 20} more rows like these")
        )
    raise DataError(problems, title=f"ratings against the reporting lines: {len(actual)} row(s)")


def _mismatch(relation: str | None, claimed: Any, rater: Any) -> str:
    said = f"claimed as {claimed} ({name_of('rater_group', claimed, 'zh')})"
    if relation is None:
        return f"{said}, but {rater} is in no reporting relation to the ratee"
    if relation == claimed:
        return f"{said}, but that group does not rate this KPI for the ratee's position"
    actual = f"{relation} ({name_of('rater_group', relation, 'zh')})"
    return f"{said}, but the roster makes {rater} the ratee's {actual}"


def _allowed_groups(assigned: pd.DataFrame, ratee: Any, kpi: Any, rater: Any) -> str:
    mine = assigned.loc[
        (assigned["employee_id"] == ratee)
        & (assigned["kpi_id"] == kpi)
        & (assigned["rater_id"] == rater),
        "rater_group",
    ]
    if len(mine):
        return f"rater_group {mine.iloc[0]}"
    return "raters assigned by `kpi raters` (this rater is not one of them for this KPI)"


def completeness(ratings: pd.DataFrame | None, assigned: pd.DataFrame) -> pd.DataFrame:
    """Each assignment marked ``rated`` (a rating came back) or not.

    ``ratings`` holds ``employee_id, kpi_id, rater_id, rater_group`` (one period).
    Returns the assignment columns plus ``rated``.
    """
    keys = ["employee_id", "kpi_id", "rater_id", "rater_group"]
    if ratings is None or ratings.empty:
        return assigned.assign(rated=False)
    given = ratings[keys].drop_duplicates().assign(rated=True)
    out = assigned.merge(given, on=keys, how="left")
    out["rated"] = out["rated"].fillna(False).astype(bool)
    return out


def rate_360(
    ratings: pd.DataFrame,
    *,
    scheme: Scheme,
    roster: pd.DataFrame,
    period: Period,
    lang: Lang = "zh",
    ratees: np.ndarray | None = None,
) -> Rated:
    """Weight checked ratings (see :func:`~kpi_toolkit.engine.inputs.check_ratings`) by
    rater group.

    ``ratees``: each row's place in ``roster`` where already found
    (:func:`~kpi_toolkit.engine.inputs.checked_ratings`). Grouped on integer codes (each
    key factorised once, sorted as its text sorts), so the tables come out in the order of
    a ``groupby`` on the texts.
    """
    now = (ratings["period"] == str(period)).to_numpy()
    at = (
        positions_in(ratings.loc[now, "employee_id"], roster["employee_id"])
        if ratees is None
        else ratees[now]
    )
    rows = with_positions(ratings.loc[now], roster, at=at)
    appraised = rows["position"].isin(scheme.positions).to_numpy()  # a ratee not listed: none
    rows, at = rows.loc[appraised], at[appraised]
    rows["weight"] = _group_weights(rows, scheme)
    self_rows = rows["rater_group"].eq("self").to_numpy() & rows["weight"].isna().to_numpy()
    flags = [_flag_frame(rows.loc[self_rows], "flag.self_ignored", scheme, lang)]
    _refuse_unknown_groups(rows.loc[rows["weight"].isna().to_numpy() & ~self_rows], scheme)
    roster_order = pd.factorize(roster["employee_id"], sort=True)[0]  # ids as they sort
    keys = RatingGroups(rows.loc[~self_rows], ratees=(roster_order[at[~self_rows]], len(roster)))
    groups = keys.groups()
    least: dict[tuple[str, str], float] = {
        (pid, g): n for pid, p in scheme.positions.items() for g, n in p.min_raters.items()
    }
    minimum = _per_group(groups, least).fillna(1)
    shown_only = groups["weight"] <= 0  # self: shown beside the others, not counted
    groups["counted"] = (groups["raters"] >= minimum) & ~shown_only
    flags.append(_few_flags(groups.loc[~groups["counted"] & ~shown_only], minimum, scheme, lang))
    flags.append(
        _flag_frame(keys.missing_groups(groups, scheme), "flag.rater_group_missing", scheme, lang)
    )
    counted = groups["counted"].to_numpy()
    groups["used_weight"] = keys.used_weights(groups["weight"].to_numpy(), counted)
    values, first = keys.values(
        groups["mean"].to_numpy() * groups["used_weight"].to_numpy(), counted
    )
    breakdown = groups.drop(columns=["position"])
    given = rows[["employee_id", "kpi_id", "rater_id", "rater_group", "value"]].reset_index(
        drop=True
    )
    done = None
    if has_reporting_lines(roster):
        done = completeness(given, assign_raters(roster, scheme=scheme, period=period))
    return Rated(
        values=values,
        breakdown=breakdown,
        flags=pd.concat(flags, ignore_index=True),
        given=given,
        completeness=done,
        places=at[~self_rows][first],
    )


def _group_weights(rows: pd.DataFrame, scheme: Scheme) -> pd.Series:
    table: dict[tuple[str, str], float] = {
        (pid, g): w for pid, p in scheme.positions.items() for g, w in p.raters.items()
    }
    return _per_group(rows, table)


def _per_group(rows: pd.DataFrame, table: dict[tuple[str, str], float]) -> pd.Series:
    """Each row's value in a (position, rater group) table, NaN where it has none.

    One lookup per distinct pair, not per row: a department's ratings have a few pairs and
    may have hundreds of thousands of rows.
    """
    positions, position_ids = pd.factorize(rows["position"])
    groups, group_ids = pd.factorize(rows["rater_group"])
    lookup = np.array(
        [[table.get((p, g), np.nan) for g in group_ids] + [np.nan] for p in position_ids]
        + [[np.nan] * (len(group_ids) + 1)],
        dtype=float,
    )
    return pd.Series(lookup[positions, groups], index=rows.index, dtype=float)  # -1: the NaNs


def _refuse_unknown_groups(bad: pd.DataFrame, scheme: Scheme) -> None:
    if bad.empty:
        return
    problems = [
        Problem(
            where=f"row {row} (employee {emp})",
            message=f"rater group {group!r} is not a group of position {pos}",
            value=group,
            allowed=", ".join(scheme.positions[pos].raters) or "no groups (position has none)",
            file=bad.attrs.get("file"),
        )
        for row, emp, group, pos in zip(
            bad.get("_row", bad.index),
            bad["employee_id"],
            bad["rater_group"],
            bad["position"],
            strict=True,
        )
    ]
    raise DataError(problems, title=f"ratings: {len(problems)} problem(s)")


def _kpi_name(scheme: Scheme, position: str, kpi_id: str, lang: Lang) -> str:
    kpis = {k.id: k for k in scheme.positions[position].kpis}
    return kpis[kpi_id].name.get(lang) if kpi_id in kpis else kpi_id


def _flag_frame(rows: pd.DataFrame, key: str, scheme: Scheme, lang: Lang) -> pd.DataFrame:
    """One flag per (person, KPI, rater group), the KPI and the group named in words."""
    unique = rows.drop_duplicates(["employee_id", "kpi_id", "rater_group"])
    text = [
        label(key, lang, kpi=_kpi_name(scheme, p, k, lang), group=name_of("rater_group", g, lang))
        for p, k, g in zip(unique["position"], unique["kpi_id"], unique["rater_group"], strict=True)
    ]
    return pd.DataFrame({"employee_id": unique["employee_id"].to_numpy(), "flag": text})


def _few_flags(rows: pd.DataFrame, minimum: pd.Series, scheme: Scheme, lang: Lang) -> pd.DataFrame:
    text = [
        label(
            "flag.rater_group_too_few",
            lang,
            kpi=_kpi_name(scheme, p, k, lang),
            group=name_of("rater_group", g, lang),
            count=c,
            minimum=int(m),
        )
        for p, k, g, c, m in zip(
            rows["position"],
            rows["kpi_id"],
            rows["rater_group"],
            rows["raters"],
            minimum.loc[rows.index],
            strict=True,
        )
    ]
    return pd.DataFrame({"employee_id": rows["employee_id"].to_numpy(), "flag": text})
