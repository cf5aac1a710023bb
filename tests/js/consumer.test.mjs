// The npm package as a consumer gets it: `npm pack` pkg/, install the tarball offline into a
// temporary project, and import it from ES modules there: the bare specifier through the `node`
// export condition, and the browser entry (which reads the .wasm with fs under Node). The seeds'
// requests are validated and built, and signRequest is checked against the published vectors.
// Needs `make pkg`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PKG, ROOT, loadCorpus, expand, OFFLINE_IDS } from './support.mjs';

let dir;
let tarball;

const npm = (args, cwd) => execFileSync('npm', args, {
  cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' },
});

function cargoVersion() {
  const toml = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8');
  return toml.match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m)[1];
}

/** Runs an ES module in the consumer project and returns what it printed as JSON. */
function run(name, source) {
  fs.writeFileSync(path.join(dir, name), source);
  return JSON.parse(execFileSync(process.execPath, [name], { cwd: dir, encoding: 'utf8' }));
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-edge-consumer-'));
  const packed = JSON.parse(npm(['pack', PKG, '--json', '--pack-destination', dir], ROOT));
  tarball = packed[0];
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'consumer', private: true, type: 'module',
    dependencies: { 'deploy-edge': `file:${path.join(dir, tarball.filename)}` },
  }));
  npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], dir);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the tarball holds exactly the package files, at the crate version', () => {
  assert.equal(tarball.name, 'deploy-edge');
  assert.equal(tarball.version, cargoVersion());
  const files = tarball.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'CHANGELOG.md', 'LICENSE', 'README.md', 'deploy_edge.d.ts', 'deploy_edge.js', 'deploy_edge_bg.wasm',
    'deploy_edge_bg.wasm.d.ts', 'index.d.ts', 'index.js', 'node.js', 'package.json', 'workerd.js',
  ]);
  const installed = (f) => fs.readFileSync(path.join(dir, 'node_modules/deploy-edge', f), 'utf8');
  const manifest = JSON.parse(installed('package.json'));
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.types, './index.d.ts');
  assert.deepEqual(Object.keys(manifest.exports['.']), ['types', 'workerd', 'node', 'default']);
  assert.deepEqual(manifest.exports['./deploy_edge_bg.wasm'],
    { types: './deploy_edge_bg.wasm.d.ts', default: './deploy_edge_bg.wasm' });
  assert.deepEqual(manifest.sideEffects, ['./node.js', './workerd.js']);
  assert.equal(manifest.license, 'Apache-2.0');
  assert.equal(installed('LICENSE'), fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8'));
  assert.match(installed('LICENSE'), /^\s+Apache License\s+Version 2\.0, January 2004/);
  assert.deepEqual(manifest.repository, { type: 'git', url: 'git+https://github.com/deploy-edge/deploy-edge.git' });
  assert.equal(manifest.homepage, 'https://github.com/deploy-edge/deploy-edge#readme');
  assert.deepEqual(manifest.bugs, { url: 'https://github.com/deploy-edge/deploy-edge/issues' });
  assert.match(installed('CHANGELOG.md'), new RegExp(`^## ${cargoVersion().replace(/\./g, '\\.')}\\b`, 'm'),
    'the changelog has an entry for this version');
});

test('import { ... } from "deploy-edge" works in Node without awaiting anything', () => {
  const out = run('bare.mjs', `
    import { validate, kinds, rules, version } from 'deploy-edge';
    import init from 'deploy-edge';
    const before = validate('application.disable', { is_disable: true });
    await init(); // accepted, does nothing
    console.log(JSON.stringify({ before, kinds: kinds(), described: Object.keys(rules().kinds), version }));
  `);
  assert.deepEqual(out.before, { valid: true, errors: [], warnings: [] });
  assert.deepEqual(out.kinds, out.described, 'kinds() is what rules() describes');
  for (const k of ['server_agent.issue', 'server_agent.revoke', 'host.create', 'environment.import_hosts']) {
    assert.ok(out.kinds.includes(k), k);
  }
  assert.equal(out.version, cargoVersion());
});

