"""A KPI's breakdown in the report: its figure per ticket type, service stage … .

A metric that declares ``by:`` gives one actuals column per value (``workload[维修]``, see
:mod:`kpi_toolkit.breakdown`); under the per-KPI table of a position, each KPI with such
columns gets one small table: the value, the mean actual of the people appraised.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..breakdown import breakdown_label, split_breakdown
from ..engine.scheme import Kpi, Position
from ..labels import Lang, label
from .html import escape, table

__all__ = ["breakdown_columns", "kpi_breakdowns"]


def breakdown_columns(actuals: pd.DataFrame, kpi_id: str) -> dict[str, str]:
    """The breakdown columns of one KPI in ``actuals``: column → value, in column order.

    Examples
    --------
    >>> frame = pd.DataFrame(columns=["workload", "workload[维修]", "csat[售前咨询]"])
    >>> breakdown_columns(frame, "workload")
    {'workload[维修]': '维修'}
    """
    found = {c: split_breakdown(str(c)) for c in actuals.columns}
    return {c: parts[1] for c, parts in found.items() if parts and parts[0] == kpi_id}


def kpi_breakdowns(
    position: Position,
    actuals: pd.DataFrame,
    *,
    lang: Lang,
    value_text: Callable[[Kpi, float], str],
) -> str:
    """HTML: for each KPI of the position with a breakdown, its mean actual per value."""
    parts = []
    for kpi in position.kpis:
        columns = breakdown_columns(actuals, kpi.id)
        if not columns:
            continue
        name = kpi.name.get(lang)
        rows = {
            label("report.breakdown.item", lang): [
                breakdown_label(name, value) for value in columns.values()
            ],
            label("report.breakdown.mean", lang): [
                value_text(kpi, _mean(actuals[column])) for column in columns
            ],
        }
        parts.append(f"<h4>{escape(name)}</h4>" + table(pd.DataFrame(rows)))
    if not parts:
        return ""
    heading = f"<h4>{escape(label('report.breakdown', lang))}</h4>"
    return f'<div class="kpi-breakdown">{heading}{"".join(parts)}</div>'


def _mean(values: pd.Series) -> float:
    numbers = pd.to_numeric(values, errors="coerce")
    return float(np.nanmean(numbers)) if numbers.notna().any() else float("nan")
