// The workspace tree (parent and children) and the create form.

import { api, problem } from './api.js';
import { $, h, statusBadge } from './dom.js';
import { state, reload, select } from './state.js';

export function renderTree() {
  const byParent = new Map();
  for (const w of state.workspaces.values()) {
    const parent = w.parent_id && state.workspaces.has(w.parent_id) ? w.parent_id : '';
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(w);
  }
  const branch = (parent) =>
    (byParent.get(parent) || []).map((w) => {
      const children = branch(w.id);
      return h(
        'li',
        { 'data-id': w.id },
        h(
          'button',
          {
            type: 'button',
            class: 'node',
            'data-id': w.id,
            'aria-current': w.id === state.selected ? 'true' : undefined,
            onclick: () => select(w.id),
          },
          h('span', { class: 'name' }, w.name),
          statusBadge(w.status),
        ),
        children.length ? h('ul', {}, children) : null,
      );
    });
  // Keep the keyboard focus on the same workspace across redraws.
  const focused = document.activeElement?.closest?.('#tree button')?.dataset.id;
  $('tree').replaceChildren(...branch(''));
  if (focused) $('tree').querySelector(`button[data-id="${CSS.escape(focused)}"]`)?.focus();
  $('tree-empty').hidden = state.workspaces.size > 0;
  renderParents();
}

function renderParents() {
  const select = $('create-parent');
  const current = select.value;
  const options = [...state.workspaces.values()].map((w) => h('option', { value: w.id }, w.name));
  select.replaceChildren(h('option', { value: '' }, 'None (a root)'), ...options);
  select.value = state.workspaces.has(current) ? current : '';
}

/** The template library (GET /templates) as the create form's choices. */
export async function loadTemplates() {
  let templates = [];
  try {
    templates = await api('GET', '/templates');
  } catch (err) {
    $('create-error').textContent = `Could not read the templates: ${problem(err)}`;
  }
  const select = $('create-template');
  const options = templates.map((t) =>
    h('option', { value: t.id }, t.runtime ? `${t.name || t.id} (${t.runtime})` : t.name || t.id),
  );
  select.replaceChildren(h('option', { value: '' }, 'None'), ...options);
}

export function initCreateForm() {
  $('create-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const body = { name: data.get('name').trim() };
    for (const key of ['role', 'template', 'runtime', 'model', 'parent_id']) {
      const v = data.get(key).trim();
      if (v) body[key] = v;
    }
    if (data.get('tier')) body.tier = Number(data.get('tier'));
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    $('create-error').textContent = '';
    try {
      const created = await api('POST', '/workspaces', body);
      form.reset();
      state.selected = created.id;
      await reload();
    } catch (err) {
      $('create-error').textContent = `Could not create it: ${problem(err)}`;
    } finally {
      button.disabled = false;
    }
  });
}
