// Connections for connection.ts's unit tests: one on a socket that is never connected, with what its owner was told, a reader always full, and the clean-up after each test.
import net, { Socket } from 'node:net';
import { Connection, type ConnectionLimits } from '../../src/server/connection.js';
import { Flow, forget, sweep, type FlowPeer } from '../../src/server/flow.js';

export interface Seen {
  conn: Connection;
  /** Lines in order; a 417 shows as '<417>', a line that was not UTF-8 as '<bad>' + text. */
  lines: string[];
  raw: string[];
  closed: string[];
  clock: { t: number };
  feed(bytes: string | Buffer): void;
}

export const made: Connection[] = [];
const readers: FlowPeer[] = [];
/** Real sockets of a test, destroyed after it whatever happened. */
export const sockets: net.Socket[] = [];
/** After each test: its real sockets destroyed, its connections gone, its full readers forgotten. */
export function forgetConnections(): void {
  for (const so of sockets.splice(0)) so.destroy();
  for (const c of made.splice(0)) c.onGone('test over');
  for (const r of readers.splice(0)) forget(r);
  sweep();
}

/** A recipient that is over its high-water mark whenever `congested` is called for it. */
export function fullReader(): FlowPeer {
  const r: FlowPeer = {
    flow: null as Flow | null,
    pending: () => 1 << 20,
    sendqBytes: () => 1 << 20,
    sendqTimeout: () => 30_000,
    now: () => 0,
    isGone: () => false,
    flowState() {
      return ((this as { flow: Flow | null }).flow ??= new Flow());
    },
    resume: () => {},
    stalled: () => {},
    poll: () => {},
  };
  readers.push(r);
  return r;
}

/** A Connection on a socket that is never connected; input is handed to onData directly. */
export function conn(
  limits: Partial<ConnectionLimits> = {},
  rawTakes = false,
  after: (line: string) => void = () => {},
): Seen {
  const clock = { t: 1_000_000 };
  const lines: string[] = [];
  const raw: string[] = [];
  const closed: string[] = [];
  const c = new Connection(
    new Socket(),
    { sendq: 1 << 20, sendqTimeout: 30_000, recvq: 8192, flood: null, ...limits },
    {
      line: (_c, line, utf8) => {
        lines.push(utf8 ? line : `<bad>${line}`);
        after(line);
      },
      rawLine: (_c, buf, s, e) => {
        raw.push(buf.toString('latin1', s, e));
        return rawTakes;
      },
      lineTooLong: () => lines.push('<417>'),
      closed: (_c, reason) => closed.push(reason),
    },
    () => clock.t,
  );
  made.push(c);
  return {
    conn: c,
    lines,
    raw,
    closed,
    clock,
    feed(bytes) {
      // Stale bytes after the end, as the shared read buffer has them, must never count.
      const b = Buffer.from(bytes);
      const withStale = Buffer.concat([b, Buffer.from('\n\rSTALE\nMORE\r\n')]);
      c.onData(withStale, b.length);
    },
  };
}

/** The flood timer's work, done now: hand on the held lines the bucket allows at `s.clock`. */
export function drainHeld(s: Seen): void {
  (s.conn as unknown as { drainWaiting(): void }).drainWaiting();
}
