// Modes: MODE on a channel (flags, key, limit, mask lists, op and voice) and on one's own user modes.
import { ERR, RPL, fold, isChannelName, normalizeMask } from '../../protocol/index.js';
import { MEMBER, type Channel, type ListMode } from '../channel.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';
import { MAX_MODES } from './welcome.js';

/** CHANMODES type D: flags without a parameter. */
const FLAGS = 'Cimnst';
/** CHANMODES type A: mask lists (bans, ban exceptions, invite exceptions). */
const LISTS = 'beI';
/**
 * Extbans (EXTBAN=,m, or ,am with accounts): `m:<mask>` on +b mutes instead of banning;
 * `a:<account mask>` on +b/+e/+I matches users logged into a matching account.
 */
const extbans = (req: Request): string => (req.server.store !== null ? 'am' : 'm');
/** Each list's entries and end numerics, and its name in messages. */
const LIST_REPLY: Record<ListMode, [string, string, string]> = {
  b: [RPL.BANLIST, RPL.ENDOFBANLIST, 'ban'],
  e: [RPL.EXCEPTLIST, RPL.ENDOFEXCEPTLIST, 'exception'],
  I: [RPL.INVEXLIST, RPL.ENDOFINVEXLIST, 'invite exception'],
};
/**
 * What a key or ban mask may not contain: whitespace, commas (JOIN splits keys on them) and control
 * characters; a leading ':' would turn it into a trailing parameter when echoed mid-line.
 */
const BAD_WORD = /[\s,\u0000-\u001f\u007f-\u009f]|^:/;

/** One mode change that actually happened, in the order it was applied. */
interface Change {
  plus: boolean;
  char: string;
  arg?: string;
}

// MODE <target> [<modestring> [<mode arguments>...]]
function mode(req: Request): void {
  const target = req.params[0];
  if (isChannelName(target)) channelMode(req, target);
  else userMode(req, target);
}

// MODE <channel> [<modestring> [<mode arguments>...]]
function channelMode(req: Request, name: string): void {
  const { network } = req.server;
  const user = req.user;
  const channel = network.findChannel(name);
  if (channel === undefined) return req.numeric(ERR.NOSUCHCHANNEL, name, 'No such channel');
  const modestring = req.params[1] ?? '';
  if (modestring === '') {
    req.numeric(RPL.CHANNELMODEIS, channel.name, ...channel.modeString(channel.members.has(user)));
    const created = String(Math.floor(channel.createdAt / 1000));
    return req.numeric(RPL.CREATIONTIME, channel.name, created);
  }
  const args = req.params.slice(2).filter((a) => a.length > 0);
  const allowed = channel.isOp(user);
  const changes: Change[] = [];
  let plus = true;
  let next = 0;
  let withParam = 0;
  const listed = new Set<string>();
  let refused = false;
  for (const c of modestring) {
    if (c === '+' || c === '-') {
      plus = c === '+';
      continue;
    }
    if (c === 'u') {
      const at = req.server.network.large.atFor(channel);
      req.numeric(
        ERR.CANNOTCHANGECHANMODE,
        'u',
        at > 0
          ? `is set by the server on channels of more than ${at} members`
          : 'is set by the server on large channels (off on this server)',
      );
      continue;
    }
    if (!'ovkl'.includes(c) && !LISTS.includes(c) && !FLAGS.includes(c)) {
      req.numeric(ERR.UNKNOWNMODE, c, 'is unknown mode char to me');
      continue;
    }
    // CHANMODES=beI,k,l,Cimnst and PREFIX=(ov): -l is the only one of these without a parameter.
    const takes = 'ovk'.includes(c) || LISTS.includes(c) || (c === 'l' && plus);
    const arg = takes ? args[next] : undefined;
    if (LISTS.includes(c) && arg === undefined) {
      if (!listed.has(c)) sendList(req, channel, c as ListMode);
      listed.add(c);
      continue;
    }
    if (arg !== undefined) {
      next++;
      if (++withParam > MAX_MODES) continue; // MODES=4: further parameter modes are ignored
    }
    if (!allowed) {
      if (!refused) refuse(req, channel);
      refused = true;
      continue;
    }
    const change = apply(req, channel, plus, c, arg);
    if (change !== null) changes.push(change);
  }
  if (changes.length === 0) return;
  const modes = compose(changes);
  const out = req.server.userEvent(user, 'MODE', [channel.name, ...modes]);
  req.own(out);
  network.deliver.toChannel(channel, out, user);
  req.server.chatlog.mode(out.stamp.ms, channel.name, user.nick, modes);
}

