// The slash-command table: each command's name, aliases, usage, help line and argument parser; lookup and /help text. Pure.

import { stripControls } from '../protocol/sanitize.js';
import type { InputAction, InputContext } from './input.js';
import {
  checkTargets,
  isChannel,
  isPlausibleChannel,
  isPlausibleNick,
  splitWord,
} from './words.js';
import { WINDOW_COMMANDS } from './window-commands.js';

/** A command handler's answer: an action, or 'usage' for the dispatcher to show the usage line. */
type HandlerResult = InputAction | 'usage';

export interface CommandSpec {
  /** Canonical name, lower case, without the slash. */
  readonly name: string;
  /** Other names, lower case, without the slash. */
  readonly aliases: readonly string[];
  /** The syntax line shown on a usage error and by /help. */
  readonly usage: string;
  /** One line for /help. */
  readonly help: string;
  /** Words that must be present; fewer gets the usage line (checked before `parse`, like 461). */
  readonly minArgs: number;
  /** `args` is everything after the name, trimmed at both ends. */
  readonly parse: (args: string, ctx: Required<InputContext>) => HandlerResult;
}

export const NO_CONVERSATION = 'No conversation: /join #channel or /query nick first';

export function error(message: string): InputAction {
  return { kind: 'error', message };
}

function currentChannel(ctx: Required<InputContext>): string | null {
  return ctx.current !== null && isChannel(ctx.current, ctx.chantypes) ? ctx.current : null;
}

export function say(target: string, text: string, switchTo: string | null = null): InputAction {
  return { kind: 'say', target, text, switchTo };
}

/** Arguments with one word only; a second word gets the usage line. */
function oneWord(args: string): string | 'usage' {
  const [first, rest] = splitWord(args);
  return rest === '' ? first : 'usage';
}

