// The one way this project starts `wrangler dev`: `make run`, the tests (tests/e2e, tests/js,
// tests/browser, tests/consumers) and the benchmarks (bench/) all start it through this file.
//
//   node scripts/wrangler-dev.mjs [--config wrangler.toml] [--port N] [--persist-to DIR]
//        [--var NAME:VALUE]... [--fresh-secrets] [--log FILE] [--log-level warn]
//        [--ready /healthz] [--timeout 180] [--build] [--foreground] [-- more wrangler dev arguments]
//
// Starts wrangler dev (the project's node_modules/.bin/wrangler) for the config (default: the
// project's wrangler.toml; wrangler runs in the config's directory, where it finds .dev.vars) on
// 127.0.0.1, on the port given or a free one, with its KV, Durable Objects and cache persisted in
// --persist-to (default: a fresh temporary directory, removed when wrangler stops). Each --var is
// handed to wrangler as it is; --fresh-secrets adds a random ADMIN_TOKEN and CREDENTIALS_KEY
// (32 bytes, hex) unless a --var gives them. wrangler's output goes to --log (default:
// wrangler-PORT.log beside the --persist-to directory), at --log-level (default warn), without
// the interactive session. It waits until GET --ready (default /healthz) answers with a status
// below 500, for --timeout seconds (default 180; 0: no limit), then prints one JSON line on stdout:
//
//   {"url":"http://127.0.0.1:PORT","port":PORT,"pid":PID,"log":FILE,"persistTo":DIR,
//    "adminToken":…,"credentialsKey":…,"startMs":…,"afterOpenMs":…}
//
// adminToken and credentialsKey: the Worker's ADMIN_TOKEN and CREDENTIALS_KEY, from --var (or
// --fresh-secrets), else from the .dev.vars beside the config (as wrangler reads them), else null.
// pid is wrangler's, the leader of a process group of its own (wrangler and its workerd
// processes): stop it all with `kill -TERM -PID` (os.killpg / process.kill(-pid)). This launcher
// stays until that group is gone and then exits, so a caller that waits for its child knows the
// port is free again. A SIGTERM, SIGINT or SIGHUP to the launcher, or its parent's end, stops
// wrangler's group first. startMs and afterOpenMs: ms from starting wrangler to the first answer,
// and from the port opening to it (bench/cold_start.mjs). If wrangler exits first or the time runs
// out, it prints {"error":…,"log":FILE,"tail":…} (the log's last 3,000 characters), stops the
// group, keeps the log and exits 1. A --port still in use after 10 s is such an error too.
//
// The Worker is not built: SKIP_WORKER_BUILD=1 (scripts/build-worker.sh does nothing when build/
// has a Worker; wrangler builds it when it is missing). --build lets wrangler run the build at
// start and on every change. --foreground is `make run`'s: wrangler in this terminal and process
// group, with its own output and interactive session (no log file, no --log-level unless given,
// no time limit unless given); its answering, or an error, is one line for people on stderr.
//
// From Node: `const w = await startWranglerDev({ port, persistTo, vars: { NAME: 'value' } })`,
// then w.url, w.adminToken, w.pid, w.log, w.exited(), `await w.stop()`. From Python:
// scripts/wrangler_dev.py. From a shell: run it in the background and read its first line.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAUNCHER = fileURLToPath(import.meta.url);
const WRANGLER = path.join(ROOT, 'node_modules', '.bin', 'wrangler');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const portOpen = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

const tail = (file) => {
  try { return fs.readFileSync(file, 'utf8').slice(-3000); } catch { return ''; }
};

