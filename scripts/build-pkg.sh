#!/usr/bin/env bash
# Builds the npm package `deploy-edge` into pkg/ and copies it to www/vendor/deploy-edge/ for the
# console. `make pkg`; also run by `make test` and `make run`.
#
#   cargo (feature `wasm`, profile `pkg`, its own target dir) -> wasm-bindgen --target web
#   -> wasm-opt -O (npm binaryen, pinned in package.json, as for the Worker) -> pkg/ = wasm-bindgen's module + pkg-template/ (entries, types, README, package.json)
#      + the repository's CHANGELOG.md and LICENSE
#
# Offline (no wasm-pack; wasm-opt is the one scripts/setup.sh installs) and idempotent: wasm-bindgen only runs when the
# .wasm changed, and files are only rewritten when their content changed, so a second run takes
# about as long as a no-op cargo build.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
OUT=pkg
VENDOR=www/vendor/deploy-edge
# A target dir of its own: the Worker build (feature `worker`) writes the same file name under
# target/wasm32-unknown-unknown/, and sharing it would rebuild one or the other every time.
TARGET_DIR=target/pkg
PROFILE=pkg
WASM_IN="$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/deploy_edge.wasm"
BINDGEN_OUT="$TARGET_DIR/bindgen"

say() { printf '\033[1mpkg:\033[0m %s\n' "$*"; }

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  echo "pkg: wasm-bindgen $WASM_BINDGEN_VERSION is missing; run scripts/setup.sh" >&2
  exit 1
fi

# `cargo rustc --crate-type cdylib`, not `cargo build`: the crate is also an rlib (for tests/), and
# Cargo skips LTO for a crate that builds an rlib; with LTO the module is 14% smaller and faster.
cargo rustc --quiet --lib --profile "$PROFILE" --target wasm32-unknown-unknown --features wasm \
  --target-dir "$TARGET_DIR" --crate-type cdylib

# By content, not mtime: cargo can put back an older build of the same crate (another profile or
# opt-level that it still has), whose mtime is older than the last run's.
WASM_SUM=$(sha256sum "$WASM_IN" | cut -d' ' -f1)
if [ ! -s "$BINDGEN_OUT/deploy_edge_bg.wasm" ] || [ "$(cat "$BINDGEN_OUT/.stamp" 2>/dev/null)" != "$WASM_SUM" ]; then
  say "wasm-bindgen --target web"
  rm -rf "$BINDGEN_OUT.tmp"
  wasm-bindgen --target web --remove-name-section --remove-producers-section \
    --out-dir "$BINDGEN_OUT.tmp" "$WASM_IN"
  # -O (speed and size, not -Oz): 6% smaller, which keeps the module under webpack's 244 KiB
  # asset hint (tests/consumers/webpack.test.mjs).
  say "wasm-opt -O"
  node_modules/.bin/wasm-opt -O --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$BINDGEN_OUT.tmp/deploy_edge_bg.wasm" -o "$BINDGEN_OUT.tmp/deploy_edge_bg.wasm"
  rm -rf "$BINDGEN_OUT"
  mv "$BINDGEN_OUT.tmp" "$BINDGEN_OUT"
  echo "$WASM_SUM" >"$BINDGEN_OUT/.stamp"
fi

# The crate's version (the first `version =` of [package]).
VERSION=$(awk -F'"' '/^\[/{in_pkg=($0=="[package]")} in_pkg && /^version *=/{print $2; exit}' Cargo.toml)
[ -n "$VERSION" ] || { echo "pkg: no version in Cargo.toml" >&2; exit 1; }

# Assemble in a staging dir, then copy only what changed (keeps mtimes, so watchers stay quiet).
STAGE="$TARGET_DIR/stage"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$BINDGEN_OUT"/deploy_edge.js "$BINDGEN_OUT"/deploy_edge.d.ts "$BINDGEN_OUT"/deploy_edge_bg.wasm "$STAGE"/
# deploy_edge_bg.wasm.d.ts is the template's, not wasm-bindgen's: it types the exported
# `deploy-edge/deploy_edge_bg.wasm` as what a default import of it gives in a Worker (a compiled
# module), where wasm-bindgen's declares the instance's raw exports, which nothing here imports.
cp pkg-template/README.md pkg-template/index.d.ts pkg-template/node.js pkg-template/workerd.js \
  pkg-template/deploy_edge_bg.wasm.d.ts CHANGELOG.md LICENSE "$STAGE"/
for f in package.json index.js; do
  sed "s/@VERSION@/$VERSION/g" "pkg-template/$f" >"$STAGE/$f"
done

sync_dir() { # sync_dir FROM TO: TO ends up with exactly FROM's files
  local from="$1" to="$2" f
  mkdir -p "$to"
  for f in "$from"/*; do
    if ! cmp -s "$f" "$to/${f##*/}"; then cp "$f" "$to/${f##*/}"; fi
  done
  for f in "$to"/* "$to"/.[!.]*; do
    [ -e "$f" ] || continue
    if [ ! -e "$from/${f##*/}" ]; then rm -rf "$f"; fi
  done
  return 0
}
sync_dir "$STAGE" "$OUT"
sync_dir "$STAGE" "$VENDOR"

raw=$(stat -c %s "$OUT/deploy_edge_bg.wasm")
gz=$(gzip -9 -c "$OUT/deploy_edge_bg.wasm" | wc -c)
say "deploy-edge $VERSION in $OUT/ and $VENDOR/ (wasm $((raw / 1024)) KiB, $((gz / 1024)) KiB gzipped)"
