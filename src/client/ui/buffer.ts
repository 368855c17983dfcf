// One window's scrollback as a pure model: lines in server-time order, bounded, the unread rule, scrolling by rows, /find. No I/O.
//
//   lines (oldest first, sorted by time; equal times keep their arrival order)
//   ┌────────────────────────────┐
//   │ 11:58 <bob> older          │
//   │ ─── unread ─────────────── │ ◄ drawn before the first unread line since the marker was cleared
//   │                            │   (lines no newer than the read marker, read anywhere, never are)
//   │ 11:59 [history] <bob> hi   │
//   │ …                          │ ┐
//   │ 12:03 <alice> latest       │ ┘ `back` rows hidden below the view (0: following new lines)
//   └────────────────────────────┘
//
// Placing by time: a chat message carries the server's time (server-time), so a line replayed by
// catch-up, or an offline private message delivered live at login, lands among the lines it is
// older than. The normal case — newer than the last line — is an append. Lines timed by our own
// clock (state changes, local errors) are appended whatever their time, so a clock that differs
// from the server's cannot hide them above newer lines.
import { MIN_WRAP_ROOM, wrapLine } from './wrap.js';
import { displayWidth } from './width.js';

/**
 * Lines kept per window. 2,000 is hours of a busy channel and several screens of paging back;
 * at ~200 bytes a line, twenty windows hold under 10 MB. Older lines are not lost: the server's
 * history (catch-up) and logs keep them.
 */
export const SCROLLBACK_LINES = 2000;

/** The rule drawn before the first unread line; filled with '─' to the width. */
export const UNREAD_LABEL = '─── unread ';

