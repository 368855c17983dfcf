// Drawing the full-screen view: the alternate screen, a frame of rows compared with the last one, only what changed written, in one write.
//
//   ┌───────────────────────────────────────────────┬──────────┐
//   │ 12:00:01 <alice> hi                           │ @alice   │ ◄ the window's rows (buffer.ts),
//   │ ─── unread ────────────────────────────────── │ bob      │   a nick list at the right when
//   │ 12:00:05 <bob> lunch?                         │ carol    │   asked for and wide enough
//   │ #lobby | carol | connected | [#dev 3] [dave 1*]          │ ◄ row H-1: status, full width
//   │ [#lobby] hello wor█                                      │ ◄ row H:   input line
//   └──────────────────────────────────────────────────────────┘
//
// A frame is the whole screen as rows of text. Rows equal to what the terminal already shows are
// not written again; when the window's rows moved up by k (new lines at the bottom, the usual
// case), the terminal scrolls them itself — a scroll region over the window's rows and k line
// feeds — and only the k new rows are written. A resize or Ctrl-L forgets what is shown and
// redraws everything from the model, so a terminal that does not reflow loses nothing.
import {
  fitCells,
  fitPrompt,
  layoutInput,
  PASTE_OFF,
  PASTE_ON,
  type Frame,
  type TermOut,
} from './screen.js';
import { displayWidth } from './width.js';

const ESC = '\x1b';
const ALT_ON = `${ESC}[?1049h`;
const ALT_OFF = `${ESC}[?1049l`;
const HIDE_CURSOR = `${ESC}[?25l`;
const SHOW_CURSOR = `${ESC}[?25h`;
const CLEAR = `${ESC}[H${ESC}[2J`;
const ERASE_LINE = `${ESC}[2K`;
const RESET = `${ESC}[0m`;
const NO_MARGINS = `${ESC}[r`;

/** Below this the layout cannot work: the screen says so instead (issue 13, "Bad input"). */
export const MIN_COLUMNS = 20;
export const MIN_ROWS = 5;

const cup = (row: number, col: number): string => `${ESC}[${row};${col}H`;

/** What one frame shows besides the status and input rows (`Frame`). */
export interface WindowFrame extends Frame {
  /** The window's rows, top first, each at most `body` columns wide; as many as bodyRows. */
  body: string[];
  /** The nick list's rows, or null when it is not shown. */
  nicks: string[] | null;
  /** The nick list's width (bodySize), when it is shown. */
  nickWidth: number;
}

/** The window area's size for a terminal: the rows above the status line, the nick list's width. */
export function bodySize(
  columns: number,
  rows: number,
  nicklist: boolean,
): { width: number; height: number; nickWidth: number } {
  // The nick list takes a sixth of the width, 10 to 20 columns, in terminals of 80 or more.
  const shown = nicklist && columns >= 80 ? Math.min(20, Math.max(10, Math.floor(columns / 6))) : 0;
  return {
    width: shown > 0 ? columns - shown - 1 : columns,
    height: Math.max(0, rows - 2),
    nickWidth: shown,
  };
}

/** `s` padded with spaces to `width` cells (it fits already); a trailing reset stays last. */
function pad(s: string, width: number): string {
  const n = Math.max(0, width - displayWidth(s));
  if (n === 0) return s;
  return s.endsWith(RESET) ? s.slice(0, -RESET.length) + ' '.repeat(n) + RESET : s + ' '.repeat(n);
}

/**
 * What a terminal below MIN_COLUMNS x MIN_ROWS shows instead of the windows: the sizes, word-wrapped
 * into the rows there are (as far as they go), so even 10x2 reads "Terminal / too small".
 */
export function tooSmallRows(cols: number, height: number): string[] {
  const text = `Terminal too small: ${cols}x${height}, needs ${MIN_COLUMNS}x${MIN_ROWS}`;
  const rows: string[] = [];
  let row = '';
  for (const word of text.split(' ')) {
    if (row !== '' && displayWidth(row) + 1 + displayWidth(word) <= cols) row += ' ' + word;
    else {
      if (row !== '') rows.push(row);
      row = fitCells(word, cols);
    }
  }
  rows.push(row);
  return rows.slice(0, Math.max(1, height));
}

