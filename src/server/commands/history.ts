// CHATHISTORY (IRCv3 draft/chathistory): stored messages of a channel the asker is in, or of their private conversations.
//
// A query waits for the store (Request.waitFor): the asker's later lines wait behind it, nobody
// else's do. Channel history is open to current members only; a private conversation is keyed by
// both sides' history identities (User.historyId), so it belongs to those two accounts or, for a
// user without one, to that one connection. A channel's history begins anew when a channel of that
// name ended while the server ran and was made again (Channel.historyFrom).
import { fold, isChannelName } from '../../protocol/index.js';
import { conversationKey, type Bound, type HistoryRecord } from '../../store/types.js';
import { CAPBIT } from '../capabilities.js';
import { batchId, replayLine } from '../history.js';
import { parseServerTime } from '../stamp.js';
import type { User } from '../user.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';

const SUBCOMMANDS = new Set(['LATEST', 'BEFORE', 'AFTER', 'AROUND', 'BETWEEN', 'TARGETS']);

/** `timestamp=…` or `msgid=…` as a bound; null when it is neither (or not a valid time). */
function parseBound(word: string): Bound | null {
  if (word.startsWith('msgid=') && word.length > 6) return { msgid: word.slice(6) };
  if (!word.startsWith('timestamp=')) return null;
  const time = parseServerTime(word.slice(10));
  return time === null ? null : { time };
}

/** The conversation `target` names for `asker`, or null when the asker may not read it. */
function conversationFor(req: Request, target: string, asker: User): string | null {
  const network = req.server.network;
  if (isChannelName(target)) {
    const channel = network.findChannel(target);
    return channel !== undefined && channel.members.has(asker) ? channel.folded : null;
  }
  if (target === '*' || target.length === 0) return null;
  const other = network.findUser(target);
  // Someone offline is found by account: a conversation with a former holder of the nick who had
  // no account stays with that connection.
  const otherId = other !== undefined ? other.historyId : 'a:' + fold(target);
  return conversationKey(asker.historyId, otherId);
}

// CHATHISTORY <LATEST|BEFORE|AFTER|AROUND> <target> <bound|*> <limit>
// CHATHISTORY BETWEEN <target> <bound> <bound> <limit>
// CHATHISTORY TARGETS <timestamp> <timestamp> <limit>
function chathistory(req: Request): void {
  const store = req.server.store;
  const sub = req.params[0].toUpperCase();
  if (store === null || !SUBCOMMANDS.has(sub)) {
    req.standard('FAIL', 'INVALID_PARAMS', req.params[0], 'Unknown subcommand');
    return;
  }
  const need = sub === 'BETWEEN' ? 5 : 4;
  if (req.params.length < need) {
    req.standard('FAIL', 'NEED_MORE_PARAMS', sub, 'Insufficient parameters');
    return;
  }
  const max = req.server.config.historyLimit;
  const limitText = req.params[need - 1];
  const limit = /^\d{1,9}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= max)) {
    req.standard('FAIL', 'INVALID_PARAMS', sub, limitText, `Limit must be 1 to ${max}`);
    return;
  }
  const user = req.user;
  if (sub === 'TARGETS') return targets(req, limit);

  const target = req.params[1];
  const conversation = conversationFor(req, target, user);
  if (conversation === null) {
    req.standard('FAIL', 'INVALID_TARGET', sub, target, 'Messages could not be retrieved');
    return;
  }
  const a = sub === 'LATEST' && req.params[2] === '*' ? null : parseBound(req.params[2]);
  const b = sub === 'BETWEEN' ? parseBound(req.params[3]) : null;
  if ((a === null && sub !== 'LATEST') || (sub === 'BETWEEN' && b === null)) {
    req.standard('FAIL', 'INVALID_PARAMS', sub, req.params[2], 'Invalid message reference');
    return;
  }
  if (sub === 'LATEST' && a === null && req.params[2] !== '*') {
    req.standard('FAIL', 'INVALID_PARAMS', sub, req.params[2], 'Invalid message reference');
    return;
  }
  const h = store.history;
  const query =
    sub === 'LATEST'
      ? h.latest(conversation, a, limit)
      : sub === 'BEFORE'
        ? h.before(conversation, a!, limit)
        : sub === 'AFTER'
          ? h.after(conversation, a!, limit)
          : sub === 'AROUND'
            ? h.around(conversation, a!, limit)
            : h.between(conversation, a!, b!, limit);
  // A channel's own messages only: not those of an earlier channel of its name (Channel.owns).
  const channel = isChannelName(target) ? req.server.network.findChannel(target) : undefined;
  req.waitFor(
    query,
    (records) =>
      sendBatch(req, target, channel ? records.filter((r) => channel.owns(r.msgid)) : records),
    () => req.standard('FAIL', 'MESSAGE_ERROR', sub, 'Messages could not be retrieved'),
  );
}