function refuse(req: Request, channel: Channel): void {
  if (channel.members.has(req.user)) {
    req.numeric(ERR.CHANOPRIVSNEEDED, channel.name, "You're not channel operator");
  } else {
    req.numeric(ERR.NOTONCHANNEL, channel.name, "You're not on that channel");
  }
}

/** Apply one channel mode; the change if the channel's state moved, else null (after any error reply). */
function apply(
  req: Request,
  channel: Channel,
  plus: boolean,
  c: string,
  arg: string | undefined,
): Change | null {
  switch (c) {
    case 'o':
    case 'v':
      return arg === undefined
        ? invalid(req, channel, c, '*', 'You must specify a nick')
        : memberStatus(req, channel, plus, c, arg);
    case 'b':
    case 'e':
    case 'I':
      return arg === undefined ? null : listEntry(req, channel, plus, c, arg);
    case 'k':
      if (!plus) {
        if (channel.key === null) return null;
        req.server.network.setKey(channel, null);
        return { plus, char: c, arg: '*' };
      }
      if (arg === undefined) return invalid(req, channel, c, '*', 'You must specify a key');
      if (BAD_WORD.test(arg)) {
        req.numeric(ERR.INVALIDKEY, channel.name, 'Key is not well-formed');
        return null;
      }
      if (channel.key === arg) return null;
      req.server.network.setKey(channel, arg);
      return { plus, char: c, arg };
    case 'l': {
      if (!plus) {
        if (channel.limit === null) return null;
        req.server.network.setLimit(channel, null);
        return { plus, char: c };
      }
      if (arg === undefined) return invalid(req, channel, c, '*', 'You must specify a limit');
      const limit = /^\d{1,9}$/.test(arg) ? Number(arg) : 0;
      if (limit <= 0) return invalid(req, channel, c, arg, 'Limit must be a positive integer');
      if (channel.limit === limit) return null;
      req.server.network.setLimit(channel, limit);
      return { plus, char: c, arg: String(limit) };
    }
    default:
      if (channel.has(c) === plus) return null;
      req.server.network.setChannelFlag(channel, c, plus);
      return { plus, char: c };
  }
}

/** +o/-o/+v/-v on `nick`. */
function memberStatus(
  req: Request,
  channel: Channel,
  plus: boolean,
  c: string,
  nick: string,
): Change | null {
  const target = req.server.network.findUser(nick);
  if (target === undefined) {
    req.numeric(ERR.NOSUCHNICK, nick, 'No such nick/channel');
    return null;
  }
  const status = channel.statusOf(target);
  if (status === undefined) {
    req.numeric(ERR.USERNOTINCHANNEL, target.nick, channel.name, "They aren't on that channel");
    return null;
  }
  const bit = c === 'o' ? MEMBER.OP : MEMBER.VOICE;
  const updated = plus ? status | bit : status & ~bit;
  if (updated === status) return null;
  const network = req.server.network;
  if (updated !== 0 && !channel.isAnnounced(target)) {
    // A quiet member of a large channel gains a status: everyone is told it is there first, so
    // clients have a nick to put the mode on; from now on its departure is announced too.
    network.announce(channel, target);
    network.deliver.toChannel(
      channel,
      req.server.event(target.prefix, 'JOIN', [channel.name]),
      target,
    );
  }
  network.setStatus(channel, target, updated);
  return { plus, char: c, arg: target.nick };
}

/**
 * +b/+e/+I (or -) `mask`, completed to nick!user@host (after an extban's `m:`); the three lists
 * hold config.maxBans entries together (MAXLIST=beI:N).
 */