test('text crosses through the module buffer: right verdicts after the memory grows, for every kind, and for non-ASCII text', () => {
  const out = run('buffer.mjs', `
    import { validate } from 'deploy-edge';
    const small = () => validate('application.disable', '{"is_disable": "é"}');
    const first = small();
    // Long texts go in as bytes and grow the module's memory, which detaches the old views of it.
    const big = JSON.stringify({ project_id: 'a'.repeat(32), name: 'x'.repeat(2000000) });
    const grown = validate('application.exist', big).errors.map((e) => e.path);
    const again = small();
    const name = validate('host_cluster.create', '{"name": "ü".repeat(1)}');
    // Non-ASCII text: the same verdict as its UTF-8 bytes give (the path that does not use the buffer).
    const texts = [JSON.stringify({ project_id: 'b'.repeat(32), name: 'web', os: 'linux', is_proxy_mode: 0,
      description: 'ünïcödé – 日本 😀' }), JSON.stringify({ project_id: 'b'.repeat(32), name: 'wéb' })];
    const utf8 = texts.map((t) => [validate('host_cluster.create', t),
      validate('host_cluster.create', new TextEncoder().encode(t))]);
    let unknown;
    try { validate('no.such', '{}'); } catch (e) { unknown = e.message; }
    console.log(JSON.stringify({ first, grown, again, name: name.errors[0].code, utf8, unknown }));
  `);
  const want = [['/is_disable', 'type']];
  assert.deepEqual(out.first.errors.map((e) => [e.path, e.code]), want);
  assert.deepEqual(out.again, out.first, 'the same verdict after the memory grew');
  assert.deepEqual(out.grown, ['/name']);
  assert.equal(out.name, 'invalid_json');
  for (const [text, bytes] of out.utf8) assert.deepEqual(text, bytes, 'non-ASCII text arrives intact');
  assert.equal(out.utf8[0][0].valid, true);
  assert.deepEqual(out.utf8[1][0].errors.map((e) => e.path), ['/name', '/os', '/is_proxy_mode']);
  assert.match(out.unknown, /unknown kind "no.such"/);
});

test('a valid answer is a fresh object on every call, and warnings still come back with it', () => {
  const out = run('valid.mjs', `
    import { validate } from 'deploy-edge';
    const body = '{"name": "c", "config": "echo"}';
    const first = validate('software_config.create', body);
    first.errors.push('mutated by the caller');
    first.valid = false;
    const second = validate('software_config.create', body);
    const warned = validate('software_config.create', '{"name": "c", "colour": "red"}');
    console.log(JSON.stringify({ second, same: first === second, warned }));
  `);
  assert.deepEqual(out.second, { valid: true, errors: [], warnings: [] });
  assert.equal(out.same, false);
  assert.equal(out.warned.valid, true);
  assert.deepEqual(out.warned.warnings.map((w) => [w.path, w.code]), [['/colour', 'unknown_field']]);
});

test('the browser entry needs init and then reads the .wasm from disk under Node', () => {
  const out = run('browser-entry.mjs', `
    import init, { validate } from './node_modules/deploy-edge/index.js';
    let early;
    try { validate('application.disable', {}); } catch (e) { early = e.message; }
    await init();
    await init(); // idempotent
    console.log(JSON.stringify({ early, after: validate('application.disable', {}) }));
  `);
  assert.match(out.early, /not initialised/);
  assert.deepEqual(out.after.errors.map((e) => [e.path, e.code]), [['/is_disable', 'required']]);
});

test("the seeds' requests validate and build", () => {
  const seeds = loadCorpus().filter((c) => c.name.startsWith('seed:'));
  assert.equal(seeds.length, 4);
  const inputs = seeds.map((c) => {
    const payload = expand(c.payload, OFFLINE_IDS);
    let input = payload;
    if (c.kind.startsWith('software_')) input = { ...payload, project_id: '95d02433133a4c0a87ba6967474a2ad3' };
    if (c.kind === 'software_deployment.update') input.id = '3d5ec2a8-7004-43b6-a7f6-542bdbe9d434';
    return { kind: c.kind, payload, input };
  });
  fs.writeFileSync(path.join(dir, 'seeds.json'), JSON.stringify(inputs));
  const out = run('seeds.mjs', `
    import fs from 'node:fs';
    import { validate, buildRequest } from 'deploy-edge';
    const seeds = JSON.parse(fs.readFileSync('seeds.json', 'utf8'));
    console.log(JSON.stringify(seeds.map(({ kind, payload, input }) => ({
      kind, verdict: validate(kind, payload), request: buildRequest(kind, input),
    }))));
  `);
  const byKind = Object.fromEntries(out.map((o) => [o.kind, o]));
  for (const o of out) assert.deepEqual(o.verdict, { valid: true, errors: [], warnings: [] }, o.kind);
  const create = byKind['software_deployment.create'].request;
  assert.equal(create.method, 'POST');
  assert.equal(create.path, '/v1/95d02433133a4c0a87ba6967474a2ad3/software_deployments');
  assert.deepEqual(JSON.parse(create.body), {
    action: 'CREATE', config_id: OFFLINE_IDS.config_id, server_id: 'ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5',
    stack_user_project_id: 'c024bfada67845ddb17d2b0c0be8cd79', status: 'IN_PROGRESS',
    status_reason: 'Deploy data available',
  });
  const update = byKind['software_deployment.update'].request;
  assert.equal(update.method, 'PUT');
  assert.equal(update.path, '/v1/95d02433133a4c0a87ba6967474a2ad3/software_deployments/3d5ec2a8-7004-43b6-a7f6-542bdbe9d434');
  assert.equal(JSON.parse(update.body).output_values.deploy_status_code, 0);
  const app = byKind['application.update'].request;
  assert.deepEqual([app.method, app.path], ['PUT', '/v1/applications']);
  assert.equal(JSON.parse(app.body).trigger.trigger_source, '0', 'the seed\'s numeric 0 is sent as "0"');
  assert.deepEqual(app.headers, { Accept: 'application/json', 'Content-Type': 'application/json' });
});