// The one command table: the parser dispatches through it, /help renders it, Tab completes from it.
export const COMMANDS: readonly CommandSpec[] = [
  {
    // /msg <target>{,<target>} <text>
    name: 'msg',
    aliases: ['m'],
    usage: '/msg <target>[,...] <text>',
    help: 'Send to nicks or channels without switching conversation (like @nick text)',
    minArgs: 2,
    parse(args, ctx) {
      const [targets, text] = splitWord(args);
      const bad = checkTargets(targets, ctx.chantypes);
      return bad !== null ? error(bad) : say(targets, text);
    },
  },
  {
    // /query <nick> [<text>]
    name: 'query',
    aliases: ['q'],
    usage: '/query <nick> [text]',
    help: 'Open a private conversation and switch to it; text is sent too',
    minArgs: 1,
    parse(args, ctx) {
      const [nick, text] = splitWord(args);
      if (isChannel(nick, ctx.chantypes)) {
        return error(`/query takes a nick; use /join ${nick} or /switch ${nick}`);
      }
      if (!isPlausibleNick(nick, ctx.chantypes))
        return error(`Not a nick: "${stripControls(nick)}"`);
      return text === '' ? { kind: 'query', nick } : say(nick, text, nick);
    },
  },
  {
    // /switch <name>
    name: 'switch',
    aliases: ['sw'],
    usage: '/switch <#channel|nick>',
    help: 'Switch to an open conversation',
    minArgs: 1,
    parse(args) {
      const target = oneWord(args);
      return target === 'usage' ? target : { kind: 'switch', target };
    },
  },
  {
    // /join <channel>{,<channel>} [<key>{,<key>}]   ▸ a missing prefix becomes '#' (dev → #dev)
    name: 'join',
    aliases: ['j'],
    usage: '/join <#chan>[,...] [key[,...]]',
    help: 'Join channels and switch to the last at once ("#" is added when missing: /join dev joins #dev)',
    minArgs: 1,
    parse(args, ctx) {
      const [list, rest] = splitWord(args);
      const [keyList, extra] = splitWord(rest);
      if (extra !== '') return 'usage';
      const channels: string[] = [];
      for (const piece of list.split(',')) {
        const name = isChannel(piece, ctx.chantypes) || piece === '' ? piece : `#${piece}`;
        if (!isPlausibleChannel(name, ctx.chantypes)) {
          return error(`Not a channel name: "${stripControls(name)}"`);
        }
        channels.push(name);
      }
      return { kind: 'join', channels, keys: keyList === '' ? [] : keyList.split(',') };
    },
  },
  {
    // /part [<channel>{,<channel>}] [<reason>]   ▸ without a channel: the current one
    name: 'part',
    aliases: ['leave'],
    usage: '/part [#channel] [reason]',
    help: 'Leave a channel (default: the current one)',
    minArgs: 0,
    parse(args, ctx) {
      const [first, rest] = splitWord(args);
      if (isChannel(first, ctx.chantypes)) {
        return { kind: 'part', channel: first, reason: rest === '' ? null : rest };
      }
      const channel = currentChannel(ctx);
      if (channel === null) return 'usage';
      return { kind: 'part', channel, reason: args === '' ? null : args };
    },
  },
  {
    // /close [<name>]
    name: 'close',
    aliases: ['wc'],
    usage: '/close [#channel|nick]',
    help: 'Close a conversation, parting it if a channel (default: the current one)',
    minArgs: 0,
    parse(args, ctx) {
      if (args === '') {
        return ctx.current === null
          ? error(NO_CONVERSATION)
          : { kind: 'close', target: ctx.current };
      }
      const target = oneWord(args);
      return target === 'usage' ? target : { kind: 'close', target };
    },
  },
  {
    // /me <action>
    name: 'me',
    aliases: [],
    usage: '/me <action>',
    help: 'Send an action to the current conversation (shown as "* you waves")',
    minArgs: 1,
    parse(args, ctx) {
      if (ctx.current === null) return error(NO_CONVERSATION);
      return { kind: 'action', target: ctx.current, text: args };
    },
  },
  {
    // /nick <newnick>
    name: 'nick',
    aliases: [],
    usage: '/nick <newnick>',
    help: 'Change your nick',
    minArgs: 1,
    parse(args, ctx) {
      const nick = oneWord(args);
      if (nick === 'usage') return nick;
      if (!isPlausibleNick(nick, ctx.chantypes))
        return error(`Not a nick: "${stripControls(nick)}"`);
      return { kind: 'nick', nick };
    },
  },
  {
    // /who [<mask>]   ▸ without a mask: the current channel (the brief had <mask> required)
    name: 'who',
    aliases: [],
    usage: '/who [mask]',
    help: 'List users matching a mask (default: the current channel)',
    minArgs: 0,
    parse(args, ctx) {
      if (args === '') {
        const channel = currentChannel(ctx);
        return channel === null ? 'usage' : { kind: 'who', mask: channel };
      }
      const mask = oneWord(args);
      return mask === 'usage' ? mask : { kind: 'who', mask };
    },
  },
  {
    // /names [<channel>]   ▸ without a channel: the current one (never the whole network)
    name: 'names',
    aliases: [],
    usage: '/names [#channel]',
    help: 'List the nicks in a channel (default: the current one)',
    minArgs: 0,
    parse(args, ctx) {
      if (args === '') {
        const channel = currentChannel(ctx);
        return channel === null ? 'usage' : { kind: 'names', channel };
      }
      const channel = oneWord(args);
      return channel === 'usage' ? channel : { kind: 'names', channel };
    },
  },
  {
    // /list [<parameters>]
    name: 'list',
    aliases: [],
    usage: '/list [#channel,...]',
    help: 'List channels on the server',
    minArgs: 0,
    parse(args) {
      return { kind: 'list', args: args === '' ? null : args };
    },
  },
  {
    // /topic [<channel>] [<new topic>]
    //   no args → show the current channel's topic; first word a channel → that channel;
    //   otherwise, in a channel, the whole text is the new topic of the current channel.
    name: 'topic',
    aliases: ['t'],
    usage: '/topic [#chan] [new topic]',
    help: 'Show a channel topic, or set it when text follows',
    minArgs: 0,
    parse(args, ctx) {
      const [first, rest] = splitWord(args);
      if (isChannel(first, ctx.chantypes)) {
        return { kind: 'topic', channel: first, topic: rest === '' ? null : rest };
      }
      const channel = currentChannel(ctx);
      if (channel === null) return 'usage';
      return { kind: 'topic', channel, topic: args === '' ? null : args };
    },
  },
  {
    // /away [<message>]   ▸ without a message: back, as in irssi and WeeChat
    name: 'away',
    aliases: [],
    usage: '/away [message]',
    help: 'Mark yourself away with a message; without one, mark yourself back',
    minArgs: 0,
    parse(args) {
      return { kind: 'away', message: args === '' ? null : args };
    },
  },
  {
    // /back
    name: 'back',
    aliases: [],
    usage: '/back',
    help: 'Mark yourself back (no longer away)',
    minArgs: 0,
    parse(args) {
      return args === '' ? { kind: 'away', message: null } : 'usage';
    },
  },
  {
    // /whois <nick>
    name: 'whois',
    aliases: ['wi'],
    usage: '/whois <nick>',
    help: 'Show who a user is',
    minArgs: 1,
    parse(args) {
      const nick = oneWord(args);
      return nick === 'usage' ? nick : { kind: 'whois', nick };
    },
  },
  {
    // /register [<password>]   ▸ without one: asked without echo at a terminal
    name: 'register',
    aliases: [],
    usage: '/register [password]',
    help: 'Register your nick as an account (REGISTER, or NickServ); asks for the password when left out',
    minArgs: 0,
    parse(args) {
      return { kind: 'register', password: args === '' ? null : args };
    },
  },
  {
    // /quote <raw line>
    name: 'quote',
    aliases: ['raw'],
    usage: '/quote <raw IRC line>',
    help: 'Send a raw IRC line to the server',
    minArgs: 1,
    parse(args) {
      return { kind: 'quote', line: args };
    },
  },
  {
    // /help [<command>]
    name: 'help',
    aliases: [],
    usage: '/help [command]',
    help: 'List commands, or explain one',
    minArgs: 0,
    parse(args) {
      if (args === '') return { kind: 'help', lines: helpLines(), hang: 2 + helpWidth() + 2 };
      const name = oneWord(args);
      if (name === 'usage') return name;
      const spec = findCommand(name);
      if (spec === undefined) return unknownCommand(name);
      return { kind: 'help', lines: helpLines(spec), hang: 2 };
    },
  },
  {
    // /quit [<reason>]
    name: 'quit',
    aliases: ['exit'],
    usage: '/quit [reason]',
    help: 'Disconnect and leave parley',
    minArgs: 0,
    parse(args) {
      return { kind: 'quit', reason: args === '' ? null : args };
    },
  },
  ...WINDOW_COMMANDS,
];

