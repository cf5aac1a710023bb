#!/usr/bin/env bash
# `make test` (scripts/test.sh): installs what is missing, then runs every suite in order, the fast
# lane (native, lint, jstypes) first. Prints each suite's result and a summary; exits non-zero if any fails.
#
#   scripts/test.sh                      every suite (what CI runs: .ci/run = make test)
#   scripts/test.sh SUITE...             only these, in the order given (`make test-SUITE`)
#   scripts/test.sh fast                 the fast lane: native, lint, jstypes
#   scripts/test.sh SUITE -- ARGS...     one suite, ARGS handed to its runner (`make test-SUITE ARGS=...`)
#   scripts/test.sh --list               the suites, one a line
#
# ARGS: native: `cargo test --all-targets ARGS` (a test name filter, `-- --nocapture`); e2e:
# pytest's (`-k smoke`, `-x`, a file or file::test); js, consumers, browser: node --test's
# (`--test-name-pattern=…`, a file). A file or directory among ARGS replaces the suite's directory.
# The other suites take none.
#
# Suites that need a build bring it up to date first (the build scripts are incremental: a second
# run takes under a second): types and consumers need pkg/ (scripts/build-pkg.sh); e2e, js and
# browser need the Worker in build/ (scripts/build-worker.sh, after pkg/: the Worker bundles the
# console with the package's copy, so worker and dry-run need pkg/ too). So `scripts/test.sh e2e`
# works on its own in a fresh clone. In a full run the pkg and worker suites are those builds, so
# nothing is built twice.
# Every Worker a suite starts comes from scripts/wrangler-dev.mjs (the launcher `make run` uses).
set -uo pipefail
ORIG_PWD=$PWD
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false CARGO_TERM_COLOR=never NO_COLOR=1

SUITES=(native lint jstypes pkg worker dry-run types wasm e2e js consumers browser)
FAST_LANE=(native lint jstypes)

title() {
  case "$1" in
    native) echo "native tests (cargo test)" ;;
    lint) echo "lint (fmt + clippy, native and wasm)" ;;
    jstypes) echo "Worker JS types (tsc --checkJs, no build needed)" ;;
    pkg) echo "npm package (make pkg)" ;;
    worker) echo "Worker build (cargo, wasm-bindgen, wasm-opt)" ;;
    dry-run) echo "deploy bundle (wrangler deploy --dry-run)" ;;
    types) echo "package types (tsc --strict)" ;;
    wasm) echo "wasm-bindgen tests (Node and Chromium; the Worker's driver and answer frame in Node)" ;;
    e2e) echo "Worker end-to-end (wrangler dev + KV, real clients)" ;;
    js) echo "npm package in Node (consumer, corpus parity) and Huawei's Node SDK" ;;
    consumers) echo "package consumers (Worker, esbuild, Vite, webpack, attw)" ;;
    browser) echo "console in Chromium (playwright-core)" ;;
  esac
}
# What a suite needs built before it runs (brought up to date unless the full run built it). The
# Worker's build bundles the console with the package's copy (www/vendor/), so it needs pkg too.
needs() {
  case "$1" in
    worker | dry-run | types | consumers) echo pkg ;;
    e2e | js | browser) echo pkg worker ;;
  esac
}
# Whether a suite needs Chromium (scripts/setup.sh --browser).
needs_browser() { case "$1" in wasm | consumers | browser) return 0 ;; esac; return 1; }
known() { local s; for s in "${SUITES[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

list() {
  local s note
  for s in "${SUITES[@]}"; do
    note=""
    case " ${FAST_LANE[*]} " in *" $s "*) note=" [fast lane]" ;; esac
    [ -n "$(needs "$s")" ] && note="$note (builds $(needs "$s" | sed 's/ / and /') first)"
    printf '%-10s %s%s\n' "$s" "$(title "$s")" "$note"
  done
}

usage() { sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; }

# Arguments: suite names, then optionally `--` and the suite's own arguments.
selected=(); extra=(); have_extra=0
while [ $# -gt 0 ]; do
  case "$1" in
    --list) list; exit 0 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); have_extra=1; break ;;
    fast) selected+=("${FAST_LANE[@]}") ;;
    *)
      if known "$1"; then selected+=("$1")
      else echo "test.sh: no suite named '$1'; the suites (scripts/test.sh --list):" >&2; list >&2; exit 2; fi ;;
  esac
  shift