test('rules() is one frozen object of the enums, limits and requests; errors carry their params', () => {
  const out = run('rules.mjs', `
    import { rules, kinds, isValid, validate } from 'deploy-edge';
    const r = rules();
    let frozen = false;
    try { r.heat.ioTypes.push('Integer'); } catch { frozen = true; }
    const ok = { config_id: 'c', server_id: 's' };
    console.log(JSON.stringify({
      same: r === rules(), frozen, kinds: kinds(), ruleKinds: Object.keys(r.kinds), heat: r.heat,
      update: r.kinds['software_deployment.update'], project: r.pathIds.project_id,
      isValid: [isValid('software_deployment.create', ok), isValid('software_deployment.create', JSON.stringify(ok)),
        isValid('application.disable', undefined), isValid('application.disable', { is_disable: 1n })],
      errors: validate('software_deployment.create', { config_id: 'c', server_id: 'x'.repeat(37), status: 'DONE', timeout: 0 }).errors,
    }));
  `);
  assert.equal(out.same, true);
  assert.equal(out.frozen, true);
  assert.deepEqual(out.ruleKinds, out.kinds);
  assert.deepEqual(out.heat.deploymentStatuses, ['COMPLETE', 'IN_PROGRESS', 'FAILED']);
  assert.deepEqual(out.heat.ioTypes, ['String', 'Number', 'CommaDelimitedList', 'Json', 'Boolean']);
  assert.deepEqual(out.heat.timeout, { min: 1, max: 604800 });
  assert.deepEqual(out.update, {
    method: 'PUT', path: '/v1/{project_id}/software_deployments/{id}', pathIds: ['project_id', 'id'], carries: 'body', api: 'heat',
  });
  assert.deepEqual(out.project, { minLength: 1, maxLength: null, pattern: '32 letters and digits' });
  assert.deepEqual(out.isValid, [true, false, false, false], 'a string is a value to isValid, not JSON text');
  assert.deepEqual(out.errors.map((e) => [e.path, e.code, e.params]), [
    ['/server_id', 'too_long', { limit: out.heat.maxLength.server_id }],
    ['/status', 'enum', { allowed: out.heat.deploymentStatuses }],
    ['/timeout', 'out_of_range', out.heat.timeout],
  ]);
});

test('buildRequest throws an Error carrying the errors', () => {
  const out = run('invalid.mjs', `
    import { buildRequest } from 'deploy-edge';
    try { buildRequest('software_deployment.create', { project_id: 'x', server_id: 's' }); }
    catch (e) { console.log(JSON.stringify({ isError: e instanceof Error, message: e.message, errors: e.errors })); }
  `);
  assert.equal(out.isError, true);
  assert.deepEqual(out.errors, [
    { path: '/project_id', code: 'pattern', message: 'project_id must be 32 letters and digits', params: { pattern: '32 letters and digits' } },
    { path: '/config_id', code: 'required', message: 'config_id is required' },
  ]);
  assert.match(out.message, /project_id must be 32 letters and digits; config_id is required/);
});

test('signRequest gives the published SDK-HMAC-SHA256 vectors', () => {
  const out = run('sign.mjs', `
    import { signRequest } from 'deploy-edge';
    const creds = { accessKey: 'AccessKey', secretKey: 'SecretKey', date: '20200608T023900Z' };
    const url = 'https://service.endpoint.myhuaweicloud.com/resources?size=1';
    const get = signRequest({ method: 'GET', path: url }, creds);
    const post = signRequest({ method: 'POST', path: url, body: '{"name":"test","id":1}' }, creds);
    const viaHeader = signRequest({ method: 'GET', path: '/resources?size=1',
      headers: { host: 'service.endpoint.myhuaweicloud.com' } }, creds);
    const withProject = signRequest({ method: 'GET', path: url }, { ...creds, projectId: 'p1' });
    console.log(JSON.stringify({ get, post, viaHeader, withProject }));
  `);
  const sig = (r) => r.headers.Authorization.split('Signature=')[1];
  assert.equal(sig(out.get), 'cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842');
  assert.equal(sig(out.post), '436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f');
  assert.equal(sig(out.viaHeader), sig(out.get));
  assert.equal(out.get.headers['X-Sdk-Date'], '20200608T023900Z');
  assert.match(out.get.headers.Authorization, /^SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=/);
  assert.equal(out.withProject.headers['X-Project-Id'], 'p1');
  assert.match(out.withProject.headers.Authorization, /SignedHeaders=host;x-project-id;x-sdk-date,/);
  assert.equal(out.post.body, '{"name":"test","id":1}');
});
