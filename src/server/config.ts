// The server's configuration: an immutable snapshot, validated by the CLI and swapped whole on reload.
import type { ConnectionLimits } from './connection-contract.js';
import type { OperBlock } from './opers.js';

export interface ServerConfig {
  /** Address to listen on; `::` is every IPv6 and IPv4 address (IPv4 only where there is no IPv6). */
  readonly host: string;
  readonly port: number;
  /** Port for IRC over WebSocket (IRCv3, for web clients), on the same host; null: none. */
  readonly websocketPort: number | null;
  /** TLS: the port (6697 unless set), certificate chain and private key as PEM text; null: no TLS. */
  readonly tls: TlsConfig | null;
  /**
   * IRCv3 STS policy duration in seconds, advertised while TLS is on (`sts` capability); 0 tells
   * clients to forget the policy, null advertises none.
   */
  readonly stsDuration: number | null;
  /** Server name shown as the source of numerics. */
  readonly name: string;
  /** NETWORK ISUPPORT token. */
  readonly network: string;
  /** One line about the server (WHOIS 312, LINKS); '' for "<network> chat server". */
  readonly description: string;
  /**
   * The name NickServ and ChanServ appear under: their host, and the services server LINKS shows
   * linked to this one; '' for `services.<name>`.
   */
  readonly servicesName: string;
  /** Connection password (PASS), or null for none. */
  readonly password: string | null;
  /** MOTD lines; null means the built-in default. */
  readonly motd: readonly string[] | null;
  /** Channel every user joins on registration ('' for none: a classic IRC server). */
  readonly defaultChannel: string;
  /** Registered and unregistered connections in total; the next is refused. */
  readonly maxClients: number;
  /** Connections from one IP address (stops one host taking every slot). */
  readonly maxPerIp: number;
  readonly nickLen: number;
  readonly channelLen: number;
  readonly topicLen: number;
  /** Bytes of away message kept (AWAYLEN). */
  readonly awayLen: number;
  /** Bytes of kick reason kept (KICKLEN). */
  readonly kickLen: number;
  /** Characters of user name kept, counting the `~` parley puts before it (USERLEN). */
  readonly userLen: number;
  /** Bytes of real name kept; WHOIS and WHO show it to everyone (no ISUPPORT token exists). */
  readonly realnameLen: number;
  /** Targets in one PRIVMSG/NOTICE/TAGMSG (TARGMAX), so one line can't fan out to everyone by name. */
  readonly maxTargets: number;
  /** Channels one user may be in (CHANLIMIT). */
  readonly maxChannels: number;
  /** Bans per channel (MAXLIST). */
  readonly maxBans: number;
  /** Nicks one user may watch with MONITOR (the MONITOR token). */
  readonly maxMonitor: number;
  /**
   * Members past which a channel is large (+u): arrivals and departures are no longer announced to
   * every member and the names list on joining is a summary, so arriving costs O(1); 0 = never.
   */
  readonly largeChannel: number;
  /** The same for the default channel, which every user joins at once after a restart. */
  readonly largeLobby: number;
  /** Flood control: burst lines, then `rate` lines/s; null = off (benchmarks, trusted LANs). */
  readonly flood: { readonly burst: number; readonly rate: number } | null;
  /** Bytes queued for a client that reads too slowly before it is disconnected. */
  readonly sendq: number;
  /** Milliseconds a client with output waiting may take none of it before it is disconnected. */
  readonly sendqTimeout: number;
  /** Bytes of unprocessed input (throttled lines or an unfinished line) before disconnect. */
  readonly recvq: number;
  /** Milliseconds to complete NICK/USER (and CAP END) before disconnect. */
  readonly registrationTimeout: number;
  /** Milliseconds of silence before the server sends PING. */
  readonly pingInterval: number;
  /** Milliseconds to answer that PING before disconnect. */
  readonly pingTimeout: number;
  /** Print private message text on the console (false: only who wrote to whom). */
  readonly logPrivate: boolean;
  /** Print the exchanged messages on the console at all. */
  readonly logChat: boolean;
  /** Most messages one CHATHISTORY query returns (the CHATHISTORY ISUPPORT token). */
  readonly historyLimit: number;
  /** Messages kept per channel or private conversation; older ones are forgotten. */
  readonly historyMax: number;
  /** Milliseconds a message is kept. */
  readonly historyAge: number;
  /** Lines replayed on JOIN to clients without draft/chathistory (0: none). */
  readonly historyOnJoin: number;
  /**
   * Milliseconds someone may keep a registered nick without logging into its account before
   * being renamed to a Guest nick (0: at once).
   */
  readonly nickGrace: number;
  /** Shortest password REGISTER accepts (shorter: FAIL REGISTER WEAK_PASSWORD). */
  readonly passwordMin: number;
  /**
   * REGISTER and VERIFY before connection registration completes (the `before-connect` key of
   * draft/account-registration); false: FAIL REGISTER COMPLETE_CONNECTION_REQUIRED until the welcome.
   */
  readonly registerBeforeConnect: boolean;
  /**
   * A connection that logs into an account (SASL, PASS) asking for the nick its account's user
   * already holds joins that user as one more connection (Ergo's multiclient); false: 433.
   */
  readonly multiclient: boolean;
  /**
   * A logged-in user whose last connection goes stays on the network, detached: nick, channels and
   * read markers kept, private messages kept in its inbox, until its next connection attaches.
   */
  readonly alwaysOn: boolean;
  /** Operator accounts (OPER), from the config file only: name, password hash, host mask. */
  readonly opers: readonly OperBlock[];
}

