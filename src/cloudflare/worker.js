// @ts-check
// The Worker's entry. It hands each request to the Rust core (`answer` in mod.rs, compiled by
// wasm-bindgen into core.js + core_bg.wasm beside this file in build/) as the few values the core
// reads, and builds the Response itself: no per-request objects beyond those. A request the core
// hands back with a project's id goes to that project's object (ProjectWrites, below), which
// answers it over its SQLite.
//
// Its types are checked (`tsc --checkJs`, scripts/test-worker-types.sh) against the Workers types
// and, for the modules build/ holds only after a build, against the .d.ts files beside it.
import { DurableObject, waitUntil } from 'cloudflare:workers';
import module from './core_bg.wasm';
import {
  initSync, configure, answer, unreachable, awaited, resume, maxBodyBytes, trapForTests,
  ProjectWriter, __wbg_reset_state,
} from './core.js';
import { unpack } from './answer.js';
import { objectOf } from './bindings.js';
import { consoleResponse } from './console.js';

/** @typedef {import('./answer.js').Unpacked} Unpacked */
/** @template T @typedef {import('./core.js').Driven<T>} Driven */

/**
 * The Worker's bindings and settings (wrangler.toml; secrets in .dev.vars or `wrangler secret`).
 * A binding missing from the configuration is answered by the core (a 500 that names it).
 * @typedef {object} Env
 * @property {KVNamespace} DEPLOY_KV
 * @property {DurableObjectNamespace<ProjectWrites>} PROJECT_WRITES
 * @property {string} [ADMIN_TOKEN]
 * @property {string} [CREDENTIALS_KEY]
 * @property {string} [PUBLIC_URL]
 * @property {string} [EXPOSE_KV_OPS]
 * @property {string} [LEGACY_ACCESS_KEYS]
 * @property {string} [FAULT_INJECTION] "on" in tests only (see `faults`)
 */

initSync({ module });
const MAX_BODY_BYTES = maxBodyBytes();

/**
 * Headers as the core reads them: `name\nvalue\n` lines (names arrive lower-case).
 * @param {Headers} headers
 */
function headerLines(headers) {
  let lines = '';
  for (const [name, value] of headers) lines += `${name}\n${value}\n`;
  return lines;
}

/**
 * The body's bytes; none when the request has none or declares more than the core accepts. A GET
 * or HEAD body is read too when there is one: no operation reads it, but a signed request's
 * signature covers the bytes sent (Huawei's SDK core signs a GET's `data`).
 * @param {Request} request
 * @param {Headers} headers its headers
 * @returns {Promise<Uint8Array | undefined>}
 */
async function bodyOf(request, headers) {
  const declared = headers.get('content-length');
  if (declared === null ? request.body === null : !(Number(declared) > 0)) return undefined;
  if (Number(declared) > MAX_BODY_BYTES) return undefined;
  return new Uint8Array(await request.arrayBuffer());
}

/**
 * Counts the core's resets: objects made by an earlier instance are gone with it, and so are the
 * answers it had suspended (their tickets mean nothing to the new instance, or another answer).
 */
let generation = 0;

/** The generation whose instance has the Worker's bindings (`configure`); none yet. */
let configured = -1;

/**
 * The `worker` crate's start function keeps its state here and its panic hook sets
 * `criticalError` when the instance traps, wherever that happened (inside an awaited task no
 * exception reaches this file).
 */
const initState = () => globalThis.__worker_init_state;

/** A trapped instance is replaced before its next use (requests it was serving are lost). */
function resetIfTrapped() {
  const state = initState();
  if (!state?.criticalError) return;
  state.criticalError = false;
  __wbg_reset_state();
  generation += 1;
}

/**
 * What a trap answers, in the form `run` gives (a JSON 500; the panic hook logged the panic).
 * @type {Unpacked}
 */
const TRAP_ANSWER = {
  status: 500,
  headers: 'content-type\napplication/json\ncache-control\nno-store\n',
  body: new TextEncoder().encode('{"error":"internal error"}'),
};

/**
 * Runs a call of the core to its end: an answer stopped at a platform promise comes as a ticket,
 * and the promise is awaited here and its outcome handed back (driver.rs). Its value: an Answer
 * unpacked into `{status, headers, body}` (headers as lines: the form a Response is built from
 * and the object's RPC answer), or whatever else the call answers (a project's id). A trap in
 * any of its steps answers 500 (the instance is reset), and so does an answer that was waiting
 * when the instance was reset: its ticket was the old instance's, and the new one may have given
 * the same number to another answer, which must not be resumed with this one's outcome.
 * @template R what the call answers: an Answer (bytes), or anything else
 * @param {() => Driven<R>} call
 * @returns {Promise<Unpacked | Exclude<R, Uint8Array>>}
 */
async function run(call) {
  resetIfTrapped();
  const started = generation;
  try {
    let a = call();
    while (typeof a === 'number') {
      /** @type {unknown} */
      let value;
      let rejected = false;
      try {
        value = await awaited(a);
      } catch (e) {
        value = e;
        rejected = true;
      }
      if (generation !== started) return TRAP_ANSWER;
      // A ticket resumes the call that handed it out: its answer is of the call's type.
      const resumed = /** @type {Driven<R> | undefined} */ (resume(a, value, rejected));
      if (resumed === undefined) return TRAP_ANSWER; // an unknown ticket: the instance was reset
      a = resumed;
    }
    const done = await a;
    return done instanceof Uint8Array ? unpack(done) : /** @type {Exclude<R, Uint8Array>} */ (done);
  } catch (e) {
    console.error(JSON.stringify({ level: 'error', cause: `the core trapped: ${e}` }));
    const state = initState();
    if (state) state.criticalError = true;
    resetIfTrapped();
    return TRAP_ANSWER;
  }
}

