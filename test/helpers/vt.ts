// Test helpers: a small terminal that runs what the client writes and objects to anything it should not: a sequence the renderer never sends, a control character, a row written past the edge.
import { graphemeBoundaries } from '../../src/client/ui/editor.js';
import { displayWidth } from '../../src/client/ui/width.js';

/** The private modes the client sets and resets: cursor, alternate screen, bracketed paste. */
const MODES = new Set(['25', '1049', '2004']);
/** Bidi overrides and isolates: never from remote text (they reorder what a reader sees). */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * A grid of `rows` x `columns` cells that runs the sequences the client's renderers use (CUP,
 * ED, EL, DECSTBM, CUU, CUF, SGR, line feed and carriage return, the three private modes) and
 * records a problem for anything else, and for text that would pass the right edge (a real
 * terminal would wrap it onto the next row). `sgr` decides which SGR parameters are allowed.
 */
export class Terminal {
  readonly problems: string[] = [];
  private grid: string[][];
  private row = 0;
  private col = 0;
  private top = 0;
  private bottom: number;

  constructor(
    readonly columns: number,
    readonly rows: number,
    private readonly sgr: (params: string) => boolean = () => true,
  ) {
    this.grid = Array.from({ length: rows }, () => this.blank());
    this.bottom = rows - 1;
  }

  /** What each row shows, trailing spaces removed. */
  screen(): string[] {
    return this.grid.map((r) => r.join('').replace(/ +$/, ''));
  }

  write(out: string): void {
    let k = 0;
    while (k < out.length) {
      const ch = out[k];
      if (ch === '\x1b') {
        const m = /^\x1b\[(\??)([0-9;]*)([A-Za-z])/.exec(out.slice(k, k + 32));
        if (m === null)
          this.problem(`an escape that is not a CSI: ${JSON.stringify(out.slice(k, k + 8))}`);
        else this.csi(m[1], m[2], m[3]);
        k += m === null ? 1 : m[0].length;
        continue;
      }
      if (ch === '\n') this.lineFeed();
      else if (ch === '\r') this.col = 0;
      else if (/[\x00-\x1f\x7f-\x9f]/.test(ch))
        this.problem(`control U+${ch.charCodeAt(0).toString(16)}`);
      else {
        // Text up to the next control: graphemes, each as wide as the renderer thinks.
        let end = k;
        while (end < out.length && !/[\x00-\x1f\x7f-\x9f]/.test(out[end])) end++;
        this.text(out.slice(k, end));
        k = end;
        continue;
      }
      k++;
    }
  }

  private text(s: string): void {
    if (BIDI.test(s)) this.problem(`a bidi control in ${JSON.stringify(s)}`);
    const b = graphemeBoundaries(s);
    for (let i = 0; i + 1 < b.length; i++) {
      const g = s.slice(b[i], b[i + 1]);
      const w = displayWidth(g);
      if (w === 0) continue;
      if (this.col + w > this.columns) {
        this.problem(`row ${this.row + 1} passes column ${this.columns} at ${JSON.stringify(g)}`);
        return;
      }
      this.grid[this.row][this.col] = g;
      for (let j = 1; j < w; j++) this.grid[this.row][this.col + j] = '';
      this.col += w;
    }
  }

  private csi(priv: string, params: string, final: string): void {
    const n = params.split(';').map((p) => (p === '' ? NaN : Number(p)));
    const at = (i: number, dflt: number) => (Number.isFinite(n[i]) ? n[i] : dflt);
    if (priv === '?') {
      if ((final === 'h' || final === 'l') && MODES.has(params)) return;
      return this.problem(`private mode ?${params}${final}`);
    }
    switch (final) {
      case 'm':
        if (!this.sgr(params)) this.problem(`SGR ${params}`);
        return;
      case 'H':
        this.row = Math.min(this.rows, Math.max(1, at(0, 1))) - 1;
        this.col = Math.min(this.columns, Math.max(1, at(1, 1))) - 1;
        return;
      case 'A':
        this.row = Math.max(0, this.row - at(0, 1));
        return;
      case 'C':
        this.col = Math.min(this.columns - 1, this.col + at(0, 1));
        return;
      case 'J':
        if (params === '2') this.grid = this.grid.map(() => this.blank());
        else if (params === '' || params === '0') {
          this.grid[this.row].fill(' ', this.col);
          for (let r = this.row + 1; r < this.rows; r++) this.grid[r] = this.blank();
        } else this.problem(`ED ${params}`);
        return;
      case 'K':
        if (params === '2') this.grid[this.row] = this.blank();
        else this.problem(`EL ${params}`);
        return;
      case 'r':
        this.top = at(0, 1) - 1;
        this.bottom = at(1, this.rows) - 1;
        if (this.top < 0 || this.bottom >= this.rows || this.top >= this.bottom) {
          this.problem(`scroll region ${params}`);
          [this.top, this.bottom] = [0, this.rows - 1];
        }
        this.row = this.col = 0;
        return;
      default:
        this.problem(`CSI ${priv}${params}${final}`);
    }
  }

  private lineFeed(): void {
    if (this.row !== this.bottom) {
      this.row = Math.min(this.rows - 1, this.row + 1);
      return;
    }
    this.grid.splice(this.top, 1);
    this.grid.splice(this.bottom, 0, this.blank());
  }

  private blank(): string[] {
    return new Array<string>(this.columns).fill(' ');
  }

  private problem(what: string): void {
    if (this.problems.length < 20) this.problems.push(what);
  }
}
