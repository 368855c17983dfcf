// ChanServ: `/msg ChanServ REGISTER #chan` keeps a channel (topic, modes, lists) across restarts for its founder; INFO, DROP, HELP.
//
// Like NickServ (nickserv.ts) it is no user: PRIVMSG to the name is routed here, the nick is
// refused to everyone, and answers are NOTICEs from ChanServ!ChanServ@services.<server>. It only
// exists with a store. The registry (registry.ts) does the keeping. In a cluster REGISTER and DROP
// go through the network's order (replica.ts), so every node holds the same founders.
import { servicesName } from '../config.js';
import { fold } from '../../protocol/index.js';
import type { Request } from './request.js';
import { serviceAliases } from './services.js';
import type { CommandSpec } from './table.js';

export const CHANSERV = 'ChanServ';

const HELP: readonly string[] = [
  'ChanServ keeps registered channels: topic, modes and lists survive the last member and restarts.',
  "REGISTER <#channel>   register a channel you are an operator of to your account (you're its founder)",
  'INFO <#channel>       who founded a channel, and when',
  'DROP <#channel>       unregister it (its founder, or an IRC operator)',
  'HELP                  this text',
];

/** Whether `target` of a PRIVMSG/NOTICE names ChanServ on a server that has it. */
export function isChanServ(req: Request, target: string): boolean {
  return req.server.store !== null && fold(target) === fold(CHANSERV);
}

function say(req: Request, text: string): void {
  req.line(`${CHANSERV}!${CHANSERV}@${servicesName(req.server.config)}`, 'NOTICE', [
    req.client.target,
    text,
  ]);
}

/** A line of text sent to ChanServ: its first word is the command. */
export function chanserv(req: Request, text: string): void {
  const [word = '', name = ''] = text.trim().split(/\s+/);
  const command = word.toUpperCase();
  if (command === 'HELP' || command === '') {
    for (const line of HELP) say(req, line);
    return;
  }
  const registry = req.server.registry;
  const channel = name === '' ? undefined : req.server.network.findChannel(name);
  if (registry === null || !['REGISTER', 'INFO', 'DROP'].includes(command)) {
    say(req, `Unknown command ${word}: /msg ${CHANSERV} HELP`);
    return;
  }
  if (name === '') return say(req, `Syntax: ${command} <#channel>`);
  if (channel === undefined) return say(req, `${name} does not exist`);
  // In a cluster every node learns a channel's founder: the request runs on each from the order.
  const replica = req.server.cluster?.replica;
  if (command !== 'INFO' && replica !== undefined && !replica.applying) {
    if (replica.order(req, true)) return;
    return say(req, 'The network is degraded: try again once the other servers are reachable');
  }
  const user = req.user;
  switch (command) {
    case 'REGISTER':
      if (user.account === null) return say(req, 'Log in first (/msg NickServ IDENTIFY or SASL)');
      if (channel.founder !== null) return say(req, `${channel.name} is already registered`);
      if (!channel.isOp(user)) return say(req, `You must be an operator of ${channel.name}`);
      registry.register(channel, user.account, req.now);
      req.server.log.info({ channel: channel.name, founder: user.account }, 'channel registered');
      return say(req, `${channel.name} is registered to you: it keeps its topic and modes`);
    case 'INFO': {
      const at = registry.registeredAt(channel);
      if (channel.founder === null || at === null) {
        return say(req, `${channel.name} is not registered`);
      }
      return say(
        req,
        `${channel.name}: founder ${channel.founder}, registered ${new Date(at).toISOString()}`,
      );
    }
    default: // DROP
      if (channel.founder === null) return say(req, `${channel.name} is not registered`);
      if (channel.founder !== user.account && !user.isOper) {
        return say(req, `Only the founder of ${channel.name} may drop it`);
      }
      registry.drop(channel);
      return say(req, `${channel.name} is no longer registered`);
  }
}

export const chanservCommands: CommandSpec[] = serviceAliases(
  'CS',
  'CHANSERV',
  'Talk to ChanServ (register a channel so it outlives its members and restarts).',
  chanserv,
);
