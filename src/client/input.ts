// What the user typed → an InputAction: the line grammar (/command via commands.ts, @nick shortcut, // and @@ escapes, plain lines). Pure; no I/O.
//
// Grammar (decisions are marked ▸):
//
//   <empty or whitespace only>   → none
//   text                         → say text to the current conversation
//   //text                       → say "/text" to the current conversation (escapes a leading /)
//   @target[,target...] text     → say text to the targets; the current conversation is unchanged
//   @@text                       → say "@text" to the current conversation (escapes a leading @)
//   /command [args]              → a command from COMMANDS (names, aliases: case-insensitive)
//
//   ▸ Leading whitespace does not stop "/" or "@" from being recognised ("  /quit" still quits),
//     so a mistyped command is never sent to a channel. Plain text is sent exactly as typed.
//   ▸ "@" alone or followed by whitespace ("@ 5pm?") is plain text: there is no target.
//   ▸ "@x" where x is not a plausible nick or channel ("@5pm", "@bob:") is an error that mentions
//     @@, not a guess: a line meant to be private must never go to a channel, nor the reverse.
//   ▸ "/" alone or followed by whitespace is an error (empty command), not text.
//   ▸ A line holding CR, LF or NUL is refused whole: those would end or split the IRC line.
//   ▸ In commands, arguments are separated by runs of whitespace; the trailing text argument
//     keeps its inner spacing, and trailing whitespace is dropped.

import { checkTargets, LEADING_SPACE, splitWord } from './words.js';
import {
  error,
  findCommand,
  NO_CONVERSATION,
  say,
  unknownCommand,
  usageError,
} from './commands.js';

export { COMMANDS, findCommand, helpLines, NO_CONVERSATION, type CommandSpec } from './commands.js';

export interface InputContext {
  /** The conversation on screen: a channel, a nick, or null when none is open. */
  current: string | null;
  /** Channel prefixes (ISUPPORT CHANTYPES). ▸ Default '#&', the RFC 2812 set. */
  chantypes?: string;
}

export type InputAction =
  | { kind: 'none' }
  | { kind: 'error'; message: string }
  /** PRIVMSG `text` to `target` (a comma-separated list), then switch to `switchTo` if set. */
  | { kind: 'say'; target: string; text: string; switchTo: string | null }
  /** CTCP ACTION to `target`. */
  | { kind: 'action'; target: string; text: string }
  /** Open (or switch to) a private conversation with `nick`. */
  | { kind: 'query'; nick: string }
  /** Switch to an open conversation; the caller checks that it exists. */
  | { kind: 'switch'; target: string }
  | { kind: 'join'; channels: string[]; keys: string[] }
  | { kind: 'part'; channel: string; reason: string | null }
  /** Close a conversation: part it when it is a channel, else just close the window. */
  | { kind: 'close'; target: string }
  | { kind: 'nick'; nick: string }
  | { kind: 'who'; mask: string }
  | { kind: 'names'; channel: string }
  /** LIST with its optional parameters passed through (channels or ELIST conditions). */
  | { kind: 'list'; args: string | null }
  /** `topic: null` asks for the topic; a (never empty) string sets it. Clearing is not offered. */
  | { kind: 'topic'; channel: string; topic: string | null }
  /** `message: null` marks us back (not away). */
  | { kind: 'away'; message: string | null }
  | { kind: 'whois'; nick: string }
  /** Register an account for our nick; `password: null`: ask for it without echo. */
  | { kind: 'register'; password: string | null }
  /** A raw IRC line, sent as is. */
  | { kind: 'quote'; line: string }
  /** Text to show locally; rendered from COMMANDS. */
  /** `hang`: the cell where each line's text goes on when it wraps (under its description). */
  | { kind: 'help'; lines: string[]; hang: number }
  | { kind: 'quit'; reason: string | null }
  | WindowAction;

/** Commands of the full-screen view (window-commands.ts), carried out by the view. */
export type WindowAction =
  /** `number: null` lists the windows. */
  | { kind: 'window'; number: number | null }
  /** `text: null` looks for the last search's next older match. */
  | { kind: 'find'; text: string | null }
  | { kind: 'nicklist' };

const DEFAULT_CHANTYPES = '#&';
const LINE_BREAK = /[\r\n\0]/;
const BLANK = /^\s*$/;
const AT_USAGE = 'Usage: @nick[,nick|#channel...] <text>';

/** Turn one line of user input into an action. */
export function parseInput(line: string, ctx: InputContext): InputAction {
  const full: Required<InputContext> = {
    current: ctx.current,
    chantypes: ctx.chantypes ?? DEFAULT_CHANTYPES,
  };
  if (LINE_BREAK.test(line)) {
    return error('Input holds a line break or NUL; send one line at a time');
  }
  if (BLANK.test(line)) return { kind: 'none' };

  const body = line.replace(LEADING_SPACE, '');
  if (body.startsWith('//')) return sayCurrent(body.slice(1), full);
  if (body.startsWith('/')) return runCommand(body.slice(1), full);
  if (body.startsWith('@@')) return sayCurrent(body.slice(1), full);
  if (body.startsWith('@') && body.length > 1 && !/\s/.test(body[1])) {
    return sayAt(body.slice(1).trimEnd(), full);
  }
  return sayCurrent(line, full);
}

function sayCurrent(text: string, ctx: Required<InputContext>): InputAction {
  return ctx.current === null ? error(NO_CONVERSATION) : say(ctx.current, text);
}

// @<target>{,<target>} <text>
function sayAt(rest: string, ctx: Required<InputContext>): InputAction {
  const [targets, text] = splitWord(rest);
  const bad = checkTargets(targets, ctx.chantypes);
  if (bad !== null) return error(`${bad} (start with @@ to send a line beginning with @)`);
  return text === '' ? error(AT_USAGE) : say(targets, text);
}

function runCommand(rest: string, ctx: Required<InputContext>): InputAction {
  if (rest === '' || /^\s/.test(rest)) {
    return error('Empty command — /help lists commands; //text sends a line starting with /');
  }
  const [name, args] = splitWord(rest.trimEnd());
  const spec = findCommand(name);
  if (spec === undefined) return unknownCommand(name);
  const words = args === '' ? 0 : args.split(/\s+/).length;
  if (words < spec.minArgs) return usageError(spec);
  const result = spec.parse(args, ctx);
  return result === 'usage' ? usageError(spec) : result;
}
