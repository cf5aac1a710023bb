// CPU profile of a Worker under load: where its isolate's time goes, per request.
//
// Starts the Worker (wrangler.toml given, default deploy-edge's) under `wrangler dev` with its
// inspector, seeds what the scenario needs, runs wrk against it while V8's sampling profiler
// records the isolate, and prints the isolate's CPU per request split into categories (the JS
// glue, the wasm-bindgen boundary, our handler, serde_json, allocation, crypto, the runtime's
// builtins, GC, …). KV itself runs in another isolate (miniflare's), so a KV call shows here only
// as the cost of making it and awaiting its promise.
//
// Usage: node bench/profile.mjs [--scenario healthz|show|update|create|list50]
//          [--seconds 8] [--config wrangler.toml] [--top 25] [--json out.json]
//          [--after create]   (another scenario's load first, unprofiled: e.g. show after creates)
//          [--processes]      (no profiler: the CPU each workerd process spent per request, the
//                              Worker's and wrangler's proxy's; it sees what runs outside the
//                              Worker's isolate, such as a static-asset router or KV itself)
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// wrangler's inspector proxy refuses the Origin that Node's own WebSocket sends; ws sends none.
import WebSocket from 'ws';
import { startWranglerDev } from '../scripts/wrangler-dev.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'show' },
    seconds: { type: 'string', default: '8' },
    config: { type: 'string', default: join(ROOT, 'wrangler.toml') },
    top: { type: 'string', default: '20' },
    json: { type: 'string' },
    port: { type: 'string', default: '8811' },
    after: { type: 'string' },
    processes: { type: 'boolean', default: false },
    conns: { type: 'string', default: '8' },
  },
});
const PORT = Number(args.port);
const INSPECTOR = PORT + 1000;
const BASE = `http://127.0.0.1:${PORT}`;

let worker; // wrangler dev, from the project's launcher (scripts/wrangler-dev.mjs)

/** wrangler dev with its inspector on PORT + 1000, fresh state, at log level error. */
function startWorker() {
  return startWranglerDev({
    config: args.config, port: PORT, logLevel: 'error', timeout: 120, args: ['--inspector-port', String(INSPECTOR)],
  });
}

/** What wrk sends: a URL and a Lua script. deploy-edge's own API, or the Hono anchor's (or the no-op's). */
/** fetch, once more when a kept-alive connection was closed under it (after a load). */
async function req(url, init) {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}

async function prepare(scenario, hono) {
  // The no-op anchor answers any request alike: its healthz is the runtime's floor.
  if (/noop/.test(args.config)) return { url: `${BASE}/healthz` };
  if (hono) {
    // The Hono + zod anchor serves the same Heat paths with a fixed token (its wrangler.toml).
    const v1 = `${BASE}/v1/benchproj`;
    const h = { 'x-auth-token': 'bench-token', 'content-type': 'application/json' };
    const post = JSON.stringify({ config_id: randomUUID(), server_id: 'srv-2', action: 'CREATE', status: 'IN_PROGRESS' });
    const dep = await (await req(`${v1}/software_deployments`, { method: 'POST', headers: h, body: post })).json();
    const id = dep.software_deployment.id;
    const hdr = 'wrk.headers["X-Auth-Token"]="bench-token"\nwrk.headers["Content-Type"]="application/json"';
    const put = JSON.stringify({ status: 'COMPLETE', output_values: { result: 'ok' } });
    return {
      show: { url: `${v1}/software_deployments/${id}`, lua: hdr },
      update: { url: `${v1}/software_deployments/${id}`, lua: `${hdr}\nwrk.method="PUT"\nwrk.body=${JSON.stringify(put)}` },
      create: { url: `${v1}/software_deployments`, lua: `${hdr}\nwrk.method="POST"\nwrk.body=${JSON.stringify(post)}` },
    }[scenario];
  }
  const admin = worker.adminToken; // the config's .dev.vars ADMIN_TOKEN (make run writes it)
  const project = randomBytes(16).toString('hex');
  const tok = await (await req(`${BASE}/admin/v1/projects/${project}/tokens`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } })).json();
  const h = { 'x-auth-token': tok.token, 'content-type': 'application/json' };
  const v1 = `${BASE}/v1/${project}`;
  const cfg = await (await req(`${v1}/software_configs`, { method: 'POST', headers: h,
    body: JSON.stringify({ name: 'c', group: 'script', config: '#!/bin/sh\necho hi' }) })).json();
  const dep = await (await req(`${v1}/software_deployments`, { method: 'POST', headers: h,
    body: JSON.stringify({ config_id: cfg.software_config.id, server_id: 'srv-1', action: 'CREATE', status: 'IN_PROGRESS' }) })).json();
  const id = dep.software_deployment.id;
  if (scenario === 'list50') {
    for (let i = 0; i < 50; i++) {
      await (await req(`${v1}/software_deployments`, { method: 'POST', headers: h,
        body: JSON.stringify({ config_id: cfg.software_config.id, server_id: 'srv-list', action: 'CREATE', status: 'IN_PROGRESS' }) })).arrayBuffer();
    }
  }
  const hdr = `wrk.headers["X-Auth-Token"]="${tok.token}"\nwrk.headers["Content-Type"]="application/json"`;
  const put = JSON.stringify({ status: 'COMPLETE', output_values: { result: 'ok' } });
  const post = JSON.stringify({ config_id: cfg.software_config.id, server_id: 'srv-2', action: 'CREATE', status: 'IN_PROGRESS' });
  return {
    healthz: { url: `${BASE}/healthz` },
    show: { url: `${v1}/software_deployments/${id}`, lua: hdr },
    update: { url: `${v1}/software_deployments/${id}`, lua: `${hdr}\nwrk.method="PUT"\nwrk.body=${JSON.stringify(put)}` },
    create: { url: `${v1}/software_deployments`, lua: `${hdr}\nwrk.method="POST"\nwrk.body=${JSON.stringify(post)}` },
    list50: { url: `${v1}/software_deployments?server_id=srv-list`, lua: hdr },
  }[scenario];
}

