#!/usr/bin/env bash
# Installs every tool deploy-edge needs beyond Rust, Node 20, npm, Python 3.11 and git.
# Pinned and idempotent: each step is skipped when the pinned version is already there.
# Usage: scripts/setup.sh [--browser] [--bench]
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
want_browser=0; want_bench=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --bench) want_bench=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# Rust: the wasm target and the pinned wasm-bindgen CLI (wasm-opt comes from npm binaryen).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # --locked first; its lock file names a webpki-roots release the registry may no longer serve,
  # so fall back to resolving the dependencies afresh (same wasm-bindgen-cli version).
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --locked \
    || cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

# Node: wrangler and test tools, pinned by package-lock.json.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Python: a venv for the real clients (python-heatclient, the Huawei SDK) and pytest.
if [ ! -x .venv/bin/python ] || ! cmp -s tests/e2e/requirements.txt .venv/requirements.txt; then
  say "creating .venv with tests/e2e/requirements.txt"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt
  cp tests/e2e/requirements.txt .venv/requirements.txt
fi

# Debian packages: Chromium for browser tests, wrk/hyperfine for benchmarks.
apt_pkgs=()
if [ "$want_browser" = 1 ]; then
  command -v chromium >/dev/null || apt_pkgs+=(chromium)
  command -v chromedriver >/dev/null || apt_pkgs+=(chromium-driver)
fi
if [ "$want_bench" = 1 ]; then
  command -v wrk >/dev/null || apt_pkgs+=(wrk)
  command -v hyperfine >/dev/null || apt_pkgs+=(hyperfine)
fi
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  say "installing Debian packages: ${apt_pkgs[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi
say "tools ready"
