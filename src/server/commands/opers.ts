// Operators: OPER, KILL, WALLOPS, STATS and REHASH; the user modes +o and +w they go with.
import { ERR, RPL, matchMask } from '../../protocol/index.js';
import { verifyPassword } from '../opers.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';

/** True for an operator; otherwise 481 is sent. */
function isOper(req: Request): boolean {
  if (req.user.isOper) return true;
  req.numeric(ERR.NOPRIVILEGES, "Permission Denied- You're not an IRC operator");
  return false;
}

// OPER <name> <password>
function oper(req: Request): void {
  const server = req.server;
  const user = req.user;
  const [name, password] = req.params;
  const block = server.config.opers.find((b) => b.name === name);
  // Neither reply says whether the name exists; the log says, without the password.
  if (block === undefined || !matchMask(block.host, `${user.username}@${user.host}`)) {
    server.log.warn(
      { nick: user.nick, oper: name },
      'OPER refused: no such operator for this host',
    );
    return req.numeric(ERR.NOOPERHOST, 'No O-lines for your host');
  }
  if (!server.operChecks.take(req.now)) {
    server.log.warn({ nick: user.nick, oper: name }, 'OPER refused: too many attempts');
    return req.numeric(ERR.PASSWDMISMATCH, 'Too many OPER attempts; try again in a few seconds');
  }
  if (!verifyPassword(password, block.hash)) {
    server.log.warn({ nick: user.nick, oper: name }, 'OPER refused: wrong password');
    return req.numeric(ERR.PASSWDMISMATCH, 'Password incorrect');
  }
  server.log.info({ nick: user.nick, oper: name }, 'OPER: now an operator');
  if (user.isOper) return req.numeric(RPL.YOUREOPER, 'You are now an IRC operator');
  server.network.setUserModes(user, [...new Set(user.modes + 'o')].sort().join(''));
  const answer = (): void => {
    req.numeric(RPL.YOUREOPER, 'You are now an IRC operator');
    req.own(server.event(user.nick, 'MODE', [user.nick, '+o']));
  };
  const cluster = server.cluster;
  if (cluster == null) return answer();
  // The other nodes' copies know an operator too, before the answer: a WHO there, sent by
  // anyone who has seen it, shows the `*`.
  cluster.updated(user);
  cluster.afterNews(req, answer);
}

// KILL <nick> [<reason>]
function kill(req: Request): void {
  if (!isOper(req)) return;
  const server = req.server;
  const victim = server.network.findUser(req.params[0]);
  if (victim === undefined)
    return req.numeric(ERR.NOSUCHNICK, req.params[0], 'No such nick/channel');
  const reason = req.params[1] || 'no reason given';
  const by = req.user.nick;
  // In a cluster every node runs it (replica.ts): the victim's node and the operator's log it.
  if (victim.remote === null || req.user.remote === null) {
    server.log.info({ by, nick: victim.nick, reason }, 'KILL');
  }
  const why = `Killed (${by} (${reason}))`;
  if (victim.remote !== null)
    server.disconnect(victim.client, why); // its own node removes it
  else server.killUser(victim, why); // every connection of it, detached or not (--always-on)
}

// WALLOPS <text>   (to every user with +w, and back to the sender)
function wallops(req: Request): void {
  if (!isOper(req)) return;
  const server = req.server;
  const user = req.user;
  const out = server.event(user.prefix, 'WALLOPS', [req.params[0]]);
  for (const u of server.network.allUsers()) {
    if (u !== user && u.modes.includes('w')) server.network.deliver.toUser(u, out);
  }
  req.event(out);
}

// REHASH   (re-read the config file, as SIGHUP does)
function rehash(req: Request): void {
  if (!isOper(req)) return;
  const server = req.server;
  server.log.info({ by: req.user.nick }, 'REHASH');
  const { file, problem } = server.rehash();
  req.numeric(RPL.REHASHING, file ?? '*', problem === null ? 'Rehashing' : 'Rehash failed');
  if (problem !== null) req.standard('FAIL', 'CANNOT_REHASH', problem);
}

/** Seconds as `N days HH:MM:SS`. */
function uptime(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const hms = [3600, 60, 1].map((u, k) =>
    String(Math.floor((seconds % (k === 0 ? 86_400 : u * 60)) / u)).padStart(2, '0'),
  );
  return `${d} days ${hms.join(':')}`;
}

// STATS <query>   (operators: u uptime, o operator blocks, m command counts)
function stats(req: Request): void {
  if (!isOper(req)) return;
  const server = req.server;
  const query = req.params[0][0] ?? '*';
  switch (query) {
    case 'u': {
      const up = Math.floor((req.now - server.startedAt.getTime()) / 1000);
      req.numeric(RPL.STATSUPTIME, `Server Up ${uptime(up)}`);
      break;
    }
    case 'o':
      for (const b of server.config.opers) req.numeric(RPL.STATSOLINE, 'O', b.host, '*', b.name);
      break;
    case 'm':
      for (const [name, n] of server.commands.counts)
        req.numeric(RPL.STATSCOMMANDS, name, String(n));
      break;
    default:
      req.standard(
        'FAIL',
        'INVALID_PARAMS',
        query,
        'STATS takes u (uptime), o (operators) or m (commands)',
      );
  }
  req.numeric(RPL.ENDOFSTATS, query, 'End of /STATS report');
}

export const operCommands: CommandSpec[] = [
  {
    name: 'OPER',
    syntax: 'OPER <name> <password>',
    help: "Become an IRC operator, with a name and password from the server's config (opers).",
    minParams: 2,
    handler: oper,
  },
  {
    name: 'KILL',
    syntax: 'KILL <nick> [<reason>]',
    help: 'Operators only: disconnect a user, telling everyone why.',
    minParams: 1,
    handler: kill,
  },
  {
    name: 'WALLOPS',
    syntax: 'WALLOPS <text>',
    help: 'Operators only: send a message to every user with user mode +w.',
    minParams: 1,
    handler: wallops,
  },
  {
    name: 'STATS',
    syntax: 'STATS <u|o|m>',
    help: 'Operators only: uptime (u), operator blocks (o), how often each command ran (m).',
    minParams: 1,
    handler: stats,
  },
  {
    name: 'REHASH',
    syntax: 'REHASH',
    help: 'Operators only: re-read the config file, as SIGHUP does.',
    minParams: 0,
    handler: rehash,
  },
];
