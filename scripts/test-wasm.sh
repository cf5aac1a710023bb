#!/usr/bin/env bash
# wasm-bindgen tests of the npm package's code, compiled to wasm32: the JS-facing layer
# (src/wasm.rs unit tests) and the core with the payload corpus and signing vectors (tests/wasm.rs).
# Run twice: in Node, then in headless Chromium through chromedriver (Debian's packages; the
# browser's flags are in webdriver.json, which wasm-bindgen-test-runner reads from the crate root).
# Then the Worker's edge (feature `worker`: its driver and Answer frame) in Node,
# scripts/test-worker-driver.sh.
# The runner comes from .cargo/config.toml. Run by `make test` (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

tests=(cargo test --target wasm32-unknown-unknown --features wasm --lib --test wasm)

echo "wasm-bindgen tests in Node"
"${tests[@]}"

echo "wasm-bindgen tests in headless Chromium"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || echo /usr/bin/chromedriver)}"
if [ ! -x "$CHROMEDRIVER" ] || ! command -v chromium >/dev/null; then
  echo "chromium and chromedriver are needed: scripts/setup.sh --browser" >&2
  exit 1
fi
WASM_BINDGEN_USE_BROWSER=1 "${tests[@]}"

echo "wasm-bindgen tests of the Worker's edge in Node"
bash scripts/test-worker-driver.sh
