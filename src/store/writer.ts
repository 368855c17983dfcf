// The history writer process: owns the SQLite file and applies what the server sends it over a pipe (see pipe.ts).
//
// Run as `node writer.js <file> <fsync 0|1>` with stdin/stdout pipes to the server. A line on
// stdin that starts with `A` appends a message (tab-separated fields, pipe.ts); any other is a
// JSON array: ["w", path, args] is another write (redact, setMeta...), ["q", id, path, args] a
// query answered on stdout as ["r", id, value] or ["x", id, reason]. Rows are committed every
// COMMIT_EVERY_MS, and a query first commits what came before it, so it sees every write the
// server made before asking.
// It answers ["ready"] once the file is open, or ["fail", reason] and exits 2.
//
// It ignores SIGINT, SIGTERM and SIGHUP: when the server stops, or is killed outright, the pipe
// closes and the writer drains it, commits and exits, so a message the server had handed over
// before dying is still stored.
import { unescapeField } from './pipe.js';
import { openSqliteStore, type SqliteStore } from './sqlite.js';
import { StoreOpenError } from './types.js';

type Line = ['w', string, unknown[]] | ['q', number, string, unknown[]];

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

function send(line: unknown[]): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function main(): void {
  const [file, fsync] = process.argv.slice(2);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});
  let store: SqliteStore;
  try {
    store = openSqliteStore(file, { fsync: fsync === '1', commitEveryMs: COMMIT_EVERY_MS });
  } catch (err) {
    const reason =
      err instanceof StoreOpenError ? err.message : `cannot open database ${file}: ${String(err)}`;
    send(['fail', reason]);
    process.exitCode = 2;
    return;
  }
  store.onError = (err) => send(['err', err.message]);
  send(['ready']);

  let partial = '';
  const apply = (text: string): void => {
    if (text.charCodeAt(0) === 0x41 /* A */) {
      // A\tmsgid\ttime\tconversation\ttarget\tsource\taccount\tcommand\ttags\ttext
      const f = text.split('\t');
      store.history.appendRow([
        f[1],
        Number(f[2]),
        unescapeField(f[3]),
        unescapeField(f[4]),
        unescapeField(f[5]),
        f[6] === '' ? null : unescapeField(f[6]),
        f[7],
        unescapeField(f[8]),
        unescapeField(f[9]),
      ]);
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
      method(store, line[1])(...line[2]);
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
  };
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    const text = partial + chunk;
    const last = text.lastIndexOf('\n');
    partial = text.slice(last + 1);
    if (last < 0) return;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1 && nl <= last; nl = text.indexOf('\n', start)) {
      if (nl > start) apply(text.slice(start, nl));
      start = nl + 1;
    }
  });
  process.stdin.on('end', () => {
    void store.close().then(() => process.exit(0));
  });
}

main();
