// In a cluster, the commands that change shared state (channels, users), run by every node in one order.
//
// Every node holds every channel, with the other nodes' users in it as replica Users (mirror.ts),
// so NAMES, WHO, WHOIS, MODE, KICK and INVITE work unchanged against the local copy, and a
// delivery reaches exactly this node's members.
//
// The copies stay equal because a command that changes shared state (JOIN, PART, KICK, TOPIC,
// MODE, INVITE, AWAY, SETNAME, RENAME, and a message to a channel) is not run where it arrives:
// the node publishes it on the bus's one ordered channel and holds the client's later lines;
// every node, this one too, runs the same handler when the command comes back, in the bus's
// order, with the stamp of its place in that order pinned (server-time and msgid from Redis's
// clock, bus-lua.ts ORDER), so every node reaches the same state and mints the same msgids, and
// everyone sees a channel's messages in one order, which is also the msgids' and history's. Only the
// origin answers its client: replies to a replica go nowhere. A channel message costs one PUBLISH
// (batched per turn) whatever the number of members and nodes.
//
// A node that starts takes a live node's snapshot (cluster.ts, mirror.ts). While Redis is away, messages to channels reach this node's members only and changes to channels are
// refused (FAIL ... CLUSTER_DEGRADED), so no two copies drift apart.
import { isChannelName, type Message } from '../protocol/index.js';
import type { ClusterBus } from '../cluster/bus.js';
import type { LoggedBatch, LoggedCommand } from '../cluster/messages.js';
import { CAPBIT } from './capabilities.js';
import type { Client } from './client.js';
import type { Gathering } from './commands/multiline.js';
import { Request } from './commands/request.js';
import type { Server } from './server.js';
import { flowStats, setCurrent } from './flow.js';
import type { RemoteFlow } from './remote-flow.js';
import { orderStamp } from './stamp.js';

/**
 * Reads of the network's counts that go through the order only to see what came before them (a
 * user who just connected or left on another node): run by their origin alone.
 */
const READS = new Set(['LUSERS']);
/** Commands that change shared state whatever their target. */
const LOGGED = new Set([
  'JOIN',
  'PART',
  'KICK',
  'TOPIC',
  'INVITE',
  'MODE',
  'AWAY',
  'SETNAME',
  'RENAME',
  'KNOCK',
  // An operator's: the victim's node disconnects it; each node tells its own +w users.
  'KILL',
  'WALLOPS',
  ...READS,
]);
/** Commands that go through the order when one of their targets is a channel. */
const TARGETED = new Set(['PRIVMSG', 'NOTICE', 'TAGMSG']);
/** Logged commands still carried out on this node alone while the network is split. */
const ALONE = new Set([...TARGETED, 'KILL', 'WALLOPS', ...READS]);
/**
 * A client's commands in the order at once, at most (its window): a burst goes on as fast as
 * the order carries it back, no faster, so readers on other nodes can hold it back in time.
 */
const MAX_INFLIGHT = 64;
/** How long a client's next lines wait for its command to come back before it is told it failed. */
const COMMAND_WAIT_MS = 10_000;

/** Why a change to shared state is refused while the order cannot take it. */
const DEGRADED =
  'The network is degraded: channels cannot change until the other servers are reachable again';

