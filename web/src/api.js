// The console's only door to the server: same-origin fetch with the session cookie.
// State-changing requests carry X-CSRF-Token (the token from /console/session, kept in
// memory only). Errors become ApiError with the problem document's title, detail and
// per-field errors ([{field, message}]) so forms can show each beside its field.
// Nothing here logs a request or response body: some carry client secrets.

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `Request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
  // Messages for fields whose name starts with prefix ("redirect_uris" matches
  // "redirect_uris[1]").
  fieldMessages(prefix) {
    return this.errors.filter((e) => e.field === prefix || e.field.startsWith(`${prefix}[`) ||
      e.field.startsWith(`${prefix}.`)).map((e) => e.message);
  }
}

export function signInUrl() {
  const here = location.pathname + location.search;
  return `/console/login?next=${encodeURIComponent(here.startsWith('/console/') ? here : '/console/')}`;
}

function toSignIn() {
  location.assign(signInUrl());
  return new Promise(() => {}); // the page is going away
}

// GET /console/session: { account, csrf_token }, or null when not signed in.
export async function loadSession() {
  const r = await fetch('/console/session', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (r.status === 401) return null;
  if (!r.ok) throw new ApiError(r.status, await problemOf(r));
  const s = await r.json();
  csrfToken = s.csrf_token;
  return s;
}

export function csrf() {
  return csrfToken;
}

async function problemOf(r) {
  try {
    return await r.json();
  } catch {
    return null;
  }
}

// request('GET', '/api/v1/me') -> parsed JSON (undefined for 204).
// body: a plain object (sent as JSON) or a Blob/File (sent as is, with its type).
export async function request(method, url, body) {
  const headers = { accept: 'application/json' };
  let payload;
  if (body instanceof Blob) {
    payload = body;
    headers['content-type'] = body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken || '';
  let r;
  try {
    r = await fetch(url, { method, headers, body: payload, cache: 'no-store', credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (r.status === 401) return toSignIn();
  if (!r.ok) throw new ApiError(r.status, await problemOf(r));
  if (r.status === 204) return undefined;
  const text = await r.text();
  return text ? JSON.parse(text) : undefined;
}

export const api = {
  get: (u) => request('GET', u),
  post: (u, b) => request('POST', u, b ?? {}),
  patch: (u, b) => request('PATCH', u, b),
  put: (u, b) => request('PUT', u, b),
  del: (u, b) => request('DELETE', u, b),
};

export const appUrl = (clientId, rest = '') => `/api/v1/applications/${encodeURIComponent(clientId)}${rest}`;
