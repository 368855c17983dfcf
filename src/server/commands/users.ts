// Who is who: WHO, WHOIS, AWAY, ISON and USERHOST; no reply ever shows an IP, only the cloaked host.
import { ERR, RPL, fold, isChannelName, matchMask, truncateUtf8 } from '../../protocol/index.js';
import { CAPBIT } from '../capabilities.js';
import { statusPrefix, type Channel } from '../channel.js';
import { serverInfo } from '../config.js';
import type { User } from '../user.js';
import type { Request } from './request.js';
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
  req: Request,
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
  if (whox !== null) return whoxReply(req, target, channelName, flags, whox);
  req.numeric(
    RPL.WHOREPLY,
    channelName,
    target.username,
    target.host,
    req.server.config.name,
    target.nick,
    flags,
    `0 ${target.realname}`,
  );
}

/** One 354 line: the fields asked for. No reply shows an IP: `i` is 255.255.255.255. */
function whoxReply(req: Request, u: User, channel: string, flags: string, whox: Whox): void {
  const idle = Math.max(0, Math.floor((req.now - u.lastSpokeAt) / 1000));
  const values: Record<string, string> = {
    t: whox.token,
    c: channel,
    u: u.username,
    i: '255.255.255.255',
    h: u.host,
    s: req.server.config.name,
    n: u.nick,
    f: flags,
    d: '0',
    l: String(idle),
    a: u.accountName ?? '0',
    o: 'n/a',
    r: u.realname,
  };
  req.numeric(RPL.WHOSPCRPL, ...[...whox.fields].map((c) => values[c]));
}

/** The 352 lines of `channel`'s members as `viewer` may see them, a step at a time (longReply). */
function whoChannel(req: Request, channel: Channel, whox: Whox | null): () => boolean {
  const viewer = req.user;
  const inside = channel.members.has(viewer);
  const multi = req.client.has(CAPBIT.MULTI_PREFIX);
  const members = channel.members.keys();
  let exhausted = !inside && channel.has('s');
  return () => {
    while (!exhausted) {
      const r = members.next();
      if (r.done === true) break;
      const member = r.value;
      const status = channel.members.get(member);
      if (status === undefined || (!inside && member.modes.includes('i'))) continue;
      whoReply(req, member, channel.name, statusPrefix(status, multi), whox);
      return false;
    }
    exhausted = true;
    return true;
  };
}

/** The 352 lines of every user matching `mask` whom `viewer` may see, a step at a time. */
function whoMask(req: Request, mask: string, whox: Whox | null): () => boolean {
  const viewer = req.user;
  const full = mask.includes('!') || mask.includes('@');
  const users = req.server.network.allUsers();
  return () => {
    for (;;) {
      const r = users.next();
      if (r.done === true) return true;
      const u = r.value;
      if (!matchMask(mask, full ? u.prefix : u.nick) || !visibleTo(viewer, u)) continue;
      whoReply(req, u, '*', '', whox);
      return false;
    }
  };
}

// WHO [<mask>]   (a channel name lists its members; otherwise a nick mask, or nick!user@host mask)
function who(req: Request): void {
  const given = req.params[0] ?? '';
  const mask = given === '' || given === '0' ? '*' : given;
  const whox = parseWhox(req.params[1]);
  let lines: () => boolean = () => true;
  if (isChannelName(mask)) {
    const channel = req.server.network.findChannel(mask);
    if (channel !== undefined) lines = whoChannel(req, channel, whox);
  } else if (!/[*?!@]/.test(mask)) {
    // A plain nick names one user, who is shown even when invisible (+i hides only from masks).
    const u = req.server.network.findUser(mask);
    if (u !== undefined) whoReply(req, u, '*', '', whox);
  } else {
    lines = whoMask(req, mask, whox);
  }
  // Long lists (a large channel, WHO *) go out as the client reads them.
  req.longReply(() => {
    if (!lines()) return false;
    req.numeric(RPL.ENDOFWHO, given === '' ? '*' : given, 'End of WHO list');
    return true;
  });
}

/** 319 lines for `target`'s channels as `viewer` may see them (secret ones only if shared). */
function whoisChannels(req: Request, target: User): void {
  const viewer = req.user;
  const multi = req.client.has(CAPBIT.MULTI_PREFIX);
  let words: string[] = [];
  let size = 0;
  for (const ch of target.channels) {
    if (ch.has('s') && !ch.members.has(viewer)) continue;
    const word = statusPrefix(ch.members.get(target) ?? 0, multi) + ch.name;
    if (size + word.length + 1 > WHOIS_CHANNELS_CHUNK) {
      req.numeric(RPL.WHOISCHANNELS, target.nick, words.join(' '));
      words = [];
      size = 0;
    }
    words.push(word);
    size += word.length + 1;
  }
  if (words.length > 0) req.numeric(RPL.WHOISCHANNELS, target.nick, words.join(' '));
}

