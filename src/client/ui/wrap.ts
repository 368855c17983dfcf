// Wrapping one display line into terminal rows by cell width, SGR colours carried across the break. Pure.
//
// A line is our formatted text: graphemes plus SGR codes (`ESC [ ... m`), nothing else (format.ts
// removed every other control). Rows are at most `width` cells (displayWidth: CJK and emoji are
// 2); rows after the first start with `indent` spaces, so a wrapped line reads as one (a table's
// row can hang under its own column). A row breaks after the last space in it when what moves
// down is at most half a row (a space that falls exactly on the break is dropped); otherwise
// (a long word, a URL) it breaks between graphemes. A wide grapheme never straddles two rows. Each
// row re-opens the styles in force where it starts and ends with a reset when any are open, so
// rows can be drawn alone, in any order.
import { graphemeBoundaries } from './editor.js';
import { displayWidth } from './width.js';

const SGR_PART = /(\x1b\[[0-9;]*m)/;
const RESET = '\x1b[0m';

/** An indent is kept while it leaves this many cells per row (or half of a narrower row). */
export const MIN_WRAP_ROOM = 24;

interface Token {
  s: string;
  /** Cells; -1 for an SGR code. */
  w: number;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const part of text.split(SGR_PART)) {
    if (part === '') continue;
    if (SGR_PART.test(part)) {
      out.push({ s: part, w: -1 });
      continue;
    }
    const b = graphemeBoundaries(part);
    for (let k = 0; k + 1 < b.length; k++) {
      const g = part.slice(b[k], b[k + 1]);
      out.push({ s: g, w: displayWidth(g) });
    }
  }
  return out;
}

/** The styles in force after `state` then `code`: a code that starts with a reset replaces them. */
function after(state: string, code: string): string {
  const params = code.slice(2, -1);
  if (params === '' || params === '0') return '';
  return params.startsWith('0;') ? code : state + code;
}

/** `text` as rows of at most `width` cells (see the top of this file). */
export function wrapLine(text: string, width: number, indent = 0): string[] {
  const w = Math.max(1, width);
  if (displayWidth(text) <= w) return [text];
  // Only while it leaves MIN_WRAP_ROOM cells (half of a narrower row), and room for a wide grapheme.
  const pad =
    indent > 0 && w - indent >= Math.min(MIN_WRAP_ROOM, w / 2) && w - indent >= 2 ? indent : 0;
  const rows: string[] = [];
  let state = ''; // styles in force where the row under construction starts
  let row: Token[] = [];
  let used = 0;
  const room = (): number => (rows.length === 0 ? w : w - pad);
  const emit = (toks: Token[]): void => {
    let end = state;
    let s = (rows.length === 0 ? '' : ' '.repeat(pad)) + state;
    for (const t of toks) {
      s += t.s;
      if (t.w < 0) end = after(end, t.s);
    }
    rows.push(end === '' ? s : s + RESET);
    state = end;
  };
  for (const t of tokens(text)) {
    if (t.w >= 0 && used + t.w > room() && used > 0) {
      if (t.s === ' ') {
        // The row ends at a word's end: the space is the break itself.
        emit(row);
        row = [];
        used = 0;
        continue;
      }
      let cut = -1;
      for (let k = row.length - 1; k > 0; k--) {
        if (row[k].s === ' ') {
          cut = k;
          break;
        }
      }
      let carry: Token[] = [];
      if (cut > 0) {
        const moved = row.slice(cut + 1);
        const cells = moved.reduce((n, x) => n + Math.max(0, x.w), 0);
        // At most half a row moves down, and with this grapheme it must fit the next row.
        if (cells <= (w - pad) / 2 && cells + t.w <= w - pad) {
          carry = moved;
          row = row.slice(0, cut + 1);
        }
      }
      emit(row);
      row = carry;
      used = carry.reduce((n, x) => n + Math.max(0, x.w), 0);
    }
    row.push(t);
    if (t.w > 0) used += t.w;
  }
  if (row.length > 0) emit(row);
  return rows;
}
