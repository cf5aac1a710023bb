#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every suite. Exits non-zero if any fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false CARGO_TERM_COLOR=never NO_COLOR=1
bash scripts/setup.sh --browser || { echo "setup failed"; exit 1; }

passed=0; failed=0; failures=()
step() {
  local name="$1"; shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  local t0=$SECONDS
  if "$@"; then passed=$((passed + 1)); echo "--> $name: ok ($((SECONDS - t0)) s)"
  else failed=$((failed + 1)); failures+=("$name"); echo "--> $name: FAILED ($((SECONDS - t0)) s)"; fi
}

step "native tests (cargo test)" cargo test --all-targets
step "lint (fmt + clippy, native and wasm)" make -s lint
step "Worker JS types (tsc --checkJs)" bash scripts/test-worker-types.sh
# The package first: the Worker bundles the console, with the package's copy in www/vendor/.
step "npm package (make pkg)" bash scripts/build-pkg.sh
step "Worker build (cargo, wasm-bindgen, wasm-opt)" bash scripts/build-worker.sh
step "deploy bundle (wrangler deploy --dry-run)" make -s dry-run
step "package types (tsc --strict)" bash scripts/test-types.sh
[ -x scripts/test-wasm.sh ] && step "wasm-bindgen tests (Node and Chromium)" bash scripts/test-wasm.sh
step "Worker end-to-end (wrangler dev + KV, real clients)" env SKIP_WORKER_BUILD=1 .venv/bin/python -m pytest tests/e2e -q -p no:cacheprovider
if compgen -G "tests/js/*.test.mjs" >/dev/null; then
  step "npm package in Node (consumer, corpus parity) and Huawei's Node SDK" env SKIP_WORKER_BUILD=1 node --test --test-concurrency=1 tests/js/
fi
if compgen -G "tests/consumers/*.test.mjs" >/dev/null; then
  step "package consumers (Worker, esbuild, Vite, webpack, attw)" node --test --test-concurrency=1 tests/consumers/
fi
if compgen -G "tests/browser/*.test.mjs" >/dev/null; then
  step "console in Chromium (playwright-core)" env SKIP_WORKER_BUILD=1 node --test --test-concurrency=1 tests/browser/
fi

echo
if [ "$failed" -gt 0 ]; then printf 'failed suites: %s\n' "${failures[*]}"; fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
