// @ts-check
// The core's Answer as it crosses the wasm boundary (`Answer` in mod.rs): one byte array of the
// status (2 bytes, big-endian), the length of the header lines (4 bytes, big-endian), the
// headers as `name\nvalue\n` lines (UTF-8), then the body. worker.js unpacks every answer with
// `unpack`; the wasm-bindgen tests in driver.rs check the Rust's frame against it.

/**
 * An answer unpacked: the form a Response is built from (`respond` in worker.js) and the one a
 * project's object answers over RPC.
 * @typedef {object} Unpacked
 * @property {number} status
 * @property {string} headers `name\nvalue\n` lines
 * @property {Uint8Array | undefined} body none when the answer has no body
 */

const utf8 = new TextDecoder();

/**
 * The core's Answer (bytes: status, header lines' length, header lines, body) unpacked.
 * @param {Uint8Array} wire
 * @returns {Unpacked}
 */
export function unpack(wire) {
  const status = (wire[0] << 8) | wire[1];
  const end = 6 + ((wire[2] << 24) | (wire[3] << 16) | (wire[4] << 8) | wire[5]);
  return { status, headers: utf8.decode(wire.subarray(6, end)), body: end < wire.length ? wire.subarray(end) : undefined };
}
