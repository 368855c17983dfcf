// The history pipe's line format (pipe.ts writes it, writer.ts reads it): tab-separated fields, escaped only when they hold a separator.
//
// `A` lines are any record: msgid, time, conversation, target, source, account, command, tags,
// text. `P` lines are the private-message fast path's, as short as they can be: msgid (`~rest`:
// the previous P line's first 9 bytes, then rest), time (empty: the previous P line's), the
// sender's and the recipient's party numbers, text (the rest of the line, never escaped). A party
// number is defined by a `D` line before its first use: number, history id, nick, source, account;
// a later D line with the same number replaces it. The writer makes the record (the conversation
// key among it). A `B` line is an A line (a channel message's) and an `S` line a P line that the
// writer also shows on the console (the chat log's line for it), an `L` line one console line of
// any other kind (escaped, the one field). Other lines are JSON (writes and queries, writer.ts).
//
// Why numbers: while the writer is behind (it shares a core with a saturated server), the pipe's
// backlog waits in the server's memory, and its size costs the server throughput (fresh pages,
// external memory that brings on full collections): P lines with the parties written out were
// ~140 bytes for a 52-byte text and cost 26% of private-message throughput; ~70 bytes cost 15%.
import { copyBytes } from '../protocol/bytes.js';
import type { HistoryRecord, Party } from './types.js';

const NEEDS_ESCAPE = /[\t\n\r\\]/;

/** `\` `\t` `\n` `\r` for backslash, tab, LF and CR, so a field holds no separator. */
export function escapeField(text: string): string {
  return text.replace(/[\t\n\r\\]/g, (c) =>
    c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\',
  );
}

/** A field as it crosses the pipe: escaped only when it holds a separator. */
export function field(text: string): string {
  return NEEDS_ESCAPE.test(text) ? escapeField(text) : text;
}

/**
 * A record's line up to its text: `A` (`B` when `shown`), then msgid, time, conversation, target,
 * source, account, command and tags, each followed by a tab. One string, written into the buffer
 * in one go (a native write per field cost more than the concatenation); no JSON.
 */
export function head(r: Omit<HistoryRecord, 'text'>, shown = false): string {
  return (
    (shown ? 'B\t' : 'A\t') +
    r.msgid +
    '\t' +
    r.time +
    '\t' +
    field(r.conversation) +
    '\t' +
    field(r.target) +
    '\t' +
    field(r.source) +
    '\t' +
    (r.account === null ? '' : field(r.account)) +
    '\t' +
    r.command +
    '\t' +
    field(r.tags) +
    '\t'
  );
}

/** The `D` line that makes `no` stand for party `p` in later P lines. */
export function partyLine(no: number, p: Party): string {
  const account = p.account === null ? '' : field(p.account);
  return `D\t${no}\t${field(p.historyId)}\t${field(p.nick)}\t${field(p.prefix)}\t${account}\n`;
}

/** Party numbers per epoch: the writer's table of parties never holds more. */
const MAX_PARTIES = 65_536;
/** Epochs of party numbers, across every pipe of the process (a Party may meet several). */
let epochs = 0;
const TAB = 0x09;
const TILDE = 0x7e;
/**
 * A msgid's bytes that its millisecond's msgids share (stamp.ts: 9 digits of milliseconds, then
 * the sequence): a P line whose msgid begins as the last one's sends `~` and the rest.
 */
export const MSGID_HEAD = 9;

/** Write the non-negative integer `n` in decimal at out[o]; returns where it ends. */
function putDecimal(out: Buffer, o: number, n: number): number {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  const end = o + digits;
  for (let k = end - 1; k >= o; k--) {
    out[k] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return end;
}

/** One pipe's P lines, written as bytes: the party numbers, time and msgid head they refer back to. */
export class PrivateLines {
  private epoch = ++epochs;
  private nextRef = 0;
  /** The last P line's time. */
  private timeOf = -1;
  /** The first MSGID_HEAD bytes of the last msgid written whole. */
  private readonly lastHead = Buffer.alloc(MSGID_HEAD);

  constructor(private readonly maxParties = MAX_PARTIES) {}

  /** The most bytes a P line with this msgid and text[start, end) takes. */
  static most(msgid: Buffer, start: number, end: number): number {
    return msgid.length + end - start + 40;
  }

  /** Whether `p`'s number is this epoch's. */
  numbered(p: Party): boolean {
    return p.refEpoch === this.epoch;
  }

  /** `p`'s number in this epoch; at its first use, `define` gets the D line that says so. */
  ref(p: Party, define: (line: string) => void): number {
    if (p.refEpoch === this.epoch) return p.ref;
    if (this.nextRef === this.maxParties) {
      // The writer's table is full: numbering starts over, every party is defined again at its
      // next use (a D line replaces what its number meant).
      this.epoch = ++epochs;
      this.nextRef = 0;
    }
    p.ref = this.nextRef++;
    p.refEpoch = this.epoch;
    define(partyLine(p.ref, p));
    return p.ref;
  }

  /**
   * Write the P line (an S line when `shown`) at out[o] (room for most() bytes); returns where it
   * ends. `text[start, end)` goes as it is, the line's last field.
   */
  write(
    out: Buffer,
    o: number,
    msgid: Buffer,
    time: number,
    fromRef: number,
    toRef: number,
    text: Buffer,
    start: number,
    end: number,
    shown = false,
  ): number {
    out[o++] = shown ? 0x53 : 0x50; // S or P
    out[o++] = TAB;
    if (time === this.timeOf && this.sharesHead(msgid)) {
      out[o++] = TILDE;
      o = copyBytes(out, o, msgid, MSGID_HEAD);
    } else {
      out.set(msgid, o);
      o += msgid.length;
      if (msgid.length >= MSGID_HEAD) this.lastHead.set(msgid.subarray(0, MSGID_HEAD));
    }
    out[o++] = TAB;
    if (time !== this.timeOf) {
      this.timeOf = time;
      o = putDecimal(out, o, time);
    }
    out[o++] = TAB;
    o = putDecimal(out, o, fromRef);
    out[o++] = TAB;
    o = putDecimal(out, o, toRef);
    out[o++] = TAB;
    o = copyBytes(out, o, text, start, end);
    out[o++] = 0x0a;
    return o;
  }

  /** Whether `msgid` begins with lastHead (and has more after it). */
  private sharesHead(msgid: Buffer): boolean {
    if (msgid.length <= MSGID_HEAD) return false;
    const head = this.lastHead;
    for (let k = 0; k < MSGID_HEAD; k++) if (msgid[k] !== head[k]) return false;
    return true;
  }
}

/** The inverse of escapeField. */
export function unescapeField(text: string): string {
  if (text.indexOf('\\') === -1) return text;
  return text.replace(/\\(.)/g, (_, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c,
  );
}
