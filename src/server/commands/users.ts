// Who is who: WHO, WHOIS, AWAY, ISON and USERHOST; no reply ever shows an IP, only the cloaked host.
import { ERR, RPL, fold, isChannelName, matchMask, truncateUtf8 } from '../../protocol/index.js';
import { CAPBIT } from '../capabilities.js';
import { statusPrefix, type Channel } from '../channel.js';
import { serverInfo } from '../config.js';
import type { User } from '../user.js';
import type { Context } from './context.js';
import type { CommandSpec } from './table.js';

/** USERHOST answers at most this many nicks (RFC 2812 §4.8); the rest are ignored. */
const USERHOST_MAX = 5;
/** Room for the words of one 319 line, so a user in many channels gets several lines under 512 bytes. */
const WHOIS_CHANNELS_CHUNK = 400;

/** Do `a` and `b` share a channel? Walks the smaller channel set. */
function shareChannel(a: User, b: User): boolean {
  const [small, other] = a.channels.size <= b.channels.size ? [a, b] : [b, a];
  for (const ch of small.channels) if (ch.members.has(other)) return true;
  return false;
}

/** May `viewer` see `target` in a WHO by mask? +i users hide from those who share no channel. */
function visibleTo(viewer: User, target: User): boolean {
  return target === viewer || !target.modes.includes('i') || shareChannel(viewer, target);
}

/** WHOX (`WHO <mask> %<fields>[,<token>]`): the fields asked for, in the fixed reply order. */
interface Whox {
  fields: string;
  token: string;
}

const WHOX_ORDER = 'tcuihsnfdlaor';

/** The WHOX request in WHO's second parameter, or null for a classic WHO. */
function parseWhox(param: string | undefined): Whox | null {
  if (param === undefined || param[0] !== '%') return null;
  const [letters, token = ''] = param.slice(1).split(',', 2);
  const fields = [...WHOX_ORDER].filter((c) => letters.includes(c)).join('');
  // The token is echoed back: digits only, at most 3 (as the WHOX convention has it).
  return { fields, token: /^\d{1,3}$/.test(token) ? token : '0' };
}

function whoReply(
  ctx: Context,
  target: User,
  channelName: string,
  status: string,
  whox: Whox | null = null,
): void {
  const flags =
    (target.away === null ? 'H' : 'G') +
    (target.isOper ? '*' : '') +
    (target.isBot ? 'B' : '') +
    status;
  if (whox !== null) return whoxReply(ctx, target, channelName, flags, whox);
  ctx.numeric(
    RPL.WHOREPLY,
    channelName,
    target.username,
    target.host,
    ctx.server.config.name,
    target.nick,
    flags,
    `0 ${target.realname}`,
  );
}

/** One 354 line: the fields asked for. No reply shows an IP: `i` is 255.255.255.255. */
function whoxReply(ctx: Context, u: User, channel: string, flags: string, whox: Whox): void {
  const idle = Math.max(0, Math.floor((ctx.now - u.lastSpokeAt) / 1000));
  const values: Record<string, string> = {
    t: whox.token,
    c: channel,
    u: u.username,
    i: '255.255.255.255',
    h: u.host,
    s: ctx.server.config.name,
    n: u.nick,
    f: flags,
    d: '0',
    l: String(idle),
    a: '0', // no accounts yet
    o: 'n/a',
    r: u.realname,
  };
  ctx.numeric(RPL.WHOSPCRPL, ...[...whox.fields].map((c) => values[c]));
}

/** The 352 lines of `channel`'s members as `viewer` may see them, a step at a time (longReply). */
function whoChannel(ctx: Context, channel: Channel, whox: Whox | null): () => boolean {
  const viewer = ctx.user;
  const inside = channel.members.has(viewer);
  const multi = ctx.session.has(CAPBIT.MULTI_PREFIX);
  const members = channel.members.keys();
  let exhausted = !inside && channel.has('s');
  return () => {
    while (!exhausted) {
      const r = members.next();
      if (r.done === true) break;
      const member = r.value;
      const status = channel.members.get(member);
      if (status === undefined || (!inside && member.modes.includes('i'))) continue;
      whoReply(ctx, member, channel.name, statusPrefix(status, multi), whox);
      return false;
    }
    exhausted = true;
    return true;
  };
}

/** The 352 lines of every user matching `mask` whom `viewer` may see, a step at a time. */
function whoMask(ctx: Context, mask: string, whox: Whox | null): () => boolean {
  const viewer = ctx.user;
  const full = mask.includes('!') || mask.includes('@');
  const users = ctx.server.network.allUsers();
  return () => {
    for (;;) {
      const r = users.next();
      if (r.done === true) return true;
      const u = r.value;
      if (!matchMask(mask, full ? u.prefix : u.nick) || !visibleTo(viewer, u)) continue;
      whoReply(ctx, u, '*', '', whox);
      return false;
    }
  };
}

