// One client's socket: line framing, receive queue and flood bucket, send queue with a cap. Knows bytes, not commands.
//
//   open ──(first byte)──> reading ──close(reason)──> closing ──(socket 'close')──> closed
//                                  └─(error/reset/EOF)──────────────────────────────┘
//
// Input: bytes are split on LF (a CR before it, or anywhere, also ends a line); each line is checked
// against the wire limits (417 when too long) and handed on in order. With flood control on, a line
// that finds the bucket empty waits in the receive queue (fake lag); the connection is closed only
// when that queue, plus any unfinished line, passes `recvq` bytes.
// Output: the queue and its once-per-turn write live in output.ts; passing `sendq` closes the link.
// A line without tags is offered undecoded to `rawLine` first (the private-message fast path).
// Flow control (flow.ts): at most one read of input is handled per turn, and a connection whose
// recipients are over their high-water mark keeps the rest of its input and is not read until
// they drain; resumeNow() carries on after the turn's flush pass.
import { Socket } from 'node:net';
import { isHeld, runMore, setCurrent } from './flow.js';
import { markReady, writeEarly } from './flush.js';
import { Output } from './output.js';
import { describeError, errorLine, isValidUtf8, normalizeIp } from './wire.js';
import { Backlog, LINE_NOT_UTF8, LINE_TOO_LONG, LINE_UTF8 } from './backlog.js';
import type { Clock, ConnectionEvents, ConnectionLimits } from './connection-contract.js';
import { readInto } from './readinto.js';
import { MAX_CLIENT_TAGS_BYTES, MAX_LINE_BODY } from './limits.js';

export type { Clock, ConnectionEvents, ConnectionLimits } from './connection-contract.js';

let nextId = 1;

export class Connection<O = unknown> extends Output {
  readonly id = nextId++;
  readonly ip: string;
  /** Set by the owner right after construction: the client object this socket belongs to. */
  owner!: O;
  lastActivity: number;
  /** When the unfinished line now waiting for its end began to arrive; 0 when none waits. A line
   * trickled a byte at a time (slowloris) keeps lastActivity fresh but not this (server sweep). */
  lineStartedAt = 0;

