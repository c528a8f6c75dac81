// Small DOM helpers. Text always goes in as text, never as markup.

export const $ = (id) => document.getElementById(id);

/** An element with attributes (`class`, `data-*`, aria-*, properties) and children (nodes or text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'scope') el.setAttribute(k, v);
    else el[k] = v;
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c);
  return el;
}

/** A status badge: "online", "failed", ... */
export function statusBadge(status) {
  return h('span', { class: `status status-${status}`, 'data-status': status }, status.replace('_', ' '));
}

/** A timestamp as local time, with the original in a tooltip. */
export function time(ts) {
  const d = new Date(ts);
  return h('time', { dateTime: ts, title: ts }, Number.isNaN(d.getTime()) ? String(ts) : d.toLocaleTimeString());
}
