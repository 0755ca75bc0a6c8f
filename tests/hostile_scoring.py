"""Hostile ratings tables through ``kpi score``: the checks that now run on integer codes
(duplicate raters, periods read once per distinct text, blank values) still name the row
and the fault, also where a ratee is not in the roster (the checks fall back to the texts)."""

from __future__ import annotations

import shutil

import pandas as pd
from hostile import Case, Place

SCHEME = "after_sales_team"
PERIOD = "2026-Q3"
ARGV = ["score", "--scheme", SCHEME, "--data-dir", "{w}", "--period", PERIOD]
ARGV += ["--out", "{w}/out.csv"]


def _ratings(change):  # type: ignore[no-untyped-def]
    """The sample department copied to ``{w}`` with its ratings changed by ``change``."""

    def setup(place: Place) -> None:
        for path in place.sample.iterdir():
            if path.is_file() and path.name != "ratings.csv":
                shutil.copy(path, place.w / path.name)
        if (place.sample / "records").is_dir():
            shutil.copytree(place.sample / "records", place.w / "records")
        place.write_frame("ratings.csv", change(place.frame("ratings.csv")))

    return setup


def _twice(ratings: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([ratings, ratings.iloc[[0]]], ignore_index=True)


def _unknown_twice(ratings: pd.DataFrame) -> pd.DataFrame:
    stranger = ratings.iloc[[0, 0]].assign(employee_id="X999")
    return pd.concat([ratings, stranger], ignore_index=True)


def _bad_period(ratings: pd.DataFrame) -> pd.DataFrame:
    ratings.loc[ratings.index[3], "period"] = "2026-Q5"
    return ratings


def _blank_value(ratings: pd.DataFrame) -> pd.DataFrame:
    ratings.loc[ratings.index[1], "value"] = ""
    return ratings


CASES = [
    Case(
        id="score-ratings-same-rater-twice",
        argv=ARGV,
        setup=_ratings(_twice),
        needles=["twice in the period", "column rater_id"],
        absent=["{w}/out.csv"],
    ),
    Case(
        id="score-ratings-unknown-ratee-twice",
        argv=ARGV,
        setup=_ratings(_unknown_twice),
        needles=["X999", "employee not in the roster", "twice in the period"],
        absent=["{w}/out.csv"],
    ),
    Case(
        id="score-ratings-bad-period",
        argv=ARGV,
        setup=_ratings(_bad_period),
        needles=["row 5", "not a period", "2026-Q5"],
        absent=["{w}/out.csv"],
    ),
    Case(
        id="score-ratings-blank-value",
        argv=ARGV,
        setup=_ratings(_blank_value),
        needles=["row 3", "blank rating"],
        absent=["{w}/out.csv"],
    ),
]
