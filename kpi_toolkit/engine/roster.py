"""Who is appraised in a period, and who is not (with the reason)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..labels import Lang, label, position_names
from ..periods import Period
from .scheme import Scheme

__all__ = ["appraisees", "not_employed", "on_probation", "require_appraised", "unused_actuals"]

EXCLUDED_COLUMNS = [
    "employee_id",
    "name",
    "position",
    "position_name",
    "team",
    "reason_code",
    "reason",
]


def appraisees(
    roster: pd.DataFrame, *, scheme: Scheme, period: Period, lang: Lang = "zh"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a checked roster into the people appraised in ``period`` and the rest.

    Probation staff are not appraised (seed section 3); nor are people whose position is
    not in the scheme or is appraised at another grain (a yearly manager in a quarter), nor
    people not employed during the period. Returns ``(appraised, excluded)``; ``excluded``
    has ``reason_code``, a readable ``reason`` and ``position_name`` (the position as a
    reader calls it: the roster's ``title`` where the scheme has no such position, see
    :func:`~kpi_toolkit.labels.position_name`). ``appraised`` has a ``flags`` column noting
    who joined or left inside the period.
    """
    grain_of = {pid: p.period for pid, p in scheme.positions.items()}
    probation = on_probation(roster, period)
    other_position = ~roster["position"].isin(grain_of)
    other_grain = roster["position"].map(grain_of).fillna(period.grain) != period.grain
    away = not_employed(roster, period)
    named = _position_names(
        roster.loc[(probation | other_position | other_grain | away).to_numpy()],
        scheme=scheme,
        lang=lang,
    )
    codes = pd.Series("", index=roster.index, dtype="object")
    reasons = pd.Series("", index=roster.index, dtype="object")
    tests = [
        ("probation", probation, lambda r: _probation_reason(r, lang)),
        (
            "position",
            other_position,
            lambda r: label("excluded.position", lang, position=named[r.name]),
        ),
        (
            "grain",
            other_grain,
            lambda r: label(
                "excluded.grain",
                lang,
                position=named[r.name],
                period=str(period),
                grain=label(f"grain.{grain_of[r['position']]}", lang),
            ),
        ),
        (
            "not_employed",
            away,
            lambda r: label("excluded.not_employed", lang, period=str(period)),
        ),
    ]
    out = np.zeros(len(roster), dtype=bool)
    for code, mask, text in tests:
        fresh = np.asarray(mask, dtype=bool) & ~out
        if fresh.any():
            codes[fresh] = code
            reasons[fresh] = roster[fresh].apply(text, axis=1)
            out |= fresh
    excluded = roster.loc[out].assign(
        position_name=named.loc[roster.index[out]], reason_code=codes[out], reason=reasons[out]
    )
    appraised = roster.loc[~out].copy()
    appraised["flags"] = _movement_flags(appraised, period, lang)
    return appraised, excluded[EXCLUDED_COLUMNS].reset_index(drop=True)


def _position_names(people: pd.DataFrame, *, scheme: Scheme, lang: Lang) -> pd.Series:
    """The position name of each of ``people`` (only those left out are named: a name is
    looked up person by person, with the roster's ``title`` where given)."""
    titles = people.get("title")  # the roster's own words for a position, where given
    return pd.Series(
        position_names(people["position"], scheme=scheme, lang=lang, titles=titles),
        index=people.index,
        dtype="object",
    )


def on_probation(roster: pd.DataFrame, period: Period) -> pd.Series:
    """Who is on probation (试用期) in ``period``, and so not appraised (seed section 3).

    Without a ``confirmed`` date (转正日期), ``status`` decides. With one, the date does:
    a person is appraised from the first period that starts on or after it (confirmed on
    2026-07-01: from July, or from Q3; on 2026-07-02: from August, or from Q4), whatever
    ``status`` says (``status`` is then what the person is without a date: the roster's
    status when it was exported).

    Examples
    --------
    >>> from kpi_toolkit.periods import parse_period
    >>> roster = pd.DataFrame({"status": ["probation", "regular", "probation"],
    ...     "confirmed": pd.to_datetime(["2026-07-01", "2026-07-02", None])})
    >>> on_probation(roster, parse_period("2026-07")).tolist()
    [False, True, True]
    >>> on_probation(roster, parse_period("2026-Q4")).tolist()
    [False, False, True]
    """
    confirmed = _dates(roster, "confirmed")
    before = pd.Timestamp(period.start) < confirmed
    return before.where(confirmed.notna(), roster["status"] == "probation").astype(bool)


