// The command table: each command's handler, parameter count, registration need and help; one run() checks them.
import { ERR } from '../../protocol/index.js';
import type { Request } from './request.js';

export interface CommandSpec {
  readonly name: string;
  /** Syntax line shown by HELP, e.g. `JOIN <channel>{,<channel>} [<key>{,<key>}]`. */
  readonly syntax: string;
  /** One-sentence description shown by HELP. */
  readonly help: string;
  readonly minParams: number;
  /** Allowed before registration completes (NICK, USER, CAP, PASS, PING, PONG, QUIT). */
  readonly preRegistration?: boolean;
  readonly handler: (req: Request) => void;
}

export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();

  constructor(specs: Iterable<CommandSpec>) {
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error(`duplicate command ${spec.name}`);
      this.byName.set(spec.name, spec);
    }
  }

  get(name: string): CommandSpec | undefined {
    return this.byName.get(name);
  }

  all(): CommandSpec[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** How often each command was run (STATS m); the private-message fast path is not counted. */
  readonly counts = new Map<string, number>();

  /** The generic checks (421, 451, 461), then the handler. */
  run(req: Request): void {
    const command = req.msg.command;
    const spec = this.byName.get(command);
    if (spec !== undefined) this.counts.set(command, (this.counts.get(command) ?? 0) + 1);
    const registered = req.client.user !== null;
    if (spec === undefined) {
      if (!registered) req.numeric(ERR.NOTREGISTERED, 'You have not registered');
      else req.numeric(ERR.UNKNOWNCOMMAND, command, 'Unknown command');
      return;
    }
    if (!registered && spec.preRegistration !== true) {
      // NOTICE is never answered automatically (RFC 2812 3.3.2), not even before registration.
      if (command !== 'NOTICE') req.numeric(ERR.NOTREGISTERED, 'You have not registered');
      return;
    }
    if (req.params.length < spec.minParams) {
      req.numeric(ERR.NEEDMOREPARAMS, command, 'Not enough parameters');
      return;
    }
    spec.handler(req);
  }
}
