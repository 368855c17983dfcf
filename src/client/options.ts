// The session's options as the caller gives them, and the same with every default filled in and checked.
import { isIP } from 'node:net';
import type { Pin } from './known-hosts.js';
import { DEFAULT_LAG, type LagCheck } from './lag.js';
import type { Account } from './sasl.js';
import { DEFAULT_RECONNECT, type ReconnectPolicy } from './reconnect.js';
import { realTimers, type TimerApi } from './timers.js';

export interface SessionOptions {
  host: string;
  port: number;
  tls?: boolean;
  /** Skip certificate verification (self-signed certificates). */
  tlsInsecure?: boolean;
  /** The certificate pinned for this server (known-hosts.ts): accepted though no CA vouches for it. */
  tlsPin?: Pin | null;
  nick: string;
  /** Nicks to try in order when the server refuses `nick` (then nick_, nick__...). */
  altNicks?: readonly string[];
  /** USER name; defaults to the nick. */
  username?: string;
  /** Real name (shown by WHOIS); defaults to the nick. */
  realname?: string;
  /** Connection password (PASS), or null. */
  password?: string | null;
  /** Log in with SASL as this account (name and password), or null/absent: don't. */
  account?: Account | null;
  /** A failed login ends the session (exit 1) instead of going on unauthenticated. */
  saslRequired?: boolean;
  /** Catch up with draft/chathistory on each (re)connect (default: on, up to 100 lines on a first join). */
  history?: Partial<HistoryPolicy> | false;
  /** The SCRAM client nonce; tests only (random otherwise). */
  scramNonce?: string;
  /** Channels to join after each registration. */
  channels?: readonly string[];
  /** Words that make a channel message a highlight, besides our nick (whole words, any case). */
  highlight?: readonly string[];
  /** Backoff between reconnects (defaults: 1 s doubling to 30 s, ±30 %), or false: never reconnect. */
  reconnect?: Partial<ReconnectPolicy> | false;
  /** Lag and dead-link check (defaults: PING after 30 s of silence, dead after 60 s more), or false. */
  lag?: Partial<LagCheck> | false;
  /** TCP connect plus TLS handshake must finish within this, ms (default 20 s). */
  connectTimeoutMs?: number;
  /** quit() gives the server this long to close the link, ms (default 2 s). */
  quitTimeoutMs?: number;
  /** What we answer to CTCP VERSION after "parley". */
  version?: string;
  /** Epoch ms; Date.now by default. */
  clock?: () => number;
  timers?: TimerApi;
  /** [0, 1): backoff jitter and nick digits; Math.random by default. */
  random?: () => number;
}

export interface HistoryPolicy {
  /** Lines fetched for a conversation we have seen nothing of yet (CHATHISTORY LATEST). */
  firstFetch: number;
  /** At most this many lines per conversation per catch-up (AFTER, page after page). */
  maxCatchUp: number;
}

export const DEFAULT_HISTORY: HistoryPolicy = { firstFetch: 100, maxCatchUp: 1000 };

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly tlsInsecure: boolean;
  readonly tlsPin: Pin | null;
  readonly nick: string;
  readonly altNicks: readonly string[];
  readonly username: string;
  readonly realname: string;
  readonly password: string | null;
  readonly account: Account | null;
  readonly saslRequired: boolean;
  readonly history: HistoryPolicy | null;
  readonly scramNonce: string | undefined;
  /** TLS, or a loopback host: a password sent in clear stays on this machine or is encrypted. */
  readonly secure: boolean;
  readonly channels: readonly string[];
  readonly highlight: readonly string[];
  readonly reconnect: ReconnectPolicy | null;
  readonly lag: LagCheck | null;
  readonly connectTimeoutMs: number;
  readonly quitTimeoutMs: number;
  readonly version: string;
  readonly clock: () => number;
  readonly timers: TimerApi;
  readonly random: () => number;
}

const CONTROL = /[\r\n\0]/g;

/** Fill in defaults; throws RangeError for a port or nick no server could take (a caller bug). */
export function resolveOptions(o: SessionOptions): ResolvedOptions {
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    throw new RangeError(`port must be an integer 0-65535, got ${o.port}`);
  }
  const nick = o.nick.replace(CONTROL, '').trim();
  if (nick === '' || /\s/.test(nick)) throw new RangeError(`not a usable nick: "${o.nick}"`);
  // USER takes no spaces and most servers keep only these characters.
  const user = (o.username ?? nick).replace(/[^A-Za-z0-9._-]/g, '');
  return {
    host: o.host,
    port: o.port,
    tls: o.tls === true,
    tlsInsecure: o.tlsInsecure === true,
    tlsPin: o.tlsPin ?? null,
    nick,
    altNicks: (o.altNicks ?? []).map((n) => n.replace(CONTROL, '').trim()).filter((n) => n !== ''),
    username: user === '' ? 'parley' : user,
    realname: (o.realname ?? '').replace(CONTROL, '') || nick,
    password: o.password === undefined || o.password === '' ? null : o.password,
    account:
      o.account == null || o.account.password === ''
        ? null
        : {
            name: o.account.name.replace(CONTROL, '').trim() || nick,
            password: o.account.password,
          },
    saslRequired: o.saslRequired === true,
    history: o.history === false ? null : { ...DEFAULT_HISTORY, ...(o.history ?? {}) },
    scramNonce: o.scramNonce,
    secure: o.tls === true || isLoopback(o.host),
    channels: (o.channels ?? []).map((c) => c.replace(CONTROL, '').trim()).filter((c) => c !== ''),
    highlight: (o.highlight ?? [])
      .map((w) => w.replace(CONTROL, '').trim())
      .filter((w) => w !== ''),
    reconnect: o.reconnect === false ? null : { ...DEFAULT_RECONNECT, ...(o.reconnect ?? {}) },
    lag: o.lag === false ? null : { ...DEFAULT_LAG, ...(o.lag ?? {}) },
    connectTimeoutMs: o.connectTimeoutMs ?? 20_000,
    quitTimeoutMs: o.quitTimeoutMs ?? 2000,
    version: o.version ?? '',
    clock: o.clock ?? Date.now,
    timers: o.timers ?? realTimers,
    random: o.random ?? Math.random,
  };
}

/** localhost, 127.0.0.0/8 or ::1 (also as ::ffff:127.x). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
