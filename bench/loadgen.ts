// Load-generator connections: byte-level line framing over one shared read buffer, paced registration.
import net from 'node:net';
import { LatencyHistogram } from './stats.js';

/** Every socket reads into this one buffer; its callback consumes the bytes before the next read. */
const READ_BUFFER = Buffer.allocUnsafe(1 << 18);
const NL = 10;
const CR = 13;

/** Called for each complete line: bytes buf[start, end), CR LF stripped. Valid only during the call. */
export type LineHandler = (conn: Conn, buf: Buffer, start: number, end: number) => void;

let pollNow = -1;
const resetPollNow = (): void => {
  pollNow = -1;
};

/**
 * When the generator's event loop woke with data ready (ms, performance.now's hrtime clock): read
 * once per poll pass and shared by every socket read in it, so the time spent reading the other
 * sockets of the same pass is not charged to the server's latency.
 */
export function receiveTime(): number {
  if (pollNow < 0) {
    pollNow = performance.now();
    setImmediate(resetPollNow);
  }
  return pollNow;
}

export class Conn {
  readonly socket: net.Socket;
  registered = false;
  /** Registered and, where the pool waits for more than 001 (see Arrival), arrived. */
  arrived = false;
  closed = false;
  /** A line split across reads, kept until its end arrives. */
  private carry: Buffer | null = null;
  /** performance.now() when the connect started (connect latency). */
  readonly startedAt = performance.now();

  constructor(
    readonly index: number,
    readonly nick: string,
    private readonly pool: Pool,
  ) {
    this.socket = net.connect({
      host: pool.host,
      port: pool.portFor(index),
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (n: number) => this.onRead(n) },
    });
    this.socket.on('connect', () => this.send(pool.greeting(nick)));
    this.socket.on('error', (err: NodeJS.ErrnoException) => pool.onError(this, err));
    this.socket.on('close', () => pool.onClose(this));
  }

  send(text: string): void {
    if (!this.closed) this.socket.write(text);
  }

  private onRead(n: number): boolean {
    const buf = READ_BUFFER.subarray(0, n);
    let start = 0;
    let nl = buf.indexOf(NL);
    if (this.carry !== null) {
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, buf]);
        return true;
      }
      const line = Buffer.concat([this.carry, buf.subarray(0, nl)]);
      this.carry = null;
      this.line(line, 0, line.length);
      start = nl + 1;
      nl = buf.indexOf(NL, start);
    }
    while (nl >= 0) {
      this.line(buf, start, nl);
      start = nl + 1;
      nl = buf.indexOf(NL, start);
    }
    if (start < n) this.carry = Buffer.from(buf.subarray(start));
    return true;
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === CR) end--;
    if (end > start) this.pool.onLine(this, buf, start, end);
  }
}

/** Index of the command's first byte (after an optional ":source "), or -1. */
export function commandStart(buf: Buffer, start: number, end: number): number {
  if (buf[start] !== 0x3a) return start;
  const sp = buf.indexOf(0x20, start);
  return sp < 0 || sp >= end ? -1 : sp + 1;
}

/** The command word of a line (slow path: allocates a string). */
export function commandOf(buf: Buffer, start: number, end: number): string {
  const c = commandStart(buf, start, end);
  if (c < 0) return '';
  let e = c;
  while (e < end && buf[e] !== 0x20) e++;
  return buf.toString('latin1', c, e);
}

export interface PoolStats {
  registered: number;
  failed: number;
  /** Connections that closed before the scenario ended. */
  dropped: number;
  errors: Record<string, number>;
}

/**
 * What counts as a connection's arrival when it is more than its 001: `onWelcome` runs at 001 (to
 * send a JOIN, say), and the connection holds its slot in the registration window until the line
 * handler calls `pool.arrived(conn)`.
 */
export interface Arrival {
  onWelcome?: (conn: Conn) => void;
}

/** A set of client connections to one server, opened with at most `window` arrivals in flight. */
export class Pool {
  readonly conns: Conn[] = [];
  handler: LineHandler = () => {};
  /** Time from connect() to arrival (001 unless an Arrival says more), per connection. */
  readonly connectLatency = new LatencyHistogram();
  readonly stats: PoolStats = { registered: 0, failed: 0, dropped: 0, errors: {} };
  /** Connections that arrived (001, or what the Arrival waits for). */
  arrivals = 0;
  /** Lines received on every connection (to see when traffic settles). */
  lines = 0;
  private closing = false;
  private onArrived: (() => void) | null = null;
  private arrival: Arrival | null = null;
  firstRegisteredAt = NaN;
  lastRegisteredAt = NaN;
  lastArrivedAt = NaN;

  constructor(
    readonly host: string,
    readonly port: number,
    /** Several servers of one network (bench/cluster.ts): connection i goes to ports[i % n]. */
    private readonly ports: readonly number[] = [],
  ) {}

