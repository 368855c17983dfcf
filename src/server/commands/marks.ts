// MARKREAD (draft/read-marker) and REDACT (draft/message-redaction): what a user has read, and taking back what was said.
//
// Read markers live in memory per history identity (User.historyId) and, for a logged-in user,
// in the store too, so every connection of an account shares them. A marker only moves forward.
// REDACT removes a stored message from history and tells whoever could see it (clients with the
// cap); it is allowed to the message's sender and, in a channel, to its operators.
import { fold, isChannelName } from '../../protocol/index.js';
import { conversationKey, type HistoryRecord, type Store } from '../../store/types.js';
import { CAPBIT } from '../capabilities.js';
import type { Channel } from '../channel.js';
import type { Server } from '../server.js';
import { parseServerTime } from '../stamp.js';
import type { User } from '../user.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';

/** The markers of `user`: its account's, shared by its connections, or its connection's own. */
function markersOf(server: Server, user: User): Map<string, number> {
  if (user.account === null) return (user.readMarks ??= new Map());
  const all = server.network.readMarks;
  let mine = all.get(user.account);
  if (mine === undefined) all.set(user.account, (mine = new Map()));
  return mine;
}

/**
 * At login, bring the account's stored markers into memory (once per account on this server), so
 * that a JOIN right after shows them. The client's later lines wait for the store meanwhile
 * (Request.waitFor); `then` runs once they are in, or at once when nothing needs loading.
 */
export function loadReadMarks(req: Request, account: string, then: () => void = () => {}): void {
  const store = req.server.store;
  const all = req.server.network.readMarks;
  if (store === null || all.has(account)) return then();
  const mine = new Map<string, number>();
  all.set(account, mine);
  req.waitFor(
    store.accounts.readMarkers(account),
    (rows) => {
      for (const [key, ms] of rows) if (!((mine.get(key) ?? -1) >= ms)) mine.set(key, ms);
      then();
    },
    then, // MARKREAD without a timestamp still asks the store for a marker it has not seen
  );
}

/** `timestamp=…` as the spec writes it for a marker, or `*` when none is set. */
function shown(ms: number | undefined): string {
  return ms === undefined ? '*' : 'timestamp=' + new Date(ms).toISOString();
}

/** The MARKREAD line a client with the cap gets on joining `channel`, before the names end. */
export function joinMarker(req: Request, channelName: string): void {
  if (!req.client.has(CAPBIT.READ_MARKER)) return;
  const ms = markersOf(req.server, req.user).get(fold(channelName));
  req.line(req.server.config.name, 'MARKREAD', [channelName, shown(ms)]);
}

// MARKREAD <target> [timestamp=<time>]
function markread(req: Request): void {
  if (req.params.length === 0 || req.params[0] === '') {
    req.standard('FAIL', 'NEED_MORE_PARAMS', 'Missing target');
    return;
  }
  const user = req.user;
  const target = req.params[0];
  const key = fold(target);
  const mine = markersOf(req.server, user);
  const name = req.server.config.name;
  if (req.params.length < 2) {
    const known = mine.get(key);
    const store = req.server.store;
    if (known !== undefined || user.account === null || store === null) {
      req.line(name, 'MARKREAD', [target, shown(known)]);
      return;
    }
    req.waitFor(
      store.accounts.readMarker(user.account, key),
      (ms) => {
        if (ms !== null && !((mine.get(key) ?? -1) >= ms)) mine.set(key, ms);
        req.line(name, 'MARKREAD', [target, shown(mine.get(key))]);
      },
      () => req.line(name, 'MARKREAD', [target, shown(mine.get(key))]),
    );
    return;
  }
  const text = req.params[1];
  const ms = text.startsWith('timestamp=') ? parseServerTime(text.slice(10)) : null;
  if (ms === null) {
    req.standard(
      'FAIL',
      'INVALID_PARAMS',
      target,
      text,
      'Timestamp must be timestamp=<ISO 8601 UTC>',
    );
    return;
  }
  const before = mine.get(key);
  if (before === undefined || ms > before) {
    mine.set(key, ms);
    if (user.account !== null) req.server.store?.accounts.setReadMarker(user.account, key, ms);
  }
  // The stored value goes to every connection of this identity with the cap (only ever forward).
  const line = [target, shown(mine.get(key))];
  req.line(name, 'MARKREAD', line);
  if (user.account === null) return;
  const news = `:${name} MARKREAD ${line.join(' ')}\r\n`;
  for (const other of req.server.network.usersOfAccount(user.account)) {
    for (const s of other.sessions()) {
      if (s !== req.client && s.has(CAPBIT.READ_MARKER)) s.conn.sendText(news);
    }
  }
}

