"""The bonus pool (seed section 3) and its allocation: base and proportional (bonus.py)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_toolkit.engine.bonus import BonusPool, allocate_bonus, bonus_pool
from kpi_toolkit.errors import DataError

TOTALS = st.integers(0, 10_000).map(lambda hundredths: hundredths / 100)  # as stored: 2 places


def scores(totals: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"employee_id": [f"E{i:02d}" for i in range(len(totals))], "total": totals})


def cents(frame: pd.DataFrame) -> list[int]:
    return [round(b * 100) for b in frame["bonus"]]


# --- the pool ----------------------------------------------------------------------------


def test_base_per_head_is_the_seed_formula() -> None:
    # (N × P + M × Q) ÷ headcount = (120 × 30 + 45 × 80) ÷ 8 = (3600 + 3600) ÷ 8 = 900
    pool = bonus_pool(installs=120, install_price=30, repairs=45, repair_price=80, headcount=8)
    assert (pool.pool_cents, pool.pool, pool.headcount) == (720_000, 7200.0, 8)
    assert pool.base_per_head == 900.0


def test_pool_in_cents_is_exact_for_prices_in_cents() -> None:
    # 3 × 0.1 is 0.30000000000000004 in floating point; the pool is 30 cents
    pool = bonus_pool(installs=3, install_price=0.1, repairs=7, repair_price=19.99, headcount=3)
    assert pool.pool_cents == 30 + 13_993
    assert pool.base_per_head == pytest.approx(140.23 / 3)


def test_no_installs_and_no_repairs_is_an_empty_pool() -> None:
    pool = bonus_pool(installs=0, install_price=30, repairs=0, repair_price=80, headcount=5)
    assert (pool.pool_cents, pool.base_per_head) == (0, 0.0)
    assert cents(allocate_bonus(scores([90.0, 80.0]), pool=pool)) == [0, 0]


def test_bad_input_is_refused_all_at_once_naming_each_value() -> None:
    with pytest.raises(DataError) as caught:
        bonus_pool(
            installs=-1, install_price=float("nan"), repairs=2.5, repair_price=-3, headcount=0
        )
    problems = {p.where: p for p in caught.value.problems}
    assert set(problems) == {"installs", "repairs", "install_price", "repair_price", "scores"}
    assert problems["installs"].value == -1
    assert problems["repairs"].value == 2.5
    assert "whole number" in problems["repairs"].allowed
    assert problems["repair_price"].allowed.startswith("an amount ≥ 0")
    assert "nobody appraised" in problems["scores"].message


@pytest.mark.parametrize("bad", [float("inf"), -0.01])
def test_a_price_must_be_a_finite_number_at_least_0(bad: float) -> None:
    with pytest.raises(DataError, match="install_price"):
        bonus_pool(installs=1, install_price=bad, repairs=0, repair_price=0, headcount=1)


# --- base allocation ---------------------------------------------------------------------


def test_base_pays_the_base_times_the_total_over_100() -> None:
    pool = BonusPool(pool_cents=300_000, headcount=3)  # base 1000 yuan
    result = allocate_bonus(scores([90.13, 100.0, 59.5]), pool=pool, allocation="base")
    assert result["bonus"].tolist() == [901.3, 1000.0, 595.0]
    assert result["employee_id"].tolist() == ["E00", "E01", "E02"]  # rows kept, in order


def test_base_rounds_half_a_cent_up() -> None:
    pool = BonusPool(pool_cents=100, headcount=1)  # base 1 yuan: total 0.5 earns 0.5 cent
    result = allocate_bonus(scores([0.5, 1.5, 2.5, 0.49]), pool=pool)
    assert cents(result) == [1, 2, 3, 0]
    # 2.50 yuan × 64.6 / 100 = 1.615 yuan exactly; in floating point 161.49999... cents
    one = BonusPool(pool_cents=250, headcount=1)
    assert allocate_bonus(scores([64.6]), pool=one)["bonus"].tolist() == [1.62]


def test_bonus_follows_the_total_as_shown() -> None:
    pool = BonusPool(pool_cents=1_000_000, headcount=1)  # base 10 000 yuan
    result = allocate_bonus(scores([90.125, 90.1249999999]), pool=pool)
    assert result["bonus"].tolist() == [9013.0, 9013.0]  # both shown as 90.13


@given(
    pool_cents=st.integers(0, 10_000_000),
    totals=st.lists(TOTALS, min_size=1, max_size=30),
)
def test_base_is_the_exact_amount_rounded_to_the_cent_half_up(pool_cents: int, totals: list):
    pool = BonusPool(pool_cents=pool_cents, headcount=len(totals))
    got = cents(allocate_bonus(scores(totals), pool=pool, allocation="base"))
    base = Fraction(pool_cents, len(totals))
    exact = [base * Fraction(round(t * 100), 10_000) for t in totals]
    assert got == [int(e + Fraction(1, 2)) for e in exact]


# --- proportional allocation -------------------------------------------------------------


def test_proportional_shares_the_whole_pool_by_total() -> None:
    pool = BonusPool(pool_cents=100, headcount=3)  # 1 yuan for 3 equal totals: 34 + 33 + 33
    result = allocate_bonus(scores([80.0, 80.0, 80.0]), pool=pool, allocation="proportional")
    assert cents(result) == [34, 33, 33]  # the cent left over goes to the first in the file
    result = allocate_bonus(scores([60.0, 90.0]), pool=pool, allocation="proportional")
    assert cents(result) == [40, 60]


def test_proportional_gives_a_leftover_cent_to_the_higher_total_on_equal_fractions() -> None:
    pool = BonusPool(pool_cents=7, headcount=3)  # exact 1.4, 2.8, 2.8 → 1, 2, 2 + 2 cents
    result = allocate_bonus(scores([25.0, 50.0, 50.0]), pool=pool, allocation="proportional")
    assert cents(result) == [1, 3, 3]


@given(
    pool_cents=st.integers(0, 100_000_000),
    totals=st.lists(TOTALS, min_size=1, max_size=60).filter(lambda t: sum(t) > 0),
)
def test_proportional_cents_add_up_to_the_pool_and_follow_the_totals(pool_cents: int, totals: list):
    pool = BonusPool(pool_cents=pool_cents, headcount=len(totals))
    got = np.array(cents(allocate_bonus(scores(totals), pool=pool, allocation="proportional")))
    assert got.sum() == pool_cents  # not a cent more or less
    shown = [Fraction(round(t * 100)) for t in totals]  # the totals as decimals
    exact = [Fraction(pool_cents) * t / sum(shown) for t in shown]
    assert all(0 <= g - int(e) <= 1 for g, e in zip(got, exact, strict=True))  # floor or +1
    order = np.lexsort((got, totals))  # by total, equal totals by bonus
    assert (np.diff(got[order]) >= 0).all()  # a higher total never gets less


def test_proportional_refuses_when_every_total_is_0() -> None:
    pool = BonusPool(pool_cents=100, headcount=2)
    with pytest.raises(DataError, match="every total is 0") as caught:
        allocate_bonus(scores([0.0, 0.0]), pool=pool, allocation="proportional")
    assert caught.value.problems[0].allowed == "the base allocation"
    assert cents(allocate_bonus(scores([0.0, 0.0]), pool=pool, allocation="base")) == [0, 0]


@pytest.mark.parametrize("allocation", ["base", "proportional"])
def test_blank_or_negative_totals_are_refused_naming_the_employee(allocation: str) -> None:
    pool = BonusPool(pool_cents=100, headcount=3)
    with pytest.raises(DataError) as caught:
        allocate_bonus(scores([90.0, np.nan, -5.0]), pool=pool, allocation=allocation)
    problems = caught.value.problems
    assert [p.where for p in problems] == [
        "employee E01, column total",
        "employee E02, column total",
    ]
    assert [p.value for p in problems] == [None, -5.0]
    assert problems[0].allowed == "a number ≥ 0"


# --- pools too large for float arithmetic ------------------------------------------------


@pytest.mark.parametrize("allocation", ["base", "proportional"])
def test_a_pool_near_the_exact_limit_is_paid_to_the_cent(allocation: str) -> None:
    from kpi_toolkit.engine.numbers import MAX_EXACT_CENTS

    pool = BonusPool(pool_cents=MAX_EXACT_CENTS - 1, headcount=3)
    paid = cents(allocate_bonus(scores([100.0, 99.99, 0.01]), pool=pool, allocation=allocation))
    assert all(c >= 0 for c in paid)
    if allocation == "proportional":
        assert sum(paid) == MAX_EXACT_CENTS - 1


def test_a_pool_past_what_cents_hold_exactly_is_refused() -> None:
    with pytest.raises(DataError, match="too large to pay to the cent"):
        bonus_pool(installs=1e15, install_price=1e10, repairs=0, repair_price=0, headcount=2)
