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
from .grading import shown_total

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
    """Each appraised person's bonus in yuan (column ``bonus``), by ``allocation``.

    Computed in whole cents from the totals as shown (2 decimals, see
    :func:`~kpi_toolkit.engine.grading.shown_total`), in integers, so it is exact:
    ``base`` rounds half a cent up, ``proportional`` adds up to the pool to the cent.
    """
    hundredths = _hundredths(scores)
    if allocation == "base":
        scale = pool.headcount * 10_000  # base × total / 100 = pool × hundredths / scale
        cents = (2 * pool.pool_cents * hundredths + scale) // (2 * scale)
    else:
        cents = _largest_remainder(hundredths, pool.pool_cents)
    return scores.assign(bonus=cents / 100)


def _hundredths(scores: pd.DataFrame) -> np.ndarray:
    """The shown totals in hundredths, as integers; blank or negative totals are refused."""
    shown = shown_total(scores["total"].to_numpy(dtype=float))
    bad = ~(shown >= 0)
    if bad.any():
        raise DataError(
            [
                Problem(
                    where=f"employee {emp}, column total",
                    message="no usable total",
                    value=None if np.isnan(total) else float(total),
                    allowed="a number ≥ 0",
                )
                for emp, total in zip(scores["employee_id"][bad], shown[bad], strict=True)
            ]
        )
    return np.rint(shown * 100).astype(np.int64)


def _largest_remainder(hundredths: np.ndarray, pool_cents: int) -> np.ndarray:
    whole = int(hundredths.sum())
    if whole <= 0:
        raise DataError(
            Problem(
                where="scores.total",
                message="every total is 0: nothing to share in proportion",
                allowed="the base allocation",
            )
        )
    cents, remainder = np.divmod(pool_cents * hundredths, whole)
    left = pool_cents - int(cents.sum())
    # the largest remainders get a cent each; ties go to the higher total, then the file order
    order = np.lexsort((np.arange(len(hundredths)), -hundredths, -remainder))
    cents[order[:left]] += 1
    return cents
