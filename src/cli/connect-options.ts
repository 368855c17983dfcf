// `parley connect` options: flags, the HOST[:PORT] argument, the default nick, and --help.
import { isIPv4 } from 'node:net';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { isValidChannel, isValidNick } from '../protocol/index.js';
import { defaultKnownHostsFile } from '../client/known-hosts.js';
import type { NotifyStyle } from '../client/notify.js';
import { isChannel } from '../client/words.js';
import { fileFlags } from './connect-config.js';
import { logDirOf, notifyStyleOf } from './connect-extras.js';
import { CliError } from './errors.js';
import { optionRows } from './help.js';
import { parseDuration, parseInteger } from './units.js';

export interface ConnectSettings {
  host: string;
  port: number;
  tls: boolean;
  tlsInsecure: boolean;
  /** Where pinned TLS certificates are kept (trust on first use). */
  knownHosts: string;
  nick: string;
  /** --alt-nicks: tried in order when the nick is taken. */
  altNicks: string[];
  realname: string;
  /** The server's connection password (PASS), from --server-password. */
  password: string | null;
  /** Where the account password comes from, or null: no login. Read by connect.ts. */
  login: PasswordSource | null;
  /** The account to log in as (--account, else the nick). */
  account: string;
  /** --sasl-required: a failed login ends the client with exit code 1. */
  saslRequired: boolean;
  /** Catch up with the server's history on each (re)connect (--no-history turns it off). */
  history: boolean;
  /** The channel to talk in (the first of --channel), or null. */
  channel: string | null;
  /** Every channel of --channel, to join on each (re)connect. */
  channels: string[];
  /** --highlight: words that count as mentions besides the nick. */
  highlight: string[];
  /** --log / --log-dir: the logs' folder (absolute), or null: no logs. */
  logDir: string | null;
  /** --notify / --notify-with: the terminal notification to send, or null: none. */
  notify: NotifyStyle | null;
  plain: boolean;
  /** --inline: messages into the terminal's own scrollback instead of full-screen windows. */
  inline: boolean;
  /** --nicklist: windows start with the channel's nick list shown. */
  nicklist: boolean;
  reconnect: boolean;
  color: boolean;
  /** Find the server with mDNS (`_irc._tcp`) instead of HOST[:PORT]. */
  discover: boolean;
  /** How long --discover listens, in milliseconds. */
  discoverTime: number;
  /** Browse only on the interface with this IPv4 address (null: every interface). */
  discoverInterface: string | null;
  /** Stop listening once this many servers are found (null: for all of discoverTime). */
  discoverCount: number | null;
  help: boolean;
}

/** The account password: asked at the terminal (--password), a file's first line, or PARLEY_PASSWORD. */
export type PasswordSource =
  { kind: 'ask' } | { kind: 'file'; path: string } | { kind: 'env'; value: string };

/** The environment variable that may hold the account password. */
export const PASSWORD_ENV = 'PARLEY_PASSWORD';

/** Longest nick we suggest from the login name (servers commonly allow 30; RFC 2812 says 9). */
const DEFAULT_NICK_MAX = 16;
/** How long --discover listens by default. */
const DEFAULT_DISCOVER_MS = 3000;

