// @ts-check
// The console (www/) as the Worker serves it: its files are modules of the bundle
// (build/console-files.js, made by scripts/console-files.mjs), so API requests reach the Worker
// with no static-asset router in front of them (under wrangler dev that hop cost about 120 µs of
// CPU per request: bench/README.md).
import { CONSOLE_FILES } from './console-files.js';

/**
 * Every console file's headers. It keeps a project token in sessionStorage: nothing but its own
 * files may run, and no other site may frame it. 'wasm-unsafe-eval' lets the validator compile
 * its WebAssembly. Files are revalidated on each load (the ETag is a digest of the content).
 */
const HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'public, max-age=0, must-revalidate',
};

/**
 * The path of a request URL (`scheme://host/path?query`), without its query.
 * @param {string} url
 */
function pathOf(url) {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return url.slice(start, query < 0 ? undefined : query);
}

/**
 * Does an If-None-Match header name this ETag (or `*`)? Weak validators compare equal.
 * @param {string} ifNoneMatch
 * @param {string} etag
 */
function matches(ifNoneMatch, etag) {
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * The console file a GET or HEAD asks for, as a Response; undefined for any other request.
 * @param {string} method
 * @param {string} url
 * @param {Headers} headers the request's
 * @returns {Response | undefined}
 */
export function consoleResponse(method, url, headers) {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const file = CONSOLE_FILES.get(pathOf(url));
  if (file === undefined) return undefined;
  const sent = { ...HEADERS, etag: file.etag, 'content-type': file.type };
  const ifNoneMatch = headers.get('if-none-match');
  if (ifNoneMatch !== null && matches(ifNoneMatch, file.etag)) return new Response(null, { status: 304, headers: sent });
  return new Response(method === 'HEAD' ? null : file.body, { status: 200, headers: sent });
}
