// Cold start: time from starting `wrangler dev` to the first answered request (GET /healthz), and
// the first request's own latency once the port is open. Each run has fresh local state. The
// launcher (scripts/wrangler-dev.mjs) starts wrangler and measures both (startMs, afterOpenMs).
//
// Usage: node bench/cold_start.mjs [--config wrangler.toml] [--runs 5] [--port 8831]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startWranglerDev } from '../scripts/wrangler-dev.mjs';

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

/** One start, through the project's launcher: it times wrangler from its start to the first answer. */
async function once() {
  const w = await startWranglerDev({ config: args.config, port, logLevel: 'error' });
  await w.stop();
  await sleep(1500);
  return { total: w.startMs, afterOpen: w.afterOpenMs };
}

const runs = [];
for (let i = 0; i < Number(args.runs); i++) runs.push(await once());
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${args.config}: start to first answer, median of ${runs.length}: ${median(runs.map((r) => r.total)).toFixed(0)} ms ` +
  `(port open to first answer ${median(runs.map((r) => r.afterOpen)).toFixed(0)} ms); runs: ${runs.map((r) => r.total.toFixed(0)).join(', ')}`);
