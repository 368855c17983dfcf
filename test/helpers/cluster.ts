// Helpers for tests of cluster nodes joined through a real Redis (in this process or as `parley serve`), and of scripted peers on its bus: polling, NAMES and ISON as lists, clients that chat at a steady rate and keep what they saw.
import type { TestContext } from 'node:test';
import { ClusterBus } from '../../src/cluster/bus.js';
import type { BusMessage, DirEntry } from '../../src/cluster/messages.js';
import type { Message } from '../../src/protocol/index.js';
import { ClusterLink } from '../../src/server/cluster.js';
import type { ServerConfig } from '../../src/server/config.js';
import { Mirror } from '../../src/server/mirror.js';
import type { Server } from '../../src/server/server.js';
import type { User } from '../../src/server/user.js';
import { openStore, type Store } from '../../src/store/index.js';
import { eventually } from './eventually.js';
import { startServer, type TestClient, type TestServer } from './irc.js';
import { haveRedis, startRedis, type TestRedis } from './redis.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export { eventually };

export interface NodeOptions {
  /** Sees the link and its server before the link starts. */
  prepare?: (link: ClusterLink, server: Server) => void;
  /** The server's clock moves only with TestServer.advance() (startServer's `clocked`). */
  clocked?: boolean;
}

/**
 * Node `id` of a cluster on `redis`, in this process (joined as `--cluster` joins one), sharing
 * `store` with the other nodes, or with 'redis' a store of its own on that Redis (as `--db` with
 * the Redis's URL): per-test coverage, and so mutation testing, sees its code, which it cannot in
 * a `parley serve` child process. No default channel, flood control off.
 */
export async function inProcessNode(
  redis: TestRedis,
  store: Store | null | 'redis',
  id: string,
  config: Partial<ServerConfig> = {},
  options: NodeOptions = {},
): Promise<TestServer> {
  const all = { defaultChannel: '', flood: null, ...config };
  const own = store === 'redis' ? await openStore(redis.url) : store;
  return startServer(all, 'text', options.clocked === true, own, async (server) => {
    const link = new ClusterLink(server, redis.url, id);
    options.prepare?.(link, server);
    await link.start();
    server.cluster = link;
    server.stamper.suffix = '-' + id;
  });
}

/**
 * Nodes n1…n`count` of a cluster in this process on a fresh redis-server (with `store` shared,
 * none by default, as `--db off`), each with `config`; `fn` runs, then all are stopped.
 */
export async function withNodes(
  count: number,
  fn: (nodes: TestServer[], redis: TestRedis) => Promise<void>,
  config: Partial<ServerConfig> = {},
  store: Store | null | 'redis' = null,
): Promise<void> {
  const redis = await startRedis();
  const nodes: TestServer[] = [];
  try {
    for (let k = 1; k <= count; k++) nodes.push(await inProcessNode(redis, store, `n${k}`, config));
    await fn(nodes, redis);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  }
}

/** Wait until `node`'s console (its chat log) has a line matching `re`. */
export function consoleShows(node: TestServer, re: RegExp): Promise<void> {
  return eventually(async () => (await node.console()).some((l) => re.test(l)), `console ${re}`);
}

/** A stand-in bus that records what this node announces and sends to one node, and can be taken down. */
export interface RecordingBus {
  bus: ClusterBus;
  announced: BusMessage[];
  sent: Array<[string, BusMessage]>;
  down(v: boolean): void;
}

export function recordingBus(): RecordingBus {
  const announced: BusMessage[] = [];
  const sent: Array<[string, BusMessage]> = [];
  const state = { isDown: false };
  const bus = {
    get isDown() {
      return state.isDown;
    },
    announce: (m: BusMessage) => announced.push(m),
    sendTo: (node: string, m: BusMessage) => sent.push([node, m]),
  } as unknown as ClusterBus; // only what Mirror and RemoteFlow call of a bus
  return { bus, announced, sent, down: (v) => (state.isDown = v) };
}

/** A replica on `server` of `nick`, a user of `node`, made the way the cluster makes one. */
export function replicaOf(
  server: Server,
  nick: string,
  node = 'there',
  account: string | null = null,
): User {
  const mirror = new Mirror(server, recordingBus().bus, 'here');
  const e = { node, nick, user: nick, host: 'r.example', realname: 'R', account };
  const user = mirror.addUser(e, '', Date.now());
  if (user === null) throw new Error(`no replica of ${nick}: the nick is taken here`);
  return user;
}

