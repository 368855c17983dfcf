// A connection's output: lines queued during an event-loop turn, written with one write per turn and one write in flight, under a cap.
//
// send() queues a Buffer shared between recipients; sendText()/sendRaw() encode a line meant for
// this connection alone into a per-turn scratch slab (slab.ts). The first line of a turn marks the
// connection dirty (flush.ts); flush() then makes one write of everything queued. While a write is
// in flight (the kernel has not taken all of it) nothing more is handed to the socket: the queue
// grows in user space and goes out as one write when the socket drains, so a slow reader costs
// one syscall per drain rather than per turn. Pending bytes (queued plus in flight) past the high
// water mark hold the current sender back (flow.ts); past the cap they are an overflow ("SendQ
// exceeded").
import type { Socket } from 'node:net';
import { congested, Flow, forget, highWater, progressed, type FlowPeer } from './flow.js';
import { markDirty, markSoon, type Resumable } from './flush.js';
import { claim, claimEnd, retireSlab, scratchSlab } from './slab.js';

const FLUSH_NOW = 1;
const FLUSH_SOON = 2;

/** A connection's scratch bytes of one turn grow as one region up to this size, then as several. */
const MAX_REGION = 64 * 1024;

export abstract class Output implements FlowPeer, Resumable {
  closing = false;
  protected closed = false;
  /** The turn's only shared Buffer while nothing else is queued (then `out` is empty): the usual
   * case of a fan-out recipient, queued without growing an array per connection per turn. */
  private one: Buffer | null = null;
  private out: Buffer[] = [];
  private outBytes = 0;
  /** Leading entries of `out` that are copies of their own, waiting for a write in flight. */
  private kept = 0;
  /** Scratch slab (slab.ts) holding text from sendText: [tailStart, tailEnd) is not in `out` yet, and
   * it may grow up to tailLimit. */
  private tail: Buffer | null = null;
  private tailStart = 0;
  private tailEnd = 0;
  private tailLimit = 0;
  /** Scratch bytes of this connection's last flushed turn: its first claim of a turn sets aside as
   * much, so a recipient of many lines a turn (a burst of private messages) keeps one region
   * without moving it into bigger claims as it grows. */
  private tailHint = 0;
  /** Bytes of the write in flight (the kernel has not taken them all yet); 0 when none. */
  private backlog = 0;
  /** FLUSH_* bits: marked for this turn's flush pass, or for the next soon pass. */
  private marks = 0;
  /** Flow control (flow.ts), made when this connection first congests, waits or backs up. */
  flow: Flow | null = null;

  abstract readonly socket: Socket;
  /** Bytes of output that may wait for a slow reader. */
  protected abstract get sendq(): number;
  /** The queue passed sendq or stopped moving: the output is already dropped; close the link. */
  protected abstract overflow(): void;
  abstract now(): number;
  abstract sendqTimeout(): number;
  /** Released by flow control: go on after the flush pass. */
  abstract resume(): void;
  abstract resumeNow(): void;

  /** Queue `buf` (shared between recipients; never modified) for the next flush. */
  send(buf: Buffer): void {
    if (this.closed || this.closing) return;
    if (this.tailEnd > this.tailStart) this.closeTail();
    this.push(buf);
    this.queued(buf.length);
  }

  /**
   * Queue news that may wait a little (someone arriving or leaving): it goes out with the next line
   * that cannot wait, or within SOON_MS (flush.ts), so a burst of arrivals costs each reader one
   * write per interval instead of one per arrival. Order is kept: it is the same queue.
   */
  sendSoon(buf: Buffer): void {
    if (this.closed || this.closing) return;
    if (this.tailEnd > this.tailStart) this.closeTail();
    this.push(buf);
    this.queued(buf.length, false);
  }

  /** Append `buf` to the queue: into `one` when the queue is empty, else to `out`. */
  private push(buf: Buffer): void {
    if (this.one === null && this.out.length === 0) this.one = buf;
    else this.spill().push(buf);
  }

