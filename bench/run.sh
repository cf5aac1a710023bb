#!/usr/bin/env bash
# `make bench`: load benchmarks against wrangler dev. Installs wrk (Debian) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench
bash scripts/build-worker.sh
exec .venv/bin/python bench/load.py "$@"
