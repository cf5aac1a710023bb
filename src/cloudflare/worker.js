// The Worker's entry. It hands each request to the Rust core (`answer` in mod.rs, compiled by
// wasm-bindgen into core.js + core_bg.wasm beside this file in build/) as the few values the core
// reads, and builds the Response itself: no per-request objects beyond those.
import { DurableObject } from 'cloudflare:workers';
import module from './core_bg.wasm';
import {
  initSync, configure, answer, awaited, resume, maxBodyBytes, checkedWriteMethods, writeScope, ProjectWriter,
  __wbg_reset_state,
} from './core.js';
import { projectWrite } from './bindings.js';
import { consoleResponse } from './console.js';

initSync({ module });
const MAX_BODY_BYTES = maxBodyBytes();
/** Methods a checked write can have: no other request is asked for its write scope. */
const WRITE_METHODS = new Set(checkedWriteMethods().split(' '));

/** Headers as the core reads them: `name\nvalue\n` lines (names arrive lower-case). */
function headerLines(headers) {
  let lines = '';
  for (const [name, value] of headers) lines += `${name}\n${value}\n`;
  return lines;
}

/**
 * The body's bytes; none when the request has none, is a GET or HEAD (no operation reads one), or
 * declares more than the core accepts.
 */
async function bodyOf(method, request, headers) {
  if (method === 'GET' || method === 'HEAD') return undefined;
  const declared = headers.get('content-length');
  if (declared === null ? request.body === null : !(Number(declared) > 0)) return undefined;
  if (Number(declared) > MAX_BODY_BYTES) return undefined;
  return new Uint8Array(await request.arrayBuffer());
}

/** Counts the core's resets: objects made by an earlier instance are gone with it. */
let generation = 0;

/** The generation whose instance has the Worker's bindings (`configure`); none yet. */
let configured = -1;

/** Set by the core's panic hook (mod.rs) when the instance trapped, wherever that happened. */
const TRAPPED = 'deployEdgeTrapped';

/** A trapped instance is replaced before its next use (requests it was serving are lost). */
function resetIfTrapped() {
  if (!globalThis[TRAPPED]) return;
  globalThis[TRAPPED] = false;
  __wbg_reset_state();
  generation += 1;
}

/** What a trap answers, in the form `run` gives (a JSON 500; the core logged the panic). */
const TRAP_ANSWER = {
  status: 500,
  headers: 'content-type\napplication/json\ncache-control\nno-store\n',
  body: new TextEncoder().encode('{"error":"internal error"}'),
};

/**
 * Runs the core and unpacks its Answer into `{status, headers, body}` (headers as lines): the form
 * a Response is built from and the object's RPC answer. An answer stopped at a platform promise
 * comes as a ticket: the promise is awaited here and its outcome handed back (driver.rs). A trap
 * in any of its steps answers 500 (the instance is reset).
 */
async function run(call) {
  resetIfTrapped();
  let a;
  try {
    a = call();
    while (typeof a === 'number') {
      let value, rejected = false;
      try {
        value = await awaited(a);
      } catch (e) {
        value = e;
        rejected = true;
      }
      a = resume(a, value, rejected);
    }
    if (a === undefined) return TRAP_ANSWER; // the instance was reset while this answer waited
    return unpack(await a);
  } catch (e) {
    console.error(JSON.stringify({ level: 'error', cause: `the core trapped: ${e}` }));
    globalThis[TRAPPED] = true;
    resetIfTrapped();
    return TRAP_ANSWER;
  }
}

const utf8 = new TextDecoder();

/** The core's Answer (bytes: status, header lines' length, header lines, body; mod.rs) unpacked. */
function unpack(wire) {
  const status = (wire[0] << 8) | wire[1];
  const end = 6 + ((wire[2] << 24) | (wire[3] << 16) | (wire[4] << 8) | wire[5]);
  return { status, headers: utf8.decode(wire.subarray(6, end)), body: end < wire.length ? wire.subarray(end) : undefined };
}

/** The Response for an unpacked answer (`run`'s, or the object's over RPC). */
function respond({ status, headers, body }) {
  const parts = headers.split('\n');
  const sent = new Headers();
  for (let i = 0; i + 1 < parts.length; i += 2) sent.append(parts[i], parts[i + 1]);
  return new Response(body ?? null, { status, headers: sent });
}

export default {
  async fetch(request, env) {
    const { method, url, headers: received } = request;
    const file = consoleResponse(method, url, received);
    if (file !== undefined) return file;
    const headers = headerLines(received);
    const body = await bodyOf(method, request, received);
    let unreachable;
    resetIfTrapped();
    // A checked write whose path names its project: its object answers it whole.
    const scope = WRITE_METHODS.has(method) ? writeScope(method, url) : undefined;
    if (scope !== undefined) {
      try {
        return respond(await projectWrite(env.PROJECT_WRITES, scope, method, url, headers, body));
      } catch (e) {
        unreachable = `the project's Durable Object did not answer: ${e}`;
      }
    }
    if (configured !== generation) {
      configure(env, env.DEPLOY_KV, env.PROJECT_WRITES);
      configured = generation;
    }
    return respond(await run(() => answer(method, url, headers, body, unreachable)));
  },
};

/** One project's writer: answers its checked writes one at a time (src/gate.rs). Stores nothing. */
export class ProjectWrites extends DurableObject {
  /** A checked write, sent over RPC by the Worker (`projectWrite` in bindings.js). */
  async answer(method, url, headers, body) {
    resetIfTrapped();
    if (this.generation !== generation) {
      this.writer = new ProjectWriter(this.env, this.env.DEPLOY_KV);
      this.generation = generation;
    }
    return run(() => this.writer.answer(method, url, headers, body));
  }
}