interface ConnectOption {
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

export function loadConnectSettings(
  argv: string[],
  isTty: boolean,
  env: NodeJS.ProcessEnv = process.env,
): ConnectSettings {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const o of CONNECT_OPTIONS) {
    options[o.flag] = { type: o.arg === undefined ? 'boolean' : 'string' };
    if (o.short !== undefined) options[o.flag].short = o.short;
  }
  const fromFile = fileFlags(argv, CONNECT_OPTIONS, env);
  const args = [...fromFile.args, ...argv];
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options, tokens: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]} (see parley connect --help)`);
  }
  // `--password s3cret` (the old PASS flag) must not make the secret the HOST: refuse it, without
  // repeating the word (it may be a password).
  const ask = parsed.tokens.find(
    (t) => t.kind === 'option' && t.name === 'password' && t.index >= fromFile.args.length,
  );
  if (
    ask !== undefined &&
    parsed.tokens.some((t) => t.kind === 'positional' && t.index === ask.index + 1)
  ) {
    throw new CliError(
      '--password takes no value: it asks for the account password (put HOST before it; the server password is --server-password)',
    );
  }
  const { values, positionals } = parsed;
  // The table types every option as either kind; these read one as what the table made it.
  const text = (flag: string) => (typeof values[flag] === 'string' ? values[flag] : undefined);
  const on = (flag: string) => values[flag] === true;
  if (positionals.length > 1) {
    throw new CliError(
      `expected one HOST[:PORT], got '${positionals.join(' ')}' (see parley connect --help)`,
    );
  }
  const discover = on('discover');
  if (discover && positionals.length > 0) {
    throw new CliError(
      `--discover finds the server itself: drop '${positionals[0]}' (or drop --discover)`,
    );
  }
  if (discover && text('port') !== undefined) {
    throw new CliError('--discover finds the port itself: drop --port (or drop --discover)');
  }
  for (const flag of ['discover-time', 'discover-interface', 'discover-count'] as const) {
    if (!discover && text(flag) !== undefined) throw new CliError(`--${flag} needs --discover`);
  }
  const discoverTimeRaw = text('discover-time');
  const discoverTime =
    discoverTimeRaw === undefined
      ? DEFAULT_DISCOVER_MS
      : parseDuration('discover-time', discoverTimeRaw, 100);
  const discoverInterface = text('discover-interface') ?? null;
  const discoverCountRaw = text('discover-count');
  const discoverCount =
    discoverCountRaw === undefined
      ? null
      : parseInteger('discover-count', discoverCountRaw, 1, 1000);
  if (discoverInterface !== null && !isIPv4(discoverInterface)) {
    throw new CliError(
      `--discover-interface: '${discoverInterface}' is not an IPv4 address (the interface's, like 192.168.1.20)`,
    );
  }
  const tls = on('tls');
  const target = parseHostPort(positionals[0] ?? fromFile.server ?? 'localhost');
  const portRaw = text('port');
  const port =
    portRaw !== undefined
      ? parseInteger('port', portRaw, 1, 65535)
      : (target.port ?? (tls ? 6697 : 6667));
  const nick = text('nick') ?? defaultNick();
  if (!isValidNick(nick, 64)) {
    throw new CliError(
      `--nick: '${nick}' is not a valid nickname (letters, digits, -[]\\\`^{|}_, not starting with a digit)`,
    );
  }
  const altNicks = commaList(text('alt-nicks'));
  for (const alt of altNicks) {
    if (!isValidNick(alt, 64)) throw new CliError(`--alt-nicks: '${alt}' is not a valid nickname`);
  }
  const login = passwordSource(text('password-file'), on('password'), isTty, env);
  const accountRaw = text('account');
  if (accountRaw !== undefined && login === null) {
    throw new CliError(
      `--account needs a password: --password, --password-file FILE or ${PASSWORD_ENV}`,
    );
  }
  if (accountRaw !== undefined && !/^[^\s\0\r\n:]+$/.test(accountRaw)) {
    throw new CliError(`--account: not an account name (one word, no ':')`);
  }
  if (on('sasl-required') && login === null) {
    throw new CliError(
      `--sasl-required needs a password: --password, --password-file FILE or ${PASSWORD_ENV}`,
    );
  }
  const channels = commaList(text('channel')).map(withHash);
  for (const name of channels) {
    if (!isValidChannel(name, 200)) {
      throw new CliError(`--channel: '${name}' is not a channel name (like #dev)`);
    }
  }
  const channel = channels[0] ?? null;
  return {
    host: target.host,
    port,
    tls,
    tlsInsecure: on('tls-insecure'),
    knownHosts: text('known-hosts') ?? defaultKnownHostsFile(),
    nick,
    altNicks,
    realname: text('realname') ?? nick,
    password: text('server-password') ?? null,
    login,
    account: accountRaw ?? nick,
    saslRequired: on('sasl-required'),
    history: !on('no-history'),
    channel,
    channels,
    highlight: commaList(text('highlight')),
    logDir: logDirOf(text('log-dir'), on('log'), env),
    notify: notifyStyleOf(text('notify-with'), on('notify'), env),
    plain: on('plain') || !isTty,
    inline: on('inline'),
    nicklist: on('nicklist'),
    reconnect: !on('no-reconnect'),
    // https://no-color.org: NO_COLOR set to anything but the empty string turns colours off.
    color: !on('no-color') && (process.env.NO_COLOR ?? '') === '',
    discover,
    discoverTime,
    discoverInterface,
    discoverCount,
    help: on('help'),
  };
}

/** --password-file, then --password (at a terminal only), then PARLEY_PASSWORD; null: no login. */
function passwordSource(
  file: string | undefined,
  ask: boolean,
  isTty: boolean,
  env: NodeJS.ProcessEnv,
): PasswordSource | null {
  if (file !== undefined && ask) {
    throw new CliError('--password and --password-file: give one of them');
  }
  if (file !== undefined) {
    if (file === '') throw new CliError('--password-file: empty file name');
    return { kind: 'file', path: file };
  }
  if (ask) {
    if (!isTty) {
      throw new CliError(
        `--password asks at a terminal and there is none: use --password-file FILE or ${PASSWORD_ENV}`,
      );
    }
    return { kind: 'ask' };
  }
  const value = env[PASSWORD_ENV];
  return value === undefined || value === '' ? null : { kind: 'env', value };
}

/** `host`, `host:port`, `[v6]:port`, or a bare IPv6 address. */
export function parseHostPort(arg: string): { host: string; port: number | null } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(arg);
  if (bracket) return { host: bracket[1], port: bracket[2] ? portOf(bracket[2]) : null };
  const colons = arg.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = arg.split(':');
    if (host === '') throw new CliError(`'${arg}': missing host before the port`);
    return { host, port: portOf(port) };
  }
  if (arg === '') throw new CliError('empty HOST (see parley connect --help)');
  return { host: arg, port: null };
}

function portOf(raw: string): number {
  return parseInteger('port', raw, 1, 65535);
}

/** `a, b,c` as ['a', 'b', 'c']; absent or empty: []. */
function commaList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
}

function withHash(name: string): string {
  return isChannel(name, '#&') ? name : `#${name}`;
}

/** The login name made into a valid nick: `j.doe` -> `j_doe`, `123` -> `u123`. */
export function defaultNick(): string {
  let login = 'guest';
  try {
    login = userInfo().username || login;
  } catch {
    // no passwd entry (containers): keep the fallback
  }
  let nick = login.replace(/[^A-Za-z0-9\-[\]\\`^{|}_]/g, '_').slice(0, DEFAULT_NICK_MAX);
  if (!/^[A-Za-z[\]\\`^{|}_]/.test(nick)) nick = ('u' + nick).slice(0, DEFAULT_NICK_MAX);
  return nick;
}
