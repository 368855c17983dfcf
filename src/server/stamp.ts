// The server's single point of order: every accepted message gets a server-time and a msgid here.
//
// msgids sort in receipt order as plain strings: 9 base-36 digits of milliseconds since the epoch,
// then 4 of a per-millisecond sequence, then (in a cluster) `-<node id>`, so nodes never mint the
// same id. If the wall clock steps back, the last time is reused and the sequence keeps counting,
// so ids never go backwards within a process.

export interface Stamp {
  /** ISO 8601 UTC with milliseconds, as the server-time tag wants it. */
  time: string;
  /** Epoch milliseconds (monotonic within this process). */
  ms: number;
  msgid: string;
}

/**
 * The epoch ms a client's `YYYY-MM-DDThh:mm:ss[.fff]Z` (server-time, RFC 3339 in UTC) names, or
 * null when it is not one or names no real moment: Date.parse alone takes February 30 for March 1
 * and 24:00 for the next day.
 */
export function parseServerTime(text: string): number | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(text);
  if (m === null) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(m[1]) ? ms : null;
}

/** A msgid's digits of milliseconds, then of its place within the millisecond. */
const MS_DIGITS = 9;
const SEQ_DIGITS = 4;
/** The 4-digit base-36 sequence texts of the first 1296 messages of a millisecond, made once. */
const SEQ_TEXT = Array.from({ length: 36 * 36 }, (_, n) =>
  n.toString(36).padStart(SEQ_DIGITS, '0'),
);
/** The same as bytes, one after the other (msgidBytes). */
const SEQ_BYTES = Buffer.from(SEQ_TEXT.join(''), 'latin1');

/**
 * The stamp of a place in a cluster's order (cluster/bus-lua.ts ORDER): the same on every node,
 * with no node suffix (a node's own msgids all have one, so the two never meet).
 */
export function orderStamp(ms: number, seq: number): Stamp {
  if (ms !== order.ms) {
    // A busy channel's messages share their millisecond: its texts are made once.
    order.ms = ms;
    order.iso = new Date(ms).toISOString();
    order.prefix = msPrefix(ms);
  }
  return { time: order.iso, ms, msgid: order.prefix + seqText(seq) };
}

/** The last millisecond orderStamp was asked for, with its server-time and msgid prefix. */
const order = { ms: -1, iso: '', prefix: '' };

function msPrefix(ms: number): string {
  return ms.toString(36).padStart(MS_DIGITS, '0');
}

function seqText(seq: number): string {
  return seq < SEQ_TEXT.length ? SEQ_TEXT[seq] : seq.toString(36).padStart(SEQ_DIGITS, '0');
}

export class Stamper {
  /** Appended to every msgid: in a cluster, `-<node id>`, so two nodes never mint the same id in
   * one millisecond (ids still sort by time first). */
  suffix = '';
  private lastMs = 0;
  private seq = 0;
  private lastIso = '';
  private lastMsPrefix = '';
  /** While a cluster node replays a command (replica.ts): the stamp it was given, and the ticks taken. */
  private pinned: { stamp: Stamp; ticks: number } | null = null;

  constructor(private readonly clock: () => number = Date.now) {}

  /**
   * Until unpin(), stamps come from `stamp` (minted by the node the command came from): the first
   * tick gives `stamp` itself, the next ones `<msgid>.1`, `.2`... (sorting right after it), so every
   * node running the same command mints the same stamps.
   */
  pin(stamp: Stamp): void {
    this.pinned = { stamp, ticks: 0 };
  }

  /** Back to this process's own clock, which never goes back before the pinned time. */
  unpin(): void {
    const p = this.pinned;
    this.pinned = null;
    if (p !== null && p.stamp.ms > this.lastMs) {
      this.lastMs = p.stamp.ms;
      this.seq = 0;
      this.lastIso = p.stamp.time;
      this.lastMsPrefix = msPrefix(p.stamp.ms);
    }
  }

  /** The milliseconds of the pinned stamp while one is pinned, else null. */
  get pinnedMs(): number | null {
    return this.pinned === null ? null : this.pinned.stamp.ms;
  }

  next(): Stamp {
    this.tick();
    return this.last();
  }

  /** Take the next place in order, returning only its milliseconds: last() builds the rest. */
  tick(): number {
    if (this.pinned !== null) {
      this.pinned.ticks++;
      return this.pinned.stamp.ms;
    }
    const ms = this.clock();
    if (ms <= this.lastMs) {
      this.seq++;
    } else {
      this.lastMs = ms;
      this.seq = 0;
      this.lastIso = new Date(ms).toISOString();
      this.lastMsPrefix = msPrefix(ms);
    }
    return this.lastMs;
  }

  /** msgidBytes()'s scratch: the last msgid written, and the millisecond and suffix it was for. */
  private idBytes = Buffer.alloc(0);
  private idMs = -1;
  private idSuffix = '';

  /**
   * The last tick's msgid as ASCII bytes, in a scratch Buffer that the next call overwrites: for
   * the history pipe's fast path, which copies them at once (no string, no Stamp object: with the
   * msgid string built per private message and read a character at a time, the pipe's record cost
   * more than the rest of its bookkeeping).
   */
  msgidBytes(): Buffer {
    if (
      this.pinned !== null ||
      this.seq >= SEQ_TEXT.length ||
      this.lastMsPrefix.length !== MS_DIGITS
    ) {
      return Buffer.from(this.last().msgid, 'latin1');
    }
    if (this.idSuffix !== this.suffix || this.idBytes.length === 0) {
      this.idSuffix = this.suffix;
      this.idBytes = Buffer.alloc(MS_DIGITS + SEQ_DIGITS + this.suffix.length);
      this.idBytes.write(this.suffix, MS_DIGITS + SEQ_DIGITS, 'latin1');
      this.idMs = -1; // a new buffer: its milliseconds are still to write
    }
    if (this.idMs !== this.lastMs) {
      this.idMs = this.lastMs;
      this.idBytes.write(this.lastMsPrefix, 0, 'latin1');
    }
    const b = this.idBytes;
    const at = this.seq * SEQ_DIGITS;
    b[MS_DIGITS] = SEQ_BYTES[at];
    b[MS_DIGITS + 1] = SEQ_BYTES[at + 1];
    b[MS_DIGITS + 2] = SEQ_BYTES[at + 2];
    b[MS_DIGITS + 3] = SEQ_BYTES[at + 3];
    return b;
  }

  /** The stamp of the last tick(). */
  last(): Stamp {
    const p = this.pinned;
    if (p !== null) {
      if (p.ticks <= 1) return p.stamp;
      return { ...p.stamp, msgid: `${p.stamp.msgid}.${p.ticks - 1}` };
    }
    return {
      time: this.lastIso,
      ms: this.lastMs,
      msgid: this.lastMsPrefix + seqText(this.seq) + this.suffix,
    };
  }
}