/** `parley serve` flags for node `id` of a cluster on `redis` whose store (accounts, history, channels) is that Redis too. */
export function sharedStoreNode(redis: TestRedis, id: string): string[] {
  return [
    ...['--flood', 'off', '--default-channel', '', '--db', redis.url],
    ...['--cluster', redis.url, '--node-id', id],
  ];
}

/** The nicks (with their prefixes) NAMES `channel` gives `c`, sorted. */
export async function names(c: TestClient, channel: string): Promise<string[]> {
  const lines = await c.replies(`NAMES ${channel}`);
  return lines
    .filter((m) => m.command === '353')
    .flatMap((m) => m.params[3].split(' '))
    .filter((n) => n !== '')
    .sort();
}

/** Whether `c`'s server knows `nick` as online (ISON). */
export async function isOn(c: TestClient, nick: string): Promise<boolean> {
  const fold = nick.toLowerCase();
  return (await c.replies(`ISON ${nick}`)).some(
    (m) => m.command === '303' && m.params[1].toLowerCase() === fold,
  );
}

/** Whether `m` comes from `nick`. */
export const from = (m: Message, nick: string) =>
  m.source?.toLowerCase().startsWith(nick.toLowerCase() + '!') === true;

/** A message `c` got: what it was, and when (ms since the epoch, on arrival). */
export interface Seen {
  msg: Message;
  at: number;
}

/**
 * Every line `c` gets from now on, stamped with its arrival time (TestClient keeps lines, not
 * times). Call before the traffic it is to time.
 */
export function timed(c: TestClient): Seen[] {
  const seen: Seen[] = [];
  let next = c.received.length;
  c.socket.on('data', () => {
    // TestClient's own 'data' listener ran first (registered earlier) and parsed the lines.
    const now = Date.now();
    for (; next < c.received.length; next++) seen.push({ msg: c.received[next].msg, at: now });
  });
  return seen;
}

/** Another node, scripted by the test: a real bus with no server behind it. */
export interface Peer {
  bus: ClusterBus;
  /** Wait for a message this peer receives (on the order, or for it alone), and take it off the list. */
  next(what: string, match: (m: BusMessage) => boolean, ms?: number): Promise<BusMessage>;
  /** Whether it has received such a message (not taken yet). */
  has(match: (m: BusMessage) => boolean): boolean;
  close(): Promise<void>;
}

export async function startPeer(redis: TestRedis, id: string): Promise<Peer> {
  const got: BusMessage[] = [];
  const bus = new ClusterBus(redis.url, id, `${id}.example`, {
    directory: () => {},
    message: (m) => got.push(m),
    degraded: () => {},
  });
  await bus.start();
  const next = async (what: string, match: (m: BusMessage) => boolean, ms = 10_000) => {
    await eventually(() => got.some(match), what, ms);
    return got.splice(got.findIndex(match), 1)[0];
  };
  return { bus, next, has: (match) => got.some(match), close: () => bus.close() };
}

/**
 * Node a (with `store`, none by default), then a scripted peer p on `redis`: a starts alone, so
 * p is asked for nothing. `fn` runs, then both stop.
 */
export async function withNodeAndPeer(
  redis: TestRedis,
  fn: (a: TestServer, p: Peer) => Promise<void>,
  store: Store | null = null,
  options: NodeOptions = {},
): Promise<void> {
  const a = await inProcessNode(redis, store, 'a', {}, options);
  const p = await startPeer(redis, 'p');
  try {
    await fn(a, p);
  } finally {
    await p.close();
    await a.stop();
  }
}

/** A directory entry for `nick`, a user of `node`. */
export function entry(nick: string, node = 'p'): DirEntry {
  return { node, nick, user: `~${nick}`, host: `${node}.example`, account: null, realname: nick };
}

/** Run `fn` with a fresh redis-server (skipped without one outside CI), stopped after. */
export async function withRedis(
  t: TestContext,
  fn: (redis: TestRedis) => Promise<void>,
): Promise<void> {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  try {
    await fn(redis);
  } finally {
    await redis.stop();
  }
}
