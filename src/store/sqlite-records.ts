// The SQLite store's accounts (with inboxes and read markers) and registered channels, row by row.
import type Database from 'better-sqlite3';
import { answer } from './sqlite-history.js';
import type {
  AccountRecord,
  AccountStore,
  ChannelRecord,
  ChannelStore,
  HistoryRecord,
  ListEntryRecord,
} from './types.js';

interface AccountRow {
  key: string;
  name: string;
  password: string;
  scramSalt: string | null;
  scramIterations: number | null;
  scramStoredKey: string | null;
  scramServerKey: string | null;
  email: string | null;
  createdAt: number;
}

function accountRow(a: AccountRecord): AccountRow {
  return {
    key: a.key,
    name: a.name,
    password: a.password,
    scramSalt: a.scram?.salt ?? null,
    scramIterations: a.scram?.iterations ?? null,
    scramStoredKey: a.scram?.storedKey ?? null,
    scramServerKey: a.scram?.serverKey ?? null,
    email: a.email,
    createdAt: a.createdAt,
  };
}

function accountRecord(r: AccountRow): AccountRecord {
  const scram =
    r.scramSalt === null
      ? null
      : {
          salt: r.scramSalt,
          iterations: r.scramIterations ?? 0,
          storedKey: r.scramStoredKey ?? '',
          serverKey: r.scramServerKey ?? '',
        };
  return {
    name: r.name,
    key: r.key,
    password: r.password,
    scram,
    email: r.email,
    createdAt: r.createdAt,
  };
}

const ACCOUNT_COLUMNS = `key, name, password, scram_salt AS scramSalt,
  scram_iterations AS scramIterations, scram_stored_key AS scramStoredKey,
  scram_server_key AS scramServerKey, email, created_at AS createdAt`;
const ACCOUNT_VALUES = `(@key, @name, @password, @scramSalt, @scramIterations, @scramStoredKey,
  @scramServerKey, @email, @createdAt)`;
const ACCOUNT_INTO = `accounts (key, name, password, scram_salt, scram_iterations,
  scram_stored_key, scram_server_key, email, created_at)`;

export class SqliteAccounts implements AccountStore {
  private readonly getOne: Database.Statement<[string], AccountRow>;
  private readonly allKeys: Database.Statement<[], string>;
  private readonly insert: Database.Statement<[AccountRow]>;
  private readonly replace: Database.Statement<[AccountRow]>;
  private readonly inbox: Database.Statement<[string], HistoryRecord>;
  private readonly clearInbox: Database.Statement<[string]>;
  private readonly hold: Database.Statement<[string, string]>;
  private readonly marker: Database.Statement<[string, string], { time: number }>;
  private readonly markers: Database.Statement<[string], { conversation: string; time: number }>;
  private readonly setMarker: Database.Statement<[string, string, number]>;
  private readonly take: (key: string) => HistoryRecord[];

