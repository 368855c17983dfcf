// `parley serve`'s option table: each flag (and config key) with its argument, default, help and check.
import { DEFAULTS, type ServerConfig } from '../server/config.js';
import type { ChatFormat } from '../server/chatlog.js';
import { readMotd } from './files.js';
import { STORE_OPTIONS } from './serve-store-table.js';
import { parseStsDuration, type TlsDraft } from './tls-options.js';
import {
  checkChannel,
  checkInstanceName,
  checkLine,
  checkToken,
  parseBytes,
  parseDuration,
  parseInteger,
  parseOnOff,
  pick,
} from './units.js';

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface ServeSettings {
  config: ServerConfig;
  logFormat: ChatFormat;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  configFile: string | null;
  /** Announce the server on the local network with mDNS/DNS-SD (`_irc._tcp`). */
  advertise: boolean;
  /** The DNS-SD instance name; null: the server name. */
  advertiseName: string | null;
  /** Where accounts and history are kept: a file, `:memory:`, or `off`. */
  db: string;
  /** fsync every commit of the store. */
  dbFsync: boolean;
  /** The Unix socket `parley account add` talks to; null: none. */
  adminSocket: string | null;
  /** The Redis this server shares the network through (--cluster); null: alone. */
  cluster: string | null;
  /** This server's id in the cluster; null: HOSTNAME-PORT. */
  nodeId: string | null;
  /** Processes serving the port together (--workers; 1: this one alone). */
  workers: number;
}

export interface Option {
  flag: string;
  arg: string;
  help: string;
  /** The default as shown in --help. */
  shown: string;
  /** A file name: in a config file it is relative to the file's folder, as people expect. */
  path?: true;
  apply(s: Mutable<ServerConfig> & Extra, raw: string): void;
}

export interface Extra extends TlsDraft {
  logFormat: ChatFormat;
  logLevel: ServeSettings['logLevel'];
  floodOn: boolean;
  floodBurst: number;
  floodRate: number;
  advertise: boolean;
  advertiseName: string | null;
  db: string;
  dbFsync: boolean;
  adminSocket: string | null;
  cluster: string | null;
  nodeId: string | null;
  workers: number;
}

const D = DEFAULTS;
const secs = (ms: number) => `${ms / 1000}s`;