// WHOIS [<server>] <nick>   (<server> may be this server's name or the nick itself)
function whois(req: Request): void {
  const { network, config } = req.server;
  const nick = req.params[req.params.length > 1 ? 1 : 0].split(',')[0];
  if (req.params.length > 1) {
    const server = req.params[0];
    if (!matchMask(server, config.name) && fold(server) !== fold(nick)) {
      return req.numeric(ERR.NOSUCHSERVER, server, 'No such server');
    }
  }
  const target = nick === '' ? undefined : network.findUser(nick);
  if (target === undefined) {
    req.numeric(ERR.NOSUCHNICK, nick === '' ? '*' : nick, 'No such nick/channel');
    req.numeric(RPL.ENDOFWHOIS, nick === '' ? '*' : nick, 'End of /WHOIS list');
    return;
  }
  req.numeric(RPL.WHOISUSER, target.nick, target.username, target.host, '*', target.realname);
  whoisChannels(req, target);
  if (target.remote !== null) {
    // One network under one name: the node is told in the info text.
    req.numeric(RPL.WHOISSERVER, target.nick, config.name, `node ${target.remote} of this network`);
  } else req.numeric(RPL.WHOISSERVER, target.nick, config.name, serverInfo(config));
  if (target.away !== null) req.numeric(RPL.AWAY, target.nick, target.away);
  if (target.isOper) req.numeric(RPL.WHOISOPERATOR, target.nick, 'is an IRC operator');
  if (target.client.secure) {
    req.numeric(RPL.WHOISSECURE, target.nick, 'is using a secure connection');
  }
  if (target.accountName !== null) {
    req.numeric(RPL.WHOISACCOUNT, target.nick, target.accountName, 'is logged in as');
  }
  if (target.isBot) {
    req.numeric(RPL.WHOISBOT, target.nick, `is a Bot on ${req.server.config.network}`);
  }
  // Idle and signon times are known on the user's own node only (a cluster replica has neither).
  if (target.remote === null) {
    req.numeric(
      RPL.WHOISIDLE,
      target.nick,
      String(Math.max(0, Math.floor((req.now - target.lastSpokeAt) / 1000))),
      String(Math.floor(target.signonAt / 1000)),
      'seconds idle, signon time',
    );
  }
  req.numeric(RPL.ENDOFWHOIS, target.nick, 'End of /WHOIS list');
}

// AWAY [<text>]   (no or empty text: back again)
function away(req: Request): void {
  const user = req.user;
  const text = truncateUtf8(req.params[0] ?? '', req.server.config.awayLen);
  const before = user.away;
  if (text === '') {
    req.server.network.setAway(user, null);
    req.numeric(RPL.UNAWAY, 'You are no longer marked as being away');
  } else {
    req.server.network.setAway(user, text);
    req.numeric(RPL.NOWAWAY, 'You have been marked as being away');
  }
  if (user.away === before) return; // nothing changed: nothing to tell away-notify clients
  const out = req.server.userEvent(user, 'AWAY', user.away === null ? [] : [user.away]);
  req.server.network.deliver.toNeighboursAndWatchers(user, out, CAPBIT.AWAY_NOTIFY);
}

// SETNAME <realname>   (IRCv3 setname: told to those sharing a channel who asked for the cap)
function setname(req: Request): void {
  const user = req.user;
  const text = req.params[0];
  const most = req.server.config.realnameLen;
  if (text === '' || Buffer.byteLength(text) > most) {
    const why =
      text === '' ? 'Real name may not be empty' : `Real name is longer than ${most} bytes`;
    return req.standard('FAIL', 'INVALID_REALNAME', why);
  }
  req.server.network.setRealname(user, text);
  const out = req.server.userEvent(user, 'SETNAME', [text]);
  req.server.network.deliver.toNeighboursAndWatchers(user, out, CAPBIT.SETNAME);
  if (req.client.has(CAPBIT.SETNAME)) req.event(out);
}

/** The words of every parameter: `ISON a b` and `ISON :a b` mean the same. */
function nickWords(params: readonly string[]): string[] {
  return params.flatMap((p) => p.split(' ')).filter((w) => w.length > 0);
}

// ISON <nick>{ <nick>}
function ison(req: Request): void {
  const net = req.server.network;
  const present: string[] = [];
  for (const word of nickWords(req.params)) {
    const u = net.findUser(word);
    if (u !== undefined) present.push(u.nick);
  }
  req.numeric(RPL.ISON, present.join(' '));
}

// USERHOST <nick>{ <nick>}   (at most 5)
function userhost(req: Request): void {
  const net = req.server.network;
  const entries: string[] = [];
  for (const word of nickWords(req.params).slice(0, USERHOST_MAX)) {
    const u = net.findUser(word);
    if (u === undefined) continue;
    const oper = u.isOper ? '*' : '';
    const here = u.away === null ? '+' : '-';
    entries.push(`${u.nick}${oper}=${here}${u.username}@${u.host}`);
  }
  req.numeric(RPL.USERHOST, entries.join(' '));
}

// WHOWAS <nick>{,<nick>} [<count>]   (newest first; no count, or one under 1, gives all kept)
function whowas(req: Request): void {
  const { network, config } = req.server;
  const count = Number.parseInt(req.params[1] ?? '0', 10) || 0;
  const nicks = req.params[0].split(',').filter((n) => n !== '');
  if (nicks.length === 0) return req.numeric(ERR.NONICKNAMEGIVEN, 'No nickname given');
  for (const nick of nicks.slice(0, config.maxTargets)) {
    const entries = network.whowas.lookup(nick, count);
    if (entries.length === 0) req.numeric(ERR.WASNOSUCHNICK, nick, 'There was no such nickname');
    for (const e of entries) {
      req.numeric(RPL.WHOWASUSER, e.nick, e.username, e.host, '*', e.realname);
      req.numeric(RPL.WHOISSERVER, e.nick, config.name, new Date(e.at).toUTCString());
    }
    req.numeric(RPL.ENDOFWHOWAS, nick, 'End of WHOWAS');
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
