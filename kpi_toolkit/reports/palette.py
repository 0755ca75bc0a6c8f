"""The house palette: one colour per grade, the same in every chart, table and Excel fill.

Grades are a scheme's own (ids and count vary), so a colour belongs to a grade's place in
the scheme's order, best first: the best grade is always green, the worst always red, those
between take the steps in between. Charts draw with :func:`grade_colours`; HTML tables and
Excel fills use :func:`tint` of the same colour, light enough to read black text on.
Everything else a chart draws (series colours, fonts sizes, grid) is in the matplotlib
style file :data:`STYLE_FILE`.
"""

from __future__ import annotations

from pathlib import Path

from ..engine.scheme import Scheme
from ..labels import Lang

__all__ = ["GRADE_STEPS", "STYLE_FILE", "grade_colours", "grade_name_colours", "tint"]

# Best to worst: green, blue, amber, orange, red (distinct for the colour-blind as well:
# no green beside red without blue or amber between them).
GRADE_STEPS = ("#2e7d32", "#1565c0", "#f2a900", "#e8710a", "#c62828")
# Beside the page's stylesheet (kpi.css), so the whole look is in one folder of the wheel.
STYLE_FILE = Path(__file__).parent / "templates" / "kpi_offline" / "static" / "kpi.mplstyle"


def _steps(count: int) -> list[str]:
    """``count`` colours spread over :data:`GRADE_STEPS`, best and worst at its two ends.

    Examples
    --------
    >>> _steps(4)
    ['#2e7d32', '#1565c0', '#e8710a', '#c62828']
    >>> _steps(1)
    ['#2e7d32']
    """
    last = len(GRADE_STEPS) - 1
    if count <= 1:
        return list(GRADE_STEPS[:count])
    return [GRADE_STEPS[round(i * last / (count - 1))] for i in range(count)]


def grade_colours(scheme: Scheme) -> dict[str, str]:
    """Grade id → colour (``#rrggbb``), by the grade's place in the scheme's order."""
    grades = scheme.grade_order()
    return {g.id: c for g, c in zip(grades, _steps(len(grades)), strict=True)}


def grade_name_colours(scheme: Scheme, lang: Lang) -> dict[str, str]:
    """Grade name as shown (``优秀``) → colour, for tables that show names, not ids."""
    colours = grade_colours(scheme)
    return {g.name.get(lang): colours[g.id] for g in scheme.grade_order()}


def tint(colour: str, *, strength: float = 0.22) -> str:
    """``colour`` mixed with white: ``strength`` 1 is the colour, 0 is white.

    Examples
    --------
    >>> tint("#c62828", strength=0.5)
    '#e29494'
    """
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 - (255 - c) * strength) for c in (red, green, blue))
    return "#" + "".join(f"{c:02x}" for c in mixed)
