// Cold start: time from starting `wrangler dev` to the first answered request (GET /healthz), and
// the first request's own latency once the port is open. Each run has fresh local state.
//
// Usage: node bench/cold_start.mjs [--config wrangler.toml] [--runs 5] [--port 8831]
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: join(ROOT, 'wrangler.toml') },
    runs: { type: 'string', default: '5' },
    port: { type: 'string', default: '8831' },
  },
});
const port = Number(args.port);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const portOpen = () => new Promise((ok) => {
  const s = connect(port, '127.0.0.1', () => { s.destroy(); ok(true); });
  s.on('error', () => ok(false));
});

async function once() {
  const state = mkdtempSync(join(tmpdir(), 'cold-'));
  const t0 = performance.now();
  const proc = spawn(join(ROOT, 'node_modules/.bin/wrangler'),
    ['dev', '--config', args.config, '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state,
      '--show-interactive-dev-session=false', '--log-level', 'error'],
    { env: { ...process.env, WRANGLER_SEND_METRICS: 'false', SKIP_WORKER_BUILD: '1' }, stdio: 'ignore', detached: true });
  try {
    while (!(await portOpen())) await sleep(20);
    const open = performance.now();
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        await r.arrayBuffer();
        if (r.status < 500) break;
      } catch { /* not serving yet */ }
      await sleep(10);
    }
    const answered = performance.now();
    return { total: answered - t0, afterOpen: answered - open };
  } finally {
    process.kill(-proc.pid, 'SIGTERM');
    await sleep(1500);
  }
}

const runs = [];
for (let i = 0; i < Number(args.runs); i++) runs.push(await once());
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${args.config}: start to first answer, median of ${runs.length}: ${median(runs.map((r) => r.total)).toFixed(0)} ms ` +
  `(port open to first answer ${median(runs.map((r) => r.afterOpen)).toFixed(0)} ms); runs: ${runs.map((r) => r.total.toFixed(0)).join(', ')}`);
