// The pipe store's memory of which accounts exist: a lookup of a name that is no account (every registration's reservation check, a message to an unknown nick) is answered at once instead of waiting behind the writer's backlog.
//
// Only the server writes the SQLite file while it runs (the file is locked), and only through
// this store, so the set loaded at open plus the keys it creates or replaces since is the whole
// truth. A key whose create() is still on its way counts as maybe-there: its lookups go to the
// writer, which answers them in order after the create.
import type { AccountRecord, AccountStore } from './types.js';

/** `inner` with get() answering null, without asking it, for a key that names no account. */
export function knownAccounts(inner: AccountStore, keys: Iterable<string>): AccountStore {
  const known = new Set(keys);
  /** Keys with a create() or update() not yet answered, and how many. */
  const pending = new Map<string, number>();
  const track = <T>(key: string, work: Promise<T>, made: (value: T) => boolean): Promise<T> => {
    pending.set(key, (pending.get(key) ?? 0) + 1);
    const done = (value: T | null): void => {
      if (value !== null && made(value)) known.add(key);
      const left = pending.get(key)! - 1;
      if (left === 0) pending.delete(key);
      else pending.set(key, left);
    };
    work.then(done, () => done(null));
    return work;
  };
  /** create() and update() through track(), unless given no record at all (the store refuses it). */
  const tracked =
    <T>(write: (record: AccountRecord) => Promise<T>, made: (value: T) => boolean) =>
    (record: AccountRecord): Promise<T> =>
      typeof record?.key === 'string' ? track(record.key, write(record), made) : write(record);
  return {
    get: (key) => (known.has(key) || pending.has(key) ? inner.get(key) : Promise.resolve(null)),
    create: tracked(
      (record) => inner.create(record),
      (made) => made,
    ),
    // update() writes the whole record, so it too leaves the account in the file.
    update: tracked(
      (record) => inner.update(record),
      () => true,
    ),
    takeInbox: (key) => inner.takeInbox(key),
    addToInbox: (key, msgid) => inner.addToInbox(key, msgid),
    readMarker: (key, conversation) => inner.readMarker(key, conversation),
    readMarkers: (key) => inner.readMarkers(key),
    setReadMarker: (key, conversation, time) => inner.setReadMarker(key, conversation, time),
  };
}
