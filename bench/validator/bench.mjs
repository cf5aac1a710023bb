// ops/sec of deploy-edge's validate (the npm package, wasm) against ajv (compiled JSON Schema of
// the same rules) and zod, on the seeds' payloads, invalid ones, and an application.update with 50
// operations of 4,000-character params; from JS objects and from JSON text (JSON.parse + validate
// for ajv and zod). Also the boundary crossings src/wasm.rs chose between, and opt-level s vs z.
// Run through run.sh, which builds what this imports.
//
//   node bench.mjs [--quick] [--json results.json]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from '../../pkg/node.js';
import { loadCorpus, expand, OFFLINE_IDS } from '../../tests/js/support.mjs';
import { compileAjv, zodSchemas } from './schemas.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const quick = process.argv.includes('--quick');
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : null;

async function loadVariant(opt) {
  const dir = path.join(ROOT, `target/bench-variants-${opt}/bindgen`);
  const m = await import(path.join(dir, 'deploy_edge_bench_variants.js'));
  m.initSync({ module: fs.readFileSync(path.join(dir, 'deploy_edge_bench_variants_bg.wasm')) });
  return m;
}
const vz = await loadVariant('z');
const vs = await loadVariant('s');
const ajv = compileAjv();

// ---------------------------------------------------------------------------------------------
// Payloads

const corpus = loadCorpus();
function fromCorpus(name) {
  const c = corpus.find((x) => x.name === name);
  if (!c) throw new Error(`no corpus case "${name}"`);
  return { kind: c.kind, payload: expand(c.payload, OFFLINE_IDS), valid: c.valid };
}
const scenarios = [
  ['seed: deployment create', 'seed: rts-create-software-deployments.rst request example (config_id of the test\'s config)'],
  ['seed: deployment update', 'seed: rts-update-software-deployment request example'],
  ['seed: application update', 'seed: codearts-deploy-update-application example request'],
  ['config create (6 inputs)', 'tempest-style config with typed inputs and outputs'],
  ['invalid deployment (3 errors)', 'missing config, over-long server, unknown status'],
  ['invalid config (5 errors)', 'input and output problems, all reported in document order'],
  ['invalid application (7 errors)', 'task and operation problems'],
  ['update, 50 ops x 4,000-char params', '50 operations, each with 4,000 characters of params'],
].map(([label, name]) => {
  const s = fromCorpus(name);
  const text = JSON.stringify(s.payload);
  return { label, ...s, text, chars: text.length };
});

// ---------------------------------------------------------------------------------------------
// Every validator must agree with the corpus before it is timed.

