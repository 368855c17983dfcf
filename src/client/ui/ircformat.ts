// IRC formatting → SGR, and remote text made terminal-safe: whole terminal sequences, controls and bidi overrides removed.

import { stripControls } from '../../protocol/sanitize.js';

// ---------------------------------------------------------------------------------------------
// SGR

export const sgr = (params: string): string => `\x1b[${params}m`;
export const RESET = sgr('0');

/** Back to `base` after a span: a full reset, then the base style again. */
export const restore = (base: string): string => (base === '' ? RESET : sgr(`0;${base}`));

// ---------------------------------------------------------------------------------------------
// Sanitising and IRC formatting (https://modern.ircdocs.horse/formatting)

/**
 * Whole terminal sequences, so "\x1b[2J" vanishes rather than leaving "[2J" behind (ECMA-48):
 *  - CSI: ESC [ or 8-bit 0x9b, parameters 0x30-0x3f, intermediates 0x20-0x2f, a final 0x40-0x7e;
 *  - control strings (OSC ESC ], DCS ESC P, SOS ESC X, PM ESC ^, APC ESC _, or their 8-bit forms
 *    0x9d 0x90 0x98 0x9e 0x9f) up to BEL or ST (ESC \ or 0x9c). The body stops at the next ESC or
 *    introducer, which keeps the scan linear; an unterminated string loses only its introducer;
 *  - any other escape: ESC, intermediates, one final byte.
 * What is left of a broken sequence is removed by stripControls (the ESC) or shown as text.
 */
const CSI = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]/;
const CONTROL_STRING =
  /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)/;
const OTHER_ESCAPE = /\x1b[\x20-\x2f]*[\x30-\x7e]/;
// Order matters: OTHER_ESCAPE would also match the start of a CSI or control string.
const TERMINAL_SEQUENCE = new RegExp(
  [CSI.source, CONTROL_STRING.source, OTHER_ESCAPE.source].join('|'),
  'g',
);

const BOLD = '\x02';
const COLOR = '\x03';
const HEX_COLOR = '\x04';
const RESET_FORMAT = '\x0f';
const MONOSPACE = '\x11';
const REVERSE = '\x16';
const ITALIC = '\x1d';
const STRIKE = '\x1e';
const UNDERLINE = '\x1f';

/** mIRC colours 0-98 as 256-colour indices (0-15: the terminal's own 16; 16-98: ircdocs' table). */
// prettier-ignore
const MIRC_TO_256: readonly number[] = [
  /* 0-15 */ 15, 0, 4, 2, 9, 1, 5, 3, 11, 10, 6, 14, 12, 13, 8, 7,
  /* 16-27 */ 52, 94, 100, 58, 22, 29, 23, 24, 17, 54, 53, 89,
  /* 28-39 */ 88, 130, 142, 64, 28, 35, 30, 25, 18, 91, 90, 125,
  /* 40-51 */ 124, 166, 184, 106, 34, 49, 37, 33, 19, 129, 127, 161,
  /* 52-63 */ 196, 208, 226, 154, 46, 86, 51, 75, 21, 171, 201, 198,
  /* 64-75 */ 203, 215, 227, 191, 83, 122, 87, 111, 63, 177, 207, 205,
  /* 76-87 */ 217, 223, 229, 193, 157, 158, 159, 153, 147, 183, 219, 212,
  /* 88-98 */ 16, 233, 235, 237, 239, 241, 244, 247, 250, 254, 231,
];

interface Style {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  reverse: boolean;
  strike: boolean;
  /** 256-colour index, or null for the default (mIRC 99 and bare ^C too). */
  fg: number | null;
  bg: number | null;
}

const PLAIN: Style = {
  bold: false,
  italic: false,
  underline: false,
  reverse: false,
  strike: false,
  fg: null,
  bg: null,
};

/** SGR parameters of `style` on top of `base` ('' when the style is plain: base alone). */
function styleParams(style: Style, base: string): string {
  const p: string[] = ['0'];
  if (base !== '') p.push(base);
  if (style.bold) p.push('1');
  if (style.italic) p.push('3');
  if (style.underline) p.push('4');
  if (style.reverse) p.push('7');
  if (style.strike) p.push('9');
  if (style.fg !== null) p.push(`38;5;${style.fg}`);
  if (style.bg !== null) p.push(`48;5;${style.bg}`);
  return p.join(';');
}

