// Numeric replies as readable lines: what WHOIS, WHO, LIST, MOTD, HELP and the 4xx/5xx refusals say, in words.
import { ERR, RPL } from '../protocol/index.js';

export interface ReplyText {
  /** A refusal (4xx/5xx) rather than information. */
  error: boolean;
  text: string;
  /** The channel the reply is about, when it clearly belongs in that channel's window. */
  channel: string | null;
}

/** Replies about one channel (its first parameter after our nick), shown in that channel. */
const CHANNEL_REPLIES = new Set<string>([
  RPL.CHANNELMODEIS,
  RPL.CREATIONTIME,
  RPL.NOTOPIC,
  RPL.TOPICWHOTIME,
  RPL.INVEXLIST,
  RPL.ENDOFINVEXLIST,
  RPL.EXCEPTLIST,
  RPL.ENDOFEXCEPTLIST,
  RPL.BANLIST,
  RPL.ENDOFBANLIST,
  ERR.CANNOTSENDTOCHAN,
  ERR.NOTONCHANNEL,
  ERR.CHANNELISFULL,
  ERR.INVITEONLYCHAN,
  ERR.BANNEDFROMCHAN,
  ERR.BADCHANNELKEY,
  ERR.NEEDREGGEDNICK,
  ERR.CHANOPRIVSNEEDED,
]);

/** Refusals of a JOIN, each naming the channel first (`<nick> <channel> :why`). */
export const JOIN_REFUSALS: ReadonlySet<string> = new Set([
  ERR.NOSUCHCHANNEL,
  ERR.TOOMANYCHANNELS,
  ERR.CHANNELISFULL,
  ERR.INVITEONLYCHAN,
  ERR.BANNEDFROMCHAN,
  ERR.BADCHANNELKEY,
  ERR.BADCHANMASK,
  ERR.NEEDREGGEDNICK,
]);

/** Replies whose channel is their second parameter (`<nick> <channel>`). */
const CHANNEL_SECOND = new Set<string>([RPL.INVITING, ERR.USERNOTINCHANNEL, ERR.USERONCHANNEL]);

/** Numerics the session handles itself or that carry nothing worth a line. */
const SILENT = new Set<string>([
  RPL.ISUPPORT,
  RPL.TOPIC,
  RPL.NAMREPLY,
  RPL.ENDOFNAMES,
  RPL.LISTSTART,
]);

