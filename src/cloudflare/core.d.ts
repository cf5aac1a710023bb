// What worker.js imports of the wasm-bindgen glue, build/core.js: generated from the crate's
// `worker` feature (src/cloudflare/*.rs) by scripts/build-worker.sh, so it exists only after a
// build. Declared here so that `tsc --checkJs` (scripts/test-worker-types.sh) checks worker.js
// without one. A name declared here that the glue lacks fails the Worker's load (tests/js/
// worker.test.mjs imports the built worker.js; wrangler's bundling refuses it too).

import type { ProjectWrites } from './worker.js';

/**
 * What a call of the core gives while it runs under the driver (driver.rs `drive`): its answer
 * `T` when it could answer at once; the ticket (a number) of an answer stopped at a platform
 * promise, which worker.js awaits (`awaited`) and hands back (`resume`); or a promise of its
 * answer when it waits on anything else.
 */
export type Driven<T> = T | number | Promise<T>;

/** Instantiates the core from its compiled module (the bundle's `core_bg.wasm`). */
export function initSync(module: { module: WebAssembly.Module }): unknown;

/**
 * Replaces the instance with a new one (`wasm-bindgen --experimental-reset-state-function`):
 * everything the old one held is gone (its tickets, objects, caches, the bindings `configure` set).
 */
export function __wbg_reset_state(): void;

/** The largest body the core reads (bytes). */
export function maxBodyBytes(): number;

/**
 * Sets the bindings `answer` works with, once per instance: `env` (for the settings), its KV
 * namespace, the project objects' namespace and the platform's `waitUntil`.
 */
export function configure(
  env: object,
  kv: KVNamespace | undefined,
  objects: DurableObjectNamespace<ProjectWrites> | undefined,
  waitUntil: (promise: Promise<unknown>) => void,
): void;

/**
 * Answers one request: its Answer (bytes, unpacked by answer.js), or the id of the project whose
 * object answers it (a string).
 */
export function answer(
  method: string,
  url: string,
  headers: string,
  body: Uint8Array | undefined,
): Driven<Uint8Array | string>;

/** The answer (a 500) to a request whose project's object could not be reached. */
export function unreachable(method: string, url: string, cause: string): Uint8Array;

/** The promise the answer with this ticket waits on (once; undefined for an unknown ticket). */
export function awaited(ticket: number): Promise<unknown> | undefined;

/**
 * Hands the answer with this ticket its promise's outcome and runs it on: what the call that
 * handed out the ticket gives (see `Driven`); undefined for an unknown ticket.
 */
export function resume(ticket: number, value: unknown, rejected: boolean): unknown;

/**
 * Tests only: with FAULT_INJECTION = "on" in `env`, panics in the middle of an answer (the
 * instance traps); otherwise answers undefined.
 */
export function trapForTests(env: object): Driven<undefined>;

/** A project's object as its Durable Object (ProjectWrites in worker.js) holds it. */
export class ProjectWriter {
  constructor(ctx: DurableObjectState, env: object, kv: KVNamespace | undefined);
  free(): void;
  answer(
    project: string,
    method: string,
    url: string,
    headers: string,
    body: Uint8Array | undefined,
  ): Driven<Uint8Array>;
  contact(project: string, serverRef: string, ms: number): Driven<undefined>;
  alarm(): Driven<boolean>;
  injectKvWriteFailures(fail: boolean): boolean;
}

declare global {
  /**
   * The `worker` crate's state (its start function makes it): its panic hook sets `criticalError`
   * when the instance traps.
   */
  var __worker_init_state: { criticalError: boolean; instanceId: number } | undefined;
}
