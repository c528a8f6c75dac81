// A chat with the selected workspace's agent: A2A `message/send` through the server's proxy
// (POST /workspaces/:id/a2a, as the canvas: the admin token and no X-Workspace-ID).

import { api, problem, ws } from './api.js';
import { $, h } from './dom.js';
import { state } from './state.js';
import { loadActivity } from './detail.js';

const transcripts = new Map(); // workspace id -> [{who, text}]
let shownId = '';
let nextId = 1;

/** The text of an A2A answer: a Message's parts, a Task's status message or its artifacts. */
export function answerText(reply) {
  if (reply?.error) return `error ${reply.error.code}: ${reply.error.message}`;
  const r = reply?.result ?? {};
  const parts = r.parts ?? r.status?.message?.parts ?? (r.artifacts ?? []).flatMap((a) => a.parts ?? []);
  const text = parts
    .filter((p) => (p.kind ?? p.type) === 'text')
    .map((p) => p.text)
    .join('\n');
  return text || JSON.stringify(r);
}

// crypto.randomUUID needs a secure context; a page on a LAN address over http is not one.
function messageId() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function add(id, who, text) {
  if (!transcripts.has(id)) transcripts.set(id, []);
  transcripts.get(id).push({ who, text });
  if (id === state.selected) renderChat(true);
}

export function renderChat(force = false) {
  if (!force && shownId === state.selected) return;
  shownId = state.selected;
  const lines = transcripts.get(state.selected) || [];
  $('chat-log').replaceChildren(
    ...lines.map((l) => h('li', { class: `said said-${l.who}` }, h('span', { class: 'who' }, `${l.who}:`), ' ', l.text)),
  );
  $('chat-log').lastElementChild?.scrollIntoView({ block: 'nearest' });
}

export function initChat() {
  $('chat-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = state.selected;
    const input = $('chat-input');
    const text = input.value.trim();
    if (!id || !text) return;
    input.value = '';
    add(id, 'you', text);
    const button = e.currentTarget.querySelector('button');
    button.disabled = true;
    const request = {
      jsonrpc: '2.0',
      id: nextId++,
      method: 'message/send',
      params: { message: { role: 'user', messageId: messageId(), parts: [{ kind: 'text', text }] } },
    };
    try {
      add(id, 'agent', answerText(await api('POST', `${ws(id)}/a2a`, request)));
    } catch (err) {
      add(id, 'error', problem(err));
    } finally {
      button.disabled = false;
      input.focus();
      if (id === state.selected) loadActivity();
    }
  });
}
