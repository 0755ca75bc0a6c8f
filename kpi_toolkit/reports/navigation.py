"""What the page's navigation works on (``templates/kpi_offline/static/kpi.js``).

A table of people is marked ``kpi-people`` (sortable and searchable in the page) and each of
its rows with its person's team (``data-team``), which the team filter of the department
report narrows; its grade column is tinted in the grades' colours (:mod:`.palette`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from ..labels import label
from .context import ReportContext
from .html import table
from .palette import grade_name_colours, tint

__all__ = ["grade_cells", "people_table", "teams_of"]


def people_table(
    frame: pd.DataFrame, *, teams: Sequence[object], ctx: ReportContext, css: str = ""
) -> str:
    """A table of people: sortable and searchable in the page, each row marked with its
    person's team (for the team filter), the grade column in the grades' colours."""
    colours = grade_cells(ctx)
    grade = label("grade", ctx.lang)
    return table(
        frame,
        css=f"kpi-table kpi-people {css}".strip(),
        rows=[{"data-team": str(t)} for t in teams],
        colours={grade: colours, label("report.grade_before", ctx.lang): colours},
    )


def grade_cells(ctx: ReportContext) -> dict[str, str]:
    """Grade name → its tint, for a table's grade column (``table(colours=...)``)."""
    return {g: tint(c) for g, c in grade_name_colours(ctx.scheme, ctx.lang).items()}


def teams_of(ctx: ReportContext, employees: Iterable[object]) -> list[str]:
    """Each person's team (the roster's, else the appraisal's; ``""`` if unknown)."""
    people = ctx.roster if ctx.roster is not None else ctx.appraisal.scores
    teams = dict(zip(people["employee_id"], people["team"], strict=True))
    return [str(teams.get(e, "")) for e in employees]