// WHO [<mask>]   (a channel name lists its members; otherwise a nick mask, or nick!user@host mask)
function who(ctx: Context): void {
  const given = ctx.params[0] ?? '';
  const mask = given === '' || given === '0' ? '*' : given;
  const whox = parseWhox(ctx.params[1]);
  let lines: () => boolean = () => true;
  if (isChannelName(mask)) {
    const channel = ctx.server.network.findChannel(mask);
    if (channel !== undefined) lines = whoChannel(ctx, channel, whox);
  } else if (!/[*?!@]/.test(mask)) {
    // A plain nick names one user, who is shown even when invisible (+i hides only from masks).
    const u = ctx.server.network.findUser(mask);
    if (u !== undefined) whoReply(ctx, u, '*', '', whox);
  } else {
    lines = whoMask(ctx, mask, whox);
  }
  // Long lists (a large channel, WHO *) go out as the client reads them.
  ctx.longReply(() => {
    if (!lines()) return false;
    ctx.numeric(RPL.ENDOFWHO, given === '' ? '*' : given, 'End of WHO list');
    return true;
  });
}

/** 319 lines for `target`'s channels as `viewer` may see them (secret ones only if shared). */
function whoisChannels(ctx: Context, target: User): void {
  const viewer = ctx.user;
  const multi = ctx.session.has(CAPBIT.MULTI_PREFIX);
  let words: string[] = [];
  let size = 0;
  for (const ch of target.channels) {
    if (ch.has('s') && !ch.members.has(viewer)) continue;
    const word = statusPrefix(ch.members.get(target) ?? 0, multi) + ch.name;
    if (size + word.length + 1 > WHOIS_CHANNELS_CHUNK) {
      ctx.numeric(RPL.WHOISCHANNELS, target.nick, words.join(' '));
      words = [];
      size = 0;
    }
    words.push(word);
    size += word.length + 1;
  }
  if (words.length > 0) ctx.numeric(RPL.WHOISCHANNELS, target.nick, words.join(' '));
}

// WHOIS [<server>] <nick>   (<server> may be this server's name or the nick itself)
function whois(ctx: Context): void {
  const { network, config } = ctx.server;
  const nick = ctx.params[ctx.params.length > 1 ? 1 : 0].split(',')[0];
  if (ctx.params.length > 1) {
    const server = ctx.params[0];
    if (!matchMask(server, config.name) && fold(server) !== fold(nick)) {
      return ctx.numeric(ERR.NOSUCHSERVER, server, 'No such server');
    }
  }
  const target = nick === '' ? undefined : network.findUser(nick);
  if (target === undefined) {
    ctx.numeric(ERR.NOSUCHNICK, nick === '' ? '*' : nick, 'No such nick/channel');
    ctx.numeric(RPL.ENDOFWHOIS, nick === '' ? '*' : nick, 'End of /WHOIS list');
    return;
  }
  ctx.numeric(RPL.WHOISUSER, target.nick, target.username, target.host, '*', target.realname);
  whoisChannels(ctx, target);
  ctx.numeric(RPL.WHOISSERVER, target.nick, config.name, serverInfo(config));
  if (target.away !== null) ctx.numeric(RPL.AWAY, target.nick, target.away);
  if (target.isOper) ctx.numeric(RPL.WHOISOPERATOR, target.nick, 'is an IRC operator');
  if (target.isBot) {
    ctx.numeric(RPL.WHOISBOT, target.nick, `is a Bot on ${ctx.server.config.network}`);
  }
  ctx.numeric(
    RPL.WHOISIDLE,
    target.nick,
    String(Math.max(0, Math.floor((ctx.now - target.lastSpokeAt) / 1000))),
    String(Math.floor(target.signonAt / 1000)),
    'seconds idle, signon time',
  );
  ctx.numeric(RPL.ENDOFWHOIS, target.nick, 'End of /WHOIS list');
}

// AWAY [<text>]   (no or empty text: back again)
function away(ctx: Context): void {
  const user = ctx.user;
  const text = truncateUtf8(ctx.params[0] ?? '', ctx.server.config.awayLen);
  const before = user.away;
  if (text === '') {
    ctx.server.network.setAway(user, null);
    ctx.numeric(RPL.UNAWAY, 'You are no longer marked as being away');
  } else {
    ctx.server.network.setAway(user, text);
    ctx.numeric(RPL.NOWAWAY, 'You have been marked as being away');
  }
  if (user.away === before) return; // nothing changed: nothing to tell away-notify clients
  const out = ctx.server.event(user.prefix, 'AWAY', user.away === null ? [] : [user.away]);
  ctx.server.network.toNeighboursAndWatchers(user, out, CAPBIT.AWAY_NOTIFY);
}

