#!/usr/bin/env bash
# The validator benchmark (see README.md): builds the npm package and the benchmark-only variants
# (opt-level z and s), installs ajv and zod here if needed, and runs bench.mjs.
#   bash bench/validator/run.sh [--quick] [--json out.json]
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)

bash "$ROOT/scripts/build-pkg.sh" >/dev/null
for opt in z s; do
  dir="$ROOT/target/bench-variants-$opt"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt cargo build --quiet --release --target wasm32-unknown-unknown \
    --manifest-path variants/Cargo.toml --target-dir "$dir"
  wasm=$dir/wasm32-unknown-unknown/release/deploy_edge_bench_variants.wasm
  if [ ! -s "$dir/bindgen/deploy_edge_bench_variants_bg.wasm" ] || [ "$wasm" -nt "$dir/bindgen/.stamp" ]; then
    rm -rf "$dir/bindgen"
    wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir "$dir/bindgen" "$wasm"
    touch "$dir/bindgen/.stamp"
  fi
done
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node bench.mjs "$@"
