// The server's side of history: accepted messages become store records, and records become lines again for replay.
//
// Nothing here waits for the store: append() only queues, and the store commits at the start of
// the next flush pass (flush.ts), before any line of that turn is written, so a message is durable
// before its echo, its labeled ACK or its delivery leaves the server.
import { serializeBody, serializeTags, type Tags } from '../protocol/index.js';
import { conversationKey, privateRecord, type HistoryRecord, type Store } from '../store/types.js';
import { CAPBIT } from './capabilities.js';
import type { Channel } from './channel.js';
import type { ServerEvent } from './event.js';
import type { Stamp, Stamper } from './stamp.js';
import type { User } from './user.js';

export type StoredCommand = HistoryRecord['command'];
type Verb = 'PRIVMSG' | 'NOTICE';
/** A line of a draft/multiline message; `concat`: joined to the one before without a break. */
export interface Line {
  text: string;
  concat: boolean;
}

const MULTILINE = 'draft/multiline';
const CONCAT = 'draft/multiline-concat';

/**
 * A multiline message's lines as one record's text: each line after the first follows a \n (a
 * line break) or a \r (joined to the one before: multiline-concat). Neither can be in an IRC
 * line, so a text holding one is a multiline message; one without is a plain message.
 */
export function linesText(lines: Line[]): string {
  let text = '';
  for (const [k, l] of lines.entries()) text += (k === 0 ? '' : l.concat ? '\r' : '\n') + l.text;
  return text;
}

/** linesText() undone. */
export function textLines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  let concat = false;
  for (let i = 0; i <= text.length; i++) {
    const c = text.charCodeAt(i);
    if (i < text.length && c !== 10 && c !== 13) continue;
    out.push({ text: text.slice(start, i), concat });
    concat = c === 13;
    start = i + 1;
  }
  return out;
}

let batchCounter = 0;

/** A new batch id, unique on this server. */
export function batchId(prefix: string): string {
  return prefix + (++batchCounter).toString(36);
}

/** How often old messages are forgotten (--history-max, --history-age); the first time at start. */
const PRUNE_EVERY_MS = 10 * 60_000;

export class History {
  private prunedAt = -Infinity;

  constructor(readonly store: Store) {}

  /** Forget what retention no longer keeps, at most every PRUNE_EVERY_MS (called each second). */
  maybePrune(now: number, maxPerConversation: number, maxAgeMs: number): void {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    this.store.history.prune(maxPerConversation, maxAgeMs, now);
  }

  /**
   * A message to a whole channel (not one to its operators only: `@#chan` is not kept).
   * `shown`: the store may print the chat log's line for it (ChatLog.channelShownByStore). True
   * when it will: the record was handed over marked so.
   */
  channelMessage(out: ServerEvent, channel: Channel, sender: User, shown = false): boolean {
    if (this.othersKeep(sender)) return false;
    this.append(out, channel.folded, channel.name, sender, shown);
    return shown;
  }

  /** A private message between `sender` and `recipient`. */
  privateMessage(out: ServerEvent, sender: User, recipient: User): void {
    if (this.othersKeep(sender)) return;
    const conversation = conversationKey(sender.historyId, recipient.historyId);
    this.append(out, conversation, recipient.nick, sender);
  }

  /** A private message to account `key` (shown as `name`), whose users are all offline. */
  offlineMessage(out: ServerEvent, sender: User, key: string, name: string): void {
    this.append(out, conversationKey(sender.historyId, 'a:' + key), name, sender);
  }

  /** A draft/multiline message to `channel`: one record, its lines in its text (linesText). */
  channelLines(
    stamp: Stamp,
    verb: Verb,
    channel: Channel,
    sender: User,
    tags: Tags | null,
    lines: Line[],
  ) {
    if (this.othersKeep(sender)) return;
    this.keep(stamp, verb, channel.folded, channel.name, sender, tags, linesText(lines));
  }

  /**
   * A draft/multiline message between `sender` and `recipient` (a user, or an account with nobody
   * connected: its history id and name), as channelLines.
   */
  privateLines(
    stamp: Stamp,
    verb: Verb,
    sender: User,
    recipient: Pick<User, 'historyId' | 'nick'>,
    tags: Tags | null,
    lines: Line[],
  ) {
    const conversation = conversationKey(sender.historyId, recipient.historyId);
    this.keep(stamp, verb, conversation, recipient.nick, sender, tags, linesText(lines));
  }

