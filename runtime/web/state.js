// What the dashboard knows: the workspaces by id, the selected one, and the recent live events.
// Views subscribe with onChange and redraw from here.

import { api } from './api.js';

export const state = {
  workspaces: new Map(),
  selected: '',
  events: [], // newest first, heartbeats left out
};

const STATUSES = new Set([
  'provisioning', 'online', 'offline', 'degraded', 'failed', 'removed', 'paused', 'hibernating', 'hibernated', 'awaiting_agent',
]);
let seq = 0;

const listeners = new Set();
export const onChange = (fn) => listeners.add(fn);
export const changed = () => listeners.forEach((fn) => fn());

/** The status a live event sets ("WORKSPACE_ONLINE" -> "online"), or nothing. */
export function statusOf(e) {
  if (e.event === 'WORKSPACE_PROVISION_FAILED') return 'failed';
  const s = e.event.startsWith('WORKSPACE_') ? e.event.slice('WORKSPACE_'.length).toLowerCase() : '';
  return STATUSES.has(s) ? s : '';
}

/**
 * Records a live event and applies what it says about a known workspace. Returns false when
 * the event concerns a workspace this page does not know (a reload is due).
 */
export function applyEvent(e, record = true) {
  if (record) {
    e.seq = ++seq;
    state.events.unshift(e);
    state.events.length = Math.min(state.events.length, 200);
  }
  const w = state.workspaces.get(e.workspace_id);
  const status = statusOf(e);
  if (status === 'removed') {
    state.workspaces.delete(e.workspace_id);
    if (state.selected === e.workspace_id) state.selected = '';
    return true;
  }
  if (status) {
    if (w) w.status = status;
    return !!w;
  }
  if (e.event === 'TASK_UPDATED' && w && e.payload) {
    if ('current_task' in e.payload) w.current_task = e.payload.current_task;
    if ('active_tasks' in e.payload) w.active_tasks = e.payload.active_tasks;
  }
  return true;
}

/** Reads the whole list again (GET /workspaces), then replays the events that came meanwhile. */
export async function reload() {
  const since = seq;
  const list = await api('GET', '/workspaces');
  state.workspaces = new Map(list.map((w) => [w.id, w]));
  for (const e of state.events.filter((x) => x.seq > since).reverse()) applyEvent(e, false);
  if (state.selected && !state.workspaces.has(state.selected)) state.selected = '';
  changed();
}

export function select(id) {
  state.selected = id;
  changed();
}

export const selectedWorkspace = () => state.workspaces.get(state.selected);

/** A workspace's name, or its id when it is not known. */
export const nameOf = (id) => state.workspaces.get(id)?.name ?? id;
