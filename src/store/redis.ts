// The Redis store (`--db redis://…`): accounts, history, inboxes, read markers, channels and settings shared by every node that opens the same Redis.
//
// Writes queue in memory and go out as one MULTI/EXEC per event-loop turn (flush() sends at once);
// afterCommit() callbacks run when Redis has answered the batch holding what came before them, in
// order. A failed batch (Redis away, a command refused) calls onError once and still runs them:
// while Redis is away nothing waits for it (no offline queue, no resend), so senders get their
// echoes and history written meanwhile is lost; batches after its return are kept as usual.
// Reads and the writes that answer a promise send the queue first, so they come after every write
// queued before them (as through the writer process). Durability is Redis's own: what survives a
// Redis crash is what its persistence (appendonly, snapshots) kept.
import type { Redis } from 'ioredis';
import { redisClient, shownUrl } from './redis-url.js';
import {
  RedisHistory,
  TAKE_INBOX,
  appendCommand,
  decode,
  type Appended,
  type Command,
  type Item,
  type RedisIo,
} from './redis-history.js';
import type {
  AccountRecord,
  AccountStore,
  ChannelRecord,
  ChannelStore,
  HistoryRecord,
  Store,
} from './types.js';
import { StoreOpenError } from './types.js';

export const DEFAULT_PREFIX = 'parley:store:';
const CONNECT_TIMEOUT_MS = 5000;
/** A command Redis has not answered by then fails (a hung Redis must not hold senders forever). */
const COMMAND_TIMEOUT_MS = 10_000;
/**
 * Bytes of writes sent and not yet answered beyond which new messages are not kept: history is
 * the server's memory, not its delivery, and a Redis that stalls must not grow the server without
 * bound (as the writer process's backlog, pipe.ts).
 */
export const MAX_BACKLOG = 64 * 1024 * 1024;

/** A batch sent and not yet settled, with the afterCommit() callbacks waiting for it. */
interface Batch {
  callbacks: (() => void)[];
  settled: boolean;
  /** About the bytes it holds (its strings' lengths). */
  bytes: number;
}

/** About the bytes an item puts on the wire. */
function sizeOf(item: Item): number {
  if ('json' in item) return item.json.length + item.msgid.length + item.conversation.length + 16;
  let n = 0;
  for (const a of item.args) n += typeof a === 'string' ? a.length : 16;
  return n;
}

export interface RedisStoreOptions {
  /** Prefix of every key ('parley:store:'): two prefixes on one Redis are two separate stores. */
  prefix?: string;
  connectTimeoutMs?: number;
  /** MAX_BACKLOG, for tests. */
  maxBacklog?: number;
}

/** The queue as a transaction's commands, in order: each run of appends becomes one. */
function commandsOf(prefix: string, work: readonly Item[]): Command[] {
  const commands: Command[] = [];
  let run: Appended[] = [];
  for (const item of work) {
    if ('json' in item) {
      run.push(item);
      continue;
    }
    if (run.length > 0) commands.push(appendCommand(prefix, run));
    run = [];
    commands.push(item);
  }
  if (run.length > 0) commands.push(appendCommand(prefix, run));
  return commands;
}

/** The URL as logs and errors may show it: a password is replaced by `***`. */

