// A scripted socket for output.ts's unit tests: a kernel that takes part of a write and holds the rest by reference, as a stream does, and an Output over it that counts what it is told.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Output } from '../../src/server/output.js';
import { forget, highWater, isHeld, setCurrent, sweep } from '../../src/server/flow.js';

/**
 * The socket as Output sees it (`write`, `writableLength`), with a scripted kernel: each write
 * on an empty socket has `room` bytes taken at once (copied as they are then); the rest is held
 * by reference, as a stream holds it, and taken (copied) only by take().
 */
export class Kernel {
  writes = 0;
  /** The Buffer of the last write, as handed. */
  last: Buffer | null = null;
  room = Infinity;
  private got: Buffer[] = [];
  private held: Buffer[] = [];
  writableLength = 0;

  write(b: Buffer): boolean {
    this.writes++;
    this.last = b;
    const now = this.writableLength > 0 ? 0 : Math.min(this.room, b.length);
    this.got.push(Buffer.from(b.subarray(0, now)));
    if (now < b.length) {
      this.held.push(b.subarray(now));
      this.writableLength += b.length - now;
    }
    return this.writableLength === 0;
  }

  /** The reader catches up: everything held is taken. */
  take(): void {
    for (const b of this.held) this.got.push(Buffer.from(b));
    this.held = [];
    this.writableLength = 0;
  }

  received(): string {
    return Buffer.concat(this.got).toString('utf8');
  }
}

export class Out extends Output {
  readonly kernel = new Kernel();
  readonly socket = this.kernel as unknown as Socket; // only write and writableLength are used
  overflows = 0;
  resumes = 0;
  t = 1_000_000;
  constructor(private readonly cap = 1 << 20) {
    super();
    made.push(this);
  }
  protected get sendq(): number {
    return this.cap;
  }
  protected overflow(): void {
    this.overflows++;
    this.closed = true;
  }
  now(): number {
    return this.t;
  }
  sendqTimeout(): number {
    return 30_000;
  }
  resume(): void {
    this.resumes++;
  }
  resumeNow(): void {}
  flushes = 0;
  soonPasses = 0;
  override flush(force = false): void {
    this.flushes++;
    super.flush(force);
  }
  override flushSoon(): void {
    this.soonPasses++;
    super.flushSoon();
  }
  /** As Connection.close does with flow control. */
  leave(): void {
    this.closing = true;
    this.releaseFlow();
  }
}

const made: Out[] = [];
/** After each test: no current sender, and every output made is gone from flow control. */
export function forgetOutputs(): void {
  setCurrent(null);
  for (const o of made.splice(0)) {
    o.closing = true;
    forget(o);
  }
  sweep();
}

export const turn = () => new Promise((r) => setImmediate(r));
export const line = (s: string) => `${s}\r\n`;

/** Queue `head` then `text` then CR LF as direct.ts does: written straight into the line's room. */
export function raw(o: Output, head: Buffer, text: Buffer): void {
  const room = o.lineRoom(head.length + text.length + 2);
  if (room === null) return;
  let at = o.lineAt;
  at += head.copy(room, at);
  at += text.copy(room, at);
  room[at++] = 13;
  room[at++] = 10;
  o.commitLine(at);
}

/** Another connection filling scratch space with `fill` in the next turn, over anything left there. */
export async function scribble(fill = 'X'): Promise<void> {
  const other = new Out();
  for (let i = 0; i < 300; i++) other.sendText(line(fill.repeat(1000)));
  await turn();
}

/** An output whose write of `first` is left in flight (the kernel took 5 bytes), with `then`
 * queued behind it in the next turn. */
export async function inFlight(first: string, ...then: string[]): Promise<Out> {
  const o = new Out();
  o.kernel.room = 5;
  o.sendText(line(first));
  await turn();
  for (const t of then) o.sendText(line(t));
  if (then.length > 0) await turn();
  return o;
}

/** A sender that `r` holds back: r's pending output passed HIGH during one of its lines. */
export function heldBy(r: Out): Out {
  const sender = new Out();
  setCurrent(sender);
  r.sendText(line('m'.repeat(highWater(1 << 20))));
  setCurrent(null);
  assert.equal(isHeld(sender), true);
  return sender;
}