class Inspector {
  constructor(url) {
    this.ws = new WebSocket(url);
    this.next = 1;
    this.pending = new Map();
    this.ws.on('message', (data) => {
      const msg = JSON.parse(data);
      const p = this.pending.get(msg.id);
      if (p) { this.pending.delete(msg.id); msg.error ? p.reject(new Error(msg.error.message)) : p.resolve(msg.result); }
    });
  }
  open() { return new Promise((ok, fail) => { this.ws.once('open', ok); this.ws.once('error', fail); }); }
  send(method, params = {}) {
    const id = this.next++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
}

/** The category of a profile node's own time. */
function category(frame) {
  const name = frame.functionName || '';
  const url = frame.url || '';
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return 'V8/workerd outside JS (program)';
  if (url.startsWith('wasm://')) {
    if (/dlmalloc|__rust_alloc|__rust_dealloc|__rust_realloc|__rdl_|alloc::raw_vec|alloc::alloc|RawVec|memcpy|memmove|memset|memcmp/.test(name)) return 'wasm: allocation and memory copies';
    if (/serde_json|serde::|ryu|itoa/.test(name)) return 'wasm: serde_json';
    if (/wasm_bindgen|js_sys|__wbindgen|__wbg|externref|worker::|web_sys|futures_|wasm_bindgen_futures/.test(name)) return 'wasm: wasm-bindgen / workers-rs (Rust side)';
    if (/sha2|hmac|subtle|digest|base64|hex::/.test(name)) return 'wasm: hashing, HMAC, encodings';
    if (/deploy_edge/.test(name)) return 'wasm: deploy-edge handler';
    return 'wasm: other (core, std)';
  }
  if (/^__wbg_|^__wbindgen|getStringFromWasm|passStringToWasm|getArrayU8|handleError|addHeapObject|takeObject|getObject|makeMutClosure|debugString|__wbg_adapter|real|_assertClass|passArray8ToWasm|getUint8ArrayMemory|getDataView|isLikeNone|dropObject|addToExternrefTable/.test(name)) return 'JS: wasm-bindgen glue';
  if (url && /build\/|shim|index\.js|entry/.test(url)) return 'JS: Worker entry and shim';
  if (url && /node_modules|\.js$|\.mjs$/.test(url)) return 'JS: Worker code (libraries)';
  if (!url) return `runtime builtins (${name || 'anonymous'})`;
  return 'JS: other';
}

async function main() {
  const hono = /hono/.test(args.config);
  worker = await startWorker();
  const { pid, startMs } = worker;
  try {
    const load = async (scenario) => {
      const target = await prepare(scenario, hono);
      if (!target) throw new Error(`no scenario ${scenario}`);
      const script = join(mkdtempSync(join(tmpdir(), 'profile-')), 's.lua');
      writeFileSync(script, target.lua ?? '');
      return (secs) => execFileSync('wrk', ['-t1', `-c${args.conns}`, `-d${secs}s`, '-s', script, target.url], { encoding: 'utf8' });
    };
    if (args.after) (await load(args.after))(10);
    const wrk = await load(args.scenario);
    wrk(2); // warm-up: JIT, isolate caches
    if (args.processes) return processCpu(pid, wrk);
    const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR}/json`)).json();
    const ins = new Inspector(targets[0].webSocketDebuggerUrl);
    await ins.open();
    await ins.send('Profiler.enable');
    await ins.send('Profiler.setSamplingInterval', { interval: 100 });
    await ins.send('Profiler.start');
    const out = wrk(Number(args.seconds));
    const { profile } = await ins.send('Profiler.stop');
    ins.ws.close();
    const requests = Number(/(\d+) requests in/.exec(out)[1]);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);

    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const selfUs = new Map();
    for (let i = 0; i < profile.samples.length; i++) {
      const id = profile.samples[i];
      selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
    const cats = new Map();
    const fns = new Map();
    let busy = 0;
    for (const [id, us] of selfUs) {
      const frame = byId.get(id).callFrame;
      const cat = category(frame);
      cats.set(cat, (cats.get(cat) ?? 0) + us);
      if (cat !== 'idle') {
        busy += us;
        const key = `${frame.functionName || "(anonymous)"} [${cat}]${frame.url && !frame.url.startsWith("wasm:") ? ` ${frame.url.split("/").pop()}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : ""}`;
        fns.set(key, (fns.get(key) ?? 0) + us);
      }
    }
    const perReq = (us) => (us / requests).toFixed(1);
    console.log(`# ${hono ? 'Hono + zod' : 'deploy-edge'} ${args.scenario}: ${requests} requests in ${args.seconds} s (${rps} req/s under the profiler), start to first answer ${startMs} ms`);
    console.log(`# isolate CPU (non-idle) per request: ${perReq(busy)} µs`);
    console.log('| category | µs per request | share of busy |');
    console.log('|---|---:|---:|');
    for (const [cat, us] of [...cats].filter(([c]) => c !== 'idle').sort((a, b) => b[1] - a[1])) {
      console.log(`| ${cat} | ${perReq(us)} | ${((100 * us) / busy).toFixed(1)}% |`);
    }
    console.log(`\ntop ${args.top} functions by self time:`);
    for (const [fn, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top))) {
      console.log(`  ${perReq(us).padStart(7)} µs  ${fn.slice(0, 160)}`);
    }
    if (args.json) writeFileSync(args.json, JSON.stringify({ scenario: args.scenario, requests, rps, busy, categories: Object.fromEntries(cats) }));
  } finally {
    await worker.stop();
  }
}

