// Listings: NAMES and LIST, produced line by line as the client reads them, whole or (joining a large channel) summarised.
import { RPL, isChannelName, matchMask } from '../../protocol/index.js';
import { CAPBIT } from '../capabilities.js';
import { statusPrefix, type Channel } from '../channel.js';
import type { User } from '../user.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';

/** Room for the words of one 353 line, so it stays under 512 bytes with any prefix and name. */
const NAMES_LINE = 400;

/** A reply produced in steps: each call queues a line or so, true once finished (Request.longReply). */
type Step = () => boolean;

/** The steps of several replies, one after the other. */
export function inSequence(steps: Step[]): Step {
  let k = 0;
  return () => {
    while (k < steps.length) {
      if (!steps[k]()) return false;
      k++;
    }
    return true;
  };
}

/**
 * 353 lines then 366 for `channel`, listing `members` (every member, or a summary), honouring
 * multi-prefix and userhost-in-names. Secret channels and invisible users hide from outsiders.
 * The members are read as the steps go, so a member who leaves meanwhile is left out.
 */
export function namesSteps(
  req: Request,
  channel: Channel,
  members: Iterable<User>,
  end = true,
): Step {
  const viewer = req.user;
  const inside = channel.members.has(viewer);
  const multi = req.client.has(CAPBIT.MULTI_PREFIX);
  const uhnames = req.client.has(CAPBIT.USERHOST_IN_NAMES);
  const symbol = channel.has('s') ? '@' : '=';
  const it = members[Symbol.iterator]();
  let exhausted = !inside && channel.has('s');
  let line = '';
  return () => {
    while (!exhausted) {
      const r = it.next();
      if (r.done === true) {
        exhausted = true;
        break;
      }
      const member = r.value;
      const status = channel.members.get(member);
      if (status === undefined || (!inside && member.modes.includes('i'))) continue;
      const word = statusPrefix(status, multi) + (uhnames ? member.prefix : member.nick);
      if (line.length > 0 && line.length + 1 + word.length > NAMES_LINE) {
        req.numeric(RPL.NAMREPLY, symbol, channel.name, line);
        line = word;
        return false;
      }
      line = line.length === 0 ? word : line + ' ' + word;
    }
    if (line.length > 0) req.numeric(RPL.NAMREPLY, symbol, channel.name, line);
    line = '';
    if (end) req.numeric(RPL.ENDOFNAMES, channel.name, 'End of /NAMES list');
    return true;
  };
}

/** The names list a newcomer gets on JOIN: everyone, or in a large channel those with a status and itself. */
export function sendJoinNames(req: Request, channel: Channel): void {
  const viewer = req.user;
  let members: Iterable<User> = channel.members.keys();
  if (channel.large) {
    members = channel.privileged.has(viewer) ? channel.privileged : [...channel.privileged, viewer];
  }
  const step = namesSteps(req, channel, members);
  while (!step());
}

// NAMES [<channel>{,<channel>}]   (complete; without a channel, those one is in)
// Several channels answer as RFC 2812 has it: their 353 lines, then one 366 naming the list.
function names(req: Request): void {
  const steps: Step[] = [];
  if (req.params.length === 0) {
    for (const ch of req.user.channels) steps.push(namesSteps(req, ch, ch.members.keys()));
  } else {
    const given = req.params[0];
    const wanted = given.split(',').filter((n) => n !== '');
    const one = wanted.length <= 1;
    for (const name of wanted.slice(0, req.server.config.maxTargets)) {
      const channel = req.server.network.findChannel(name);
      if (channel !== undefined) steps.push(namesSteps(req, channel, channel.members.keys(), one));
    }
    if (!one || steps.length === 0) {
      steps.push(() => {
        req.numeric(RPL.ENDOFNAMES, one ? (wanted[0] ?? given) : given, 'End of /NAMES list');
        return true;
      });
    }
  }
  req.longReply(inSequence(steps));
}

/**
 * One ELIST condition as a test of a channel (MNUCT), or null when `cond` is none of them:
 * `>n`/`<n` members, `C>n`/`C<n` created more/less than n minutes ago, `T>n`/`T<n` topic set
 * more/less than n minutes ago, a name mask, or `!mask` for names that do not match it.
 */
function elistCondition(cond: string, now: number): ((ch: Channel) => boolean) | null {
  const m = /^([CT]?)([<>])(\d{1,9})$/.exec(cond);
  if (m !== null) {
    const n = Number(m[3]);
    const more = m[2] === '>';
    if (m[1] === '') return (ch) => (more ? ch.members.size > n : ch.members.size < n);
    const age = (ms: number) => (now - ms) / 60_000;
    const of = m[1] === 'C' ? (ch: Channel) => ch.createdAt : (ch: Channel) => ch.topicAt;
    return (ch) => (more ? age(of(ch)) > n : age(of(ch)) < n);
  }
  if (cond.startsWith('!')) return (ch) => !matchMask(cond.slice(1), ch.name);
  if (/[*?]/.test(cond)) return (ch) => matchMask(cond, ch.name);
  return null;
}

// LIST [<channel>{,<channel>}] [<elistcond>{,<elistcond>}]   (ELIST=CMNTU)
function list(req: Request): void {
  const net = req.server.network;
  const user = req.user;
  const tests: Array<(ch: Channel) => boolean> = [];
  let named: string[] | null = null;
  for (const param of req.params) {
    for (const word of param.split(',').filter((w) => w !== '')) {
      const test = elistCondition(word, req.now);
      if (test !== null) tests.push(test);
      else if (isChannelName(word)) (named ??= []).push(word);
    }
  }
  const wanted: Iterator<Channel | undefined> =
    named === null
      ? net.allChannels()
      : named
          .slice(0, req.server.config.maxTargets)
          .map((n) => net.findChannel(n))
          .values();
  req.numeric(RPL.LISTSTART, 'Channel', 'Users  Name');
  req.longReply(() => {
    for (;;) {
      const r = wanted.next();
      if (r.done === true) break;
      const ch = r.value;
      if (ch === undefined || (ch.has('s') && !ch.members.has(user))) continue;
      if (!tests.every((t) => t(ch))) continue;
      req.numeric(RPL.LIST, ch.name, String(ch.members.size), ch.topic);
      return false;
    }
    req.numeric(RPL.LISTEND, 'End of /LIST');
    return true;
  });
}

export const namesCommands: CommandSpec[] = [
  {
    name: 'NAMES',
    syntax: 'NAMES [<channel>{,<channel>}]',
    help: 'List the members of channels (all of them, also in a large channel).',
    minParams: 0,
    handler: names,
  },
  {
    name: 'LIST',
    syntax: 'LIST [<channel>{,<channel>}] [<condition>{,<condition>}]',
    help: 'List channels with their member counts and topics; conditions: >n, <n (members), C>n, C<n (minutes since created), T>n, T<n (since the topic was set), a name mask, !mask.',
    minParams: 0,
    handler: list,
  },
];
