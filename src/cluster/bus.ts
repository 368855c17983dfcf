// The cluster's Redis side: node liveness, the network-wide nick directory, and messages between nodes. Knows nothing of IRC.
//
// Keys (all under `parley:`):
//   node:<id>   this node is alive: set with a TTL, renewed every HEARTBEAT_MS; gone = node dead
//   nodes       the set of node ids that have joined and not been reaped
//   nicks       hash: folded nick -> "<node>\t<nick>\t<user>\t<host>\t<account>\t<realname>"
//   cloak-secret  the key every node cloaks addresses with (the first node's)
//   clock       hash: the last place in the order handed out (ms, seq; bus-lua.ts ORDER)
// Pub/sub channels:
//   parley:dir      the network's one order, for every node: directory news (a user arrived,
//                   left, changed nick) and the commands that change shared state (channels);
//                   each message is published by a script that prefixes its place in the order
//   parley:to:<id>  for node <id> alone: private messages to its users, a snapshot it asked for
//
// A nick is claimed atomically (a Lua set-if-free), so two nodes never hand out the same one; a
// node releases only entries it owns (a Lua compare-and-delete). Every node watches the others' liveness keys:
// the first to see one gone reaps it in one script (its entries and its id removed) and
// announces `gone` for it, on which every node forgets that node's users, so a node killed with SIGKILL frees its nicks within
// HEARTBEAT_TTL_MS + REAP_MS. Two connections: commands, and one in subscriber mode.
import type { Redis } from 'ioredis';
import { redisClient } from '../store/redis-url.js';
import { Script } from '../store/redis-script.js';
import { CLAIM, ORDER, ORDER_PER_MS, REAP, RELEASE } from './bus-lua.js';
import { decodeEntry, encodeEntry, type BusMessage, type DirEntry } from './messages.js';

export const HEARTBEAT_MS = 2000;
/** A node whose key is older than this is dead (three missed heartbeats). */
export const HEARTBEAT_TTL_MS = 6000;
const REAP_MS = 2000;
const P = 'parley:';
/** The outbox's key for directory news (every node), beside node ids (one node each). */
const DIR = '\0dir';

export interface BusHandlers {
  /** The other nodes' users when this node joins, before any message. */
  directory(entries: DirEntry[]): void;
  message(m: BusMessage): void;
  /** Redis went away (true) or came back (false). */
  degraded(down: boolean, why: string): void;
}

const ORDERED = new Script(ORDER);

export class ClusterBus {
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private beat: NodeJS.Timeout | null = null;
  private reaper: NodeJS.Timeout | null = null;
  private down = false;
  private closed = false;
  /** The connection's last error ("connect ECONNREFUSED …"), for a start that fails. */
  private lastError: string | null = null;
  /** start() has finished: from then on losing Redis is news (before, start() fails instead). */
  private started = false;
  /** Messages that arrived before the directory was read: applied right after it, in order. */
  private early: BusMessage[] | null = [];

  constructor(
    readonly url: string,
    readonly nodeId: string,
    private readonly serverName: string,
    private readonly on: BusHandlers,
  ) {
    // Commands wait while Redis is away (ioredis queues them) and callers time out on their own.
    // Nothing is queued or re-sent across a reconnect: a command in flight when the link died was
    // already given up (its sender told), and running it late on other nodes would split them.
    const opts = {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      enableReadyCheck: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
    };
    this.cmd = redisClient(url, opts);
    this.sub = redisClient(url, opts);
    // Up only when both connections are: the subscriber can be still reconnecting (and its
    // subscriptions not restored) after the command connection is back, or the other way round.
    for (const r of [this.cmd, this.sub]) {
      r.on('error', (err: Error) => {
        this.lastError = err.message;
      });
      r.on('close', () => this.setDown(true, this.lastError ?? 'connection closed'));
      r.on('ready', () => {
        if (this.cmd.status === 'ready' && this.sub.status === 'ready') {
          this.setDown(false, 'reconnected');
        }
      });
    }
    this.sub.on('message', (_channel: string, text: string) => this.received(text));
  }