export interface TlsConfig {
  readonly port: number;
  readonly cert: string;
  readonly key: string;
}

/** The TLS port when a certificate is given and no --tls-port (the IANA port for IRC over TLS). */
export const DEFAULT_TLS_PORT = 6697;

export const DEFAULTS: ServerConfig = {
  host: '::',
  port: 6667,
  websocketPort: null,
  tls: null,
  // 30 days: a client that has seen the server once keeps insisting on TLS between visits (what
  // STS is for), yet a retired TLS port stops being insisted on within a month.
  stsDuration: 30 * 24 * 3600,
  name: 'parley.local',
  network: 'parley',
  description: '',
  servicesName: '',
  password: null,
  motd: null,
  defaultChannel: '#lobby',
  maxClients: 1024,
  maxPerIp: 64,
  nickLen: 30,
  channelLen: 64,
  topicLen: 390,
  awayLen: 200,
  kickLen: 255,
  userLen: 16,
  realnameLen: 100,
  maxTargets: 10,
  maxChannels: 50,
  maxBans: 100,
  maxMonitor: 100,
  largeChannel: 1000,
  largeLobby: 100,
  flood: { burst: 10, rate: 2 },
  sendq: 1024 * 1024,
  sendqTimeout: 30_000,
  recvq: 64 * 1024,
  registrationTimeout: 30_000,
  pingInterval: 120_000,
  pingTimeout: 60_000,
  logPrivate: true,
  logChat: true,
  historyLimit: 1000,
  historyMax: 10_000,
  historyAge: 30 * 24 * 3600_000,
  historyOnJoin: 0,
  nickGrace: 30_000,
  passwordMin: 8,
  registerBeforeConnect: true,
  multiclient: true,
  alwaysOn: false,
  opers: [],
};

/** The services' server name (their host, and their entry in LINKS). */
export function servicesName(c: ServerConfig): string {
  return c.servicesName !== '' ? c.servicesName : `services.${c.name}`;
}

/** The line WHOIS (312) and LINKS show about the server. */
export function serverInfo(c: ServerConfig): string {
  return c.description !== '' ? c.description : `${c.network} chat server`;
}

export const DEFAULT_MOTD: readonly string[] = [
  'Welcome to parley, a command-line chat that speaks IRC.',
  'Type in #lobby to reach everyone; /msg NICK text for one person;',
  '/msg NICK1,NICK2 text for several; /join #name for a named group.',
];

/** The per-connection limits a configuration sets (a reload hands them to every connection). */
export function connectionLimits(config: ServerConfig): ConnectionLimits {
  return {
    sendq: config.sendq,
    sendqTimeout: config.sendqTimeout,
    recvq: config.recvq,
    flood: config.flood,
  };
}