/** Whether `user` may take back `record`: its sender (same account, or same nick!user@host without one). */
function isSender(record: HistoryRecord, user: User): boolean {
  return record.account !== null ? record.account === user.account : record.source === user.prefix;
}

/** How long a node waits before looking again for a message the shared store does not hold yet. */
const SHARED_LAG_MS = 150;

/**
 * The stored record of `msgid`. In a store the cluster's nodes share, a message just seen here may
 * not be written yet by its sender's node (it writes a turn's records at once): looked for again.
 */
async function findRecord(store: Store, msgid: string): Promise<HistoryRecord | null> {
  const found = await store.history.find(msgid);
  if (found !== null || store.shared !== true) return found;
  await new Promise((resolve) => setTimeout(resolve, SHARED_LAG_MS));
  return store.history.find(msgid);
}

// REDACT <target> <msgid> [:<reason>]
function redact(req: Request): void {
  const { network, store } = req.server;
  const user = req.user;
  const [target, msgid] = req.params;
  const channel = isChannelName(target) ? network.findChannel(target) : undefined;
  const peer = isChannelName(target) ? undefined : network.findUser(target);
  // In a cluster every node runs it from the network's order, once its origin has checked it.
  if (req.server.cluster?.replica.applying === true) return takeBack(req, channel, peer);
  if ((channel === undefined || !channel.members.has(user)) && peer === undefined) {
    req.standard('FAIL', 'INVALID_TARGET', target, 'You cannot redact messages there');
    return;
  }
  if (store === null) {
    req.standard('FAIL', 'UNKNOWN_MSGID', target, msgid, 'This server keeps no messages');
    return;
  }
  const conversation =
    channel !== undefined ? channel.folded : conversationKey(user.historyId, peer!.historyId);
  req.waitFor(
    findRecord(store, msgid),
    (record) => {
      const earlier = channel !== undefined && record !== null && !channel.owns(record.msgid);
      if (record === null || record.conversation !== conversation || earlier) {
        req.standard('FAIL', 'UNKNOWN_MSGID', target, msgid, 'No such message here');
        return;
      }
      if (!isSender(record, user) && !(channel !== undefined && channel.isOp(user))) {
        req.standard(
          'FAIL',
          'REDACT_FORBIDDEN',
          target,
          msgid,
          'You may only redact your own messages',
        );
        return;
      }
      if (req.server.cluster?.replica.order(req) !== true) takeBack(req, channel, peer);
    },
    () => req.standard('FAIL', 'UNKNOWN_MSGID', target, msgid, 'Messages could not be retrieved'),
  );
}

/** Remove the checked message from history and tell whoever could see it (with the cap). */
function takeBack(req: Request, channel: Channel | undefined, peer: User | undefined): void {
  const { network, store } = req.server;
  const user = req.user;
  const [target, msgid] = req.params;
  // A store the nodes share loses the record once, on the node of its remover.
  if (store !== null && !(store.shared === true && user.remote !== null)) {
    store.history.redact(msgid);
  }
  const reason = req.params[2];
  const params = reason === undefined ? [target, msgid] : [target, msgid, reason];
  const out = req.server.event(user.prefix, 'REDACT', params);
  if (channel !== undefined) {
    network.deliver.toChannel(channel, out, user, CAPBIT.MESSAGE_REDACTION);
  } else if (peer !== undefined && peer !== user && peer.client.has(CAPBIT.MESSAGE_REDACTION)) {
    network.deliver.toUser(peer, out);
  }
  if (req.client.has(CAPBIT.MESSAGE_REDACTION)) req.event(out);
}

export const markCommands: CommandSpec[] = [
  {
    name: 'MARKREAD',
    syntax: 'MARKREAD <target> [timestamp=<time>]',
    help: 'Get, or move forward, how far you have read a channel or private conversation (draft/read-marker).',
    minParams: 0,
    handler: markread,
  },
  {
    name: 'REDACT',
    syntax: 'REDACT <target> <msgid> [<reason>]',
    help: 'Take back a message you sent (channel operators: any in their channel); it leaves history.',
    minParams: 2,
    handler: redact,
  },
];
