// NickServ for clients without SASL: `/msg NickServ <command>` (or NS / NICKSERV <command>) to register, identify, log out, look up.
//
// There is no NickServ user in the nick index: PRIVMSG to the name is routed here (messaging.ts),
// the nick is refused to everyone (registration.ts), and answers are NOTICEs from
// NickServ!NickServ@services.<server>. It only exists with a store (`--db` not off).
import { REGISTER_CODE, fold } from '../../protocol/index.js';
import { accountOf, checkLogin, logOut, logIn, registerAccount } from './accounts.js';
import type { Request } from './request.js';
import { serviceAliases } from './services.js';
import type { CommandSpec } from './table.js';

const HELP: readonly string[] = [
  'NickServ keeps accounts; a registered nick is reserved for whoever is logged into it.',
  'REGISTER <password> [email]   create an account named like your nick and log in',
  'IDENTIFY [account] <password> log in (clients with SASL log in on connecting instead)',
  'LOGOUT                        log out',
  'INFO [account]                when an account was registered',
  'HELP                          this text',
];

/** Whether `target` of a PRIVMSG/NOTICE names NickServ on a server that has it. */
export function isNickServ(req: Request, target: string): boolean {
  return req.server.store !== null && fold(target) === fold('NickServ');
}

/** One line from NickServ to the sender. */
function say(req: Request, text: string): void {
  req.line(req.server.reservations.source, 'NOTICE', [req.client.target, text]);
}

/** A line of text sent to NickServ: its first word is the command. */
export function nickserv(req: Request, text: string): void {
  const words = text.trim().split(/\s+/);
  const command = (words[0] ?? '').toUpperCase();
  const args = words.slice(1).filter((w) => w !== '');
  switch (command) {
    case 'REGISTER':
      if (args.length < 1) return say(req, 'Syntax: REGISTER <password> [email]');
      return registerAccount(req, req.user.nick, args[1] ?? null, args[0], {
        fail: (code, account, why) =>
          say(
            req,
            code === REGISTER_CODE.ACCOUNT_EXISTS ? `${account} is already registered` : why,
          ),
        success: (account, why) => say(req, `${why}: ${account}. You are logged in.`),
      });
    case 'IDENTIFY':
    case 'LOGIN': {
      if (args.length < 1) return say(req, 'Syntax: IDENTIFY [account] <password>');
      if (accountOf(req.client) !== null) {
        return say(req, `You are already logged in as ${accountOf(req.client)}`);
      }
      const account = args.length >= 2 ? args[0] : req.user.nick;
      const password = args.length >= 2 ? args[1] : args[0];
      return checkLogin(req, account, password, (r) => {
        if (r.ok) {
          logIn(req, r.name);
          return say(req, `You are now identified as ${r.name}`);
        }
        say(
          req,
          r.why === 'throttled'
            ? `Too many failed logins; try again in ${Math.ceil(r.waitMs / 1000)}s`
            : r.why === 'unavailable'
              ? 'Accounts are unavailable; try later'
              : 'Wrong account or password',
        );
      });
    }
    case 'LOGOUT':
      if (accountOf(req.client) === null) return say(req, 'You are not logged in');
      logOut(req);
      return say(req, 'You are now logged out');
    case 'INFO': {
      const name = args[0] ?? accountOf(req.client) ?? req.user.nick;
      return req.waitFor(
        req.server.store!.accounts.get(fold(name)),
        (rec) =>
          say(
            req,
            rec === null
              ? `${name} is not registered`
              : `${rec.name} was registered on ${new Date(rec.createdAt).toUTCString()}`,
          ),
        () => say(req, 'Accounts are unavailable; try later'),
      );
    }
    case 'HELP':
    case '':
      for (const line of HELP) say(req, line);
      return;
    default:
      say(req, `Unknown command ${command}; /msg NickServ HELP lists them`);
  }
}

export const nickservCommands: CommandSpec[] = serviceAliases(
  'NS',
  'NICKSERV',
  'Talk to NickServ (REGISTER, IDENTIFY, LOGOUT, INFO, HELP): the same as /msg NickServ.',
  nickserv,
);
