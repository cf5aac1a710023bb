#!/usr/bin/env bash
# Builds the Worker bundle (build/index.js + build/index_bg.wasm) from the crate's `worker` feature.
# Offline-safe: wasm-bindgen comes from the cargo-installed CLI and wasm-opt is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
# The test runner builds once, then starts wrangler dev several times without rebuilding.
if [ "${SKIP_WORKER_BUILD:-}" = 1 ] && [ -s build/index.js ]; then exit 0; fi
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen)}"
exec worker-build --release --no-opt --features worker