done
full=0
if [ ${#selected[@]} -eq 0 ]; then
  [ "$have_extra" = 1 ] && { echo "test.sh: arguments after -- need one suite named before them" >&2; exit 2; }
  full=1; selected=("${SUITES[@]}")
fi
if [ "$have_extra" = 1 ]; then
  if [ ${#selected[@]} -ne 1 ]; then
    echo "test.sh: arguments after -- go to one suite; ${#selected[@]} are named (${selected[*]})" >&2; exit 2
  fi
  case "${selected[0]}" in
    native | e2e | js | consumers | browser) ;;
    *) echo "test.sh: the ${selected[0]} suite takes no arguments" >&2; exit 2 ;;
  esac
fi

# Setup (idempotent; each step skipped when done): not for the native tests alone, which need only
# cargo; Chromium for the full run and for the suites that drive it.
setup_flags=(); need_setup=0
for s in "${selected[@]}"; do
  [ "$s" != native ] && need_setup=1
  if [ "$full" = 1 ] || needs_browser "$s"; then setup_flags=(--browser); fi
done
if [ "$need_setup" = 1 ]; then
  bash scripts/setup.sh "${setup_flags[@]}" || { echo "setup failed"; exit 1; }
fi

# ARGS split into a runner's options (in their order) and paths, which replace its default one.
opts=(); paths=()
for a in ${extra[@]+"${extra[@]}"}; do
  p="${a%%::*}"
  if [ -n "$p" ] && [ "${a#-}" = "$a" ] && [ -e "$ORIG_PWD/$p" -o -e "$p" ]; then
    if [ "${a#/}" = "$a" ] && [ -e "$ORIG_PWD/$p" ]; then paths+=("$ORIG_PWD/$a"); else paths+=("$a"); fi
  else
    opts+=("$a")
  fi
done
runner_paths() { if [ ${#paths[@]} -gt 0 ]; then printf '%s\0' "${paths[@]}"; else printf '%s\0' "$1"; fi; }
node_suite() { # node_suite DIR: node --test on DIR's *.test.mjs, or on the paths given
  local dir="$1" p=(); mapfile -d '' p < <(runner_paths "$dir")
  if [ ${#paths[@]} -eq 0 ] && ! compgen -G "$dir/*.test.mjs" >/dev/null; then
    echo "no $dir/*.test.mjs: nothing to run"; return 0
  fi
  node --test --test-concurrency=1 ${opts[@]+"${opts[@]}"} "${p[@]}"
}

# Brings what a suite needs up to date (not in the full run: its pkg and worker suites did).
built=()
prepare() {
  local n
  [ "$full" = 1 ] && return 0
  for n in $(needs "$1"); do
    case " ${built[*]} " in *" $n "*) continue ;; esac
    echo "$1 needs $n: scripts/build-$n.sh (incremental: under a second when $n is up to date)"
    bash "scripts/build-$n.sh" || { echo "$1: scripts/build-$n.sh failed"; return 1; }
    built+=("$n")
  done
}

run_suite() {
  case "$1" in
    native) cargo test --all-targets ${opts[@]+"${opts[@]}"} ;;
    lint) make -s lint ;;
    jstypes) bash scripts/test-worker-types.sh ;;
    pkg) bash scripts/build-pkg.sh && built+=(pkg) ;;
    worker) bash scripts/build-worker.sh && built+=(worker) ;;
    dry-run) make -s dry-run ;;
    types) bash scripts/test-types.sh ;;
    wasm) bash scripts/test-wasm.sh ;;
    e2e)
      local p=(); mapfile -d '' p < <(runner_paths tests/e2e)
      .venv/bin/python -m pytest -q -p no:cacheprovider ${opts[@]+"${opts[@]}"} "${p[@]}" ;;
    js) node_suite tests/js ;;
    consumers) node_suite tests/consumers ;;
    browser) node_suite tests/browser ;;
  esac
}

passed=0; failed=0; failures=()
step() {
  local name="$1" label
  label="$(title "$name")"
  printf '\n\033[1m==> %s: %s\033[0m\n' "$name" "$label"
  local t0=$SECONDS
  if prepare "$name" && run_suite "$name"; then passed=$((passed + 1)); echo "--> $name: ok ($((SECONDS - t0)) s)"
  else failed=$((failed + 1)); failures+=("$name"); echo "--> $name: FAILED ($((SECONDS - t0)) s)"; fi
}

if [ "$full" = 1 ]; then
  printf '\n\033[1mfast lane: %s\033[0m\n' "${FAST_LANE[*]}"
  for s in "${FAST_LANE[@]}"; do step "$s"; done
  printf '\n\033[1mthe builds (pkg, worker) and the other suites\033[0m\n'
  for s in "${SUITES[@]}"; do
    case " ${FAST_LANE[*]} " in *" $s "*) continue ;; esac
    # As before: a suite whose tests are not there yet is left out of the full run.
    case "$s" in
      wasm) [ -x scripts/test-wasm.sh ] || continue ;;
      js | consumers | browser) compgen -G "tests/$s/*.test.mjs" >/dev/null || continue ;;
    esac
    step "$s"
  done
else
  for s in "${selected[@]}"; do step "$s"; done
fi

echo
if [ "$failed" -gt 0 ]; then
  printf 'failed suites: %s (run one again: scripts/test.sh %s)\n' "${failures[*]}" "${failures[0]}"
fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