const SGR = /\x1b\[[0-9;]*m/g;
const REVERSE = '\x1b[7m';
const RESET = '\x1b[0m';

export interface AddOptions {
  /** Where its wrapped rows go on (cells), instead of the view's indent (LineInfo.hang). */
  hang?: number;
  /** Put among the others by `time` (chat messages, with the server's time); else appended. */
  placed?: boolean;
  /** Counts as unread: the first such line since clearMarker() gets the unread rule above it. */
  unread?: boolean;
  /**
   * The conversation's read marker (epoch ms), when known: a line no newer than it has been
   * read (here or in another client) and is not unread.
   */
  read?: number | null;
}

export interface Viewport {
  /** The rows to draw, top first; fewer than asked when the buffer is short. */
  rows: string[];
  /** Rows hidden below the view (0: the newest line is on screen). */
  below: number;
}

interface Line {
  readonly text: string;
  readonly time: number;
  readonly seq: number;
  /** Added as unread (someone else's message): it may start the unread part. */
  readonly unread: boolean;
  readonly hang: number | undefined;
  /** Wrapped rows for the last width asked. */
  wrapped?: { width: number; indent: number; rows: string[] };
  /** The text without SGR, lower case: what /find looks in. */
  plain?: string;
}

/** Before `a` in buffer order: earlier time, or the same time and added earlier. */
function before(a: { time: number; seq: number }, b: { time: number; seq: number }): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class Buffer {
  private readonly lines: Line[] = [];
  private seq = 0;
  /** The first unread line's key (it may have been dropped: then the rule is drawn at the top). */
  private marker: { time: number; seq: number } | null = null;
  /** The read marker: lines no newer than this were read (null: none known). */
  private readUpTo: number | null = null;
  /** The newest placed line's time (chat messages: the server's time), or null. */
  private newestPlaced: number | null = null;
  /** Rows hidden below the view. */
  private back = 0;
  /** The width and indent of the last view(), to keep a scrolled view still as lines arrive. */
  private width = 80;
  private indent = 0;
  /** The /find match being shown (its seq), the text looked for, and the last row's line. */
  private found: number | null = null;
  private query: string | null = null;
  private bottomSeq: number | null = null;

  constructor(private readonly limit = SCROLLBACK_LINES) {}

  get length(): number {
    return this.lines.length;
  }

  /** The lines' text, oldest first (for tests and logs). */
  texts(): string[] {
    return this.lines.map((l) => l.text);
  }

  /** True when the view is scrolled up from the newest line. */
  get scrolled(): boolean {
    return this.back > 0;
  }

  /** The unread rule is showing. */
  get marked(): boolean {
    return this.marker !== null;
  }

  /** The newest chat message's server time (what MARKREAD says was read), or null. */
  get newest(): number | null {
    return this.newestPlaced;
  }

  add(text: string, time: number, opts: AddOptions = {}): void {
    const last = this.lines.at(-1);
    const t = Number.isFinite(time) ? time : (last?.time ?? 0);
    if (opts.read !== undefined && opts.read !== null) this.readTo(opts.read);
    const line: Line = {
      text,
      time: opts.placed === true || last === undefined ? t : Math.max(t, last.time),
      seq: this.seq++,
      unread: opts.unread === true,
      hang: opts.hang,
    };
    if (opts.placed === true) this.newestPlaced = Math.max(this.newestPlaced ?? t, t);
    let at = this.lines.length;
    if (last !== undefined && line.time < last.time) {
      // Binary search for the first line newer than this one.
      let lo = 0;
      let hi = this.lines.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.lines[mid].time > line.time) hi = mid;
        else lo = mid + 1;
      }
      at = lo;
    }
    this.lines.splice(at, 0, line);
    const marks =
      line.unread && !this.wasRead(line) && (this.marker === null || before(line, this.marker));
    if (marks) this.marker = { time: line.time, seq: line.seq };
    // Scrolled up: what arrives below the view pushes `back` up, so the view stays where it is.
    if (this.back > 0 && at === this.lines.length - 1) {
      this.back += this.rowsOf(line).length + (marks ? 1 : 0);
    }
    if (this.lines.length > this.limit) this.lines.shift();
  }

  /** Everything here has been seen: no unread rule until the next unread line. */
  clearMarker(): void {
    this.marker = null;
  }

  /**
   * Read up to `time` (the read marker moved: another client of the account read this far). The
   * unread rule moves down to the first unread line newer than it, or goes.
   */
  readTo(time: number): void {
    if (this.readUpTo !== null && time <= this.readUpTo) return;
    this.readUpTo = time;
    const m = this.marker;
    if (m === null || m.time > time) return;
    const from = this.markerIndex();
    const next =
      from === -1 ? undefined : this.lines.slice(from).find((l) => l.unread && l.time > time);
    this.marker = next === undefined ? null : { time: next.time, seq: next.seq };
  }

  /** No newer than the read marker: read already. */
  private wasRead(line: Line): boolean {
    return this.readUpTo !== null && line.time <= this.readUpTo;
  }

  /** Scroll by `rows`: positive goes back in time. Clamped to the oldest line by view(). */
  scroll(rows: number): void {
    this.back = Math.max(0, this.back + rows);
  }

  /** Back to the newest line, following what arrives. */
  toBottom(): void {
    this.back = 0;
  }

  /**
   * The rows of a `width` × `height` view: lines wrapped (rows after the first indented by
   * `indent`), the unread rule, the /find match in reverse video.
   */
  view(width: number, height: number, indent = 0): Viewport {
    this.width = width;
    this.indent = indent;
    const h = Math.max(0, height);
    const need = this.back + h;
    const markAt = this.markerIndex();
    const rev: string[] = []; // bottom row first
    const owner: number[] = []; // the line (seq) of each row in `rev`
    let i = this.lines.length - 1;
    for (; i >= 0 && rev.length < need; i--) {
      const rows = this.rowsOf(this.lines[i]);
      for (let k = rows.length - 1; k >= 0; k--) {
        rev.push(rows[k]);
        owner.push(this.lines[i].seq);
      }
      if (i === markAt) {
        rev.push(this.rule(width));
        owner.push(this.lines[i].seq);
      }
    }
    if (i < 0 && rev.length < need) this.back = Math.max(0, rev.length - h);
    this.bottomSeq = owner[this.back] ?? null;
    return { rows: rev.slice(this.back, this.back + h).reverse(), below: this.back };
  }

  /**
   * Show the next older line holding `query` (case-insensitive, colours ignored): the one before
   * the last match when the query is the same, else the newest at or above the bottom of the
   * view. The match is drawn in reverse video and centred in a view `height` rows high. False
   * when there is none (the view does not move).
   */
  find(query: string, height: number): boolean {
    const q = query.toLowerCase();
    if (q === '') return false;
    let from = this.lines.length - 1;
    const anchor = q === this.query ? this.found : this.bottomSeq;
    if (anchor !== null) {
      const k = this.lines.findIndex((l) => l.seq === anchor);
      if (k !== -1) from = q === this.query ? k - 1 : k;
    }
    this.query = q;
    for (let k = from; k >= 0; k--) {
      const l = this.lines[k];
      l.plain ??= l.text.replace(SGR, '').toLowerCase();
      if (!l.plain.includes(q)) continue;
      this.found = l.seq;
      l.wrapped = undefined; // drawn highlighted from now on
      this.back = Math.max(0, this.rowsBelow(k) - Math.floor((height - this.rowsOf(l).length) / 2));
      return true;
    }
    return false;
  }

  /** Stop highlighting the /find match; the next /find starts again from the view. */
  endFind(): void {
    const k = this.lines.findIndex((l) => l.seq === this.found);
    if (k !== -1) this.lines[k].wrapped = undefined;
    this.found = null;
    this.query = null;
  }

  private rule(width: number): string {
    const label = UNREAD_LABEL.slice(0, Math.max(0, width));
    return label + '─'.repeat(Math.max(0, width - displayWidth(label)));
  }

  /** Index of the first line at or after the marker, or -1. */
  private markerIndex(): number {
    const m = this.marker;
    if (m === null) return -1;
    for (let k = this.lines.length - 1; k >= 0; k--) {
      if (before(this.lines[k], m)) return k + 1 < this.lines.length ? k + 1 : -1;
    }
    return this.lines.length > 0 ? 0 : -1;
  }

  /** Rows taken by the lines after index `k` (and the rule among them). */
  private rowsBelow(k: number): number {
    let n = 0;
    for (let j = k + 1; j < this.lines.length; j++) n += this.rowsOf(this.lines[j]).length;
    const m = this.markerIndex();
    return n + (m > k ? 1 : 0);
  }

  private rowsOf(l: Line): string[] {
    // A line's own hang where the view indents at all, while it leaves room enough to wrap in.
    const hang = l.hang !== undefined && this.indent > 0 && this.width - l.hang >= MIN_WRAP_ROOM;
    const indent = hang ? l.hang! : this.indent;
    const w = l.wrapped;
    if (w !== undefined && w.width === this.width && w.indent === indent) return w.rows;
    const rows =
      l.seq === this.found
        ? wrapLine(l.text.replace(SGR, ''), this.width, indent).map((r) => REVERSE + r + RESET)
        : wrapLine(l.text, this.width, indent);
    l.wrapped = { width: this.width, indent, rows };
    return rows;
  }
}
