// The in-memory store: everything the SQLite one keeps, gone at exit (`--db :memory:` and tests).
//
// It keeps the same group-commit rhythm as the file-backed store (appends become visible to
// queries and afterCommit() callbacks run once per event-loop turn), so code tested against it
// meets the same order of events in production.
import type {
  AccountRecord,
  AccountStore,
  Bound,
  ChannelRecord,
  ChannelStore,
  HistoryRecord,
  HistoryStore,
  Store,
  TargetRow,
} from './types.js';

/** Index of the first record strictly after `bound` in `list` (sorted by msgid); -1: msgid unknown. */
function indexAfter(list: readonly HistoryRecord[], bound: Bound): number {
  if ('msgid' in bound) {
    const at = list.findIndex((r) => r.msgid === bound.msgid);
    return at < 0 ? -1 : at + 1;
  }
  const at = list.findIndex((r) => r.time > bound.time);
  return at < 0 ? list.length : at;
}

/** Index one past the last record strictly before `bound`; -1: msgid unknown. */
function indexBefore(list: readonly HistoryRecord[], bound: Bound): number {
  if ('msgid' in bound) return list.findIndex((r) => r.msgid === bound.msgid);
  const at = list.findIndex((r) => r.time >= bound.time);
  return at < 0 ? list.length : at;
}

class MemoryHistory implements HistoryStore {
  private readonly byConversation = new Map<string, HistoryRecord[]>();
  private readonly byId = new Map<string, HistoryRecord>();
  private readonly redacted = new Set<string>();

  constructor(private readonly queue: (fn: () => void) => void) {}

  append(record: HistoryRecord): void {
    this.queue(() => {
      let list = this.byConversation.get(record.conversation);
      if (list === undefined) this.byConversation.set(record.conversation, (list = []));
      list.push(record);
      this.byId.set(record.msgid, record);
    });
  }

  private visible(conversation: string): HistoryRecord[] {
    const list = this.byConversation.get(conversation) ?? [];
    return this.redacted.size === 0 ? list : list.filter((r) => !this.redacted.has(r.msgid));
  }

  latest(conversation: string, after: Bound | null, limit: number): Promise<HistoryRecord[]> {
    const list = this.visible(conversation);
    const from = after === null ? 0 : indexAfter(list, after);
    if (from < 0) return Promise.resolve([]);
    return Promise.resolve(list.slice(Math.max(from, list.length - limit)));
  }

  before(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]> {
    const list = this.visible(conversation);
    const end = indexBefore(list, bound);
    return Promise.resolve(end < 0 ? [] : list.slice(Math.max(0, end - limit), end));
  }

  after(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]> {
    const list = this.visible(conversation);
    const start = indexAfter(list, bound);
    return Promise.resolve(start < 0 ? [] : list.slice(start, start + Math.max(0, limit)));
  }

  around(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]> {
    const list = this.visible(conversation);
    const mid = indexBefore(list, bound);
    if (mid < 0) return Promise.resolve([]);
    const start = Math.max(0, mid - Math.floor(limit / 2));
    return Promise.resolve(list.slice(start, start + limit));
  }

  between(conversation: string, a: Bound, b: Bound, limit: number): Promise<HistoryRecord[]> {
    const list = this.visible(conversation);
    const afterA = indexAfter(list, a);
    const afterB = indexAfter(list, b);
    if (afterA < 0 || afterB < 0) return Promise.resolve([]);
    if (afterA <= afterB) {
      const end = indexBefore(list, b);
      return Promise.resolve(list.slice(afterA, Math.min(end, afterA + limit)));
    }
    const end = indexBefore(list, a);
    const start = Math.max(afterB, end - limit);
    return Promise.resolve(start >= end ? [] : list.slice(start, end));
  }

  targets(
    channels: readonly string[],
    me: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<TargetRow[]> {
    const lo = Math.min(from, to);
    const hi = Math.max(from, to);
    const wanted = new Set(channels);
    const rows: TargetRow[] = [];
    for (const [conversation] of this.byConversation) {
      const space = conversation.indexOf(' ');
      const mine =
        space < 0
          ? wanted.has(conversation)
          : conversation.slice(0, space) === me || conversation.slice(space + 1) === me;
      if (!mine) continue;
      const list = this.visible(conversation);
      const latest = list[list.length - 1];
      if (latest !== undefined && latest.time > lo && latest.time < hi) {
        rows.push({ conversation, latest });
      }
    }
    rows.sort((x, y) => (x.latest.msgid < y.latest.msgid ? -1 : 1));
    return Promise.resolve(rows.slice(0, limit));
  }

  find(msgid: string): Promise<HistoryRecord | null> {
    return Promise.resolve(this.byId.get(msgid) ?? null);
  }

  /** One record by msgid, or null when it is not stored or redacted. */
  findVisible(msgid: string): HistoryRecord | null {
    return this.redacted.has(msgid) ? null : (this.byId.get(msgid) ?? null);
  }

  redact(msgid: string): void {
    this.queue(() => this.redacted.add(msgid));
  }

  prune(maxPerConversation: number, maxAgeMs: number, now: number): void {
    this.queue(() => {
      for (const [conversation, list] of this.byConversation) {
        let drop = Math.max(0, list.length - maxPerConversation);
        while (drop < list.length && now - list[drop].time > maxAgeMs) drop++;
        if (drop === 0) continue;
        for (const r of list.slice(0, drop)) {
          this.byId.delete(r.msgid);
          this.redacted.delete(r.msgid);
        }
        if (drop === list.length) this.byConversation.delete(conversation);
        else this.byConversation.set(conversation, list.slice(drop));
      }
    });
  }
}

class MemoryAccounts implements AccountStore {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly inboxes = new Map<string, string[]>();
  private readonly markers = new Map<string, number>();

