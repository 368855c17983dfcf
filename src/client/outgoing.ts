// Building outgoing lines: text split to the 512-byte limit at character boundaries, target lists cut to TARGMAX, JOIN lists, CTCP, nick alternatives.
import { serializeBody, truncateUtf8 } from '../protocol/index.js';

/** RFC 1459 §2.3: a line is at most 512 bytes, CR LF included. */
export const LINE_BYTES = 512;
/** Host length assumed when budgeting a relayed line (RFC 1123 host names fit in 63; cloaks vary). */
export const ASSUMED_HOST_LEN = 64;
/** Never cut text into pieces smaller than this, whatever the header length. */
const MIN_TEXT_BYTES = 32;
/** Bytes of target list per JOIN line, well under the limit so key lists fit too. */
const JOIN_LIST_BYTES = 400;

/** CR, LF and NUL can never be part of a line: a CR or LF would start a new command. */
export function cleanLine(s: string): string {
  return s.replace(/[\r\n\0]/g, '');
}

/** The non-empty lines of user text (a paste with newlines is several messages). */
export function textLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(/\0/g, ''))
    .filter((l) => l.length > 0);
}

export interface Sender {
  nick: string;
  /** Username as the server may show it (we add one byte for an ident `~`). */
  user: string;
  /** Our host if known (from an echo of our own prefix); otherwise ASSUMED_HOST_LEN is used. */
  host: string | null;
}

/**
 * Bytes of text that fit in one `command targets :text` line, both as we send it and as the
 * server relays it to each target (`:nick!user@host command target :text`), minus `extra`
 * (the 9 bytes of a CTCP ACTION wrapper).
 */
export function textBudget(sender: Sender, command: string, targets: readonly string[], extra = 0) {
  const own = Buffer.byteLength(`${command} ${targets.join(',')} :`);
  const longest = Math.max(0, ...targets.map((t) => Buffer.byteLength(t)));
  const user = Math.max(Buffer.byteLength(sender.user) + 1, 1);
  const host = Math.max(Buffer.byteLength(sender.host ?? ''), ASSUMED_HOST_LEN);
  const relayed = Buffer.byteLength(`:${sender.nick}!@ ${command}  :`) + user + host + longest;
  return Math.max(MIN_TEXT_BYTES, LINE_BYTES - 2 - Math.max(own, relayed) - extra);
}

/**
 * Split `text` into pieces of at most `budget` UTF-8 bytes, never inside a character; a piece
 * ends after a space when there is one in its second half, so words stay whole. Concatenating
 * the pieces gives back `text`.
 */
export function splitText(text: string, budget: number): string[] {
  const max = Math.max(4, Math.floor(budget)); // a 4-byte character must always fit
  const out: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > max) {
    let piece = truncateUtf8(rest, max);
    const space = piece.lastIndexOf(' ');
    if (space >= piece.length / 2 && space < piece.length - 1) piece = piece.slice(0, space + 1);
    out.push(piece);
    rest = rest.slice(piece.length);
  }
  if (rest.length > 0) out.push(rest);
  return out;
}

/** Cut a target list into groups of at most `max`. */
export function chunkTargets<T>(targets: readonly T[], max: number): T[][] {
  const size = Number.isFinite(max) && max >= 1 ? Math.floor(max) : targets.length || 1;
  const out: T[][] = [];
  for (let k = 0; k < targets.length; k += size) out.push(targets.slice(k, k + size));
  return out;
}

/** Split `a,b,,c` (or an array of such) into distinct non-empty targets, in order. */
export function targetList(target: string | readonly string[], fold: (s: string) => string) {
  const words = (typeof target === 'string' ? [target] : target).flatMap((t) =>
    cleanLine(t).split(/[,\s]+/),
  );
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of words) {
    if (w.length === 0 || seen.has(fold(w))) continue;
    seen.add(fold(w));
    out.push(w);
  }
  return out;
}

export interface JoinTarget {
  name: string;
  key?: string;
}

/**
 * JOIN lines for many channels: `JOIN #a,#b key1,key2`, keyed channels first (keys pair up
 * with the leading channels), at most `max` channels and about 400 bytes per line.
 */
