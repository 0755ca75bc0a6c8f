"""Who is appraised in a period, and who is not (with the reason)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..labels import Lang, label, position_names
from ..periods import Period
from .scheme import Scheme

__all__ = ["appraisees", "not_employed"]

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
    titles = roster.get("title")  # the roster's own words for a position, where given
    named = pd.Series(
        position_names(roster["position"], scheme=scheme, lang=lang, titles=titles),
        index=roster.index,
        dtype="object",
    )
    codes = pd.Series("", index=roster.index, dtype="object")
    reasons = pd.Series("", index=roster.index, dtype="object")
    tests = [
        ("probation", roster["status"] == "probation", lambda r: label("excluded.probation", lang)),
        (
            "position",
            ~roster["position"].isin(grain_of),
            lambda r: label("excluded.position", lang, position=named[r.name]),
        ),
        (
            "grain",
            roster["position"].map(grain_of).fillna(period.grain) != period.grain,
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
            not_employed(roster, period),
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
        position_name=named[out], reason_code=codes[out], reason=reasons[out]
    )
    appraised = roster.loc[~out].copy()
    appraised["flags"] = _movement_flags(appraised, period, lang)
    return appraised, excluded[EXCLUDED_COLUMNS].reset_index(drop=True)


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
