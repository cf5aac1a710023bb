#!/usr/bin/env bash
# The npm package's TypeScript contract: tests/types/*.ts compiled by the pinned tsc with --strict
# and --noEmit (tests/types/tsconfig.json) against the built package, pkg/index.d.ts, as a consumer
# imports it. Correct use must compile, and each line marked `// @ts-expect-error` must not (tsc
# fails on a directive that suppresses nothing). Before tsc runs, what the package's rules()
# returns is written to target/types/rules.json, so the declared `Rules` type is checked against
# the real object. The package_types tests in src/rules.rs (cargo test) hold the kinds and enumerations the types
# restate to the Rust. Needs `make pkg`; run by `make test` (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

TSC=node_modules/.bin/tsc
[ -x "$TSC" ] || { echo "types: $TSC is missing; run scripts/setup.sh (npm ci)" >&2; exit 1; }
[ -f pkg/index.d.ts ] || { echo "types: pkg/ is missing; run make pkg" >&2; exit 1; }

mkdir -p target/types
node --input-type=module \
  -e "import { rules } from './pkg/node.js'; process.stdout.write(JSON.stringify(rules(), null, 2) + '\n');" \
  >target/types/rules.json
"$TSC" --version
"$TSC" --strict --noEmit -p tests/types/tsconfig.json
echo "types: tests/types compile with --strict, and every @ts-expect-error line is an error"
