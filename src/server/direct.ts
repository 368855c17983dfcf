// The fast path for the commonest line, `PRIVMSG <nick> :<plain text>`: relayed as bytes, never decoded.
//
// A private message is most of what a busy server reads, and the general path (decode, parse,
// Request, ServerEvent, re-encode) costs about 2 KiB of garbage per message. This path reads the
// target and text straight from the input bytes and writes the same line the general path would
// (relay() in commands/messaging.ts) into the recipient's output. Anything it does not cover
// returns false and takes the general path: tags, a source prefix, lower-case or other commands,
// several or channel targets, unknown or away recipients, echo-message and bot senders, logged-in
// senders to account-tag recipients, text without the `:`, and text that is not valid UTF-8 or
// holds a control character (so CTCP and formatting). A test runs the same conversations with this
// path on and off and compares every byte received and logged.
import { isUtf8 } from 'node:buffer';
import { hasWideControl, isChannelName } from '../protocol/index.js';
import { copyBytes } from '../protocol/bytes.js';
import { CAPBIT } from './capabilities.js';
import type { Connection } from './connection.js';
import { stampTags } from './event.js';
import type { Server } from './server.js';
import type { Client } from './client.js';

const VERB = Buffer.from('PRIVMSG ', 'latin1');
const SPACE = 0x20;
const COLON = 0x3a;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
/** Capabilities whose lines carry tags from the stamp. */
const STAMPED = CAPBIT.MESSAGE_TAGS | CAPBIT.SERVER_TIME;

let enabled = true;
let relayed = 0;

/** @internal Turn the fast path off (tests compare both paths) or back on. */
export function setDirectPath(on: boolean): void {
  enabled = on;
}

/** @internal How many lines this path has relayed (tests check it is really taken). */
export function directRelayed(): number {
  return relayed;
}

/** Handle buf[s, e) (one line, no tags) if it is a plain private PRIVMSG; false leaves it alone. */
export function relayDirect(
  server: Server,
  conn: Connection<Client>,
  buf: Buffer,
  s: number,
  e: number,
) {
  if (!enabled || e - s < VERB.length + 3) return false;
  for (let k = 0; k < VERB.length; k++) if (buf[s + k] !== VERB[k]) return false;
  const targetStart = s + VERB.length;
  let i = targetStart;
  for (; i < e; i++) {
    const b = buf[i];
    if (b === SPACE) break;
    if (b <= SPACE || b > 0x7e || b === COMMA) return false;
  }
  // Exactly one space, then `:` and at least one byte of text.
  if (i === targetStart || buf[targetStart] === COLON) return false;
  if (i + 2 >= e || buf[i + 1] !== COLON) return false;
  const textStart = i + 2;
  let spaced = false;
  let wide = false;
  for (let k = textStart; k < e; k++) {
    const b = buf[k];
    if (b < SPACE || b === 0x7f) return false;
    if (b === SPACE) spaced = true;
    else if (b > 0x7f) wide = true;
  }
  // Beyond ASCII: only valid UTF-8 with nothing the console would have to strip.
  // The text as a Buffer of its own: the recipient, the console log and history each copy it whole
  // (a copy of part of a Buffer makes a view first: one view instead of three, ~80 ns a message).
  const text = buf.subarray(textStart, e);
  if (wide && (!isUtf8(text) || hasWideControl(text, 0, text.length))) return false;

  const client = conn.owner;
  const user = client.user;
  // Several connections on either side (--multiclient) or none (--always-on): the general path.
  if (user === null || client.has(CAPBIT.ECHO_MESSAGE) || user.isBot || user.others !== null) {
    return false;
  }
  if (client.inflight !== 0) return false; // after its cluster commands (replica.ts)
  if (isChannelName(String.fromCharCode(buf[targetStart]))) return false; // no string: one character
  const recipient = server.network.findUserBytes(buf, targetStart, i);
  if (recipient === undefined || recipient.away !== null || recipient.remote !== null) return false;
  if (recipient.others !== null || recipient.detached) return false;

  const to = recipient.client;
  // account-tag: the general path writes the sender's account; this one writes no tag of its own.
  if (user.account !== null && (to.caps & CAPBIT.ACCOUNT_TAG) !== 0) return false;

  client.pingSentAt = 0;
  // One clock read a message: the stamp's milliseconds are the clock's (never behind it).
  const ms = server.stamper.tick();
  user.lastSpokeAt = ms;
  // The line up to the text, as relay() would write it (serializeBody's rule: the last parameter
  // gets a `:` only when it has a space or starts with one).
  const tags =
    (to.caps & STAMPED) !== 0 ? `@${stampTags(server.stamper.last(), to.caps, null)} ` : '';
  const prefix = user.wirePrivmsg();
  const nick = recipient.wireNick();
  const out = to.conn;
  // The stamp's tags are ASCII; 3 bytes a UTF-16 unit is the bound sendText uses all the same.
  const room = out.lineRoom(3 * tags.length + prefix.length + nick.length + text.length + 4);
  if (room !== null) {
    let o = out.lineAt;
    if (tags !== '') o += room.write(tags, o);
    o = copyBytes(room, copyBytes(room, o, prefix), nick);
    room[o++] = SPACE;
    if (spaced || buf[textStart] === COLON) room[o++] = COLON;
    o = copyBytes(room, o, text);
    room[o++] = CR;
    room[o++] = LF;
    out.commitLine(o);
  }
  const shown = server.chatlog.privateBytes(ms, user, recipient, text, 0, text.length);
  server.history?.privateBytes(ms, server.stamper, user, recipient, text, 0, text.length, shown);
  relayed++;
  return true;
}