  constructor(
    db: Database.Database,
    private readonly queue: (fn: () => void) => void,
  ) {
    this.getOne = db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE key = ?`);
    this.allKeys = db.prepare<[], string>('SELECT key FROM accounts').pluck();
    this.insert = db.prepare(`INSERT OR IGNORE INTO ${ACCOUNT_INTO} VALUES ${ACCOUNT_VALUES}`);
    this.replace = db.prepare(`INSERT OR REPLACE INTO ${ACCOUNT_INTO} VALUES ${ACCOUNT_VALUES}`);
    this.inbox = db.prepare(
      `SELECT m.msgid, m.time, m.conversation, m.target, m.source, m.account, m.command, m.tags,
         m.text
       FROM inbox i JOIN messages m ON m.msgid = i.msgid
       WHERE i.account = ? AND m.redacted = 0 ORDER BY i.rowid`,
    );
    this.clearInbox = db.prepare('DELETE FROM inbox WHERE account = ?');
    this.hold = db.prepare('INSERT INTO inbox (account, msgid) VALUES (?, ?)');
    this.marker = db.prepare(
      'SELECT time FROM read_markers WHERE account = ? AND conversation = ?',
    );
    this.markers = db.prepare('SELECT conversation, time FROM read_markers WHERE account = ?');
    this.setMarker = db.prepare(
      'INSERT OR REPLACE INTO read_markers (account, conversation, time) VALUES (?, ?, ?)',
    );
    this.take = db.transaction((key: string) => {
      const found = this.inbox.all(key);
      this.clearInbox.run(key);
      return found;
    });
  }

  get(key: string): Promise<AccountRecord | null> {
    return answer(() => {
      const row = this.getOne.get(key);
      return row === undefined ? null : accountRecord(row);
    });
  }

  keys(): Promise<string[]> {
    return answer(() => this.allKeys.all());
  }

  create(record: AccountRecord): Promise<boolean> {
    return answer(() => this.insert.run(accountRow(record)).changes === 1);
  }

  update(record: AccountRecord): Promise<void> {
    return answer(() => void this.replace.run(accountRow(record)));
  }

  takeInbox(key: string): Promise<HistoryRecord[]> {
    return answer(() => this.take(key));
  }

  addToInbox(key: string, msgid: string): void {
    this.queue(() => this.hold.run(key, msgid));
  }

  readMarker(key: string, conversation: string): Promise<number | null> {
    return answer(() => this.marker.get(key, conversation)?.time ?? null);
  }

  readMarkers(key: string): Promise<[string, number][]> {
    return answer(() =>
      this.markers.all(key).map((r): [string, number] => [r.conversation, r.time]),
    );
  }

  setReadMarker(key: string, conversation: string, time: number): void {
    this.queue(() => this.setMarker.run(key, conversation, time));
  }
}

interface ChannelRow extends Omit<ChannelRecord, 'lists'> {
  lists: string;
}

/**
 * A row's `lists` JSON as records. A file written before entries kept their setter holds bare
 * masks: those read as set by ChanServ when the channel was registered.
 */
function parseLists(json: string, createdAt: number): Record<string, ListEntryRecord[]> {
  const stored = JSON.parse(json) as Record<string, (string | ListEntryRecord)[]>;
  const lists: Record<string, ListEntryRecord[]> = {};
  for (const [mode, entries] of Object.entries(stored)) {
    lists[mode] = entries.map((e) =>
      typeof e === 'string' ? { mask: e, setBy: 'ChanServ', setAt: createdAt } : e,
    );
  }
  return lists;
}

export class SqliteChannels implements ChannelStore {
  private readonly everything: Database.Statement<[], ChannelRow>;
  private readonly upsert: Database.Statement<[ChannelRow]>;
  private readonly remove: Database.Statement<[string]>;

  constructor(
    db: Database.Database,
    private readonly queue: (fn: () => void) => void,
  ) {
    this.everything = db.prepare(
      `SELECT name, key, founder, topic, topic_by AS topicBy, topic_at AS topicAt, modes,
         password, user_limit AS "limit", lists, created_at AS createdAt
       FROM channels ORDER BY key`,
    );
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO channels (key, name, founder, topic, topic_by, topic_at, modes,
         password, user_limit, lists, created_at)
       VALUES (@key, @name, @founder, @topic, @topicBy, @topicAt, @modes, @password, @limit,
         @lists, @createdAt)`,
    );
    this.remove = db.prepare('DELETE FROM channels WHERE key = ?');
  }

  all(): Promise<ChannelRecord[]> {
    return answer(() =>
      this.everything.all().map((row) => ({ ...row, lists: parseLists(row.lists, row.createdAt) })),
    );
  }

  put(record: ChannelRecord): void {
    // Bound now: the caller may change its object before the commit.
    const row: ChannelRow = { ...record, lists: JSON.stringify(record.lists) };
    this.queue(() => this.upsert.run(row));
  }

  delete(key: string): void {
    this.queue(() => this.remove.run(key));
  }
}