def _probation_reason(person: pd.Series, lang: Lang) -> str:
    confirmed = person.get("confirmed")
    if confirmed is None or pd.isna(confirmed):
        return label("excluded.probation", lang)
    return label("excluded.probation_until", lang, date=pd.Timestamp(confirmed).date())


def _dates(roster: pd.DataFrame, column: str) -> pd.Series:
    if column not in roster:
        return pd.Series(pd.NaT, index=roster.index)
    return pd.to_datetime(roster[column], errors="coerce")


def not_employed(roster: pd.DataFrame, period: Period) -> pd.Series:
    """Who joined after the period ended or left before it began."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    return (_dates(roster, "joined") > end) | (_dates(roster, "left") < start)


def _movement_flags(roster: pd.DataFrame, period: Period, lang: Lang) -> pd.Series:
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    joined, left = _dates(roster, "joined"), _dates(roster, "left")
    flags = pd.Series("", index=roster.index, dtype="object")
    inside_join = (joined > start) & (joined <= end)
    inside_left = (left >= start) & (left < end)
    flags[inside_join] = joined[inside_join].dt.date.map(
        lambda d: label("flag.joined", lang, date=d)
    )
    flags[inside_left] = (flags[inside_left] + "; ").str.lstrip("; ") + left[
        inside_left
    ].dt.date.map(lambda d: label("flag.left", lang, date=d))
    return flags


def require_appraised(
    scores: pd.DataFrame,
    excluded: pd.DataFrame,
    *,
    period: object,
    rows: int,
    file: str | None = None,
    where: str | None = None,
) -> None:
    """The one "nobody appraised" rule of every command (score, annual, bonus, report).

    A result with nobody in it is bad input, never an empty table: raises
    :class:`~kpi_toolkit.errors.DataError` saying how many rows were read for the period
    and why each group of people was left out (probation, a position the scheme does not
    have, no actuals, ...), each reason with how many people it holds. ``where`` names the
    place (default: the period).

    Examples
    --------
    >>> excluded = pd.DataFrame({"employee_id": ["E1", "E2"], "reason": ["试用期", "试用期"]})
    >>> require_appraised(pd.DataFrame({"employee_id": []}), excluded, period="2026-Q3", rows=2)
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.DataError: nobody appraised in 2026-Q3
      - period 2026-Q3: 2 row(s) read for it, 2 person(s) left out: 试用期 [2]; ...
    """
    if len(scores):
        return
    reasons = excluded["reason"] if "reason" in excluded else pd.Series(dtype=object)
    counts = reasons.value_counts(sort=False).head(8)
    why = "; ".join(f"{reason} [{n}]" for reason, n in counts.items())
    raise DataError(
        Problem(
            where=where or f"period {period}",
            message=f"{rows} row(s) read for it, {len(excluded)} person(s) left out"
            + (f": {why}" if why else ""),
            value=None,
            allowed="at least one person appraised: a regular employee of a position of the "
            "scheme with actuals for the period",
            file=file,
        ),
        title=f"nobody appraised in {period}",
    )


def unused_actuals(
    excluded: pd.DataFrame, actuals: pd.DataFrame, *, period: Period
) -> pd.DataFrame:
    """The people left out whose actuals for ``period`` are there but not used because the
    scheme has no such position: a row a user expects to count (to warn about it).

    Examples
    --------
    >>> from kpi_toolkit.periods import parse_period
    >>> excluded = pd.DataFrame({"employee_id": ["E1", "E2"], "reason_code": ["position"] * 2})
    >>> actuals = pd.DataFrame({"employee_id": ["E1"], "period": ["2026-q3"]})
    >>> unused_actuals(excluded, actuals, period=parse_period("2026-Q3"))["employee_id"].tolist()
    ['E1']
    """
    if "period" not in actuals or "reason_code" not in excluded:
        return excluded.iloc[0:0]
    of_period = actuals["period"].astype(str).str.strip().str.upper() == str(period).upper()
    ids = set(actuals.loc[of_period, "employee_id"].astype(str).str.strip())
    unused = (excluded["reason_code"] == "position") & excluded["employee_id"].astype(str).isin(ids)
    return excluded.loc[unused]
