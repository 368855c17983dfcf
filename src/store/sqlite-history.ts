// The SQLite store's history: appends through the group commit, and the queries types.ts documents.
//
// Order: (time, seq), seq being the rowid given in append order. The server's time never goes
// backwards (stamp.ts), so this is acceptance order, msgid order, and one index on
// (conversation, time) — SQLite keeps the rowid at the end of every index entry — answers every
// query by a range scan, forwards or backwards, with no sort.
//
// A query range is given by two cuts: positions between rows, never equal to one. A row is inside
// when lo < (time, seq) < hi. A msgid bound cuts half a seq before or after its row; a time bound
// cuts before (seq 0) or after (seq MAX) every row of that millisecond.
import type Database from 'better-sqlite3';
import {
  recordRow,
  type Bound,
  type HistoryRecord,
  type HistoryStore,
  type RecordRow,
  type TargetRow,
} from './types.js';

/** A messages row as the insert binds it, in RECORD's order. */
export type InsertRow = RecordRow;

interface Cut {
  time: number;
  seq: number;
}

const MAX = Number.MAX_SAFE_INTEGER;
/** Conversations pruned per commit (see prune()). */
export const PRUNE_SLICE = 1000;
const FIRST: Cut = { time: -MAX, seq: 0 };
const LAST: Cut = { time: MAX, seq: MAX };

/** The columns of a HistoryRecord, named as its fields, so a row is a record as it is. */
const RECORD = 'msgid, time, conversation, target, source, account, command, tags, text';

const RANGE = `SELECT ${RECORD} FROM messages
  WHERE conversation = @conversation AND time BETWEEN @loTime AND @hiTime
    AND (time > @loTime OR seq > @loSeq) AND (time < @hiTime OR seq < @hiSeq) AND redacted = 0`;

interface RangeParams {
  conversation: string;
  loTime: number;
  loSeq: number;
  hiTime: number;
  hiSeq: number;
  limit: number;
}

function compare(x: Cut, y: Cut): number {
  return x.time !== y.time ? x.time - y.time : x.seq - y.seq;
}

