#!/usr/bin/env bash
# The Worker's Rust edge under wasm-bindgen-test in Node (the runner is set in .cargo/config.toml):
# the driver (src/cloudflare/driver.rs: an answer with no promise, one, two in sequence, two in one
# poll, answers waiting at once, a ticket the instance never gave) and the Answer's byte frame as
# answer.js unpacks it (src/cloudflare/mod.rs). The tests ask for Node's ES-module mode
# (`run_in_node_experimental`): the crate imports bindings.js and answer.js, ES modules that
# import nothing of workerd's. Run by scripts/test-wasm.sh (`make test`) and `make test-driver`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --target wasm32-unknown-unknown --features worker --lib -- cloudflare::
