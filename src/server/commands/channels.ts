// Named groups: JOIN, PART, TOPIC, KICK, INVITE; in a large channel (+u) arrivals and departures stay quiet.
import { ERR, RPL, isValidChannel, serializeBody, truncateUtf8 } from '../../protocol/index.js';
import { CAPBIT } from '../capabilities.js';
import type { Channel } from '../channel.js';
import { sendBatch } from './history.js';
import { joinMarker } from './marks.js';
import { inSequence, sendJoinNames } from './names.js';
import type { User } from '../user.js';
import type { ServerEvent } from '../event.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';

/** Join each of `names` (with the matching key), replying as JOIN would. */
export function joinChannels(req: Request, names: string[], keys: string[]): void {
  const { network, config } = req.server;
  const user = req.user;
  const joined: Channel[] = [];
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    if (!isValidChannel(name, config.channelLen)) {
      req.numeric(ERR.NOSUCHCHANNEL, name, 'No such channel');
      continue;
    }
    const existing = network.findChannel(name);
    if (existing !== undefined && existing.members.has(user)) continue;
    if (user.channels.size >= config.maxChannels) {
      req.numeric(ERR.TOOMANYCHANNELS, name, 'You have joined too many channels');
      continue;
    }
    if (existing !== undefined) {
      const refusal = joinRefusal(existing, user, keys[k]);
      if (refusal !== null && !user.isOper) {
        req.numeric(refusal[0], existing.name, refusal[1]);
        continue;
      }
      if (refusal !== null) {
        // Oper override: an IRC operator goes past +i/+k/+l/+b, and the log says so.
        req.server.log.warn(
          { nick: user.nick, channel: existing.name, rule: refusal[1] },
          'operator override: joined past a channel rule',
        );
      }
    }
    const { channel, created } = network.channel(name, req.now);
    network.join(user, channel);
    const out = joinEvent(req, channel);
    // A new channel of a name that ended: what was said in the old one is not its history.
    if (created && network.hasEnded(channel.folded)) channel.historyFrom = out.stamp.msgid;
    req.own(out);
    // In a large channel an arrival is nobody else's news: that keeps arriving O(1).
    const announced = channel.isAnnounced(user);
    if (announced) {
      // Arrivals may wait a little, so a burst of them costs each member one write, not one each.
      network.deliver.toChannelSoon(channel, out, user);
      if (user.away !== null) {
        // away-notify: members learn with the JOIN that the newcomer is away.
        const away = req.server.userEvent(user, 'AWAY', [user.away]);
        network.deliver.toChannelSoon(channel, away, user, CAPBIT.AWAY_NOTIFY);
      }
    }
    req.server.chatlog.join(out.stamp.ms, channel.name, user.nick);
    sendChannelState(req, channel);
    if (!announced) explainLarge(req, channel);
    joined.push(channel);
  }
  replayOnJoin(req, joined);
}

/**
 * The channels of a user that a connection attaches to (--multiclient, --always-on), as if that
 * connection had just joined them: JOIN, topic, read marker, names, and the replay of
 * --history-on-join to a client without draft/chathistory. Nobody else hears of it.
 */
export function rejoinBurst(req: Request, channels: Channel[]): void {
  for (const channel of channels) {
    req.event(joinEvent(req, channel));
    sendChannelState(req, channel);
  }
  replayOnJoin(req, channels);
}

/** The sender's JOIN of `channel`, with extended-join's account and real name when accounts exist. */
function joinEvent(req: Request, channel: Channel): ServerEvent {
  const user = req.user;
  const out = req.server.userEvent(user, 'JOIN', [channel.name]);
  if (req.server.store !== null) {
    out.extendedParams = [channel.name, user.accountName ?? '*', user.realname];
  }
  return out;
}

/** What a connection gets after its JOIN: topic, read marker, names. */
function sendChannelState(req: Request, channel: Channel): void {
  if (channel.topic !== '') sendTopic(req, channel);
  joinMarker(req, channel.name);
  sendJoinNames(req, channel);
}

/**
 * `--history-on-join N`: the last N lines of each channel just joined, to a client that cannot ask
 * for them itself (no draft/chathistory), in a chathistory batch when it has batch.
 */