export class RedisStore implements Store, RedisIo {
  readonly shared = true;
  readonly history: RedisHistory;
  readonly accounts: AccountStore;
  readonly channels: ChannelStore;
  onError: ((err: Error) => void) | null = null;
  private pending: Item[] = [];
  private waiting: (() => void)[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  /** Batches sent, oldest first; one leaves when it and all before it are settled. */
  private readonly flying: Batch[] = [];
  private pendingBytes = 0;
  private flyingBytes = 0;
  /** Messages not kept because Redis was too far behind, since the last report. */
  private dropped = 0;

  constructor(
    readonly redis: Redis,
    readonly where: string,
    readonly prefix: string,
    private readonly maxBacklog = MAX_BACKLOG,
  ) {
    this.history = new RedisHistory(this);
    this.accounts = new RedisAccounts(this);
    this.channels = new RedisChannels(this);
  }

  queue(item: Item): void {
    this.pending.push(item);
    this.pendingBytes += sizeOf(item);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Send what is queued as one transaction. */
  flush(): void {
    if (this.scheduled !== null) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.pending.length === 0) return;
    const work = this.pending;
    const batch: Batch = { callbacks: this.waiting, settled: false, bytes: this.pendingBytes };
    this.flyingBytes += batch.bytes;
    this.pending = [];
    this.waiting = [];
    this.pendingBytes = 0;
    this.flying.push(batch);
    const commands = commandsOf(this.prefix, work);
    let sent: Promise<[Error | null, unknown][] | null>;
    try {
      const m = this.redis.multi();
      for (const c of commands) m.call(...c.args);
      sent = m.exec();
    } catch (err) {
      sent = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    sent.then(
      (results) => {
        if (results === null) return this.settle(batch, new Error('transaction discarded'));
        let failed: Error | null = null;
        results.forEach(([err, value], i) => {
          if (err !== null) failed ??= err;
          else commands[i]?.reply?.(value);
        });
        this.settle(batch, failed);
      },
      (err: Error) => this.settle(batch, err),
    );
  }

  /** A batch is answered: report a failure, then run every callback whose turn has come. */
  private settle(batch: Batch, err: Error | null): void {
    if (err !== null) this.onError?.(err);
    batch.settled = true;
    this.flyingBytes -= batch.bytes;
    while (this.flying.length > 0 && this.flying[0].settled) {
      for (const fn of this.flying.shift()!.callbacks) fn();
    }
  }

  /** Whether a message may be queued now: Redis not too far behind (reported once each way). */
  room(): boolean {
    if (this.flyingBytes + this.pendingBytes > this.maxBacklog) {
      if (this.dropped++ === 0) {
        this.onError?.(new Error(`${this.where} is behind: new messages are not being kept`));
      }
      return false;
    }
    if (this.dropped > 0) {
      this.onError?.(new Error(`${this.where} caught up; ${this.dropped} messages were not kept`));
      this.dropped = 0;
    }
    return true;
  }

  afterCommit(fn: () => void): void {
    if (this.pending.length > 0) this.waiting.push(fn);
    else if (this.flying.length > 0) this.flying[this.flying.length - 1].callbacks.push(fn);
    else fn();
  }

  /** Behind the queue: a read, or a write that answers a promise. */
  now(): Redis {
    this.flush();
    return this.redis;
  }

  getMeta(name: string): Promise<string | null> {
    return this.now().hget(this.prefix + 'meta', name);
  }

  setMeta(name: string, value: string): void {
    this.queue({ args: ['HSET', this.prefix + 'meta', name, value] });
  }

  async close(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve) => this.afterCommit(resolve));
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

class RedisAccounts implements AccountStore {
  constructor(private readonly s: RedisStore) {}

  private key(what: string, account?: string): string {
    return this.s.prefix + what + (account === undefined ? '' : ':' + account);
  }

  async get(key: string): Promise<AccountRecord | null> {
    const json = await this.s.now().hget(this.key('acct'), key);
    return json === null ? null : (JSON.parse(json) as AccountRecord);
  }

  async create(record: AccountRecord): Promise<boolean> {
    return (await this.s.now().hsetnx(this.key('acct'), record.key, JSON.stringify(record))) === 1;
  }

  async update(record: AccountRecord): Promise<void> {
    await this.s.now().hset(this.key('acct'), record.key, JSON.stringify(record));
  }

  async takeInbox(key: string): Promise<HistoryRecord[]> {
    const reply = await TAKE_INBOX.run(this.s.now(), [this.key('inbox', key)], [this.s.prefix]);
    if (!Array.isArray(reply)) return [];
    return reply.filter((json): json is string => typeof json === 'string').map(decode);
  }

  addToInbox(key: string, msgid: string): void {
    this.s.queue({ args: ['RPUSH', this.key('inbox', key), msgid] });
  }

  async readMarker(key: string, conversation: string): Promise<number | null> {
    const time = await this.s.now().hget(this.key('mark', key), conversation);
    return time === null ? null : Number(time);
  }

  async readMarkers(key: string): Promise<[string, number][]> {
    const all = await this.s.now().hgetall(this.key('mark', key));
    return Object.entries(all).map(([conversation, time]) => [conversation, Number(time)]);
  }

  setReadMarker(key: string, conversation: string, time: number): void {
    this.s.queue({ args: ['HSET', this.key('mark', key), conversation, time] });
  }
}

class RedisChannels implements ChannelStore {
  constructor(private readonly s: RedisStore) {}

  async all(): Promise<ChannelRecord[]> {
    const all = await this.s.now().hvals(this.s.prefix + 'chan');
    return all.map((json) => JSON.parse(json) as ChannelRecord);
  }

  /** Encoded now: the record may change after put() without changing what is stored. */
  put(record: ChannelRecord): void {
    this.s.queue({ args: ['HSET', this.s.prefix + 'chan', record.key, JSON.stringify(record)] });
  }

  delete(key: string): void {
    this.s.queue({ args: ['HDEL', this.s.prefix + 'chan', key] });
  }
}

/**
 * Connect to the Redis at `url` (redis://HOST:PORT[/DB], rediss:// for TLS). Rejects with a
 * StoreOpenError naming the URL and the cause when it does not answer within the timeout.
 */
export async function openRedisStore(
  url: string,
  options: RedisStoreOptions = {},
): Promise<RedisStore> {
  const where = shownUrl(url);
  const timeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  let redis: Redis;
  try {
    redis = redisClient(url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // While Redis is away, commands fail at once instead of waiting for it (see the header).
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
    });
  } catch (err) {
    throw new StoreOpenError(`cannot use ${where}: ${oneLine(err)}`);
  }
  let lastError: string | null = null;
  redis.on('error', (err: Error) => (lastError = err.message));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([redis.connect(), timeout]);
  } catch (err) {
    redis.disconnect();
    throw new StoreOpenError(`cannot reach ${where}: ${oneLine(lastError ?? err)}`);
  } finally {
    clearTimeout(timer);
  }
  return new RedisStore(redis, where, options.prefix ?? DEFAULT_PREFIX, options.maxBacklog);
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
