// Drawing the --inline layout with plain ANSI sequences: messages into the normal scrollback, status + input pinned below.
//
//   ┌──────────────────────────────────────────────────────────┐
//   │ (older lines: the terminal's own scrollback)             │
//   │ 12:00:01 <alice> hi                                      │ ◄ messages are written in the normal
//   │ 12:00:02 [dave → you] psst                               │   flow, so they scroll up into history
//   │ #lobby | carol | connected | lag 3ms | [#dev 3] [dave 1*]│ ◄ row H-1: status line
//   │ [#lobby] hello wor█                                      │ ◄ row H:   input line, scrolled
//   └──────────────────────────────────────────────────────────┘     sideways to keep the cursor in view
//
// Every frame is one write: hide the cursor, go to the start of row H-1, erase to the end of the
// screen, write any new message lines each followed by CR LF (the terminal scrolls as needed), the
// status line, CR LF, the input line, then put the cursor back and show it. Nothing uses the
// alternate screen or a scroll region, so the history stays in the terminal's scrollback and a
// resize only needs the same redraw. Widths are terminal cells (displayWidth): CJK and emoji are 2.
import type { Status } from '../view.js';
import { stripControls as name } from '../../protocol/sanitize.js';
import { graphemeBoundaries } from './editor.js';
import { displayWidth } from './width.js';

const ESC = '\x1b';
const HIDE_CURSOR = `${ESC}[?25l`;
const SHOW_CURSOR = `${ESC}[?25h`;
const ERASE_DOWN = `${ESC}[J`;
const RESET = `${ESC}[0m`;
/** Bracketed paste: the terminal wraps pasted text in ESC[200~ … ESC[201~. */
export const PASTE_ON = `${ESC}[?2004h`;
export const PASTE_OFF = `${ESC}[?2004l`;
const SGR_PART = /(\x1b\[[0-9;]*m)/;

const cup = (row: number, col: number): string => `${ESC}[${row};${col}H`;
const sgr = (params: string): string => `${ESC}[${params}m`;

/** The terminal (process.stdout): something to write to, and its size when it knows it. */
export interface TermOut {
  write(chunk: string): unknown;
  columns?: number;
  rows?: number;
}

/** What the two bottom rows show. `cursor` is a UTF-16 offset into `text`. */
export interface Frame {
  status: string;
  prompt: string;
  text: string;
  cursor: number;
  /** The prompt asks for something not drawn (a password): it may use the whole row. */
  question?: boolean;
}

/**
 * The prompt as drawn on a row of `cols` cells: at most a third of it, so that typing keeps the
 * rest (promptFor() fits already); a question (nothing typed is drawn) all but the last column.
 */
export function fitPrompt(frame: Frame, cols: number): string {
  return fitCells(frame.prompt, frame.question === true ? cols - 1 : Math.floor(cols / 3));
}

/**
 * `s` cut to at most `width` cells, with "…" where it was cut. SGR codes in `s` take no cells
 * and are kept; a cut line that holds any ends with a reset.
 */
export function fitCells(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const part of s.split(SGR_PART)) {
    if (SGR_PART.test(part)) {
      out += part;
      continue;
    }
    const b = graphemeBoundaries(part);
    for (let k = 0; k + 1 < b.length; k++) {
      const g = part.slice(b[k], b[k + 1]);
      const w = displayWidth(g);
      if (used + w > width - 1) return out + '…' + (s.includes(ESC) ? RESET : '');
      out += g;
      used += w;
    }
  }
  return out;
}

export interface InputLayout {
  /** UTF-16 offset of the first visible character (kept between frames). */
  offset: number;
  visible: string;
  /** Cells from the start of the visible text to the cursor. */
  column: number;
}

/**
 * The part of `text` to show in `width` cells so that the cursor is visible. `offset` is the
 * previous frame's: the view only moves when the cursor leaves it, and then re-centres on the
 * cursor (fewer jumps while typing); it never leaves cells empty on the right while text is
 * hidden on the left. A wide character that does not fit at the right edge is left out.
 */
export function layoutInput(
  text: string,
  cursor: number,
  width: number,
  offset: number,
): InputLayout {
  const w = Math.max(1, width);
  const b = graphemeBoundaries(text);
  const n = b.length - 1;
  const cells: number[] = [0]; // cells[k]: width of the first k graphemes
  for (let k = 0; k < n; k++) cells.push(cells[k] + displayWidth(text.slice(b[k], b[k + 1])));
  const at = (offset16: number): number => {
    let k = 0;
    while (k < n && b[k + 1] <= offset16) k++;
    return k;
  };
  const c = at(cursor);
  let o = Math.min(at(offset), c);
  if (cells[n] + 1 <= w) o = 0;
  else {
    if (cells[c] - cells[o] > w - 1 || (offset > cursor && o === c)) {
      // Out of view: re-centre, keeping half a line of context before the cursor.
      o = c;
      while (o > 0 && cells[c] - cells[o - 1] <= Math.floor(w / 2)) o--;
    }
    // Don't waste room on the right: pull hidden text in from the left.
    while (o > 0 && cells[n] - cells[o - 1] + 1 <= w) o--;
  }
  let end = o;
  while (end < n && cells[end + 1] - cells[o] <= w) end++;
  return { offset: b[o], visible: text.slice(b[o], b[end]), column: cells[c] - cells[o] };
}

export interface StatusOptions {
  color: boolean;
  /** Shown instead of the usual fields: a question ("Send 12 lines…? (y/n)") or a short notice. */
  notice?: string | null;
  /** What to call "no conversation" (the full-screen view's server window: "(server)"). */
  nowhere?: string;
}