function listEntry(
  req: Request,
  channel: Channel,
  plus: boolean,
  c: ListMode,
  arg: string,
): Change | null {
  const name = LIST_REPLY[c][2];
  if (BAD_WORD.test(arg)) return invalid(req, channel, c, arg, `Invalid ${name} mask`);
  const ext = arg.length > 2 && arg[1] === ':' ? arg[0] : '';
  const known = extbans(req);
  if (ext !== '' && (!known.includes(ext) || (c === 'I' && ext !== 'a'))) {
    return invalid(req, channel, c, arg, `Unknown extban ${ext}: (EXTBAN=,${known})`);
  }
  const mask =
    ext === '' ? normalizeMask(arg) : ext === 'a' ? arg : `${ext}:${normalizeMask(arg.slice(2))}`;
  const list = channel.lists[c];
  const folded = fold(mask);
  const at = list.findIndex((b) => fold(b.mask) === folded);
  if (!plus) {
    if (at === -1) return null;
    const removed = req.server.network.removeListEntry(channel, c, at);
    return { plus, char: c, arg: removed.mask };
  }
  if (at !== -1) return null;
  const { b, e, I } = channel.lists;
  if (b.length + e.length + I.length >= req.server.config.maxBans) {
    return invalid(req, channel, c, mask, `Channel ${name} list is full`);
  }
  req.server.network.addListEntry(channel, c, { mask, setBy: req.user.prefix, setAt: req.now });
  return { plus, char: c, arg: mask };
}

/** 696 ERR_INVALIDMODEPARAM `<channel> <char> <param> :<description>`; always null. */
function invalid(req: Request, channel: Channel, c: string, param: string, why: string): null {
  req.numeric(ERR.INVALIDMODEPARAM, channel.name, c, param, why);
  return null;
}

// MODE <channel> b  |  MODE <channel> +e  |  MODE <channel> I
function sendList(req: Request, channel: Channel, c: ListMode): void {
  const [entry, end, name] = LIST_REPLY[c];
  for (const b of channel.lists[c]) {
    req.numeric(entry, channel.name, b.mask, b.setBy, String(Math.floor(b.setAt / 1000)));
  }
  req.numeric(end, channel.name, `End of channel ${name} list`);
}

/** `+ov-k` plus the arguments in order, from the changes that happened. */
function compose(changes: Change[]): string[] {
  let modes = '';
  let sign = '';
  const args: string[] = [];
  for (const ch of changes) {
    const s = ch.plus ? '+' : '-';
    if (s !== sign) modes += s;
    sign = s;
    modes += ch.char;
    if (ch.arg !== undefined) args.push(ch.arg);
  }
  return [modes, ...args];
}

/** User modes a user may change on itself (+o only comes from OPER). */
const SELF_MODES = 'Biow';

// MODE <nick> [<modestring>]  (only one's own: B, i, w, and -o; +o comes from OPER)
function userMode(req: Request, nick: string): void {
  const user = req.user;
  const target = req.server.network.findUser(nick);
  if (target === undefined) return req.numeric(ERR.NOSUCHNICK, nick, 'No such nick/channel');
  if (target !== user) {
    return req.numeric(ERR.USERSDONTMATCH, 'Cant change mode for other users');
  }
  const modestring = req.params[1] ?? '';
  if (modestring === '') return req.numeric(RPL.UMODEIS, '+' + user.modes);
  const set = new Set(user.modes);
  const changes: Change[] = [];
  let plus = true;
  let unknown = false;
  for (const c of modestring) {
    if (c === '+' || c === '-') plus = c === '+';
    else if (c === 'o' && plus)
      continue; // Modern IRC: a self-set +o SHOULD be ignored
    else if (c === 'Z')
      continue; // +Z follows the transport (TLS); only the server sets it
    else if (!SELF_MODES.includes(c)) unknown = true;
    else if (set.has(c) !== plus) {
      if (plus) set.add(c);
      else set.delete(c);
      changes.push({ plus, char: c });
    }
  }
  if (unknown) req.numeric(ERR.UMODEUNKNOWNFLAG, 'Unknown MODE flag');
  if (changes.length === 0) return;
  req.server.network.setUserModes(user, [...set].sort().join(''));
  req.own(req.server.event(user.nick, 'MODE', [user.nick, ...compose(changes)]));
}

export const modeCommands: CommandSpec[] = [
  {
    name: 'MODE',
    syntax: 'MODE <target> [<modestring> [<mode arguments>...]]',
    help: "Show or change a channel's modes (operators change them), or your own user modes.",
    minParams: 1,
    handler: mode,
  },
];