/**
 * The Response for an unpacked answer (`run`'s, or the object's over RPC).
 * @param {Unpacked} answer
 */
function respond({ status, headers, body }) {
  const parts = headers.split('\n');
  const sent = new Headers();
  for (let i = 0; i + 1 < parts.length; i += 2) sent.append(parts[i], parts[i + 1]);
  return new Response(body ?? null, { status, headers: sent });
}

/**
 * Tests only: with FAULT_INJECTION = "on" in the Worker's configuration (never otherwise), and
 * with the admin token,
 * - `PUT /_test/projects/{project_id}/faults` with `{"kv_writes": "fail"|"ok"}` makes the
 *   project's object fail its KV writes, or stop failing them;
 * - `POST /_test/trap` makes the core panic in the middle of an answer (after a platform promise
 *   it awaited): the instance traps and is reset, and the request is answered as a trap.
 * @param {Request} request
 * @param {Env} env
 * @returns {Promise<Response>}
 */
async function faults(request, env) {
  const notFound = new Response(null, { status: 404 });
  const given = new TextEncoder().encode(request.headers.get('authorization') ?? '');
  const wanted = new TextEncoder().encode(`Bearer ${env.ADMIN_TOKEN ?? ''}`);
  const admin = env.ADMIN_TOKEN && given.byteLength === wanted.byteLength
    && crypto.subtle.timingSafeEqual(given, wanted);
  if (!admin) return notFound;
  const { pathname } = new URL(request.url);
  if (request.method === 'POST' && pathname === '/_test/trap') {
    const trapped = await run(() => trapForTests(env));
    return trapped === undefined ? notFound : respond(trapped);
  }
  const match = /^\/_test\/projects\/([0-9A-Za-z]{32})\/faults$/.exec(pathname);
  if (request.method !== 'PUT' || !match) return notFound;
  /** @type {unknown} */
  const asked = await request.json().catch(() => null);
  const kvWrites = typeof asked === 'object' && asked !== null && 'kv_writes' in asked ? asked.kv_writes : undefined;
  const done = await objectOf(env.PROJECT_WRITES, match[1]).faults(kvWrites === 'fail');
  return Response.json({ kv_writes: done ? kvWrites : 'unchanged' });
}

export default /** @satisfies {ExportedHandler<Env>} */ ({
  async fetch(request, env) {
    const { method, url, headers: received } = request;
    const file = consoleResponse(method, url, received);
    if (file !== undefined) return file;
    if (env.FAULT_INJECTION === 'on' && url.includes('/_test/')) return faults(request, env);
    const headers = headerLines(received);
    const body = await bodyOf(request, received);
    resetIfTrapped();
    if (configured !== generation) {
      configure(env, env.DEPLOY_KV, env.PROJECT_WRITES, waitUntil);
      configured = generation;
    }
    const a = await run(() => answer(method, url, headers, body));
    if (typeof a !== 'string') return respond(a);
    // An operation of the project `a`: its object answers it.
    try {
      return respond(await objectOf(env.PROJECT_WRITES, a).answer(a, method, url, headers, body));
    } catch (e) {
      return respond(await run(() => unreachable(method, url, String(e))));
    }
  },
});

/**
 * One project's object: the system of record of its project, in its SQLite (src/object.rs). It
 * answers the project's writes and the reads of what only it holds, publishes its records to KV,
 * and retries what KV refused from its alarm.
 * @extends {DurableObject<Env>}
 */
export class ProjectWrites extends DurableObject {
  /** @type {ProjectWriter | undefined} the core's object for this Durable Object */
  object = undefined;
  /** The generation of the core that made `object`. */
  generation = -1;

  /** The core's object for this Durable Object, made again after a reset of the core. */
  writer() {
    resetIfTrapped();
    if (this.object === undefined || this.generation !== generation) {
      this.object = new ProjectWriter(this.ctx, this.env, this.env.DEPLOY_KV);
      this.generation = generation;
    }
    return this.object;
  }

  /**
   * A request the Worker sent to this project's object, over RPC (`objectOf` in bindings.js).
   * @param {string} project
   * @param {string} method
   * @param {string} url
   * @param {string} headers `name\nvalue\n` lines
   * @param {Uint8Array | undefined} body
   * @returns {Promise<Unpacked>}
   */
  async answer(project, method, url, headers, body) {
    return run(() => this.writer().answer(project, method, url, headers, body));
  }

  /**
   * An agent's poll, sent by the Worker after answering it (`sendContact` in bindings.js).
   * @param {string} project
   * @param {string} serverRef
   * @param {number} ms when it polled
   * @returns {Promise<void>}
   */
  async contact(project, serverRef, ms) {
    await run(() => this.writer().contact(project, serverRef, ms));
  }

  /** Publishes to KV what a failed write left in the outbox; sets itself again while KV fails. */
  async alarm() {
    await run(() => this.writer().alarm());
  }

  /**
   * Fault injection (see `faults` above): true when the configuration allowed it.
   * @param {boolean} failKvWrites
   */
  async faults(failKvWrites) {
    return this.writer().injectKvWriteFailures(failKvWrites);
  }
}