/** CPU seconds each workerd process of wrangler's process group `pgid` has used, by pid. */
function workerdCpu(pgid) {
  const ticks = new Map();
  const ps = execFileSync('ps', ['-o', 'pid=,comm=', '-g', String(pgid)], { encoding: 'utf8' });
  for (const [pid, comm] of ps.trim().split('\n').map((l) => l.trim().split(/\s+/))) {
    if (comm !== 'workerd') continue;
    try {
      // utime and stime: fields 14 and 15, after the parenthesised command name.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch { /* exited */ }
  }
  return ticks;
}

/** Runs the load without the profiler and prints each workerd process's CPU per request. */
function processCpu(pgid, wrk) {
  const before = workerdCpu(pgid);
  const out = wrk(Number(args.seconds));
  const after = workerdCpu(pgid);
  const requests = Number(/(\d+) requests in/.exec(out)[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  console.log(`# ${args.scenario}: ${requests} requests in ${args.seconds} s (${rps} req/s), CPU per request of each workerd process:`);
  // wrangler runs two: its proxy (started first) and the one serving the Worker, its KV and objects.
  const pids = [...after.keys()].sort((a, b) => Number(a) - Number(b));
  pids.forEach((pid, i) => {
    const us = ((after.get(pid) - (before.get(pid) ?? 0)) * 1e6) / requests;
    console.log(`  ${us.toFixed(0).padStart(6)} µs  workerd ${pid}${pids.length === 2 ? (i === 0 ? " (wrangler's proxy)" : ' (the Worker, KV, objects)') : ''}`);
  });
}

main().catch((e) => { console.error(e); process.exit(1); });
