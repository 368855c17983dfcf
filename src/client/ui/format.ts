// SessionEvent → one display line: timestamps, nick colours, highlights, terminal-safe remote text.
//
// Safety rule: every string that came from the network goes through `clean` (names) or `render`
// (free text) from ircformat.ts, which remove whole terminal sequences (CSI, OSC, DCS..., 7- and
// 8-bit forms), then every remaining C0/C1 control and bidi override (stripControls). The only
// escape sequences in our output are the SGR codes (`ESC [ ... m`) written here and in
// ircformat.ts, and a coloured line always ends with a reset (`ESC [0m`).
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
//   12:00:05 [history] <bob> hi             ▸ replayed from the server's history (catch-up):
//                                           marked, dimmed, and dated when not from today
// ▸ Our own nick is written "you" in events about us ("--> you joined #lobby").
// ▸ 'names' and 'lag' events return null: the UI shows them elsewhere (nick list, status line).
// ▸ 'state' and 'registered' carry no time; they are stamped with `opts.now` (default Date.now()).
// ▸ Colour on: timestamps and events dim, errors red, disconnections yellow, nicks in their stable
//   colour, highlighted nicks bold + reverse. IRC formatting in remote text becomes SGR.

import type { ChatMessage, SessionEvent } from '../events.js';
import { fold, type CaseMapping } from '../../protocol/casemap.js';
import { clean, render, restore, RESET, sgr } from './ircformat.js';

export { displayWidth } from './width.js';
export { sanitize } from './ircformat.js';

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
// SGR styles and nick colours

const STYLE_TIME = '2';
const STYLE_EVENT = '2';
const STYLE_ERROR = '31';
const STYLE_WARN = '33';
const STYLE_HIGHLIGHT = '1;7';
const STYLE_HISTORY = '2';
/** Put after the time of a line replayed from the server's history (see README: Catching up). */
export const HISTORY_MARK = '[history]';

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
      if (event.self || event.history === true) return false;
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

/** HH:MM:SS in local time; `YYYY-MM-DD HH:MM:SS` when `dated` and not the same day as `now`. */
function clock(ms: number, dated = false, now = Date.now()): string {
  if (!Number.isFinite(ms)) return '--:--:--';
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const day = (t: Date) => `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
  return dated && day(d) !== day(new Date(now)) ? `${day(d)} ${time}` : time;
}

/** One line under construction: our literal text, remote names and remote text, on a base style. */
class Line {
  private body = '';
  /** Show the date too when it is not today (replayed history). */
  dated = false;
  now = Date.now();

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
    const ts = clock(time, this.dated, this.now);
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
    case 'message': {
      const l = line(event.history === true ? STYLE_HISTORY : '');
      if (event.history === true) {
        l.dated = true;
        l.now = opts.now ?? Date.now();
        l.lit(HISTORY_MARK + ' ');
      }
      return formatMessage(event, opts, l, tag, cm);
    }

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
    case 'readmarker':
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