const BY_NAME: ReadonlyMap<string, CommandSpec> = new Map(
  COMMANDS.flatMap((spec) => [spec.name, ...spec.aliases].map((n) => [n, spec] as const)),
);

/** The command called `name` or one of its aliases; case-insensitive, with or without the slash. */
export function findCommand(name: string): CommandSpec | undefined {
  return BY_NAME.get((name.startsWith('/') ? name.slice(1) : name).toLowerCase());
}

export function unknownCommand(name: string): InputAction {
  const shown = stripControls(name.startsWith('/') ? name : `/${name}`);
  return error(`Unknown command ${shown} — /help lists commands`);
}

export function usageError(spec: CommandSpec): InputAction {
  return error(`Usage: ${spec.usage}`);
}

const HELP_COLUMN = 32;

function helpRows(): [string, string][] {
  const also = (c: CommandSpec): string =>
    c.aliases.length === 0 ? '' : ` (also ${c.aliases.map((a) => `/${a}`).join(', ')})`;
  return [
    ...COMMANDS.map((c): [string, string] => [c.usage, c.help + also(c)]),
    ['@nick[,...] <text>', 'Send privately without switching conversation'],
    ['//text, @@text', 'Send a line that starts with / or @'],
  ];
}

/** The usage column's width: aligned, but not past HELP_COLUMN (a long usage pushes its help along). */
function helpWidth(): number {
  return Math.min(HELP_COLUMN, Math.max(...helpRows().map(([u]) => u.length)));
}

/** Lines for /help: the whole table, or one command with its aliases. */
export function helpLines(spec?: CommandSpec): string[] {
  if (spec !== undefined) {
    const lines = [spec.usage, `  ${spec.help}`];
    if (spec.aliases.length > 0) {
      lines.push(`  Also: ${spec.aliases.map((a) => `/${a}`).join(', ')}`);
    }
    return lines;
  }
  const width = helpWidth();
  return [
    'Commands (/help <command> for more):',
    ...helpRows().map(([u, h]) => `  ${u.padEnd(width)}  ${h}`),
  ];
}
