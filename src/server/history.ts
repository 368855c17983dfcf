// The server's side of history: accepted messages become store records, and records become lines again for replay.
//
// Nothing here waits for the store: append() only queues, and the store commits at the start of
// the next flush pass (flush.ts), before any line of that turn is written, so a message is durable
// before its echo, its labeled ACK or its delivery leaves the server.
import { serializeBody, serializeTags } from '../protocol/index.js';
import { conversationKey, type HistoryRecord, type Store } from '../store/types.js';
import { CAPBIT } from './capabilities.js';
import type { Channel } from './channel.js';
import type { ServerEvent } from './event.js';
import type { Stamp } from './stamp.js';
import type { User } from './user.js';

export type StoredCommand = HistoryRecord['command'];

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

  /** A message to a whole channel (not one to its operators only: `@#chan` is not kept). */
  channelMessage(out: ServerEvent, channel: Channel, sender: User): void {
    if (this.othersKeep(sender)) return;
    this.append(out, channel.folded, channel.name, sender);
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

  /** The private-message fast path's line (direct.ts): plain PRIVMSG, no tags. */
  privateBytes(stamp: Stamp, sender: User, recipient: User, buf: Buffer, s: number, e: number) {
    const record = {
      msgid: stamp.msgid,
      time: stamp.ms,
      conversation: conversationKey(sender.historyId, recipient.historyId),
      target: recipient.nick,
      source: sender.prefix,
      account: sender.account,
      command: 'PRIVMSG' as const,
      tags: '',
    };
    const h = this.store.history;
    if (h.appendBytes !== undefined) h.appendBytes(record, buf, s, e);
    else h.append({ ...record, text: buf.toString('utf8', s, e) });
  }

  /**
   * `sender` is another cluster node's user and the nodes share this store: its own node keeps
   * the message (every node runs a channel message; one record is enough).
   */
  private othersKeep(sender: User): boolean {
    return sender.remote !== null && this.store.shared === true;
  }

  /** Queue `out` (PRIVMSG, NOTICE or TAGMSG from `sender`) as a record of `conversation`. */
  private append(out: ServerEvent, conversation: string, target: string, sender: User): void {
    const command = out.command as StoredCommand;
    this.store.history.append({
      msgid: out.stamp.msgid,
      time: out.stamp.ms,
      conversation,
      target,
      source: out.source,
      account: sender.account,
      command,
      tags: out.clientTags === null ? '' : serializeTags(out.clientTags),
      text: command === 'TAGMSG' ? '' : (out.params[1] ?? ''),
    });
  }
}

/**
 * A stored message as a line for a client with `caps`, inside batch `batch` (or none): its own
 * time and msgid, its client tags for message-tags clients. Null when the client cannot be shown it
 * (TAGMSG to a client without message-tags).
 */
export function replayLine(
  record: HistoryRecord,
  caps: number,
  batch: string | null,
): string | null {
  const tagged = (caps & CAPBIT.MESSAGE_TAGS) !== 0;
  if (record.command === 'TAGMSG' && !tagged) return null;
  const tags: string[] = [];
  if (batch !== null) tags.push('batch=' + batch);
  if (tagged || (caps & CAPBIT.SERVER_TIME) !== 0) {
    tags.push('time=' + new Date(record.time).toISOString());
  }
  if (tagged) {
    tags.push('msgid=' + record.msgid);
    if (record.account !== null && (caps & CAPBIT.ACCOUNT_TAG) !== 0) {
      tags.push('account=' + record.account);
    }
    if (record.tags !== '') tags.push(record.tags);
  }
  const params = record.command === 'TAGMSG' ? [record.target] : [record.target, record.text];
  const body = serializeBody(record.source, record.command, params);
  return tags.length === 0 ? body + '\r\n' : '@' + tags.join(';') + ' ' + body + '\r\n';
}
