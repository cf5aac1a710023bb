// Loads the deploy-edge package from vendor/deploy-edge/ (scripts/build-pkg.sh), its entry from its
// package.json. index.html preloads all of it with the page, so these requests take the preloads.

const BASE = new URL('../vendor/deploy-edge/', import.meta.url);
let loading = null;
let mod = null;

/** Loads and initialises the package once; resolves to the module, rejects if it is missing. */
export function loadValidator() {
  loading ??= (async () => {
    // The preloaded .wasm (same URL, mode and credentials as the <link rel=preload>).
    const wasm = fetch(new URL('deploy_edge_bg.wasm', BASE));
    wasm.catch(() => {});
    let entry = 'index.js';
    try {
      const res = await fetch(new URL('package.json', BASE));
      if (res.ok) {
        const pkg = await res.json();
        entry = pkg.browser || pkg.module || pkg.main || entry;
      }
    } catch {
      // fall back to the package's usual entry
    }
    const m = await import(new URL(entry, BASE).href);
    // The default export instantiates the .wasm from the response it is given.
    if (typeof m.default === 'function') await m.default(wasm);
    mod = m;
    return m;
  })();
  return loading;
}

export const ready = () => mod !== null;

export function version() {
  if (!mod) return '';
  return typeof mod.version === 'function' ? mod.version() : String(mod.version ?? '');
}

/** The package's `rules()` (enums, limits) for selects and hints; null until it is loaded. */
export function rules() {
  return mod && typeof mod.rules === 'function' ? mod.rules() : null;
}

/** `{valid, errors: [{path, code, message, params}], warnings}`, once loaded. */
export function validate(kind, payload) {
  return mod.validate(kind, payload);
}

/** `{method, path, headers, body}` for a kind; throws an Error with `.errors` when invalid. */
export function buildRequest(kind, input) {
  if (!mod) throw new Error('The validator is not loaded yet');
  return mod.buildRequest(kind, input);
}
