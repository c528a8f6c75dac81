// Live events over GET /ws (the canvas's stream: every event, for the admin token). Browsers
// cannot set headers on a WebSocket, so the token goes in ?token=. Reconnects with a backoff;
// `onState` hears connecting / connected / reconnecting, so the caller can reload what it may
// have missed while disconnected.

import { adminToken } from './api.js';

export function connectLive({ onEvent, onState }) {
  let socket = null;
  let timer = 0;
  let delay = 1000;
  let stopped = false;

  const open = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(adminToken.get())}`);
    onState('connecting');
    socket.addEventListener('open', () => {
      delay = 1000;
      onState('connected');
    });
    socket.addEventListener('message', (m) => {
      let event;
      try {
        event = JSON.parse(m.data);
      } catch {
        return; // not an event
      }
      onEvent(event);
    });
    socket.addEventListener('close', () => {
      if (stopped) return;
      onState('reconnecting');
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 15000);
    });
  };
  open();

  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      if (socket) socket.close();
      onState('off');
    },
  };
}
