#!/usr/bin/env bash
# Builds the Worker into build/: the crate's `worker` feature as a cdylib with LTO, wasm-bindgen
# (--target web) into build/core.js + build/core_bg.wasm, wasm-opt -Oz (npm binaryen, pinned in
# package.json), the JavaScript entry src/cloudflare/worker.js (with answer.js, bindings.js and
# console.js) beside them, and the console's files (www/, so `make pkg` first) as build/www/ and
# build/console-files.js. Offline: every tool is already installed by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# The test runner builds once, then starts wrangler dev several times without rebuilding.
if [ "${SKIP_WORKER_BUILD:-}" = 1 ] && [ -s build/worker.js ]; then exit 0; fi
# crate-type cdylib alone: Cargo applies LTO only when no rlib is built beside it.
cargo rustc --quiet --lib --release --target wasm32-unknown-unknown --features worker --crate-type cdylib
WASM=target/wasm32-unknown-unknown/release/deploy_edge.wasm
# PROFILE=1 keeps function names in the wasm, for bench/profile.mjs.
OPT="-Oz ${PROFILE:+-g}"
# The wasm steps run again only when the crate or the mode changed: under `make run`, an edit in
# www/ (wrangler.toml's watch_dir) rebuilds in a second.
if [ "$WASM" -nt build/core_bg.wasm ] || [ "$(cat build/.wasm-opt 2>/dev/null)" != "$OPT" ]; then
  rm -rf build && mkdir -p build
  wasm-bindgen --target web --no-typescript --experimental-reset-state-function \
    --out-dir build --out-name core "$WASM"
  # shellcheck disable=SC2086 # OPT is two flags
  node_modules/.bin/wasm-opt $OPT --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    build/core_bg.wasm -o build/core_bg.wasm
  echo "$OPT" > build/.wasm-opt
fi
cp src/cloudflare/worker.js src/cloudflare/answer.js src/cloudflare/bindings.js src/cloudflare/console.js build/
rm -rf build/www
node scripts/console-files.mjs
printf 'Worker wasm: %s bytes, %s gzipped (gzip -9)\n' \
  "$(wc -c < build/core_bg.wasm)" "$(gzip -9 -c build/core_bg.wasm | wc -c)"
