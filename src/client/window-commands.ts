// The full-screen view's commands (/window, /find, /nicklist): their table entries; the view carries them out. Pure.
import type { CommandSpec } from './commands.js';

export const WINDOW_COMMANDS: readonly CommandSpec[] = [
  {
    // /window [<number>]   ▸ without a number: list the windows
    name: 'window',
    aliases: ['win'],
    usage: '/window [number]',
    help: 'Show window N (1 is the server window; Alt-1..9 too), or list the windows',
    minArgs: 0,
    parse(args) {
      if (args === '') return { kind: 'window', number: null };
      if (!/^\d{1,4}$/.test(args)) return 'usage';
      return { kind: 'window', number: Number(args) };
    },
  },
  {
    // /find [<text>]   ▸ without text: the next older match of the last search (Ctrl-R too)
    name: 'find',
    aliases: [],
    usage: '/find [text]',
    help: 'Scroll the window to the last line holding text and highlight it; again for older ones',
    minArgs: 0,
    parse(args) {
      return { kind: 'find', text: args === '' ? null : args };
    },
  },
  {
    // /nicklist
    name: 'nicklist',
    aliases: [],
    usage: '/nicklist',
    help: "Show or hide the channel's nick list at the right (when the terminal is wide enough)",
    minArgs: 0,
    parse(args) {
      return args === '' ? { kind: 'nicklist' } : 'usage';
    },
  },
];