export function joinLines(channels: readonly JoinTarget[], max: number): string[] {
  const keyed = channels.filter((c) => c.key !== undefined && c.key !== '');
  const plain = channels.filter((c) => c.key === undefined || c.key === '');
  const lines: string[] = [];
  let names: string[] = [];
  let keys: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (names.length === 0) return;
    lines.push(`JOIN ${names.join(',')}${keys.length > 0 ? ' ' + keys.join(',') : ''}`);
    names = [];
    keys = [];
    bytes = 0;
  };
  for (const c of [...keyed, ...plain]) {
    const size = Buffer.byteLength(c.name) + Buffer.byteLength(c.key ?? '') + 2;
    if (names.length > 0 && (names.length >= max || bytes + size > JOIN_LIST_BYTES)) flush();
    // Once a line has an unkeyed channel, a keyed one can't follow it (keys pair by position).
    if (c.key !== undefined && c.key !== '' && names.length > keys.length) flush();
    names.push(c.name);
    if (c.key !== undefined && c.key !== '') keys.push(c.key);
    bytes += size;
  }
  flush();
  return lines;
}

/** Wrap a CTCP request or reply: `\x01COMMAND args\x01`. */
export function ctcp(command: string, args: string): string {
  return `\x01${command}${args.length > 0 ? ' ' + args : ''}\x01`;
}

/** The answer to a CTCP request we reply to (VERSION, PING, TIME, CLIENTINFO), else null. */
export function ctcpAnswer(command: string, args: string, now: number, version: string) {
  switch (command) {
    case 'VERSION':
      return `parley ${version}`.trim();
    case 'PING':
      return args;
    case 'TIME':
      return new Date(now).toString();
    case 'CLIENTINFO':
      return 'ACTION CLIENTINFO PING TIME VERSION';
    default:
      return null;
  }
}

/** Read a CTCP message (`\x01COMMAND args\x01`, closing \x01 optional); null for plain text. */
export function parseCtcp(text: string): { command: string; args: string } | null {
  if (text.length < 2 || text.charCodeAt(0) !== 1) return null;
  let body = text.slice(1);
  if (body.endsWith('\x01')) body = body.slice(0, -1);
  const sp = body.indexOf(' ');
  const command = (sp === -1 ? body : body.slice(0, sp)).toUpperCase();
  return command.length === 0 ? null : { command, args: sp === -1 ? '' : body.slice(sp + 1) };
}

/** Characters RFC 2812 allows in a nickname besides letters and digits. */
const NICK_CHARS = /[^A-Za-z0-9[\]\\`_^{|}-]/g;

/** A nick made acceptable: invalid characters dropped, never starting with a digit or '-'. */
export function sanitizeNick(nick: string): string {
  const kept = nick.replace(NICK_CHARS, '');
  if (kept.length === 0) return 'parley';
  return /^[0-9-]/.test(kept) ? '_' + kept : kept;
}

/**
 * The nick to try after `attempt` refusals of `base` (1-based): base_, base__, then base plus three
 * random digits, then (in case length was the problem) a short stem plus digits.
 */
export function alternativeNick(
  base: string,
  attempt: number,
  random: () => number,
  maxLen: number | null,
): string {
  const stem = sanitizeNick(base);
  if (attempt === 1) return stem + '_';
  if (attempt === 2) return stem + '__';
  const digits = String(Math.floor(random() * 1000) % 1000).padStart(3, '0');
  const short = Math.max(1, (maxLen ?? 9) - 3);
  const fits = maxLen === null || stem.length + 3 <= maxLen;
  const room = attempt === 3 && fits ? stem.length : short;
  return stem.slice(0, room) + digits;
}

export interface OutgoingMessage {
  /** The whole line to send. */
  line: string;
  /** The targets it goes to, and the text piece it carries (for a local echo). */
  targets: string[];
  text: string;
}

/**
 * PRIVMSG/NOTICE lines for `lines` of text to `targets`: targets cut into groups of
 * `maxTargets`, each line cut to the byte budget of its group. ACTION wraps each piece.
 */
export function messageLines(
  command: 'PRIVMSG' | 'NOTICE',
  action: boolean,
  targets: readonly string[],
  lines: readonly string[],
  sender: Sender,
  maxTargets: number,
): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  const extra = action ? ctcp('ACTION', '').length + 1 : 0;
  for (const group of chunkTargets(targets, maxTargets)) {
    const budget = textBudget(sender, command, group, extra);
    for (const text of lines.flatMap((l) => splitText(l, budget))) {
      const body = action ? ctcp('ACTION', text) : text;
      out.push({
        line: serializeBody(null, command, [group.join(','), body]),
        targets: group,
        text,
      });
    }
  }
  return out;
}
