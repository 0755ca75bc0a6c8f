"""The 360 grouping on integer codes against the ``groupby``/``merge`` version it replaced.

:func:`~kpi_toolkit.engine.raters.rate_360` groups ratings on factorised keys; the
reference below is the earlier text-keyed version, kept here to show both give the same
tables (values, breakdown, flags, given) row for row on random ratings.
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import PERIOD, make_roster, scheme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_toolkit.engine import raters
from kpi_toolkit.engine.inputs import check_ratings, check_roster
from kpi_toolkit.errors import DataError
from kpi_toolkit.periods import Period, parse_period

POSITIONS = ("supervisor", "specialist", "manager", "driver")
GROUPS = ("superior", "peers", "subordinates", "self")
RATERS = ("R1", "R2", "R3", "R4", "E 2")


def reference_rate_360(
    ratings: pd.DataFrame, *, scheme: object, roster: pd.DataFrame, period: Period
) -> raters.Rated:
    """The text-keyed version (``merge`` and ``groupby`` on the id columns)."""
    lang = "zh"
    rows = ratings.loc[ratings["period"] == str(period)].merge(
        roster[["employee_id", "position"]], on="employee_id", how="left"
    )
    rows = rows.loc[rows["position"].isin(scheme.positions)]  # type: ignore[attr-defined]
    rows["weight"] = raters._group_weights(rows, scheme)  # type: ignore[arg-type]
    self_rows = rows["rater_group"].eq("self") & rows["weight"].isna()
    flags = [raters._flag_frame(rows.loc[self_rows], "flag.self_ignored", scheme, lang)]  # type: ignore[arg-type]
    raters._refuse_unknown_groups(rows.loc[rows["weight"].isna() & ~self_rows], scheme)  # type: ignore[arg-type]
    groups = (
        rows.loc[~self_rows]
        .groupby(["employee_id", "position", "kpi_id", "rater_group"], as_index=False)
        .agg(raters=("rater_id", "nunique"), mean=("value", "mean"), weight=("weight", "first"))
    )
    least = {
        (pid, g): n
        for pid, p in scheme.positions.items()  # type: ignore[attr-defined]
        for g, n in p.min_raters.items()
    }
    minimum = raters._per_group(groups, least).fillna(1)
    shown_only = groups["weight"] <= 0
    groups["counted"] = (groups["raters"] >= minimum) & ~shown_only
    flags.append(
        raters._few_flags(groups.loc[~groups["counted"] & ~shown_only], minimum, scheme, lang)  # type: ignore[arg-type]
    )
    people = groups[["employee_id", "position", "kpi_id"]].drop_duplicates()
    wanted = pd.DataFrame(
        [(pid, g) for pid, p in scheme.positions.items() for g in p.counted_groups()],  # type: ignore[attr-defined]
        columns=["position", "rater_group"],
    )
    expected = people.merge(wanted, on="position").merge(
        groups[["employee_id", "kpi_id", "rater_group"]], how="left", indicator=True
    )
    missing = expected.loc[expected["_merge"] == "left_only"]
    flags.append(raters._flag_frame(missing, "flag.rater_group_missing", scheme, lang))  # type: ignore[arg-type]
    counted = groups.loc[groups["counted"]]
    share = counted.groupby(["employee_id", "kpi_id"])["weight"].transform("sum")
    groups["used_weight"] = (counted["weight"] / share).reindex(groups.index).fillna(0.0)
    values = (
        groups.assign(part=groups["mean"] * groups["used_weight"])
        .loc[groups["counted"]]
        .groupby(["employee_id", "kpi_id"], as_index=False)
        .agg(value=("part", "sum"))
    )
    given = rows[["employee_id", "kpi_id", "rater_id", "rater_group", "value"]]
    return raters.Rated(
        values=values,
        breakdown=groups.drop(columns=["position"]),
        flags=pd.concat(flags, ignore_index=True),
        given=given.reset_index(drop=True),
    )


rating_rows = st.lists(
    st.tuples(
        st.integers(0, 11),  # ratee
        st.sampled_from(RATERS),
        st.sampled_from(GROUPS),
        st.sampled_from([1.0, 2.0, 3.5, 4.0, 4.25, 5.0, 2.2]),
        st.booleans(),  # in the period
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rating_rows, positions=st.lists(st.sampled_from(POSITIONS), min_size=12, max_size=12))
def test_grouping_on_codes_gives_the_tables_of_groupby(
    rows: list[tuple[int, str, str, float, bool]], positions: list[str]
) -> None:
    team = scheme("after_sales_team")
    roster = check_roster(make_roster(*[(f"E{i:02d}", p) for i, p in enumerate(positions)]))
    table = pd.DataFrame(
        [
            (f"E{e:02d}", PERIOD if now else "2026-Q2", "teamwork", r, g, v)
            for e, r, g, v, now in rows
        ],
        columns=["employee_id", "period", "kpi_id", "rater_id", "rater_group", "value"],
    ).drop_duplicates(["employee_id", "period", "kpi_id", "rater_id"])
    checked = check_ratings(table, scheme=team, roster=roster)
    period = parse_period(PERIOD)
    try:
        expected = reference_rate_360(checked, scheme=team, roster=roster, period=period)
    except DataError as error:
        with pytest.raises(DataError) as raised:
            raters.rate_360(checked, scheme=team, roster=roster, period=period)
        assert str(raised.value) == str(error)
        return
    got = raters.rate_360(checked, scheme=team, roster=roster, period=period)
    for name in ("values", "breakdown", "flags", "given"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