function date(seconds: string | undefined): string {
  const n = Number(seconds);
  if (!Number.isFinite(n) || n <= 0) return seconds ?? '?';
  return new Date(n * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

function duration(seconds: string | undefined): string {
  let n = Math.floor(Number(seconds));
  if (!Number.isFinite(n) || n < 0) return `${seconds ?? '?'}s`;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (n >= size) {
      parts.push(`${Math.floor(n / size)}${unit}`);
      n %= size;
    }
  }
  if (n > 0 || parts.length === 0) parts.push(`${n}s`);
  return parts.join(' ');
}

type Format = (p: readonly string[], last: string) => string;

/** Parameters `p` exclude our nick; `last` is the final parameter. */
const FORMATS: Record<string, Format> = {
  [RPL.MYINFO]: (p) => `Server ${p[0] ?? '?'} running ${p[1] ?? '?'}`,
  [RPL.UMODEIS]: (p) => `Your user mode is ${p.join(' ')}`,
  [RPL.AWAY]: (p, last) => `${p[0] ?? '?'} is away: ${last}`,
  [RPL.USERHOST]: (_p, last) => `USERHOST: ${last}`,
  [RPL.ISON]: (_p, last) => `Online: ${last.trim() || '(nobody)'}`,
  [RPL.WHOISUSER]: (p) => `${p[0] ?? '?'} is ${p[1] ?? '?'}@${p[2] ?? '?'} (${p[4] ?? ''})`,
  [RPL.WHOWASUSER]: (p) => `${p[0] ?? '?'} was ${p[1] ?? '?'}@${p[2] ?? '?'} (${p[4] ?? ''})`,
  [RPL.WHOISSERVER]: (p) => `${p[0] ?? '?'} is on ${p[1] ?? '?'} (${p[2] ?? ''})`,
  [RPL.WHOISOPERATOR]: (p, last) => `${p[0] ?? '?'} ${last}`,
  [RPL.WHOISIDLE]: (p) =>
    `${p[0] ?? '?'} has been idle ${duration(p[1])}` +
    (p.length > 3 && Number(p[2]) > 0 ? `, signed on ${date(p[2])}` : ''),
  [RPL.ENDOFWHOIS]: (p) => `End of WHOIS for ${p[0] ?? '?'}`,
  [RPL.ENDOFWHO]: (p) => `End of WHO for ${p[0] ?? '?'}`,
  [RPL.LOCALUSERS]: (_p, last) => last,
  [RPL.GLOBALUSERS]: (_p, last) => last,
  [RPL.WHOISCHANNELS]: (p, last) => `${p[0] ?? '?'} is on ${last}`,
  [RPL.WHOISACCOUNT]: (p) => `${p[0] ?? '?'} is logged in as ${p[1] ?? '?'}`,
  [RPL.WHOISSECURE]: (p) => `${p[0] ?? '?'} is using a secure connection`,
  // <nick!user@host> <account> :You are now logged in as <account> (/register, NickServ)
  [RPL.LOGGEDIN]: (p) => `logged in as ${p[1] ?? '?'}`,
  [RPL.LOGGEDOUT]: () => 'logged out',
  [RPL.WHOREPLY]: (p, last) => {
    // <channel> <user> <host> <server> <nick> <flags> :<hopcount> <realname>
    const real = last.replace(/^\d+\s*/, '');
    return `${p[0] ?? '*'} ${p[4] ?? '?'} ${p[5] ?? ''} ${p[1] ?? '?'}@${p[2] ?? '?'} (${real})`;
  },
  // <channel> <visible members> :<topic>   (one member: "1 user"; no topic: nothing after it)
  [RPL.LIST]: (p, last) => {
    const n = p[1] ?? '?';
    const topic = p.length > 2 && last !== '' ? `: ${last}` : '';
    return `${p[0] ?? '?'} (${n} ${n === '1' ? 'user' : 'users'})${topic}`;
  },
  [RPL.CHANNELMODEIS]: (p) => `Mode of ${p[0] ?? '?'}: ${p.slice(1).join(' ')}`,
  [RPL.CREATIONTIME]: (p) => `${p[0] ?? '?'} was created ${date(p[1])}`,
  [RPL.NOTOPIC]: (p) => `No topic is set in ${p[0] ?? '?'}`,
  [RPL.TOPICWHOTIME]: (p) => `Topic set by ${p[1] ?? '?'} on ${date(p[2])}`,
  [RPL.INVITING]: (p) => `Inviting ${p[0] ?? '?'} to ${p[1] ?? '?'}`,
  [RPL.BANLIST]: (p) =>
    `${p[0] ?? '?'} ban ${p[1] ?? '?'}` + (p[2] !== undefined ? ` set by ${p[2]}` : ''),
  [RPL.HELPSTART]: (_p, last) => last,
  [RPL.HELPTXT]: (_p, last) => last,
  [RPL.ENDOFHELP]: (_p, last) => last,
  [RPL.TIME]: (p, last) => `Time on ${p[0] ?? 'the server'}: ${last}`,
  [ERR.NOSUCHNICK]: (p) => `No such nick: ${p[0] ?? '?'}`,
  [ERR.NOSUCHSERVER]: (p) => `No such server: ${p[0] ?? '?'}`,
  [ERR.NOSUCHCHANNEL]: (p) => `No such channel: ${p[0] ?? '?'}`,
  [ERR.CANNOTSENDTOCHAN]: (p, last) => `Cannot send to ${p[0] ?? '?'}: ${last}`,
  [ERR.UNKNOWNCOMMAND]: (p) => `Unknown command: ${p[0] ?? '?'}`,
  [ERR.ERRONEUSNICKNAME]: (p) => `Erroneous nickname: ${p[0] ?? '?'}`,
  [ERR.NICKNAMEINUSE]: (p) => `Nickname is already in use: ${p[0] ?? '?'}`,
  [ERR.USERNOTINCHANNEL]: (p) => `${p[0] ?? '?'} is not on ${p[1] ?? '?'}`,
  [ERR.NOTONCHANNEL]: (p) => `You're not on ${p[0] ?? '?'}`,
  [ERR.USERONCHANNEL]: (p) => `${p[0] ?? '?'} is already on ${p[1] ?? '?'}`,
  [ERR.NEEDMOREPARAMS]: (p) => `Not enough parameters for ${p[0] ?? 'that command'}`,
  [ERR.CHANNELISFULL]: (p) => `Cannot join ${p[0] ?? '?'}: the channel is full (+l)`,
  [ERR.INVITEONLYCHAN]: (p) => `Cannot join ${p[0] ?? '?'}: invite only (+i)`,
  [ERR.BANNEDFROMCHAN]: (p) => `Cannot join ${p[0] ?? '?'}: you are banned (+b)`,
  [ERR.BADCHANNELKEY]: (p) => `Cannot join ${p[0] ?? '?'}: wrong or missing key (+k)`,
  [ERR.CHANOPRIVSNEEDED]: (p) => `You're not a channel operator in ${p[0] ?? '?'}`,
};

/**
 * Turn a numeric reply into a line of text; null when it is not shown. `params` excludes our
 * nick (the first parameter of every numeric).
 */
export function describeReply(command: string, params: readonly string[]): ReplyText | null {
  if (SILENT.has(command)) return null;
  const code = Number(command);
  const error = code >= 400 && code < 600;
  const last = params.length > 0 ? params[params.length - 1] : '';
  const format = FORMATS[command];
  const text =
    format !== undefined
      ? format(params, last)
      : params.length <= 1
        ? last
        : error
          ? `${last}: ${params.slice(0, -1).join(' ')}`
          : params.join(' ');
  const channel = CHANNEL_REPLIES.has(command)
    ? (params[0] ?? null)
    : CHANNEL_SECOND.has(command)
      ? (params[1] ?? null)
      : null;
  return { error, text: text.length > 0 ? text : command, channel };
}