// SETNAME <realname>   (IRCv3 setname: told to those sharing a channel who asked for the cap)
function setname(ctx: Context): void {
  const user = ctx.user;
  const text = ctx.params[0];
  const most = ctx.server.config.realnameLen;
  if (text === '' || Buffer.byteLength(text) > most) {
    const why =
      text === '' ? 'Real name may not be empty' : `Real name is longer than ${most} bytes`;
    return ctx.standard('FAIL', 'INVALID_REALNAME', why);
  }
  ctx.server.network.setRealname(user, text);
  const out = ctx.server.event(user.prefix, 'SETNAME', [text]);
  ctx.server.network.toNeighboursAndWatchers(user, out, CAPBIT.SETNAME);
  if (ctx.session.has(CAPBIT.SETNAME)) ctx.event(out);
}

/** The words of every parameter: `ISON a b` and `ISON :a b` mean the same. */
function nickWords(params: readonly string[]): string[] {
  return params.flatMap((p) => p.split(' ')).filter((w) => w.length > 0);
}

// ISON <nick>{ <nick>}
function ison(ctx: Context): void {
  const net = ctx.server.network;
  const present: string[] = [];
  for (const word of nickWords(ctx.params)) {
    const u = net.findUser(word);
    if (u !== undefined) present.push(u.nick);
  }
  ctx.numeric(RPL.ISON, present.join(' '));
}

// USERHOST <nick>{ <nick>}   (at most 5)
function userhost(ctx: Context): void {
  const net = ctx.server.network;
  const entries: string[] = [];
  for (const word of nickWords(ctx.params).slice(0, USERHOST_MAX)) {
    const u = net.findUser(word);
    if (u === undefined) continue;
    const oper = u.isOper ? '*' : '';
    const here = u.away === null ? '+' : '-';
    entries.push(`${u.nick}${oper}=${here}${u.username}@${u.host}`);
  }
  ctx.numeric(RPL.USERHOST, entries.join(' '));
}

// WHOWAS <nick>{,<nick>} [<count>]   (newest first; no count, or one under 1, gives all kept)
function whowas(ctx: Context): void {
  const { network, config } = ctx.server;
  const count = Number.parseInt(ctx.params[1] ?? '0', 10) || 0;
  const nicks = ctx.params[0].split(',').filter((n) => n !== '');
  if (nicks.length === 0) return ctx.numeric(ERR.NONICKNAMEGIVEN, 'No nickname given');
  for (const nick of nicks.slice(0, config.maxTargets)) {
    const entries = network.whowas.lookup(nick, count);
    if (entries.length === 0) ctx.numeric(ERR.WASNOSUCHNICK, nick, 'There was no such nickname');
    for (const e of entries) {
      ctx.numeric(RPL.WHOWASUSER, e.nick, e.username, e.host, '*', e.realname);
      ctx.numeric(RPL.WHOISSERVER, e.nick, config.name, new Date(e.at).toUTCString());
    }
    ctx.numeric(RPL.ENDOFWHOWAS, nick, 'End of WHOWAS');
  }
}

export const userCommands: CommandSpec[] = [
  {
    name: 'WHO',
    syntax: 'WHO [<channel>|<mask>] [%<fields>[,<token>]]',
    help: 'List the members of a channel, or the users whose nick (or nick!user@host) matches a mask; %fields (WHOX) picks the columns.',
    minParams: 0,
    handler: who,
  },
  {
    name: 'WHOIS',
    syntax: 'WHOIS [<server>] <nick>',
    help: 'Show who someone is: user and host, channels, server, away, idle and signon time.',
    minParams: 1,
    handler: whois,
  },
  {
    name: 'WHOWAS',
    syntax: 'WHOWAS <nick> [<count>]',
    help: 'Ask who last used a nick that has left or changed (the last 10 per nick, 1000 nicks).',
    minParams: 1,
    handler: whowas,
  },
  {
    name: 'SETNAME',
    syntax: 'SETNAME <realname>',
    help: 'Change your real name (shown by WHOIS and WHO); setname clients sharing a channel are told.',
    minParams: 1,
    handler: setname,
  },
  {
    name: 'AWAY',
    syntax: 'AWAY [<text>]',
    help: 'Mark yourself away with a message, or back again without one.',
    minParams: 0,
    handler: away,
  },
  {
    name: 'ISON',
    syntax: 'ISON <nick>{ <nick>}',
    help: 'Ask which of these nicks are online.',
    minParams: 1,
    handler: ison,
  },
  {
    name: 'USERHOST',
    syntax: 'USERHOST <nick>{ <nick>}',
    help: 'Show user@host, operator and away status of up to 5 nicks.',
    minParams: 1,
    handler: userhost,
  },
];
