"""The bonus pool (seed section 3) and its allocation by appraisal total.

绩效奖金基数 (base per head) = (installs × unit price + repairs × unit price) ÷ number of
staff appraised. ``base`` pays each person base × total / 100; ``proportional`` shares the
whole pool in proportion to the totals, in cents that add up exactly to the pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

__all__ = ["BonusPool", "allocate_bonus", "bonus_pool"]

Allocation = Literal["base", "proportional"]


@dataclass(frozen=True)
class BonusPool:
    """The pool in cents, the headcount it is shared by, and the base per head in yuan."""

    pool_cents: int
    headcount: int

    @property
    def pool(self) -> float:
        return self.pool_cents / 100

    @property
    def base_per_head(self) -> float:
        return self.pool / self.headcount if self.headcount else 0.0


def bonus_pool(
    *, installs: float, install_price: float, repairs: float, repair_price: float, headcount: int
) -> BonusPool:
    """The pool from installs and repairs; refuses negative or fractional counts."""
    checks = [
        ("installs", installs, True),
        ("repairs", repairs, True),
        ("install_price", install_price, False),
        ("repair_price", repair_price, False),
    ]
    problems = [
        Problem(
            where=name,
            message="must be " + ("a whole number ≥ 0" if whole else "≥ 0"),
            value=value,
            allowed="a whole number ≥ 0" if whole else "a number ≥ 0",
        )
        for name, value, whole in checks
        if not np.isfinite(value) or value < 0 or (whole and value != int(value))
    ]
    if headcount <= 0:
        problems.append(
            Problem(
                where="scores",
                message="nobody appraised: no one to share the pool",
                value=headcount,
                allowed="at least one employee",
            )
        )
    if problems:
        raise DataError(problems)
    cents = round((installs * install_price + repairs * repair_price) * 100)
    return BonusPool(pool_cents=int(cents), headcount=headcount)


def allocate_bonus(
    scores: pd.DataFrame, *, pool: BonusPool, allocation: Allocation = "base"
) -> pd.DataFrame:
    """Each appraised person's bonus in yuan (column ``bonus``), by ``allocation``."""
    totals = scores["total"].to_numpy(dtype=float)
    if allocation == "base":
        cents = np.floor(pool.pool_cents / pool.headcount * totals / 100 + 0.5)
    else:
        cents = _largest_remainder(totals, pool.pool_cents, scores)
    return scores.assign(bonus=cents.astype(np.int64) / 100)


def _largest_remainder(totals: np.ndarray, pool_cents: int, scores: pd.DataFrame) -> np.ndarray:
    if totals.sum() <= 0:
        raise DataError(
            Problem(
                where="scores.total",
                message="every total is 0: nothing to share in proportion",
                allowed="the base allocation",
            )
        )
    exact = pool_cents * totals / totals.sum()
    cents = np.floor(exact)
    left = int(pool_cents - cents.sum())
    # the largest fractions get a cent each; ties go to the higher total, then the file order
    order = np.lexsort((np.arange(len(totals)), -totals, -(exact - cents)))
    cents[order[:left]] += 1
    return cents
