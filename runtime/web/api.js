// The HTTP API, called with this tab's admin token (kept in sessionStorage).

const KEY = 'workspace-server.admin-token';

export const adminToken = {
  get: () => sessionStorage.getItem(KEY) || '',
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** Calls the API; the parsed JSON answer, or an ApiError with the server's `error` text. */
export async function api(method, path, body, token = adminToken.get()) {
  const init = { method, headers: { Authorization: `Bearer ${token}` } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `the server did not answer (${e.message})`);
  }
  const text = await res.text();
  let data = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || `${res.status} ${res.statusText}`, data);
  return data;
}

export const ws = (id) => `/workspaces/${encodeURIComponent(id)}`;

/**
 * The text to show for a failure. One that is not the server's answer (a bug in this page)
 * also goes to the console, so that it is not only a line on the page.
 */
export function problem(err) {
  if (!(err instanceof ApiError)) console.error(err);
  return err.message;
}