  /** Input not handled yet: an unfinished line, or (while held back) the rest of a read. */
  private partial: Buffer | null = null;
  /** INPUT_* bits: reading paused by flow control, marked to go on after the flush pass. */
  private input = 0;
  /** Lines held back by the flood bucket (backlog.ts); null when none wait. */
  private waiting: Backlog | null = null;
  private tokens: number;
  private refilledAt: number;
  private floodTimer: NodeJS.Timeout | null = null;
  private destroyTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly socket: Socket,
    private limits: ConnectionLimits,
    private readonly events: ConnectionEvents<O>,
    private readonly clock: Clock = Date.now,
  ) {
    super();
    this.ip = normalizeIp(socket.remoteAddress ?? '0.0.0.0');
    this.lastActivity = clock();
    this.tokens = limits.flood?.burst ?? 0;
    this.refilledAt = this.lastActivity;
    // Module-level listeners find their Connection through the socket: no closures per client.
    (socket as OwnedSocket)[OWNER] = this;
    socket.on('error', onSocketError);
    socket.on('end', onSocketGone);
    socket.on('close', onSocketGone);
    socket.on('drain', onSocketDrain);
    // The socket arrives paused; reading starts here, into the shared buffer when Node allows.
    if (!readInto(socket, onSocketRead)) {
      socket.on('data', onSocketData);
      socket.resume();
    }
  }

  /** Replace the limits (config reload); the bucket keeps its current level. */
  setLimits(limits: ConnectionLimits): void {
    this.limits = limits;
    if (limits.flood === null) this.drainWaiting();
  }

  /**
   * Say goodbye: queue `lastWords` (an ERROR line), flush, half-close, and destroy the socket if the
   * peer has not closed within a second. The owner is told via `closed` at once.
   */
  close(reason: string, lastWords: Buffer | null): void {
    if (this.closed || this.closing) return;
    if (lastWords !== null) this.send(lastWords);
    if (this.closed) return;
    this.closing = true;
    this.flush(true);
    this.releaseFlow();
    this.events.closed(this, reason);
    this.clearTimers();
    this.socket.end();
    this.destroyTimer = setTimeout(() => this.socket.destroy(), 1000);
    this.destroyTimer.unref();
  }

  // ---- input ----

  /** @internal Bytes from the socket: chunk[0, length), valid only during the call. */
  onData(chunk: Buffer, length: number): void {
    if (this.closing || this.closed) return;
    this.lastActivity = this.clock();
    let buf = chunk;
    let end = length;
    if (this.partial !== null) {
      buf = Buffer.concat([this.partial, chunk.subarray(0, length)]);
      end = buf.length;
      this.partial = null;
    }
    if ((this.input & INPUT_PAUSED) !== 0) {
      // Read before the pause took effect: kept, in order, for when this connection goes on.
      this.partial = Buffer.from(buf.subarray(0, end));
      return;
    }
    this.consume(buf, end);
  }

  /**
   * Hand on the lines of buf[0, end) until flow control holds this connection back; keep (copied)
   * what is left: the rest of the lines when held, else an unfinished line.
   */
  private consume(buf: Buffer, end: number): void {
    const was = setCurrent(this);
    // Every search below is bounded: bytes past `end` (stale in the shared read buffer) only ever
    // stop a search early, and the next CR's position is kept across lines, so LF-only input does
    // not rescan the rest of the chunk for each line.
    let start = 0;
    let cr = -2; // the first CR at or after the last search, -1 for none, -2 before any search
    // Held before this read (another node's hold comes from the bus between reads, while the
    // socket is idle): not even the first line goes on.
    let held = isHeld(this);
    while (start < end && !held) {
      const lf = buf.indexOf(10, start);
      if (lf === -1 || lf >= end) break;
      // A CR before the LF, or anywhere in the line, also ends a line; empty pieces are skipped.
      let s = start;
      while (s < lf) {
        if (cr !== -1 && cr < s) cr = buf.indexOf(13, s);
        const e = cr === -1 || cr > lf ? lf : cr;
        if (e > s) this.takeLine(buf, s, e);
        if (this.closing || this.closed) {
          setCurrent(was);
          return;
        }
        s = e + 1;
        if ((held = isHeld(this))) break;
      }
      start = s < lf ? s : lf + 1;
    }
    setCurrent(was);
    if (held) {
      // The rest waits, whole lines and all, until the recipients drain; it is at most one read.
      if (start < end) this.partial = Buffer.from(buf.subarray(start, end));
      this.pauseInput();
      return;
    }
    if (start < end) {
      const rest = end - start;
      if (rest + (this.waiting?.bytes ?? 0) > this.limits.recvq) {
        this.close('Receive queue exceeded', errorLine('Receive queue exceeded (line too long)'));
        return;
      }
      // Copy, so that a short tail does not pin a large chunk in memory.
      this.partial = Buffer.from(buf.subarray(start, end));
      // A line ended in this chunk: the tail is a new line. Else the same one goes on arriving.
      if (start > 0 || this.lineStartedAt === 0) this.lineStartedAt = this.lastActivity;
    } else {
      this.lineStartedAt = 0;
    }
  }

  /** @internal A full read was handled: no more input this turn, so no sender monopolises one. */
  yieldTurn(): void {
    if (this.closing || this.closed) return;
    this.pauseInput();
    this.resume();
  }

  private pauseInput(): void {
    if ((this.input & INPUT_PAUSED) !== 0) return;
    this.input |= INPUT_PAUSED;
    this.socket.pause();
  }

  /** Flow control let this connection go: carry on after the flush pass (resumeNow). */
  resume(): void {
    if ((this.input & INPUT_READY) !== 0 || this.closing || this.closed) return;
    this.input |= INPUT_READY;
    markReady(this);
  }

  /** After the flush pass: a long reply goes on, then kept input, then reading the socket. */
  resumeNow(): void {
    this.input &= ~INPUT_READY;
    if (this.closing || this.closed) return;
    runMore(this);
    if (isHeld(this)) return;
    if (this.waiting !== null) {
      this.drainWaiting();
      if (this.closing || this.closed || isHeld(this)) return;
    }
    const kept = this.partial;
    if (kept !== null && kept.indexOf(10) !== -1) {
      this.partial = null;
      this.consume(kept, kept.length);
      if (this.closing || this.closed || isHeld(this)) return;
    }
    if ((this.input & INPUT_PAUSED) !== 0) {
      this.input &= ~INPUT_PAUSED;
      this.socket.resume();
    }
  }

  private takeLine(buf: Buffer, s: number, e: number): void {
    let bodyStart = s;
    if (buf[s] === 0x40 /* @ */) {
      // Searched within the line only: lines of tags without a space must not each scan the chunk.
      let sp = buf.subarray(s, e).indexOf(32);
      sp = sp === -1 ? e : s + sp;
      if (sp - s - 1 > MAX_CLIENT_TAGS_BYTES) return this.tooLong();
      bodyStart = sp + 1;
    }
    if (e - bodyStart > MAX_LINE_BODY) return this.tooLong();
    const flood = this.limits.flood;
    const now = flood === null || (this.waiting === null && this.take(flood));
    if (now && bodyStart === s && this.events.rawLine?.(this, buf, s, e) === true) return;
    const line = buf.toString('utf8', s, e);
    const utf8 = isValidUtf8(line, buf, s, e);
    if (now) return this.events.line(this, line, utf8);
    const waiting = this.wait(line, utf8 ? LINE_UTF8 : LINE_NOT_UTF8, e - s);
    if (waiting.bytes > this.limits.recvq) {
      this.close('Excess Flood', errorLine('Excess Flood'));
      return;
    }
    this.armFloodTimer(flood);
  }

  /** A line past the limits gets 417, after the replies to the lines before it. */
  private tooLong(): void {
    if (this.waiting === null) this.events.lineTooLong(this);
    else this.wait('', LINE_TOO_LONG, 0);
  }

  private wait(line: string, kind: number, bytes: number): Backlog {
    const waiting = (this.waiting ??= new Backlog());
    waiting.push(line, kind, bytes);
    return waiting;
  }

  /** Take one token from the bucket, refilling it for the time passed. */
  private take(flood: { burst: number; rate: number }): boolean {
    const now = this.clock();
    const refill = ((now - this.refilledAt) * flood.rate) / 1000;
    if (refill > 0) {
      this.tokens = Math.min(flood.burst, this.tokens + refill);
      this.refilledAt = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private armFloodTimer(flood: { burst: number; rate: number }): void {
    if (this.floodTimer !== null) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / flood.rate));
    this.floodTimer = setTimeout(() => {
      this.floodTimer = null;
      this.drainWaiting();
    }, wait);
  }

  /**
   * Hand on the held-back lines the bucket now allows (all of them when flood control is off),
   * stopping early while flow control holds this connection back.
   */
  private drainWaiting(): void {
    const flood = this.limits.flood;
    const was = setCurrent(this);
    while (this.waiting !== null && this.waiting.size > 0 && !this.closing && !this.closed) {
      if (isHeld(this)) {
        setCurrent(was);
        return;
      }
      if (flood !== null && !this.take(flood)) {
        this.armFloodTimer(flood);
        setCurrent(was);
        return;
      }
      const [line, kind] = this.waiting.shift();
      if (kind === LINE_TOO_LONG) this.events.lineTooLong(this);
      else this.events.line(this, line, kind === LINE_UTF8);
    }
    setCurrent(was);
    this.waiting = null;
    // Lines kept by flow control behind the held-back ones go on now.
    if (this.partial !== null && !this.closing && !this.closed) this.resume();
  }

  // ---- teardown ----

  /** @internal The socket failed or closed. */
  onGone(reason: string): void {
    if (this.closed) return;
    const wasClosing = this.closing;
    this.teardown();
    if (!wasClosing) this.events.closed(this, reason);
    this.socket.destroy();
  }

  private teardown(): void {
    this.closed = true;
    this.closing = true;
    this.dropOutput();
    this.releaseFlow();
    this.partial = null;
    this.waiting = null;
    this.clearTimers();
  }

  protected get sendq(): number {
    return this.limits.sendq;
  }

  now(): number {
    return this.clock();
  }

  sendqTimeout(): number {
    return this.limits.sendqTimeout;
  }

  protected overflow(): void {
    this.events.closed(this, 'SendQ exceeded');
    this.teardown();
    this.socket.destroy();
  }

  private clearTimers(): void {
    if (this.floodTimer !== null) clearTimeout(this.floodTimer);
    this.floodTimer = null;
    if (this.closed && this.destroyTimer !== null) clearTimeout(this.destroyTimer);
  }
}

