// The server's side of the history writer: a Store whose SQLite file lives in a child process (writer.ts), fed through a pipe.
//
// Why a process: one SQLite insert costs 7-50 µs of CPU, a private message about 3 µs to relay,
// so history written on the event loop would cut the server's throughput several times over. Here
// the event loop only formats each record as one tab-separated line; flush() (called before
// every flush pass, flush.ts) hands the turn's lines to the pipe in one write, and the writer
// commits them on the other core. A message confirmed to its sender was in the pipe before the confirmation was
// written, and the writer drains the pipe even when the server is killed, so it is stored.
// Queries go through the same pipe, after the writes, and come back as promises.
// Opened with a console, the writer also prints the server's chat log (Store.console): its lines
// go down the pipe in order with the records, and a message's line is printed from its record
// (S and B lines, pipe-lines.ts) rather than sent twice.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type {
  AccountRecord,
  AccountStore,
  ChannelRecord,
  ChannelStore,
  ConsoleRelay,
  HistoryRecord,
  HistoryStore,
  Party,
  Store,
  TargetRow,
} from './types.js';
import { knownAccounts } from './known-accounts.js';
import { field, head, PrivateLines } from './pipe-lines.js';
import { PipeOut } from './pipe-out.js';
import { StoreOpenError } from './types.js';

const WRITER = fileURLToPath(new URL('./writer.js', import.meta.url));
/**
 * Bytes the pipe may hold back (the writer behind) before new messages stop being kept: history
 * is the server's memory, not its delivery, and must not grow the server without bound.
 */
const MAX_BACKLOG = 64 * 1024 * 1024;
/**
 * The writer's niceness (0 normal, 19 lowest): live delivery first, history in the time the
 * server leaves (still above SCHED_IDLE work). On a core the server saturates, nice 10 gave the
 * writer 11% of it, 19 gives it 3-4% (direct: 172 against 196 k/s, interleaved); it catches up
 * when the burst ends, and with more than one core it has its own. What waits meanwhile is the
 * queries (history, logins): a name that is no account is answered without the writer
 * (known-accounts.ts), so registrations do not wait.
 */
const WRITER_NICE = 19;
/** How long a query may take before it fails (the caller answers with a FAIL). */
const QUERY_TIMEOUT_MS = 10_000;
/** How long close() waits for the writer to finish before it kills it. */
const CLOSE_TIMEOUT_MS = 10_000;

