// `parley connect` options: flags, the HOST[:PORT] argument, the default nick, and --help.
import { isIPv4 } from 'node:net';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { isValidChannel, isValidNick } from '../protocol/index.js';
import { isChannel } from '../client/words.js';
import { CliError } from './errors.js';
import { parseDuration, parseInteger } from './units.js';

export interface ConnectSettings {
  host: string;
  port: number;
  tls: boolean;
  tlsInsecure: boolean;
  nick: string;
  realname: string;
  password: string | null;
  channel: string | null;
  plain: boolean;
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

/** Longest nick we suggest from the login name (servers commonly allow 30; RFC 2812 says 9). */
const DEFAULT_NICK_MAX = 16;
/** How long --discover listens by default. */
const DEFAULT_DISCOVER_MS = 3000;

export function connectHelp(): string {
  return `Usage: parley connect [HOST[:PORT]] [options]

Chat on a parley server (or any IRC server). Type a line to talk in the current
conversation (#lobby on parley); "@bob hi" writes to bob alone, "@bob,carol hi"
to both; /help lists the commands.

Options:
  -n, --nick NAME       your nickname [from your login name]
  -p, --port N          server port [6667, or 6697 with --tls]
      --tls             connect with TLS
      --tls-insecure    with --tls, accept a self-signed certificate
      --password SECRET server password (PASS)
  -c, --channel #NAME   join this channel and talk there
      --realname TEXT   the real name WHOIS shows [your nick]
      --plain           one line in, one line out, no colours (automatic when
                        stdin or stdout is not a terminal)
      --no-reconnect    exit when the connection drops instead of reconnecting
      --no-color        no colours in interactive mode
      --discover        find servers on the local network (mDNS, _irc._tcp), list
                        them and connect to the one picked (the first when not
                        in a terminal); replaces HOST[:PORT]
      --discover-time SECS
                        how long --discover listens at most [3]
      --discover-count N
                        with --discover, stop listening as soon as N servers
                        have answered [listen for all of --discover-time]
      --discover-interface ADDR
                        with --discover, browse only on the interface that has
                        this IPv4 address [every interface]
  -h, --help            show this help

Examples:
  parley connect                          # localhost:6667 as your login name
  parley connect chat.example.org --nick alice
  parley connect 192.168.1.20:7000 -n bob -c '#dev'
  parley connect --discover -n carol      # pick a server announced on the LAN
  printf 'hello\\n/quit\\n' | parley connect --nick bot --plain`;
}

export function loadConnectSettings(argv: string[], isTty: boolean): ConnectSettings {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        nick: { type: 'string', short: 'n' },
        port: { type: 'string', short: 'p' },
        tls: { type: 'boolean' },
        'tls-insecure': { type: 'boolean' },
        password: { type: 'string' },
        channel: { type: 'string', short: 'c' },
        realname: { type: 'string' },
        plain: { type: 'boolean' },
        'no-reconnect': { type: 'boolean' },
        'no-color': { type: 'boolean' },
        discover: { type: 'boolean' },
        'discover-time': { type: 'string' },
        'discover-interface': { type: 'string' },
        'discover-count': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]} (see parley connect --help)`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new CliError(
      `expected one HOST[:PORT], got '${positionals.join(' ')}' (see parley connect --help)`,
    );
  }
  const discover = values.discover === true;
  if (discover && positionals.length > 0) {
    throw new CliError(
      `--discover finds the server itself: drop '${positionals[0]}' (or drop --discover)`,
    );
  }
  if (discover && values.port !== undefined) {
    throw new CliError('--discover finds the port itself: drop --port (or drop --discover)');
  }
  for (const flag of ['discover-time', 'discover-interface', 'discover-count'] as const) {
    if (!discover && values[flag] !== undefined) throw new CliError(`--${flag} needs --discover`);
  }
  const discoverTime =
    values['discover-time'] === undefined
      ? DEFAULT_DISCOVER_MS
      : parseDuration('discover-time', values['discover-time'], 100);
  const discoverInterface = values['discover-interface'] ?? null;
  const discoverCount =
    values['discover-count'] === undefined
      ? null
      : parseInteger('discover-count', values['discover-count'], 1, 1000);
  if (discoverInterface !== null && !isIPv4(discoverInterface)) {
    throw new CliError(
      `--discover-interface: '${discoverInterface}' is not an IPv4 address (the interface's, like 192.168.1.20)`,
    );
  }
  const tls = values.tls === true;
  const target = parseHostPort(positionals[0] ?? 'localhost');
  const port =
    values.port !== undefined
      ? parseInteger('port', values.port, 1, 65535)
      : (target.port ?? (tls ? 6697 : 6667));
  const nick = values.nick ?? defaultNick();
  if (!isValidNick(nick, 64)) {
    throw new CliError(
      `--nick: '${nick}' is not a valid nickname (letters, digits, -[]\\\`^{|}_, not starting with a digit)`,
    );
  }
  const channel = values.channel === undefined ? null : withHash(values.channel);
  if (channel !== null && !isValidChannel(channel, 200)) {
    throw new CliError(`--channel: '${values.channel}' is not a channel name (like #dev)`);
  }
  return {
    host: target.host,
    port,
    tls,
    tlsInsecure: values['tls-insecure'] === true,
    nick,
    realname: values.realname ?? nick,
    password: values.password ?? null,
    channel,
    plain: values.plain === true || !isTty,
    reconnect: values['no-reconnect'] !== true,
    color: values['no-color'] !== true && process.env.NO_COLOR === undefined,
    discover,
    discoverTime,
    discoverInterface,
    discoverCount,
    help: values.help === true,
  };
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