const zodValid = (kind, v) => zodSchemas[kind].safeParse(v).success;
const agreement = {};
for (const kind of Object.keys(zodSchemas)) {
  const cases = corpus.filter((c) => c.kind === kind && !('payload_text' in c));
  let a = 0;
  let zc = 0;
  const misses = [];
  for (const c of cases) {
    const v = expand(c.payload, OFFLINE_IDS);
    if (ajv[kind](v) === c.valid) a += 1; else misses.push(`ajv: ${c.name}`);
    if (zodValid(kind, v) === c.valid) zc += 1; else misses.push(`zod: ${c.name}`);
  }
  agreement[kind] = { cases: cases.length, ajv: a, zod: zc, misses };
}
for (const s of scenarios) {
  const verdicts = {
    'deploy-edge': validate(s.kind, s.payload).valid,
    ajv: ajv[s.kind](s.payload),
    zod: zodValid(s.kind, s.payload),
    walk: vz.validateWalk(s.kind, s.payload).valid,
  };
  for (const [who, v] of Object.entries(verdicts)) {
    if (v !== s.valid) throw new Error(`${who} says ${v} for "${s.label}", the corpus ${s.valid}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Timing: rounds of at least `ms` each, calls in batches; the median round's ops/sec.

const encoder = new TextEncoder();
const now = () => Number(process.hrtime.bigint()) / 1e6;
let sink = 0;
function opsPerSec(fn, { ms = quick ? 150 : 600, rounds = quick ? 3 : 7 } = {}) {
  let batch = 1;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < batch; i += 1) sink ^= fn() ? 1 : 0;
    if (now() - t0 > 5 || batch > 1 << 20) break;
    batch *= 2;
  }
  const results = [];
  for (let r = 0; r < rounds; r += 1) {
    let n = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < batch; i += 1) sink ^= fn() ? 1 : 0;
      n += batch;
      t = now();
    }
    results.push((n * 1000) / (t - t0));
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)];
}

const libraries = {
  'deploy-edge (object)': (s) => () => validate(s.kind, s.payload).valid,
  'deploy-edge (JSON text)': (s) => () => validate(s.kind, s.text).valid,
  'ajv (object)': (s) => { const v = ajv[s.kind]; return () => v(s.payload); },
  'ajv (JSON.parse + validate)': (s) => { const v = ajv[s.kind]; return () => v(JSON.parse(s.text)); },
  'zod (object)': (s) => { const z = zodSchemas[s.kind]; return () => z.safeParse(s.payload).success; },
  'zod (JSON.parse + safeParse)': (s) => { const z = zodSchemas[s.kind]; return () => z.safeParse(JSON.parse(s.text)).success; },
};
const boundaries = {
  // The raw export answers a number (the verdict stays encoded in the module's memory until the
  // package's JS entry decodes it), so this column is the crossing without building a report.
  'shipped: JSON text in, verdict left encoded in wasm memory (opt z)': (s) => () => vz.validate(s.kind, s.payload) >= 0,
  'same, opt-level s': (s) => () => vs.validate(s.kind, s.payload) >= 0,
  'JSON text in, serde_json text + JSON.parse out': (s) => () => vz.validateTextInTextOut(s.kind, s.payload).valid,
  'JSON text in, serde-wasm-bindgen out': (s) => () => vz.validateTextInWalkOut(s.kind, s.payload).valid,
  'serde-wasm-bindgen both ways (object walk)': (s) => () => vz.validateWalk(s.kind, s.payload).valid,
};
const phases = {
  'JSON.stringify (JS)': (s) => () => JSON.stringify(s.payload).length > 0,
  'text copied into wasm (wasm-bindgen string)': (s) => () => vz.transferOnly(s.text) > 0,
  'text as TextEncoder bytes into wasm': (s) => () => vz.transferBytes(encoder.encode(s.text)) > 0,
  'copied + serde_json parse': (s) => () => vz.parseOnly(s.text),
  'copied + parse + validate + verdict encoded (raw wasm validate(kind, text))': (s) => () => vz.validate(s.kind, s.text) >= 0,
  'same, opt-level s': (s) => () => vs.validate(s.kind, s.text) >= 0,
  'package validate(kind, text) (bytes over 2,048)': (s) => () => validate(s.kind, s.text).valid,
};

function table(title, columns) {
  const rows = scenarios.map((s) => {
    const cells = Object.entries(columns).map(([name, make]) => [name, opsPerSec(make(s))]);
    process.stderr.write('.');
    return { scenario: s.label, chars: s.chars, valid: s.valid, ...Object.fromEntries(cells) };
  });
  process.stderr.write('\n');
  return { title, columns: Object.keys(columns), rows };
}

const fmt = (n) => (n >= 100_000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
function print({ title, columns, rows }) {
  console.log(`\n### ${title}\n`);
  console.log(`| payload | chars | ${columns.join(' | ')} |`);
  console.log(`|---|---:|${columns.map(() => '---:').join('|')}|`);
  for (const r of rows) {
    console.log(`| ${r.scenario} | ${r.chars.toLocaleString('en')} | ${columns.map((c) => fmt(r[c])).join(' | ')} |`);
  }
}

const wasmBytes = fs.readFileSync(path.join(ROOT, 'pkg/deploy_edge_bg.wasm'));
const { gzipSync } = await import('node:zlib');
console.log(`deploy-edge ${JSON.parse(fs.readFileSync(path.join(ROOT, 'pkg/package.json'), 'utf8')).version}, `
  + `Node ${process.versions.node}, ${quick ? 'quick' : 'full'} run; ops/sec (median of rounds), chars = JSON text length`);
console.log(`wasm: ${wasmBytes.length.toLocaleString('en')} bytes, ${gzipSync(wasmBytes, { level: 9 }).length.toLocaleString('en')} gzipped`);
console.log('\nAgreement with the corpus verdicts (cases of the benchmarked kinds):');
for (const [kind, a] of Object.entries(agreement)) {
  console.log(`- ${kind}: ajv ${a.ajv}/${a.cases}, zod ${a.zod}/${a.cases}${a.misses.length ? ` (differ: ${a.misses.join('; ')})` : ''}`);
}

const results = [
  table('Validators', libraries),
  table('Crossing the JS/wasm boundary (deploy-edge, object input)', boundaries),
  table('Where the time goes (deploy-edge, JSON text input unless said)', phases),
];
results.forEach(print);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ agreement, results }, null, 2));
if (sink === 42) console.log(''); // keep the results observable