export const SERVE_OPTIONS: Option[] = [
  {
    flag: 'host',
    arg: 'ADDR',
    shown: D.host,
    help: 'address to listen on (:: is every IPv6 and IPv4 address)',
    apply: (s, v) => (s.host = v),
  },
  {
    flag: 'port',
    arg: 'N',
    shown: String(D.port),
    help: 'TCP port to listen on (0 picks a free one)',
    apply: (s, v) => (s.port = parseInteger('port', v, 0, 65535)),
  },
  {
    flag: 'websocket-port',
    arg: 'N',
    shown: 'none',
    help: 'also take IRC over WebSocket (IRCv3, for web clients) on this port',
    apply: (s, v) =>
      (s.websocketPort =
        v === '' || v === 'none' ? null : parseInteger('websocket-port', v, 0, 65535)),
  },
  {
    flag: 'tls-port',
    arg: 'N',
    shown: '6697 with --tls-cert',
    help: 'also take IRC over TLS on this port, beside the plain one',
    apply: (s, v) => (s.tlsPort = v === '' ? null : parseInteger('tls-port', v, 0, 65535)),
  },
  {
    flag: 'tls-cert',
    arg: 'FILE',
    shown: 'none',
    help: 'TLS certificate (chain), PEM; re-read on SIGHUP (parley cert makes one)',
    path: true,
    apply: (s, v) => (s.tlsCertFile = v === '' ? null : v),
  },
  {
    flag: 'tls-key',
    arg: 'FILE',
    shown: 'none',
    help: "the certificate's private key, PEM; re-read on SIGHUP",
    path: true,
    apply: (s, v) => (s.tlsKeyFile = v === '' ? null : v),
  },
  {
    flag: 'sts-duration',
    arg: 'SECS',
    shown: '30d',
    help: "with TLS, how long IRC clients should insist on it (IRCv3 STS); 0 makes them forget, 'off' advertises nothing",
    apply: (s, v) => (s.stsDuration = parseStsDuration(v)),
  },
  {
    flag: 'name',
    arg: 'NAME',
    shown: D.name,
    help: 'server name shown to clients',
    apply: (s, v) => (s.name = checkToken('name', v)),
  },
  {
    flag: 'network',
    arg: 'NAME',
    shown: D.network,
    help: 'network name (NETWORK token)',
    apply: (s, v) => (s.network = checkToken('network', v)),
  },
  {
    flag: 'description',
    arg: 'TEXT',
    shown: "'<network> chat server'",
    help: 'one line about the server, shown by WHOIS and LINKS',
    apply: (s, v) => (s.description = checkLine('description', v)),
  },
  {
    flag: 'services-name',
    arg: 'NAME',
    shown: 'services.<name>',
    help: 'where NickServ and ChanServ appear from: their host, and the services server LINKS shows',
    apply: (s, v) => (s.servicesName = v === '' ? '' : checkToken('services-name', v)),
  },
  {
    flag: 'password',
    arg: 'SECRET',
    shown: 'none',
    help: 'require this connection password (PASS)',
    apply: (s, v) => (s.password = v === '' ? null : v),
  },
  {
    flag: 'motd',
    arg: 'FILE',
    shown: 'built in',
    help: 'message of the day, read from FILE',
    path: true,
    apply: (s, v) => (s.motd = readMotd(v)),
  },
  {
    flag: 'default-channel',
    arg: '#NAME',
    shown: D.defaultChannel,
    help: "channel everyone joins on arrival ('' for none)",
    apply: (s, v) => (s.defaultChannel = checkChannel(v)),
  },
  {
    flag: 'max-clients',
    arg: 'N',
    shown: String(D.maxClients),
    help: 'connections in total; the next is refused (server full)',
    apply: (s, v) => (s.maxClients = parseInteger('max-clients', v, 1, 1_000_000)),
  },
  {
    flag: 'max-per-ip',
    arg: 'N',
    shown: String(D.maxPerIp),
    help: 'connections from one address',
    apply: (s, v) => (s.maxPerIp = parseInteger('max-per-ip', v, 1, 1_000_000)),
  },
  {
    flag: 'nick-len',
    arg: 'N',
    shown: String(D.nickLen),
    help: 'longest nickname (NICKLEN)',
    apply: (s, v) => (s.nickLen = parseInteger('nick-len', v, 9, 64)),
  },
  {
    flag: 'channel-len',
    arg: 'N',
    shown: String(D.channelLen),
    help: 'longest channel name (CHANNELLEN)',
    apply: (s, v) => (s.channelLen = parseInteger('channel-len', v, 2, 200)),
  },
  {
    flag: 'topic-len',
    arg: 'N',
    shown: String(D.topicLen),
    help: 'longest topic (TOPICLEN)',
    apply: (s, v) => (s.topicLen = parseInteger('topic-len', v, 1, 400)),
  },
  {
    flag: 'away-len',
    arg: 'N',
    shown: String(D.awayLen),
    help: 'longest away message, in bytes (AWAYLEN)',
    apply: (s, v) => (s.awayLen = parseInteger('away-len', v, 1, 400)),
  },
  {
    flag: 'kick-len',
    arg: 'N',
    shown: String(D.kickLen),
    help: 'longest kick reason, in bytes (KICKLEN)',
    apply: (s, v) => (s.kickLen = parseInteger('kick-len', v, 1, 400)),
  },
  {
    flag: 'user-len',
    arg: 'N',
    shown: String(D.userLen),
    help: "longest user name, counting its '~' (USERLEN)",
    apply: (s, v) => (s.userLen = parseInteger('user-len', v, 2, 32)),
  },
  {
    flag: 'realname-len',
    arg: 'N',
    shown: String(D.realnameLen),
    help: 'longest real name (WHOIS), in bytes',
    apply: (s, v) => (s.realnameLen = parseInteger('realname-len', v, 1, 200)),
  },
  {
    flag: 'max-targets',
    arg: 'N',
    shown: String(D.maxTargets),
    help: 'targets in one message (TARGMAX)',
    apply: (s, v) => (s.maxTargets = parseInteger('max-targets', v, 1, 1000)),
  },
  {
    flag: 'max-channels',
    arg: 'N',
    shown: String(D.maxChannels),
    help: 'channels one user may join (CHANLIMIT)',
    apply: (s, v) => (s.maxChannels = parseInteger('max-channels', v, 1, 10_000)),
  },
  {
    flag: 'max-bans',
    arg: 'N',
    shown: String(D.maxBans),
    help: 'bans one channel may hold (MAXLIST)',
    apply: (s, v) => (s.maxBans = parseInteger('max-bans', v, 1, 10_000)),
  },
  {
    flag: 'max-monitor',
    arg: 'N',
    shown: String(D.maxMonitor),
    help: 'nicks one user may watch with MONITOR',
    apply: (s, v) => (s.maxMonitor = parseInteger('max-monitor', v, 1, 10_000)),
  },
  {
    flag: 'large-channel',
    arg: 'N',
    shown: String(D.largeChannel),
    help: 'members past which a channel is large (+u): joins, parts and quits are not announced to everyone and the names list on joining shows operators and voiced members only (0: never)',
    apply: (s, v) => (s.largeChannel = parseInteger('large-channel', v, 0, 1_000_000)),
  },
  {
    flag: 'large-lobby',
    arg: 'N',
    shown: String(D.largeLobby),
    help: 'the same for the default channel, which everyone joins at once after a restart (0: never)',
    apply: (s, v) => (s.largeLobby = parseInteger('large-lobby', v, 0, 1_000_000)),
  },

  {
    flag: 'flood',
    arg: 'on|off',
    shown: 'on',
    help: 'throttle each client to a burst, then a steady rate',
    apply: (s, v) => (s.floodOn = parseOnOff('flood', v)),
  },
  {
    flag: 'flood-burst',
    arg: 'N',
    shown: String(D.flood?.burst),
    help: 'lines a client may send at once',
    apply: (s, v) => (s.floodBurst = parseInteger('flood-burst', v, 1, 100_000)),
  },
  {
    flag: 'flood-rate',
    arg: 'N',
    shown: String(D.flood?.rate),
    help: 'lines per second after the burst',
    apply: (s, v) => (s.floodRate = parseInteger('flood-rate', v, 1, 100_000)),
  },
  {
    flag: 'sendq',
    arg: 'BYTES',
    shown: '1m',
    help: 'output queued for a slow reader before it is cut off',
    apply: (s, v) => (s.sendq = parseBytes('sendq', v, 4096)),
  },
  ...STORE_OPTIONS,
  {
    flag: 'sendq-timeout',
    arg: 'SECS',
    shown: secs(D.sendqTimeout),
    help: 'time a reader with output waiting may take none of it before it is cut off',
    apply: (s, v) => (s.sendqTimeout = parseDuration('sendq-timeout', v, 1000)),
  },
  {
    flag: 'recvq',
    arg: 'BYTES',
    shown: '64k',
    help: 'unprocessed input (throttled or unfinished lines) before cut off',
    apply: (s, v) => (s.recvq = parseBytes('recvq', v, 8704)),
  },
  {
    flag: 'registration-timeout',
    arg: 'SECS',
    shown: secs(D.registrationTimeout),
    help: 'time to finish NICK/USER',
    apply: (s, v) => (s.registrationTimeout = parseDuration('registration-timeout', v, 1000)),
  },
  {
    flag: 'ping-interval',
    arg: 'SECS',
    shown: secs(D.pingInterval),
    help: 'silence before the server sends PING',
    apply: (s, v) => (s.pingInterval = parseDuration('ping-interval', v, 1000)),
  },
  {
    flag: 'ping-timeout',
    arg: 'SECS',
    shown: secs(D.pingTimeout),
    help: 'time to answer PING before disconnect; also the longest a line may take to arrive (slowloris)',
    apply: (s, v) => (s.pingTimeout = parseDuration('ping-timeout', v, 1000)),
  },
  {
    flag: 'advertise',
    arg: 'on|off',
    shown: 'off',
    help: 'announce it on the LAN with mDNS (_irc._tcp)',
    apply: (s, v) => (s.advertise = parseOnOff('advertise', v)),
  },
  {
    flag: 'advertise-name',
    arg: 'NAME',
    shown: "the --name, dots as '-'",
    help: 'name to announce it under',
    apply: (s, v) => (s.advertiseName = checkInstanceName(v)),
  },
  {
    flag: 'log-chat',
    arg: 'on|off',
    shown: 'on',
    help: 'print the exchanged messages on stdout',
    apply: (s, v) => (s.logChat = parseOnOff('log-chat', v)),
  },
  {
    flag: 'log-private',
    arg: 'on|off',
    shown: 'on',
    help: 'show private message text on the console',
    apply: (s, v) => (s.logPrivate = parseOnOff('log-private', v)),
  },
  {
    flag: 'log-format',
    arg: 'text|json',
    shown: 'text',
    help: 'console and diagnostics format',
    apply: (s, v) => (s.logFormat = pick('log-format', v, ['text', 'json'] as const)),
  },
  {
    flag: 'log-level',
    arg: 'LEVEL',
    shown: 'info',
    help: 'diagnostics on stderr: debug, info, warn, error',
    apply: (s, v) =>
      (s.logLevel = pick('log-level', v, ['debug', 'info', 'warn', 'error'] as const)),
  },
];
