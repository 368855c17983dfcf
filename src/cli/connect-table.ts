// `parley connect`'s option table: each flag with its argument, help and shown default, and the --help text made from it.
import { optionRows } from './help.js';

/** The environment variable that may hold the account password. */
export const PASSWORD_ENV = 'PARLEY_PASSWORD';

/** How long --discover listens by default. */
export const DEFAULT_DISCOVER_MS = 3000;

export interface ConnectOption {
  flag: string;
  short?: string;
  /** The value's name (`NAME`, `N`); absent for a switch. */
  arg?: string;
  help: string;
  /** The default as --help shows it, if worth showing. */
  shown?: string;
}

/** Every `parley connect` flag: parsed from here, and --help is made from here. */
export const CONNECT_OPTIONS: readonly ConnectOption[] = [
  { flag: 'nick', short: 'n', arg: 'NAME', help: 'your nickname', shown: 'from your login name' },
  {
    flag: 'alt-nicks',
    arg: 'NAMES',
    help: 'comma-separated nicks to try in order when yours is taken',
    shown: 'NICK_, NICK__, then NICK with digits',
  },
  { flag: 'port', short: 'p', arg: 'N', help: 'server port', shown: '6667, or 6697 with --tls' },
  { flag: 'tls', help: 'connect with TLS' },
  {
    flag: 'tls-insecure',
    help: 'with --tls, accept any certificate without checking or pinning it',
  },
  {
    flag: 'known-hosts',
    arg: 'FILE',
    help: 'with --tls, where certificates trusted on first use are pinned (host:port fingerprint)',
    shown: '$XDG_CONFIG_HOME/parley/known_hosts or ~/.config/parley/known_hosts',
  },
  {
    flag: 'password',
    help: `log in (SASL): ask for the account password without echo (or set ${PASSWORD_ENV}, or --password-file)`,
  },
  {
    flag: 'password-file',
    arg: 'FILE',
    help: "log in (SASL) with the password on this file's first line",
  },
  { flag: 'account', arg: 'NAME', help: 'the account to log in as', shown: 'your nick' },
  {
    flag: 'sasl-required',
    help: 'exit (code 1) when the login fails instead of chatting without it',
  },
  { flag: 'server-password', arg: 'SECRET', help: 'the server connection password (PASS)' },
  { flag: 'no-history', help: "don't fetch missed messages from the server's history" },
  {
    flag: 'channel',
    short: 'c',
    arg: '#NAME[,...]',
    help: 'join these channels and talk in the first',
  },
  {
    flag: 'highlight',
    arg: 'WORDS',
    help: 'comma-separated words that ring like your nick when said in a channel',
  },
  {
    flag: 'log',
    help: 'keep a log of each conversation on disk (plain text, one file per channel or person)',
    shown: '$XDG_DATA_HOME/parley/logs or ~/.local/share/parley/logs',
  },
  { flag: 'log-dir', arg: 'DIR', help: 'keep the logs in this folder (implies --log)' },
  {
    flag: 'notify',
    help: 'a desktop notification through the terminal (OSC 9 or 777) when the bell rings: a mention or private message; not with --plain',
  },
  {
    flag: 'notify-with',
    arg: 'KIND',
    help: 'auto, osc9, osc777 or both: the escape sequence --notify sends (implies --notify); in tmux it needs allow-passthrough on',
    shown: 'auto: osc777 in rxvt-unicode, foot and VTE, else osc9',
  },
  { flag: 'realname', arg: 'TEXT', help: 'the real name WHOIS shows', shown: 'your nick' },
  {
    flag: 'plain',
    help: 'one line in, one line out, no colours (automatic when stdin or stdout is not a terminal)',
  },
  {
    flag: 'inline',
    help: "no full-screen windows: messages go into the terminal's own scrollback, every conversation together, with the status and input lines below",
  },
  {
    flag: 'nicklist',
    help: 'show the nick list at the right of channel windows (when 80 columns or more; /nicklist toggles it)',
  },
  { flag: 'no-reconnect', help: 'exit when the connection drops instead of reconnecting' },
  {
    flag: 'no-color',
    help: 'no colours in interactive mode (as when the NO_COLOR environment variable is set and not empty)',
  },
  {
    flag: 'discover',
    help: 'find servers on the local network (mDNS, _irc._tcp), list them and connect to the one picked (the first when not in a terminal); replaces HOST[:PORT]',
  },
  {
    flag: 'discover-time',
    arg: 'SECS',
    help: 'how long --discover listens at most',
    shown: String(DEFAULT_DISCOVER_MS / 1000),
  },
  {
    flag: 'discover-count',
    arg: 'N',
    help: 'with --discover, stop listening as soon as N servers have answered',
    shown: 'listen for all of --discover-time',
  },
  {
    flag: 'discover-interface',
    arg: 'ADDR',
    help: 'with --discover, browse only on the interface that has this IPv4 address',
    shown: 'every interface',
  },
  {
    flag: 'config',
    arg: 'FILE',
    help: 'read flags from this YAML file (keys are flag names, plus server: HOST[:PORT]); flags given here win',
    shown: '$XDG_CONFIG_HOME/parley/client.yaml or ~/.config/parley/client.yaml, if there',
  },
  { flag: 'no-config', help: "don't read the config file" },
  { flag: 'help', short: 'h', help: 'show this help' },
];

export function connectHelp(): string {
  const rows = CONNECT_OPTIONS.map((o) => ({
    left: `  ${o.short ? `-${o.short},` : '   '} --${o.flag}${o.arg ? ` ${o.arg}` : ''}`,
    text: o.shown === undefined ? o.help : `${o.help} [${o.shown}]`,
  }));
  return [
    'Usage: parley connect [HOST[:PORT]] [options]',
    '',
    'Chat on a parley server (or any IRC server). Type a line to talk in the current',
    'conversation (#lobby on parley); "@bob hi" writes to bob alone, "@bob,carol hi"',
    'to both; /help lists the commands.',
    '',
    'Options:',
    ...optionRows(rows, 24),
    '',
    'Examples:',
    '  parley connect                          # localhost:6667 as your login name',
    '  parley connect chat.example.org --nick alice',
    "  parley connect 192.168.1.20:7000 -n bob -c '#dev'",
    '  parley connect chat.example.org --inline # no windows: lines into the scrollback',
    '  parley connect --discover -n carol      # pick a server announced on the LAN',
    "  printf 'hello\\n/quit\\n' | parley connect --nick bot --plain",
    '  parley connect chat.example.org --tls -n alice --password   # log in as alice',
  ].join('\n');
}