/** Records as a `chathistory` batch for `target` (lines without a batch tag to a client without batch). */
export function sendBatch(req: Request, target: string, records: HistoryRecord[]): () => boolean {
  const caps = req.client.caps;
  const id = (caps & CAPBIT.BATCH) !== 0 ? batchId('h') : null;
  const name = req.server.config.name;
  let k = -1;
  return () => {
    if (k === -1) {
      if (id !== null) req.line(name, 'BATCH', ['+' + id, 'chathistory', target]);
    } else if (k < records.length) {
      const line = replayLine(records[k], caps, id);
      if (line !== null) req.raw(line);
    } else {
      if (id !== null) req.line(name, 'BATCH', ['-' + id]);
      return true;
    }
    k++;
    return false;
  };
}

// CHATHISTORY TARGETS <timestamp> <timestamp> <limit>: conversations whose latest message falls between.
function targets(req: Request, limit: number): void {
  const from = parseBound(req.params[1]);
  const to = parseBound(req.params[2]);
  if (from === null || to === null || !('time' in from) || !('time' in to)) {
    req.standard('FAIL', 'INVALID_PARAMS', 'TARGETS', 'Both bounds must be timestamps');
    return;
  }
  const user = req.user;
  const channels = [...user.channels].map((c) => c.folded);
  const query = req.server.store!.history.targets(
    channels,
    user.historyId,
    from.time,
    to.time,
    limit,
  );
  req.waitFor(
    query,
    (rows) => {
      const name = req.server.config.name;
      const id = req.client.has(CAPBIT.BATCH) ? batchId('t') : null;
      if (id !== null) req.line(name, 'BATCH', ['+' + id, 'draft/chathistory-targets']);
      const tag = id === null ? '' : `@batch=${id} `;
      for (const { conversation, latest } of rows) {
        const channel = isChannelName(conversation)
          ? req.server.network.findChannel(conversation)
          : undefined;
        if (channel !== undefined && !channel.owns(latest.msgid)) continue; // an earlier channel's
        const shown = isChannelName(conversation)
          ? (channel?.name ?? latest.target)
          : correspondent(latest, conversation, user);
        const time = new Date(latest.time).toISOString();
        req.raw(`${tag}:${name} CHATHISTORY TARGETS ${shown} ${time}\r\n`);
      }
      if (id !== null) req.line(name, 'BATCH', ['-' + id]);
    },
    () => req.standard('FAIL', 'MESSAGE_ERROR', 'TARGETS', 'Targets could not be retrieved'),
  );
}

/**
 * The other side of a private conversation, as `me` knows them: the recipient of its latest
 * message if I sent it, else its sender. "I" is my account when I am logged in (whatever nick sent
 * it), else my nick with no account; between two connections of my own account, my nick.
 */
function correspondent(record: HistoryRecord, conversation: string, me: User): string {
  const bang = record.source.indexOf('!');
  const sender = bang < 0 ? record.source : record.source.slice(0, bang);
  const id = me.historyId;
  const mine =
    me.account === null
      ? record.account === null && fold(sender) === me.folded
      : conversation === `${id} ${id}`
        ? fold(sender) === me.folded
        : record.account === me.account;
  return mine ? record.target : sender;
}

export const historyCommands: CommandSpec[] = [
  {
    name: 'CHATHISTORY',
    syntax: 'CHATHISTORY <LATEST|BEFORE|AFTER|AROUND|BETWEEN|TARGETS> <target> <bounds...> <limit>',
    help: 'Fetch stored messages of a channel you are in or of your private conversations (draft/chathistory).',
    minParams: 1,
    handler: chathistory,
  },
];