  /**
   * The private-message fast path's line (direct.ts): plain PRIVMSG, no tags, stamped by the
   * stamper's last tick, `ms` (its msgid read as bytes when the store takes them: no Stamp built).
   * `shown`: the chat log left its console line to the store (ChatLog.privateBytes).
   */
  privateBytes(
    ms: number,
    stamper: Stamper,
    sender: User,
    recipient: User,
    buf: Buffer,
    s: number,
    e: number,
    shown = false,
  ) {
    const from = sender.historyParty();
    const to = recipient.historyParty();
    const h = this.store.history;
    if (h.appendPrivate !== undefined) {
      h.appendPrivate(stamper.msgidBytes(), ms, from, to, buf, s, e, shown);
    } else {
      const stamp = stamper.last();
      h.append(privateRecord(stamp.msgid, stamp.ms, from, to, buf.toString('utf8', s, e)));
    }
  }

  /**
   * `sender` is another cluster node's user and the nodes share this store: its own node keeps
   * the message (every node runs a channel message; one record is enough).
   */
  private othersKeep(sender: User): boolean {
    return sender.remote !== null && this.store.shared === true;
  }

  /** Queue `out` (PRIVMSG, NOTICE or TAGMSG from `sender`) as a record of `conversation`. */
  private append(
    out: ServerEvent,
    conversation: string,
    target: string,
    sender: User,
    shown = false,
  ): void {
    const command = out.command as StoredCommand;
    const text = command === 'TAGMSG' ? '' : (out.params[1] ?? '');
    const source = out.source;
    this.keep(
      out.stamp,
      command,
      conversation,
      target,
      sender,
      out.clientTags,
      text,
      source,
      shown,
    );
  }

  private keep(
    stamp: Stamp,
    command: StoredCommand,
    conversation: string,
    target: string,
    sender: User,
    tags: Tags | null,
    text: string,
    source = sender.prefix,
    shown = false,
  ): void {
    const record = {
      msgid: stamp.msgid,
      time: stamp.ms,
      conversation,
      target,
      source,
      account: sender.account,
      command,
      tags: tags === null ? '' : serializeTags(tags),
      text,
    };
    this.store.history.append(record, shown);
  }
}

/**
 * A stored message as lines for a client with `caps`, inside batch `batch` (or none): its own
 * time and msgid, its client tags for message-tags clients. A multiline message is a nested
 * draft/multiline batch for a client with that cap (and batch), else one line per non-blank line,
 * the first with the msgid, as it was delivered. Null when the client cannot be shown it (TAGMSG
 * to a client without message-tags).
 */
export function replayLine(
  record: HistoryRecord,
  caps: number,
  batch: string | null,
): string | null {
  const tagged = (caps & CAPBIT.MESSAGE_TAGS) !== 0;
  if (record.command === 'TAGMSG' && !tagged) return null;
  const outer = batch === null ? [] : ['batch=' + batch];
  const lines = record.command === 'TAGMSG' ? null : textLines(record.text);
  if (lines === null || lines.length === 1) {
    const params = lines === null ? [record.target] : [record.target, record.text];
    return line(
      [...outer, ...recordTags(record, caps, true)],
      record.source,
      record.command,
      params,
    );
  }
  const both = CAPBIT.MULTILINE | CAPBIT.BATCH;
  if ((caps & both) === both) {
    const id = batchId('ml');
    const open = [...outer, ...recordTags(record, caps, true)];
    let out = line(open, record.source, 'BATCH', ['+' + id, MULTILINE, record.target]);
    for (const l of lines) {
      const tags = l.concat ? ['batch=' + id, CONCAT] : ['batch=' + id];
      out += line(tags, record.source, record.command, [record.target, l.text]);
    }
    return out + line(outer, record.source, 'BATCH', ['-' + id]);
  }
  let out = '';
  for (const l of lines) {
    if (l.text === '') continue;
    const tags = [...outer, ...recordTags(record, caps, out === '')];
    out += line(tags, record.source, record.command, [record.target, l.text]);
  }
  return out;
}

/** The tags a stored message carries for a client with `caps` (the msgid only when `msgid`). */
function recordTags(record: HistoryRecord, caps: number, msgid: boolean): string[] {
  const tagged = (caps & CAPBIT.MESSAGE_TAGS) !== 0;
  const tags: string[] = [];
  if (tagged || (caps & CAPBIT.SERVER_TIME) !== 0) {
    tags.push('time=' + new Date(record.time).toISOString());
  }
  if (tagged) {
    if (msgid) tags.push('msgid=' + record.msgid);
    if (record.account !== null && (caps & CAPBIT.ACCOUNT_TAG) !== 0) {
      tags.push('account=' + record.account);
    }
    if (record.tags !== '') tags.push(record.tags);
  }
  return tags;
}

function line(tags: string[], source: string, command: string, params: string[]): string {
  const body = serializeBody(source, command, params);
  return tags.length === 0 ? body + '\r\n' : '@' + tags.join(';') + ' ' + body + '\r\n';
}
