# deploy-edge: the two commands a newcomer needs are `make run` and `make test`.
SUITES := native lint jstypes pkg worker dry-run types wasm e2e js consumers browser
.PHONY: run test test-fast test-driver $(addprefix test-,$(SUITES)) pkg worker bench lint dry-run clean

run:            ## Serve Worker + KV on disk + console on $(PORT) (default 8787); prints the admin token
	bash scripts/run.sh

test:           ## Install what is missing, then run every suite, the fast lane (native, lint) first
	bash scripts/test.sh

# One suite: `make test-e2e`, `make test-js`, ... (`bash scripts/test.sh --list` names them), with
# its runner's arguments in ARGS: `make test-e2e ARGS='-k smoke'`, `make test-native ARGS=corpus`.
$(addprefix test-,$(SUITES)): test-%:
	bash scripts/test.sh $* $(if $(ARGS),-- $(ARGS))

test-fast:      ## The fast lane only: native tests, lint, the Worker's JS types
	bash scripts/test.sh fast

test-driver:    ## Only the Worker's Rust edge in Node: the driver and the Answer's frame (wasm-bindgen-test)
	bash scripts/test-worker-driver.sh

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
