// 'cloudflare:workers' as tests/js/worker.test.mjs gives it to the built Worker in Node: what
// worker.js imports of it, nothing more. `waitUntil` keeps the promises it is given, for a test to
// settle.

/** What the Worker handed to `waitUntil`. */
export const waitedFor = [];

/** @param {Promise<unknown>} promise */
export function waitUntil(promise) {
  waitedFor.push(promise);
}

/** The base class of a Durable Object: it keeps its state and the Worker's env. */
export class DurableObject {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}
