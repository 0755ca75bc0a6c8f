"""The table checks that run on codes against the text-based versions they replaced:
periods read once per distinct text, the ratee found in the roster, a rater rating twice,
flag texts joined."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_toolkit.engine.inputs import _rated_twice
from kpi_toolkit.engine.points import join_flags
from kpi_toolkit.engine.table_checks import (
    _canonical_or_none,
    _periods,
    _text,
    positions_in,
)

PERIOD_TEXTS = (["2026-Q3", " 2026q3", "", "bad", "2026-07"], ["2026-Q3"] * 5, [], ["x"])


@pytest.mark.parametrize("texts", PERIOD_TEXTS)
@pytest.mark.parametrize("dtype", [None, object, "string"])
def test_periods_read_once_each_as_a_map_of_every_row(texts: list[str], dtype: object) -> None:
    frame = pd.DataFrame({"period": pd.Series(texts, dtype=dtype), "employee_id": "E"})
    frame["_row"] = np.arange(len(frame)) + 2
    text = _text(frame, "period")
    mapped = text.map({value: _canonical_or_none(value) for value in text.unique()})
    pd.testing.assert_series_equal(_periods(frame)[0], mapped)


ids = st.lists(st.sampled_from(["E1", "E2", "E3", "e1", "", "张伟"]), max_size=12)


@settings(max_examples=80, deadline=None)
@given(values=ids, reference=ids)
def test_positions_in_finds_the_first_place(values: list[str], reference: list[str]) -> None:
    first: dict[str, int] = {}
    for place, value in enumerate(reference):
        first.setdefault(value, place)
    found = positions_in(pd.Series(values, dtype="string"), pd.Series(reference, dtype="string"))
    assert found.tolist() == [first.get(v, -1) for v in values]


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.sampled_from(["2026-Q3", "2026-Q4", None]),
            st.sampled_from(["teamwork", "attitude"]),
            st.sampled_from(["R1", "R2", ""]),
        ),
        max_size=15,
    )
)
def test_rated_twice_on_codes_as_duplicated(rows: list[tuple]) -> None:
    frame = pd.DataFrame(rows, columns=["ratee", "period", "kpi_id", "rater_id"])
    frame["employee_id"] = "E" + frame["ratee"].astype(str)
    keys = ["employee_id", "period", "kpi_id", "rater_id"]
    expected = frame.duplicated(keys, keep=False)
    got = _rated_twice(frame, frame["ratee"].to_numpy())
    pd.testing.assert_series_equal(got, expected, check_names=False)


def _join_flags_before(*columns: pd.Series) -> pd.Series:
    parts = [c.astype(object).where(c.notna(), "") for c in columns]
    parts = [p for p in parts if (p != "").any()] or parts[:1]
    joined = parts[0].astype(str)
    for part in parts[1:]:
        joined = joined + np.where((joined != "") & (part != ""), "; ", "") + part
    return joined


@settings(max_examples=80, deadline=None)
@given(
    columns=st.lists(
        st.lists(st.sampled_from(["", "入职", "离职", None]), min_size=4, max_size=4),
        min_size=1,
        max_size=3,
    )
)
def test_flags_joined_as_before(columns: list[list[str | None]]) -> None:
    series = [pd.Series(c, dtype=object, index=[3, 5, 8, 9]) for c in columns]
    pd.testing.assert_series_equal(join_flags(*series), _join_flags_before(*series))