/** Read up to two digits at `k`; returns the number and the index after them, or null. */
function digits(text: string, k: number): [number, number] | null {
  let end = k;
  while (end < text.length && end - k < 2 && text[end] >= '0' && text[end] <= '9') end++;
  return end === k ? null : [Number(text.slice(k, end)), end];
}

function mircColor(n: number): number | null {
  return n < MIRC_TO_256.length ? MIRC_TO_256[n] : null; // 99 (and anything past 98): default
}

/** Remove terminal sequences and controls from a name (nick, channel, server): no formatting. */
export function clean(text: string): string {
  return stripControls(text.replace(TERMINAL_SEQUENCE, ''));
}

/**
 * Remote free text → terminal-safe text. IRC formatting becomes SGR on top of `base` when `color`
 * is true (and is dropped otherwise); the style is back to `base` at the end. ▸ Tabs become one
 * space; \x04 hex colours and \x11 monospace are consumed but not rendered.
 */
export function render(text: string, color: boolean, base: string): string {
  const src = text.replace(TERMINAL_SEQUENCE, '').replace(/\t/g, ' ');
  let out = '';
  let run = '';
  let style: Style = PLAIN;
  const plainParams = styleParams(PLAIN, base);
  let shown = plainParams; // the style in effect on the terminal

  const flush = (): void => {
    const visible = stripControls(run);
    run = '';
    if (visible === '') return;
    if (color) {
      const want = styleParams(style, base);
      if (want !== shown) {
        out += sgr(want);
        shown = want;
      }
    }
    out += visible;
  };

  for (let k = 0; k < src.length; k++) {
    const ch = src[k];
    switch (ch) {
      case BOLD:
        flush();
        style = { ...style, bold: !style.bold };
        break;
      case ITALIC:
        flush();
        style = { ...style, italic: !style.italic };
        break;
      case UNDERLINE:
        flush();
        style = { ...style, underline: !style.underline };
        break;
      case REVERSE:
        flush();
        style = { ...style, reverse: !style.reverse };
        break;
      case STRIKE:
        flush();
        style = { ...style, strike: !style.strike };
        break;
      case RESET_FORMAT:
        flush();
        style = PLAIN;
        break;
      case MONOSPACE:
        break;
      case COLOR: {
        // ^C[fg[,bg]]: one or two digits each; a comma is part of the code only before a digit.
        flush();
        const fg = digits(src, k + 1);
        if (fg === null) {
          style = { ...style, fg: null, bg: null };
          break;
        }
        let next = fg[1];
        let bg: number | null | undefined;
        if (src[next] === ',') {
          const b = digits(src, next + 1);
          if (b !== null) {
            bg = mircColor(b[0]);
            next = b[1];
          }
        }
        style = { ...style, fg: mircColor(fg[0]), bg: bg === undefined ? style.bg : bg };
        k = next - 1;
        break;
      }
      case HEX_COLOR: {
        // ^DRRGGBB[,RRGGBB]: consumed, not rendered.
        flush();
        const hex = /^(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?/.exec(src.slice(k + 1, k + 15));
        k += hex === null ? 0 : hex[0].length;
        break;
      }
      default:
        run += ch;
    }
  }
  flush();
  if (color && shown !== plainParams) out += restore(base);
  return out;
}

/**
 * Remote text made safe for a terminal. IRC formatting (bold \x02, italic \x1d, underline \x1f,
 * reverse \x16, strikethrough \x1e, reset \x0f, mIRC colours \x03fg[,bg] 0-98) becomes SGR when
 * `color` is true and is removed when false; every other control, bidi override and terminal
 * sequence is removed. The text ends with a reset (ESC [0m) whenever it holds any SGR.
 */
export function sanitize(text: string, color: boolean): string {
  const out = render(text, color, '');
  // Styles are already closed where they end; a final reset makes "closed" checkable at a glance.
  return out.includes('\x1b') && !out.endsWith(RESET) ? out + RESET : out;
}
