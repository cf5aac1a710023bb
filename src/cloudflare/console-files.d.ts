// build/console-files.js, written by scripts/console-files.mjs from www/ when the Worker is built.

/** A console file as the Worker serves it. */
export interface ConsoleFile {
  /** Its bytes (a module of the bundle, wrangler.toml's Data rule). */
  body: ArrayBuffer;
  /** Its media type. */
  type: string;
  /** A strong ETag: a digest of its content, quoted. */
  etag: string;
}

/** Request path (`/` and `/index.html` for the index) → its file. */
export const CONSOLE_FILES: Map<string, ConsoleFile>;