const OWNER = Symbol('parley.connection');
type OwnedSocket = Socket & { [OWNER]: Connection };
const INPUT_PAUSED = 1;
const INPUT_READY = 2;

/** A read this large may have left more in the kernel: the rest waits for the next turn. */
const FULL_READ = 64 * 1024;

function onSocketData(this: Socket, chunk: Buffer): void {
  const conn = (this as OwnedSocket)[OWNER];
  conn.onData(chunk, chunk.length);
  if (chunk.length >= FULL_READ) conn.yieldTurn();
  writeEarly();
}

function onSocketRead(this: Socket, n: number, buf: Buffer): void {
  // Sentinels after the bytes read: a CR then an LF end every search in the stale rest early.
  if (n + 2 <= buf.length) {
    buf[n] = 13;
    buf[n + 1] = 10;
  }
  const conn = (this as OwnedSocket)[OWNER];
  conn.onData(buf, n);
  if (n === buf.length) conn.yieldTurn();
  writeEarly();
}

function onSocketDrain(this: Socket): void {
  (this as OwnedSocket)[OWNER].onDrain();
}

function onSocketError(this: Socket, err: NodeJS.ErrnoException): void {
  (this as OwnedSocket)[OWNER].onGone(describeError(err));
}

function onSocketGone(this: Socket): void {
  (this as OwnedSocket)[OWNER].onGone('Connection closed');
}

let nowhere: Connection | null = null;

/**
 * The connection of those with none here: a cluster replica (mirror.ts) and a detached always-on
 * user (server.ts). Closed from the start, so whatever is queued on it is dropped.
 */
export function nowhereConn<O>(): Connection<O> {
  if (nowhere === null) {
    const limits = { sendq: 0, sendqTimeout: 0, recvq: 0, flood: null };
    const events = { line() {}, lineTooLong() {}, closed() {} };
    nowhere = new Connection(new Socket(), limits, events);
    nowhere.closing = true;
  }
  return nowhere as Connection<O>;
}
