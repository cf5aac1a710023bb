// Two builds of the package in one Node process, interleaved: the way to compare them on a shared,
// noisy machine (a separate run each moves by a third). Usage, from the repository root:
//   bash scripts/build-pkg.sh && cp -r pkg /tmp/pkg-a   # ... change, then again into /tmp/pkg-b
//   node bench/validator/ab.mjs /tmp/pkg-a /tmp/pkg-b
// Prints ops/sec of validate(kind, JSON text) for each, median of 15 interleaved rounds, and b/a.
import path from 'node:path';
import { loadCorpus, expand, OFFLINE_IDS } from '../../tests/js/support.mjs';
const [dirA, dirB] = process.argv.slice(2).map((d) => path.resolve(d));
const A = await import(path.join(dirA, 'node.js'));
const B = await import(path.join(dirB, 'node.js'));
const corpus = loadCorpus();
const names = [
  ['deployment create', "seed: rts-create-software-deployments.rst request example (config_id of the test's config)"],
  ['deployment update', 'seed: rts-update-software-deployment request example'],
  ['application update', 'seed: codearts-deploy-update-application example request'],
  ['config (6 inputs)', 'tempest-style config with typed inputs and outputs'],
  ['invalid deployment', 'missing config, over-long server, unknown status'],
  ['invalid config', 'input and output problems, all reported in document order'],
  ['invalid application', 'task and operation problems'],
  ['50 ops x 4,000', '50 operations, each with 4,000 characters of params'],
];
function time(fn, text, kind, ms = 150) {
  let n = 0; const t0 = performance.now(); let t;
  do { for (let i = 0; i < 50; i++) fn(kind, text); n += 50; t = performance.now(); } while (t - t0 < ms);
  return n / ((t - t0) / 1000);
}
for (const [label, name] of names) {
  const c = corpus.find((x) => x.name === name);
  const text = JSON.stringify(expand(c.payload, OFFLINE_IDS));
  const ra = [], rb = [];
  for (let r = 0; r < 15; r++) { ra.push(time(A.validate, text, c.kind)); rb.push(time(B.validate, text, c.kind)); }
  const med = (x) => x.sort((p, q) => p - q)[7];
  const a = med(ra), b = med(rb);
  console.log(`${label.padEnd(22)} a ${(a / 1000).toFixed(1)}k/s  b ${(b / 1000).toFixed(1)}k/s  b/a ${(b / a).toFixed(2)}`);
}
