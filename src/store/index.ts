// Opening the store `--db` names: nothing (`off`), memory (`:memory:`), a Redis (`redis://`, `rediss://`, `redis+sentinel://`), or an SQLite file kept by the history writer process.
import fs from 'node:fs';
import path from 'node:path';
import { MemoryStore } from './memory.js';
import { openPipeStore } from './pipe.js';
import { openRedisStore } from './redis.js';
import { isRedisUrl } from './redis-url.js';
import type { Store } from './types.js';

export { MemoryStore } from './memory.js';
export * from './types.js';

export interface OpenOptions {
  /** Create the file's folder if missing (the default data directory). */
  createDir?: boolean;
  /** fsync every commit (`--db-fsync`). */
  fsync?: boolean;
  /** A store with a writer process prints the chat log on stdout for the server (Store.console). */
  console?: boolean;
}

/** Whether `--db` names a Redis (shared by every node that names it) rather than a file. */
export { isRedisUrl };

/** The store for `--db WHERE`; null for `off`. Rejects with StoreOpenError and a one-line reason. */
export async function openStore(where: string, options: OpenOptions = {}): Promise<Store | null> {
  if (where === 'off') return null;
  if (where === ':memory:') return new MemoryStore();
  if (isRedisUrl(where)) return openRedisStore(where);
  if (options.createDir === true) fs.mkdirSync(path.dirname(where), { recursive: true });
  const consoleFd = options.console === true ? 1 : undefined;
  return openPipeStore(where, options.fsync === true, { consoleFd });
}
