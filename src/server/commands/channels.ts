// Named groups: JOIN, PART, TOPIC, KICK, INVITE; in a large channel (+u) arrivals and departures stay quiet.
import { ERR, RPL, isValidChannel, serializeBody, truncateUtf8 } from '../../protocol/index.js';
import { CAPBIT } from '../capabilities.js';
import type { Channel } from '../channel.js';
import { sendJoinNames } from './names.js';
import type { User } from '../user.js';
import type { Context } from './context.js';
import type { CommandSpec } from './table.js';

/** Join each of `names` (with the matching key), replying as JOIN would. */
export function joinChannels(ctx: Context, names: string[], keys: string[]): void {
  const { network, config } = ctx.server;
  const user = ctx.user;
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    if (!isValidChannel(name, config.channelLen)) {
      ctx.numeric(ERR.NOSUCHCHANNEL, name, 'No such channel');
      continue;
    }
    const existing = network.findChannel(name);
    if (existing !== undefined && existing.members.has(user)) continue;
    if (user.channels.size >= config.maxChannels) {
      ctx.numeric(ERR.TOOMANYCHANNELS, name, 'You have joined too many channels');
      continue;
    }
    if (existing !== undefined) {
      const refusal = joinRefusal(existing, user, keys[k]);
      if (refusal !== null && !user.isOper) {
        ctx.numeric(refusal[0], existing.name, refusal[1]);
        continue;
      }
      if (refusal !== null) {
        // Oper override: an IRC operator goes past +i/+k/+l/+b, and the log says so.
        ctx.server.log.warn(
          { nick: user.nick, channel: existing.name, rule: refusal[1] },
          'operator override: joined past a channel rule',
        );
      }
    }
    const { channel } = network.channel(name, ctx.now);
    network.join(user, channel);
    const out = ctx.server.event(user.prefix, 'JOIN', [channel.name]);
    ctx.event(out);
    // In a large channel an arrival is nobody else's news: that keeps arriving O(1).
    const announced = channel.isAnnounced(user);
    if (announced) {
      // Arrivals may wait a little, so a burst of them costs each member one write, not one each.
      network.toChannelSoon(channel, out, user);
      if (user.away !== null) {
        // away-notify: members learn with the JOIN that the newcomer is away.
        const away = ctx.server.event(user.prefix, 'AWAY', [user.away]);
        network.toChannelSoon(channel, away, user, CAPBIT.AWAY_NOTIFY);
      }
    }
    ctx.server.chatlog.join(out.stamp.ms, channel.name, user.nick);
    if (channel.topic !== '') sendTopic(ctx, channel);
    sendJoinNames(ctx, channel);
    if (!announced) explainLarge(ctx, channel);
  }
}

