#!/usr/bin/env bash
# `make bench`: load benchmarks against wrangler dev. Installs wrk (Debian) if missing.
# `bash bench/run.sh --fleet [--servers N] [--duration S]`: the fleet benchmark (bench/fleet.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench
bash scripts/build-worker.sh
if [ "${1:-}" = --fleet ]; then
  shift
  exec .venv/bin/python bench/fleet.py "$@"
fi
exec .venv/bin/python bench/load.py "$@"