function replayOnJoin(req: Request, channels: Channel[]): void {
  const { store, config } = req.server;
  const n = config.historyOnJoin;
  if (n === 0 || store === null || channels.length === 0 || req.client.has(CAPBIT.CHATHISTORY)) {
    return;
  }
  if (req.user.remote !== null) return; // a cluster replica: its own node replays to it
  const lists = Promise.all(channels.map((c) => store.history.latest(c.folded, null, n)));
  req.waitFor(
    lists,
    (found) =>
      inSequence(
        found.map((records, i) => {
          const own = records.filter((r) => channels[i].owns(r.msgid));
          return sendBatch(req, channels[i].name, own);
        }),
      ),
    () => {}, // a replay that cannot be had is left out: the join itself has succeeded
  );
}

/** Tell a newcomer why a large channel's names list is short and who will not see it come and go. */
function explainLarge(req: Request, channel: Channel): void {
  const n = channel.members.size;
  req.line(req.server.config.name, 'NOTICE', [
    req.user.nick,
    `${channel.name} is a large channel (+u, ${n} members): arrivals and departures are not announced, ` +
      `and the names list above shows only operators and voiced members; NAMES ${channel.name} lists everyone`,
  ]);
}

/** Why `user` may not join `channel` (+k, +l, +i, +b), as [numeric, text], or null. */
function joinRefusal(
  channel: Channel,
  user: User,
  key: string | undefined,
): [string, string] | null {
  const invited = user.invites?.has(channel) === true;
  if (channel.key !== null && key !== channel.key)
    return [ERR.BADCHANNELKEY, 'Cannot join channel (+k)'];
  if (channel.limit !== null && channel.members.size >= channel.limit && !invited) {
    return [ERR.CHANNELISFULL, 'Cannot join channel (+l)'];
  }
  if (channel.has('i') && !invited && !channel.isInviteExcepted(user)) {
    return [ERR.INVITEONLYCHAN, 'Cannot join channel (+i)'];
  }
  if (!invited && channel.isBanned(user)) return [ERR.BANNEDFROMCHAN, 'Cannot join channel (+b)'];
  return null;
}

// JOIN <channel>{,<channel>} [<key>{,<key>}]  |  JOIN 0
function join(req: Request): void {
  if (req.params[0] === '0') {
    for (const ch of [...req.user.channels]) partOne(req, ch, 'Left all channels');
    return;
  }
  const names = req.params[0].split(',').filter((n) => n.length > 0);
  const keys = (req.params[1] ?? '').split(',');
  joinChannels(req, names, keys);
}

// PART <channel>{,<channel>} [<reason>]
function part(req: Request): void {
  const reason = req.params[1] ?? '';
  for (const name of req.params[0].split(',')) {
    const channel = req.server.network.findChannel(name);
    if (channel === undefined) req.numeric(ERR.NOSUCHCHANNEL, name, 'No such channel');
    else if (!channel.members.has(req.user))
      req.numeric(ERR.NOTONCHANNEL, name, "You're not on that channel");
    else partOne(req, channel, reason);
  }
}

function partOne(req: Request, channel: Channel, reason: string): void {
  const user = req.user;
  const out = req.server.userEvent(user, 'PART', reason ? [channel.name, reason] : [channel.name]);
  req.own(out);
  if (channel.isAnnounced(user)) req.server.network.deliver.toChannelSoon(channel, out, user);
  req.server.network.leave(user, channel);
  req.server.chatlog.part(out.stamp.ms, channel.name, user.nick, reason);
}

// TOPIC <channel> [<topic>]
function topic(req: Request): void {
  const { network, config } = req.server;
  const user = req.user;
  const channel = network.findChannel(req.params[0]);
  if (channel === undefined)
    return req.numeric(ERR.NOSUCHCHANNEL, req.params[0], 'No such channel');
  const member = channel.members.has(user);
  if (req.params.length < 2) {
    if (!member && channel.has('s'))
      return req.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
    if (channel.topic === '') return req.numeric(RPL.NOTOPIC, channel.name, 'No topic is set');
    return sendTopic(req, channel);
  }
  if (!member) return req.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
  if (channel.has('t') && !channel.isOp(user)) {
    return req.numeric(ERR.CHANOPRIVSNEEDED, channel.name, "You're not channel operator");
  }
  const text = truncateUtf8(req.params[1], config.topicLen);
  req.server.network.setTopic(channel, text, user.prefix, req.now);
  const out = req.server.userEvent(user, 'TOPIC', [channel.name, text]);
  req.own(out);
  network.deliver.toChannel(channel, out, user);
  req.server.chatlog.topic(out.stamp.ms, channel.name, user.nick, text);
}

