// What the built-in services (NickServ, ChanServ) share: their short and long command aliases.
import { ERR } from '../../protocol/index.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';

/**
 * `SHORT <command> …` and `LONG <command> …` (NS/NICKSERV, CS/CHANSERV): the same as a PRIVMSG
 * to the service, answered by `talk`; unknown commands on a server without a store.
 */
export function serviceAliases(
  short: string,
  long: string,
  help: string,
  talk: (req: Request, text: string) => void,
): CommandSpec[] {
  const handler = (req: Request): void => {
    if (req.server.store === null) {
      req.numeric(ERR.UNKNOWNCOMMAND, req.msg.command, 'Unknown command');
      return;
    }
    talk(req, req.params.join(' '));
  };
  return [
    { name: short, syntax: `${short} <command> [<arguments>]`, help, minParams: 0, handler },
    {
      name: long,
      syntax: `${long} <command> [<arguments>]`,
      help: `The same as ${short}.`,
      minParams: 0,
      handler,
    },
  ];
}