  /** What a connection writes once connected: NICK and USER (a subclass may negotiate CAPs first). */
  greeting(nick: string): string {
    return `NICK ${nick}\r\nUSER ${nick} 0 * :bench\r\n`;
  }

  portFor(index: number): number {
    return this.ports.length === 0 ? this.port : this.ports[index % this.ports.length];
  }

  /**
   * Open `count` more connections named prefix+index, at most `window` of them between connect()
   * and arrival (001, or what `arrival` adds) at a time. Resolves when each has arrived or failed,
   * or when for `stallMs` none has arrived and no line came (the stragglers are then closed and
   * counted as failed).
   */
  async open(
    count: number,
    window: number,
    prefix: string,
    stallMs: number,
    arrival: Arrival | null = null,
  ): Promise<void> {
    const first = this.conns.length;
    let next = first;
    let inFlight = 0;
    let progressAt = performance.now();
    this.arrival = arrival;
    const done = () => this.arrivals + this.stats.failed >= first + count;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearInterval(watchdog);
        this.onArrived = null;
        this.arrival = null;
        resolve();
      };
      // Lines coming in count as progress too: with many arrivals in flight into a big channel a
      // server can relay JOINs and NAMES for longer than stallMs before the next arrival is done.
      let lines = this.lines;
      const watchdog = setInterval(() => {
        if (this.lines !== lines) [lines, progressAt] = [this.lines, performance.now()];
        if (performance.now() - progressAt < stallMs) return;
        for (const c of this.conns) if (!c.arrived && !c.closed) c.socket.destroy();
        finish();
      }, 100);
      const pump = () => {
        if (done()) return finish();
        while (inFlight < window && next < first + count) {
          inFlight++;
          this.conns.push(new Conn(next, prefix + next, this));
          next++;
        }
      };
      this.onArrived = () => {
        inFlight--;
        progressAt = performance.now();
        pump();
      };
      pump();
    });
  }

  /** `conn` has arrived (called by the line handler when an Arrival waits for more than 001). */
  arrived(conn: Conn): void {
    if (conn.arrived) return;
    conn.arrived = true;
    const now = performance.now();
    this.connectLatency.record((now - conn.startedAt) * 1000);
    this.arrivals++;
    this.lastArrivedAt = now;
    this.onArrived?.();
  }

  onLine(conn: Conn, buf: Buffer, start: number, end: number): void {
    this.lines++;
    if (conn.registered) return this.handler(conn, buf, start, end);
    const cmd = commandOf(buf, start, end);
    if (cmd === '001') {
      conn.registered = true;
      const now = performance.now();
      if (this.stats.registered++ === 0) this.firstRegisteredAt = now;
      this.lastRegisteredAt = now;
      if (this.arrival === null) this.arrived(conn);
      else this.arrival.onWelcome?.(conn);
    } else if (cmd === 'PING') {
      Pool.pong(conn, buf, start, end);
    } else if (cmd === '433' || cmd === '432' || cmd === 'ERROR') {
      this.count(`registration ${cmd}`);
      conn.socket.destroy();
    }
  }

  onError(_conn: Conn, err: NodeJS.ErrnoException): void {
    this.count(err.code ?? err.message);
  }

  onClose(conn: Conn): void {
    if (conn.closed) return;
    conn.closed = true;
    if (this.closing) return;
    if (conn.arrived) this.stats.dropped++;
    else {
      this.stats.failed++;
      this.onArrived?.();
    }
  }

  /** Answer a server PING (for handlers' slow path). */
  static pong(conn: Conn, buf: Buffer, start: number, end: number): void {
    conn.send(`PONG ${buf.toString('latin1', buf.indexOf(0x20, start) + 1, end)}\r\n`);
  }

  private count(what: string): void {
    this.stats.errors[what] = (this.stats.errors[what] ?? 0) + 1;
  }

  /** Close every connection; later closes are not counted as drops. */
  closeAll(): void {
    this.closing = true;
    // RST instead of FIN: no TIME_WAIT left behind to exhaust ephemeral ports over repeated runs.
    for (const c of this.conns) if (!c.closed) c.socket.resetAndDestroy();
  }

  /** Live registered connections. */
  alive(): number {
    let n = 0;
    for (const c of this.conns) if (c.registered && !c.closed) n++;
    return n;
  }
}

/** Resolve after ms. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every few ms until true or `stallMs` pass without `progress()` changing. */
export async function waitFor(
  cond: () => boolean,
  progress: () => number,
  stallMs: number,
  pollMs = 5,
): Promise<boolean> {
  let last = progress();
  let lastChange = performance.now();
  while (!cond()) {
    await sleep(pollMs);
    const p = progress();
    const now = performance.now();
    if (p !== last) {
      last = p;
      lastChange = now;
    } else if (now - lastChange > stallMs) return false;
  }
  return true;
}
