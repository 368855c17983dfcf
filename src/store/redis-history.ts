// The Redis store's history: records as JSON in one hash, a sorted set per conversation, queries as one Lua script each.
//
// Writes become Items on the store's queue (redis.ts), sent as one MULTI/EXEC per turn; a run of
// appends goes out as one script call. Reads go at once, one round trip each (find: HGET; the
// rest: one script). The key layout is in redis-lua.ts.
import type { Redis } from 'ioredis';
import {
  APPEND_LUA,
  PRUNE_LUA,
  RANGE_LUA,
  REDACT_LUA,
  TAKE_INBOX_LUA,
  TARGETS_LUA,
} from './redis-lua.js';
import { Script } from './redis-script.js';
import {
  recordRow,
  rowRecord,
  type Bound,
  type HistoryRecord,
  type HistoryStore,
  type RecordRow,
  type TargetRow,
} from './types.js';

/** A queued append: the record already encoded (later changes to the object are not stored). */
export interface Appended {
  msgid: string;
  time: number;
  conversation: string;
  json: string;
}

/** A queued command, and what to do with its reply when the batch succeeds. */
export interface Command {
  args: [string, ...(string | number)[]];
  reply?: (value: unknown) => void;
}

export type Item = Appended | Command;

/** What the history needs from the store: its queue, its connection, its key prefix. */
export interface RedisIo {
  readonly redis: Redis;
  readonly prefix: string;
  queue(item: Item): void;
  /** False while Redis is too far behind: a message is then not kept. */
  room(): boolean;
  /** Send what is queued now, so a read or an immediate write goes after it. */
  flush(): void;
}

/** The most a query asks for: ZRANGE takes integers, and Lua prints big numbers as 1e+15. */
const LIMIT_CAP = 1_000_000_000;
/** Times are clamped into Date's range: inside it every stored time, and printed as digits. */
const TIME_CAP = 8.64e15;
/** Conversations looked at per prune slice (one commit each), as SSCAN's COUNT. */
export const PRUNE_SLICE = 1000;

/** A record as stored: a JSON array in HistoryRecord's field order. */
export function encode(r: HistoryRecord): string {
  return JSON.stringify(recordRow(r));
}

export function decode(json: string): HistoryRecord {
  return rowRecord(JSON.parse(json) as RecordRow);
}

function limitOf(limit: number): number {
  return limit > 0 ? Math.min(LIMIT_CAP, Math.floor(limit)) : 0;
}

function timeText(time: number): string {
  return String(Math.max(-TIME_CAP, Math.min(TIME_CAP, time)));
}

function boundArgs(b: Bound): [string, string] {
  return 'msgid' in b ? ['m', b.msgid] : ['t', timeText(b.time)];
}

/** The records of a script's answer: JSON strings, nil for a record gone meanwhile. */
function records(reply: unknown): HistoryRecord[] {
  if (!Array.isArray(reply)) return [];
  const out: HistoryRecord[] = [];
  for (const json of reply) if (typeof json === 'string') out.push(decode(json));
  return out;
}

const RANGE = new Script(RANGE_LUA);
const TARGETS = new Script(TARGETS_LUA);
export const TAKE_INBOX = new Script(TAKE_INBOX_LUA);

/**
 * A run of appends as one command of a transaction (sent whole: EVALSHA could meet a Redis that
 * restarted and lost its scripts, and the text is sent once per batch).
 */
export function appendCommand(p: string, run: readonly Appended[]): Command {
  const args: Command['args'] = ['EVAL', APPEND_LUA, 0, p];
  for (const a of run) args.push(a.msgid, a.time, a.conversation, a.json);
  return { args };
}

export class RedisHistory implements HistoryStore {
  constructor(private readonly io: RedisIo) {}

  append(r: HistoryRecord): void {
    if (!this.io.room()) return;
    const item: Appended = {
      msgid: r.msgid,
      time: r.time,
      conversation: r.conversation,
      json: encode(r),
    };
    this.io.queue(item);
  }

  /** One range script, behind the writes queued before it. */
  private async range(
    op: string,
    conversation: string,
    limit: number,
    bounds: Bound[],
  ): Promise<HistoryRecord[]> {
    const p = this.io.prefix;
    this.io.flush();
    const args: string[] = [op, String(limitOf(limit))];
    for (const b of bounds) args.push(...boundArgs(b));
    return records(await RANGE.run(this.io.redis, [p + 'c:' + conversation, p + 'rec'], args));
  }

  latest(conversation: string, after: Bound | null, limit: number): Promise<HistoryRecord[]> {
    return this.range('latest', conversation, limit, after === null ? [] : [after]);
  }

  before(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]> {
    return this.range('before', conversation, limit, [bound]);
  }

  after(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]> {
    return this.range('after', conversation, limit, [bound]);
  }

  around(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]> {
    return this.range('around', conversation, limit, [bound]);
  }

  between(conversation: string, a: Bound, b: Bound, limit: number): Promise<HistoryRecord[]> {
    return this.range('between', conversation, limit, [a, b]);
  }

  async targets(
    channels: readonly string[],
    me: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<TargetRow[]> {
    this.io.flush();
    const lo = timeText(Math.min(from, to));
    const hi = timeText(Math.max(from, to));
    const args = [this.io.prefix, me, lo, hi, String(limitOf(limit)), ...channels];
    const reply = await TARGETS.run(this.io.redis, [], args);
    const rows: TargetRow[] = [];
    if (!Array.isArray(reply)) return rows;
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const [conversation, json] = [reply[i] as unknown, reply[i + 1] as unknown];
      if (typeof conversation === 'string' && typeof json === 'string') {
        rows.push({ conversation, latest: decode(json) });
      }
    }
    return rows;
  }

  async find(msgid: string): Promise<HistoryRecord | null> {
    this.io.flush();
    const json = await this.io.redis.hget(this.io.prefix + 'rec', msgid);
    return json === null ? null : decode(json);
  }

  redact(msgid: string): void {
    this.io.queue({ args: ['EVAL', REDACT_LUA, 0, this.io.prefix, msgid] });
  }

  /** Queued; one slice of PRUNE_SLICE conversations per commit, the next queued by its reply. */
  prune(maxPerConversation: number, maxAgeMs: number, now: number): void {
    const cap = Number.isFinite(maxPerConversation)
      ? String(Math.max(0, Math.floor(maxPerConversation)))
      : '-1';
    const cutoff = Number.isFinite(maxAgeMs) ? timeText(now - maxAgeMs) : '';
    const slice = (cursor: string): void =>
      this.io.queue({
        args: ['EVAL', PRUNE_LUA, 0, this.io.prefix, cursor, PRUNE_SLICE, cap, cutoff],
        reply: (next) => {
          if (typeof next === 'string' && next !== '0') slice(next);
        },
      });
    slice('0');
  }
}
