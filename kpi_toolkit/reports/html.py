"""The one HTML table renderer and the one number formatter, for the reports and the explorer.

Every text from data or from the label table goes through :func:`escape`; numbers through
:func:`number` (missing values shown as ``—``, floats with a fixed number of decimals,
totals with 2). :func:`table` renders a DataFrame (or a mapping of columns) as a plain
``<table>``, with optional attributes per row (the explorer's ``data-employee`` and
``up``/``down`` classes); :func:`section` wraps a report section.

Decision: our own small renderer, not great_tables, because the pages carry up to a
hundred small tables (a scorecard per person) and great_tables embeds its compiled
stylesheet, several kilobytes scoped to each table's id, into every table it renders,
while the explorer needs per-row attributes it does not offer; and it would be one more
dependency for what is a ``<table>`` of escaped text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MISSING", "cell", "escape", "is_missing", "number", "section", "table"]

MISSING = "—"
Columns = pd.DataFrame | Mapping[str, Any]  # a DataFrame, or column → values


def is_missing(value: object) -> bool:
    """``None``, ``pd.NA``, ``NaT`` and NaN are missing; anything else (``""``, 0) is not.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, 0, "")]
    [True, True, True, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def escape(value: object) -> str:
    """Text safe to put between tags or in a quoted attribute (``""`` for a missing value).

    Examples
    --------
    >>> escape('<b a="1">')
    '&lt;b a=&quot;1&quot;&gt;'
    >>> escape(None)
    ''
    """
    return "" if is_missing(value) else html.escape(str(value))


def number(value: object, digits: int = 2) -> str:
    """A number as shown: floats with ``digits`` decimals, integers as they are, a missing
    value as ``—``; anything else as its text.

    Examples
    --------
    >>> number(98.025), number(7, 1), number(float("nan")), number(np.float64(0.5), 0)
    ('98.03', '7', '—', '0')
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, float | np.floating):
        return f"{value:.{digits}f}"
    return str(value)


def cell(value: object, digits: int = 2) -> str:
    """One ``<td>``: numbers formatted by :func:`number` and marked ``num``, text escaped.

    Examples
    --------
    >>> cell(3.14159), cell("<i>"), cell(None)
    ('<td class="num">3.14</td>', '<td>&lt;i&gt;</td>', '<td>—</td>')
    """
    if is_missing(value):
        return f"<td>{MISSING}</td>"
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        return f"<td>{escape(value)}</td>"
    return f'<td class="num">{escape(number(value, digits))}</td>'


def table(
    frame: Columns,
    *,
    columns: Sequence[str] | None = None,
    headers: Sequence[str] | None = None,
    digits: int = 2,
    formats: Mapping[str, int] | None = None,
    css: str = "kpi-table",
    attrs: Mapping[str, str] | None = None,
    rows: Sequence[Mapping[str, str]] | None = None,
) -> str:
    """A ``<table>`` of ``frame``'s ``columns`` (all by default).

    Parameters
    ----------
    frame
        A DataFrame, or a mapping of column → values (all of one length).
    columns
        The columns shown, in order.
    headers
        The header texts (default: the column names), escaped.
    digits, formats
        Decimals of floats: ``formats`` per column, ``digits`` for the others.
    css, attrs
        The table's class and other attributes (values escaped).
    rows
        Attributes of each row, e.g. ``{"class": "up", "data-employee": "E054"}``.

    Examples
    --------
    >>> page = table(pd.DataFrame({"总分": [98.025]}), css="t")
    >>> page[:52]
    '<table class="t"><thead><tr><th>总分</th></tr></thead>'
    >>> page[52:]
    '<tbody><tr><td class="num">98.03</td></tr></tbody></table>'
    """
    shown = list(frame.keys() if columns is None else columns)
    values = [list(frame[c]) for c in shown]
    places = [(formats or {}).get(c, digits) for c in shown]
    count = len(values[0]) if values else 0
    body = "".join(
        f"<tr{_attributes((rows or [{}] * count)[i])}>"
        + "".join(cell(v[i], d) for v, d in zip(values, places, strict=True))
        + "</tr>"
        for i in range(count)
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in (shown if headers is None else headers))
    table_attrs = _attributes({"class": css, **(attrs or {})})
    return f"<table{table_attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def section(heading: str, body: str, *, css: str = "") -> str:
    """A report section: the heading (escaped) over ``body`` (HTML as given).

    Examples
    --------
    >>> section("考核概况", "<p>…</p>")
    '<section class="kpi-section"><h2>考核概况</h2><p>…</p></section>'
    """
    classes = f"kpi-section {css}".strip()
    return f'<section class="{escape(classes)}"><h2>{escape(heading)}</h2>{body}</section>'


def _attributes(values: Mapping[str, str]) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in values.items())
