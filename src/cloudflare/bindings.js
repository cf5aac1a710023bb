// @ts-check
// The Worker's bindings as the Rust edge calls them (kv.rs, object.rs, mod.rs): one call across the wasm
// boundary per operation. What comes back crosses as bytes (copied into wasm memory at once;
// a string would be encoded there character by character): a value as stored, anything
// structured as one UTF-8 JSON document.
//
// This module imports nothing of the platform's ('cloudflare:workers'): what it needs of it
// (`waitUntil`) worker.js hands to the core (`configure`), which passes it in. So the module
// loads outside workerd too: the driver's wasm-bindgen tests load it in Node.

/** @typedef {import('./worker.js').ProjectWrites} ProjectWrites */
/** @typedef {DurableObjectNamespace<ProjectWrites>} ProjectObjects */
/** A statement for `applyStatements`: its SQL, then its parameters. */
/** @typedef {[query: string, ...params: SqlStorageValue[]]} Statement */

const utf8 = new TextEncoder();

/**
 * One value's bytes (an ArrayBuffer), or null.
 * @param {KVNamespace} kv
 * @param {string} key
 * @returns {Promise<ArrayBuffer | null>}
 */
export function kvGet(kv, key) {
  return kv.get(key, 'arrayBuffer');
}

/**
 * Up to 100 values in one bulk read: a JSON array of text-or-null in the order of `keys` (JSON).
 * @param {KVNamespace} kv
 * @param {string} keys a JSON array of the keys
 * @returns {Promise<Uint8Array>}
 */
export async function kvGetMany(kv, keys) {
  /** @type {string[]} */
  const names = JSON.parse(keys);
  const found = await kv.get(names, 'text');
  return utf8.encode(JSON.stringify(names.map((k) => found.get(k) ?? null)));
}

/**
 * Writes a value, with metadata given as JSON (or undefined).
 * @param {KVNamespace} kv
 * @param {string} key
 * @param {string} value
 * @param {string | undefined} metadata
 * @returns {Promise<void>}
 */
export function kvPut(kv, key, value, metadata) {
  return kv.put(key, value, metadata === undefined ? {} : { metadata: JSON.parse(metadata) });
}

/**
 * @param {KVNamespace} kv
 * @param {string} key
 * @returns {Promise<void>}
 */
export function kvDelete(kv, key) {
  return kv.delete(key);
}

/**
 * One page of keys under `prefix`: KV's list result as JSON ({keys: [{name, metadata}], list_complete, cursor}).
 * @param {KVNamespace} kv
 * @param {string} prefix
 * @param {string | undefined} cursor
 * @param {number} limit
 * @returns {Promise<Uint8Array>}
 */
export async function kvList(kv, prefix, cursor, limit) {
  /** @type {KVNamespaceListOptions} */
  const options = { prefix, limit };
  if (cursor !== undefined) options.cursor = cursor;
  return utf8.encode(JSON.stringify(await kv.list(options)));
}

/**
 * The object of `project` (ProjectWrites, worker.js) in the namespace `objects`.
 * @param {ProjectObjects} objects
 * @param {string} project
 */
export function objectOf(objects, project) {
  return objects.get(objects.idFromName(project));
}

/**
 * Tells `project`'s object that a server's agent polled, after the poll is answered.
 * `waitUntil` is the platform's (`configure` in mod.rs keeps it).
 * @param {(promise: Promise<unknown>) => void} waitUntil
 * @param {ProjectObjects} objects
 * @param {string} project
 * @param {string} serverRef
 * @param {number} ms
 */
export function sendContact(waitUntil, objects, project, serverRef, ms) {
  waitUntil(objectOf(objects, project).contact(project, serverRef, ms).catch((e) => {
    console.error(JSON.stringify({ level: 'error', cause: `contact not sent: ${e}` }));
  }));
}

/**
 * Runs `statements` (each `[query, ...params]`) on a project object's SQLite as one transaction:
 * all of them, or none if one throws. The rows they read and wrote, `[read, written]`.
 * @param {DurableObjectStorage} storage
 * @param {Statement[]} statements
 * @returns {[read: number, written: number]}
 */
export function applyStatements(storage, statements) {
  return storage.transactionSync(() => {
    let read = 0, written = 0;
    for (const [query, ...params] of statements) {
      const cursor = storage.sql.exec(query, ...params);
      for (const _ of cursor.raw()) { /* statements here return no rows */ }
      read += cursor.rowsRead;
      written += cursor.rowsWritten;
    }
    return /** @type {[number, number]} */ ([read, written]);
  });
}

/**
 * Sets the object's alarm (a storage write: the output gate holds the answer until it is durable).
 * @param {DurableObjectStorage} storage
 * @param {number} atMs
 */
export function setAlarm(storage, atMs) {
  storage.setAlarm(atMs).catch((e) => {
    console.error(JSON.stringify({ level: 'error', cause: `alarm not set: ${e}` }));
  });
}
