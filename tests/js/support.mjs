// Helpers for the package's Node tests: the payload corpus and a `wrangler dev` Worker started the
// way tests/e2e/conftest.py starts it, through scripts/wrangler-dev.mjs (free port, temporary
// --persist-to, random secrets).

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWranglerDev } from '../../scripts/wrangler-dev.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PKG = path.join(ROOT, 'pkg');

/** Fixed ids for the corpus placeholders when no Worker is involved (as tests/corpus.rs). */
export const OFFLINE_IDS = {
  project_id: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  config_id: '8da95794-2ad9-4979-8ae5-739ce314c5cd',
  app_id: 'e700f15965694253940502911220d76b',
  task_id: '5f0c1d2e3b4a59687766554433221100',
  group_id: '9c1f0e2d3b4a59687766554433221100',
  host_id: '7b2e1d0c3b4a59687766554433221100',
};

/** Every case of tests/corpus/*.json, with `file` added, in file order. */
export function loadCorpus() {
  const dir = path.join(ROOT, 'tests', 'corpus');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).map((c) => ({ ...c, file: f })));
}

function substitute(s, ids) {
  return s.replace(/\{\{(\w+)\}\}/g, (m, name) => (name in ids ? ids[name] : m));
}

/** Expands `$repeat`, `$array` and `$concat` (see tests/corpus/README.md) and fills placeholders. */
export function expand(v, ids) {
  if (typeof v === 'string') return substitute(v, ids);
  if (Array.isArray(v)) return v.map((x) => expand(x, ids));
  if (v && typeof v === 'object') {
    if ('$repeat' in v) return expand(v.$repeat, ids).repeat(v.times);
    if ('$array' in v) return Array.from({ length: v.times }, () => expand(v.$array, ids));
    if ('$concat' in v) return v.$concat.map((p) => expand(p, ids)).join('');
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x, ids)]));
  }
  return v;
}

/** The placeholders a case uses. */
export function placeholders(c) {
  const text = JSON.stringify(c.payload ?? c.payload_text ?? null);
  return new Set([...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]));
}

export const pairs = (list) => list.map(({ path: p, code }) => ({ path: p, code }));

/** A free TCP port on 127.0.0.1. */
export { freePort } from '../../scripts/wrangler-dev.mjs';

/**
 * Starts `wrangler dev` through the project's launcher (scripts/wrangler-dev.mjs) on a free port
 * with a fresh on-disk KV and random secrets; resolves once /healthz answers. The Worker is not
 * built (scripts/test.sh builds it first; wrangler builds it if build/ is missing).
 */
export async function startWorker() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-edge-pkg-'));
  const admin = randomBytes(32).toString('hex');
  const credentialsKey = randomBytes(32).toString('hex');
  let w;
  try {
    // The log: wrangler-PORT.log in dir, beside the state.
    w = await startWranglerDev({
      persistTo: path.join(dir, 'state'), logLevel: 'warn',
      vars: { ADMIN_TOKEN: admin, EXPOSE_KV_OPS: 'true', CREDENTIALS_KEY: credentialsKey },
    });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { launched: w, url: w.url, admin, dir, logPath: w.log, exited: w.exited };
}

/** Stops the Worker's process group (the one started above) and removes its state. */
export async function stopWorker(w) {
  if (!w) return;
  await w.launched.stop();
  fs.rmSync(w.dir, { recursive: true, force: true });
}

/** A fresh project with a token and AK/SK credentials, from the admin API. */
export async function newProject(w) {
  const id = randomBytes(16).toString('hex');
  const admin = { Authorization: `Bearer ${w.admin}` };
  const t = await fetch(`${w.url}/admin/v1/projects/${id}/tokens`, { method: 'POST', headers: admin });
  if (t.status !== 201) throw new Error(`token: ${t.status} ${await t.text()}`);
  const c = await fetch(`${w.url}/admin/v1/projects/${id}/credentials`, { method: 'POST', headers: admin });
  if (c.status !== 201) throw new Error(`credentials: ${c.status} ${await c.text()}`);
  const token = (await t.json()).token;
  const cred = await c.json();
  return { id, token, accessKey: cred.access_key, secretKey: cred.secret_key };
}