  /** `out`, with `one` moved into it first (something is about to follow it). */
  private spill(): Buffer[] {
    if (this.one !== null) {
      this.out.push(this.one);
      this.one = null;
    }
    return this.out;
  }

  /**
   * Queue a line meant for this connection only (CR LF included): encoded straight into a scratch
   * region, so a private message costs no Buffer of its own until the flush copies it.
   */
  sendText(text: string): void {
    if (this.closed || this.closing) return;
    const tail = this.reserve(text.length * 3); // UTF-8 needs at most 3 bytes per UTF-16 unit
    const n = tail.write(text, this.tailEnd);
    this.tailEnd += n;
    this.queued(n);
  }

  /**
   * Room for one line meant for this connection only, written by the caller straight into the
   * scratch slab from lineAt() on (at most `most` bytes, CR LF included); commitLine() then queues
   * it. Null when closed or closing. The private-message fast path (direct.ts) assembles its line
   * here from its pieces, with no staging copy.
   */
  lineRoom(most: number): Buffer | null {
    if (this.closed || this.closing) return null;
    return this.reserve(most);
  }

  /** Where the line given room by lineRoom() starts in its slab. */
  get lineAt(): number {
    return this.tailEnd;
  }

  /** Queue the line written from lineAt() up to `end`. */
  commitLine(end: number): void {
    const n = end - this.tailEnd;
    this.tailEnd = end;
    this.queued(n);
  }

  /** The scratch slab with at least `most` free bytes at tailEnd. */
  private reserve(most: number): Buffer {
    if (this.tail === null || this.tailEnd + most > this.tailLimit) {
      const pending = this.tailEnd - this.tailStart;
      if (pending > 0 && pending + most <= MAX_REGION) {
        // Moved into a claim twice the size: the turn's bytes stay one region, which the flush
        // can write as it is (amortized, each byte is moved about once).
        const at = claim(Math.max(2 * (this.tailLimit - this.tailStart), pending + most));
        const slab = scratchSlab();
        this.tail!.copy(slab, at, this.tailStart, this.tailEnd);
        this.tail = slab;
        this.tailStart = at;
        this.tailEnd = at + pending;
      } else {
        if (pending > 0) this.closeTail();
        const at = claim(this.tail === null ? Math.max(most, this.tailHint) : most);
        this.tail = scratchSlab();
        this.tailStart = this.tailEnd = at;
      }
      this.tailLimit = claimEnd();
    }
    return this.tail;
  }

  /** Move the tail's unqueued bytes into `out`, keeping its free space for more text. */
  private closeTail(): void {
    this.spill().push(this.tail!.subarray(this.tailStart, this.tailEnd));
    this.tailStart = this.tailEnd;
  }

  private queued(bytes: number, now = true): void {
    this.outBytes += bytes;
    const sendq = this.sendq;
    if (this.outBytes + this.backlog > highWater(sendq)) {
      // The write in flight may have finished unnoticed (a socket whose high-water mark is over 1).
      if (this.backlog > 0 && this.socket.writableLength === 0) this.backlog = 0;
      const pending = this.outBytes + this.backlog;
      if (pending > sendq) {
        this.dropOutput();
        this.overflow();
        return;
      }
      if (pending > highWater(sendq)) congested(this);
    }
    if ((this.marks & FLUSH_NOW) !== 0) return;
    if (now) {
      this.marks |= FLUSH_NOW;
      markDirty(this);
    } else if ((this.marks & FLUSH_SOON) === 0) {
      this.marks |= FLUSH_SOON;
      markSoon(this);
    }
  }

  /** @internal The soon pass: write what waited, unless this turn's pass will. */
  flushSoon(): void {
    this.marks &= ~FLUSH_SOON;
    if ((this.marks & FLUSH_NOW) === 0) this.flush();
  }