  /**
   * Connect, clear what an earlier run of this node id left, subscribe, read the directory (after
   * subscribing, so no change falls between the two) and start the heartbeat.
   */
  async start(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
    });
    try {
      await Promise.race([Promise.all([this.cmd.connect(), this.sub.connect()]), timeout]);
    } catch (err) {
      throw new Error(this.lastError ?? (err as Error).message);
    } finally {
      clearTimeout(timer);
    }
    // A restart under the same id (after kill -9): its old users are gone, for everyone.
    await this.cmd.eval(REAP, 2, P + 'nicks', P + 'nodes', this.nodeId);
    await this.cmd.publish(P + 'dir', JSON.stringify({ t: 'gone', node: this.nodeId }));
    // Subscribed before alive: a node that sees this one alive may ask it for a snapshot at once.
    await this.sub.subscribe(P + 'dir', P + 'to:' + this.nodeId);
    await this.heartbeat();
    this.on.directory(await this.directory());
    const early = this.early ?? [];
    this.early = null;
    for (const m of early) this.on.message(m);
    this.beat = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.reaper = setInterval(() => void this.reap(), REAP_MS);
    this.started = true;
  }

  /** The value every node shares under `secret` (cloak key): `mine` unless one was set first. */
  async shareSecret(mine: string): Promise<string> {
    await this.cmd.set(P + 'cloak-secret', mine, 'NX');
    return (await this.cmd.get(P + 'cloak-secret')) ?? mine;
  }

  /** Claim `folded` for `e` network-wide: true when it was free (or this node's already). */
  async claim(folded: string, e: DirEntry): Promise<boolean> {
    return (await this.cmd.eval(CLAIM, 1, P + 'nicks', folded, encodeEntry(e), this.nodeId)) === 1;
  }

  /** The other nodes that are alive now (their liveness key is there). */
  async liveNodes(): Promise<string[]> {
    const nodes = await this.cmd.smembers(P + 'nodes');
    const live: string[] = [];
    for (const node of nodes) {
      if (node !== this.nodeId && (await this.cmd.exists(P + 'node:' + node)) === 1)
        live.push(node);
    }
    return live.sort();
  }

  /** Every user in the directory now, this node's excepted. */
  async directory(): Promise<DirEntry[]> {
    const all = await this.cmd.hgetall(P + 'nicks');
    const entries: DirEntry[] = [];
    for (const v of Object.values(all)) {
      const e = decodeEntry(v);
      if (e !== null && e.node !== this.nodeId) entries.push(e);
    }
    return entries;
  }

  /** Redis is unreachable right now. */
  get isDown(): boolean {
    return this.down;
  }

  /** Replace this node's own entry for `folded` (a case-only nick change keeps the claim). */
  async update(folded: string, e: DirEntry): Promise<void> {
    await this.cmd.hset(P + 'nicks', folded, encodeEntry(e));
  }

  /** Give up `folded` if this node holds it. */
  release(folded: string): Promise<void> {
    return this.cmd.eval(RELEASE, 1, P + 'nicks', folded, this.nodeId).then(
      () => {},
      () => {
        // Redis away: the entry goes when this node's liveness key does, or at its next start.
      },
    );
  }

  /** Tell every node (this one too) about a directory change: batched per turn, like sendTo. */
  announce(m: BusMessage): void {
    this.sendTo(DIR, m);
  }

  /**
   * Publish what this turn announced now, `m` (if given) last, rather than when the turn ends:
   * resolves true once Redis has published it (false when Redis did not take it), so what this
   * node does next comes after it for everyone. True at once when nothing was announced.
   */
  announceNow(m?: BusMessage): Promise<boolean> {
    if (m !== undefined) this.sendTo(DIR, m);
    return this.flushOutbox() ?? Promise.resolve(true);
  }

  /**
   * Hand `m` to the node `node`. What a turn hands to one node goes as one PUBLISH when the turn
   * ends (a burst of private messages costs Redis one command per node per turn, not per
   * message); nothing waits for Redis's answer.
   */
  sendTo(node: string, m: BusMessage): void {
    const queue = this.outbox.get(node);
    if (queue !== undefined) queue.push(m);
    else this.outbox.set(node, [m]);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(this.flushOutbox);
    }
  }

  private readonly outbox = new Map<string, BusMessage[]>();
  private flushing = false;
  /** Send every queued message; returns the directory channel's publish, if there was one. */
  private readonly flushOutbox = (): Promise<boolean> | null => {
    this.flushing = false;
    let told: Promise<boolean> | null = null;
    for (const [node, queue] of this.outbox) {
      const m: BusMessage = queue.length === 1 ? queue[0] : { t: 'batch', m: queue };
      const text = JSON.stringify(m);
      if (node === DIR) {
        told = ORDERED.run(this.cmd, [P + 'clock'], [queue.length, text, P + 'dir']).then(
          () => true,
          () => false,
        );
      } else {
        this.toNodes = this.cmd.publish(P + 'to:' + node, text).then(
          () => true,
          () => false,
        );
      }
    }
    this.outbox.clear();
    return told;
  };

  /** The last message handed to another node (sendTo): published when it resolves. */
  private toNodes: Promise<boolean> | null = null;

  /**
   * Resolves once what this node has handed to other nodes so far (sendTo) is published: Redis
   * runs one connection's commands in order, so the last one's answer covers the rest.
   */
  handedOver(): Promise<boolean> {
    if (this.outbox.size > 0) this.flushOutbox();
    return this.toNodes ?? Promise.resolve(true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.beat !== null) clearInterval(this.beat);
    if (this.reaper !== null) clearInterval(this.reaper);
    if (this.cmd.status === 'ready') {
      // Leaving cleanly: our users are gone now, not after the TTL (which does it if Redis is away).
      const leave = async () => {
        await this.cmd.eval(REAP, 2, P + 'nicks', P + 'nodes', this.nodeId);
        await this.cmd.del(P + 'node:' + this.nodeId);
        await this.cmd.publish(P + 'dir', JSON.stringify({ t: 'gone', node: this.nodeId }));
      };
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        leave().catch(() => {}),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000))),
      ]);
      clearTimeout(timer);
    }
    this.sub.disconnect();
    this.cmd.disconnect();
  }

  private received(text: string): void {
    // The ordered channel's messages start with their first place in the order: "<ms> <seq> ".
    let ms = 0;
    let seq = 0;
    if (text.charCodeAt(0) !== 0x7b /* { */) {
      const a = text.indexOf(' ');
      const b = text.indexOf(' ', a + 1);
      ms = Number(text.slice(0, a));
      seq = Number(text.slice(a + 1, b));
      text = text.slice(b + 1);
    }
    let m: BusMessage;
    try {
      m = JSON.parse(text) as BusMessage;
    } catch {
      return; // not ours: some other program publishing on our channels
    }
    const all = m.t === 'batch' ? m.m : [m];
    for (const one of all) {
      if (one.t === 'cmd') {
        one.ms = ms + Math.floor(seq / ORDER_PER_MS);
        one.seq = seq % ORDER_PER_MS;
      }
      seq++;
      this.deliverOne(one);
    }
  }

  private deliverOne(m: BusMessage): void {
    if (this.early !== null) this.early.push(m);
    else this.on.message(m);
  }

  private async heartbeat(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<'silent'>((resolve) => {
      timer = setTimeout(() => resolve('silent'), HEARTBEAT_TTL_MS - HEARTBEAT_MS);
    });
    try {
      const beat = this.cmd
        .multi()
        .set(P + 'node:' + this.nodeId, this.serverName, 'PX', HEARTBEAT_TTL_MS)
        .sadd(P + 'nodes', this.nodeId)
        .exec();
      beat.catch(() => {});
      if ((await Promise.race([beat, silent])) === 'silent' && this.started && !this.closed) {
        // A link that answers nothing (a silent partition: TCP would take minutes to notice):
        // the others reap us soon, so go degraded now and reconnect, which resyncs on return.
        this.lastError = 'Redis stopped answering';
        this.cmd.disconnect(true);
        this.sub.disconnect(true);
      }
    } catch {
      // reported through 'error'
    } finally {
      clearTimeout(timer);
    }
  }

  private async reap(): Promise<void> {
    if (this.down) return;
    try {
      const nodes = await this.cmd.smembers(P + 'nodes');
      for (const node of nodes) {
        if (node === this.nodeId) continue;
        if ((await this.cmd.exists(P + 'node:' + node)) === 1) continue;
        await this.cmd.eval(REAP, 2, P + 'nicks', P + 'nodes', node);
        this.announce({ t: 'gone', node });
      }
    } catch {
      // Redis away: try again on the next round
    }
  }

  private setDown(down: boolean, why: string): void {
    if (this.closed || down === this.down) return;
    this.down = down;
    if (this.started) this.on.degraded(down, why);
  }
}
