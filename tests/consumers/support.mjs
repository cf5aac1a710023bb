// Helpers for the package's consumer tests: a consumer project that installs deploy-edge from the
// packed tarball of pkg/ (offline), a static file server, a page in Chromium, and a process group
// that is stopped at the end. The tools (wrangler, tsc, esbuild, Vite, webpack, attw) are the
// pinned ones of the repository's node_modules: consumer projects live under target/consumers/, so
// Node's resolution finds them by walking up, while `deploy-edge` resolves to the project's own
// node_modules (the tarball's files only).

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PKG = path.join(ROOT, 'pkg');
export const FIXTURES = path.join(ROOT, 'tests', 'consumers');
export const BIN = path.join(ROOT, 'node_modules', '.bin');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs a command; returns its stdout. Throws with its output when it fails. */
export function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20,
      ...opts,
      env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', ...opts.env },
    });
  } catch (e) {
    e.message = `${cmd} ${args.join(' ')} failed (${e.status}):\n${e.stdout ?? ''}\n${e.stderr ?? ''}`;
    throw e;
  }
}

/**
 * A fresh consumer project in target/consumers/NAME: the fixture tests/consumers/NAME/ copied
 * (when there is one), `npm pack` of pkg/ installed into it offline from the tarball, and `extra`
 * files ({ 'relative/path': text }) written. Returns its directory.
 */
export function consumerProject(name, extra = {}) {
  if (!fs.existsSync(path.join(PKG, 'package.json'))) throw new Error('pkg/ is missing: run make pkg');
  const dir = path.join(ROOT, 'target', 'consumers', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const fixture = path.join(FIXTURES, name);
  if (fs.existsSync(fixture)) fs.cpSync(fixture, dir, { recursive: true });
  const [packed] = JSON.parse(run('npm', ['pack', PKG, '--json', '--pack-destination', dir]));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: `consumer-${name}`, private: true, type: 'module',
    dependencies: { 'deploy-edge': `file:./${packed.filename}` },
  }, null, 2));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: dir });
  for (const [rel, text] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** The app the bundler tests build (tests/consumers/app.js). */
export const APP = fs.readFileSync(path.join(FIXTURES, 'app.js'), 'utf8');

/** A page that runs a bundle and shows what it reported. */
export const page = (script, module = true) => `<!doctype html>
<html><head><meta charset="utf-8"><title>consumer</title></head>
<body><script ${module ? 'type="module" ' : ''}src="${script}"></script></body></html>
`;

/** What app.js reports, computed here with the package in Node: the answer a bundle must give. */
export async function expectedReport() {
  const { validate, buildRequest, version } = await import(path.join(PKG, 'node.js'));
  return {
    ok: true,
    version,
    verdict: validate('software_deployment.create', { config_id: 'c1', status: 'DONE' }),
    request: buildRequest('application.disable', { app_id: 'e700f15965694253940502911220d76b', is_disable: true }),
  };
}

/** Checks a report of app.js beyond equality with expectedReport(): the verdict is a real one. */
export function assertRealVerdict(assert, report) {
  assert.equal(report.ok, true, report.error);
  assert.deepEqual(report.verdict.errors.map((e) => [e.path, e.code]),
    [['/server_id', 'required'], ['/status', 'enum']]);
  assert.deepEqual(report.verdict.errors[1].params, { allowed: ['COMPLETE', 'IN_PROGRESS', 'FAILED'] });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves DIR's files on 127.0.0.1 (a free port). `requests` lists [path, status] as served. */
export async function serve(dir) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(dir, rel.endsWith('/') ? `${rel}index.html` : rel);
    let status = 200;
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) status = 404;
    requests.push([rel, status]);
    if (status !== 200) {
      res.writeHead(404, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Opens URL in a new page of BROWSER and returns what the app reported (JSON in body[data-result]),
 * the page's uncaught errors and the .wasm responses it got ([path, status]).
 */
export async function reportIn(browser, url) {
  const p = await browser.newPage();
  const errors = [];
  const wasm = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('response', (r) => {
    const { pathname } = new URL(r.url());
    if (pathname.endsWith('.wasm')) wasm.push([pathname, r.status()]);
  });
  try {
    await p.goto(url);
    await p.waitForFunction(() => document.body?.dataset.result, null, { timeout: 20_000 });
    return { report: JSON.parse(await p.evaluate(() => document.body.dataset.result)), errors, wasm };
  } finally {
    await p.close();
  }
}

/**
 * Serves a built app's `dist` and opens it in Chromium: the page logs no error, its verdict is
 * the real one and equals `expected`, and the only `.wasm` it fetched is `wasmPath` (200).
 */
export async function assertServedApp(assert, browser, dist, expected, wasmPath) {
  const server = await serve(dist);
  try {
    const { report, errors } = await reportIn(browser, `${server.url}/`);
    assert.deepEqual(errors, []);
    assertRealVerdict(assert, report);
    assert.deepEqual(report, expected);
    assert.deepEqual(server.requests.filter(([p]) => p.endsWith('.wasm')), [[wasmPath, 200]]);
  } finally {
    await server.close();
  }
}

export { freePort } from '../js/support.mjs';

/** Starts CMD ARGS in its own process group, output to LOG. */
export function startGroup(cmd, args, { cwd, log, env }) {
  const fd = fs.openSync(log, 'a');
  const proc = spawn(cmd, args, {
    cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', fd, fd], detached: true,
  });
  fs.closeSync(fd);
  let exited = false;
  proc.once('exit', () => { exited = true; });
  return { proc, log, exited: () => exited };
}

/** Stops a process group started by startGroup (SIGTERM, then SIGKILL after 20 s). */
export async function stopGroup(g) {
  if (!g || g.exited()) return;
  try { process.kill(-g.proc.pid, 'SIGTERM'); } catch { /* already gone */ }
  const deadline = Date.now() + 20_000;
  while (!g.exited() && Date.now() < deadline) await sleep(100);
  if (!g.exited()) {
    try { process.kill(-g.proc.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/** Waits until GET URL answers 200 (or the group exits, or 120 s pass). */
export async function waitFor(url, g) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (g.exited()) throw new Error(`exited:\n${fs.readFileSync(g.log, 'utf8').slice(-3000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer:\n${fs.readFileSync(g.log, 'utf8').slice(-3000)}`);
}
