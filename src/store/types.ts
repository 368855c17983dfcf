// What parley keeps across restarts, as protocol-neutral records, and the interface every backend implements.
//
// Nothing here imports from server/ or client/: a backend sees records, never users, channels or
// sockets. The server keeps the online objects and turns them into records at the edges.
//
// Writes never make the caller wait: append() queues a record, and the backend commits everything
// queued in one transaction per event-loop turn (group commit). afterCommit() tells the server when
// what it appended so far is durable, so it can confirm messages to their senders only then.
// Every queued write (append, redact, prune, addToInbox, setReadMarker, channels.put/delete,
// setMeta) takes effect in the order it was queued; a read is sure to see it only after its
// commit (the writer process, pipe.ts, shows it to every later read at once). The writes that
// answer a promise (accounts' create, update, takeInbox) take effect at once.
// Reads return promises, so a networked backend (the scale-out issue) can replace the embedded one.

/**
 * One stored message: a channel message or a private message, as accepted by the server. Records
 * are appended in acceptance order, so msgid order and time order agree; backends order by either.
 */
export interface HistoryRecord {
  /** The server's msgid (stamp.ts): unique, and sorting as strings in the order of acceptance. */
  msgid: string;
  /** Server time, epoch milliseconds. */
  time: number;
  /**
   * The conversation it belongs to: a channel's casefolded name, or for a private message
   * conversationKey() of the two correspondents.
   */
  conversation: string;
  /** The target as sent: a channel name, or the recipient's nick for a private message. */
  target: string;
  /** The sender's full source, nick!user@host. */
  source: string;
  /** The sender's account, or null when it was not logged in. */
  account: string | null;
  command: 'PRIVMSG' | 'NOTICE' | 'TAGMSG';
  /** Client-only tags, serialized without the leading `@` (`+draft/reply=…;+typing=…`), or ''. */
  tags: string;
  /** The text ('' for TAGMSG). */
  text: string;
}

/** A record as a row in HistoryRecord's field order: SQLite's insert binds it, Redis stores it as JSON. */
export type RecordRow = [
  msgid: string,
  time: number,
  conversation: string,
  target: string,
  source: string,
  account: string | null,
  command: string,
  tags: string,
  text: string,
];

export function recordRow(r: HistoryRecord): RecordRow {
  return [
    r.msgid,
    r.time,
    r.conversation,
    r.target,
    r.source,
    r.account,
    r.command,
    r.tags,
    r.text,
  ];
}

export function rowRecord(row: RecordRow): HistoryRecord {
  const [msgid, time, conversation, target, source, account, command, tags, text] = row;
  const cmd = command as HistoryRecord['command'];
  return { msgid, time, conversation, target, source, account, command: cmd, tags, text };
}

/** The key of the private conversation between two casefolded nicks (or accounts), either order. */
export function conversationKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/**
 * One side of a private conversation as the server's user stands now: made again when its nick,
 * prefix or account changes, so a backend may keep its encoding of the party on it.
 */
export class Party {
  /**
   * A backend's short name for this party (pipe.ts: its number in the writer's table), valid while
   * `refEpoch` is the backend's current epoch; -1 before its first use.
   */
  ref = -1;
  refEpoch = 0;

  constructor(
    /** The user's private-history identity (conversationKey's half). */
    readonly historyId: string,
    readonly nick: string,
    /** nick!user@host. */
    readonly prefix: string,
    readonly account: string | null,
  ) {}
}

/** The record appendPrivate() stands for. */
export function privateRecord(
  msgid: string,
  time: number,
  from: Party,
  to: Party,
  text: string,
): HistoryRecord {
  return {
    msgid,
    time,
    conversation: conversationKey(from.historyId, to.historyId),
    target: to.nick,
    source: from.prefix,
    account: from.account,
    command: 'PRIVMSG',
    tags: '',
    text,
  };
}

