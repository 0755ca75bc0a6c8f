"""What the weight explorer shows: its tables as DataFrames, then as HTML.

:func:`explorer_view` makes the tables of one explorer state (ranking with changes, grade
distribution, people near a band edge) as DataFrames a test can read; the ``*_html``
functions render them, and the sensitivity and comparison tables, for the widget, with the
report's renderer (:mod:`kpi_toolkit.reports.html`). :func:`save_problems` says, in words
from the label table, why the current weights cannot be saved as a scenario.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.typing import NAType

from ..engine.scheme import Scheme
from ..files import safe_name
from ..labels import Lang, label, position_names
from ..reports.html import escape, table
from .scenarios import Attainment, Standing

__all__ = [
    "CSS",
    "ExplorerView",
    "band_edges",
    "comparison_html",
    "distribution_html",
    "edges_html",
    "explorer_view",
    "ranking_html",
    "save_problems",
    "sensitivity_html",
]


# --- what the widget shows, as data ---------------------------------------------------


@dataclass(frozen=True)
class ExplorerView:
    """The tables of one explorer state (one position), before any HTML."""

    ranking: pd.DataFrame
    distribution: pd.DataFrame
    edges: pd.DataFrame
    grade_changes: int
    rank_changes: int
    headcount: int


def band_edges(
    people: Mapping[str, np.ndarray],
    now: Standing,
    *,
    scheme: Scheme,
    rows: int = 10,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """The people closest to a grade band edge: points to the next grade and to falling.

    Returns ``employee_id, name, team, total, grade, points_up, points_down, nearest``,
    nearest first (``points_up`` blank in the top band, ``points_down`` in the bottom one).
    """
    grades = scheme.grade_order()
    mins = np.array([g.min for g in grades])  # best first
    up = np.where(now.grade > 0, mins[np.maximum(now.grade - 1, 0)] - now.total, np.nan)
    down = np.where(now.grade < len(mins) - 1, now.total - mins[now.grade], np.nan)
    nearest = np.fmin(up, down)
    pick = np.lexsort((people["employee_order"][now.rows], nearest))[:rows]
    names = np.array([g.name.get(lang) for g in grades], dtype=object)
    chosen = now.rows[pick]
    return pd.DataFrame(
        {
            **{c: people[c][chosen] for c in ("employee_id", "name", "team")},
            "total": now.total[pick],
            "grade": names[now.grade[pick]],
            "points_up": up[pick],
            "points_down": down[pick],
            "nearest": nearest[pick],
        }
    )


def explorer_view(
    att: Attainment,
    before: Standing,
    now: Standing,
    *,
    lang: Lang = "zh",
    max_rows: int = 50,
    edge_rows: int = 10,
) -> ExplorerView:
    """The ranking with changes, the grade distribution and the band edges of one position.

    ``before`` and ``now`` are :func:`~kpi_toolkit.explorer.scenarios.standing` of the same position
    (baseline and current weights). ``ranking`` has the columns of
    :func:`~kpi_toolkit.explorer.scenarios.compare`: the first ``max_rows`` by the new rank, plus
    everyone whose grade changes.
    """
    grades = att.scheme.grade_order()
    names = np.array([g.name.get(lang) for g in grades], dtype=object)
    ids = np.array([g.id for g in grades], dtype=object)
    steps = before.grade - now.grade  # +1: one grade better
    people = att.columns
    order = np.lexsort((people["employee_order"][now.rows], now.rank))
    keep = order[(np.arange(len(order)) < max_rows) | (steps[order] != 0)]
    chosen = now.rows[keep]
    ranking = pd.DataFrame(
        {
            **{c: people[c][chosen] for c in ("employee_id", "name", "position", "team")},
            "total_before": before.total[keep],
            "total_after": now.total[keep],
            "total_change": now.total[keep] - before.total[keep],
            "grade_id_before": ids[before.grade[keep]],
            "grade_id_after": ids[now.grade[keep]],
            "grade_before": names[before.grade[keep]],
            "grade_after": names[now.grade[keep]],
            "grade_steps": steps[keep],
            "rank_before": before.rank[keep],
            "rank_after": now.rank[keep],
            "rank_change": before.rank[keep] - now.rank[keep],
        }
    )
    edges = band_edges(people, now, scheme=att.scheme, rows=edge_rows, lang=lang)
    distribution = pd.DataFrame(
        {
            "baseline": np.bincount(before.grade, minlength=len(grades)),
            "scenario": np.bincount(now.grade, minlength=len(grades)),
        },
        index=[g.id for g in grades],
    )
    return ExplorerView(
        ranking=ranking,
        distribution=distribution,
        edges=edges,
        grade_changes=int((steps != 0).sum()),
        rank_changes=int((before.rank != now.rank).sum()),
        headcount=len(now.rows),
    )


# --- HTML -----------------------------------------------------------------------------

CSS = """<style>
.kpi-x table{border-collapse:collapse;font-size:13px}
.kpi-x th,.kpi-x td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}
.kpi-x td.num{text-align:right}.kpi-x tr.up{background:#e6f4ea}.kpi-x tr.down{background:#fce8e6}
.kpi-x .warn{color:#b3261e}.kpi-x .bar{display:inline-block;height:12px;vertical-align:middle}
</style>"""


# Column → (prefix, label key) for every table the explorer shows.
HEADERS: dict[str, tuple[str, str]] = {
    **{c: ("", c) for c in ("employee_id", "name", "team", "position", "total", "grade", "weight")},
    "rank_shown": ("", "rank"),
    "total_shown": ("", "total"),
    "grade_shown": ("", "grade"),
    **{
        c: ("", f"explorer.col.{c}")
        for c in (
            "change",
            "total_change",
            "points_up",
            "points_down",
            "kpi",
            "delta",
            "new_weight",
            "grade_changes",
            "grade_up",
            "grade_down",
            "rank_changes",
            "new_grade",
        )
    },
    **{
        f"{c}_{side}": ("A " if side == "before" else "B ", key)
        for c, key in (
            ("total", "total"),
            ("grade", "grade"),
            ("rank", "rank"),
            ("mean_total", "mean_total"),
            ("team_rank", "team_rank"),
        )
        for side in ("before", "after")
    },
}


def _table(
    frame: pd.DataFrame | Mapping[str, Any],
    columns: list[str],
    lang: Lang,
    *,
    css: str,
    attrs: Mapping[str, str] | None = None,
    row_class: list[str] | None = None,
) -> str:
    """An explorer table: headers from :data:`HEADERS`, a ``data-employee`` per row."""
    headers = [HEADERS[c][0] + label(HEADERS[c][1], lang) for c in columns]
    count = len(frame[columns[0]]) if columns else 0
    ids = list(frame["employee_id"]) if "employee_id" in frame else [""] * count
    rows = [
        {"class": cls, "data-employee": str(emp)}
        for emp, cls in zip(ids, row_class or [""] * count, strict=True)
    ]
    shown = table(frame, columns=columns, headers=headers, css=css, attrs=attrs, rows=rows)
    return f'<div class="kpi-x">{shown}</div>'


def rank_arrow(change: int | NAType | None) -> str:
    """``3`` → ``↑3``, ``-2`` → ``↓2``, ``0`` → ``—``."""
    if change is None or isinstance(change, NAType) or change == 0:
        return "—"
    return f"↑{change}" if change > 0 else f"↓{-change}"


def ranking_html(view: ExplorerView, weights: Mapping[str, float], lang: Lang) -> str:
    ranking = {c: view.ranking[c].to_numpy() for c in view.ranking.columns}
    steps = ranking["grade_steps"]
    frame = {
        **ranking,
        "change": [rank_arrow(int(c)) for c in ranking["rank_change"]],
        "rank_shown": ranking["rank_after"],
        "total_shown": ranking["total_after"],
        "grade_shown": np.where(
            steps != 0,
            ranking["grade_before"] + " → " + ranking["grade_after"],
            ranking["grade_after"],
        ),
    }
    rows = np.select([steps > 0, steps < 0], ["up", "down"], "")
    data = json.dumps(dict(weights), sort_keys=True)
    columns = [
        "rank_shown",
        "change",
        "employee_id",
        "name",
        "team",
        "total_shown",
        "total_change",
        "grade_shown",
    ]
    shown = _table(
        frame,
        columns,
        lang,
        css="kpi-ranking",
        attrs={"data-weights": data},
        row_class=list(rows),
    )
    summary = label(
        "explorer.summary",
        lang,
        grades=view.grade_changes,
        ranks=view.rank_changes,
        n=view.headcount,
    )
    more = (
        f"<p>{escape(label('explorer.more_rows', lang, shown=len(steps), n=view.headcount))}</p>"
        if len(steps) < view.headcount
        else ""
    )
    return f"{CSS}<p class='kpi-summary'>{escape(summary)}</p>{shown}{more}"


def distribution_html(view: ExplorerView, scheme: Scheme, lang: Lang) -> str:
    """Bars of the baseline's and the scenario's headcount per grade."""
    names = {g.id: g.name.get(lang) for g in scheme.grades}
    most = max(int(view.distribution.to_numpy().max()), 1)
    rows = []
    for grade_id, (before, after) in view.distribution.iterrows():
        bars = "".join(
            f'<div><span class="bar" style="width:{240 * n / most:.0f}px;background:{c}"></span>'
            f" {escape(label(f'explorer.dist.{k}', lang))} <b data-count='{k}'>{n}</b></div>"
            for k, n, c in (("baseline", before, "#9aa0a6"), ("scenario", after, "#1a73e8"))
        )
        rows.append(
            f"<tr data-grade='{escape(grade_id)}'><td>{escape(names[str(grade_id)])}</td>"
            f"<td>{bars}</td></tr>"
        )
    return f"{CSS}<div class='kpi-x'><table class='kpi-distribution'>{''.join(rows)}</table></div>"


def edges_html(view: ExplorerView, lang: Lang) -> str:
    """The people nearest a grade band edge."""
    columns = ["employee_id", "name", "team", "total", "grade", "points_up", "points_down"]
    return CSS + _table(view.edges, columns, lang, css="kpi-edges")


def sensitivity_html(
    by_kpi: pd.DataFrame, by_person: pd.DataFrame, delta: float, lang: Lang
) -> str:
    """Who changes grade and rank for each weight ± ``delta``, and each person's smallest
    grade-changing move."""
    kpi_columns = [
        "kpi",
        "weight",
        "delta",
        "new_weight",
        "grade_changes",
        "grade_up",
        "grade_down",
        "rank_changes",
    ]
    person_columns = [
        "employee_id",
        "name",
        "total",
        "grade",
        "kpi",
        "weight",
        "new_weight",
        "new_grade",
    ]
    return (
        f"{CSS}<h4>{escape(label('explorer.sensitivity.by_kpi', lang, delta=delta))}</h4>"
        + _table(
            by_kpi.rename(columns={"change": "delta"}), kpi_columns, lang, css="kpi-sensitivity"
        )
        + f"<h4>{escape(label('explorer.sensitivity.by_person', lang))}</h4>"
        + _table(by_person, person_columns, lang, css="kpi-smallest")
    )


def comparison_html(
    people: pd.DataFrame, teams: pd.DataFrame, lang: Lang, *, scheme: Scheme
) -> str:
    """Scenario A against B: the people whose grade or rank changes, and the teams."""
    changed = people.loc[(people["grade_steps"] != 0) | (people["rank_change"] != 0)]
    changed = changed.assign(
        change=changed["rank_change"].map(rank_arrow),
        position=position_names(changed["position"], scheme=scheme, lang=lang),
    )
    columns = [
        "employee_id",
        "name",
        "position",
        "total_before",
        "total_after",
        "grade_before",
        "grade_after",
        "rank_before",
        "rank_after",
        "change",
    ]
    teams = teams.rename(
        columns={"rank_before": "team_rank_before", "rank_after": "team_rank_after"}
    )
    team_columns = [
        "team",
        "mean_total_before",
        "mean_total_after",
        "team_rank_before",
        "team_rank_after",
    ]
    people_html = (
        _table(changed, columns, lang, css="kpi-compare")
        if len(changed)
        else f"<p class='kpi-no-change'>{escape(label('explorer.scenario.no_change', lang))}</p>"
    )
    return (
        f"{CSS}<h4>{escape(label('explorer.scenario.people', lang))}</h4>"
        + people_html
        + f"<h4>{escape(label('explorer.scenario.teams', lang))}</h4>"
        + _table(teams, team_columns, lang, css="kpi-teams")
    )


def save_problems(
    name: str,
    weights: Mapping[str, Mapping[str, float]],
    *,
    scheme: Scheme,
    directory: str | Path,
    lang: Lang = "zh",
) -> list[str]:
    """Why ``weights`` cannot be saved as scenario ``name``, in words (empty: they can).

    The name must make a file name and not be taken; every weight must be above 0 and each
    position's weights must add up to 100 (what
    :func:`~kpi_toolkit.explorer.scenario_files.save_scenario` refuses too).
    """
    if safe_name(name) != name:  # as save_scenario: a name that would change on disk
        return [label("explorer.scenario.bad_name", lang, name=name)]
    if (Path(directory) / f"{name}.yaml").exists():
        return [label("explorer.scenario.exists", lang, name=name)]
    problems = []
    for pid, moved in weights.items():
        position = scheme.positions[pid]
        names = {k.id: k.name.get(lang) for k in position.kpis}
        where = position.name.get(lang)
        problems += [
            label("explorer.scenario.zero_weight", lang, position=where, kpi=names[k])
            for k, w in moved.items()
            if w <= 0
        ]
        total = sum(moved.values())
        if abs(total - 100) > 1e-6:
            problems.append(label("explorer.scenario.not_100", lang, position=where, total=total))
    return problems
