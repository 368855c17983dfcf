// Messages: PRIVMSG and NOTICE to channels, nicks or both at once, and TAGMSG (tags only).
import { ERR, RPL, fold, isChannelName, type Tags } from '../../protocol/index.js';
import { CAPBIT } from '../capabilities.js';
import { MEMBER, type Channel } from '../channel.js';
import { consoleForm } from '../../store/console.js';
import type { AccountRecord, Store } from '../../store/types.js';
import type { User } from '../user.js';
import type { Request } from './request.js';
import { addLine } from './multiline.js';
import { chanserv, isChanServ } from './chanserv.js';
import { isNickServ, nickserv } from './nickserv.js';
import { sendOffline } from './offline.js';
import type { CommandSpec } from './table.js';

type Verb = 'PRIVMSG' | 'NOTICE' | 'TAGMSG';

// PRIVMSG <target>{,<target>} <text>   (a target is a nick, #channel, or @#channel / +#channel)
// NOTICE  <target>{,<target>} <text>   (never answered with an error, per RFC 2812 §3.3.2)
// TAGMSG  <target>{,<target>}          (message-tags clients only)
function relay(req: Request, verb: Verb, accounts?: Map<string, AccountRecord | null>): void {
  const server = req.server;
  const { network, config, chatlog } = server;
  const user = req.user;
  // A line of a draft/multiline batch: gathered, delivered when the batch closes (multiline.ts).
  const batch = req.msg.tags?.get('batch');
  if (batch !== undefined && verb !== 'TAGMSG') return addLine(req, verb, batch);
  const quiet = verb === 'NOTICE';
  const needText = verb !== 'TAGMSG';
  if (req.params.length === 0 || req.params[0] === '') {
    if (!quiet) req.numeric(ERR.NORECIPIENT, `No recipient given (${verb})`);
    return;
  }
  const text = req.params[1] ?? '';
  if (needText && text === '') {
    if (!quiet) req.numeric(ERR.NOTEXTTOSEND, 'No text to send');
    return;
  }
  const tags = req.clientTags();
  const targets = uniqueTargets(req.params[0]);
  let late: Map<string, string> | null = null;
  if (targets.length > config.maxTargets) {
    if (!quiet) {
      req.numeric(
        ERR.TOOMANYTARGETS,
        targets[config.maxTargets],
        `Too many recipients (at most ${config.maxTargets})`,
      );
    }
    return;
  }
  // A nick nobody uses may be an account whose users are offline: ask the store first, then
  // handle every target in order (the sender's later lines wait; nobody else does).
  // (A cluster replica's command: its own node asks its store; here the nick is just unknown.)
  if (
    accounts === undefined &&
    verb !== 'TAGMSG' &&
    server.store !== null &&
    user.remote === null
  ) {
    const unknown = targets.filter(
      (t) =>
        !isChannelName(t) &&
        t[0] !== '@' &&
        t[0] !== '+' &&
        !isNickServ(req, t) &&
        !isChanServ(req, t) &&
        network.findUser(t) === undefined,
    );
    if (unknown.length > 0 && server.cluster?.replica.applying !== true) {
      return lookUpAccounts(req, verb, unknown, server.store);
    }
    // Every node runs this line now, in the network's order: the targets that are users and
    // channels are served now, the unknown nicks once the store has answered (below).
    if (unknown.length > 0) late = new Map(unknown.map((t) => [fold(t), t]));
  }
  const { kind, text: logText } = consoleForm(verb, text);
  const params = needText ? ['', text] : [''];
  const capBit = verb === 'TAGMSG' ? CAPBIT.MESSAGE_TAGS : 0;
  // IRCv3 message-tags: no TAGMSG to a client without the cap, its own echo included.
  const echo = req.client.has(CAPBIT.ECHO_MESSAGE) && (capBit === 0 || req.client.has(capBit));
  const privateTo: string[] = [];
  let lastMs = 0;
  user.lastSpokeAt = req.now;

  for (const target of targets) {
    let name = target;
    let minStatus = 0;
    if (name[0] === '@' || name[0] === '+') {
      minStatus = name[0] === '@' ? MEMBER.OP : MEMBER.OP | MEMBER.VOICE;
      name = name.slice(1);
      if (!isChannelName(name)) {
        if (!quiet) req.numeric(ERR.NOSUCHNICK, target, 'No such nick/channel');
        continue;
      }
    }
    if (isChannelName(name)) {
      const channel = network.findChannel(name);
      if (channel === undefined) {
        if (!quiet) req.numeric(ERR.NOSUCHCHANNEL, name, 'No such channel');
        continue;
      }
      const refused = speakRefusal(channel, user, kind === 'ctcp');
      if (refused !== null) {
        if (!quiet) req.numeric(ERR.CANNOTSENDTOCHAN, channel.name, refused);
        continue;
      }
      const shown = minStatus === 0 ? channel.name : target[0] + channel.name;
      const out = server.userEvent(user, verb, withTarget(params, shown), tags);
      network.deliver.toChannel(channel, out, user, capBit, minStatus);
      // The console line: the history writer prints it from the record when it can.
      let logged = false;
      if (minStatus === 0 && verb !== 'TAGMSG' && server.history !== null) {
        logged = server.history.channelMessage(out, channel, user, chatlog.channelShownByStore());
      }
      if (echo) req.event(out);
      network.deliver.toOtherSessions(user, req.client, out, capBit);
      if (verb !== 'TAGMSG' && !logged) {
        chatlog.channelMessage(out.stamp.ms, shown, user.nick, logText, kind);
      }
      continue;
    }
    if (isChanServ(req, name)) {
      if (verb === 'PRIVMSG') chanserv(req, text);
      continue;
    }
    if (isNickServ(req, name)) {
      // Services: never delivered, logged or kept (the text may hold a password).
      if (verb === 'PRIVMSG') nickserv(req, text);
      continue;
    }
    const recipient = network.findUser(name);
    if (recipient !== undefined && recipient.remote !== null) {
      // A user of another node (cluster.ts, replica.ts). When every node runs this command (it
      // went to a channel too), that user's node delivers it; else it is handed over, refused
      // rather than queued while Redis is away, so nothing confirmed can be lost.
      const cluster = server.cluster!;
      const handOver = !cluster.replica.applying;
      if (handOver && !cluster.reachable) {
        if (!quiet) {
          req.numeric(
            ERR.NOSUCHSERVER,
            recipient.remote,
            'Server unreachable: the network is degraded',
          );
        }
        continue;
      }
      const out = server.userEvent(user, verb, withTarget(params, recipient.nick), tags);
      if (handOver) cluster.deliver(user, recipient, verb, needText ? text : null, tags, out);
      // Kept where it was sent from (with a store the nodes share, once for all of them), also
      // when every node runs the line (it went to a channel too): the recipient's node does not.
      if (verb !== 'TAGMSG' && user.remote === null) {
        server.history?.privateMessage(out, user, recipient);
      }
      if (echo) req.event(out);
      network.deliver.toOtherSessions(user, req.client, out, capBit);
      // Its away text is known here (AWAY goes through the order); to a replica sender, nowhere.
      if (verb === 'PRIVMSG') replyAway(req, recipient);
      if (user.remote === null) privateTo.push(recipient.nick);
      lastMs = out.stamp.ms;
      continue;
    }
    if (recipient === undefined) {
      if (late?.has(fold(name)) !== true)
        toNobody(req, verb, name, accounts?.get(fold(name)), text, tags);
      continue;
    }
    if (recipient.detached && verb !== 'TAGMSG') {
      // An always-on user with no connection: kept for it as for an account that is offline.
      sendOffline(req, verb, { key: recipient.account!, name: recipient.nick }, text, tags);
      continue;
    }
    const out = server.userEvent(user, verb, withTarget(params, recipient.nick), tags);
    network.deliver.toUser(recipient, out, capBit);
    if (verb !== 'TAGMSG') server.history?.privateMessage(out, user, recipient);
    if (echo) req.event(out); // to oneself too: the delivery and the echo are two lines
    network.deliver.toOtherSessions(user, req.client, out, capBit);
    if (verb === 'PRIVMSG') replyAway(req, recipient);
    privateTo.push(recipient.nick);
    lastMs = out.stamp.ms;
  }
  if (privateTo.length > 0 && verb !== 'TAGMSG') {
    chatlog.privateMessage(lastMs, user.nick, privateTo, logText, kind);
  }
  if (late !== null) {
    const nicks = [...late.values()];
    withAccounts(req, nicks, server.store!, (found) => {
      for (const nick of nicks) toNobody(req, verb, nick, found.get(fold(nick)), text, tags);
    });
  }
}

