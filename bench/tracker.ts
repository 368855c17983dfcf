// Message payloads (sender id, sequence number, send time) and the receive-side accounting: latency, lost, duplicated, reordered.
import { LatencyHistogram } from './stats.js';

const TILDE = 0x7e;
const COLON = 0x3a;
const SPACE = 0x20;
const SID_DIGITS = 6;
const SEQ_DIGITS = 8;
const TS_DIGITS = 13;
/** '~' + sender id + sequence number + send time in µs, all fixed-width decimal. */
const FIELDS_LEN = 1 + SID_DIGITS + SEQ_DIGITS + TS_DIGITS;

/**
 * The text of a benchmark message: the fixed-width fields then `pad` filler bytes. The receiver
 * finds the fields at a fixed distance from the end of the line, so it never scans the prefix.
 */
export class Codec {
  private readonly filler: string;
  constructor(readonly pad: number) {
    this.filler = 'x'.repeat(pad);
  }

  /** The message text for sender `sid`, number `seq`, stamped now. */
  text(sid: number, seq: number): string {
    const us = Math.round(performance.now() * 1000);
    return (
      '~' +
      String(sid).padStart(SID_DIGITS, '0') +
      String(seq).padStart(SEQ_DIGITS, '0') +
      String(us).padStart(TS_DIGITS, '0') +
      this.filler
    );
  }

  /**
   * If buf[start, end) ends in a benchmark text (as the trailing parameter), decode it into `out`
   * and return true. Allocation-free.
   */
  decode(buf: Buffer, start: number, end: number, out: Decoded): boolean {
    const p = end - this.pad - FIELDS_LEN;
    if (p <= start || buf[p] !== TILDE) return false;
    // the trailing parameter: ':' before it, or just a space when it has none (both are valid IRC)
    if (buf[p - 1] !== COLON && buf[p - 1] !== SPACE) return false;
    let sid = 0;
    let i = p + 1;
    for (const stop = i + SID_DIGITS; i < stop; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) return false;
      sid = sid * 10 + d;
    }
    let seq = 0;
    for (const stop = i + SEQ_DIGITS; i < stop; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) return false;
      seq = seq * 10 + d;
    }
    let us = 0;
    for (const stop = i + TS_DIGITS; i < stop; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) return false;
      us = us * 10 + d;
    }
    out.sid = sid;
    out.seq = seq;
    out.sentUs = us;
    return true;
  }
}

export interface Decoded {
  sid: number;
  seq: number;
  sentUs: number;
}

/**
 * Receive-side accounting for `senders` senders of `perSender` messages each. With `broadcast`
 * every receiver gets its own copy of each message (a channel); otherwise each message has exactly
 * one receiver (private messages). Order is checked per (receiver, sender) pair.
 */
export class Tracker {
  readonly latency = new LatencyHistogram();
  /** Unique deliveries. */
  delivered = 0;
  duplicated = 0;
  reordered = 0;
  /** Lines that decoded but name a sender or sequence number outside the run. */
  malformed = 0;
  /** Unique deliveries per sender (window accounting). */
  readonly deliveredBy: Float64Array;
  lastDeliveryAt = NaN;
  private readonly last: Int32Array;
  private readonly seen: Uint8Array;

  constructor(
    readonly receivers: number,
    readonly senders: number,
    readonly perSender: number,
    readonly broadcast: boolean,
  ) {
    const pairs = receivers * senders;
    if (pairs > 50_000_000) throw new Error(`too many (receiver, sender) pairs: ${pairs}`);
    this.last = new Int32Array(pairs).fill(-1);
    const bits = (broadcast ? pairs : senders) * perSender;
    this.seen = new Uint8Array(Math.ceil(bits / 8));
    this.deliveredBy = new Float64Array(senders);
  }

  /** One message arrived at receiver `recv` at time `nowMs` (performance.now clock). */
  deliver(recv: number, m: Decoded, nowMs: number): void {
    const { sid, seq } = m;
    if (sid >= this.senders || seq >= this.perSender || recv >= this.receivers) {
      this.malformed++;
      return;
    }
    const pair = recv * this.senders + sid;
    const bit = (this.broadcast ? pair : sid) * this.perSender + seq;
    const byte = bit >>> 3;
    const mask = 1 << (bit & 7);
    if (this.seen[byte] & mask) {
      this.duplicated++;
      return;
    }
    this.seen[byte] |= mask;
    if (seq < this.last[pair]) this.reordered++;
    else this.last[pair] = seq;
    this.delivered++;
    this.deliveredBy[sid]++;
    this.lastDeliveryAt = nowMs;
    this.latency.record(nowMs * 1000 - m.sentUs);
  }
}
