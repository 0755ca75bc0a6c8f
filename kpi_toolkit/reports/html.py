"""The one HTML table renderer and the one number formatter, for the reports and the explorer.

Every text from data or from the label table goes through :func:`escape`; numbers through
:func:`number` (missing values shown as ``—``, floats with a fixed number of decimals,
totals with 2). :func:`table` renders a DataFrame (or a mapping of columns) as a plain
``<table>``, with optional attributes per row (the explorer's ``data-employee`` and
``up``/``down`` classes, the report's ``data-team``); :func:`section` wraps a report section
under an anchor the page's contents bar links to.

Alignment: a number, and a text that reads as one (``85%``, ``12.50 / 20``, ``1,200``), is
right-aligned (class ``num``), and so is the header of a column of them; other text reads
from the left. A grade cell can be tinted in its grade's colour (``colours``).

Decision: our own small renderer, not great_tables, because the pages carry up to a
hundred small tables (a scorecard per person) and great_tables embeds its compiled
stylesheet, several kilobytes scoped to each table's id, into every table it renders,
while the explorer needs per-row attributes it does not offer; and it would be one more
dependency for what is a ``<table>`` of escaped text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MISSING",
    "cell",
    "escape",
    "is_missing",
    "is_numeric",
    "number",
    "section",
    "table",
]

MISSING = "—"
# A text that reads as a number: 85%, -3.5, 1,200, 12.50 / 20, 7 天 (a count with its unit).
NUMERIC_TEXT = re.compile(
    r"[-+−]?\d[\d,]*(\.\d+)?\s*(%|/\s*\d+(\.\d+)?|[个件次天小时分钟元人单把]+)?"
)
NUM = ' class="num"'  # a right-aligned cell
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


def is_numeric(value: object) -> bool:
    """A number (not a boolean), or a text that reads as one (right-aligned when shown).

    Examples
    --------
    >>> [is_numeric(v) for v in (3, 2.5, True, "85%", "12.50 / 20", "良好", "E005")]
    [True, True, False, True, True, False, False]
    """
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, int | float | np.integer | np.floating):
        return True
    return isinstance(value, str) and NUMERIC_TEXT.fullmatch(value.strip()) is not None


def cell(
    value: object,
    digits: int = 2,
    *,
    colour: str | None = None,
    right: bool | None = None,
    css: str = "",
) -> str:
    """One ``<td>``: numbers formatted by :func:`number` and marked ``num``, text escaped;
    ``colour``: the cell's background (a grade's tint); ``right``: right-aligned (``num``)
    or not, whatever the value (a table aligns a whole column alike), default: if numeric;
    ``css``: more classes.

    Examples
    --------
    >>> cell(3.14159), cell("<i>"), cell(None), cell("85%")
    ('<td class="num">3.14</td>', '<td>&lt;i&gt;</td>', '<td>—</td>', '<td class="num">85%</td>')
    >>> cell("优秀", colour="#d5e9d6")
    '<td style="background:#d5e9d6">优秀</td>'
    """
    style = f' style="background:{escape(colour)}"' if colour else ""
    numeric = is_numeric(value)
    classes = " ".join(filter(None, ("num" if (numeric if right is None else right) else "", css)))
    align = f' class="{escape(classes)}"' if classes else ""
    if is_missing(value):
        return f"<td{align}{style}>{MISSING}</td>"
    shown = number(value, digits) if numeric and not isinstance(value, str) else value
    return f"<td{align}{style}>{escape(shown)}</td>"


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
    colours: Mapping[str, Mapping[str, str]] | None = None,
    classes: Mapping[str, str] | None = None,
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
    colours
        Per column, a background per cell text: ``{"等级": {"优秀": "#d5e9d6"}}``.
    classes
        Per column, a class of its cells: ``{"签字": "kpi-sign"}``.

    Examples
    --------
    >>> page = table(pd.DataFrame({"总分": [98.025]}), css="t")
    >>> page[:64]
    '<table class="t"><thead><tr><th class="num">总分</th></tr></thead>'
    >>> page[64:]
    '<tbody><tr><td class="num">98.03</td></tr></tbody></table>'
    """
    shown = list(frame.keys() if columns is None else columns)
    values = [list(frame[c]) for c in shown]
    places = [(formats or {}).get(c, digits) for c in shown]
    tints = [(colours or {}).get(c, {}) for c in shown]
    right = [_numeric_column(v) for v in values]
    css_of = [(classes or {}).get(c, "") for c in shown]
    count = len(values[0]) if values else 0
    body = "".join(
        f"<tr{_attributes((rows or [{}] * count)[i])}>"
        + "".join(
            cell(v[i], d, colour=t.get(v[i]) if isinstance(v[i], str) else None, right=r, css=k)
            for v, d, t, r, k in zip(values, places, tints, right, css_of, strict=True)
        )
        + "</tr>"
        for i in range(count)
    )
    titles = shown if headers is None else headers
    head = "".join(
        f"<th{NUM if r else ''}>{escape(h)}</th>" for h, r in zip(titles, right, strict=True)
    )
    table_attrs = _attributes({"class": css, **(attrs or {})})
    return f"<table{table_attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _numeric_column(values: list[object]) -> bool:
    """A column whose values (the missing aside) are all numbers: right-aligned, header too."""
    shown = [v for v in values if not is_missing(v)]
    return bool(shown) and all(is_numeric(v) for v in shown)


def section(heading: str, body: str, *, css: str = "", anchor: str = "") -> str:
    """A report section: the heading (escaped) over ``body`` (HTML as given); ``anchor``
    is its id (``kpi-`` + anchor), which the page's contents bar links to (a section
    without one gets a numbered id in the page).

    Examples
    --------
    >>> section("考核概况", "<p>…</p>")
    '<section class="kpi-section"><h2>考核概况</h2><p>…</p></section>'
    >>> section("考核概况", "", anchor="summary")[:50]
    '<section class="kpi-section" id="kpi-summary"><h2>'
    """
    classes = f"kpi-section {css}".strip()
    ident = f' id="kpi-{escape(anchor)}"' if anchor else ""
    return f'<section class="{escape(classes)}"{ident}><h2>{escape(heading)}</h2>{body}</section>'


def _attributes(values: Mapping[str, str]) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in values.items())
