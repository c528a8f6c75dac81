// The selected workspace: its facts, restart and delete, its activity, boot log and live events.

import { api, ApiError, problem, ws } from './api.js';
import { $, h, statusBadge, time } from './dom.js';
import { state, reload, nameOf, selectedWorkspace } from './state.js';

let shownId = '';

export function renderDetail() {
  const w = selectedWorkspace();
  $('detail').hidden = !w;
  $('detail-empty').hidden = !!w;
  if (!w) {
    shownId = '';
    return;
  }
  const fresh = w.id !== shownId;
  shownId = w.id;
  $('ws-name').textContent = w.name;
  $('ws-status').replaceChildren(statusBadge(w.status));
  const facts = [
    ['ID', w.id],
    ['Runtime', w.runtime],
    ['Tier', w.tier],
    ['Role', w.role],
    ['Parent', w.parent_id ? nameOf(w.parent_id) : ''],
    ['Agent URL', w.url],
    ['Active tasks', w.active_tasks],
    ['Current task', w.current_task],
    ['Last error', w.last_sample_error],
  ].filter(([, v]) => v !== undefined && v !== null && v !== '');
  $('ws-facts').replaceChildren(...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
  renderEvents();
  if (fresh) {
    $('ws-message').textContent = '';
    loadActivity();
    if ($('boot-log').open) loadBootLog();
    else $('boot-log-output').textContent = '';
  }
}

function say(text) {
  $('ws-message').textContent = text;
}

async function restart() {
  const w = selectedWorkspace();
  if (!w) return;
  say(`Restarting ${w.name}…`);
  try {
    await api('POST', `${ws(w.id)}/restart`);
    say(`${w.name} is restarting.`);
  } catch (err) {
    say(`Could not restart ${w.name}: ${problem(err)}`);
  }
}

async function remove() {
  const w = selectedWorkspace();
  if (!w || !confirm(`Delete workspace "${w.name}"?`)) return;
  try {
    await api('DELETE', ws(w.id));
  } catch (err) {
    const children = err instanceof ApiError && err.status === 409 && err.body?.children;
    if (!children) return say(`Could not delete ${w.name}: ${problem(err)}`);
    const names = children.map((c) => c.name).join(', ');
    if (!confirm(`"${w.name}" has ${children.length} child workspace(s): ${names}. Delete them all?`)) return;
    try {
      await api('DELETE', `${ws(w.id)}?confirm=true`);
    } catch (again) {
      return say(`Could not delete ${w.name}: ${problem(again)}`);
    }
  }
  state.selected = '';
  await reload().catch(problem);
}

export async function loadActivity() {
  const id = state.selected;
  if (!id) return;
  let rows;
  try {
    rows = await api('GET', `${ws(id)}/activity?limit=50`);
  } catch (err) {
    rows = [];
    if (id === state.selected) say(`Could not read the activity: ${problem(err)}`);
  }
  if (id !== state.selected) return; // the selection moved on meanwhile
  $('activity').replaceChildren(
    ...rows.map((a) =>
      h(
        'tr',
        {},
        h('td', {}, time(a.created_at)),
        h('td', {}, a.activity_type),
        h('td', {}, a.summary || a.method || ''),
        h('td', {}, a.status || ''),
      ),
    ),
  );
  $('activity-empty').hidden = rows.length > 0;
}

async function loadBootLog() {
  const id = state.selected;
  if (!id) return;
  const out = $('boot-log-output');
  out.textContent = 'Loading…';
  try {
    const log = await api('GET', `${ws(id)}/boot-log`);
    if (id === state.selected) out.textContent = log.output || `(nothing yet from the ${log.backend} backend)`;
  } catch (err) {
    if (id === state.selected) out.textContent = `No boot log: ${problem(err)}`;
  }
}

export function renderEvents() {
  const mine = state.events.filter((e) => e.workspace_id === state.selected).slice(0, 30);
  $('events').replaceChildren(
    ...mine.map((e) => h('li', {}, time(e.timestamp), ' ', h('code', {}, e.event), eventDetail(e))),
  );
  $('events-empty').hidden = mine.length > 0;
}

function eventDetail(e) {
  const p = e.payload || {};
  const text = p.current_task || p.summary || p.error || p.name || '';
  return text ? ` ${text}` : '';
}

export function initDetail() {
  $('ws-restart').addEventListener('click', restart);
  $('ws-delete').addEventListener('click', remove);
  $('activity-refresh').addEventListener('click', loadActivity);
  $('boot-log').addEventListener('toggle', () => $('boot-log').open && loadBootLog());
  $('boot-log-refresh').addEventListener('click', loadBootLog);
}
