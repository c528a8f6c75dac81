// The dashboard: sign in with the admin token, then the workspace tree with live status over
// /ws, a workspace's details, chat and activity, and the backend parity matrix.

import { api, adminToken, ApiError, problem } from './api.js';
import { $ } from './dom.js';
import { connectLive } from './live.js';
import { state, applyEvent, changed, onChange, reload, statusOf } from './state.js';
import { renderTree, initCreateForm, loadTemplates } from './tree.js';
import { renderDetail, renderEvents, initDetail, loadActivity } from './detail.js';
import { renderChat, initChat } from './chat.js';
import { loadParity } from './parity.js';

let live = null;
let reloadTimer = 0;
let activityTimer = 0;

// Several events in a burst (an org import, a cascade) make one reload.
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => reload().catch(showTreeError), 250);
}

function showTreeError(err) {
  $('tree-error').textContent = `Could not read the workspaces: ${problem(err)}`;
}

// A status or task change updates the workspace in place; a workspace this page does not
// know, or a change of the tree's shape, reloads the list.
function onEvent(e) {
  if (e.event === 'WORKSPACE_HEARTBEAT') return;
  const known = applyEvent(e);
  if (!known) reloadSoon();
  if (statusOf(e) || e.event === 'TASK_UPDATED') {
    changed();
  } else if (e.event === 'ACTIVITY_LOGGED' || e.event === 'A2A_RESPONSE') {
    if (e.workspace_id === state.selected) {
      clearTimeout(activityTimer);
      activityTimer = setTimeout(loadActivity, 250);
    }
    renderEvents();
  } else {
    renderEvents();
    reloadSoon();
  }
}

function onLiveState(s) {
  const words = { off: 'off', connecting: 'connecting…', connected: 'connected', reconnecting: 'reconnecting…' };
  $('live').dataset.state = s;
  $('live').textContent = `Live events: ${words[s]}`;
  if (s === 'connected') reloadSoon(); // catch up on what happened while disconnected
}

function showSection() {
  const parity = location.hash === '#parity';
  const signedIn = !!adminToken.get();
  $('parity').hidden = !parity;
  $('sign-in').hidden = parity || signedIn;
  $('workspaces').hidden = parity || !signedIn;
  $('nav-parity').setAttribute('aria-current', parity ? 'page' : 'false');
  $('nav-workspaces').setAttribute('aria-current', parity ? 'false' : 'page');
  $('sign-out').hidden = !signedIn;
}

async function signIn(token) {
  // Checked with a call before it is kept.
  await api('GET', '/workspaces', undefined, token);
  adminToken.set(token);
  start();
}

function start() {
  showSection();
  if (!live) live = connectLive({ onEvent, onState: onLiveState });
  loadTemplates();
  reload().catch((err) => {
    if (err instanceof ApiError && err.status === 401) return signOut('That token is no longer accepted.');
    showTreeError(err);
  });
}

function signOut(why = '') {
  live?.close();
  live = null;
  adminToken.clear();
  state.workspaces.clear();
  state.selected = '';
  changed();
  $('token-error').textContent = why;
  showSection();
  if (!$('sign-in').hidden) $('token').focus();
}

function init() {
  onChange(() => {
    $('tree-error').textContent = '';
    renderTree();
    renderDetail();
    renderChat();
  });
  initCreateForm();
  initDetail();
  initChat();
  $('token-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('token-error').textContent = '';
    const token = $('token').value.trim();
    try {
      await signIn(token);
      $('token').value = '';
    } catch (err) {
      $('token-error').textContent = err.status === 401 ? 'The server does not accept that token.' : problem(err);
    }
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('tree-refresh').addEventListener('click', () => reload().catch(showTreeError));
  window.addEventListener('hashchange', showSection);
  loadParity();
  if (adminToken.get()) start();
  else showSection();
}

init();