/** Answer a read as a promise: a thrown SQLite error (a damaged page) becomes a rejection. */
export function answer<T>(read: () => T): Promise<T> {
  try {
    return Promise.resolve(read());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export class SqliteHistory implements HistoryStore {
  private readonly insert: Database.Statement<[InsertRow]>;
  private readonly insertConversation: Database.Statement<[string, string | null, string | null]>;
  private readonly position: Database.Statement<[string, string], Cut>;
  private readonly rangeAsc: Database.Statement<[RangeParams], HistoryRecord>;
  private readonly rangeDesc: Database.Statement<[RangeParams], HistoryRecord>;
  private readonly byId: Database.Statement<[string], HistoryRecord>;
  private readonly mine: Database.Statement<[string, string], { name: string }>;
  private readonly redactOne: Database.Statement<[string]>;
  private readonly conversations: Database.Statement<[], { name: string }>;
  private readonly nthNewest: Database.Statement<[string, number], Cut>;
  private readonly dropUpTo: Database.Statement<[{ name: string } & Cut]>;
  private readonly dropOlder: Database.Statement<[string, number]>;
  private readonly anyLeft: Database.Statement<[string], { one: number }>;
  private readonly forget: Database.Statement<[string]>;
  /**
   * Conversations that have their row in `conversations`, so an append skips that insert (a third
   * of its cost). Cleared by rolledBack(): a failed commit takes back the rows it added.
   */
  private readonly known = new Set<string>();

  constructor(
    db: Database.Database,
    private readonly queue: (work: (() => void) | InsertRow) => void,
  ) {
    this.insert = db.prepare<[InsertRow]>(
      // Positional, not named: binding by name costs about a third of an insert.
      `INSERT OR IGNORE INTO messages (${RECORD}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertConversation = db.prepare(
      'INSERT OR IGNORE INTO conversations (name, a, b) VALUES (?, ?, ?)',
    );
    this.position = db.prepare(
      'SELECT time, seq FROM messages WHERE msgid = ? AND conversation = ? AND redacted = 0',
    );
    this.rangeAsc = db.prepare(`${RANGE} ORDER BY time, seq LIMIT @limit`);
    this.rangeDesc = db.prepare(`${RANGE} ORDER BY time DESC, seq DESC LIMIT @limit`);
    this.byId = db.prepare(`SELECT ${RECORD} FROM messages WHERE msgid = ?`);
    this.mine = db.prepare(
      'SELECT name FROM conversations WHERE a = ? UNION SELECT name FROM conversations WHERE b = ?',
    );
    this.redactOne = db.prepare('UPDATE messages SET redacted = 1 WHERE msgid = ?');
    this.conversations = db.prepare('SELECT name FROM conversations');
    this.nthNewest = db.prepare(
      `SELECT time, seq FROM messages WHERE conversation = ?
       ORDER BY time DESC, seq DESC LIMIT 1 OFFSET ?`,
    );
    this.dropUpTo = db.prepare(
      `DELETE FROM messages
       WHERE conversation = @name AND time <= @time AND (time < @time OR seq <= @seq)`,
    );
    this.dropOlder = db.prepare('DELETE FROM messages WHERE conversation = ? AND time < ?');
    this.anyLeft = db.prepare('SELECT 1 AS one FROM messages WHERE conversation = ? LIMIT 1');
    this.forget = db.prepare('DELETE FROM conversations WHERE name = ?');
  }

  append(r: HistoryRecord): void {
    this.appendRow(recordRow(r));
  }

  /**
   * append() for a row already in insert order (the writer process parses straight into one). The
   * row itself is queued, not a closure over it: at 100,000+ appends a second, fewer objects.
   */
  appendRow(row: InsertRow): void {
    this.queue(row);
  }

  /** Insert a queued row: run by the store's commit, inside its transaction. */
  insertRow(row: InsertRow): void {
    this.insert.run(row);
    const conversation = row[2];
    if (this.known.has(conversation)) return;
    const space = conversation.indexOf(' ');
    const a = space < 0 ? null : conversation.slice(0, space);
    const b = space < 0 ? null : conversation.slice(space + 1);
    this.insertConversation.run(conversation, a, b);
    this.known.add(conversation);
  }

  /** The commit that ran the queued work failed and was rolled back. */
  rolledBack(): void {
    this.known.clear();
  }

  /** Rows strictly between two cuts: the first `limit` from `lo`, or the last `limit` before `hi`. */
  private range(conversation: string, lo: Cut, hi: Cut, limit: number, fromHi = false) {
    const params: RangeParams = {
      conversation,
      loTime: lo.time,
      loSeq: lo.seq,
      hiTime: hi.time,
      hiSeq: hi.seq,
      limit: Math.max(0, Math.floor(limit)),
    };
    return fromHi ? this.rangeDesc.all(params).reverse() : this.rangeAsc.all(params);
  }

  /** The cut just after `bound`, or null for a msgid that is not a visible row of `conversation`. */
  private cutAfter(conversation: string, bound: Bound): Cut | null {
    if (!('msgid' in bound)) return { time: bound.time, seq: MAX };
    const at = this.position.get(bound.msgid, conversation);
    return at === undefined ? null : { time: at.time, seq: at.seq + 0.5 };
  }

  /** The cut just before `bound`, or null as for cutAfter(). */
  private cutBefore(conversation: string, bound: Bound): Cut | null {
    if (!('msgid' in bound)) return { time: bound.time, seq: 0 };
    const at = this.position.get(bound.msgid, conversation);
    return at === undefined ? null : { time: at.time, seq: at.seq - 0.5 };
  }

  latest(conversation: string, after: Bound | null, limit: number): Promise<HistoryRecord[]> {
    return answer(() => {
      const lo = after === null ? FIRST : this.cutAfter(conversation, after);
      return lo === null ? [] : this.range(conversation, lo, LAST, limit, true);
    });
  }

  before(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]> {
    return answer(() => {
      const hi = this.cutBefore(conversation, bound);
      return hi === null ? [] : this.range(conversation, FIRST, hi, limit, true);
    });
  }

  after(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]> {
    return answer(() => {
      const lo = this.cutAfter(conversation, bound);
      return lo === null ? [] : this.range(conversation, lo, LAST, limit);
    });
  }

  around(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]> {
    return answer(() => {
      const mid = this.cutBefore(conversation, bound);
      if (mid === null) return [];
      const earlier = this.range(conversation, FIRST, mid, Math.floor(limit / 2), true);
      return earlier.concat(this.range(conversation, mid, LAST, limit - earlier.length));
    });
  }

  between(conversation: string, a: Bound, b: Bound, limit: number): Promise<HistoryRecord[]> {
    return answer(() => {
      const afterA = this.cutAfter(conversation, a);
      const afterB = this.cutAfter(conversation, b);
      if (afterA === null || afterB === null) return [];
      if (compare(afterA, afterB) <= 0) {
        const beforeB = this.cutBefore(conversation, b) as Cut;
        return this.range(conversation, afterA, beforeB, limit);
      }
      const beforeA = this.cutBefore(conversation, a) as Cut;
      return this.range(conversation, afterB, beforeA, limit, true);
    });
  }

  targets(
    channels: readonly string[],
    me: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<TargetRow[]> {
    return answer(() => {
      const lo = Math.min(from, to);
      const hi = Math.max(from, to);
      const all: Cut = { time: Number.MAX_SAFE_INTEGER, seq: MAX };
      const names = new Set(channels);
      for (const row of this.mine.all(me, me)) names.add(row.name);
      const rows: TargetRow[] = [];
      for (const conversation of names) {
        // The conversation's latest message, which must itself fall strictly inside the window.
        const [latest] = this.range(conversation, { time: -1, seq: 0 }, all, 1, true);
        if (latest !== undefined && latest.time > lo && latest.time < hi) {
          rows.push({ conversation, latest });
        }
      }
      rows.sort((x, y) => (x.latest.msgid < y.latest.msgid ? -1 : 1));
      return rows.slice(0, Math.max(0, limit));
    });
  }

  find(msgid: string): Promise<HistoryRecord | null> {
    return answer(() => this.byId.get(msgid) ?? null);
  }

  redact(msgid: string): void {
    this.queue(() => this.redactOne.run(msgid));
  }

  /**
   * Queued; PRUNE_SLICE conversations per commit, so that with many of them (100,000: ~0.3 s,
   * far more when rows go) queries and appends get their turn between slices.
   */
  prune(maxPerConversation: number, maxAgeMs: number, now: number): void {
    this.queue(() => {
      const names = this.conversations.all().map((row) => row.name);
      const slice = (from: number): void => {
        for (const name of names.slice(from, from + PRUNE_SLICE)) {
          this.pruneOne(name, maxPerConversation, maxAgeMs, now);
        }
        if (from + PRUNE_SLICE < names.length) this.queue(() => slice(from + PRUNE_SLICE));
      };
      slice(0);
    });
  }

  private pruneOne(name: string, maxPerConversation: number, maxAgeMs: number, now: number) {
    if (Number.isFinite(maxPerConversation)) {
      const last = this.nthNewest.get(name, Math.max(0, Math.floor(maxPerConversation)));
      if (last !== undefined) this.dropUpTo.run({ name, ...last });
    }
    if (Number.isFinite(maxAgeMs)) this.dropOlder.run(name, now - maxAgeMs);
    if (this.anyLeft.get(name) === undefined) {
      this.forget.run(name);
      this.known.delete(name);
    }
  }
}