/** Tell a newcomer why a large channel's names list is short and who will not see it come and go. */
function explainLarge(ctx: Context, channel: Channel): void {
  const n = channel.members.size;
  ctx.line(ctx.server.config.name, 'NOTICE', [
    ctx.user.nick,
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
  const invited = channel.invited.has(user.folded);
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
function join(ctx: Context): void {
  if (ctx.params[0] === '0') {
    for (const ch of [...ctx.user.channels]) partOne(ctx, ch, 'Left all channels');
    return;
  }
  const names = ctx.params[0].split(',').filter((n) => n.length > 0);
  const keys = (ctx.params[1] ?? '').split(',');
  joinChannels(ctx, names, keys);
}

// PART <channel>{,<channel>} [<reason>]
function part(ctx: Context): void {
  const reason = ctx.params[1] ?? '';
  for (const name of ctx.params[0].split(',')) {
    const channel = ctx.server.network.findChannel(name);
    if (channel === undefined) ctx.numeric(ERR.NOSUCHCHANNEL, name, 'No such channel');
    else if (!channel.members.has(ctx.user))
      ctx.numeric(ERR.NOTONCHANNEL, name, "You're not on that channel");
    else partOne(ctx, channel, reason);
  }
}

function partOne(ctx: Context, channel: Channel, reason: string): void {
  const user = ctx.user;
  const out = ctx.server.event(
    user.prefix,
    'PART',
    reason ? [channel.name, reason] : [channel.name],
  );
  ctx.event(out);
  if (channel.isAnnounced(user)) ctx.server.network.toChannelSoon(channel, out, user);
  ctx.server.network.leave(user, channel);
  ctx.server.chatlog.part(out.stamp.ms, channel.name, user.nick, reason);
}

// TOPIC <channel> [<topic>]
function topic(ctx: Context): void {
  const { network, config } = ctx.server;
  const user = ctx.user;
  const channel = network.findChannel(ctx.params[0]);
  if (channel === undefined)
    return ctx.numeric(ERR.NOSUCHCHANNEL, ctx.params[0], 'No such channel');
  const member = channel.members.has(user);
  if (ctx.params.length < 2) {
    if (!member && channel.has('s'))
      return ctx.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
    if (channel.topic === '') return ctx.numeric(RPL.NOTOPIC, channel.name, 'No topic is set');
    return sendTopic(ctx, channel);
  }
  if (!member) return ctx.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
  if (channel.has('t') && !channel.isOp(user)) {
    return ctx.numeric(ERR.CHANOPRIVSNEEDED, channel.name, "You're not channel operator");
  }
  const text = truncateUtf8(ctx.params[1], config.topicLen);
  ctx.server.network.setTopic(channel, text, user.prefix, ctx.now);
  const out = ctx.server.event(user.prefix, 'TOPIC', [channel.name, text]);
  ctx.event(out);
  network.toChannel(channel, out, user);
  ctx.server.chatlog.topic(out.stamp.ms, channel.name, user.nick, text);
}

function sendTopic(ctx: Context, channel: Channel): void {
  ctx.numeric(RPL.TOPIC, channel.name, channel.topic);
  ctx.numeric(
    RPL.TOPICWHOTIME,
    channel.name,
    channel.topicBy,
    String(Math.floor(channel.topicAt / 1000)),
  );
}

// KICK <channel> <user>{,<user>} [<comment>]  |  KICK <ch1>,<ch2> <user1>,<user2>  (in pairs)
function kick(ctx: Context): void {
  const { config } = ctx.server;
  const channels = ctx.params[0].split(',').filter((n) => n !== '');
  const nicks = ctx.params[1].split(',').filter((n) => n !== '');
  if (
    channels.length === 0 ||
    nicks.length === 0 ||
    (channels.length > 1 && channels.length !== nicks.length)
  ) {
    return ctx.numeric(ERR.NEEDMOREPARAMS, 'KICK', 'Not enough parameters');
  }
  const reason = truncateUtf8(ctx.params[2] ?? ctx.user.nick, config.kickLen);
  for (const [k, nick] of nicks.slice(0, config.maxTargets).entries()) {
    if (!kickOne(ctx, channels.length === 1 ? channels[0] : channels[k], nick, reason)) break;
  }
}

/** Kick `nick` from `name`; false when the kicker may not kick there at all (stop trying). */
function kickOne(ctx: Context, name: string, nick: string, reason: string): boolean {
  const { network } = ctx.server;
  const user = ctx.user;
  const channel = network.findChannel(name);
  if (channel === undefined) {
    ctx.numeric(ERR.NOSUCHCHANNEL, name, 'No such channel');
    return true;
  }
  if (!channel.members.has(user)) {
    ctx.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
    return false;
  }
  if (!channel.isOp(user)) {
    ctx.numeric(ERR.CHANOPRIVSNEEDED, channel.name, "You're not channel operator");
    return false;
  }
  const target = network.findUser(nick);
  if (target === undefined) {
    ctx.numeric(ERR.NOSUCHNICK, nick, 'No such nick/channel');
    return true;
  }
  if (!channel.members.has(target)) {
    ctx.numeric(ERR.USERNOTINCHANNEL, target.nick, channel.name, "They aren't on that channel");
    return true;
  }
  const out = ctx.server.event(user.prefix, 'KICK', [channel.name, target.nick, reason]);
  ctx.event(out);
  network.toChannel(channel, out, user);
  network.leave(target, channel);
  ctx.server.chatlog.kick(out.stamp.ms, channel.name, user.nick, target.nick, reason);
  return true;
}

// INVITE <nickname> <channel>  |  INVITE   (without arguments: the invitations one holds)
function invite(ctx: Context): void {
  const { network } = ctx.server;
  const user = ctx.user;
  if (ctx.params.length === 0) {
    for (const ch of network.allChannels()) {
      if (ch.invited.has(user.folded)) ctx.numeric(RPL.INVITELIST, ch.name);
    }
    return ctx.numeric(RPL.ENDOFINVITELIST, 'End of /INVITE list');
  }
  if (ctx.params.length < 2)
    return ctx.numeric(ERR.NEEDMOREPARAMS, 'INVITE', 'Not enough parameters');
  const target = network.findUser(ctx.params[0]);
  if (target === undefined)
    return ctx.numeric(ERR.NOSUCHNICK, ctx.params[0], 'No such nick/channel');
  const channel = network.findChannel(ctx.params[1]);
  if (channel === undefined)
    return ctx.numeric(ERR.NOSUCHCHANNEL, ctx.params[1], 'No such channel');
  if (!channel.members.has(user))
    return ctx.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
  if (channel.members.has(target)) {
    return ctx.numeric(ERR.USERONCHANNEL, target.nick, channel.name, 'is already on channel');
  }
  if (channel.has('i') && !channel.isOp(user)) {
    return ctx.numeric(ERR.CHANOPRIVSNEEDED, channel.name, "You're not channel operator");
  }
  network.invite(channel, target);
  ctx.numeric(RPL.INVITING, target.nick, channel.name);
  network.toUser(target, ctx.server.event(user.prefix, 'INVITE', [target.nick, channel.name]));
  if (target.away !== null) ctx.numeric(RPL.AWAY, target.nick, target.away);
}

// RENAME <channel> <new name> [<reason>]   (draft/channel-rename; channel operators)
function rename(ctx: Context): void {
  const { network, config } = ctx.server;
  const user = ctx.user;
  const [from, to] = ctx.params;
  const reason = truncateUtf8(ctx.params[2] ?? '', config.kickLen);
  const channel = network.findChannel(from);
  if (channel === undefined) return ctx.numeric(ERR.NOSUCHCHANNEL, from, 'No such channel');
  if (!channel.members.has(user))
    return ctx.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
  if (!channel.isOp(user))
    return ctx.numeric(ERR.CHANOPRIVSNEEDED, channel.name, "You're not channel operator");
  const fail = (code: string, why: string) => ctx.standard('FAIL', code, channel.name, to, why);
  if (!isValidChannel(to, config.channelLen)) return fail('CANNOT_RENAME', 'Invalid channel name');
  if (channel.folded === network.lobby) {
    return fail('CANNOT_RENAME', 'The default channel keeps its name (--default-channel)');
  }
  const old = channel.name;
  if (!network.renameChannel(channel, to))
    return fail('CHANNEL_NAME_IN_USE', 'Channel name is in use');
  const out = ctx.server.event(user.prefix, 'RENAME', reason ? [old, to, reason] : [old, to]);
  // Clients with the cap see RENAME; the others see themselves leave the old name and join the
  // new one, with its topic, so their windows follow.
  for (const member of channel.members.keys()) {
    const s = member.session;
    if (member === user) continue;
    if (s.has(CAPBIT.CHANNEL_RENAME)) {
      s.conn.send(out.bufferFor(s.caps));
      continue;
    }
    const part = ctx.server.event(member.prefix, 'PART', [old, `Channel renamed to ${to}`]);
    s.conn.send(part.bufferFor(s.caps));
    s.conn.send(ctx.server.event(member.prefix, 'JOIN', [to]).bufferFor(s.caps));
    if (channel.topic !== '') {
      const topic = serializeBody(config.name, RPL.TOPIC, [member.nick, to, channel.topic]);
      s.conn.send(Buffer.from(topic + '\r\n'));
    }
  }
  if (ctx.session.has(CAPBIT.CHANNEL_RENAME)) ctx.event(out);
  else {
    ctx.event(ctx.server.event(user.prefix, 'PART', [old, `Channel renamed to ${to}`]));
    ctx.event(ctx.server.event(user.prefix, 'JOIN', [to]));
  }
  ctx.server.chatlog.rename(out.stamp.ms, old, to, user.nick, reason);
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