  constructor(
    private readonly history: MemoryHistory,
    private readonly queue: (fn: () => void) => void,
  ) {}

  get(key: string): Promise<AccountRecord | null> {
    const a = this.accounts.get(key);
    return Promise.resolve(a === undefined ? null : { ...a });
  }

  create(record: AccountRecord): Promise<boolean> {
    if (this.accounts.has(record.key)) return Promise.resolve(false);
    this.accounts.set(record.key, { ...record });
    return Promise.resolve(true);
  }

  update(record: AccountRecord): Promise<void> {
    this.accounts.set(record.key, { ...record });
    return Promise.resolve();
  }

  takeInbox(key: string): Promise<HistoryRecord[]> {
    const ids = this.inboxes.get(key) ?? [];
    this.inboxes.delete(key);
    const found = ids.map((id) => this.history.findVisible(id));
    return Promise.resolve(found.filter((r): r is HistoryRecord => r !== null));
  }

  addToInbox(key: string, msgid: string): void {
    this.queue(() => {
      const list = this.inboxes.get(key);
      if (list === undefined) this.inboxes.set(key, [msgid]);
      else list.push(msgid);
    });
  }

  readMarker(key: string, conversation: string): Promise<number | null> {
    return Promise.resolve(this.markers.get(`${key}\n${conversation}`) ?? null);
  }

  readMarkers(key: string): Promise<[string, number][]> {
    const prefix = `${key}\n`;
    const mine: [string, number][] = [];
    for (const [k, time] of this.markers) {
      if (k.startsWith(prefix)) mine.push([k.slice(prefix.length), time]);
    }
    return Promise.resolve(mine);
  }

  setReadMarker(key: string, conversation: string, time: number): void {
    this.queue(() => this.markers.set(`${key}\n${conversation}`, time));
  }
}

class MemoryChannels implements ChannelStore {
  private readonly channels = new Map<string, ChannelRecord>();

  constructor(private readonly queue: (fn: () => void) => void) {}

  all(): Promise<ChannelRecord[]> {
    return Promise.resolve([...this.channels.values()].map((c) => structuredClone(c)));
  }

  put(record: ChannelRecord): void {
    const copy = structuredClone(record);
    this.queue(() => this.channels.set(copy.key, copy));
  }

  delete(key: string): void {
    this.queue(() => this.channels.delete(key));
  }
}

export class MemoryStore implements Store {
  readonly where = ':memory:';
  readonly history: MemoryHistory;
  readonly accounts: AccountStore;
  readonly channels: ChannelStore;
  onError: ((err: Error) => void) | null = null;
  private readonly meta = new Map<string, string>();
  private pending: (() => void)[] = [];
  private waiting: (() => void)[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  /**
   * `shared`: several servers of one process use this object, as nodes of a cluster use one
   * Redis store (the model test's cluster): a message is kept by its sender's node only.
   */
  constructor(readonly shared = false) {
    const queue = (fn: () => void): void => this.enqueue(fn);
    this.history = new MemoryHistory(queue);
    this.accounts = new MemoryAccounts(this.history, queue);
    this.channels = new MemoryChannels(queue);
  }

  private enqueue(fn: () => void): void {
    this.pending.push(fn);
    this.scheduled ??= setImmediate(() => this.commit());
  }

  flush(): void {
    if (this.pending.length > 0) this.commit();
  }

  /** Apply everything queued, then run the callbacks that waited for it. */
  private commit(): void {
    if (this.scheduled !== null) clearImmediate(this.scheduled);
    this.scheduled = null;
    const work = this.pending;
    const done = this.waiting;
    this.pending = [];
    this.waiting = [];
    for (const fn of work) fn();
    for (const fn of done) fn();
  }

  getMeta(name: string): Promise<string | null> {
    return Promise.resolve(this.meta.get(name) ?? null);
  }

  setMeta(name: string, value: string): void {
    this.enqueue(() => this.meta.set(name, value));
  }

  afterCommit(fn: () => void): void {
    if (this.pending.length === 0) fn();
    else this.waiting.push(fn);
  }

  close(): Promise<void> {
    this.commit();
    return Promise.resolve();
  }
}