  // ---- flow control (flow.ts) ----

  pending(): number {
    return this.outBytes + this.backlog;
  }

  sendqBytes(): number {
    return this.sendq;
  }

  isGone(): boolean {
    return this.closed || this.closing;
  }

  flowState(): Flow {
    return (this.flow ??= new Flow());
  }

  /** @internal The write in flight has finished (the socket's 'drain'). */
  onDrain(): void {
    if (this.closed || this.backlog === 0) return;
    this.backlog = this.socket.writableLength;
    if (this.backlog > 0) return;
    if (this.outBytes > 0 && (this.marks & FLUSH_NOW) === 0) {
      this.marks |= FLUSH_NOW;
      markDirty(this);
    }
    progressed(this, false);
  }

  poll(): void {
    if (this.backlog > 0 && this.socket.writableLength === 0) this.onDrain();
  }

  stalled(): void {
    this.dropOutput();
    this.overflow();
  }

  protected releaseFlow(): void {
    forget(this);
  }

  /** Write what is queued, unless a write is in flight (then it waits for the drain); `force`
   * writes regardless (closing). */
  flush(force = false): void {
    this.marks &= ~FLUSH_NOW;
    const tail = this.tail;
    const tailStart = this.tailStart;
    const tailEnd = this.tailEnd;
    this.tail = null;
    this.tailStart = this.tailEnd = this.tailLimit = 0;
    this.tailHint = Math.min(tailEnd - tailStart, MAX_REGION);
    const out = this.out;
    const one = this.one;
    const bytes = this.outBytes;
    if (this.closed || (one === null && out.length === 0 && tailEnd === tailStart)) return;
    if (this.backlog > 0 && !force) {
      // Scratch slabs are reused after this pass, so this turn's lines (some of them views into a
      // slab) are copied into one Buffer of their own to wait for the drain.
      this.spill();
      if (tailEnd > tailStart) out.push(tail!.subarray(tailStart, tailEnd));
      if (out.length > this.kept) {
        const fresh = out.splice(this.kept);
        out.push(Buffer.concat(fresh));
        this.kept = out.length;
      }
      return;
    }
    this.kept = 0;
    this.outBytes = 0;
    // One write per turn. Copying the queued lines into one Buffer is cheaper than handing the
    // stream N chunks to gather (cork/uncork builds a writev request and an array per flush).
    let chunk: Buffer;
    if (one !== null && tailEnd === tailStart) {
      // The usual turn of a fan-out recipient: one shared line, written as it is.
      this.one = null;
      chunk = one;
    } else if (one === null && out.length === 0) {
      if (this.socket.writableLength === 0) {
        // Only scratch bytes and nothing waiting: written straight from the slab, no copy. Should
        // the kernel not take them all, the stream keeps the rest, so the slab is retired.
        this.socket.write(tail!.subarray(tailStart, tailEnd));
        this.written();
        if (this.backlog > 0) retireSlab(tail!);
        return;
      }
      chunk = Buffer.allocUnsafe(bytes);
      tail!.copy(chunk, 0, tailStart, tailEnd);
    } else {
      this.spill();
      if (tailEnd > tailStart) out.push(tail!.subarray(tailStart, tailEnd));
      chunk = out.length === 1 && tail === null ? out[0] : Buffer.concat(out, bytes);
      this.out = [];
    }
    this.socket.write(chunk);
    this.written();
  }

  /** After a write: either the kernel took it all, or it is in flight until the drain. */
  private written(): void {
    this.backlog = this.socket.writableLength;
    if (this.backlog > 0) progressed(this, true);
    else if (this.flow !== null) progressed(this, false);
  }

  protected dropOutput(): void {
    this.kept = 0;
    this.one = null;
    this.out = [];
    this.outBytes = 0;
    this.tail = null;
    this.tailStart = this.tailEnd = this.tailLimit = 0;
  }
}
