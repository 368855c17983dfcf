// `parley connect` settings: the flags (connect-table.ts) and config file parsed and checked, the HOST[:PORT] argument, the default nick.
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
import { CONNECT_OPTIONS, DEFAULT_DISCOVER_MS, PASSWORD_ENV } from './connect-table.js';
import { parseDuration, parseInteger } from './units.js';

export { PASSWORD_ENV } from './connect-table.js';

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

/** Longest nick we suggest from the login name (servers commonly allow 30; RFC 2812 says 9). */
const DEFAULT_NICK_MAX = 16;

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
