#!/usr/bin/env bash
# The reference Workers beside deploy-edge, in one run: a no-op Worker and a Hono + zod Worker
# doing the same deployment API on KV (bench/anchors/, from the project's shared anchors; its
# README says what each does). Each runs under wrangler dev with fresh local KV and the same wrk
# load (bench/anchors/bench-http.sh: create, show, update, list one server's 50), then this prints
# deploy-edge ÷ Hono and each Worker's share of the no-op. Knobs: DURATION (10s), WARMUP (2s),
# THREADS (2), CONNS (32). Needs the Worker built (bench/run.sh builds it).
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
WRANGLER="$ROOT/node_modules/.bin/wrangler" "$ANCHORS/run-http-anchors.sh" \
  noop=noop-worker/wrangler.toml hono=hono-worker/wrangler.toml "deploy-edge=$ROOT/wrangler.toml" | tee "$OUT"
node - "$OUT" <<'JS'
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
const rps = {};
for (const line of rows) {
  const [label, scenario, r, p50, p99, non2xx] = line.split(/\s+/);
  (rps[scenario] ??= {})[label] = { rps: Number(r), p99, non2xx };
}
console.log('\n| scenario | no-op req/s | Hono req/s | deploy-edge req/s | deploy-edge ÷ Hono | deploy-edge ÷ no-op | Hono ÷ no-op |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [scenario, by] of Object.entries(rps)) {
  const n = by.noop?.rps, h = by.hono?.rps, d = by['deploy-edge']?.rps;
  const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
  console.log(`| ${scenario} | ${n ?? '-'} | ${h ?? '-'} | ${d ?? '-'} | ${f(d / h)} | ${f(d / n)} | ${f(h / n)} |`);
}
JS
rm -f "$OUT"
