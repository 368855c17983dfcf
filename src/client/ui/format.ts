// SessionEvent → one display line: timestamps, nick colours, highlights, terminal-safe remote text.
//
// Safety rule: every string that came from the network goes through `clean` (names) or `render`
// (free text), which remove whole terminal sequences (CSI, OSC, DCS..., 7- and 8-bit forms), then
// every remaining C0/C1 control and bidi override (stripControls). The only escape sequences in our
// output are the SGR codes (`ESC [ ... m`) this module writes itself, and a coloured line always
// ends with a reset (`ESC [0m`).
//
// Line shapes (colour off; HH:MM:SS is the event's server time in local time):
//   12:00:01 <alice> hello                  channel message in the current conversation
//   12:00:01 [#dev] <alice> hello           ▸ channel message elsewhere: tagged with its channel
//   12:00:02 [alice → you] hi               private, incoming (always tagged, current or not)
//   12:00:02 [you → bob,carol] hi           private, sent by us
//   12:00:03 * alice waves                  action (tagged like a message)
//   12:00:03 -alice- text                   notice (▸ incoming private notices carry no arrow tag:
//                                           the -nick- form already marks them, and services'
//                                           notices would be noise as "[NickServ → you]")
//   12:00:04 --> alice joined #lobby        join; `<--` for part, kick, quit; `--` for other events
//   12:00:04 -- text                        info; `!! text` for errors; both tagged when they
//                                           belong to a conversation other than the current one
// ▸ Our own nick is written "you" in events about us ("--> you joined #lobby").
// ▸ 'names' and 'lag' events return null: the UI shows them elsewhere (nick list, status line).
// ▸ 'state' and 'registered' carry no time; they are stamped with `opts.now` (default Date.now()).
// ▸ Colour on: timestamps and events dim, errors red, disconnections yellow, nicks in their stable
//   colour, highlighted nicks bold + reverse. IRC formatting in remote text becomes SGR.

import type { ChatMessage, SessionEvent } from '../events.js';
import { stripControls } from '../../protocol/sanitize.js';
import { fold, type CaseMapping } from '../../protocol/casemap.js';

export { displayWidth } from './width.js';

export interface FormatOptions {
  color: boolean;
  /** Our nick, to say "you" and find mentions. */
  me: string;
  /** The conversation on screen; messages elsewhere are tagged with theirs. */
  current: string | null;
  timeFormat?: 'HH:MM:SS';
  /** Clock for events without a time ('state', 'registered'), epoch ms; default Date.now(). */
  now?: number;
  /** How names compare (ISUPPORT CASEMAPPING); default rfc1459, the default when absent. */
  casemapping?: CaseMapping;
}

// ---------------------------------------------------------------------------------------------
// SGR

const sgr = (params: string): string => `\x1b[${params}m`;
const RESET = sgr('0');

/** Back to `base` after a span: a full reset, then the base style again. */
const restore = (base: string): string => (base === '' ? RESET : sgr(`0;${base}`));

const STYLE_TIME = '2';
const STYLE_EVENT = '2';
const STYLE_ERROR = '31';
const STYLE_WARN = '33';
const STYLE_HIGHLIGHT = '1;7';

/**
 * 256-colour palette indices for nicks: mid-tone hues readable on dark and light backgrounds
 * (no near-black, near-white, or pure primaries).
 */
export const NICK_PALETTE: readonly number[] = [
  167, 173, 179, 143, 107, 71, 73, 74, 68, 104, 140, 175,
];

/**
 * The SGR parameters ('38;5;N') of `nick`'s colour: an FNV-1a hash of the folded nick over
 * NICK_PALETTE, so the same nick (in any case) always gets the same colour.
 */
