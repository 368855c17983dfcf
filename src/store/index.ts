// Opening the store `--db` names: nothing (`off`), memory (`:memory:`), or an SQLite file.
import { MemoryStore } from './memory.js';
import type { Store } from './types.js';

export { MemoryStore } from './memory.js';
export * from './types.js';

/** The store for `--db WHERE`; null for `off`. Throws StoreOpenError with a one-line reason. */
export function openStore(where: string): Store | null {
  if (where === 'off') return null;
  if (where === ':memory:') return new MemoryStore();
  // The SQLite backend lands next (store branch); until then a file is kept in memory.
  return new MemoryStore();
}
