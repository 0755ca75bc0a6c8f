"""Breakdowns: a metric's figure per value of a column, named ``<metric>[<value>]``.

A metric of a metric set that declares ``by: <column>`` gives, next to its own figure, one
figure per value of that column (``workload[维修]``, ``workload[电话咨询]`` …). The actuals
carry them as columns of that name; a scheme KPI can read one (its ``actual:``), and the
report shows them under their KPI. The name is made and read here only.
"""

from __future__ import annotations

import re

__all__ = ["breakdown_column", "breakdown_label", "split_breakdown"]

_COLUMN = re.compile(r"^(?P<metric>[a-z][a-z0-9_]*)\[(?P<value>[^\[\]]+)\]$")


def breakdown_column(metric: str, value: object) -> str:
    """The column of ``metric``'s figure for one value.

    Examples
    --------
    >>> breakdown_column("workload", "维修")
    'workload[维修]'
    """
    return f"{metric}[{value}]"


def split_breakdown(column: str) -> tuple[str, str] | None:
    """``(metric, value)`` of a breakdown column, ``None`` for any other column.

    Examples
    --------
    >>> split_breakdown("workload[电话咨询]")
    ('workload', '电话咨询')
    >>> split_breakdown("workload") is None
    True
    """
    found = _COLUMN.match(column)
    return None if found is None else (found["metric"], found["value"])


def breakdown_label(name: str, value: str) -> str:
    """What a reader sees for a breakdown figure: the metric's (or KPI's) name and the value.

    Examples
    --------
    >>> breakdown_label("售后服务工作量", "维修")
    '售后服务工作量（维修）'
    """
    return f"{name}（{value}）"