/** Connection state in words: "connected", "disconnected — reconnecting in 4s"... */
export function stateText(s: Status): string {
  switch (s.state) {
    case 'connected':
      return 'connected';
    case 'registering':
      return 'registering…';
    case 'reconnecting':
      return `disconnected — reconnecting in ${s.retryInS ?? 0}s`;
    case 'disconnected':
      return 'disconnected';
    default:
      return 'connecting…';
  }
}

function lagText(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

const STATE_COLOR: Record<string, string> = {
  connected: '32',
  disconnected: '31',
  reconnecting: '31',
};

/**
 * The status line, not yet fitted to the width:
 *   `#lobby | carol | connected | lag 3ms | [#dev 3] [bob 1*]`
 * — the current conversation, our nick (with "(away)" after /away), the connection state, the lag, then the other
 * conversations with unread lines (`*`: one of them mentions us or is private; bold magenta with
 * colour). Names come from the network: their controls are removed. With colour the line is in
 * reverse video, so it stands out from messages; it is not padded to the edge, so a narrower
 * terminal that reflows has less to wrap.
 */
export function formatStatus(s: Status, opts: StatusOptions): string {
  const base = opts.color ? '7' : '';
  const span = (params: string, text: string): string =>
    opts.color && params !== '' ? `${sgr(`0;${base};${params}`)}${text}${sgr(`0;${base}`)}` : text;
  let body: string;
  if (opts.notice != null && opts.notice !== '') {
    body = ` ${span('1', opts.notice)} `;
  } else {
    const fields = [
      span('1', s.current === null ? (opts.nowhere ?? '(no conversation)') : name(s.current)),
      s.away ? `${name(s.nick)} (away)` : name(s.nick),
      span(STATE_COLOR[s.state] ?? '33', stateText(s)),
    ];
    if (s.state === 'connected' && s.lagMs !== null) fields.push(`lag ${lagText(s.lagMs)}`);
    const activity = s.others
      .filter((c) => c.unread > 0)
      .map((c) =>
        c.highlight
          ? span('1;35', `[${name(c.name)} ${c.unread}*]`)
          : `[${name(c.name)} ${c.unread}]`,
      );
    if (activity.length > 0) fields.push(activity.join(' '));
    body = ` ${fields.join(' | ')} `;
  }
  return opts.color ? `${sgr(base)}${body}${RESET}` : body.trim();
}

/** The input line's prompt: the conversation a plain line goes to, `[#lobby] `, or `> `. */
export function promptFor(current: string | null, columns: number): string {
  if (current === null) return '> ';
  return `[${fitCells(name(current), Math.max(1, Math.floor(columns / 3) - 3))}] `;
}

/** The bottom two rows of a terminal, and the message lines printed above them. */
export class Screen {
  /** Horizontal scroll of the input line, kept between frames. */
  private offset = 0;
  /** Cells of the last status line drawn, and of the input row before the cursor. */
  private statusCells = 0;
  private cursorCells = 0;
  private resizedSinceDraw = false;

  constructor(private readonly out: TermOut) {}

  get columns(): number {
    return Math.max(4, this.out.columns ?? 80);
  }

  get rows(): number {
    return Math.max(2, this.out.rows ?? 24);
  }

  /**
   * Take over the bottom of the terminal: one line feed first, so that when the cursor is on the
   * last row (the usual case after a shell prompt) the line above it — the command the user
   * typed — scrolls up instead of being erased; then bracketed paste on.
   */
  start(): void {
    this.out.write('\r\n' + PASTE_ON);
  }

  /**
   * The terminal changed size: the next frame first erases the old two rows where they are now.
   * A terminal that reflows (tmux, VTE, iTerm2, kitty...) may have wrapped them onto more rows and
   * moved them; the cursor moved with its cell, so they start `up` rows above it. (A terminal that
   * does not reflow loses that many message lines from view when it gets narrower.)
   */
  resized(): void {
    this.resizedSinceDraw = true;
  }

  /** Draw `messages` (finished display lines) above, then the status and input rows. */
  render(frame: Frame, messages: readonly string[] = []): void {
    const cols = this.columns;
    let s = HIDE_CURSOR;
    if (this.resizedSinceDraw) {
      const up =
        Math.floor(this.cursorCells / cols) + Math.ceil(Math.max(1, this.statusCells) / cols);
      s += `\r${ESC}[${up}A${ERASE_DOWN}`;
      this.resizedSinceDraw = false;
    }
    const prompt = fitPrompt(frame, cols);
    const room = cols - 1 - displayWidth(prompt); // the last column stays free: no pending wrap
    const lay = layoutInput(frame.text, frame.cursor, room, this.offset);
    this.offset = lay.offset;
    s += cup(this.rows - 1, 1) + ERASE_DOWN;
    for (const m of messages) s += m + '\r\n';
    const status = fitCells(frame.status, cols - 1);
    this.statusCells = displayWidth(status);
    this.cursorCells = displayWidth(prompt) + lay.column;
    s += status + '\r\n' + prompt + lay.visible + '\r';
    if (this.cursorCells > 0) s += `${ESC}[${this.cursorCells}C`;
    this.out.write(s + SHOW_CURSOR);
  }

  /** Give the terminal back: erase the two rows, leave the cursor at the start of an empty line. */
  stop(): void {
    this.out.write(cup(this.rows - 1, 1) + ERASE_DOWN + RESET + PASTE_OFF + SHOW_CURSOR);
  }
}