export function nickColor(nick: string, casemapping: CaseMapping = 'rfc1459'): string {
  const key = fold(nick, casemapping);
  let h = 0x811c9dc5;
  for (let k = 0; k < key.length; k++) {
    h ^= key.charCodeAt(k);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `38;5;${NICK_PALETTE[h % NICK_PALETTE.length]}`;
}

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
function clean(text: string): string {
  return stripControls(text.replace(TERMINAL_SEQUENCE, ''));
}

/**
 * Remote free text → terminal-safe text. IRC formatting becomes SGR on top of `base` when `color`
 * is true (and is dropped otherwise); the style is back to `base` at the end. ▸ Tabs become one
 * space; \x04 hex colours and \x11 monospace are consumed but not rendered.
 */
function render(text: string, color: boolean, base: string): string {
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

// ---------------------------------------------------------------------------------------------
// Mentions and the bell

const NICK_CHAR = /[A-Za-z0-9_\-[\]\\`^{|}]/;

/** True when `text` mentions `me` as a whole word (case-insensitive, formatting ignored). */
export function mentions(text: string, me: string, casemapping: CaseMapping = 'rfc1459'): boolean {
  if (me === '') return false;
  const hay = fold(clean(text), casemapping);
  const needle = fold(me, casemapping);
  for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : hay[at - 1];
    const after = hay[at + needle.length] ?? '';
    if (!NICK_CHAR.test(before) && !NICK_CHAR.test(after)) return true;
  }
  return false;
}

function isHighlight(m: ChatMessage, me: string, cm: CaseMapping): boolean {
  return !m.self && (m.highlight || mentions(m.text, me, cm));
}

/**
 * Whether the caller should ring the bell: a message to us or mentioning us (not our own), an
 * invitation, or being kicked. ▸ Notices ring only when they name us: servers and services send
 * many private notices that are not worth a bell.
 */
export function wantsBell(event: SessionEvent, me: string): boolean {
  switch (event.type) {
    case 'message':
      if (event.self) return false;
      if (event.kind === 'notice') return mentions(event.text, me);
      return event.highlight || event.private || mentions(event.text, me);
    case 'invite':
      return true;
    case 'kick':
      return event.self;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Lines

function clock(ms: number): string {
  if (!Number.isFinite(ms)) return '--:--:--';
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** One line under construction: our literal text, remote names and remote text, on a base style. */
class Line {
  private body = '';

  constructor(
    private readonly color: boolean,
    private readonly base: string,
    private readonly cm: CaseMapping,
  ) {}

  /** Our own words. */
  lit(s: string): this {
    this.body += s;
    return this;
  }

  /** A remote name, in `params` style when colour is on. */
  styled(params: string, name: string): this {
    const s = clean(name);
    this.body += this.color && s !== '' ? `${sgr(params)}${s}${restore(this.base)}` : s;
    return this;
  }

  /** A nick (or a comma-separated list of them) in its colour; bold + reverse when highlighted. */
  nick(nick: string, highlight = false): this {
    nick.split(',').forEach((n, k) => {
      if (k > 0) this.lit(',');
      const params = nickColor(clean(n), this.cm);
      this.styled(highlight ? `${STYLE_HIGHLIGHT};${params}` : params, n);
    });
    return this;
  }

  /** A plain remote name (channel, server). */
  name(s: string): this {
    this.body += clean(s);
    return this;
  }

  /** Remote free text, IRC formatting rendered. */
  text(s: string): this {
    this.body += render(s, this.color, this.base);
    return this;
  }

  /** `prefix (reason)` when the reason is not empty. */
  reason(s: string): this {
    const r = render(s, this.color, this.base);
    if (r !== '') this.body += ` (${r})`;
    return this;
  }

  done(time: number): string {
    const ts = clock(time);
    if (!this.color) return `${ts} ${this.body}`;
    const start = this.base === '' ? '' : sgr(this.base);
    // A span that ended the body already restored the base style; the closing reset replaces it.
    const end = restore(this.base);
    const body = this.body.endsWith(end) ? this.body.slice(0, -end.length) : this.body;
    return `${sgr(STYLE_TIME)}${ts}${RESET} ${start}${body}${RESET}`;
  }
}

/** Display line for `event`, or null when it is not shown in the conversation (names, lag). */
export function formatEvent(event: SessionEvent, opts: FormatOptions): string | null {
  const cm = opts.casemapping ?? 'rfc1459';
  const same = (a: string | null, b: string | null): boolean =>
    a !== null && b !== null && fold(a, cm) === fold(b, cm);
  const isMe = (nick: string): boolean => same(nick, opts.me);
  const line = (base: string): Line => new Line(opts.color, base, cm);
  /** `[conversation] ` when it is not the one on screen. */
  const tag = (l: Line, conversation: string | null): Line =>
    conversation !== null && !same(conversation, opts.current)
      ? l.lit('[').name(conversation).lit('] ')
      : l;

  switch (event.type) {
    case 'message':
      return formatMessage(event, opts, line(''), tag, cm);

    case 'join': {
      const l = line(STYLE_EVENT).lit('--> ');
      (event.self ? l.lit('you') : l.nick(event.nick)).lit(' joined ').name(event.channel);
      return l.done(event.time);
    }
    case 'part': {
      const l = line(STYLE_EVENT).lit('<-- ');
      (event.self ? l.lit('you') : l.nick(event.nick)).lit(' left ').name(event.channel);
      return l.reason(event.reason).done(event.time);
    }
    case 'kick': {
      const l = line(STYLE_EVENT).lit('<-- ');
      if (event.self) l.lit('you were');
      else l.nick(event.nick).lit(' was');
      l.lit(' kicked from ').name(event.channel).lit(' by ');
      (isMe(event.by) ? l.lit('you') : l.nick(event.by)).reason(event.reason);
      return l.done(event.time);
    }
    case 'quit':
      return line(STYLE_EVENT)
        .lit('<-- ')
        .nick(event.nick)
        .lit(' quit')
        .reason(event.reason)
        .done(event.time);
    case 'nick': {
      const l = line(STYLE_EVENT).lit('-- ');
      (event.self ? l.lit('you are') : l.nick(event.from).lit(' is')).lit(' now known as ');
      return l.nick(event.to).done(event.time);
    }
    case 'topic': {
      const l = line(STYLE_EVENT).lit('-- ');
      if (event.by === null) {
        if (event.topic === '') l.name(event.channel).lit(' has no topic');
        else l.lit('topic of ').name(event.channel).lit(': ').text(event.topic);
      } else {
        if (isMe(event.by)) l.lit('you');
        else l.nick(event.by);
        if (event.topic === '') l.lit(' cleared the topic of ').name(event.channel);
        else l.lit(' set the topic of ').name(event.channel).lit(': ').text(event.topic);
      }
      return l.done(event.time);
    }
    case 'mode': {
      const l = line(STYLE_EVENT).lit('-- ');
      (isMe(event.by) ? l.lit('you set') : l.nick(event.by).lit(' sets')).lit(' mode ');
      return l.name(event.modes.join(' ')).lit(' on ').name(event.target).done(event.time);
    }
    case 'away': {
      const l = line(STYLE_EVENT).lit('-- ');
      (isMe(event.nick) ? l.lit('you are') : l.nick(event.nick).lit(' is')).lit(' ');
      if (event.message === null) l.lit('back');
      else if (clean(event.message) === '') l.lit('away');
      else l.lit('away: ').text(event.message);
      return l.done(event.time);
    }
    case 'invite':
      return line(STYLE_EVENT)
        .lit('-- ')
        .nick(event.from)
        .lit(' invites you to ')
        .name(event.channel)
        .done(event.time);
    case 'info':
      return tag(line(STYLE_EVENT), event.conversation)
        .lit('-- ')
        .text(event.text)
        .done(event.time);
    case 'error':
      return tag(line(STYLE_ERROR), event.conversation)
        .lit('!! ')
        .text(event.text)
        .done(event.time);
    case 'state':
      return formatState(event, line).done(opts.now ?? Date.now());
    case 'registered': {
      const l = line(STYLE_EVENT).lit('-- registered as ').nick(event.nick).lit(' on ');
      l.name(event.server);
      if (event.network !== null) l.lit(' (').name(event.network).lit(')');
      return l.done(opts.now ?? Date.now());
    }
    case 'names':
    case 'lag':
      return null;
  }
}

type StateEvent = Extract<SessionEvent, { type: 'state' }>;

//   connecting → registering → connected ─┐
//        ▲                                ▼
//   reconnecting ◄──────────────────  disconnected
function formatState(event: StateEvent, line: (base: string) => Line): Line {
  switch (event.state) {
    case 'connecting':
      return line(STYLE_EVENT).lit('-- connecting…');
    case 'registering':
      return line(STYLE_EVENT).lit('-- connected; registering…');
    case 'connected':
      return line(STYLE_EVENT).lit('-- connected');
    case 'disconnected':
    case 'reconnecting': {
      const l = line(STYLE_WARN).lit('-- disconnected');
      if (event.reason !== undefined && clean(event.reason) !== '') {
        l.lit(': ').text(event.reason);
      }
      if (event.state === 'reconnecting') {
        l.lit(' — reconnecting');
        if (event.retryInMs !== undefined) {
          l.lit(` in ${Math.max(0, Math.ceil(event.retryInMs / 1000))}s`);
        }
        if (event.attempt !== undefined) l.lit(` (attempt ${event.attempt})`);
      }
      return l;
    }
  }
}

function formatMessage(
  m: ChatMessage,
  opts: FormatOptions,
  l: Line,
  tag: (l: Line, conversation: string | null) => Line,
  cm: CaseMapping,
): string {
  const hl = isHighlight(m, opts.me, cm);
  // The sender is highlighted once: in the "[alice → you]" tag when there is one, else in the body.
  const incomingTag = m.private && !m.self && m.kind !== 'notice';
  if (m.private && m.self) {
    l.lit('[you → ').nick(m.target).lit('] ');
  } else if (incomingTag) {
    l.lit('[').nick(m.from, hl).lit(' → you] ');
  } else if (!m.private) {
    tag(l, m.conversation);
  }
  switch (m.kind) {
    case 'privmsg':
      if (!m.private) l.lit('<').nick(m.from, hl).lit('> ');
      break;
    case 'action':
      l.lit('* ')
        .nick(m.from, hl && !incomingTag)
        .lit(' ');
      break;
    case 'notice':
      l.lit('-').nick(m.from, hl).lit('- ');
      break;
  }
  return l.text(m.text).done(m.time);
}
