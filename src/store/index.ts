// Opening the store `--db` names: nothing (`off`), memory (`:memory:`), or an SQLite file.
import fs from 'node:fs';
import path from 'node:path';
import { MemoryStore } from './memory.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export { MemoryStore } from './memory.js';
export * from './types.js';

export interface OpenOptions {
  /** Create the file's folder if missing (the default data directory). */
  createDir?: boolean;
  /** fsync every commit (`--db-fsync`). */
  fsync?: boolean;
}

/** The store for `--db WHERE`; null for `off`. Throws StoreOpenError with a one-line reason. */
export function openStore(where: string, options: OpenOptions = {}): Store | null {
  if (where === 'off') return null;
  if (where === ':memory:') return new MemoryStore();
  if (options.createDir === true) fs.mkdirSync(path.dirname(where), { recursive: true });
  return openSqliteStore(where, { fsync: options.fsync });
}
