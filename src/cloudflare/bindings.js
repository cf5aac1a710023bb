// The Worker's bindings as the Rust edge calls them (kv.rs, writes.rs): one call across the wasm
// boundary per operation. What comes back crosses as bytes (copied into wasm memory at once;
// a string would be encoded there character by character): a value as stored, anything
// structured as one UTF-8 JSON document.

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

/** Has the project's Durable Object (ProjectWrites, worker.js) answer a checked write, over RPC. */
export function projectWrite(namespace, scope, method, url, headers, body) {
  return namespace.get(namespace.idFromName(scope)).answer(method, url, headers, body);
}
