// The console's HTTP client: one origin, the project token in X-Auth-Token, JSON in and out, and
// both error shapes (Heat's fault body and CodeArts' flat error) turned into one ApiError.

import { buildRequest, ready } from './validator.js';

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

/** What is wrong with a project id by the package's rule (buildRequest checks path ids), or null. */
export function projectIdProblem(projectId) {
  if (!ready()) return null; // nothing can be sent then, and the banner says why
  try {
    buildRequest('software_config.list', { project_id: projectId });
    return null;
  } catch (e) {
    const broken = (e.errors || []).find((x) => x.path === '/project_id');
    if (!broken) return null;
    if (broken.code === 'required') return 'Project ID is required';
    if (broken.code === 'pattern') return `Project ID must be ${broken.params.pattern}`;
    return broken.message;
  }
}

/** The admin token, for this tab only (sessionStorage, like the session; never localStorage). */
const ADMIN = 'deploy-edge.admin';
export const adminSession = {
  get: () => sessionStorage.getItem(ADMIN),
  set: (t) => sessionStorage.setItem(ADMIN, t),
  clear: () => sessionStorage.removeItem(ADMIN),
};

/** An admin request (not a package kind: its path is written here), with the admin token only. */
export function admin(method, projectId, rest, token = adminSession.get()) {
  buildRequest('software_config.list', { project_id: projectId });
  return send({ method, path: `/admin/v1/projects/${seg(projectId)}/${rest}`, headers: { Authorization: `Bearer ${token}` } }, { token: '' });
}

export const seg = (s) => encodeURIComponent(s);

/** Sends `{method, path, headers, body}` → `{status, body, headers}`; ApiError for >= 400. */
export async function send(req, { token } = {}) {
  const auth = token ?? session.get()?.token; // token '': no X-Auth-Token (the admin API)
  const headers = { Accept: 'application/json', ...req.headers };
  if (auth) headers['X-Auth-Token'] = auth;
  let { body } = req;
  if (body != null) {
    if (typeof body !== 'string') body = JSON.stringify(body);
    if (!Object.keys(headers).some((k) => /^content-type$/i.test(k))) headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(req.path, { method: req.method, headers, body: body ?? undefined });
  } catch (e) {
    throw new ApiError(0, `The service could not be reached (${e.message})`);
  }
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch { /* not JSON */ }
  if (!res.ok) {
    const err = toApiError(res.status, parsed, `${res.status} ${res.statusText || 'error'}`.trim());
    if (res.status === 401 && token === undefined) window.dispatchEvent(new CustomEvent('session-expired', { detail: err }));
    throw err;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Builds a request with deploy-edge (path ids in `params`) and sends it; invalid ones never leave. */
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
