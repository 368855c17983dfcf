// The SQLite store: one file, opened once by one server, written by one transaction per turn.
//
// Writes are queued and committed together on the next event-loop turn (setImmediate), as in the
// memory store: a queued write is visible to reads only after that commit. Accounts' create(),
// update() and takeInbox() answer a promise and so write at once, each in its own transaction.
// Reads run synchronously and return settled promises.
import fs from 'node:fs';
import nodePath from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate } from './migrations.js';
import { SqliteHistory, answer, type InsertRow } from './sqlite-history.js';
import { SqliteAccounts, SqliteChannels } from './sqlite-records.js';
import { StoreOpenError, type AccountStore, type ChannelStore, type Store } from './types.js';

export interface SqliteOptions {
  /**
   * Cap the file at this many pages (PRAGMA max_page_count; PAGE_BYTES each for a file this
   * version created): a commit that would grow it further fails with SQLITE_FULL like a full
   * disk. Unset: no cap.
   */
  maxPageCount?: number;
  /** fsync every commit (survives power loss, costs a disk flush per event-loop turn). */
  fsync?: boolean;
  /**
   * Commit at most this often (ms) instead of once per event-loop turn, and under load let the
   * batch grow (see BUSY_ROWS): the writer process (writer.ts) sets it.
   */
  commitEveryMs?: number;
}

/**
 * Page size of a new file. An append touches the last index page of its conversation, and a
 * commit writes every page it touched to the WAL: with many busy conversations that write is most
 * of an append's cost. Measured on 300,000 appends over 500 conversations, 20,000 rows per
 * commit: 5.95 us a row with 4 KiB pages, 3.71 with 16 KiB (fewer, fuller pages per commit).
 * An existing file keeps the size it was made with.
 */
export const PAGE_BYTES = 16384;

/**
 * With commitEveryMs set, a batch that already holds this many rows when its time is up waits
 * for more (up to MAX_BATCH_ROWS or MAX_HOLD_MS): a commit costs per page touched, not per row,
 * so under load bigger batches cost less per row (13.8 us a row at 2,000 rows per commit against
 * 5.9 at 20,000, same run). Light traffic still commits within commitEveryMs.
 */
const BUSY_ROWS = 1000;
const MAX_BATCH_ROWS = 20000;
const MAX_HOLD_MS = 250;

/** How long a statement waits for a lock held by another connection before SQLITE_BUSY (ms). */
const BUSY_TIMEOUT_MS = 100;
/** SQLite's page cache for this connection, KiB. */
const CACHE_KIB = 16 * 1024;

/** Why an open failed, in words, from the SQLite error code. */
function openFailure(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return 'it is in use by another running parley server (the file is locked)';
  }
  if (code === 'SQLITE_NOTADB') return `it is not a parley database (${message})`;
  if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) {
    return `it is damaged (${message})`;
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) {
    return `it cannot be written (${message})`;
  }
  return message;
}

/** Refuse a path whose directory is missing or not writable, before SQLite says it vaguely. */
function checkPlace(path: string): void {
  const dir = nodePath.dirname(nodePath.resolve(path));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new StoreOpenError(`cannot open database ${path}: directory ${dir} does not exist`);
  }
  if (!stat.isDirectory()) {
    throw new StoreOpenError(`cannot open database ${path}: ${dir} is not a directory`);
  }
  try {
    // SQLite writes the -wal file (and, before WAL is on, a journal) beside the database.
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new StoreOpenError(`cannot open database ${path}: directory ${dir} is not writable`);
  }
  const file = fs.statSync(path, { throwIfNoEntry: false });
  if (file?.isDirectory()) {
    throw new StoreOpenError(`cannot open database ${path}: it is a directory`);
  }
  try {
    if (file !== undefined) fs.accessSync(path, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    // SQLite would open it read-only and fail later with a bare "disk I/O error".
    throw new StoreOpenError(`cannot open database ${path}: the file is not readable and writable`);
  }
}