/** Whether process group PGID still has a process in it. */
const groupAlive = (pgid) => {
  try { process.kill(-pgid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
};

/** Kills process group PGID (SIGTERM, SIGKILL after 20 s) and waits until `gone()`. */
async function stopGroup(pgid, gone) {
  try { process.kill(-pgid, 'SIGTERM'); } catch { return; }
  const deadline = Date.now() + 20_000;
  while (!gone() && Date.now() < deadline) await sleep(50);
  if (!gone()) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
  }
}

/** NAME=value lines of FILE (a .dev.vars), values unquoted. */
function dotVars(file) {
  let text;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return {}; }
  const vars = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (m && !(m[1] in vars)) vars[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return vars;
}

async function main() {
  const { values: o, positionals: passThrough } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string', default: path.join(ROOT, 'wrangler.toml') },
      port: { type: 'string' },
      'persist-to': { type: 'string' },
      var: { type: 'string', multiple: true, default: [] },
      'fresh-secrets': { type: 'boolean', default: false },
      log: { type: 'string' },
      'log-level': { type: 'string' },
      ready: { type: 'string', default: '/healthz' },
      timeout: { type: 'string' },
      build: { type: 'boolean', default: false },
      foreground: { type: 'boolean', default: false },
    },
  });
  const fail = (error, log = null) => {
    if (o.foreground) console.error(`wrangler-dev: ${error}`);
    else process.stdout.write(`${JSON.stringify({ error, log, tail: log ? tail(log) : '' })}\n`);
    process.exit(1);
  };
  const config = path.resolve(o.config);
  if (!fs.existsSync(config)) fail(`no such config: ${config}`);
  const port = o.port ? Number(o.port) : await freePort();
  if (o.port) {
    // A given port may still be held for a moment by a wrangler just stopped (a restart).
    const deadline = Date.now() + 10_000;
    while (await portOpen(port)) {
      if (Date.now() > deadline) fail(`port ${port} is in use`);
      await sleep(200);
    }
  }
  const vars = o.var.map((v) => [v.slice(0, v.indexOf(':')), v]);
  if (o['fresh-secrets']) {
    for (const name of ['ADMIN_TOKEN', 'CREDENTIALS_KEY']) {
      if (!vars.some(([n]) => n === name)) vars.push([name, `${name}:${randomBytes(32).toString('hex')}`]);
    }
  }
  const fromDevVars = dotVars(path.join(path.dirname(config), '.dev.vars'));
  const varValue = (name) => {
    const given = vars.find(([n]) => n === name);
    return given ? given[1].slice(name.length + 1) : (fromDevVars[name] ?? null);
  };

  const tempDir = o['persist-to'] ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'wrangler-dev-'));
  const persist = path.resolve(o['persist-to'] ?? path.join(tempDir, 'state'));
  const log = o.foreground && !o.log ? null : path.resolve(o.log ?? path.join(path.dirname(persist), `wrangler-${port}.log`));
  const logLevel = o['log-level'] ?? (o.foreground ? null : 'warn');
  const timeout = Number(o.timeout ?? (o.foreground ? 0 : 180)) * 1000;
  const args = ['dev', '--config', config, '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persist,
    ...vars.flatMap(([, v]) => ['--var', v]),
    ...(o.foreground ? [] : ['--show-interactive-dev-session=false']),
    ...(logLevel ? ['--log-level', logLevel] : []),
    ...passThrough];
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
  if (!o.build) env.SKIP_WORKER_BUILD = '1';
  if (!o.foreground) env.NO_COLOR = '1';
  let out = 'inherit';
  if (log) {
    fs.mkdirSync(path.dirname(log), { recursive: true });
    out = fs.openSync(log, 'a');
  }

  const t0 = performance.now();
  const proc = spawn(WRANGLER, args, {
    cwd: path.dirname(config), env, stdio: [o.foreground ? 'inherit' : 'ignore', out, out], detached: !o.foreground,
  });
  if (typeof out === 'number') fs.closeSync(out);
  let exit = null;
  let exitedNow;
  const exited = new Promise((resolve) => { exitedNow = resolve; });
  proc.once('exit', (code, signal) => { exit ??= { code, signal }; exitedNow(); });
  proc.once('error', (e) => { exit ??= { code: 127, signal: null }; console.error(`wrangler-dev: ${e.message}`); exitedNow(); });
  let stopping = false;
  const stop = async () => {
    if (!exit && !stopping) {
      stopping = true;
      if (o.foreground) proc.kill('SIGTERM');
      else await stopGroup(proc.pid, () => exit !== null);
    }
    await exited;
  };
  // In the foreground, Ctrl-C reaches wrangler from the terminal: wait for it to finish.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(sig, () => { if (!(o.foreground && sig === 'SIGINT')) stop(); });
  }
  // The caller gone (killed without stopping us): stop wrangler rather than leave it running.
  const parent = process.ppid;
  setInterval(() => {
    try { process.kill(parent, 0); } catch (e) { if (e.code === 'ESRCH') stop(); }
  }, 1000).unref();

  const url = `http://127.0.0.1:${port}`;
  let openMs = null;
  let startMs = null;
  while (exit === null && startMs === null) {
    if (timeout > 0 && performance.now() - t0 > timeout) break;
    if (openMs === null) {
      if (await portOpen(port)) openMs = performance.now() - t0;
      else await sleep(20);
      continue;
    }
    try {
      const res = await fetch(`${url}${o.ready}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) startMs = performance.now() - t0;
    } catch { /* not serving yet */ }
    if (startMs === null) await sleep(10);
  }
  if (startMs === null) {
    const error = exit
      ? `wrangler dev exited (${exit.signal ?? `code ${exit.code}`}) before ${o.ready} answered`
      : `wrangler dev did not answer ${o.ready} in ${timeout / 1000} s`;
    await stop();
    fail(error, log);
  }
  const info = {
    url, port, pid: proc.pid, log, persistTo: persist,
    adminToken: varValue('ADMIN_TOKEN'), credentialsKey: varValue('CREDENTIALS_KEY'),
    startMs: Math.round(startMs), afterOpenMs: Math.round(startMs - openMs),
  };
  if (o.foreground) console.error(`wrangler-dev: ${url}/ answers (${info.startMs} ms after start)`);
  else process.stdout.write(`${JSON.stringify(info)}\n`);
  await exited;
  // wrangler gone: its workerd processes too, before the caller reuses the port.
  if (!o.foreground && groupAlive(proc.pid)) {
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* gone */ }
    const deadline = Date.now() + 5_000;
    while (groupAlive(proc.pid) && Date.now() < deadline) await sleep(50);
    try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  process.exit(exit.code ?? 1);
}

/**
 * Starts this launcher as a child process and resolves once wrangler dev answers, with the JSON
 * line's fields, `proc` (the launcher), `exited()` and `stop()` (stops wrangler's process group
 * and waits for the launcher to exit). Options: config, port, persistTo, vars ({NAME: value}),
 * freshSecrets, log, logLevel, ready, timeout (s), build, env (added to the environment), args
 * (for wrangler dev).
 */
export async function startWranglerDev(opts = {}) {
  const argv = [LAUNCHER];
  const flag = (name, value) => { if (value !== undefined && value !== null) argv.push(name, String(value)); };
  flag('--config', opts.config);
  flag('--port', opts.port);
  flag('--persist-to', opts.persistTo);
  for (const [name, value] of Object.entries(opts.vars ?? {})) flag('--var', `${name}:${value}`);
  if (opts.freshSecrets) argv.push('--fresh-secrets');
  flag('--log', opts.log);
  flag('--log-level', opts.logLevel);
  flag('--ready', opts.ready);
  flag('--timeout', opts.timeout);
  if (opts.build) argv.push('--build');
  if (opts.args?.length) argv.push('--', ...opts.args);
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...opts.env } });
  let exited = false;
  const exit = new Promise((resolve) => proc.once('exit', () => { exited = true; resolve(); }));
  const lines = readline.createInterface({ input: proc.stdout });
  const [line] = await Promise.race([
    new Promise((resolve) => lines.once('line', (l) => resolve([l]))),
    exit.then(() => [null]),
  ]);
  lines.close();
  const info = line ? JSON.parse(line) : { error: `scripts/wrangler-dev.mjs exited (${proc.exitCode})` };
  if (info.error) {
    await exit;
    throw new Error(`${info.error} (log: ${info.log}):\n${info.tail ?? ''}`);
  }
  return {
    ...info,
    proc,
    exited: () => exited,
    stop: async () => {
      if (!exited) await stopGroup(info.pid, () => exited);
      await exit;
    },
  };
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
