// The console's HTTP client: one origin, the project token in X-Auth-Token, JSON in and out, and
// both error shapes (Heat's fault body and CodeArts' flat error) turned into one ApiError.

import { buildRequest } from './validator.js';

const KEY = 'deploy-edge.session';

/** The signed-in project, kept in sessionStorage only (gone when the tab closes). */
export const session = {
  get() {
    try {
      const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
      return s && s.projectId && s.token ? s : null;
    } catch {
      return null;
    }
  },
  set(projectId, token) {
    sessionStorage.setItem(KEY, JSON.stringify({ projectId, token }));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

/** A failed request: HTTP status, a sentence, and field errors `{path, code, message, params}`. */
export class ApiError extends Error {
  constructor(status, message, { errors = [], code = '' } = {}) {
    super(message);
    this.status = status;
    this.errors = errors;
    this.code = code;
  }
}

/** Reads either error envelope. */
export function toApiError(status, body, fallback) {
  if (body && typeof body.error === 'object' && body.error) {
    // Heat: {code, title, explanation, error: {message, type, errors}}
    return new ApiError(status, body.error.message || body.title || fallback, {
      errors: Array.isArray(body.error.errors) ? body.error.errors : [],
      code: body.error.type || '',
    });
  }
  if (body && (body.error_code || body.error_msg)) {
    // CodeArts: {error_code, error_msg, errors}
    return new ApiError(status, body.error_msg || fallback, {
      errors: Array.isArray(body.errors) ? body.errors : [],
      code: body.error_code || '',
    });
  }
  return new ApiError(status, fallback);
}

/** Encodes one path segment (for the console's own `#/…` links). */
export const seg = (s) => encodeURIComponent(s);

/**
 * Sends a request and returns `{status, body, headers}`; throws ApiError for a status >= 400 or
 * a network failure. `req` is what deploy-edge's buildRequest returns, or the same shape by hand.
 * A 401 fires a `session-expired` event on window.
 */
export async function send(req, { token } = {}) {
  const auth = token ?? session.get()?.token;
  const headers = { Accept: 'application/json', ...(req.headers || {}) };
  if (auth) headers['X-Auth-Token'] = auth;
  let body = req.body;
  if (body !== undefined && body !== null && typeof body !== 'string') body = JSON.stringify(body);
  if (body !== undefined && body !== null && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(req.path, { method: req.method, headers, body: body ?? undefined });
  } catch (e) {
    throw new ApiError(0, `The service could not be reached (${e.message})`);
  }
  const text = await res.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!res.ok) {
    const err = toApiError(res.status, parsed, `${res.status} ${res.statusText || 'error'}`.trim());
    if (res.status === 401 && !token) window.dispatchEvent(new CustomEvent('session-expired', { detail: err }));
    throw err;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/**
 * Builds a request with deploy-edge (`params`: the ids that go in the path, e.g. project_id, id;
 * `body`: the payload, or a listing's query) and sends it. A request the package rejects never
 * leaves the browser. `token` signs in with a token that is not the session's yet.
 */
export async function sendKind(kind, params, body = {}, extraHeaders = {}, { token } = {}) {
  let req;
  try {
    req = buildRequest(kind, { ...body, ...params });
  } catch (e) {
    throw new ApiError(0, e.message, { errors: Array.isArray(e.errors) ? e.errors : [] });
  }
  let headers = req.headers || {};
  if (headers instanceof Map || Array.isArray(headers)) headers = Object.fromEntries(headers);
  return send({ method: req.method, path: req.path, headers: { ...headers, ...extraHeaders }, body: req.body ?? undefined }, { token });
}

/** A Heat request of the signed-in project: `heat('software_deployment.show', { id })`. */
export const heat = (kind, params = {}, body = {}, extraHeaders = {}) =>
  sendKind(kind, { project_id: session.get()?.projectId ?? '', ...params }, body, extraHeaders);
