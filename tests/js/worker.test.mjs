// The built Worker (build/worker.js with the core's wasm) run in Node, with its bindings faked:
// worker.js's driving of the core (`run`), and its reset of a trapped instance, under control of
// when each KV read settles. What workerd gives the Worker is stubbed (./workerd/), and KV holds
// its reads until a test releases them. Needs the Worker build (`make worker`; with
// SKIP_WORKER_BUILD=1 an existing build/ is used as it is).
//
// - an answer that needs no KV read is answered at once; one that waits on a read is resumed with
//   what the read gave (the driver's ticket, awaited and handed back by worker.js);
// - a trapped instance (a panic in the core, `POST /_test/trap` with FAULT_INJECTION on) answers a
//   JSON 500, is replaced, and the next request is answered by the new instance, configured again;
// - an answer that was waiting on KV when the instance was reset answers a 500, and an answer of
//   the new instance waiting with the same ticket number gets its own read, not the other's.
//
// The trap in workerd itself: tests/e2e/test_trap.py.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, timingSafeEqual } from 'node:crypto';
import { register } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT } from './support.mjs';

const ADMIN = 'a'.repeat(64);
const P = '0123456789abcdef0123456789abcdef';
const Q = 'fedcba9876543210fedcba9876543210';

/** Workers KV, held: each read waits until a test releases it (`release`). */
class HeldKv {
  constructor() {
    /** @type {{ key: string, settle: (value: ArrayBuffer | null) => void }[]} */
    this.reads = [];
  }

  get(key, type) {
    assert.equal(typeof key, 'string', 'one key at a time here');
    assert.equal(type, 'arrayBuffer');
    return new Promise((settle) => this.reads.push({ key, settle }));
  }

  /** Settles the `i`th read still waiting with `text` (null: no such key). */
  release(i, text) {
    const [read] = this.reads.splice(i, 1);
    read.settle(text === null ? null : new TextEncoder().encode(text).buffer);
  }

  put() { return Promise.resolve(); }
  delete() { return Promise.resolve(); }
  list() { return Promise.resolve({ keys: [], list_complete: true }); }
}

/** The KV key of a token (src/keys.rs: a digest of the token, never the token). */
const tokenKey = (token) => `tok/${createHash('sha256').update(token).digest('hex')}`;

/** A token's record (src/auth.rs `TokenRecord`): the token is `project`'s. */
const tokenOf = (project) => JSON.stringify({ id: 'b'.repeat(32), project_id: project, created_ms: 0 });

let worker;
let kv;
let env;
/** What the Worker wrote to console.error (the panic hook, `run`'s trap line, log lines). */
const logged = [];
const consoleError = console.error;

before(async () => {
  execFileSync('bash', ['scripts/build-worker.sh'], { cwd: ROOT, stdio: 'inherit' });
  register('./workerd/modules.mjs', import.meta.url);
  // workerd's SubtleCrypto has timingSafeEqual (the admin token check of `faults`); Node's has not.
  crypto.subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(a, b);
  console.error = (...args) => { logged.push(args.map(String).join(' ')); };
  worker = (await import(pathToFileURL(path.join(ROOT, 'build', 'worker.js')).href)).default;
  kv = new HeldKv();
  const objects = {
    idFromName: (name) => name,
    get: () => { throw new Error('no project object in these tests'); },
  };
  env = { DEPLOY_KV: kv, PROJECT_WRITES: objects, ADMIN_TOKEN: ADMIN, FAULT_INJECTION: 'on' };
});

after(() => { console.error = consoleError; });

/** The Worker's answer to a request (a promise: it may wait on KV). */
function send(pathname, init = {}) {
  return worker.fetch(new Request(`http://127.0.0.1:8787${pathname}`, init), env);
}

/** A read of the software configs of `project` with a token. */
const listConfigs = (project, token) => send(`/v1/${project}/software_configs`, { headers: { 'x-auth-token': token } });

/** Resolves once `n` KV reads wait (the Worker's answers are stopped at them), or fails. */
async function readsWaiting(n) {
  for (let i = 0; i < 500 && kv.reads.length < n; i++) await new Promise((r) => setImmediate(r));
  assert.equal(kv.reads.length, n, 'KV reads waiting');
}

/** Whether `promise` has settled, without waiting for it. */
async function settled(promise) {
  const pending = Symbol('pending');
  await new Promise((r) => setImmediate(r));
  return (await Promise.race([promise, Promise.resolve(pending)])) !== pending;
}

const trapped = { error: 'internal error' };
const instance = () => globalThis.__worker_init_state.instanceId;

test('an answer that reads nothing is answered at once; one that waits on KV, with what KV read', async () => {
  const health = await send('/healthz');
  assert.equal(health.status, 200);
  assert.equal(kv.reads.length, 0);

  const answer = listConfigs(P, 'token-of-q');
  await readsWaiting(1);
  assert.equal(kv.reads[0].key, tokenKey('token-of-q'));
  assert.equal(await settled(answer), false, 'the answer waits on its KV read');
  // The token is Q's: the answer is made from what the read gave.
  kv.release(0, tokenOf(Q));
  const res = await answer;
  assert.equal(res.status, 403, await res.clone().text());
  assert.match(await res.text(), new RegExp(P));
});

test('a trapped instance answers a JSON 500, is replaced, and the next request is answered', async () => {
  const before = instance();
  logged.length = 0;
  const res = await send('/_test/trap', { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), trapped);
  assert.ok(logged.some((line) => line.includes('a trap the tests asked for')), logged.join('\n'));
  assert.ok(logged.some((line) => line.includes('the core trapped')), logged.join('\n'));
  assert.equal(instance(), before + 1, 'a new instance');
  assert.equal(globalThis.__worker_init_state.criticalError, false);

  // The new instance has the Worker's bindings (configured again): a read of KV, answered.
  const answer = listConfigs(P, 'unknown-token');
  await readsWaiting(1);
  kv.release(0, null);
  const next = await answer;
  assert.equal(next.status, 401, await next.clone().text());
  assert.equal((await send('/healthz')).status, 200);
});

test('an answer waiting when the instance is reset answers a 500; the new instance\'s answers are their own', async () => {
  // A: waits on its read (a token of Q's, for P: it would be a 403).
  const a = listConfigs(P, 'token-of-q');
  await readsWaiting(1);
  // The instance traps and is reset while A waits.
  const trap = await send('/_test/trap', { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(trap.status, 500);
  // C: an answer of the new instance, waiting on its own read (an unknown token: a 401), most
  // likely with the ticket number A had.
  const c = listConfigs(Q, 'unknown-token');
  await readsWaiting(2);
  assert.deepEqual(kv.reads.map((r) => r.key), [tokenKey('token-of-q'), tokenKey('unknown-token')]);

  kv.release(0, tokenOf(Q)); // A's read settles first
  const resA = await a;
  assert.equal(resA.status, 500, 'A was lost with its instance');
  assert.deepEqual(await resA.json(), trapped);
  assert.equal(await settled(c), false, 'C still waits on its own read');

  kv.release(0, null);
  const resC = await c;
  assert.equal(resC.status, 401, `C is answered from its own read: ${await resC.clone().text()}`);
});