/** A message to `name`, whom nobody online uses: kept for its account if it is one, else 401. */
function toNobody(
  req: Request,
  verb: Verb,
  name: string,
  account: AccountRecord | null | undefined,
  text: string,
  tags: Tags | null,
): void {
  if (account != null && verb !== 'TAGMSG') sendOffline(req, verb, account, text, tags);
  else if (verb !== 'NOTICE') req.numeric(ERR.NOSUCHNICK, name, 'No such nick/channel');
}

/** Relay once the store has said which of `nicks` are accounts (null: not one, or no answer). */
function lookUpAccounts(req: Request, verb: Verb, nicks: string[], store: Store): void {
  withAccounts(req, nicks, store, (found) => relay(req, verb, found));
}

/**
 * `then` with the account of each of `nicks` by folded nick (null: not one; none at all when the
 * store did not answer), this client's later lines waiting meanwhile.
 */
function withAccounts(
  req: Request,
  nicks: string[],
  store: Store,
  then: (found: Map<string, AccountRecord | null>) => void,
): void {
  const found = Promise.all(nicks.map((nick) => store.accounts.get(fold(nick))));
  req.waitFor(
    found,
    (records) => then(new Map(nicks.map((nick, k) => [fold(nick), records[k]]))),
    () => then(new Map()),
  );
}

