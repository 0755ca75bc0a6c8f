"""The weight scenario explorer: move weights, see ranks, grades and their spread change.

A thin ipywidgets shell over :mod:`kpi_toolkit.explorer.scenarios` and
:mod:`kpi_toolkit.explorer.sensitivity`:
a slider move re-weights the attainment shares (no new ``score()``), then
:func:`~kpi_toolkit.explorer.view.explorer_view` makes the tables the widget shows, as
DataFrames a test can read. :func:`~kpi_toolkit.explorer.server.serve_explorer` serves
``notebooks/weight_explorer.ipynb`` with Voilà.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from ..engine.scheme import Scheme
from ..engine.scoring import Appraisal
from ..errors import KpiError, Problem, SchemeError
from ..labels import Lang, label
from ..periods import parse_period
from ..pipeline import appraise, resolve_inputs
from .scenario_files import (
    SCENARIO_DIR,
    list_scenarios,
    load_scenario,
    save_scenario,
    scenario_weights,
)
from .scenarios import (
    Mode,
    Standing,
    attainment,
    baseline_weights,
    compare,
    normalise,
    rescore,
    set_weight,
    standing,
    team_changes,
)
from .sensitivity import smallest_changes, weight_sensitivity
from .view import (
    CSS,
    comparison_html,
    distribution_html,
    edges_html,
    explorer_view,
    ranking_html,
    save_problems,
    sensitivity_html,
)

__all__ = ["WeightExplorer", "explore"]

BASELINE, CURRENT = "__baseline__", "__current__"


# --- the widget -----------------------------------------------------------------------


class WeightExplorer:
    """Sliders for one position's weights, and what they do to ranks and grades.

    Everything the widget shows is also an attribute: ``scores`` (everyone, under the current
    weights), ``view`` (:class:`~kpi_toolkit.explorer.view.ExplorerView` of the position
    shown), ``weights``. Set a slider's ``value`` in Python and read them: no browser needed.

    Parameters
    ----------
    appraisal
        The baseline appraisal (``score()`` under the scheme as it stands).
    lang
        ``"zh"`` (default) or ``"en"``.
    scenario_dir
        Where scenarios are saved and listed.
    step
        The sliders' step, in points (re-spread weights are exact, to a millionth).
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
            description=label("explorer.position", lang),
        )
        self.mode = w.ToggleButtons(
            options=[(label(f"explorer.mode.{m}", lang), m) for m in ("keep", "free")],
            value="keep",
            style={"button_width": "auto"},  # the buttons as wide as their words
        )
        # No icons: ipywidgets draws them with Font Awesome, which Voilà loads from a CDN.
        self.reset_button = w.Button(description=label("explorer.reset", lang))
        self.sliders: dict[str, w.FloatSlider] = {}
        self.slider_box, self.note = w.VBox(), w.HTML()
        self.ranking, self.distribution, self.edges = w.HTML(), w.HTML(), w.HTML()
        self.sensitivity, self.comparison, self.message = w.HTML(), w.HTML(), w.HTML()
        self.sensitivity_button = w.Button(description=label("explorer.sensitivity.run", lang))
        self.scenario_name = w.Text(description=label("explorer.scenario.name", lang))
        self.save_button = w.Button(description=label("explorer.scenario.save", lang))
        self.compare_a, self.compare_b = w.Dropdown(description="A"), w.Dropdown(description="B")
        self.compare_button = w.Button(description=label("explorer.scenario.compare", lang))
        self.widget = self._layout(w)
        self._connect()
        self._build_sliders()
        self._list_scenarios()
        self._refresh()

    def _layout(self, w: ModuleType) -> Any:  # w: ipywidgets, imported lazily
        title = label(
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
            tabs.set_title(i, label(f"explorer.tab.{key}", self.lang))
        controls = w.HBox([self.position, self.mode, self.reset_button])
        return w.VBox(
            [
                w.HTML(f"<h3>{html.escape(title)}</h3>"),
                w.HTML(f"<p>{html.escape(label('explorer.intro', self.lang))}</p>"),
                controls,
                self.note,
                self.slider_box,
                self.message,
                tabs,
            ]
        )

    def _connect(self) -> None:
        self.position.observe(self._on_position, names="value")
        self.mode.observe(lambda change: self._set_mode(change["new"]), names="value")
        self.reset_button.on_click(lambda _: self.reset())
        self.sensitivity_button.on_click(lambda _: self.compute_sensitivity())
        self.save_button.on_click(lambda _: self._on_save(self.scenario_name.value))
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

    def _on_position(self, _change: object) -> None:
        self._build_sliders()
        self._refresh()

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
                    readout_format=".8",  # d3: 8 significant digits, zeros trimmed
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
            head = label(
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
        now = standing(self.att, self.weights[pid], position=pid, others=self.weights)
        self.view = explorer_view(
            self.att, self._baseline_standing[pid], now, lang=self.lang, max_rows=self.max_rows
        )
        total = sum(self.weights[pid].values())
        note = label(f"explorer.note.{self.mode.value}", self.lang, total=total)
        if abs(total - 100) > 1e-6:
            note += (
                f" <span class='warn'>{label('explorer.warn.total', self.lang, total=total)}</span>"
            )
        self.note.value = f"{CSS}<div class='kpi-x kpi-note'>{note}</div>"
        self.ranking.value = ranking_html(self.view, self.weights[pid], self.lang)
        self.distribution.value = distribution_html(self.view, self.scheme, self.lang)
        self.edges.value = edges_html(self.view, self.lang)
        if self.sensitivity.value:
            self.sensitivity.value = label("explorer.sensitivity.stale", self.lang)

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
        )
        self._sync_sliders()
        self._refresh()

    def _set_mode(self, mode: Mode) -> None:
        if mode == "keep":
            self.weights = {
                pid: normalise(ws, position=self.scheme.positions[pid])
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
        by_kpi = weight_sensitivity(self.att, delta=self.delta, **options)
        by_person = smallest_changes(self.att, step=self.step, **options)
        self.sensitivity.value = sensitivity_html(
            by_kpi, by_person.dropna(subset=["kpi_id"]), self.delta, self.lang
        )
        return by_kpi, by_person

    def save(self, name: str) -> Path:
        """Save the current weights as ``<scenario_dir>/<name>.yaml``.

        Raises
        ------
        SchemeError
            A bad or taken name, a zero weight, weights not adding up to 100: each said in
            words from the label table (:func:`~kpi_toolkit.explorer.view.save_problems`).
        """
        name = name.strip()
        problems = self._save_problems(name)
        if problems:
            where = str(self.scenario_dir / f"{name}.yaml")
            raise SchemeError([Problem(where, text) for text in problems])
        path = save_scenario(self.scheme, self._changed(), name=name, directory=self.scenario_dir)
        self.message.value = html.escape(label("explorer.scenario.saved", self.lang, path=path))
        self._list_scenarios()
        return path

    def _changed(self) -> dict[str, dict[str, float]]:
        """The weights of the positions that differ from the baseline."""
        baseline = baseline_weights(self.scheme)
        return {pid: ws for pid, ws in self.weights.items() if ws != baseline[pid]}

    def _save_problems(self, name: str) -> list[str]:
        return save_problems(
            name, self._changed(), scheme=self.scheme, directory=self.scenario_dir, lang=self.lang
        )

    def compare(self, a: str, b: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Compare two of: ``"__baseline__"``, ``"__current__"``, a saved scenario's name.

        Returns the people table of :func:`~kpi_toolkit.explorer.scenarios.compare` and the team
        table of :func:`~kpi_toolkit.explorer.scenarios.team_changes` (A before, B after).
        """
        first, second = self._scores_of(a), self._scores_of(b)
        people = compare(first, second, scheme=self.scheme)
        teams = team_changes(first, second, scheme=self.scheme, lang=self.lang)
        self.comparison.value = comparison_html(people, teams, self.lang, scheme=self.scheme)
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
            (label("explorer.scenario.baseline", self.lang), BASELINE),
            (label("explorer.scenario.current", self.lang), CURRENT),
        ]
        options += [(n, n) for n in list_scenarios(self.scenario_dir)]
        for dropdown, default in ((self.compare_a, BASELINE), (self.compare_b, CURRENT)):
            keep = dropdown.value if dropdown.value in dict(options).values() else default
            dropdown.options, dropdown.value = options, keep

    def _guard(self, action: Callable[..., object], *args: object) -> None:
        try:
            action(*args)
        except KpiError as error:
            self._warn(label("explorer.error", self.lang, message=error))

    def _on_save(self, name: str) -> None:
        """The save button: why not, in words from the label table, or save."""
        problems = self._save_problems(name.strip())
        if problems:
            self._warn(label("explorer.error", self.lang, message=" ".join(problems)))
        else:
            self._guard(self.save, name)

    def _warn(self, text: str) -> None:
        self.message.value = f"<pre class='warn'>{html.escape(text)}</pre>"


def explore(
    *,
    scheme: str | Path | Scheme,
    data_dir: str | Path | None = None,
    period: str,
    lang: Lang = "zh",
    scenario_dir: str | Path | None = None,
    sources: str | Path | None = None,
    records_dir: str | Path | None = None,
) -> WeightExplorer:
    """Appraise a period as every other surface does, and open the explorer on it.

    The inputs are resolved by :func:`kpi_toolkit.pipeline.resolve_inputs`: ``data_dir``
    holds ``roster.csv``, ``actuals_<scheme id>.csv`` and, where the scheme has 360 KPIs,
    ``ratings.csv``; with ``sources`` (a bundle) the actuals come from the raw exports in
    ``records_dir``, as in ``kpi report --sources``.
    """
    inputs = resolve_inputs(
        scheme,
        data_dir=data_dir,
        sources=sources,
        records_dir=records_dir,
        grains=(parse_period(period).grain,),
    )
    appraisal = appraise(inputs, period=period, lang=lang)
    return WeightExplorer(appraisal, lang=lang, scenario_dir=scenario_dir or SCENARIO_DIR)
