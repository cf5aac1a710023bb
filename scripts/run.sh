#!/usr/bin/env bash
# `make run`: installs what is missing, builds, and serves the Worker with KV persisted under
# .wrangler/state and the console on http://127.0.0.1:$PORT/. Prints the admin token.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8787}"
bash scripts/setup.sh
bash scripts/build-pkg.sh >/dev/null
if [ ! -s .dev.vars ] || ! grep -q '^ADMIN_TOKEN=' .dev.vars; then
  echo "ADMIN_TOKEN=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')" >> .dev.vars
  echo "run: wrote a new random ADMIN_TOKEN to .dev.vars"
fi
if ! grep -q '^CREDENTIALS_KEY=' .dev.vars; then
  echo "CREDENTIALS_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')" >> .dev.vars
  echo "run: wrote a new random CREDENTIALS_KEY (AK/SK secret keys derive from it) to .dev.vars"
fi
ADMIN_TOKEN="$(sed -n 's/^ADMIN_TOKEN=//p' .dev.vars | head -n1)"
cat <<MSG

  deploy-edge on http://127.0.0.1:${PORT}/   (console at /, APIs under /v1 and /admin/v1)
  admin token: ${ADMIN_TOKEN}

  issue a project token:
    curl -s -X POST -H "Authorization: Bearer ${ADMIN_TOKEN}" \\
      http://127.0.0.1:${PORT}/admin/v1/projects/0123456789abcdef0123456789abcdef/tokens

  issue AK/SK credentials (CodeArts API, Huawei SDKs):
    curl -s -X POST -H "Authorization: Bearer ${ADMIN_TOKEN}" \\
      http://127.0.0.1:${PORT}/admin/v1/projects/0123456789abcdef0123456789abcdef/credentials

MSG
# wrangler dev through the project's one launcher (scripts/wrangler-dev.mjs), in this terminal:
# it builds at start and on every change (--build), with its interactive session; Ctrl-C stops it.
exec node scripts/wrangler-dev.mjs --foreground --build --port "$PORT" --persist-to .wrangler/state
