"""The values a KPI's actual (or rating) may take, and reading a column of them as numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .rules import ManualRule
from .scheme import Kpi

__all__ = ["Allowed", "allowed_values", "converted"]


def _convert(column: pd.Series, kpi: Kpi) -> tuple[np.ndarray, list[tuple]]:
    """Numbers for one KPI column, and a (bad-row mask, message, allowed) per kind of fault."""
    domain = allowed_values(kpi)
    low, high, allowed = domain.low, domain.high, domain.text
    if pd.api.types.is_numeric_dtype(column):
        numbers = column.to_numpy(dtype=float)
        unreadable = np.zeros(len(column), dtype=bool)
    else:
        text = column.astype("string").str.strip().fillna("")
        labels = domain.labels
        mapped = text.map(labels) if labels else pd.Series(np.nan, index=text.index)
        percent = text.str.endswith("%").to_numpy() & (kpi.kind == "ratio")
        plain = text.where(~percent, text.str.rstrip("%")).where(text != "")
        numbers = pd.to_numeric(plain, errors="coerce").to_numpy(dtype=float)
        numbers = np.where(percent, numbers / 100, numbers)
        numbers = np.where(mapped.notna(), mapped.to_numpy(dtype=float), numbers)
        unreadable = ((text != "") & np.isnan(numbers)).to_numpy()
    numbers = np.where(numbers == 0, 0.0, numbers)  # "-0" is 0 (target ÷ -0 is -inf)
    with np.errstate(invalid="ignore"):
        outside = (numbers < low) | (numbers > high) | np.isinf(numbers)
        if domain.whole:
            outside |= np.abs(numbers - np.round(numbers)) > 1e-9
    faults = [
        (pd.Series(mask, index=column.index), message, allowed)
        for mask, message in (
            (unreadable, "not a number"),
            (outside, f"outside the range of a {kpi.kind}"),
        )
        if mask.any()
    ]
    return numbers, faults


@dataclass(frozen=True)
class Allowed:
    """The values a KPI's actual (or rating) may take.

    Attributes
    ----------
    low, high
        The range of numbers (``-inf``/``inf`` where open).
    text
        The range in words, for messages.
    labels
        The ordinal labels accepted in place of numbers (``很满意`` → 3), where the rule has
        any.
    whole
        Only whole numbers (counts).
    """

    low: float
    high: float
    text: str
    labels: Mapping[str, float] = field(default_factory=dict)
    whole: bool = False


def allowed_values(kpi: Kpi) -> Allowed:
    """What a value of ``kpi`` may be: its range, the range in words, its labels.

    The KPI's ``range`` first, then a ``manual`` rule's points (0 to ``out_of`` or the
    weight), then the labels of a rating scale, else the range of its kind.

    Examples
    --------
    >>> from kpi_toolkit.engine.scheme import builtin_scheme
    >>> teamwork = builtin_scheme("after_sales_team").positions["specialist"].kpi("teamwork")
    >>> allowed = allowed_values(teamwork)
    >>> allowed.low, allowed.high, allowed.text
    (1.0, 5.0, 'a number from 1 to 5')
    """
    labels = kpi.rule.value_labels()
    whole = kpi.kind == "count"
    if kpi.range is not None:
        low, high = kpi.range
        return Allowed(low, high, f"a number from {low:g} to {high:g}", labels, whole)
    if isinstance(kpi.rule, ManualRule):
        top = kpi.rule.out_of or kpi.weight
        return Allowed(0.0, top, f"points from 0 to {top:g} (the superior's score)", labels, whole)
    if labels:
        low, high = min(labels.values()), max(labels.values())
        text = f"one of {', '.join(labels)}, or a number from {low:g} to {high:g}"
        return Allowed(low, high, text, labels, whole)
    low, high, text = {
        "ratio": (0.0, 1.0, "a fraction from 0 to 1 (93 % is 0.93, or write 93%)"),
        "count": (0.0, np.inf, "a whole number ≥ 0"),
        "duration": (0.0, np.inf, "a number ≥ 0"),
        "rating": (0.0, np.inf, "a number ≥ 0"),
        "amount": (-np.inf, np.inf, "a number"),
    }[kpi.kind]
    return Allowed(low, high, text, labels, whole)


converted = _convert
