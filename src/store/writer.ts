// The history writer process: owns the SQLite file and applies what the server sends it over a pipe (see pipe.ts).
//
// Run as `node writer.js <file> <fsync 0|1> <console 0|1>` with stdin/stdout pipes to the server
// (and with console 1, the server's stdout as fd 3). A line on stdin that starts with `A` appends
// a message (`B`: one also shown on the console), one with `P` a plain private message from the
// fast path (`S`: one also shown), one with `D` defines a party P lines name by number, and one
// with `L` is a console line (tab-separated fields, pipe-lines.ts); any other is a JSON array:
// ["w", path, args] is another write (redact, setMeta...), ["q", id, path, args] a query answered
// on stdout as ["r", id, value] or ["x", id, reason]. Rows are committed every COMMIT_EVERY_MS,
// and a query first commits what came before it, so it sees every write the server made before
// asking.
// It answers ["ready"] once the file is open, or ["fail", reason] and exits 2.
//
// It ignores SIGINT, SIGTERM and SIGHUP: when the server stops, or is killed outright, the pipe
// closes and the writer drains it, commits and exits, so a message the server had handed over
// before dying is still stored.
//
// The work is the Writer class (lines in, rows and answers out), which tests run in process;
// main() only wires the arguments, stdin, stdout and signals to it.
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  channelConsoleLine,
  ConsoleClock,
  consoleForm,
  consoleSink,
  privateConsoleLine,
} from './console.js';
import { MSGID_HEAD, unescapeField } from './pipe-lines.js';
import { openSqliteStore, type SqliteStore } from './sqlite.js';
import { conversationKey, StoreOpenError, type Party } from './types.js';

type Line = ['w', string, unknown[]] | ['q', number, string, unknown[]];

/** Where the writer's answers go: ["ready"], ["fail", reason], ["err", reason], ["r", ...], ["x", ...]. */
export type Send = (line: unknown[]) => void;

/** The method at `path` ('history.latest', 'getMeta') of the store, bound to its object. */
function method(store: SqliteStore, path: string): (...args: unknown[]) => unknown {
  const [a, b] = path.split('.');
  // The path names one of the Store interface's methods, sent by pipe.ts; indexing the store by
  // it needs an untyped view of the object.
  const owner = (
    b === undefined ? store : (store as unknown as Record<string, unknown>)[a]
  ) as Record<string, unknown>;
  const fn = owner?.[b ?? a];
  if (typeof fn !== 'function') throw new Error(`no store method ${path}`);
  return (fn as (...args: unknown[]) => unknown).bind(owner);
}

/**
 * Rows gather this long before a commit: thousands per transaction rather than a pipe chunk's
 * few hundred. What the writer holds meanwhile is lost only if the writer itself is killed.
 */
const COMMIT_EVERY_MS = 20;

/** `send` for an output stream (the writer's stdout): one JSON array a line. */
export function jsonLines(out: Writable): Send {
  return (line) => {
    out.write(JSON.stringify(line) + '\n');
  };
}

/** The writer's work on an open store: lines in (as they come, in chunks), rows and answers out. */
export class Writer {
  /** The input after its last newline: the start of a line still coming. */
  private partial = '';
  /** The parties P lines name by number (D lines), and the last P line's time. */
  private readonly parties: Omit<Party, 'ref' | 'refEpoch'>[] = [];
  private lastTime = 0;
  private lastMsgid = '';
  /** Console lines of the chunk being applied, printed in one go at its end. */
  private shown = '';
  private readonly clock = new ConsoleClock();

  /** `show` prints console lines (the server's chat log); without it, S and L lines print nothing. */
  constructor(
    private readonly store: SqliteStore,
    private readonly send: Send,
    private readonly show: ((text: string) => void) | null = null,
  ) {
    store.onError = (err) => send(['err', err.message]);
  }

