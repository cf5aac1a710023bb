#!/usr/bin/env bash
# `make bench`: load benchmarks against wrangler dev (bench/load.py, then deploy-edge beside the
# Hono + zod and no-op reference Workers, bench/anchors.sh). Installs wrk (Debian) if missing.
# `bash bench/run.sh --fleet [--servers N] [--duration S]`: the fleet benchmark (bench/fleet.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench
bash scripts/build-worker.sh
if [ "${1:-}" = --fleet ]; then
  shift
  exec .venv/bin/python bench/fleet.py "$@"
fi
.venv/bin/python bench/load.py "$@"
# deploy-edge beside the Hono + zod and no-op reference Workers, same load (bench/anchors.sh).
exec bash bench/anchors.sh
