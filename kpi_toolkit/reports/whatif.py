"""The what-if panel of the shared HTML: try other weights in the page, offline, no kernel.

Each KPI's points are its attainment share (points ÷ weight) times its weight, re-spread
where an actual is missing (:func:`kpi_toolkit.explorer.scenarios.attainment`), so the page
can recompute totals from the shares alone — what
:meth:`kpi_toolkit.engine.scheme.Scheme.with_weights` gives in Python — and then grades,
ranks and the forced distribution with the algorithm of :mod:`kpi_toolkit.engine.grading`,
written again in ``whatif.js`` step for step. The page carries every appraised person
(a forced distribution reaches across positions) and shows the picked position's. The data
travels as JSON in a ``<script type="application/json">`` block (``<`` escaped) and names
are shown with ``textContent``, never as markup.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from importlib.resources import files
from typing import Any

from ..engine.scheme import Scheme
from ..engine.scoring import Appraisal
from ..explorer.scenarios import Attainment, attainment
from ..labels import LABELS, Lang, label
from .context import ReportContext

__all__ = ["panel", "panel_data", "script"]

TEXT_KEYS = ("position", "weight_total", "not_100", "reset", "total", "grade", "rank", "change")
# Labels with {placeholders} the page fills in (sent as templates, not formatted here).
TEMPLATE_KEYS = (
    "mode",
    "mode.keep",
    "mode.free",
    "weight",
    "limit",
    "clamped",
    "single",
    "legend",
    "legend.up",
    "legend.down",
    "legend.same",
    "grade_change",
    "copy",
    "copied",
    "copy_failed",
    "yaml",
    "yaml_note",
)
# The panel's own look: grade changes in colour and symbol, hidden on paper.
STYLE = """<style>
.kpi-whatif fieldset{border:none;padding:0;margin:.4em 0}
.kpi-whatif fieldset label{margin-right:1.2em}
.kpi-whatif-kpi input{width:6em;margin-left:.3em}.kpi-whatif-kpi input:disabled{background:#eee}
.kpi-whatif-limit{color:#5f6368;font-size:.85em;margin-left:.3em}
.kpi-whatif-message{color:#b3261e;min-height:1.3em}
.kpi-whatif-up td{background:#e6f4ea}.kpi-whatif-down td{background:#fce8e6}
.kpi-whatif-up-mark{color:#137333;font-weight:bold}.kpi-whatif-down-mark{color:#b3261e;font-weight:bold}
.kpi-whatif-legend span{display:inline-block;padding:0 .5em;margin-right:.6em}
.kpi-whatif textarea{width:100%;font-family:monospace}
@media print{.kpi-whatif{display:none !important}}
</style>"""


@cache
def script() -> str:
    """The panel's JavaScript (``whatif.js``, shipped beside this module)."""
    return files(__package__).joinpath("whatif.js").read_text(encoding="utf-8")


def panel_data(appraisal: Appraisal, *, lang: Lang = "zh", team: str | None = None) -> dict:
    """What the page needs: positions and their KPIs, every appraised person, grades.

    Returns
    -------
    dict
        ``positions`` (``id, name, kpis`` with ``id, name, weight, category``), ``people``
        (``id, name, team``, ``position`` as an index into ``positions``, ``shares`` and
        ``missing`` (1 where the actual is missing) in the order of the position's KPIs),
        ``grades`` (best first: ``id, name, min``), ``forced`` (``scope`` and ``shares``
        per grade, where the scheme applies its forced distribution, else ``None``),
        ``team`` (the people shown, ``None`` for all), ``scheme`` (``id, name``: the
        heading of the YAML the panel copies) and ``text`` (the labels; ``{placeholder}``
        templates for those the page fills in). Each position has its ``total`` (the sum
        of its weights) and each KPI its ``category_id`` and the category's ``points``:
        a weight can be set from 0 to its category's points (keep mode) or the total.
    """
    att = attainment(appraisal)
    scheme = appraisal.scheme
    present = [pid for pid in scheme.positions if pid in set(att.people["position"])]
    return {
        "positions": [_position(scheme, pid, lang) for pid in present],
        "people": _people(att, present),
        "grades": [
            {"id": g.id, "name": g.name.get(lang), "min": g.min} for g in scheme.grade_order()
        ],
        "forced": _forced(scheme),
        "team": team,
        "scheme": {"id": scheme.id, "name": scheme.name.get(lang)},
        "text": {key: label(f"whatif.{key}", lang) for key in TEXT_KEYS}
        | {key: LABELS[f"whatif.{key}"][lang] for key in TEMPLATE_KEYS}
        | {key: label(key, lang) for key in ("name", "team", "employee_id")},
    }


def _position(scheme: Scheme, pid: str, lang: Lang) -> dict[str, Any]:
    position = scheme.positions[pid]
    kpis = [
        {
            "id": k.id,
            "name": k.name.get(lang),
            "weight": k.weight,
            "category": position.categories[k.category].name.get(lang),
            "category_id": k.category,
            "points": position.categories[k.category].points,
        }
        for k in position.kpis
    ]
    total = sum(k.weight for k in position.kpis)
    return {"id": pid, "name": position.name.get(lang), "kpis": kpis, "total": total}


def _people(att: Attainment, present: list[str]) -> list[dict[str, Any]]:
    columns = {k: j for j, k in enumerate(att.kpi_ids)}
    kpis = {pid: [columns[k.id] for k in att.scheme.positions[pid].kpis] for pid in present}
    people = att.people
    return [
        {
            "id": emp,
            "name": name,
            "team": team,
            "position": present.index(pid),
            "shares": att.shares[i, kpis[pid]].tolist(),
            "missing": att.missing[i, kpis[pid]].astype(int).tolist(),
        }
        for i, (emp, name, team, pid) in enumerate(
            zip(
                people["employee_id"],
                people["name"],
                people["team"],
                people["position"],
                strict=True,
            )
        )
    ]


def _forced(scheme: Scheme) -> dict[str, Any] | None:
    forced = scheme.forced_distribution
    if forced is None or not forced.apply:
        return None
    shares = [forced.shares.get(g.id) for g in scheme.grade_order()]
    return {
        "scope": forced.scope,
        "shares": [None if s is None else {"max": s.max, "min": s.min} for s in shares],
    }


def panel(ctx: ReportContext) -> str:
    """The panel's HTML: style, heading, explanation, data block and script."""
    data = panel_data(ctx.appraisal, lang=ctx.lang, team=ctx.team)
    text = json.dumps(data, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")
    lang = ctx.lang
    return (
        f'<section class="kpi-section kpi-whatif">{STYLE}'
        f"<h2>{escape(label('whatif.title', lang))}</h2>"
        f"<p>{escape(label('whatif.explain', lang))}</p>"
        '<div class="kpi-whatif-app"></div>'
        f'<script type="application/json" class="kpi-whatif-data">{text}</script>'
        f"<script>{script()}</script></section>"
    )