export class WindowScreen {
  /** What the terminal shows now, row by row ([] after a resize: everything is redrawn). */
  private shown: string[] = [];
  private offset = 0;
  /** Bytes of the last frame written (for measurements). */
  lastBytes = 0;

  constructor(private readonly out: TermOut) {}

  get columns(): number {
    return Math.max(1, this.out.columns ?? 80);
  }

  get rows(): number {
    return Math.max(1, this.out.rows ?? 24);
  }

  get tooSmall(): boolean {
    return this.columns < MIN_COLUMNS || this.rows < MIN_ROWS;
  }

  /** The alternate screen, cleared; bracketed paste on. */
  start(): void {
    this.out.write(ALT_ON + CLEAR + PASTE_ON);
    this.shown = [];
  }

  /** Back to the normal screen as it was before, cursor shown, paste mode off. */
  stop(): void {
    this.out.write(RESET + NO_MARGINS + ALT_OFF + PASTE_OFF + SHOW_CURSOR);
  }

  /** The size changed (or Ctrl-L): the next frame redraws everything. */
  resized(): void {
    this.shown = [];
  }

  render(frame: WindowFrame): void {
    const cols = this.columns;
    const height = this.rows;
    if (this.tooSmall) {
      const rows = tooSmallRows(cols, height);
      this.write(HIDE_CURSOR + CLEAR + rows.map((r, k) => cup(k + 1, 1) + r).join(''));
      this.shown = [];
      return;
    }
    const rows = this.compose(frame, cols, height);
    const prompt = fitPrompt(frame, cols);
    const room = cols - 1 - displayWidth(prompt);
    const lay = layoutInput(frame.text, frame.cursor, room, this.offset);
    this.offset = lay.offset;
    rows.push(prompt + lay.visible);
    let s = HIDE_CURSOR + RESET;
    if (this.shown.length !== rows.length) {
      s += CLEAR;
      this.shown = new Array<string>(rows.length).fill('');
    } else if (frame.nicks === null) {
      s += this.scroll(rows, height - 2);
    }
    for (let r = 0; r < rows.length; r++) {
      if (rows[r] === this.shown[r]) continue;
      s += cup(r + 1, 1) + ERASE_LINE + rows[r];
      this.shown[r] = rows[r];
    }
    s += cup(height, displayWidth(prompt) + lay.column + 1);
    this.write(s + SHOW_CURSOR);
  }

  /** Every row but the input line: the window (with the nick list) and the status line. */
  private compose(frame: WindowFrame, cols: number, height: number): string[] {
    const bodyRows = height - 2;
    const nickWidth = frame.nicks === null ? 0 : frame.nickWidth;
    const out: string[] = [];
    for (let r = 0; r < bodyRows; r++) {
      const text = frame.body[r] ?? '';
      if (frame.nicks === null) {
        out.push(text);
        continue;
      }
      const nick = fitCells(frame.nicks[r] ?? '', nickWidth);
      out.push(pad(text, cols - nickWidth - 1) + '│' + nick);
    }
    out.push(pad(fitCells(frame.status, cols), cols));
    return out;
  }

  /**
   * When the window's rows are the shown ones moved up by k, let the terminal move them: a
   * scroll region over the window, k line feeds at its bottom, the region reset.
   */
  private scroll(rows: readonly string[], bodyRows: number): string {
    const old = this.shown;
    for (let k = 1; k < bodyRows; k++) {
      let same = true;
      for (let i = 0; i + k < bodyRows && same; i++) same = rows[i] === old[i + k];
      if (!same) continue;
      // Only worth it when some rows are kept that would otherwise be written again.
      if (rows[0] === old[0]) return '';
      for (let i = 0; i < bodyRows; i++) old[i] = i + k < bodyRows ? old[i + k] : '';
      return `${ESC}[1;${bodyRows}r` + cup(bodyRows, 1) + '\n'.repeat(k) + NO_MARGINS;
    }
    return '';
  }

  private write(s: string): void {
    this.lastBytes = Buffer.byteLength(s);
    this.out.write(s);
  }
}
