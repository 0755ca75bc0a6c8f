"""Calibration of 360 ratings (kpi_toolkit.engine.calibration): leniency, self against
superior, the breakdown as shown to the person rated."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_toolkit.engine.calibration import (
    BREAKDOWN_ORDER,
    LENIENCY_COLUMNS,
    OTHERS,
    SELF_SUPERIOR_COLUMNS,
    leniency,
    merged_for_employee,
    self_and_superior,
)
from kpi_toolkit.labels import name_of

COLUMNS = ["employee_id", "kpi_id", "rater_id", "rater_group", "value"]
BREAKDOWN = ["employee_id", "kpi_id", "rater_group", "raters", "mean", "weight", "used_weight"]


def values(*rows: tuple[str, str, str, float], kpi: str = "teamwork") -> pd.DataFrame:
    """``(ratee, rater, group, value)`` rows of one KPI."""
    return pd.DataFrame([(e, kpi, r, g, v) for e, r, g, v in rows], columns=COLUMNS)


def breakdown(*rows: tuple[str, int, float, float, float], person: str = "A") -> pd.DataFrame:
    """``(group, raters, mean, weight, used_weight)`` rows of one person's teamwork."""
    frame = pd.DataFrame([(person, "teamwork", *row) for row in rows], columns=BREAKDOWN).astype(
        {"raters": "int64"}
    )
    return frame.assign(counted=frame["used_weight"] > 0)


# A rated by R1, R2, R3 and themselves; B by R1 and R2; C by R2 alone (nobody to compare).
RATED = values(
    ("A", "R1", "superior", 5.0),
    ("A", "R2", "peers", 3.0),
    ("A", "R3", "peers", 4.0),
    ("A", "A", "self", 1.0),
    ("B", "R1", "superior", 4.0),
    ("B", "R2", "peers", 4.0),
    ("C", "R2", "peers", 2.0),
)


def test_leniency_by_hand():
    # R1: A 5 against (3 + 4) / 2 = 3.5, B 4 against 4 → given 4.5, others 3.75
    # R2: A 3 against (5 + 4) / 2 = 4.5, B 4 against 4 (C: nobody else) → 3.5 against 4.25
    # R3: A 4 against (5 + 3) / 2 = 4 → 4 against 4
    got = leniency(RATED)
    assert list(got.columns) == LENIENCY_COLUMNS
    assert got.to_dict("records") == [
        {"rater_id": "R1", "kpi_id": "teamwork", "people": 2, "given": 4.5, "others": 3.75,
         "difference": 0.75},
        {"rater_id": "R3", "kpi_id": "teamwork", "people": 1, "given": 4.0, "others": 4.0,
         "difference": 0.0},
        {"rater_id": "R2", "kpi_id": "teamwork", "people": 2, "given": 3.5, "others": 4.25,
         "difference": -0.75},
    ]  # fmt: skip


def test_leniency_leaves_self_ratings_out_on_both_sides():
    harsh_self = RATED.assign(value=np.where(RATED["rater_group"] == "self", 5.0, RATED["value"]))
    pd.testing.assert_frame_equal(leniency(harsh_self), leniency(RATED))
    assert "A" not in set(leniency(RATED)["rater_id"])


def test_leniency_per_kpi_and_nobody_to_compare():
    two = pd.concat(
        [
            RATED,
            values(("A", "R1", "superior", 2.0), ("A", "R2", "peers", 4.0), kpi="cooperation"),
            values(("D", "R9", "superior", 5.0)),  # only rater of D: nothing to compare
        ]
    )
    got = leniency(two).set_index(["rater_id", "kpi_id"])
    assert got.loc[("R1", "cooperation"), "difference"] == -2.0
    assert got.loc[("R2", "cooperation"), "difference"] == 2.0
    assert got.loc[("R1", "teamwork"), "difference"] == 0.75  # the other KPI does not mix in
    assert "R9" not in got.index.get_level_values("rater_id")


def test_leniency_of_nothing():
    got = leniency(values())
    assert got.empty and list(got.columns) == LENIENCY_COLUMNS