/** A PipeStore's limits: the defaults are the server's; tests make them small. */
export interface PipeOptions {
  /** MAX_BACKLOG. */
  maxBacklog?: number;
  /** QUERY_TIMEOUT_MS. */
  queryTimeoutMs?: number;
  /** CLOSE_TIMEOUT_MS. */
  closeTimeoutMs?: number;
  /** PrivateLines' MAX_PARTIES. */
  maxParties?: number;
  /** A file descriptor of this process the writer prints the chat log on (Store.console): 1 for stdout. */
  consoleFd?: number;
}

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class PipeStore implements Store {
  readonly history: HistoryStore;
  /** Replaced at open by one that knows which accounts exist (knownAccounts). */
  accounts: AccountStore;
  readonly channels: ChannelStore;
  readonly console: ConsoleRelay | null;
  onError: ((err: Error) => void) | null = null;
  /** Lines for the writer not yet handed to the pipe. */
  private readonly out = new PipeOut((chunk) => {
    if (this.dead === null) this.child.stdin!.write(chunk);
  });
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private dead: string | null = null;
  private readonly exited: Promise<void>;
  private readonly maxBacklog: number;
  private readonly queryTimeoutMs: number;
  private readonly closeTimeoutMs: number;

  constructor(
    readonly where: string,
    private readonly child: ChildProcess,
    options: PipeOptions = {},
  ) {
    this.maxBacklog = options.maxBacklog ?? MAX_BACKLOG;
    this.queryTimeoutMs = options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
    this.closeTimeoutMs = options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS;
    this.privateLines = new PrivateLines(options.maxParties);
    const open = () => this.dead === null;
    const line = (text: string) => this.consoleLine(text);
    this.console =
      options.consoleFd !== undefined
        ? {
            get open() {
              return open();
            },
            line,
          }
        : null;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => this.lost(`history writer exited (${signal ?? code})`));
    child.stdin!.on('error', () => {}); // a writer gone is reported by 'exit'
    const w =
      (path: string) =>
      (...args: unknown[]) =>
        this.write(path, args);
    const q =
      <T>(path: string) =>
      (...args: unknown[]) =>
        this.query<T>(path, args);
    this.history = {
      append: (r: HistoryRecord, shown?: boolean) => this.append(r, shown),
      appendPrivate: (msgid, time, from, to, text, start, end, shown) =>
        this.appendPrivate(msgid, time, from, to, text, start, end, shown),
      latest: q<HistoryRecord[]>('history.latest') as HistoryStore['latest'],
      before: q<HistoryRecord[]>('history.before') as HistoryStore['before'],
      after: q<HistoryRecord[]>('history.after') as HistoryStore['after'],
      around: q<HistoryRecord[]>('history.around') as HistoryStore['around'],
      between: q<HistoryRecord[]>('history.between') as HistoryStore['between'],
      targets: q<TargetRow[]>('history.targets') as HistoryStore['targets'],
      find: q<HistoryRecord | null>('history.find') as HistoryStore['find'],
      redact: w('history.redact'),
      prune: w('history.prune'),
    };
    this.accounts = {
      get: q<AccountRecord | null>('accounts.get') as AccountStore['get'],
      keys: q<string[]>('accounts.keys') as AccountStore['keys'],
      create: q<boolean>('accounts.create') as AccountStore['create'],
      update: q<void>('accounts.update') as AccountStore['update'],
      takeInbox: q<HistoryRecord[]>('accounts.takeInbox') as AccountStore['takeInbox'],
      addToInbox: w('accounts.addToInbox'),
      readMarker: q<number | null>('accounts.readMarker') as AccountStore['readMarker'],
      readMarkers: q<[string, number][]>('accounts.readMarkers') as AccountStore['readMarkers'],
      setReadMarker: w('accounts.setReadMarker'),
    };
    this.channels = {
      all: q<ChannelRecord[]>('channels.all') as ChannelStore['all'],
      put: w('channels.put'),
      delete: w('channels.delete'),
    };
  }

  /** A line from the writer: a query's result, or a failed commit. */
  answer(line: unknown[]): void {
    const [kind, id, value] = line as [string, number, unknown];
    if (kind === 'err') {
      this.onError?.(new Error(String(id)));
      return;
    }
    const w = this.waiting.get(id);
    if (w === undefined) return;
    this.waiting.delete(id);
    if (kind === 'r') w.resolve(value);
    else w.reject(new Error(String(value)));
  }

  /** The fast path's P lines and the party numbers they use. */
  private readonly privateLines: PrivateLines;
  private readonly define = (line: string) => this.out.line(line);
  /** Messages not kept because the writer was too far behind, since the last report. */
  private dropped = 0;
  /** Console lines (other than messages') not shown for the same reason. */
  private droppedLines = 0;

  /**
   * Whether a record (or with `line`, a console line) may be handed over now: the writer alive
   * and not too far behind. What may not is counted, and reported when the writer catches up.
   */
  private room(line = false): boolean {
    if (this.dead !== null) return false;
    if (this.child.stdin!.writableLength > this.maxBacklog) {
      if (this.dropped + this.droppedLines === 0) {
        const what = this.console === null ? 'messages are' : 'messages and console lines are';
        this.onError?.(new Error(`the history writer is behind: new ${what} not being kept`));
      }
      if (line) this.droppedLines++;
      else this.dropped++;
      return false;
    }
    if (this.dropped + this.droppedLines > 0) {
      const lines =
        this.console === null ? '' : ` and ${this.droppedLines} console lines were not shown`;
      this.onError?.(
        new Error(`the history writer caught up; ${this.dropped} messages were not kept${lines}`),
      );
      this.dropped = 0;
      this.droppedLines = 0;
    }
    return true;
  }

  private append(r: HistoryRecord, shown = false): void {
    if (this.room()) this.out.line(head(r, shown) + field(r.text) + '\n');
  }

  /** A chat log line for the writer to print (Store.console). */
  private consoleLine(line: string): void {
    if (this.room(true)) this.out.consoleLine('L\t' + field(line) + '\n');
  }

  /**
   * The fast path's private message as a `P` line (pipe-lines.ts): msgid, time unless it is the
   * last P line's, the parties' numbers (a `D` line first for a party new to this epoch), then the
   * text bytes as they are (the line's last field, read to its end: an IRC parameter holds no CR
   * or LF, and a tab or backslash in it needs no escape there).
   */
  private appendPrivate(
    msgid: Buffer,
    time: number,
    from: Party,
    to: Party,
    text: Buffer,
    start: number,
    end: number,
    shown = false,
  ) {
    if (!this.room()) return;
    const lines = this.privateLines;
    let fromRef = lines.ref(from, this.define);
    const toRef = lines.ref(to, this.define);
    // Numbering started over for the recipient: the sender's number may now be someone else's.
    if (!lines.numbered(from)) fromRef = lines.ref(from, this.define);
    const out = this.out;
    const buf = out.room(PrivateLines.most(msgid, start, end));
    out.used = lines.write(buf, out.used, msgid, time, fromRef, toRef, text, start, end, shown);
  }

  private write(path: string, args: unknown[]): void {
    if (this.dead !== null) return;
    this.out.line(JSON.stringify(['w', path, args]) + '\n');
  }

  private query<T>(path: string, args: unknown[]): Promise<T> {
    if (this.dead !== null) return Promise.reject(new Error(this.dead));
    const id = ++this.nextId;
    this.out.line(JSON.stringify(['q', id, path, args]) + '\n');
    this.flush();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('the history writer did not answer in time'));
      }, this.queryTimeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  flush(): void {
    this.out.flush();
  }

  getMeta(name: string): Promise<string | null> {
    return this.query<string | null>('getMeta', [name]);
  }

  setMeta(name: string, value: string): void {
    this.write('setMeta', [name, value]);
  }

  /** Handed to the pipe is as committed as the server can know: the writer drains it whatever happens. */
  afterCommit(fn: () => void): void {
    this.flush();
    fn();
  }

  /** The writer is gone: every open query fails, and from now on nothing is kept. */
  private lost(why: string): void {
    if (this.dead !== null) return;
    this.dead = why;
    for (const w of this.waiting.values()) w.reject(new Error(why));
    this.waiting.clear();
    this.onError?.(new Error(why));
  }

  async close(): Promise<void> {
    this.out.send();
    this.dead ??= 'closed';
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), this.closeTimeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Start the writer on `file` and wait until it has the file open. Throws StoreOpenError with the
 * writer's one-line reason (locked by another server, newer schema, not a database...).
 */
