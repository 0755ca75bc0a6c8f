"""The what-if panel of the shared HTML: try other weights in the page, offline, no kernel.

Each KPI's points are its attainment share (points ÷ weight) times its weight, so the page
can recompute totals, grades and ranks from the shares alone — exactly what
:meth:`kpi_toolkit.engine.scheme.Scheme.with_weights` gives in Python. The data travels as JSON in
a ``<script type="application/json">`` block (``<`` escaped) and names are shown with
``textContent``, never as markup.
"""

from __future__ import annotations

import json
from html import escape

import numpy as np

from ..engine.scheme import Position
from ..labels import label
from .context import ReportContext

__all__ = ["panel", "panel_data"]


def panel_data(ctx: ReportContext) -> dict:
    """The shares, weights and grade bands the page needs, per position."""
    lang = ctx.lang
    positions = []
    for position in _present(ctx):
        people = ctx.scores.loc[ctx.scores["position"] == position.id]
        weights = np.array([k.weight for k in position.kpis])
        shares = people[[k.id for k in position.kpis]].to_numpy(dtype=float) / weights
        positions.append(
            {
                "id": position.id,
                "name": position.name.get(lang),
                "kpis": [
                    {
                        "id": k.id,
                        "name": k.name.get(lang),
                        "weight": k.weight,
                        "category": position.categories[k.category].name.get(lang),
                    }
                    for k in position.kpis
                ],
                "people": [
                    {
                        "id": e,
                        "name": n,
                        "team": t,
                        "total": round(float(total), 6),
                        "shares": [round(float(x), 12) for x in row],
                    }
                    for e, n, t, total, row in zip(
                        people["employee_id"],
                        people["name"],
                        people["team"],
                        people["total"],
                        shares,
                        strict=True,
                    )
                ],
            }
        )
    grades = [{"name": g.name.get(lang), "min": g.min} for g in ctx.scheme.grade_order()]
    texts = {
        key: label(f"whatif.{key}", lang)
        for key in (
            "position",
            "weight_total",
            "not_100",
            "reset",
            "total",
            "grade",
            "rank",
            "change",
        )
    }
    texts |= {
        "name": label("name", lang),
        "team": label("team", lang),
        "employee_id": label("employee_id", lang),
    }
    return {"positions": positions, "grades": grades, "text": texts}


def _present(ctx: ReportContext) -> list[Position]:
    present = set(ctx.scores["position"])
    return [p for pid, p in ctx.scheme.positions.items() if pid in present]


def panel(ctx: ReportContext) -> str:
    """The panel's HTML: heading, explanation, data block and script."""
    data = json.dumps(panel_data(ctx), ensure_ascii=False).replace("<", "\\u003c")
    lang = ctx.lang
    return (
        '<section class="kpi-section kpi-whatif">'
        f"<h2>{escape(label('whatif.title', lang))}</h2>"
        f"<p>{escape(label('whatif.explain', lang))}</p>"
        '<div class="kpi-whatif-app"></div>'
        f'<script type="application/json" class="kpi-whatif-data">{data}</script>'
        f"<script>{SCRIPT}</script></section>"
    )


SCRIPT = r"""
(function () {
  const sections = document.querySelectorAll('.kpi-whatif');
  const section = sections[sections.length - 1];
  if (!section || section.dataset.ready) return;
  section.dataset.ready = '1';
  const data = JSON.parse(section.querySelector('.kpi-whatif-data').textContent);
  const app = section.querySelector('.kpi-whatif-app');
  const T = data.text;
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  };
  const gradeOf = (total) => {
    const t = Math.round(total * 1e6) / 1e6;
    for (const g of data.grades) if (t >= g.min) return g.name;
    return data.grades[data.grades.length - 1].name;
  };
  const ranks = (totals) => totals.map((t) => 1 + totals.filter((o) =>
    Math.round(o * 1e6) > Math.round(t * 1e6)).length);
  const picker = el('select', undefined, 'kpi-whatif-position');
  data.positions.forEach((p, i) => picker.appendChild(Object.assign(el('option', p.name),
    {value: String(i)})));
  const label = el('label', T.position + ' ');
  label.appendChild(picker);
  app.appendChild(label);
  const body = el('div');
  app.appendChild(body);
  function render() {
    body.textContent = '';
    const position = data.positions[Number(picker.value)];
    const inputs = el('div', undefined, 'kpi-whatif-weights');
    const sum = el('p', '', 'kpi-whatif-sum');
    const weights = position.kpis.map((k) => k.weight);
    position.kpis.forEach((k, i) => {
      const row = el('label', k.category + ' · ' + k.name + ' ');
      const box = Object.assign(el('input'), {type: 'number', min: '0', step: '1',
        value: String(k.weight)});
      box.dataset.kpi = k.id;
      box.addEventListener('input', () => { weights[i] = Number(box.value) || 0; update(); });
      row.appendChild(box);
      inputs.appendChild(row);
    });
    const reset = el('button', T.reset);
    reset.addEventListener('click', render);
    body.append(inputs, sum, reset);
    const table = el('table', undefined, 'kpi-table kpi-whatif-table');
    const head = el('tr');
    [T.employee_id, T.name, T.team, T.total, T.grade, T.rank, T.change].forEach((h) =>
      head.appendChild(el('th', h)));
    table.appendChild(el('thead')).appendChild(head);
    const tbody = table.appendChild(el('tbody'));
    body.appendChild(table);
    const base = ranks(position.people.map((p) => p.total));
    function update() {
      const total = weights.reduce((a, b) => a + b, 0);
      sum.textContent = T.weight_total + ' ' + total + (Math.abs(total - 100) > 1e-9 ?
        ' — ' + T.not_100 : '');
      const totals = position.people.map((p) => p.shares.reduce((a, s, i) =>
        a + s * weights[i], 0));
      const now = ranks(totals);
      const order = totals.map((t, i) => i).sort((a, b) => now[a] - now[b] || a - b);
      tbody.textContent = '';
      for (const i of order) {
        const p = position.people[i];
        const tr = el('tr');
        tr.dataset.employee = p.id;
        const moved = base[i] - now[i];
        [p.id, p.name, p.team, totals[i].toFixed(2), gradeOf(totals[i]), String(now[i]),
         moved > 0 ? '↑' + moved : moved < 0 ? '↓' + (-moved) : ''].forEach((v, j) =>
          tr.appendChild(el('td', v, j === 3 ? 'kpi-whatif-total' : undefined)));
        if (gradeOf(totals[i]) !== gradeOf(p.total)) tr.className = 'kpi-whatif-changed';
        tbody.appendChild(tr);
      }
    }
    update();
  }
  picker.addEventListener('change', render);
  render();
})();
"""