/** Where a history query starts or ends: a point in time, or a message by its msgid. */
export type Bound = { time: number } | { msgid: string };

/** A CHATHISTORY TARGETS answer row: a conversation and its latest message in the window. */
export interface TargetRow {
  conversation: string;
  /** The newest message of that conversation within the window. */
  latest: HistoryRecord;
}

/**
 * History queries. Every answer is in ascending order (oldest first), holds at most `limit`
 * records, and leaves out redacted messages. A bound given by msgid that is not stored (or is in
 * another conversation, or is redacted) makes the answer empty. Bounds are exclusive.
 */
export interface HistoryStore {
  /**
   * Queue a record; durable after the next commit. `shown`: the store's console relay also
   * prints it as the chat log's line of a channel message (Store.console).
   */
  append(record: HistoryRecord, shown?: boolean): void;
  /**
   * append() of a plain PRIVMSG (no tags) from `from` to `to`, its msgid the ASCII bytes `msgid`
   * (a scratch buffer: read during the call only), its text the UTF-8 bytes `text[start, end)`,
   * which hold no CR or LF (an IRC parameter never does): the private-message fast path's record.
   * A backend that can name the parties once (Party.ref) and copy the bytes as they are skips
   * building a record, two history ids and a conversation key per message.
   * Optional: without it the caller builds the record (privateRecord) and calls append().
   * `shown`: the store's console relay also prints it as the chat log's line (Store.console).
   */
  appendPrivate?(
    msgid: Buffer,
    time: number,
    from: Party,
    to: Party,
    text: Buffer,
    start: number,
    end: number,
    shown?: boolean,
  ): void;
  /** The newest `limit` records, all after `after` when given. */
  latest(conversation: string, after: Bound | null, limit: number): Promise<HistoryRecord[]>;
  /** The `limit` records just before `bound`. */
  before(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]>;
  /** The `limit` records just after `bound`. */
  after(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]>;
  /** Up to `limit` records around `bound`: about half before it, the rest from it on. */
  around(conversation: string, bound: Bound, limit: number): Promise<HistoryRecord[]>;
  /**
   * Records strictly between the two bounds: with `a` the earlier, the oldest `limit` of them;
   * with `a` the later, the newest `limit` (each side keeps what is nearest to `a`).
   */
  between(conversation: string, a: Bound, b: Bound, limit: number): Promise<HistoryRecord[]>;
  /**
   * Conversations whose latest message is strictly between `from` and `to` (either order): of
   * `channels` (casefolded names) and the private conversations of `me` (a history identity);
   * the `limit` with the oldest latest-message first.
   */
  targets(
    channels: readonly string[],
    me: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<TargetRow[]>;
  /** One record by msgid (redacted ones too: redaction checks the original sender), or null. */
  find(msgid: string): Promise<HistoryRecord | null>;
  /** Mark a message redacted: queries and inboxes leave it out from the next commit on. */
  redact(msgid: string): void;
  /**
   * Forget what is older than `maxAgeMs` and, per conversation, all but the newest
   * `maxPerConversation` (redacted ones count); queued like a write. Either may be Infinity.
   * Over many conversations it may take several commits (the SQLite store goes 1,000 at a time).
   */
  prune(maxPerConversation: number, maxAgeMs: number, now: number): void;
}

/** A registered account. */
export interface AccountRecord {
  /** The name as registered (its nick at the time). */
  name: string;
  /** Casefolded name: the key. */
  key: string;
  /** scrypt hash of the password, with its parameters: `scrypt$N$r$p$salt$hash` (base64 parts). */
  password: string;
  /** SCRAM-SHA-256 credentials derived at registration (RFC 5802/7677), or null. */
  scram: ScramCredentials | null;
  email: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface ScramCredentials {
  /** base64 */
  salt: string;
  iterations: number;
  /** base64 H(ClientKey) */
  storedKey: string;
  /** base64 HMAC(SaltedPassword, "Server Key") */
  serverKey: string;
}

export interface AccountStore {
  get(key: string): Promise<AccountRecord | null>;
  /** Every account's key (the pipe store loads them at open: known-accounts.ts). Optional. */
  keys?(): Promise<string[]>;
  /** False (and nothing written) when the key is taken. */
  create(record: AccountRecord): Promise<boolean>;
  update(record: AccountRecord): Promise<void>;
  /**
   * Private messages held for an offline account, in order, less redacted or pruned ones; taken
   * ones are removed.
   */
  takeInbox(key: string): Promise<HistoryRecord[]>;
  /** Hold a message (already appended to history) for an offline account. */
  addToInbox(key: string, msgid: string): void;
  /** Where the account has read a conversation up to (draft/read-marker): epoch ms, or null. */
  readMarker(key: string, conversation: string): Promise<number | null>;
  /** Every read marker of the account, as [conversation, epoch ms] pairs (loaded at login). */
  readMarkers(key: string): Promise<[string, number][]>;
  setReadMarker(key: string, conversation: string, time: number): void;
}

/** A registered channel's lasting state. */
export interface ChannelRecord {
  name: string;
  key: string;
  /** The founder's account key. */
  founder: string;
  topic: string;
  topicBy: string;
  topicAt: number;
  /** Simple modes as letters (`nt`), key and limit apart. */
  modes: string;
  password: string | null;
  limit: number | null;
  /** List modes: letter → entries (b, e, I). */
  lists: Record<string, ListEntryRecord[]>;
  createdAt: number;
}

/** One mask of a channel list, with who set it (a nick or mask) and when (epoch ms). */
export interface ListEntryRecord {
  mask: string;
  setBy: string;
  setAt: number;
}

export interface ChannelStore {
  all(): Promise<ChannelRecord[]>;
  put(record: ChannelRecord): void;
  delete(key: string): void;
}

/** The whole store: the history core with accounts, channels and small settings. */
export interface Store {
  /** What backs it, for logs: a file path, ':memory:'. */
  readonly where: string;
  /**
   * Several servers write this store at once (a cluster sharing Redis): a message that every
   * node handles is kept by the node it was sent from only. Absent: this server's alone.
   */
  readonly shared?: boolean;
  readonly history: HistoryStore;
  readonly accounts: AccountStore;
  readonly channels: ChannelStore;
  /** A small lasting setting (the host-cloak secret), or null. */
  getMeta(name: string): Promise<string | null>;
  setMeta(name: string, value: string): void;
  /**
   * Commit what is queued now. The server calls it before each flush pass, so nothing that
   * confirms a message (its echo, a labeled ACK, its delivery) leaves before the message is durable.
   */
  flush(): void;
  /**
   * Run `fn` once everything queued before this call is committed (at once when nothing is), in
   * the order of the calls. When that commit fails, `fn` still runs, after onError: the messages
   * were delivered, only their history is lost, and a sender must not wait forever for its echo.
   */
  afterCommit(fn: () => void): void;
  /**
   * Called once per failed commit (disk full, read-only file, I/O error): what it held is dropped,
   * service goes on, and later commits are tried as usual.
   */
  onError: ((err: Error) => void) | null;
  /**
   * Prints the server's console log (the chat log) in the order of the writes, when the store's
   * writer has the console (pipe.ts): each message is then handed over once, as its record.
   * Absent or null: the server prints its console log itself.
   */
  readonly console?: ConsoleRelay | null;
  /** Commit what is queued and close. */
  close(): Promise<void>;
}

/** A console printed by the store's writer: lines handed over in order with the records. */
export interface ConsoleRelay {
  /** False once the writer is gone or closed: the server prints its console log itself again. */
  readonly open: boolean;
  /** Print `line` (no line break of its own) after everything handed to the store before it. */
  line(line: string): void;
}

/** Raised by an open that cannot go on; the message names the file and says why in one line. */
export class StoreOpenError extends Error {}