ratings_strategy = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "D"]),
        st.sampled_from(["R1", "R2", "R3", "R4", "R5"]),
        st.sampled_from(["superior", "peers", "subordinates", "self"]),
        st.integers(1, 5),
    ),
    max_size=30,
    unique_by=lambda row: (row[0], row[1]),  # one rating per rater and person
)


@settings(max_examples=60, deadline=None)
@given(ratings_strategy, st.floats(-2, 2))
def test_leniency_differences_balance_out_and_ignore_a_shift(rows, shift):
    """Per KPI, Σ people × difference is 0 (each rater against the others of the same
    people), and adding the same number to every rating changes no difference."""
    rated = values(*[(e, r, g, float(v)) for e, r, g, v in rows])
    got = leniency(rated)
    assert abs(float((got["people"] * got["difference"]).sum())) < 1e-9
    shifted = leniency(rated.assign(value=rated["value"] + shift))
    np.testing.assert_allclose(shifted["difference"], got["difference"], atol=1e-9)
    assert (got["people"] >= 1).all()


def test_self_and_superior_by_hand():
    rows = pd.concat(
        [
            RATED,
            values(("B", "B", "self", 4.5)),
            values(("E", "E", "self", 3.0)),  # no superior's rating yet
            values(("A", "A", "self", 2.0), ("A", "R1", "superior", 4.0), kpi="cooperation"),
        ]
    )
    got = self_and_superior(rows)
    assert list(got.columns) == SELF_SUPERIOR_COLUMNS
    records = got.set_index(["employee_id", "kpi_id"]).to_dict("index")
    assert records[("A", "teamwork")] == {"self": 1.0, "superior": 5.0, "gap": -4.0}
    assert records[("B", "teamwork")] == {"self": 4.5, "superior": 4.0, "gap": 0.5}
    assert records[("A", "cooperation")] == {"self": 2.0, "superior": 4.0, "gap": -2.0}
    gone = records[("E", "teamwork")]
    assert gone["self"] == 3.0 and math.isnan(gone["superior"]) and math.isnan(gone["gap"])
    assert len(got) == 4  # only where a self rating exists (C has none)


def test_self_and_superior_without_self_ratings():
    got = self_and_superior(RATED.loc[RATED["rater_group"] != "self"])
    assert got.empty and list(got.columns) == SELF_SUPERIOR_COLUMNS


def test_a_lone_peer_is_merged_and_hidden():
    rows = breakdown(
        ("peers", 1, 2.0, 0.25, 0.0),
        ("subordinates", 3, 4.5, 0.25, 1 / 3),
        ("superior", 1, 4.0, 0.5, 2 / 3),
    )
    got = merged_for_employee(rows)
    assert list(got["rater_group"]) == ["superior", "subordinates", OTHERS]
    assert got["raters"].tolist() == [1, 3, 1]
    assert got["mean"].iloc[:2].tolist() == [4.0, 4.5]  # the superior is shown, alone
    assert math.isnan(got["mean"].iloc[2])  # the lone colleague's rating is not
    assert got["weight"].tolist() == [0.5, 0.25, 0.25]
    assert got["raters"].dtype == rows["raters"].dtype
    assert name_of("rater_group", OTHERS) == "其他评价人"


def test_two_lone_raters_make_an_others_group_with_their_mean():
    rows = breakdown(
        ("superior", 1, 4.0, 0.5, 0.5),
        ("peers", 1, 2.0, 0.25, 0.25),
        ("subordinates", 1, 5.0, 0.25, 0.25),
        ("self", 1, 3.0, 0.0, 0.0),
    )
    got = merged_for_employee(rows).set_index("rater_group")
    assert list(got.index) == ["superior", OTHERS, "self"]
    assert got.loc[OTHERS, ["raters", "mean", "weight", "used_weight"]].tolist() == [
        2,
        3.5,
        0.5,
        0.5,
    ]
    assert bool(got.loc[OTHERS, "counted"]) is True
    assert got.loc["self", "mean"] == 3.0  # the person's own rating, as given


