// Module hooks (node:module `register`) that load the built Worker (build/worker.js) in Node as
// wrangler bundles it for workerd: 'cloudflare:workers' is ./cloudflare-workers.mjs; a file under
// build/www/ is Data (its bytes, an ArrayBuffer: wrangler.toml's rule); any other .wasm file is
// its compiled module (WebAssembly.Module).

const STUB = new URL('./cloudflare-workers.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'cloudflare:workers') return { url: STUB, shortCircuit: true };
  return next(specifier, context);
}

export async function load(url, context, next) {
  const read = `import { readFileSync } from 'node:fs';\nconst bytes = readFileSync(new URL(${JSON.stringify(url)}));\n`;
  if (url.startsWith('file:') && url.includes('/build/www/')) {
    const source = `${read}export default bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);\n`;
    return { format: 'module', source, shortCircuit: true };
  }
  if (url.startsWith('file:') && url.endsWith('.wasm')) {
    return { format: 'module', source: `${read}export default new WebAssembly.Module(bytes);\n`, shortCircuit: true };
  }
  return next(url, context);
}
