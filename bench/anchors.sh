#!/usr/bin/env bash
# The reference Workers beside deploy-edge, in one run: a no-op Worker and a Hono + zod Worker
# doing the same deployment API on KV (bench/anchors/, from the project's shared anchors; its
# README says what each does). Each runs under wrangler dev with fresh local KV and the same wrk
# load (bench/anchors/bench-http.sh: create, show, update, list one server's 50), then this prints
# deploy-edge ÷ Hono and each Worker's share of the no-op. Knobs: DURATION (10s), WARMUP (2s),
# THREADS (2), CONNS (32), RUNS (1: with more, the three Workers run that many times in turn, each
# run's ratios are printed and the table gives their medians, since the machine's load drifts
# between the Workers of one run). Needs the Worker built (bench/run.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ANCHORS=bench/anchors
if [ ! -d "$ANCHORS/node_modules" ] || [ "$ANCHORS/package-lock.json" -nt "$ANCHORS/node_modules/.package-lock.json" ]; then
  (cd "$ANCHORS" && npm ci --no-audit --no-fund --loglevel=error)
fi
# deploy-edge's admin API needs a token to mint a project (as `make run` makes one).
if [ ! -s .dev.vars ] || ! grep -q '^ADMIN_TOKEN=' .dev.vars; then
  echo "ADMIN_TOKEN=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')" >> .dev.vars
fi
if ! grep -q '^CREDENTIALS_KEY=' .dev.vars; then
  echo "CREDENTIALS_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')" >> .dev.vars
fi
OUT=$(mktemp)
# The one place wrangler dev is not started by scripts/wrangler-dev.mjs: bench/anchors/ is a copy of
# the shared reference-Workers harness, which starts each Worker itself (same flags: 127.0.0.1, a
# fresh --persist-to, --log-level warn, its own process group), and is kept as it is upstream.
for run in $(seq 1 "${RUNS:-1}"); do
  WRANGLER="$ROOT/node_modules/.bin/wrangler" "$ANCHORS/run-http-anchors.sh" \
    noop=noop-worker/wrangler.toml hono=hono-worker/wrangler.toml "deploy-edge=$ROOT/wrangler.toml" \
    | sed "s/^/$run /" | tee -a "$OUT"
done
node - "$OUT" <<'JS'
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l && !/^\d+ #/.test(l));
const runs = {}; // scenario -> run -> label -> req/s
for (const line of rows) {
  const [run, label, scenario, r] = line.split(/\s+/);
  ((runs[scenario] ??= {})[run] ??= {})[label] = Number(r);
}
const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1] : NaN; };
const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const by = Object.entries(runs).map(([scenario, rs]) => {
  const each = Object.values(rs);
  const ratio = (a, b) => each.map((r) => r[a] / r[b]);
  return { scenario, each, dh: ratio('deploy-edge', 'hono'), dn: ratio('deploy-edge', 'noop'), hn: ratio('hono', 'noop') };
});
if (by.length && by[0].each.length > 1) {
  console.log('\ndeploy-edge ÷ Hono in each run:');
  for (const { scenario, dh } of by) console.log(`  ${scenario}: ${dh.map(f).join(', ')}`);
}
const n = by.length ? by[0].each.length : 0;
if (n > 1) console.log(`\nmedians of ${n} runs (of an even number, the lower middle one):`);
console.log('\n| scenario | no-op req/s | Hono req/s | deploy-edge req/s | deploy-edge ÷ Hono | deploy-edge ÷ no-op | Hono ÷ no-op |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const { scenario, each, dh, dn, hn } of by) {
  const m = (label) => median(each.map((r) => r[label]));
  console.log(`| ${scenario} | ${m('noop')} | ${m('hono')} | ${m('deploy-edge')} | ${f(median(dh))} | ${f(median(dn))} | ${f(median(hn))} |`);
}
JS
rm -f "$OUT"