function sendTopic(req: Request, channel: Channel): void {
  req.numeric(RPL.TOPIC, channel.name, channel.topic);
  req.numeric(
    RPL.TOPICWHOTIME,
    channel.name,
    channel.topicBy,
    String(Math.floor(channel.topicAt / 1000)),
  );
}

// KICK <channel> <user>{,<user>} [<comment>]  |  KICK <ch1>,<ch2> <user1>,<user2>  (in pairs)
function kick(req: Request): void {
  const { config } = req.server;
  const channels = req.params[0].split(',').filter((n) => n !== '');
  const nicks = req.params[1].split(',').filter((n) => n !== '');
  if (
    channels.length === 0 ||
    nicks.length === 0 ||
    (channels.length > 1 && channels.length !== nicks.length)
  ) {
    return req.numeric(ERR.NEEDMOREPARAMS, 'KICK', 'Not enough parameters');
  }
  const reason = truncateUtf8(req.params[2] ?? req.user.nick, config.kickLen);
  for (const [k, nick] of nicks.slice(0, config.maxTargets).entries()) {
    if (!kickOne(req, channels.length === 1 ? channels[0] : channels[k], nick, reason)) break;
  }
}

/** Kick `nick` from `name`; false when the kicker may not kick there at all (stop trying). */
function kickOne(req: Request, name: string, nick: string, reason: string): boolean {
  const { network } = req.server;
  const user = req.user;
  const channel = network.findChannel(name);
  if (channel === undefined) {
    req.numeric(ERR.NOSUCHCHANNEL, name, 'No such channel');
    return true;
  }
  if (!channel.members.has(user)) {
    req.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
    return false;
  }
  if (!channel.isOp(user)) {
    req.numeric(ERR.CHANOPRIVSNEEDED, channel.name, "You're not channel operator");
    return false;
  }
  const target = network.findUser(nick);
  if (target === undefined) {
    req.numeric(ERR.NOSUCHNICK, nick, 'No such nick/channel');
    return true;
  }
  if (!channel.members.has(target)) {
    req.numeric(ERR.USERNOTINCHANNEL, target.nick, channel.name, "They aren't on that channel");
    return true;
  }
  const out = req.server.userEvent(user, 'KICK', [channel.name, target.nick, reason]);
  req.own(out);
  network.deliver.toChannel(channel, out, user);
  network.leave(target, channel);
  req.server.chatlog.kick(out.stamp.ms, channel.name, user.nick, target.nick, reason);
  return true;
}

// INVITE <nickname> <channel>  |  INVITE   (without arguments: the invitations one holds)
function invite(req: Request): void {
  const { network } = req.server;
  const user = req.user;
  if (req.params.length === 0) {
    for (const ch of user.invites ?? []) {
      if (network.findChannel(ch.name) === ch) req.numeric(RPL.INVITELIST, ch.name);
    }
    return req.numeric(RPL.ENDOFINVITELIST, 'End of /INVITE list');
  }
  if (req.params.length < 2)
    return req.numeric(ERR.NEEDMOREPARAMS, 'INVITE', 'Not enough parameters');
  const target = network.findUser(req.params[0]);
  if (target === undefined)
    return req.numeric(ERR.NOSUCHNICK, req.params[0], 'No such nick/channel');
  const channel = network.findChannel(req.params[1]);
  if (channel === undefined)
    return req.numeric(ERR.NOSUCHCHANNEL, req.params[1], 'No such channel');
  if (!channel.members.has(user))
    return req.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
  if (channel.members.has(target)) {
    return req.numeric(ERR.USERONCHANNEL, target.nick, channel.name, 'is already on channel');
  }
  if (channel.has('i') && !channel.isOp(user)) {
    return req.numeric(ERR.CHANOPRIVSNEEDED, channel.name, "You're not channel operator");
  }
  network.invite(channel, target);
  req.numeric(RPL.INVITING, target.nick, channel.name);
  network.deliver.toUser(target, req.server.userEvent(user, 'INVITE', [target.nick, channel.name]));
  if (target.away !== null) req.numeric(RPL.AWAY, target.nick, target.away);
}

