// Listings: NAMES and LIST, produced line by line as the client reads them, whole or (joining a large channel) summarised.
import { RPL, isChannelName } from '../../protocol/index.js';
import { CAPBIT } from '../capabilities.js';
import { statusPrefix, type Channel } from '../channel.js';
import type { User } from '../user.js';
import type { Context } from './context.js';
import type { CommandSpec } from './table.js';

/** Room for the words of one 353 line, so it stays under 512 bytes with any prefix and name. */
const NAMES_LINE = 400;

/** A reply produced in steps: each call queues a line or so, true once finished (Context.longReply). */
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
export function namesSteps(ctx: Context, channel: Channel, members: Iterable<User>): Step {
  const viewer = ctx.user;
  const inside = channel.members.has(viewer);
  const multi = ctx.session.has(CAPBIT.MULTI_PREFIX);
  const uhnames = ctx.session.has(CAPBIT.USERHOST_IN_NAMES);
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
        ctx.numeric(RPL.NAMREPLY, symbol, channel.name, line);
        line = word;
        return false;
      }
      line = line.length === 0 ? word : line + ' ' + word;
    }
    if (line.length > 0) ctx.numeric(RPL.NAMREPLY, symbol, channel.name, line);
    line = '';
    ctx.numeric(RPL.ENDOFNAMES, channel.name, 'End of /NAMES list');
    return true;
  };
}

/** The names list a newcomer gets on JOIN: everyone, or in a large channel those with a status and itself. */
export function sendJoinNames(ctx: Context, channel: Channel): void {
  const viewer = ctx.user;
  let members: Iterable<User> = channel.members.keys();
  if (channel.large) {
    members = channel.privileged.has(viewer) ? channel.privileged : [...channel.privileged, viewer];
  }
  const step = namesSteps(ctx, channel, members);
  while (!step());
}

// NAMES [<channel>{,<channel>}]   (complete; without a channel, those one is in)
function names(ctx: Context): void {
  const steps: Step[] = [];
  if (ctx.params.length === 0) {
    for (const ch of ctx.user.channels) steps.push(namesSteps(ctx, ch, ch.members.keys()));
  } else {
    for (const name of ctx.params[0].split(',')) {
      const channel = ctx.server.network.findChannel(name);
      if (channel !== undefined) steps.push(namesSteps(ctx, channel, channel.members.keys()));
      else
        steps.push(() => {
          ctx.numeric(RPL.ENDOFNAMES, name, 'End of /NAMES list');
          return true;
        });
    }
  }
  ctx.longReply(inSequence(steps));
}

// LIST [<channel>{,<channel>}] [<elistcond>]  (ELIST=U: >n and <n member counts)
function list(ctx: Context): void {
  const net = ctx.server.network;
  const user = ctx.user;
  let min = 0;
  let max = Infinity;
  const args = ctx.params.filter((p) => p.length > 0);
  const named = args.find((a) => isChannelName(a));
  for (const a of args) {
    if (a.startsWith('>')) min = parseInt(a.slice(1), 10) + 1 || 0;
    if (a.startsWith('<')) max = parseInt(a.slice(1), 10) - 1;
  }
  const wanted: Iterator<Channel | undefined> =
    named === undefined
      ? net.allChannels()
      : named
          .split(',')
          .map((n) => net.findChannel(n))
          .values();
  ctx.numeric(RPL.LISTSTART, 'Channel', 'Users  Name');
  ctx.longReply(() => {
    for (;;) {
      const r = wanted.next();
      if (r.done === true) break;
      const ch = r.value;
      if (ch === undefined || (ch.has('s') && !ch.members.has(user))) continue;
      if (ch.members.size < min || ch.members.size > max) continue;
      ctx.numeric(RPL.LIST, ch.name, String(ch.members.size), ch.topic);
      return false;
    }
    ctx.numeric(RPL.LISTEND, 'End of /LIST');
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
    syntax: 'LIST [<channel>{,<channel>}] [>n|<n]',
    help: 'List channels with their member counts and topics.',
    minParams: 0,
    handler: list,
  },
];