/** Whether `msg` changes shared state, so must run on every node in the network's order. */
export function isLogged(msg: Message): boolean {
  if (LOGGED.has(msg.command)) return true;
  if (!TARGETED.has(msg.command) || msg.params.length === 0) return false;
  // Any of its comma-separated targets, past status prefixes (@#chan, +#chan), a channel?
  const targets = msg.params[0];
  for (let start = 0; start <= targets.length;) {
    let end = targets.indexOf(',', start);
    if (end === -1) end = targets.length;
    let s = start;
    while (s < end && (targets.charCodeAt(s) === 0x40 || targets.charCodeAt(s) === 0x2b)) s++;
    if (isChannelName(s === 0 && end === targets.length ? targets : targets.slice(s, end))) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

interface Pending {
  /** The request whose answer (a labeled reply) waits for the command. */
  holder: Request;
  /** The request to run when the command comes back (the holder, or one made for it). */
  run: Request;
  sentAt: number;
  /** The multiline batch its `BATCH -id` closes (taken off the client until it runs). */
  gathering?: Gathering;
}

function loggedBatch(g: Gathering): LoggedBatch {
  const tags = g.tags === null ? null : [...g.tags];
  return { id: g.id, target: g.target, verb: g.verb, lines: g.lines, tags };
}

/** A batch from another node, gathered again for its user's replica (no label: no answer here). */
function gathering(b: LoggedBatch): Gathering {
  const bytes = b.lines.reduce((n, l) => n + Buffer.byteLength(l.text), 0);
  const tags = b.tags === null ? null : new Map(b.tags);
  return { ...b, bytes, tags, label: null, failed: false };
}

export class Replica {
  /** A command from the order is running: deliveries to replicas are their own node's business. */
  applying = false;
  /** Redis is back but the others' view is not merged yet (cluster.ts): changes are refused. */
  resyncing = false;
  /**
   * Redis is back, but the others do not know this node's users again yet (cluster.ts resync):
   * messages to channels reach this node's members only. Once they do, messages go through the
   * order though the merge is not done (the others put our users back in their channels first).
   */
  localOnly = false;
  /** This node's commands in flight, by id, in the order they were sent. */
  private readonly pending = new Map<number, Pending>();
  /** Commands waiting until their client has nothing in flight, by client. */
  private readonly drainWaiters = new Map<Client, Array<() => void>>();
  private nextId = 0;
  /** The default channel's JOIN of each user who arrived while Redis was away, run once it is back. */
  private readonly lobbyLater = new Map<Client, Message>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly server: Server,
    private readonly bus: ClusterBus,
    private readonly nodeId: string,
    private readonly flow: RemoteFlow,
  ) {
    this.sweeper = setInterval(() => this.expire(server.clock() - COMMAND_WAIT_MS), 1000);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /**
   * If `req` changes shared state, send it into the network's order (or refuse it while Redis is
   * away) and return true: it runs when it comes back. A client's commands are pipelined: its
   * next lines are read at once, and each one that changes shared state follows its predecessors
   * through the order; any other command waits until they are all back, so replies keep their order.
   */
  takes(req: Request): boolean {
    if (this.applying) return false;
    const client = req.client;
    const user = client.user;
    if (user === null || user.remote !== null) return false;
    if (client.multiline !== null) return this.takesBatchEnd(req);
    if (!isLogged(req.msg)) {
      // Its answer comes after its commands in the order, and after its private messages to
      // other nodes' users are published (more private messages go on at once): whoever acts on
      // the answer, on any node, finds them delivered.
      const waits: Promise<unknown>[] = [];
      if (client.inflight > 0) waits.push(this.drained(client));
      if (client.handedOver && !TARGETED.has(req.msg.command)) {
        client.handedOver = false;
        // At most a second: Redis gone meanwhile must not stall the client for long.
        const late = new Promise((resolve) => setTimeout(resolve, 1000).unref());
        waits.push(Promise.race([this.bus.handedOver(), late]));
      }
      if (waits.length === 0) return false;
      const run = () => this.server.commands.run(req);
      const all = waits.length === 1 ? waits[0] : Promise.all(waits);
      req.waitFor(all, run, run, COMMAND_WAIT_MS * 2);
      return true;
    }
    const alone = ALONE.has(req.msg.command);
    if (this.cannotOrder(!alone)) {
      // A message still reaches this node's members; a change would make the copies drift.
      if (alone && client.inflight === 0) return false;
      req.standard('FAIL', 'CLUSTER_DEGRADED', DEGRADED);
      return true;
    }
    this.submit(req, req, req.msg);
    return true;
  }

  /**
   * The lines of a draft/multiline batch gather on this node; its closing `BATCH -id` carries
   * them through the order (as the message they make) when its target is a channel or a user of
   * another node. While Redis is away it is delivered here, as any message is.
   */
  private takesBatchEnd(req: Request): boolean {
    const g = req.client.multiline!;
    if (req.msg.command !== 'BATCH' || req.params[0] !== '-' + g.id || g.failed) return false;
    if (this.cannotOrder(false)) return false;
    const to = isChannelName(g.target) ? null : this.server.network.findUser(g.target);
    if (to !== null && (to === undefined || to.remote === null)) return false; // stays here
    req.client.multiline = null;
    this.submit(req, req, req.msg, g);
    return true;
  }

  /**
   * Send `req`, already checked here (REDACT, once its origin has looked the message up; ChanServ REGISTER and DROP), into the
   * network's order, so that every node runs it with one stamp; false when it cannot go (Redis
   * away, or this node not yet known again; for a `change` of a channel, not yet merged either):
   * then it runs here alone, as a message would, or is refused.
   */
  order(req: Request, change = false): boolean {
    if (this.applying || req.client.user === null || this.cannotOrder(change)) return false;
    this.submit(req, req, req.msg);
    return true;
  }

  /**
   * The order cannot take a command now: Redis is away, or the others do not know this node
   * again yet; for a `change` of a channel, also while the others' view is not merged.
   */
  private cannotOrder(change: boolean): boolean {
    return this.bus.isDown || this.localOnly || (change && this.resyncing);
  }

  /**
   * Run `msg` (a JOIN the server makes for the client, e.g. the default channel) through the
   * order; while it cannot take it, the client is told, as if it had sent `msg` itself.
   */
  submitFor(req: Request, msg: Message): void {
    const run = new Request(this.server, req.client, msg);
    if (!this.bus.isDown) return this.submit(req, run, msg);
    run.standard(
      'FAIL',
      'CLUSTER_DEGRADED',
      `${DEGRADED}; you will be joined to ${msg.params[0]} then`,
    );
    run.finish();
    if (this.lobbyLater.size >= 1024) this.forgetGone(); // users come and go during a long outage
    this.lobbyLater.set(req.client, msg);
  }

  /** The network is whole again: those who arrived without it are taken where submitFor would have. */
  runLater(): void {
    if (this.cannotOrder(false)) return; // away again: the next return tries
    this.forgetGone();
    for (const [client, msg] of this.lobbyLater) {
      const run = new Request(this.server, client, msg);
      this.submit(run, run, msg);
    }
    this.lobbyLater.clear();
  }

  private forgetGone(): void {
    for (const client of this.lobbyLater.keys()) {
      if (client.user === null || client.conn.isGone()) this.lobbyLater.delete(client);
    }
  }

  private submit(holder: Request, run: Request, msg: Message, gathering?: Gathering): void {
    const client = holder.client;
    const id = ++this.nextId;
    this.pending.set(id, { holder, run, sentAt: this.server.clock(), gathering });
    if (++client.inflight >= MAX_INFLIGHT && !client.windowFull) {
      // A full window: its socket is not read until the order has carried half of it back.
      client.windowFull = true;
      if (client.conn.flowState().blockers++ === 0) flowStats.held++;
    }
    holder.hold();
    this.bus.announce({
      t: 'cmd',
      node: this.nodeId,
      id,
      nick: client.user!.nick,
      caps: client.caps,
      tags: msg.tags === null ? null : [...msg.tags],
      command: msg.command,
      params: msg.params,
      batch: gathering === undefined ? undefined : loggedBatch(gathering),
      ms: 0, // set by the bus where it arrives: its place in the order
      seq: 0,
    });
  }

  /** Resolves when `client` has no command in flight. */
  private drained(client: Client): Promise<void> {
    return new Promise((resolve) => {
      const list = this.drainWaiters.get(client);
      if (list === undefined) this.drainWaiters.set(client, [resolve]);
      else list.push(resolve);
    });
  }

  /** One of this node's commands is back (or given up): its client may go on. */
  private settled(p: Pending): void {
    const client = p.holder.client;
    if (p.run !== p.holder) p.run.finish();
    p.holder.release();
    client.inflight--;
    if (client.windowFull && client.inflight <= MAX_INFLIGHT >> 1) {
      client.windowFull = false;
      const conn = client.conn;
      if (--conn.flowState().blockers === 0 && !conn.isGone()) conn.resume();
    }
    if (client.inflight > 0) return;
    const waiters = this.drainWaiters.get(client);
    if (waiters === undefined) return;
    this.drainWaiters.delete(client);
    for (const resolve of waiters) resolve();
  }

  /**
   * Give up on commands sent before `before` (Redis went away after they were sent, or lost
   * them): their senders are told, and go on. With no argument: every command in flight.
   */
  expire(before = Infinity): void {
    // Swept (Redis answers but has not carried it): it may come back later, and then runs. Cut
    // off: Redis may have taken it and the other servers carried it out, though this one never
    // heard it back (the resync then puts this node's users' channels back as this node has them).
    const why =
      before === Infinity
        ? 'The link to the network broke before this command was confirmed; other servers may have carried it out'
        : 'The network has not carried this command out in time; it may still happen';
    for (const [id, p] of this.pending) {
      if (p.sentAt >= before) break; // in order of sending
      this.pending.delete(id);
      p.holder.standard('FAIL', 'CLUSTER_DEGRADED', why);
      this.settled(p);
    }
  }

  /** A command in the network's order: run it here as every node does. */
  apply(m: LoggedCommand): void {
    let req: Request;
    let pend: Pending | undefined;
    const ours = m.node === this.nodeId;
    if (ours) pend = this.pending.get(m.id);
    if (pend !== undefined) {
      this.pending.delete(m.id);
      req = pend.run;
      if (req.client.user === null || req.client.conn.isGone()) return this.settled(pend);
    } else {
      // Another node's command, or one of ours given up here (its sender was told it may still
      // happen): every other node runs it as it comes, so it runs here too, as its user's.
      if (READS.has(m.command)) return;
      const user = this.server.network.findUser(m.nick);
      if (user === undefined || user.remote !== (ours ? null : m.node)) return;
      const tags = m.tags === null ? null : new Map(m.tags);
      if (ours)
        tags?.delete('label'); // that label was answered by the FAIL
      else user.client.caps = m.caps & ~CAPBIT.LABELED_RESPONSE;
      req = new Request(this.server, user.client, {
        tags,
        source: null,
        command: m.command,
        params: m.params,
      });
    }
    // A late batch of ours runs beside one its client may have opened since: that one is kept.
    const own = req.client.multiline;
    if (m.batch !== undefined) req.client.multiline = pend?.gathering ?? gathering(m.batch);
    const stamper = this.server.stamper;
    stamper.pin(orderStamp(m.ms, m.seq));
    this.applying = true;
    // Its sender is the current sender (flow.ts): a reader here over the mark holds it back,
    // directly when it is ours, through its node when it is another node's (remote-flow.ts).
    const user = req.client.user;
    const was = setCurrent(user!.remote === null ? req.client.conn : this.flow.senderFor(user!));
    try {
      this.server.commands.run(req);
    } catch (err) {
      this.server.log.error({ err, command: m.command, node: m.node }, 'cluster: command failed');
    } finally {
      setCurrent(was);
      if (m.batch !== undefined) req.client.multiline = own;
      this.applying = false;
      stamper.unpin();
    }
    if (pend !== undefined) this.settled(pend);
    else req.finish();
  }
}