def test_groups_large_enough_are_kept_as_they_are():
    rows = breakdown(("superior", 1, 4.0, 0.6, 0.6), ("peers", 2, 3.5, 0.4, 0.4), person="B")
    pd.testing.assert_frame_equal(merged_for_employee(rows), rows)


def test_min_raters_is_a_parameter():
    rows = breakdown(("superior", 1, 4.0, 0.6, 0.6), ("peers", 2, 3.5, 0.4, 0.4))
    got = merged_for_employee(rows, min_raters=3)
    assert list(got["rater_group"]) == ["superior", OTHERS]
    assert math.isnan(got["mean"].iloc[1])


def test_people_and_kpis_keep_their_order():
    rows = pd.concat(
        [
            breakdown(("peers", 1, 2.0, 0.4, 0.0), ("superior", 1, 4.0, 0.6, 1.0), person="Z"),
            breakdown(("superior", 1, 3.0, 0.6, 0.6), ("peers", 3, 3.0, 0.4, 0.4), person="A"),
        ],
        ignore_index=True,
    )
    got = merged_for_employee(rows)
    assert list(zip(got["employee_id"], got["rater_group"], strict=True)) == [
        ("Z", "superior"),
        ("Z", OTHERS),
        ("A", "superior"),
        ("A", "peers"),
    ]


groups_strategy = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.sampled_from(["teamwork", "cooperation"]),
        st.sampled_from(["superior", "peers", "subordinates", "self"]),
        st.integers(1, 5),
        st.integers(10, 50).map(lambda v: v / 10),
        st.sampled_from([0.0, 0.2, 0.25, 0.4, 0.5]),
    ),
    max_size=16,
    unique_by=lambda row: row[:3],
)


@settings(max_examples=80, deadline=None)
@given(groups_strategy, st.integers(2, 4))
def test_merging_keeps_raters_weights_and_the_weighted_mean(rows, min_raters):
    frame = pd.DataFrame(
        [(e, k, g, r, m, w, w) for e, k, g, r, m, w in rows], columns=BREAKDOWN
    ).astype({"raters": "int64", "mean": float, "weight": float, "used_weight": float})
    frame["counted"] = frame["weight"] > 0
    got = merged_for_employee(frame, min_raters=min_raters)
    keys = ["employee_id", "kpi_id"]
    before, after = frame.groupby(keys), got.groupby(keys)
    pd.testing.assert_series_equal(before["raters"].sum(), after["raters"].sum())
    np.testing.assert_allclose(after["weight"].sum(), before["weight"].sum())
    shown = got.loc[got["mean"].notna()]
    hidden = got.loc[got["mean"].isna()]
    # no group but the superior's and the person's own shows fewer than min_raters
    assert (
        shown.loc[~shown["rater_group"].isin(["superior", "self"]), "raters"] >= min_raters
    ).all()
    assert set(hidden["rater_group"]) <= {OTHERS}
    # where nothing is hidden, Σ raters × mean (so the weighted mean) is the same
    whole = frame.assign(part=frame["raters"] * frame["mean"]).groupby(keys)["part"].sum()
    kept = got.assign(part=got["raters"] * got["mean"]).groupby(keys)["part"].sum(min_count=1)
    complete = ~got.groupby(keys)["mean"].apply(lambda m: m.isna().any())
    np.testing.assert_allclose(kept[complete], whole[complete])
    # the superior's and the person's own rows come through unchanged
    mine = ["superior", "self"]
    pd.testing.assert_frame_equal(
        got.loc[got["rater_group"].isin(mine)]
        .sort_values([*keys, "rater_group"])
        .reset_index(drop=True),
        frame.loc[frame["rater_group"].isin(mine)]
        .sort_values([*keys, "rater_group"])
        .reset_index(drop=True),
    )
    order = got["rater_group"].map(BREAKDOWN_ORDER.index)
    assert all(o.is_monotonic_increasing for _, o in order.groupby([got[k] for k in keys]))


@pytest.mark.parametrize("group", ["superior", "self"])
def test_the_superior_and_self_are_never_merged(group):
    rows = breakdown((group, 1, 4.0, 0.5, 0.5))
    pd.testing.assert_frame_equal(merged_for_employee(rows), rows)