// RENAME <channel> <new name> [<reason>]   (draft/channel-rename; channel operators)
function rename(req: Request): void {
  const { network, config } = req.server;
  const user = req.user;
  const [from, to] = req.params;
  const reason = truncateUtf8(req.params[2] ?? '', config.kickLen);
  const channel = network.findChannel(from);
  if (channel === undefined) return req.numeric(ERR.NOSUCHCHANNEL, from, 'No such channel');
  if (!channel.members.has(user))
    return req.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
  if (!channel.isOp(user))
    return req.numeric(ERR.CHANOPRIVSNEEDED, channel.name, "You're not channel operator");
  const fail = (code: string, why: string) => req.standard('FAIL', code, channel.name, to, why);
  if (!isValidChannel(to, config.channelLen)) return fail('CANNOT_RENAME', 'Invalid channel name');
  if (channel.folded === network.large.lobby) {
    return fail('CANNOT_RENAME', 'The default channel keeps its name (--default-channel)');
  }
  const old = channel.name;
  const oldFolded = channel.folded;
  if (!network.renameChannel(channel, to))
    return fail('CHANNEL_NAME_IN_USE', 'Channel name is in use');
  const out = req.server.userEvent(user, 'RENAME', reason ? [old, to, reason] : [old, to]);
  // History is kept by name: what was said under the new name before (a channel of that name
  // that ended) is not this channel's, and what it said under the old name stays there.
  if (channel.folded !== oldFolded) channel.historyFrom = out.stamp.msgid;
  // Clients with the cap see RENAME; the others see themselves leave the old name and join the
  // new one, with its topic, so their windows follow.
  for (const member of channel.members.keys()) {
    const s = member.client;
    if (member === user) continue;
    if (s.has(CAPBIT.CHANNEL_RENAME)) {
      s.conn.send(out.bufferFor(s.caps));
      continue;
    }
    const part = req.server.event(member.prefix, 'PART', [old, `Channel renamed to ${to}`]);
    s.conn.send(part.bufferFor(s.caps));
    s.conn.send(req.server.event(member.prefix, 'JOIN', [to]).bufferFor(s.caps));
    if (channel.topic !== '') {
      const topic = serializeBody(config.name, RPL.TOPIC, [member.nick, to, channel.topic]);
      s.conn.send(Buffer.from(topic + '\r\n'));
    }
  }
  if (req.client.has(CAPBIT.CHANNEL_RENAME)) req.event(out);
  else {
    req.event(req.server.userEvent(user, 'PART', [old, `Channel renamed to ${to}`]));
    req.event(req.server.userEvent(user, 'JOIN', [to]));
  }
  req.server.chatlog.rename(out.stamp.ms, old, to, user.nick, reason);
}

export const channelCommands: CommandSpec[] = [
  {
    name: 'JOIN',
    syntax: 'JOIN <channel>{,<channel>} [<key>{,<key>}]',
    help: 'Join channels (named groups); JOIN 0 leaves them all.',
    minParams: 1,
    handler: join,
  },
  {
    name: 'PART',
    syntax: 'PART <channel>{,<channel>} [<reason>]',
    help: 'Leave channels.',
    minParams: 1,
    handler: part,
  },
  {
    name: 'TOPIC',
    syntax: 'TOPIC <channel> [<topic>]',
    help: "Show or set a channel's topic.",
    minParams: 1,
    handler: topic,
  },
  {
    name: 'KICK',
    syntax: 'KICK <channel> <nick>{,<nick>} [<reason>]',
    help: 'Remove people from a channel (operators), up to TARGMAX at once.',
    minParams: 2,
    handler: kick,
  },
  {
    name: 'RENAME',
    syntax: 'RENAME <channel> <new name> [<reason>]',
    help: 'Give a channel a new name (channel operators); members keep their place (draft/channel-rename).',
    minParams: 2,
    handler: rename,
  },
  {
    name: 'INVITE',
    syntax: 'INVITE [<nick> <channel>]',
    help: 'Invite someone to a channel; without arguments, list the channels you are invited to.',
    minParams: 0,
    handler: invite,
  },
];
