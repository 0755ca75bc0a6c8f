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
 * Moving a weight (setWeight, spread, normalise) is kpi_toolkit/explorer/scenarios.py's
 * set_weight, step for step: in keep mode the category's other KPIs take up the difference
 * in exact proportion, counted in millionths of a point (BigInt), the millionths left over
 * going to the largest remainders, the earlier KPI first; in free mode only that weight.
 * A weight is held within 0 … its category's points (keep) or the position's total (free);
 * a typed value outside is clamped, and the panel says so.
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

  // --- moving one weight (explorer/scenarios.py: set_weight, spread, normalise) -------

  const PRECISION = 1000000;
  const units = (value) => BigInt(Math.floor(value * PRECISION + 0.5));
  const rounded = (value) => Number(units(value)) / PRECISION;

  // amount shared in exact proportion to current (equally when all are 0).
  function spread(amount, current) {
    let parts = current.map(units);
    let sum = parts.reduce((a, b) => a + b, 0n);
    if (sum <= 0n) {
      parts = parts.map(() => 1n);
      sum = BigInt(parts.length);
    }
    const whole = units(amount);
    const floor = parts.map((p) => (whole * p) / sum);
    const rest = parts.map((p, i) => whole * p - floor[i] * sum);
    const left = Number(whole - floor.reduce((a, b) => a + b, 0n));
    const order = parts.map((p, i) => i).sort((a, b) =>
      (rest[a] > rest[b] ? -1 : rest[a] < rest[b] ? 1 : a - b));
    for (const i of order.slice(0, left)) floor[i] += 1n;
    return floor.map((f) => Number(f) / PRECISION);
  }

  function sameCategory(kpis, k) {
    return kpis.flatMap((x, j) => (x.category_id === kpis[k].category_id && j !== k ? [j] : []));
  }

  // weights: the position's, in the order of kpis; returns new weights.
  function setWeight(weights, kpis, k, value, mode) {
    const next = weights.slice();
    const wanted = Math.max(rounded(value), 0);
    if (mode === 'free') {
      next[k] = wanted;
      return next;
    }
    const others = sameCategory(kpis, k);
    if (!others.length) return next;
    const budget = rounded(next[k] + others.reduce((a, j) => a + next[j], 0));
    next[k] = Math.min(wanted, budget);
    spread(budget - next[k], others.map((j) => next[j])).forEach((w, i) => {
      next[others[i]] = w;
    });
    return next;
  }

  function normalise(weights, kpis) {
    const next = weights.slice();
    for (const id of [...new Set(kpis.map((k) => k.category_id))]) {
      const members = kpis.flatMap((k, j) => (k.category_id === id ? [j] : []));
      spread(kpis[members[0]].points, members.map((j) => next[j])).forEach((w, i) => {
        next[members[i]] = w;
      });
    }
    return next;
  }

  // The highest weight a KPI can have: its category's points (keep) or the total (free).
  const limitOf = (position, k, mode) =>
    (mode === 'keep' ? position.kpis[k].points : position.total);

  const shortNumber = (value) => String(rounded(value));
  const fillIn = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));

  // The tried weights of one position as scheme YAML (positions: <id>: categories, kpis).
  function schemeYaml(data, position, weights) {
    const key = (id) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(id) ? id : JSON.stringify(id));
    const note = fillIn(data.text.yaml_note, {scheme: data.scheme.name, position: position.name});
    const points = new Map();
    position.kpis.forEach((k, j) => {
      points.set(k.category_id, (points.get(k.category_id) || 0) + weights[j]);
    });
    const lines = ['# ' + note.replace(/\s+/g, ' '), 'positions:', '  ' + key(position.id) + ':',
      '    categories:'];
    for (const [id, sum] of points) {
      lines.push('      ' + key(id) + ':', '        points: ' + shortNumber(sum));
    }
    lines.push('    kpis:');
    position.kpis.forEach((k, j) => {
      lines.push('      - id: ' + key(k.id), '        weight: ' + shortNumber(weights[j]));
    });
    return lines.join('\n') + '\n';
  }

  window.kpiWhatif = {shownTotal, gradeIndex, rankMin, forcedGrades, appraise, spread,
    setWeight, normalise, schemeYaml};

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
  const weights = baselineWeights();  // every position's tried weights, kept across picks
  let mode = 'keep';
  let anchor = null;  // keep mode: the weights when the reader began typing in a box

  const picker = el('select', undefined, 'kpi-whatif-position');
  picker.id = 'kpi-whatif-position';
  data.positions.forEach((p, i) => picker.appendChild(Object.assign(el('option', p.name),
    {value: String(i)})));
  const pickerLabel = el('label', T.position + ' ');
  pickerLabel.htmlFor = picker.id;
  app.append(pickerLabel, picker);

  const modes = el('fieldset', undefined, 'kpi-whatif-modes');
  modes.appendChild(el('legend', T.mode));
  for (const m of ['keep', 'free']) {
    const option = el('label');
    const radio = Object.assign(el('input'), {type: 'radio', name: 'kpi-whatif-mode', value: m,
      checked: m === mode});
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      mode = m;
      if (mode === 'keep') {
        data.positions.forEach((p, i) => { weights[i] = normalise(weights[i], p.kpis); });
      }
      render();
    });
    option.append(radio, ' ' + T['mode.' + m]);
    modes.appendChild(option);
  }
  app.appendChild(modes);
  const body = el('div');
  app.appendChild(body);

  function render() {
    body.textContent = '';
    anchor = null;
    const picked = Number(picker.value);
    const position = data.positions[picked];
    const inputs = el('div', undefined, 'kpi-whatif-weights');
    const sum = el('p', '', 'kpi-whatif-sum');
    const message = el('p', '', 'kpi-whatif-message');
    message.setAttribute('role', 'status');
    message.setAttribute('aria-live', 'polite');
    const boxes = position.kpis.map((k, i) => {
      const row = el('div', undefined, 'kpi-whatif-kpi');
      const box = Object.assign(el('input'), {type: 'number', min: '0', step: 'any',
        id: 'kpi-whatif-' + picked + '-' + i});
      box.dataset.kpi = k.id;
      const name = el('label', fillIn(T.weight, {category: k.category, kpi: k.name}) + ' ');
      name.htmlFor = box.id;
      const limit = el('span', '', 'kpi-whatif-limit');
      limit.id = box.id + '-limit';
      box.setAttribute('aria-describedby', limit.id);
      box.addEventListener('focus', () => { anchor = weights[picked].slice(); });
      box.addEventListener('input', () => typed(i, box, false));
      box.addEventListener('change', () => typed(i, box, true));
      row.append(name, box, limit);
      inputs.appendChild(row);
      return {box, limit};
    });

    // The reader typed in box i: clamp to 0 … limit (saying so), then move the weight.
    function typed(i, box, done) {
      if (box.value.trim() === '' || !Number.isFinite(Number(box.value))) {
        if (done) box.value = shortNumber(weights[picked][i]);
        return;
      }
      const value = Number(box.value);
      const most = limitOf(position, i, mode);
      const kept = Math.min(Math.max(rounded(value), 0), most);
      message.textContent = '';
      if (value < 0 || value > most) {
        message.textContent = fillIn(T.clamped, {kpi: position.kpis[i].name,
          max: shortNumber(most), typed: box.value, value: shortNumber(kept)});
        box.value = shortNumber(kept);
      }
      weights[picked] = setWeight(anchor || weights[picked], position.kpis, i, kept, mode);
      if (done) anchor = null;
      show(i);
    }

    // Boxes show the weights (but the one being typed in), limits, the sum and the table.
    function show(typing) {
      const ws = weights[picked];
      boxes.forEach(({box, limit}, i) => {
        const single = mode === 'keep' && !sameCategory(position.kpis, i).length;
        box.max = String(limitOf(position, i, mode));
        box.disabled = single;
        box.title = single ? T.single : '';
        limit.textContent = fillIn(T.limit, {max: shortNumber(limitOf(position, i, mode))});
        if (i !== typing) box.value = shortNumber(ws[i]);
      });
      const total = rounded(ws.reduce((a, b) => a + b, 0));
      sum.textContent = T.weight_total + ' ' + shortNumber(total) +
        (Math.abs(total - 100) > 1e-6 ? ' — ' + T.not_100 : '');
      update();
    }

    const reset = el('button', T.reset);
    reset.type = 'button';
    reset.addEventListener('click', () => {
      weights[picked] = baselineWeights()[picked];
      message.textContent = '';
      show(-1);
    });
    const copy = el('button', T.copy, 'kpi-whatif-copy');
    copy.type = 'button';
    const yaml = el('textarea', undefined, 'kpi-whatif-yaml');
    yaml.readOnly = true;
    yaml.hidden = true;
    yaml.rows = 8;
    yaml.setAttribute('aria-label', T.yaml);
    copy.addEventListener('click', () => {
      yaml.value = schemeYaml(data, position, weights[picked]);
      yaml.hidden = false;
      const said = (text) => { message.textContent = text; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(yaml.value).then(() => said(T.copied),
          () => said(T.copy_failed));
      } else {
        said(T.copy_failed);
      }
    });
    const buttons = el('p');
    buttons.append(reset, ' ', copy);
    const legend = el('p', T.legend + ' ', 'kpi-whatif-legend');
    legend.append(el('span', T['legend.up'], 'kpi-whatif-up-mark'),
      el('span', T['legend.down'], 'kpi-whatif-down-mark'), T['legend.same']);
    body.append(inputs, sum, message, buttons, yaml, legend);
    const table = el('table', undefined, 'kpi-table kpi-whatif-table');
    const head = el('tr');
    [T.employee_id, T.name, T.team, T.total, T.grade, T.rank, T.change, T.grade_change]
      .forEach((h) => head.appendChild(el('th', h)));
    table.appendChild(el('thead')).appendChild(head);
    const tbody = table.appendChild(el('tbody'));
    body.appendChild(table);
    const shownPeople = data.people.flatMap((p, i) =>
      (p.position === picked && (data.team === null || p.team === data.team) ? [i] : []));

    function update() {
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
        const before = baseline.grade[i];
        const after = now.grade[i];
        const way = after < before ? 'up' : after > before ? 'down' : '';
        [p.id, p.name, p.team, shown, data.grades[after].name, String(now.rank[i]),
         moved > 0 ? '↑' + moved : moved < 0 ? '↓' + (-moved) : ''].forEach((v, j) =>
          tr.appendChild(el('td', v, j === 3 ? 'kpi-whatif-total' : undefined)));
        const change = tr.appendChild(el('td'));
        if (way) {
          tr.className = 'kpi-whatif-' + way;
          tr.dataset.gradeChange = way;
          change.append(el('span', way === 'up' ? '▲' : '▼', 'kpi-whatif-' + way + '-mark'),
            ' ' + data.grades[before].name + ' → ' + data.grades[after].name);
        }
        tbody.appendChild(tr);
      }
    }
    show(-1);
  }
  picker.addEventListener('change', render);
  render();
})();
