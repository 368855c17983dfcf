// The SQLite store's schema as a chain of numbered steps, applied at open (PRAGMA user_version).
//
// Step N takes a database at version N-1 to version N. A step is never edited once released: a
// change is a new step at the end, so every file, however old, walks the same path to the present.
// Each step runs in its own transaction together with the version bump, so a crash mid-way leaves
// the file at the last whole step.
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: history, accounts, inboxes, read markers, channels, settings.
  `
  -- seq is the rowid, assigned in append order (= acceptance order). Queries order by (time, seq):
  -- the stamper's time never goes backwards, so that is msgid order, and one index serves both the
  -- order and time bounds.
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    msgid TEXT NOT NULL UNIQUE,
    time INTEGER NOT NULL,
    conversation TEXT NOT NULL,
    target TEXT NOT NULL,
    source TEXT NOT NULL,
    account TEXT,
    command TEXT NOT NULL,
    tags TEXT NOT NULL,
    text TEXT NOT NULL,
    redacted INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX messages_by_conversation ON messages (conversation, time);

  -- Every conversation with history, with its two parties when private (TARGETS, prune).
  CREATE TABLE conversations (
    name TEXT PRIMARY KEY,
    a TEXT,
    b TEXT
  ) WITHOUT ROWID;
  CREATE INDEX conversations_by_a ON conversations (a) WHERE a IS NOT NULL;
  CREATE INDEX conversations_by_b ON conversations (b) WHERE b IS NOT NULL;

  CREATE TABLE accounts (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    password TEXT NOT NULL,
    scram_salt TEXT,
    scram_iterations INTEGER,
    scram_stored_key TEXT,
    scram_server_key TEXT,
    email TEXT,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- rowid keeps the order messages were held in.
  CREATE TABLE inbox (
    account TEXT NOT NULL,
    msgid TEXT NOT NULL
  );
  CREATE INDEX inbox_by_account ON inbox (account);

  CREATE TABLE read_markers (
    account TEXT NOT NULL,
    conversation TEXT NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (account, conversation)
  ) WITHOUT ROWID;

  -- lists: JSON of letter -> masks.
  CREATE TABLE channels (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    founder TEXT NOT NULL,
    topic TEXT NOT NULL,
    topic_by TEXT NOT NULL,
    topic_at INTEGER NOT NULL,
    modes TEXT NOT NULL,
    password TEXT,
    user_limit INTEGER,
    lists TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Bring `db` from its user_version up to SCHEMA_VERSION, one transaction per step. Returns the
 * version found; the caller has already refused files newer than SCHEMA_VERSION.
 */
export function migrate(db: Database.Database, steps: readonly string[] = MIGRATIONS): number {
  const found = db.pragma('user_version', { simple: true }) as number;
  for (let v = found; v < steps.length; v++) {
    db.transaction(() => {
      db.exec(steps[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return found;
}
