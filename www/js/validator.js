// Loads the deploy-edge package (the Worker's own validation rules, compiled to wasm) from
// vendor/deploy-edge/, which `bash scripts/build-pkg.sh` fills. The entry point is read from the
// package's package.json, so the console follows the package rather than guessing its layout.

const BASE = new URL('../vendor/deploy-edge/', import.meta.url);
let loading = null;
let mod = null;

/** Loads and initialises the package once; resolves to the module, rejects if it is missing. */
export function loadValidator() {
  loading ??= (async () => {
    let entry = 'deploy_edge.js';
    try {
      const res = await fetch(new URL('package.json', BASE));
      if (res.ok) {
        const pkg = await res.json();
        entry = pkg.browser || pkg.module || pkg.main || entry;
      }
    } catch {
      // fall back to wasm-bindgen's default file name
    }
    const m = await import(new URL(entry, BASE).href);
    // wasm-bindgen --target web: the default export fetches and instantiates the .wasm.
    if (typeof m.default === 'function') await m.default();
    mod = m;
    return m;
  })();
  return loading;
}

/** True once the package is ready. */
export const ready = () => mod !== null;

/** The package version, for the footer. */
export function version() {
  if (!mod) return '';
  return typeof mod.version === 'function' ? mod.version() : String(mod.version ?? '');
}

/**
 * The enums and limits validation applies, and each kind's request (the package's `rules()`), from
 * which the views build their select options and hints; null while the package is not loaded (the
 * forms are blocked then anyway).
 */
export function rules() {
  return mod && typeof mod.rules === 'function' ? mod.rules() : null;
}

/**
 * Checks a payload: `{valid, errors: [{path, code, message, params}], warnings}`.
 * Only call after loadValidator() resolved.
 */
export function validate(kind, payload) {
  return mod.validate(kind, payload);
}

/**
 * The request for a kind: `{method, path, headers, body}`. `input` holds the path parameters
 * (project_id, id, app_id) and the body; throws an Error with `.errors` when the body is invalid.
 */
export function buildRequest(kind, input) {
  return mod.buildRequest(kind, input);
}
