/*
 * The what-if panel of the shared HTML (kpi_toolkit/reports/whatif.py inlines this file).
 *
 * The reader types other weights for one position; the page recomputes every appraised
 * person's total, grade and rank with the algorithm of kpi_toolkit/engine/grading.py,
 * step for step, so that the panel and score() under scheme.with_weights() agree:
 *   total    = sum of share x weight x re-spread factor (a missing actual's weight is
 *              spread over the person's other KPIs: factor = all weights / weights kept);
 *   shown    = shownTotal(total): to 1e-9, then to 2 decimals, halves up (shown_total);
 *   grade    = the best grade whose min the shown total reaches (grade_index);
 *   rank     = within position, ties at the shown total share the best place (rank_min);
 *   forced   = where the scheme applies its forced distribution (forced_grades): caps from
 *              the best grade down, people tied at the cut-off move down together; minimums
 *              from the worst grade up, people tied at the cut-off move in together; within
 *              the department or each position, as the scheme's scope says.
 * Names are shown with textContent, never as markup.
 */
(function () {
  'use strict';
  const NOISE = 1e9;
  const SLACK = 1e-9;

  // Math.round, written in the same steps as grading._half_up so both give the same bits.
  function halfUp(value) {
    const whole = Math.floor(value);
    return whole + (value - whole >= 0.5 ? 1 : 0);
  }

  function shownTotal(total) {
    return halfUp(halfUp(total * NOISE) / (NOISE / 100)) / 100;
  }

  // grades: best first, each with its min.
  function gradeIndex(shown, grades) {
    const worst = grades.length - 1;
    if (Number.isNaN(shown)) return worst;
    const reached = grades.filter((g) => g.min <= shown).length;
    return worst - Math.min(Math.max(reached - 1, 0), worst);
  }

  function compare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function rankMin(shown, groups) {
    const key = shown.map((s) => (Number.isNaN(s) ? Infinity : -s));
    const group = groups || key.map(() => 0);
    const order = key.map((k, i) => i).sort((a, b) =>
      compare(group[a], group[b]) || compare(key[a], key[b]) || a - b);
    const rank = new Array(key.length);
    let start = 0;
    let first = 0;
    order.forEach((person, i) => {
      const before = order[i - 1];
      if (i === 0 || group[person] !== group[before]) {
        start = i;
        first = i;
      } else if (key[person] !== key[before]) {
        first = i;
      }
      rank[person] = first - start + 1;
    });
    return rank;
  }

  function cap(result, shown, members, grade, share) {
    const allowed = Math.floor(share * members.length + SLACK);
    const inside = members.filter((i) => result[i] === grade);
    if (inside.length <= allowed) return;
    const cut = inside.map((i) => shown[i]).sort((a, b) => b - a)[allowed];
    for (const i of inside) if (shown[i] <= cut) result[i] = grade + 1;
  }

  function fill(result, shown, members, grade, share) {
    const needed = Math.ceil(share * members.length - SLACK);
    const have = members.filter((i) => result[i] === grade).length;
    const better = members.filter((i) => result[i] < grade);
    if (have >= needed || !better.length) return;
    const cut = better.map((i) => shown[i]).sort((a, b) => a - b)[
      Math.min(needed - have, better.length) - 1];
    for (const i of better) if (shown[i] <= cut) result[i] = grade;
  }

  // shares: one entry per grade (best first): null or {max, min} (each a share or null).
  function forcedGrades(earned, shown, scopes, shares) {
    const result = earned.slice();
    const caps = [];
    const floors = [];
    shares.forEach((s, g) => {
      if (s && s.max !== null && g < shares.length - 1) caps.push([g, s.max]);
    });
    for (let g = shares.length - 1; g >= 0; g--) {
      if (shares[g] && shares[g].min !== null) floors.push([g, shares[g].min]);
    }
    for (const scope of [...new Set(scopes)].sort(compare)) {
      const members = scopes.flatMap((s, i) => (s === scope ? [i] : []));
      for (const [grade, share] of caps) cap(result, shown, members, grade, share);
      for (const [grade, share] of floors) fill(result, shown, members, grade, share);
    }
    return result;
  }

  // weights: one array per position (its KPIs' weights, in the order of data.positions).
  function appraise(data, weights) {
    const people = data.people;
    const totals = people.map((p) => {
      const w = weights[p.position];
      const all = w.reduce((a, x) => a + x, 0);
      const kept = all - w.reduce((a, x, k) => a + x * p.missing[k], 0);
      const factor = kept > 0 ? all / kept : NaN;
      return p.shares.reduce((a, s, k) => a + s * w[k] * factor, 0);
    });
    const shown = totals.map(shownTotal);
    const earned = shown.map((s) => gradeIndex(s, data.grades));
    const forced = data.forced;
    const grade = forced ? forcedGrades(earned, shown,
      people.map((p) => (forced.scope === 'position' ? p.position : 0)), forced.shares) : earned;
    return {
      shown,
      grade,
      rank: rankMin(shown, people.map((p) => p.position)),
      departmentRank: rankMin(shown),
    };
  }

  window.kpiWhatif = {shownTotal, gradeIndex, rankMin, forcedGrades, appraise};

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
  const baselineWeights = () => data.positions.map((p) => p.kpis.map((k) => k.weight));
  const baseline = appraise(data, baselineWeights());
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
    const picked = Number(picker.value);
    const position = data.positions[picked];
    const weights = baselineWeights();
    const inputs = el('div', undefined, 'kpi-whatif-weights');
    const sum = el('p', '', 'kpi-whatif-sum');
    position.kpis.forEach((k, i) => {
      const row = el('label', k.category + ' · ' + k.name + ' ');
      const box = Object.assign(el('input'), {type: 'number', min: '0', step: '1',
        value: String(k.weight)});
      box.dataset.kpi = k.id;
      box.addEventListener('input', () => {
        weights[picked][i] = Math.max(Number(box.value) || 0, 0);
        update();
      });
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
    const shownPeople = data.people.flatMap((p, i) =>
      (p.position === picked && (data.team === null || p.team === data.team) ? [i] : []));

    function update() {
      const total = weights[picked].reduce((a, b) => a + b, 0);
      sum.textContent = T.weight_total + ' ' + total + (Math.abs(total - 100) > 1e-9 ?
        ' — ' + T.not_100 : '');
      const now = appraise(data, weights);
      const order = shownPeople.slice().sort((a, b) => now.rank[a] - now.rank[b] || a - b);
      tbody.textContent = '';
      for (const i of order) {
        const p = data.people[i];
        const tr = el('tr');
        tr.dataset.employee = p.id;
        tr.dataset.departmentRank = String(now.departmentRank[i]);
        const moved = baseline.rank[i] - now.rank[i];
        const shown = Number.isNaN(now.shown[i]) ? '' : now.shown[i].toFixed(2);
        [p.id, p.name, p.team, shown, data.grades[now.grade[i]].name, String(now.rank[i]),
         moved > 0 ? '↑' + moved : moved < 0 ? '↓' + (-moved) : ''].forEach((v, j) =>
          tr.appendChild(el('td', v, j === 3 ? 'kpi-whatif-total' : undefined)));
        if (now.grade[i] !== baseline.grade[i]) tr.className = 'kpi-whatif-changed';
        tbody.appendChild(tr);
      }
    }
    update();
  }
  picker.addEventListener('change', render);
  render();
})();
