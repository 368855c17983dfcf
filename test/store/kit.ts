// Shared pieces of the store tests: records with readable labels, the backends, a temp dir per test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, type TestContext } from 'node:test';
import { MemoryStore } from '../../src/store/memory.js';
import { openPipeStore } from '../../src/store/pipe.js';
import { openRedisStore } from '../../src/store/redis.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { AccountRecord, HistoryRecord, Store } from '../../src/store/types.js';
import { haveRedis, startRedis, type TestRedis } from '../helpers/redis.js';

/** A fixed epoch for test times. */
export const T0 = 1_764_000_000_000;

/** An account record as the server writes one (a made-up scrypt hash). */
export const ALICE: AccountRecord = {
  name: 'Alice',
  key: 'alice',
  password: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
  scram: null,
  email: null,
  createdAt: T0,
};

let counter = 0;

/** A record whose text is its label; msgids grow with every call, as the server hands them out. */
export function rec(
  conversation: string,
  label: string,
  time: number,
  extra: Partial<HistoryRecord> = {},
): HistoryRecord {
  counter++;
  return {
    msgid: `${T0.toString(36)}${counter.toString(36).padStart(6, '0')}`,
    time,
    conversation,
    target: conversation.startsWith('#') ? conversation : conversation.split(' ')[1],
    source: 'alice!~alice@host',
    account: null,
    command: 'PRIVMSG',
    tags: '',
    text: label,
    ...extra,
  };
}

/** The labels of an answer, to compare with what a case expects. */
export function labels(records: readonly HistoryRecord[]): string[] {
  return records.map((r) => r.text);
}

/** Resolves after the commit that holds everything queued so far. */
export function committed(store: Store): Promise<void> {
  return new Promise((resolve) => store.afterCommit(resolve));
}

/** A fresh directory under the system temp dir; the caller removes it with rmTemp(). */
export function makeTemp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'parley-store-'));
}

export function rmTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface Backend {
  name: string;
  /** A new, empty store; a file-backed one keeps its file in `dir`. */
  open(dir: string): Store | Promise<Store>;
  /**
   * Queries see writes queued before them: the writer process hands each query to SQLite behind
   * every write the server sent before it (and runs afterCommit at once); the Redis store sends
   * its queue before each read.
   */
  seesQueued?: true;
  /** Whether it can run here; false skips the test (haveRedis: outside CI only). */
  usable?(t: TestContext): boolean;
}

/** The file's one redis-server, started by the first test that opens a Redis store. */
let redisServer: Promise<TestRedis> | null = null;
let redisStores = 0;

after(async () => {
  const server = await redisServer?.catch(() => null);
  await server?.stop();
});

/** The test redis-server's URL, starting it the first time. */
export async function testRedisUrl(): Promise<string> {
  redisServer ??= startRedis();
  return (await redisServer).url;
}

/** A key prefix no other store of this file uses: each test starts with an empty store. */
export function freshPrefix(): string {
  return `parley:test:${++redisStores}:`;
}

export const BACKENDS: readonly Backend[] = [
  { name: 'memory', open: () => new MemoryStore() },
  { name: 'sqlite', open: (dir) => openSqliteStore(path.join(dir, 'parley.db')) },
  {
    name: 'writer process',
    open: (dir) => openPipeStore(path.join(dir, 'parley.db')),
    seesQueued: true,
  },
  {
    name: 'redis',
    open: async () => openRedisStore(await testRedisUrl(), { prefix: freshPrefix() }),
    seesQueued: true,
    usable: haveRedis,
  },
];

/** Run `body` on a new store of `backend`, then close it and remove its directory. */
export async function withStore(
  t: TestContext,
  backend: Backend,
  body: (store: Store) => Promise<void>,
): Promise<void> {
  if (backend.usable !== undefined && !backend.usable(t)) return;
  const dir = makeTemp();
  try {
    const store = await backend.open(dir);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  } finally {
    rmTemp(dir);
  }
}

/** A file in `dir` that is text, not SQLite, and the reason openSqliteStore gives for refusing it. */
export function notADatabase(dir: string): { file: string; reason: string } {
  const file = path.join(dir, 'parley.db');
  fs.writeFileSync(file, 'not a database, only text '.repeat(200));
  try {
    openSqliteStore(file);
  } catch (err) {
    return { file, reason: (err as Error).message };
  }
  throw new Error(`${file} opened as a database`);
}
