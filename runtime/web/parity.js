// The backend parity matrix (GET /assets/parity.json, written by `parity json` at build time),
// one table per area.

import { problem } from './api.js';
import { $, h } from './dom.js';

const VERDICT_CLASS = {
  parity: 'ok',
  divergent: 'warn',
  'docker-only': 'bad',
  'controlplane-only': 'bad',
  'not built': 'none',
};

function cell(c) {
  if (c.disposition === 'unbuilt') return h('td', { class: 'muted' }, '—');
  return h('td', { class: `cell-${c.disposition}` }, c.disposition === 'implemented' ? '' : `${c.disposition}: `, c.text);
}

function table(area, backends) {
  return h(
    'table',
    { class: 'grid parity' },
    h('caption', {}, area.title),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Feature'),
        backends.map((b) => h('th', { scope: 'col' }, b.title)),
        h('th', { scope: 'col' }, 'Verdict'),
        h('th', { scope: 'col' }, 'Scenarios'),
      ),
    ),
    h(
      'tbody',
      {},
      area.features.map((f) =>
        h(
          'tr',
          { 'data-feature': f.id },
          h('th', { scope: 'row' }, f.title, h('br'), h('code', {}, f.id)),
          backends.map((b) => cell(f.cells[b.id])),
          h(
            'td',
            {},
            h('span', { class: `verdict verdict-${VERDICT_CLASS[f.verdict] || 'none'}` }, f.verdict),
            f.note ? h('p', { class: 'note' }, f.note) : null,
          ),
          h('td', { title: f.scenarios.join('\n') }, String(f.scenarios.length)),
        ),
      ),
    ),
  );
}

export async function loadParity() {
  try {
    const res = await fetch('/assets/parity.json');
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    const matrix = await res.json();
    $('parity-tables').replaceChildren(...matrix.areas.map((a) => table(a, matrix.backends)));
    const totals = Object.entries(matrix.totals).map(([verdict, n]) => `${n} ${verdict}`);
    $('parity-totals').textContent = `Rows: ${totals.join(', ')}.`;
  } catch (err) {
    $('parity-error').textContent = `Could not read the parity matrix: ${problem(err)}`;
  }
}
