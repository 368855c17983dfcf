// MONITOR (IRCv3 monitor and extended-monitor): a user's list of nicks to be told about when they come and go.
import { ERR, RPL, fold, isValidNick } from '../../protocol/index.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';

/** Nicks per 730-733 line: a nick is at most --nick-len (30 by default), so ~400 bytes a line. */
const PER_LINE = 12;

/** Send `nicks` in lines of PER_LINE, comma-joined, as `code`. */
function inLines(req: Request, code: string, nicks: string[]): void {
  for (let k = 0; k < nicks.length; k += PER_LINE) {
    req.numeric(code, nicks.slice(k, k + PER_LINE).join(','));
  }
}

/** 730 for those of `nicks` online (as nick!user@host), 731 for the others. */
function status(req: Request, nicks: Iterable<string>): void {
  const online: string[] = [];
  const offline: string[] = [];
  for (const nick of nicks) {
    const u = req.server.network.findUser(nick);
    if (u !== undefined) online.push(u.prefix);
    else offline.push(nick);
  }
  inLines(req, RPL.MONONLINE, online);
  inLines(req, RPL.MONOFFLINE, offline);
}

// MONITOR + <nick>{,<nick>} | - <nick>{,<nick>} | C | L | S
function monitor(req: Request): void {
  const { network, config } = req.server;
  const user = req.user;
  const monitors = network.monitors;
  const op = req.params[0].toUpperCase();
  const targets = (req.params[1] ?? '').split(',').filter((n) => n !== '');
  if ((op === '+' || op === '-') && targets.length === 0) {
    return req.numeric(ERR.NEEDMOREPARAMS, 'MONITOR', 'Not enough parameters');
  }
  switch (op) {
    case '+': {
      const added: string[] = [];
      for (let k = 0; k < targets.length; k++) {
        const nick = targets[k];
        // A nick only, never a mask: watching hosts would let anyone follow someone across nicks.
        if (!isValidNick(nick, config.nickLen)) {
          req.numeric(ERR.ERRONEUSNICKNAME, nick, 'Erroneous nickname');
          continue;
        }
        const folded = fold(nick);
        const list = monitors.listOf(user);
        if (list.has(folded)) continue;
        if (list.size >= config.maxMonitor) {
          req.numeric(
            ERR.MONLISTFULL,
            String(config.maxMonitor),
            targets.slice(k).join(','),
            'Monitor list is full',
          );
          break;
        }
        monitors.add(user, folded, nick);
        added.push(nick);
      }
      return status(req, added);
    }
    case '-':
      for (const nick of targets) monitors.remove(user, fold(nick));
      return;
    case 'C':
      return monitors.clear(user);
    case 'L':
      inLines(req, RPL.MONLIST, [...monitors.listOf(user).values()]);
      return req.numeric(RPL.ENDOFMONLIST, 'End of MONITOR list');
    case 'S':
      return status(req, monitors.listOf(user).values());
    default:
      return req.standard('FAIL', 'INVALID_PARAMS', op, 'MONITOR takes +, -, C, L or S');
  }
}

export const monitorCommands: CommandSpec[] = [
  {
    name: 'MONITOR',
    syntax: 'MONITOR <+|-> <nick>{,<nick>} | MONITOR <C|L|S>',
    help: 'Be told when nicks come online or go offline: + adds, - removes, C clears, L lists, S shows who is online.',
    minParams: 1,
    handler: monitor,
  },
];