export async function openPipeStore(
  file: string,
  fsync = false,
  options: PipeOptions = {},
): Promise<PipeStore> {
  // With the console, the writer's fd 3 is ours (the server's stdout).
  const shows = options.consoleFd !== undefined;
  const child = spawn(process.execPath, [WRITER, file, fsync ? '1' : '0', shows ? '1' : '0'], {
    stdio: ['pipe', 'pipe', 'inherit', options.consoleFd ?? 'ignore'],
  });
  // Live chat first: when the server and the writer want the same core, the server gets it (on a
  // 2-core machine this raised private messages at saturation by about a third). The writer
  // catches up when the burst is over; what it holds meanwhile is still in the pipe.
  if (child.pid !== undefined) {
    try {
      os.setPriority(child.pid, WRITER_NICE);
    } catch {
      // not allowed here: the writer runs at the server's priority
    }
  }
  let store: PipeStore | null = null;
  let partial = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', (err) =>
      reject(new StoreOpenError(`cannot start the history writer: ${err.message}`)),
    );
    child.once('exit', (code) =>
      reject(
        new StoreOpenError(`cannot open database ${file}: the history writer exited (${code})`),
      ),
    );
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const text = partial + chunk;
      const lines = text.split('\n');
      partial = lines.pop()!;
      for (const l of lines) {
        if (l.length === 0) continue;
        const line = JSON.parse(l) as unknown[];
        if (line[0] === 'ready') resolve();
        else if (line[0] === 'fail') reject(new StoreOpenError(String(line[1])));
        else store?.answer(line);
      }
    });
  });
  await ready;
  store = new PipeStore(file, child, options);
  // A name that is no account is then answered without the writer (known-accounts.ts).
  try {
    store.accounts = knownAccounts(store.accounts, await store.accounts.keys!());
  } catch (err) {
    await store.close();
    throw new StoreOpenError(`cannot open database ${file}: ${(err as Error).message}`);
  }
  return store;
}
