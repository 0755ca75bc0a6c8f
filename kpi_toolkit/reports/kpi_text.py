"""How a KPI's value and target are written, the same in every section and card."""

from __future__ import annotations

import numpy as np

from ..engine.scheme import Kpi

__all__ = ["kpi_target", "kpi_value"]


def kpi_target(kpi: Kpi) -> str:
    """The KPI's target as the scheme states it (its text, else its value written)."""
    if kpi.target_text:
        return kpi.target_text
    return "—" if kpi.target is None else kpi_value(kpi, kpi.target)


def kpi_value(kpi: Kpi, value: float) -> str:
    """A value of the KPI: ``92.0%`` for a ratio, ``3 次`` for a whole count, ``—`` if blank."""
    if value is None or np.isnan(value):
        return "—"
    if kpi.kind == "ratio":
        return f"{value:.1%}"
    unit = f" {kpi.unit}" if kpi.unit else ""
    if kpi.kind == "count" and float(value).is_integer():
        return f"{value:g}{unit}"
    return f"{value:.1f}{unit}" if kpi.kind == "count" else f"{value:.2f}{unit}"
