// deploy-edge in a Cloudflare Worker, as a user's Worker gets it: the tarball installed into a
// Worker project (tests/consumers/worker/: wrangler.toml, src/index.ts), which imports the package
// the way the package README says. The pinned tsc type-checks it against
// @cloudflare/workers-types, `wrangler deploy --dry-run` bundles it (the .wasm must be uploaded
// with it), and `wrangler dev` (workerd) runs it: its answers must be the package's in Node.
//
//   bash scripts/build-pkg.sh && node --test tests/consumers/worker.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, PKG, consumerProject, run } from './support.mjs';
import { startWranglerDev } from '../../scripts/wrangler-dev.mjs';
import { validate, buildRequest, version } from '../../pkg/node.js';

const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CI: 'true' };
let dir;
let worker; // wrangler dev, started by the project's launcher (scripts/wrangler-dev.mjs)
let url;

before(() => {
  dir = consumerProject('worker');
});

after(async () => {
  await worker?.stop();
});

test('tsc --strict accepts the Worker with @cloudflare/workers-types (both imports typed)', () => {
  // src/types.ts holds @ts-expect-error lines: tsc fails if the types were `any` or missing.
  run(path.join(BIN, 'tsc'), ['-p', dir]);
});

test('wrangler deploy --dry-run bundles the Worker with the .wasm as a module of its own', () => {
  const out = path.join(dir, 'dist');
  const log = run(path.join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', out], { cwd: dir, env: WRANGLER_ENV });
  const files = fs.readdirSync(out);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm in ${files}`);
  assert.match(wasm[0], /deploy_edge_bg\.wasm$/);
  assert.ok(fs.readFileSync(path.join(out, wasm[0])).equals(fs.readFileSync(path.join(PKG, 'deploy_edge_bg.wasm'))),
    'the uploaded .wasm is the package\'s');
  const js = fs.readFileSync(path.join(out, 'index.js'), 'utf8');
  assert.ok(js.includes(`from "./${wasm[0]}"`), 'the bundle imports it');
  const upload = Number(log.match(/Total Upload: ([\d.]+) KiB/)?.[1]);
  assert.ok(upload * 1024 > fs.statSync(path.join(out, wasm[0])).size, `the upload (${upload} KiB) counts the .wasm`);
});

test('wrangler dev runs it: validate and buildRequest answer as the package does in Node', async () => {
  // The consumer's own wrangler.toml, run in its directory; the launcher only picks the port and
  // the state directory, waits for /loaders, and stops wrangler's process group afterwards.
  worker = await startWranglerDev({
    config: path.join(dir, 'wrangler.toml'), persistTo: path.join(dir, '.state'), log: path.join(dir, 'wrangler-dev.log'),
    logLevel: 'warn', ready: '/loaders', timeout: 120, env: WRANGLER_ENV,
  });
  url = worker.url;

  const loaders = await (await fetch(`${url}/loaders`)).json();
  assert.deepEqual(loaders, { version, isModule: true });

  const bad = { config_id: 'c1', status: 'DONE', timeout: 0 };
  const r = await fetch(`${url}/validate?kind=software_deployment.create`, { method: 'POST', body: JSON.stringify(bad) });
  assert.equal(r.status, 200);
  const verdict = await r.json();
  assert.deepEqual(verdict.errors.map((e) => [e.path, e.code]),
    [['/server_id', 'required'], ['/status', 'enum'], ['/timeout', 'out_of_range']]);
  assert.deepEqual(verdict, validate('software_deployment.create', bad));

  const good = { config_id: 'c1', server_id: 's1' };
  const ok = await (await fetch(`${url}/validate?kind=software_deployment.create`, { method: 'POST', body: JSON.stringify(good) })).json();
  assert.deepEqual(ok, { valid: true, errors: [], warnings: [] });

  const input = { project_id: '95d02433133a4c0a87ba6967474a2ad3', ...good };
  const built = await fetch(`${url}/build?kind=software_deployment.create`, { method: 'POST', body: JSON.stringify(input) });
  assert.equal(built.status, 200);
  assert.deepEqual(await built.json(), buildRequest('software_deployment.create', input));
  const refused = await fetch(`${url}/build?kind=software_deployment.create`, { method: 'POST', body: '{"project_id":"x"}' });
  assert.equal(refused.status, 400);
  assert.deepEqual((await refused.json()).errors.map((e) => e.path), ['/project_id', '/config_id', '/server_id']);
});
