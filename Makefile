# deploy-edge: the two commands a newcomer needs are `make run` and `make test`.
.PHONY: run test test-native test-driver types-worker pkg worker bench lint dry-run clean

run:            ## Serve Worker + KV on disk + console on $(PORT) (default 8787); prints the admin token
	bash scripts/run.sh

test:           ## Install what is missing, then run every test (native, wasm, Worker e2e, clients, browser)
	bash scripts/test.sh

test-native:    ## Only the native Rust tests (fast)
	cargo test --all-targets

test-driver:    ## Only the Worker's Rust edge in Node: the driver and the Answer's frame (wasm-bindgen-test)
	bash scripts/test-worker-driver.sh

types-worker:   ## Only the Worker's JavaScript types: tsc --checkJs --strict (no build needed)
	bash scripts/test-worker-types.sh

worker:         ## Build the Worker bundle into build/
	bash scripts/build-worker.sh

pkg:            ## Build the npm package into pkg/ (and the console's copy in www/vendor/)
	bash scripts/build-pkg.sh

lint:           ## rustfmt + clippy on every target and feature: native (without and with both edges), each edge on wasm32 with its tests
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --all-features -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown --features worker -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown --features wasm -- -D warnings

dry-run:        ## Bundle exactly as `wrangler deploy` would, without uploading
	WRANGLER_SEND_METRICS=false npx wrangler deploy --dry-run --outdir build/dry-run

bench:          ## Load benchmarks against wrangler dev (see bench/README.md)
	bash bench/run.sh

clean:
	rm -rf build pkg www/vendor test-output
