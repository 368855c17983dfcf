// Read markers (IRCv3 draft/read-marker): MARKREAD parsed, the latest marker per conversation, and our own MARKREAD sent as the user reads — only forward, at most once per MARK_EVERY_MS per target.
//
//   server: MARKREAD #dev timestamp=2026-01-01T12:00:00.000Z   (on JOIN, on an answer to our
//           query, and whenever any connection of the account moves it; `*`: none set)
//   us:     MARKREAD #dev timestamp=<newest line shown>         (markRead(), throttled)
//           MARKREAD alice                                      (query(): private conversations
//                                                                get no marker on JOIN)
import { serializeBody } from '../protocol/index.js';

/** At most one MARKREAD per target this often: reading a busy channel must not flood the server. */
export const MARK_EVERY_MS = 2000;

/** One MARKREAD from the server: whose marker, and its time (epoch ms; null for `*`, none set). */
export interface ReadMark {
  target: string;
  marker: number | null;
}

const STAMP = /^timestamp=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)$/;

/** `MARKREAD <target> timestamp=<ISO 8601 UTC>|*` → ReadMark; null when it is not one. */
export function parseMarkRead(params: readonly string[]): ReadMark | null {
  const [target, value] = params;
  if (target === undefined || target === '' || value === undefined) return null;
  if (value === '*') return { target, marker: null };
  const m = STAMP.exec(value);
  const ms = m === null ? NaN : Date.parse(m[1]);
  return Number.isFinite(ms) ? { target, marker: ms } : null;
}

export interface MarkersHost {
  /**
   * MARKREAD may be sent: draft/read-marker is in force and we are logged in. Without an account
   * the server keeps a marker for that one connection, which no other client of ours and no
   * later session would ever see: not worth the lines.
   */
  enabled(): boolean;
  fold(name: string): string;
  write(line: string): void;
  now(): number;
  later(fn: () => void, ms: number): unknown;
}

/** One per session: the markers survive reconnects (the server sends them again on JOIN). */
export class ReadMarkers {
  /** Folded name → the latest marker the server told us. */
  private readonly known = new Map<string, number>();
  /** Folded name → the latest time we sent, and when we sent it (our clock). */
  private readonly sent = new Map<string, { marker: number; at: number }>();
  /** Folded name → a MARKREAD held back by the throttle (sent when its timer fires). */
  private readonly held = new Map<string, { target: string; marker: number }>();
  /** Folded names asked for with query() on this link. */
  private readonly asked = new Set<string>();

  constructor(private readonly host: MarkersHost) {}

  /** The marker of conversation `name`, or null when none is known. */
  get(name: string): number | null {
    return this.known.get(this.host.fold(name)) ?? null;
  }

  /**
   * A MARKREAD from the server. True when it is our own reading coming back (no later than
   * what we sent for that target), false when someone else (another client of the account)
   * moved it, or it is the marker set before we came.
   */
  received(mark: ReadMark): boolean {
    const key = this.host.fold(mark.target);
    if (mark.marker === null) return false;
    if (mark.marker > (this.known.get(key) ?? -Infinity)) this.known.set(key, mark.marker);
    return mark.marker <= (this.sent.get(key)?.marker ?? -Infinity);
  }

  /**
   * The user has seen `target` up to `time`: MARKREAD, unless it would not move the marker
   * forward; within MARK_EVERY_MS of the last one, held and sent (with the latest time) then.
   */
  markRead(target: string, time: number): void {
    const h = this.host;
    if (!h.enabled() || !Number.isFinite(time)) return;
    const key = h.fold(target);
    const held = this.held.get(key);
    const last = this.sent.get(key);
    const floor = Math.max(
      this.known.get(key) ?? -Infinity,
      last?.marker ?? -Infinity,
      held?.marker ?? -Infinity,
    );
    if (time <= floor) return;
    if (held !== undefined) {
      held.marker = time;
      return;
    }
    const wait = last === undefined ? 0 : last.at + MARK_EVERY_MS - h.now();
    if (wait <= 0) return this.send(key, target, time);
    this.held.set(key, { target, marker: time });
    h.later(() => this.release(key), wait);
  }

  /** Ask for the marker of `target` once per link, when none is known (private conversations). */
  query(target: string): void {
    const key = this.host.fold(target);
    if (!this.host.enabled() || this.known.has(key) || this.asked.has(key)) return;
    this.asked.add(key);
    this.host.write(serializeBody(null, 'MARKREAD', [target]));
  }

  /** Send what the throttle holds now (before QUIT: the last lines read count too). */
  flush(): void {
    for (const key of [...this.held.keys()]) this.release(key);
  }

  /** A new link: queries may be asked again. */
  linkLost(): void {
    this.asked.clear();
  }

  private release(key: string): void {
    const held = this.held.get(key);
    if (held === undefined) return;
    this.held.delete(key);
    const known = this.known.get(key) ?? -Infinity;
    if (this.host.enabled() && held.marker > known) this.send(key, held.target, held.marker);
  }

  private send(key: string, target: string, marker: number): void {
    this.sent.set(key, { marker, at: this.host.now() });
    const stamp = `timestamp=${new Date(marker).toISOString()}`;
    this.host.write(serializeBody(null, 'MARKREAD', [target, stamp]));
  }
}