/**
 * Why `user` may not send to `channel` (the text of its 404), or null when it may. A ban (or `m:`
 * mute) silences all but voiced members and operators, someone outside a -n channel too (RFC 1459
 * §4.4.1).
 */
export function speakRefusal(channel: Channel, user: User, ctcp: boolean): string | null {
  const status = channel.statusOf(user);
  if (!channel.canSpeak(user) || (!status && (channel.isBanned(user) || channel.isMuted(user)))) {
    return 'Cannot send to channel';
  }
  return ctcp && channel.has('C') ? 'Cannot send CTCP to channel (+C)' : null;
}

function withTarget(params: string[], target: string): string[] {
  const p = params.slice();
  p[0] = target;
  return p;
}

function replyAway(req: Request, recipient: User): void {
  if (recipient.away !== null) req.numeric(RPL.AWAY, recipient.nick, recipient.away);
}

/** Split a comma list, dropping empties and repeats (case-insensitively). */
function uniqueTargets(list: string): string[] {
  if (list.indexOf(',') === -1) return [list]; // the common case: one target
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of list.split(',')) {
    if (t.length === 0) continue;
    const key = fold(t);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

export const messagingCommands: CommandSpec[] = [
  {
    name: 'PRIVMSG',
    syntax: 'PRIVMSG <target>{,<target>} <text>',
    help: 'Send a message to channels and/or nicks; several targets at once are allowed (TARGMAX).',
    minParams: 0,
    handler: (req) => relay(req, 'PRIVMSG'),
  },
  {
    name: 'NOTICE',
    syntax: 'NOTICE <target>{,<target>} <text>',
    help: 'Like PRIVMSG, but never answered automatically.',
    minParams: 0,
    handler: (req) => relay(req, 'NOTICE'),
  },
  {
    name: 'TAGMSG',
    syntax: 'TAGMSG <target>{,<target>}',
    help: 'Send only client tags (typing notices, reactions) to message-tags clients.',
    minParams: 1,
    handler: (req) => relay(req, 'TAGMSG'),
  },
];
