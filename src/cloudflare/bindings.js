// The Worker's bindings as the Rust edge calls them (kv.rs, object.rs, mod.rs): one call across the wasm
// boundary per operation. What comes back crosses as bytes (copied into wasm memory at once;
// a string would be encoded there character by character): a value as stored, anything
// structured as one UTF-8 JSON document.
//
// This module imports nothing of the platform's ('cloudflare:workers'): what it needs of it
// (`waitUntil`) worker.js hands to the core (`configure`), which passes it in. So the module
// loads outside workerd too: the driver's wasm-bindgen tests load it in Node.

const utf8 = new TextEncoder();

/** One value's bytes (an ArrayBuffer), or null. */
export function kvGet(kv, key) {
  return kv.get(key, 'arrayBuffer');
}

/** Up to 100 values in one bulk read: a JSON array of text-or-null in the order of `keys` (JSON). */
export async function kvGetMany(kv, keys) {
  const names = JSON.parse(keys);
  const found = await kv.get(names, 'text');
  return utf8.encode(JSON.stringify(names.map((k) => found.get(k) ?? null)));
}

/** Writes a value, with metadata given as JSON (or undefined). */
export function kvPut(kv, key, value, metadata) {
  return kv.put(key, value, metadata === undefined ? {} : { metadata: JSON.parse(metadata) });
}

export function kvDelete(kv, key) {
  return kv.delete(key);
}

/** One page of keys under `prefix`: KV's list result as JSON ({keys: [{name, metadata}], list_complete, cursor}). */
export async function kvList(kv, prefix, cursor, limit) {
  const options = { prefix, limit };
  if (cursor !== undefined) options.cursor = cursor;
  return utf8.encode(JSON.stringify(await kv.list(options)));
}

/** The object of `project` (ProjectWrites, worker.js) in the namespace `objects`. */
export function objectOf(objects, project) {
  return objects.get(objects.idFromName(project));
}

/**
 * Tells `project`'s object that a server's agent polled, after the poll is answered.
 * `waitUntil` is the platform's (`configure` in mod.rs keeps it).
 */
export function sendContact(waitUntil, objects, project, serverRef, ms) {
  waitUntil(objectOf(objects, project).contact(project, serverRef, ms).catch((e) => {
    console.error(JSON.stringify({ level: 'error', cause: `contact not sent: ${e}` }));
  }));
}

/**
 * Runs `statements` (each `[query, ...params]`) on a project object's SQLite as one transaction:
 * all of them, or none if one throws. The rows they read and wrote, `[read, written]`.
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
    return [read, written];
  });
}

/** Sets the object's alarm (a storage write: the output gate holds the answer until it is durable). */
export function setAlarm(storage, atMs) {
  storage.setAlarm(atMs).catch((e) => {
    console.error(JSON.stringify({ level: 'error', cause: `alarm not set: ${e}` }));
  });
}
