#!/usr/bin/env bash
# The Worker's JavaScript (src/cloudflare/*.js: worker.js and every module its bundle takes from
# there) checked by the pinned tsc against the pinned Workers types (@cloudflare/workers-types),
# with src/cloudflare/tsconfig.json: --checkJs, --strict, --noEmit. What worker.js imports from
# build/ (the wasm-bindgen glue core.js, its core_bg.wasm, the console's files) is declared in the
# .d.ts files beside it, so no build is needed. Each file starts with `// @ts-check` (for editors)
# and suppresses nothing (@ts-ignore, @ts-expect-error, @ts-nocheck). Run by `make test`
# (scripts/test.sh) and `make test-jstypes`.
set -euo pipefail
cd "$(dirname "$0")/.."

TSC=node_modules/.bin/tsc
[ -x "$TSC" ] || { echo "worker types: $TSC is missing; run scripts/setup.sh (npm ci)" >&2; exit 1; }
[ -d node_modules/@cloudflare/workers-types ] || {
  echo "worker types: @cloudflare/workers-types is missing; run scripts/setup.sh (npm ci)" >&2; exit 1; }

status=0
for f in src/cloudflare/*.js; do
  if [ "$(head -n 1 "$f")" != '// @ts-check' ]; then
    echo "$f: its first line is not // @ts-check" >&2; status=1
  fi
  if grep -n '@ts-ignore\|@ts-expect-error\|@ts-nocheck' "$f" >&2; then
    echo "$f: suppresses a type error" >&2; status=1
  fi
done
[ "$status" -eq 0 ] || exit 1

"$TSC" --version
"$TSC" -p src/cloudflare/tsconfig.json
echo "worker types: $(ls src/cloudflare/*.js | tr '\n' ' ')check with --strict"