  /** Read `input` (the writer's stdin) to its end; `ended` runs once the store is closed after it. */
  read(input: Readable, ended: () => void): void {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.data(chunk));
    input.on('end', () => {
      void this.store.close().then(ended);
    });
  }

  /** A chunk of input: every line it completes is applied; the rest waits for the next chunk. */
  data(chunk: string): void {
    const text = this.partial + chunk;
    const last = text.lastIndexOf('\n');
    this.partial = text.slice(last + 1);
    if (last < 0) return;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1 && nl <= last; nl = text.indexOf('\n', start)) {
      if (nl > start) this.apply(text.slice(start, nl));
      start = nl + 1;
    }
    if (this.shown !== '') {
      this.show?.(this.shown);
      this.shown = '';
    }
  }

  /** Queue `line` (a message's console line) for printing, with the clock of `time`. */
  private showLine(time: number, line: string): void {
    this.shown += this.clock.text(time) + ' ' + line + '\n';
  }

  private apply(text: string): void {
    const store = this.store;
    const send = this.send;
    const kind = text.charCodeAt(0);
    if (kind === 0x41 /* A */ || kind === 0x42 /* B */) {
      // A\tmsgid\ttime\tconversation\ttarget\tsource\taccount\tcommand\ttags\ttext
      // B: shown as well, as the chat log shows a channel message.
      const f = text.split('\t');
      const time = Number(f[2]);
      const target = unescapeField(f[4]);
      const source = unescapeField(f[5]);
      const said = unescapeField(f[9]);
      store.history.appendRow([
        f[1],
        time,
        unescapeField(f[3]),
        target,
        source,
        f[6] === '' ? null : unescapeField(f[6]),
        f[7],
        unescapeField(f[8]),
        said,
      ]);
      if (kind === 0x42 && this.show !== null) {
        const bang = source.indexOf('!');
        const nick = bang === -1 ? source : source.slice(0, bang);
        const form = consoleForm(f[7], said);
        this.showLine(time, channelConsoleLine(target, nick, form.text, form.kind));
      }
      return;
    }
    if (kind === 0x4c /* L */) {
      if (this.show !== null) this.shown += unescapeField(text.slice(2)) + '\n';
      return;
    }
    if (kind === 0x50 /* P */ || kind === 0x53 /* S */) {
      // P\tmsgid\ttime\tfrom\tto\ttext (pipe.ts appendPrivate): an empty time is the last P
      // line's, a msgid `~rest` is the last one's first MSGID_HEAD bytes and the rest; the text
      // is not escaped and runs to the end of the line, tabs and all. S: shown as well.
      const f = text.split('\t');
      const said = f.length === 6 ? f[5] : f.slice(5).join('\t');
      if (f[2] !== '') this.lastTime = Number(f[2]);
      let msgid = f[1];
      if (msgid.charCodeAt(0) === 0x7e /* ~ */)
        msgid = this.lastMsgid.slice(0, MSGID_HEAD) + msgid.slice(1);
      this.lastMsgid = msgid;
      const from = this.parties[Number(f[3])];
      const to = this.parties[Number(f[4])];
      if (from === undefined || to === undefined) {
        send(['err', 'the history writer got a private message from or to an undefined party']);
        return;
      }
      if (kind === 0x53 && this.show !== null) {
        this.showLine(this.lastTime, privateConsoleLine(from.nick, to.nick, said));
      }
      store.history.appendRow([
        msgid,
        this.lastTime,
        conversationKey(from.historyId, to.historyId),
        to.nick,
        from.prefix,
        from.account,
        'PRIVMSG',
        '',
        said,
      ]);
      return;
    }
    if (kind === 0x44 /* D */) {
      // D\tnumber\thistoryId\tnick\tprefix\taccount: what P lines mean by that number from now on.
      const f = text.split('\t');
      this.parties[Number(f[1])] = {
        historyId: unescapeField(f[2]),
        nick: unescapeField(f[3]),
        prefix: unescapeField(f[4]),
        account: f[5] === '' ? null : unescapeField(f[5]),
      };
      return;
    }
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      send(['err', 'the history writer got a line it cannot read']);
      return;
    }
    if (line[0] === 'w') {
      try {
        method(store, line[1])(...line[2]);
      } catch (err) {
        // A write the store cannot take (no such method, arguments it refuses): reported, and
        // the lines after it still count.
        send(['err', err instanceof Error ? err.message : String(err)]);
      }
    } else if (line[0] === 'q') {
      const [, id, path, args] = line;
      store.flush(); // the query sees every write sent before it
      Promise.resolve()
        .then(() => method(store, path)(...args))
        .then(
          (value) => send(['r', id, value ?? null]),
          (err: unknown) => send(['x', id, err instanceof Error ? err.message : String(err)]),
        );
    }
  }
}

/**
 * Open `file` for a writer: answers ["ready"] and returns the writer, or answers ["fail", reason]
 * and returns null.
 */
export function openWriter(
  file: string,
  fsync: boolean,
  send: Send,
  show: ((text: string) => void) | null = null,
): Writer | null {
  let store: SqliteStore;
  try {
    store = openSqliteStore(file, { fsync, commitEveryMs: COMMIT_EVERY_MS });
  } catch (err) {
    const reason =
      err instanceof StoreOpenError ? err.message : `cannot open database ${file}: ${String(err)}`;
    send(['fail', reason]);
    return null;
  }
  const writer = new Writer(store, send, show);
  send(['ready']);
  return writer;
}

/** The process: the arguments, stdin, stdout and signals wired to a Writer. */
function main(): void {
  const [file, fsync, shows] = process.argv.slice(2);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});
  // The server's stdout, when this writer prints its chat log (pipe.ts spawns it so).
  const console = shows === '1' ? consoleSink(3) : null;
  const show = console === null ? null : (text: string) => console.write(Buffer.from(text));
  const writer = openWriter(file, fsync === '1', jsonLines(process.stdout), show);
  if (writer === null) {
    process.exitCode = 2;
    return;
  }
  const exit = () => process.exit(0);
  writer.read(process.stdin, () => (console === null ? exit() : console.end(exit)));
}

/** Whether this file is the one node was started with (pipe.ts spawns it), not imported (tests). */
function isScript(): boolean {
  try {
    return fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false; // no script (node -e), or one that is gone
  }
}

if (isScript()) main();
