// The Redis URLs parley takes (--db, --cluster): redis://, rediss:// (TLS), and redis+sentinel:// for a master that Sentinel watches and fails over.
//
//   redis://[:PASSWORD@]HOST:PORT[/DB]          rediss:// the same over TLS
//   redis+sentinel://[:PASSWORD@]S1:PORT[,S2:PORT...]/MASTER[/DB]
//
// With Sentinel, ioredis asks the sentinels where MASTER is, connects there, and after a failover
// reconnects to the new master (to the nodes and the store it looks like Redis restarting, which
// they already survive: cluster.ts resynchronises). PASSWORD is the master's. Redis Cluster is
// not supported: the cluster's order is one pub/sub channel and scripts that touch several keys.
import { Redis, type RedisOptions } from 'ioredis';

const PLAIN = /^rediss?:\/\//i;
const SENTINEL = /^redis\+sentinel:\/\/(?:([^@/]*)@)?([^/@]+)\/([^/?#]+)(?:\/(\d+))?\/?$/i;

/** Whether `where` names a Redis (any of the URL forms above) rather than a file. */
export function isRedisUrl(where: string): boolean {
  return PLAIN.test(where) || /^redis\+sentinel:\/\//i.test(where);
}

export interface SentinelTarget {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  db: number;
  password?: string;
}

/** The parts of a redis+sentinel:// URL, or null when `url` is not a well-formed one. */
export function parseSentinelUrl(url: string): SentinelTarget | null {
  const m = SENTINEL.exec(url);
  if (m === null) return null;
  const [, auth, hosts, name, db] = m;
  const sentinels = [];
  for (const h of hosts.split(',')) {
    const at = h.lastIndexOf(':');
    const host = at === -1 ? h : h.slice(0, at);
    const port = at === -1 ? 26379 : Number(h.slice(at + 1));
    if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) return null;
    sentinels.push({ host: host.replace(/^\[(.*)\]$/, '$1'), port });
  }
  const target: SentinelTarget = { sentinels, name: decodeURIComponent(name), db: Number(db ?? 0) };
  if (auth !== undefined && auth !== '') {
    target.password = decodeURIComponent(auth.slice(auth.indexOf(':') + 1));
  }
  return target;
}

/** An ioredis client for `url` with `options` (not connected when they say lazyConnect). */
export function redisClient(url: string, options: RedisOptions): Redis {
  const sentinel = parseSentinelUrl(url);
  if (sentinel === null) return new Redis(url, options);
  return new Redis({ ...options, ...sentinel });
}

/** `url` fit for logs and errors: its password hidden. */
export function shownUrl(url: string): string {
  // Whatever sits between // and @ is credentials: hidden even in a URL that does not parse.
  const hidden = () => url.replace(/\/\/[^@/]*@/, '//***@');
  if (/^redis\+sentinel:/i.test(url)) return hidden();
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return hidden();
  }
}
