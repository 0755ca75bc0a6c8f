"""The weight scenario explorer: move weights, see ranks, grades and their spread change.

A thin ipywidgets shell over :mod:`kpi_toolkit.scenarios` and :mod:`kpi_toolkit.sensitivity`:
a slider move re-weights the attainment shares (no new ``score()``), then
:func:`explorer_view` makes the tables the widget shows, as DataFrames a test can read.
:func:`serve_explorer` serves ``notebooks/weight_explorer.ipynb`` with Voilà.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from .errors import KpiError
from .inputs import read_table
from .labels import Lang, label
from .report_context import find_inputs
from .scenarios import (
    SCENARIO_DIR,
    Attainment,
    Mode,
    Standing,
    attainment,
    baseline_weights,
    compare,
    list_scenarios,
    load_scenario,
    normalise,
    rescore,
    save_scenario,
    scenario_weights,
    set_weight,
    standing,
    team_changes,
)
from .scheme import Scheme, load_scheme
from .scoring import Appraisal, score
from .sensitivity import smallest_changes, weight_sensitivity

__all__ = [
    "EXPLORER_LABELS",
    "ExplorerServer",
    "ExplorerView",
    "WeightExplorer",
    "band_edges",
    "explore",
    "explorer_view",
    "serve_explorer",
]

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "weight_explorer.ipynb"
BASELINE, CURRENT = "__baseline__", "__current__"

# To move into kpi_toolkit.labels.LABELS (the one table of labels) under the same keys.
EXPLORER_LABELS: dict[str, dict[str, str]] = {
    "explorer.title": {
        "zh": "权重情景模拟:{scheme}({period})",
        "en": "Weight scenarios: {scheme} ({period})",
    },
    "explorer.position": {"zh": "岗位", "en": "Position"},
    "explorer.mode.keep": {"zh": "保持类别分值(总分 100)", "en": "Keep categories (total 100)"},
    "explorer.mode.free": {"zh": "自由调整", "en": "Free"},
    "explorer.note.keep": {
        "zh": "移动一个权重时,同一类别其他指标的权重按比例调整:类别分值不变,总分保持 100。",
        "en": "Moving one weight re-spreads the other weights of its category in proportion: "
        "each category keeps its points and the total stays 100.",
    },
    "explorer.note.free": {"zh": "总权重 {total:g}。", "en": "Total weight {total:g}."},
    "explorer.warn.total": {
        "zh": "⚠ 总权重 {total:g} ≠ 100:总分不再是百分制,等级界限失去意义,不能保存为方案。",
        "en": "⚠ Total weight {total:g} ≠ 100: totals are no longer out of 100, grade bands "
        "lose their meaning, and the scenario cannot be saved.",
    },
    "explorer.category": {"zh": "{name}({points:g} 分)", "en": "{name} ({points:g} points)"},
    "explorer.reset": {"zh": "恢复基准权重", "en": "Reset to baseline"},
    "explorer.summary": {
        "zh": "与基准相比:{grades} 人等级变化,{ranks} 人排名变化(共 {n} 人)。",
        "en": "Against the baseline: {grades} change grade, {ranks} change rank (of {n}).",
    },
    "explorer.more_rows": {
        "zh": "显示 {shown} 人,共 {n} 人(等级变化者全部显示)。",
        "en": "Showing {shown} of {n} (everyone whose grade changes).",
    },
    "explorer.tab.ranking": {"zh": "排名", "en": "Ranking"},
    "explorer.tab.distribution": {"zh": "等级分布", "en": "Grades"},
    "explorer.tab.edges": {"zh": "临界人员", "en": "Near a band edge"},
    "explorer.tab.sensitivity": {"zh": "敏感性", "en": "Sensitivity"},
    "explorer.tab.scenarios": {"zh": "情景方案", "en": "Scenarios"},
    "explorer.col.change": {"zh": "排名变化", "en": "Change"},
    "explorer.col.total_change": {"zh": "总分变化", "en": "Total change"},
    "explorer.col.grade_before": {"zh": "基准等级", "en": "Baseline grade"},
    "explorer.col.points_up": {"zh": "距升级(分)", "en": "Points to next grade"},
    "explorer.col.points_down": {"zh": "距降级(分)", "en": "Points above own band"},
    "explorer.col.kpi": {"zh": "指标", "en": "KPI"},
    "explorer.col.delta": {"zh": "调整", "en": "Move"},
    "explorer.col.new_weight": {"zh": "新权重", "en": "New weight"},
    "explorer.col.grade_changes": {"zh": "等级变化人数", "en": "Grade changes"},
    "explorer.col.grade_up": {"zh": "升级", "en": "Up"},
    "explorer.col.grade_down": {"zh": "降级", "en": "Down"},
    "explorer.col.rank_changes": {"zh": "排名变化人数", "en": "Rank changes"},
    "explorer.col.new_grade": {"zh": "新等级", "en": "New grade"},
    "explorer.dist.baseline": {"zh": "基准", "en": "Baseline"},
    "explorer.dist.scenario": {"zh": "当前情景", "en": "Scenario"},
    "explorer.sensitivity.run": {"zh": "计算敏感性", "en": "Compute sensitivity"},
    "explorer.sensitivity.by_kpi": {
        "zh": "每个权重 ±{delta:g} 分(同类别按比例分摊)",
        "en": "Each weight ±{delta:g} points (re-spread)",
    },
    "explorer.sensitivity.by_person": {
        "zh": "改变等级所需的最小单项权重调整",
        "en": "Smallest single weight move that changes a grade",
    },
    "explorer.sensitivity.stale": {
        "zh": "权重已变化,请重新计算。",
        "en": "Weights changed: compute again.",
    },
    "explorer.scenario.name": {"zh": "情景名称", "en": "Scenario name"},
    "explorer.scenario.save": {"zh": "保存情景", "en": "Save scenario"},
    "explorer.scenario.saved": {"zh": "已保存:{path}", "en": "Saved: {path}"},
    "explorer.scenario.baseline": {"zh": "(基准方案)", "en": "(baseline)"},
    "explorer.scenario.current": {"zh": "(当前权重)", "en": "(current weights)"},
    "explorer.scenario.compare": {"zh": "对比", "en": "Compare"},
    "explorer.scenario.people": {
        "zh": "等级或排名变化的人员",
        "en": "People whose grade or rank changes",
    },
    "explorer.scenario.teams": {"zh": "团队排名变化", "en": "Team ranking changes"},
    "explorer.error": {"zh": "无法完成:{message}", "en": "Cannot do that: {message}"},
}


def _t(key: str, lang: Lang, **values: object) -> str:
    if key in EXPLORER_LABELS:
        text = EXPLORER_LABELS[key][lang]
        return text.format(**values) if values else text
    return label(key, lang, **values)


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

    ``before`` and ``now`` are :func:`~kpi_toolkit.scenarios.standing` of the same position
    (baseline and current weights). ``ranking`` has the columns of
    :func:`~kpi_toolkit.scenarios.compare`: the first ``max_rows`` by the new rank, plus
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


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "<td></td>"
    if isinstance(value, float | np.floating):
        return f'<td class="num">{value:.2f}</td>'
    if isinstance(value, int | np.integer):
        return f'<td class="num">{value}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _table(
    frame: pd.DataFrame | Mapping[str, object],
    columns: list[str],
    lang: Lang,
    *,
    css: str,
    attrs: str = "",
    row_class: list[str] | None = None,
) -> str:
    head = "".join(
        f"<th>{html.escape(HEADERS[c][0] + _t(HEADERS[c][1], lang))}</th>" for c in columns
    )
    values = [list(frame[c]) for c in columns]
    count = len(values[0]) if values else 0
    ids = list(frame["employee_id"]) if "employee_id" in frame else [""] * count
    body = "".join(
        f'<tr class="{cls}" data-employee="{html.escape(str(emp))}">'
        + "".join(_cell(v) for v in row)
        + "</tr>"
        for row, emp, cls in zip(
            zip(*values, strict=True), ids, row_class or [""] * count, strict=True
        )
    )
    return (
        f'<div class="kpi-x"><table class="{css}" {attrs}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def rank_arrow(change: object) -> str:
    """``3`` → ``↑3``, ``-2`` → ``↓2``, ``0`` → ``—``."""
    if change is None or change is pd.NA or change == 0:
        return "—"
    return f"↑{change}" if change > 0 else f"↓{-change}"  # type: ignore[operator]


def _ranking_html(view: ExplorerView, weights: Mapping[str, float], lang: Lang) -> str:
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
    data = html.escape(json.dumps(dict(weights), sort_keys=True))
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
    table = _table(
        frame,
        columns,
        lang,
        css="kpi-ranking",
        attrs=f'data-weights="{data}"',
        row_class=list(rows),
    )
    summary = _t(
        "explorer.summary",
        lang,
        grades=view.grade_changes,
        ranks=view.rank_changes,
        n=view.headcount,
    )
    more = (
        f"<p>{_t('explorer.more_rows', lang, shown=len(steps), n=view.headcount)}</p>"
        if len(steps) < view.headcount
        else ""
    )
    return f"{CSS}<p class='kpi-summary'>{summary}</p>{table}{more}"


def _distribution_html(view: ExplorerView, scheme: Scheme, lang: Lang) -> str:
    names = {g.id: g.name.get(lang) for g in scheme.grades}
    most = max(int(view.distribution.to_numpy().max()), 1)
    rows = []
    for grade_id, (before, after) in view.distribution.iterrows():
        bars = "".join(
            f'<div><span class="bar" style="width:{240 * n / most:.0f}px;background:{c}"></span>'
            f" {_t(f'explorer.dist.{k}', lang)} <b data-count='{k}'>{n}</b></div>"
            for k, n, c in (("baseline", before, "#9aa0a6"), ("scenario", after, "#1a73e8"))
        )
        rows.append(
            f"<tr data-grade='{grade_id}'><td>{html.escape(names[grade_id])}</td>"
            f"<td>{bars}</td></tr>"
        )
    return f"{CSS}<div class='kpi-x'><table class='kpi-distribution'>{''.join(rows)}</table></div>"


def _edges_html(view: ExplorerView, lang: Lang) -> str:
    columns = ["employee_id", "name", "team", "total", "grade", "points_up", "points_down"]
    return CSS + _table(view.edges, columns, lang, css="kpi-edges")


def _sensitivity_html(
    by_kpi: pd.DataFrame, by_person: pd.DataFrame, delta: float, lang: Lang
) -> str:
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
        f"{CSS}<h4>{_t('explorer.sensitivity.by_kpi', lang, delta=delta)}</h4>"
        + _table(
            by_kpi.rename(columns={"change": "delta"}), kpi_columns, lang, css="kpi-sensitivity"
        )
        + f"<h4>{_t('explorer.sensitivity.by_person', lang)}</h4>"
        + _table(by_person, person_columns, lang, css="kpi-smallest")
    )


def _comparison_html(people: pd.DataFrame, teams: pd.DataFrame, lang: Lang) -> str:
    changed = people.loc[(people["grade_steps"] != 0) | (people["rank_change"] != 0)]
    changed = changed.assign(change=changed["rank_change"].map(rank_arrow))
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
    return (
        f"{CSS}<h4>{_t('explorer.scenario.people', lang)}</h4>"
        + _table(changed, columns, lang, css="kpi-compare")
        + f"<h4>{_t('explorer.scenario.teams', lang)}</h4>"
        + _table(teams, team_columns, lang, css="kpi-teams")
    )


# --- the widget -----------------------------------------------------------------------


class WeightExplorer:
    """Sliders for one position's weights, and what they do to ranks and grades.

    Everything the widget shows is also an attribute: ``scores`` (everyone, under the current
    weights), ``view`` (:class:`ExplorerView` of the position shown), ``weights``. Set a
    slider's ``value`` in Python and read them: no browser needed.

    Parameters
    ----------
    appraisal
        The baseline appraisal (``score()`` under the scheme as it stands).
    lang
        ``"zh"`` (default) or ``"en"``.
    scenario_dir
        Where scenarios are saved and listed.
    step
        The sliders' step, in points; re-spread weights are rounded to it.
    """

    def __init__(
        self,
        appraisal: Appraisal,
        *,
        lang: Lang = "zh",
        scenario_dir: str | Path = SCENARIO_DIR,
        step: float = 0.5,
        max_rows: int = 50,
        delta: float = 5.0,
    ) -> None:
        import ipywidgets as w

        self.appraisal, self.lang, self.step, self.max_rows, self.delta = (
            appraisal,
            lang,
            step,
            max_rows,
            delta,
        )
        self.scheme = appraisal.scheme
        self.scenario_dir = Path(scenario_dir)
        self.att = attainment(appraisal)
        self.baseline = rescore(self.att, lang=lang)
        self.weights = baseline_weights(self.scheme)
        self._syncing = False
        self._baseline_standing: dict[str, Standing] = {}
        counts = np.bincount(self.att.codes, minlength=len(self.att.positions))
        present = [self.att.positions[i] for i in np.argsort(-counts, kind="stable") if counts[i]]
        self.position = w.Dropdown(
            options=[(self.scheme.positions[p].name.get(lang), p) for p in present],
            description=_t("explorer.position", lang),
        )
        self.mode = w.ToggleButtons(
            options=[(_t(f"explorer.mode.{m}", lang), m) for m in ("keep", "free")], value="keep"
        )
        self.reset_button = w.Button(description=_t("explorer.reset", lang), icon="undo")
        self.sliders: dict[str, w.FloatSlider] = {}
        self.slider_box, self.note = w.VBox(), w.HTML()
        self.ranking, self.distribution, self.edges = w.HTML(), w.HTML(), w.HTML()
        self.sensitivity, self.comparison, self.message = w.HTML(), w.HTML(), w.HTML()
        self.sensitivity_button = w.Button(description=_t("explorer.sensitivity.run", lang))
        self.scenario_name = w.Text(description=_t("explorer.scenario.name", lang))
        self.save_button = w.Button(description=_t("explorer.scenario.save", lang), icon="save")
        self.compare_a, self.compare_b = w.Dropdown(description="A"), w.Dropdown(description="B")
        self.compare_button = w.Button(description=_t("explorer.scenario.compare", lang))
        self.widget = self._layout(w)
        self._connect()
        self._build_sliders()
        self._list_scenarios()
        self._refresh()

    def _layout(self, w: ModuleType) -> Any:  # w: ipywidgets, imported lazily
        title = _t(
            "explorer.title",
            self.lang,
            scheme=self.scheme.name.get(self.lang),
            period=self.appraisal.period,
        )
        tabs = w.Tab(
            children=[
                self.ranking,
                self.distribution,
                self.edges,
                w.VBox([self.sensitivity_button, self.sensitivity]),
                w.VBox(
                    [
                        w.HBox([self.scenario_name, self.save_button]),
                        w.HBox([self.compare_a, self.compare_b, self.compare_button]),
                        self.comparison,
                    ]
                ),
            ]
        )
        for i, key in enumerate(("ranking", "distribution", "edges", "sensitivity", "scenarios")):
            tabs.set_title(i, _t(f"explorer.tab.{key}", self.lang))
        controls = w.HBox([self.position, self.mode, self.reset_button])
        return w.VBox(
            [
                w.HTML(f"<h3>{html.escape(title)}</h3>"),
                controls,
                self.note,
                self.slider_box,
                self.message,
                tabs,
            ]
        )

    def _connect(self) -> None:
        self.position.observe(lambda _: (self._build_sliders(), self._refresh()), names="value")
        self.mode.observe(lambda change: self._set_mode(change["new"]), names="value")
        self.reset_button.on_click(lambda _: self.reset())
        self.sensitivity_button.on_click(lambda _: self.compute_sensitivity())
        self.save_button.on_click(lambda _: self._guard(self.save, self.scenario_name.value))
        self.compare_button.on_click(
            lambda _: self._guard(self.compare, self.compare_a.value, self.compare_b.value)
        )

    @property
    def scores(self) -> pd.DataFrame:
        """Everyone's points, totals, grades and ranks under the current weights."""
        return rescore(self.att, self.weights, lang=self.lang)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # state → widgets

    def _build_sliders(self) -> None:
        import ipywidgets as w

        spec = self.scheme.positions[self.position.value]
        self.sliders, groups = {}, []
        for cid, category in spec.categories.items():
            rows = []
            for kpi in (k for k in spec.kpis if k.category == cid):
                slider = w.FloatSlider(
                    min=0,
                    max=100,
                    step=self.step,
                    readout_format=".1f",
                    continuous_update=False,
                    description=kpi.name.get(self.lang),
                    style={"description_width": "14em"},
                    layout=w.Layout(width="38em"),
                )
                slider.add_class(f"kpi-weight-{kpi.id}")
                slider.observe(
                    lambda change, k=kpi.id: self._on_slider(k, change["new"]), names="value"
                )
                self.sliders[kpi.id] = slider
                rows.append(slider)
            head = _t(
                "explorer.category",
                self.lang,
                name=category.name.get(self.lang),
                points=category.points,
            )
            groups.append(w.VBox([w.HTML(f"<b>{html.escape(head)}</b>"), *rows]))
        self.slider_box.children = groups
        self._sync_sliders()

    def _sync_sliders(self) -> None:
        spec = self.scheme.positions[self.position.value]
        sizes = pd.Series([k.category for k in spec.kpis]).value_counts()
        self._syncing = True
        try:
            for kpi in spec.kpis:
                slider = self.sliders[kpi.id]
                keep = self.mode.value == "keep"
                slider.max = spec.categories[kpi.category].points if keep else 100
                slider.value = self.weights[spec.id][kpi.id]
                slider.disabled = bool(keep and sizes[kpi.category] == 1)
        finally:
            self._syncing = False

    def _refresh(self) -> None:
        pid = self.position.value
        if pid not in self._baseline_standing:
            self._baseline_standing[pid] = standing(self.att, position=pid)
        now = standing(self.att, self.weights[pid], position=pid)
        self.view = explorer_view(
            self.att, self._baseline_standing[pid], now, lang=self.lang, max_rows=self.max_rows
        )
        total = sum(self.weights[pid].values())
        note = _t(f"explorer.note.{self.mode.value}", self.lang, total=total)
        if abs(total - 100) > 1e-6:
            note += (
                f" <span class='warn'>{_t('explorer.warn.total', self.lang, total=total)}</span>"
            )
        self.note.value = f"{CSS}<div class='kpi-x kpi-note'>{note}</div>"
        self.ranking.value = _ranking_html(self.view, self.weights[pid], self.lang)
        self.distribution.value = _distribution_html(self.view, self.scheme, self.lang)
        self.edges.value = _edges_html(self.view, self.lang)
        if self.sensitivity.value:
            self.sensitivity.value = _t("explorer.sensitivity.stale", self.lang)

    # actions

    def _on_slider(self, kpi_id: str, value: float) -> None:
        if self._syncing:
            return
        pid = self.position.value
        self.weights[pid] = set_weight(
            self.weights[pid],
            position=self.scheme.positions[pid],
            kpi_id=kpi_id,
            value=value,
            mode=self.mode.value,
            step=self.step,
        )
        self._sync_sliders()
        self._refresh()

    def _set_mode(self, mode: Mode) -> None:
        if mode == "keep":
            self.weights = {
                pid: normalise(ws, position=self.scheme.positions[pid], step=self.step)
                for pid, ws in self.weights.items()
            }
        self._sync_sliders()
        self._refresh()

    def reset(self) -> None:
        """Every weight back to the scheme's."""
        self.weights = baseline_weights(self.scheme)
        self._sync_sliders()
        self._refresh()

    def compute_sensitivity(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Sensitivity of the position shown, from the current weights; shown and returned."""
        pid = self.position.value
        options = {"position": pid, "weights": self.weights[pid], "lang": self.lang}
        by_kpi = weight_sensitivity(self.att, delta=self.delta, step=self.step, **options)
        by_person = smallest_changes(self.att, step=self.step, **options)
        self.sensitivity.value = _sensitivity_html(
            by_kpi, by_person.dropna(subset=["kpi_id"]), self.delta, self.lang
        )
        return by_kpi, by_person

    def save(self, name: str) -> Path:
        """Save the current weights as ``<scenario_dir>/<name>.yaml``."""
        changed = {
            pid: ws for pid, ws in self.weights.items() if ws != baseline_weights(self.scheme)[pid]
        }
        path = save_scenario(self.scheme, changed, name=name.strip(), directory=self.scenario_dir)
        self.message.value = html.escape(_t("explorer.scenario.saved", self.lang, path=path))
        self._list_scenarios()
        return path

    def compare(self, a: str, b: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Compare two of: ``"__baseline__"``, ``"__current__"``, a saved scenario's name.

        Returns the people table of :func:`~kpi_toolkit.scenarios.compare` and the team
        table of :func:`~kpi_toolkit.scenarios.team_changes` (A before, B after).
        """
        first, second = self._scores_of(a), self._scores_of(b)
        people = compare(first, second, scheme=self.scheme)
        teams = team_changes(first, second, scheme=self.scheme, lang=self.lang)
        self.comparison.value = _comparison_html(people, teams, self.lang)
        return people, teams

    def _scores_of(self, choice: str) -> pd.DataFrame:
        if choice == BASELINE:
            return self.baseline
        if choice == CURRENT:
            return self.scores
        scenario = load_scenario(choice, directory=self.scenario_dir)
        return rescore(self.att, scenario_weights(self.scheme, scenario), lang=self.lang)

    def _list_scenarios(self) -> None:
        options = [
            (_t("explorer.scenario.baseline", self.lang), BASELINE),
            (_t("explorer.scenario.current", self.lang), CURRENT),
        ]
        options += [(n, n) for n in list_scenarios(self.scenario_dir)]
        for dropdown, default in ((self.compare_a, BASELINE), (self.compare_b, CURRENT)):
            keep = dropdown.value if dropdown.value in dict(options).values() else default
            dropdown.options, dropdown.value = options, keep

    def _guard(self, action: Callable[..., object], *args: object) -> None:
        try:
            action(*args)
        except KpiError as error:
            self.message.value = (
                f"<pre class='warn'>"
                f"{html.escape(_t('explorer.error', self.lang, message=error))}"
                "</pre>"
            )


def explore(
    *,
    scheme: str | Path | Scheme,
    data_dir: str | Path,
    period: str,
    lang: Lang = "zh",
    scenario_dir: str | Path | None = None,
) -> WeightExplorer:
    """Score a data directory's period and open the explorer on it.

    ``data_dir`` holds ``roster.csv``, ``actuals_<scheme id>.csv`` and, where the scheme has
    360 KPIs, ``ratings.csv`` (as :func:`kpi_toolkit.sample.write_sample` writes them).
    """
    chosen = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    paths = find_inputs(data_dir, scheme=chosen)
    rated = any(k.source == "ratings" for p in chosen.positions.values() for k in p.kpis)
    appraisal = score(
        read_table(paths["actuals"]),
        scheme=chosen,
        roster=read_table(paths["roster"]),
        period=period,
        lang=lang,
        ratings=read_table(paths["ratings"]) if rated else None,
    )
    return WeightExplorer(appraisal, lang=lang, scenario_dir=scenario_dir or SCENARIO_DIR)


# --- serving the explorer with Voilà ----------------------------------------------------


@dataclass
class ExplorerServer:
    """A running Voilà server for the explorer notebook; stop it with :meth:`stop`."""

    process: subprocess.Popen
    url: str
    folder: Path

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until the server accepts connections (the notebook runs per page opened)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise KpiError(
                    f"Voilà exited with code {self.process.returncode}; "
                    f"command: {' '.join(map(str, self.process.args))}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise KpiError(f"Voilà did not answer at {self.url} within {timeout:g} s")

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def stop(self) -> None:
        """Terminate Voilà (kill it after 10 s) and remove the parameterised notebook."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ExplorerServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def parameterised_notebook(folder: Path, parameters: Mapping[str, object]) -> Path:
    """Write ``weight_explorer.ipynb`` with ``parameters`` injected (as papermill does)."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(
        load_notebook_node(str(NOTEBOOK)),
        dict(parameters),
        kernel_name="python3",
        language="python",
    )
    path = folder / NOTEBOOK.name
    nbformat.write(nb, path)
    return path


def serve_explorer(
    *,
    scheme: str | Path,
    data_dir: str | Path,
    period: str,
    lang: Lang = "zh",
    port: int = 8866,
    open_browser: bool = False,
    scenario_dir: str | Path | None = None,
    block: bool = True,
) -> ExplorerServer:
    """Serve the weight explorer with Voilà on ``http://127.0.0.1:<port>/``.

    Voilà 0.5 has no notebook parameters (only the raw query string, in the kernel's
    ``QUERY_STRING``), so a copy of ``notebooks/weight_explorer.ipynb`` with the parameters
    injected is written to a temporary folder and served. Paths are made absolute: the
    kernel runs in that folder.

    Parameters
    ----------
    scheme
        A scheme YAML file or a built-in scheme name.
    data_dir
        Holds ``roster.csv``, ``actuals_<scheme id>.csv`` and optionally ``ratings.csv``.
    period
        ``2026-Q3``, ``2026-07`` or ``2026``.
    port
        The port; Voilà fails rather than take another one if it is busy.
    open_browser
        Open the page in the default browser.
    block
        Wait until Voilà ends (Ctrl-C stops it), then clean up. With ``False``, return the
        running :class:`ExplorerServer` at once; the caller stops it.
    """
    folder = Path(tempfile.mkdtemp(prefix="kpi-explorer-"))
    scheme_arg = str(Path(scheme).resolve()) if Path(scheme).exists() else str(scheme)
    notebook = parameterised_notebook(
        folder,
        {
            "scheme": scheme_arg,
            "data_dir": str(Path(data_dir).resolve()),
            "period": period,
            "lang": lang,
            "scenario_dir": str(Path(scenario_dir or SCENARIO_DIR).resolve()),
        },
    )
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--show_tracebacks=True",
        *([] if open_browser else ["--no-browser"]),
    ]
    server = ExplorerServer(
        subprocess.Popen(command, cwd=folder, env={**os.environ}),
        f"http://127.0.0.1:{port}/",
        folder,
    )
    if not block:
        return server
    try:
        print(f"weight explorer: {server.url} (Ctrl-C to stop)", flush=True)
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return server
