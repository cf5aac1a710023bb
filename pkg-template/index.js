// deploy-edge: the entry for browsers and bundlers (Node uses node.js, which initialises itself).
// Call `await init()` once before anything else. wasm-bindgen's generated module is deploy_edge.js.
import wasmInit, {
  initSync as wasmInitSync,
  validate as wasmValidate,
  buildRequest as wasmBuildRequest,
  signRequest as wasmSignRequest,
  kinds as wasmKinds,
  inputBuffer as wasmInputBuffer,
  moduleMemory as wasmModuleMemory,
  validateInput as wasmValidateInput,
  outputTable as wasmOutputTable,
  rules as wasmRules,
} from './deploy_edge.js';

/** The package version (the crate's version). */
export const version = '@VERSION@';

let ready = false;
let pending;

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

function onNode() {
  return typeof process === 'object' && process !== null && !!(process.versions && process.versions.node);
}

async function loadInNode() {
  // Hidden from bundlers: this branch only runs in Node, Deno or Bun, never in a browser bundle.
  const fsName = 'node:fs/promises';
  const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ fsName);
  return readFile(new URL('./deploy_edge_bg.wasm', import.meta.url));
}

// What a default init() that failed says: the .wasm was not next to the module, which is what a
// bundler that does not follow `new URL('…', import.meta.url)` (esbuild) or a non-module bundle
// (no import.meta.url) leads to.
const NOT_FOUND = 'deploy-edge could not load deploy_edge_bg.wasm from next to its module: serve that file next '
  + 'to the module or bundle (esbuild: copy node_modules/deploy-edge/deploy_edge_bg.wasm to the output directory '
  + "and build an ES module) or pass init() its URL; in a Cloudflare Worker, import 'deploy-edge' itself (its "
  + "workerd entry needs no init). See the package's README";

/**
 * Loads the WebAssembly module. Idempotent. Without an argument it fetches deploy_edge_bg.wasm next
 * to this file (browsers, bundlers) or reads it from disk (Node, Deno, Bun). Also accepts what
 * wasm-bindgen's init accepts: a URL, a Response, bytes, a WebAssembly.Module, or
 * `{ module_or_path }`.
 */
export default async function init(source) {
  if (ready) return;
  if (!pending) {
    pending = (async () => {
      let input = source;
      try {
        if (input === undefined && onNode()) input = await loadInNode();
        await wasmInit(input === undefined || isPlainObject(input) ? input : { module_or_path: input });
      } catch (e) {
        if (source !== undefined) throw e;
        throw new Error(`${NOT_FOUND} (${e && e.message ? e.message : e})`, { cause: e });
      }
      ready = true;
    })();
    pending.catch(() => { pending = undefined; });
  }
  return pending;
}

/** Loads the module synchronously from bytes or a WebAssembly.Module (or `{ module }`). */
export function initSync(source) {
  if (ready) return;
  wasmInitSync(isPlainObject(source) ? source : { module: source });
  ready = true;
}

function check() {
  if (!ready) {
    throw new Error("deploy-edge is not initialised: call `await init()` (the package's default export) first");
  }
}

// Above this many UTF-16 units, text goes into wasm as TextEncoder bytes: wasm-bindgen copies
// strings with a per-character loop, which costs more than encoding natively once texts are long.
const LONG_TEXT = 2048;
const encoder = new TextEncoder();

// Text goes into wasm through one buffer in the module's memory, written by encodeInto: no
// allocation and no per-character copy per call. Kinds go in as their index in kinds().
let kindIds;
let input; // a Uint8Array over the buffer (made again when the memory grows, which detaches it)
let inputAt = 0;
let inputCap = 0;

function validateText(kind, text) {
  kindIds ??= new Map(wasmKinds().map((k, i) => [k, i]));
  const id = kindIds.get(kind);
  if (id === undefined) return verdict(wasmValidate(kind, text)); // throws, naming the known kinds
  const need = text.length * 3; // UTF-8 of a UTF-16 text is at most 3 bytes per unit
  if (need > inputCap) {
    inputCap = Math.max(need, 4096);
    inputAt = wasmInputBuffer(inputCap);
    input = undefined;
  }
  if (input === undefined || input.byteLength === 0) {
    input = new Uint8Array(wasmModuleMemory().buffer, inputAt, inputCap);
  }
  const { written } = encoder.encodeInto(text, input);
  return verdict(wasmValidateInput(id, written));
}

const decoder = new TextDecoder();
let memory;

// A verdict from wasm (src/wasm.rs `answer`): 0 is the common one, valid without warnings, written
// here; any other number is the length of the table the module wrote (`Output`), whose strings
// are cut from one text decoded once.
function verdict(length) {
  if (length === 0) return { valid: true, errors: [], warnings: [] };
  memory ??= wasmModuleMemory();
  const table = new Float64Array(memory.buffer, wasmOutputTable(), length);
  const reader = { table, text: decoder.decode(new Uint8Array(memory.buffer, table[0], table[1])), t: 5, at: 0 };
  const valid = table[2] === 1;
  const errors = readItems(reader, table[3]);
  return { valid, errors, warnings: readItems(reader, table[4]) };
}

function readString(r) {
  const start = r.at;
  r.at += r.table[r.t++];
  return r.text.slice(start, r.at);
}

function readItems(r, count) {
  const list = [];
  for (let i = 0; i < count; i++) {
    const path = readString(r);
    const code = readString(r);
    const item = { path, code, message: readString(r) };
    const paramCount = r.table[r.t++];
    if (paramCount > 0) {
      const params = {};
      for (let p = 0; p < paramCount; p++) {
        const name = readString(r);
        const tag = r.table[r.t++];
        if (tag === 0) params[name] = readString(r);
        else if (tag === 1) params[name] = r.table[r.t++];
        else {
          const values = [];
          for (let v = r.table[r.t++]; v > 0; v--) values.push(readString(r));
          params[name] = values;
        }
      }
      item.params = params;
    }
    list.push(item);
  }
  return list;
}

export function validate(kind, payload) {
  check();
  if (typeof payload === 'object' && payload !== null && !ArrayBuffer.isView(payload)
    && !(payload instanceof ArrayBuffer)) {
    let text;
    try {
      text = JSON.stringify(payload);
    } catch {
      return verdict(wasmValidate(kind, payload)); // reported there as invalid_json
    }
    payload = text;
  }
  if (typeof payload === 'string' && payload.length <= LONG_TEXT) return validateText(kind, payload);
  if (typeof payload === 'string') payload = encoder.encode(payload);
  return verdict(wasmValidate(kind, payload));
}

/** True when `value`, as JSON (what fetch would send), is a valid `kind` payload. */
export function isValid(kind, value) {
  check();
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    return validate(kind, value).valid; // reported there as invalid_json
  }
  return validate(kind, text).valid;
}

export function buildRequest(kind, input) {
  check();
  try {
    return wasmBuildRequest(kind, input);
  } catch (e) {
    if (typeof e?.verdict === 'number') { // invalid input: the errors and warnings, decoded
      const { errors, warnings } = verdict(e.verdict);
      delete e.verdict;
      e.errors = errors;
      e.warnings = warnings;
    }
    throw e;
  }
}

export function signRequest(request, credentials) {
  check();
  return wasmSignRequest(request, credentials);
}

export function kinds() {
  check();
  return wasmKinds();
}

function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

let frozenRules;

/** The enums and limits validation applies, and each kind's request: one frozen object. */
export function rules() {
  check();
  frozenRules ??= deepFreeze(wasmRules());
  return frozenRules;
}