/** Open, lock and migrate the file, or throw StoreOpenError. */
function openDatabase(path: string, options: SqliteOptions): Database.Database {
  checkPlace(path);
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    // Only takes effect on a new, empty file, and must come before WAL is on.
    db.pragma(`page_size = ${PAGE_BYTES}`);
    // EXCLUSIVE before WAL: the file stays locked as long as this server has it open, and WAL
    // keeps its index in process memory (no -shm file). The first read below takes the lock, so a
    // second server fails here at once with SQLITE_BUSY instead of corrupting anything.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode !== 'wal') throw new Error(`cannot switch to WAL (journal mode stays ${mode})`);
    // The promise is that a message confirmed to its sender survives the server being killed
    // (kill -9, a crash, an OOM kill). In WAL mode NORMAL keeps it: a commit is in the WAL file,
    // in the kernel's page cache, before the server writes the echo; only a crash of the whole
    // machine can lose the last commits. FULL would fsync at every commit, ~4 ms of the event
    // loop's time per turn on this disk, which every client would wait for (`--db-sync full`).
    db.pragma(`synchronous = ${options.fsync === true ? 'FULL' : 'NORMAL'}`);
    // 16 MiB of page cache rather than 2: appends touch one index page per busy conversation.
    db.pragma(`cache_size = -${CACHE_KIB}`);
    // Checkpoint every ~40 MiB of WAL rather than every 4: each checkpoint syncs the files.
    db.pragma('wal_autocheckpoint = 10000');
    // Take the write lock now too: a read-only file fails here, not at the first commit.
    db.exec('BEGIN IMMEDIATE; COMMIT');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new StoreOpenError(
        `cannot open database ${path}: it was written by a newer parley ` +
          `(schema version ${version}; this one knows up to ${MIGRATIONS.length})`,
      );
    }
    migrate(db);
    if (options.maxPageCount !== undefined) {
      db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`);
    }
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(`cannot open database ${path}: ${openFailure(err)}`);
  }
}

export class SqliteStore implements Store {
  readonly history: SqliteHistory;
  readonly accounts: AccountStore;
  readonly channels: ChannelStore;
  onError: ((err: Error) => void) | null = null;
  /** Queued writes in order: a history row, or any other write as a function. */
  private pending: ((() => void) | InsertRow)[] = [];
  private waiting: (() => void)[] = [];
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | null = null;
  /** When the oldest uncommitted write was queued (performance.now()), with commitEveryMs. */
  private batchStart = 0;
  private readonly getMetaOne: Database.Statement<[string], { value: string }>;
  private readonly setMetaOne: Database.Statement<[string, string]>;
  private readonly commitAll: (work: readonly ((() => void) | InsertRow)[]) => void;

  constructor(
    readonly where: string,
    private readonly db: Database.Database,
    private readonly commitEveryMs = 0,
  ) {
    const queue = (work: (() => void) | InsertRow): void => this.enqueue(work);
    this.history = new SqliteHistory(db, queue);
    this.accounts = new SqliteAccounts(db, queue);
    this.channels = new SqliteChannels(db, queue);
    this.getMetaOne = db.prepare('SELECT value FROM meta WHERE name = ?');
    this.setMetaOne = db.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)');
    this.commitAll = db.transaction((work: readonly ((() => void) | InsertRow)[]) => {
      for (const w of work) {
        if (typeof w === 'function') w();
        else this.history.insertRow(w);
      }
    });
  }

  private enqueue(work: (() => void) | InsertRow): void {
    this.pending.push(work);
    if (this.scheduled !== null) {
      if (this.pending.length >= MAX_BATCH_ROWS) this.commit();
      return;
    }
    if (this.commitEveryMs === 0) {
      this.scheduled = setImmediate(() => this.commit());
      return;
    }
    this.batchStart = performance.now();
    this.scheduled = setTimeout(() => this.timeUp(), this.commitEveryMs);
  }

  /** commitEveryMs has passed: commit, unless the batch is busy and may still grow. */
  private timeUp(): void {
    const held = performance.now() - this.batchStart;
    if (this.pending.length >= BUSY_ROWS && held + this.commitEveryMs <= MAX_HOLD_MS) {
      this.scheduled = setTimeout(() => this.timeUp(), this.commitEveryMs);
      return;
    }
    this.commit();
  }

  /**
   * Commit everything queued in one transaction, then run the callbacks that waited for it. A
   * failed commit rolls it all back, is reported once to onError, and the callbacks run anyway
   * (see Store.afterCommit): the messages were delivered, only their history is lost.
   */
  flush(): void {
    if (this.pending.length > 0) this.commit();
  }

  private commit(): void {
    // Each clear for its own kind: clearImmediate() given a timer corrupts Node's immediate
    // queue (its count goes wrong and later setImmediate callbacks never run).
    if (this.scheduled !== null) {
      if (this.commitEveryMs === 0) clearImmediate(this.scheduled as NodeJS.Immediate);
      else clearTimeout(this.scheduled as NodeJS.Timeout);
    }
    this.scheduled = null;
    const work = this.pending;
    const done = this.waiting;
    this.pending = [];
    this.waiting = [];
    if (work.length > 0) {
      try {
        this.commitAll(work);
      } catch (err) {
        this.history.rolledBack();
        const error = err instanceof Error ? err : new Error(String(err));
        if (this.onError !== null) this.onError(error);
        else process.emitWarning(`parley store ${this.where}: commit failed: ${error.message}`);
      }
    }
    for (const fn of done) fn();
  }

  getMeta(name: string): Promise<string | null> {
    return answer(() => this.getMetaOne.get(name)?.value ?? null);
  }

  setMeta(name: string, value: string): void {
    this.enqueue(() => this.setMetaOne.run(name, value));
  }

  afterCommit(fn: () => void): void {
    if (this.pending.length === 0) fn();
    else this.waiting.push(fn);
  }

  close(): Promise<void> {
    this.commit();
    this.db.close();
    return Promise.resolve();
  }
}

/**
 * Open (creating it if needed) the database file at `path`, bring its schema up to date and lock
 * it for this process. Throws StoreOpenError, whose one-line message names the file and the reason.
 */
export function openSqliteStore(path: string, options: SqliteOptions = {}): SqliteStore {
  const db = openDatabase(path, options);
  try {
    // Preparing the statements reads the whole schema: a damaged one fails here.
    return new SqliteStore(path, db, options.commitEveryMs ?? 0);
  } catch (err) {
    db.close();
    throw new StoreOpenError(`cannot open database ${path}: ${openFailure(err)}`);
  }
}
