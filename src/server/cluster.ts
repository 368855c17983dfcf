// One server as a node of a cluster: the bus's news in order, network-wide nick claims, private messages that cross nodes.
//
// The other nodes' users are held here as replicas (mirror.ts) in the network like local ones,
// so "who holds this nick, and on which node" is answered at once, and they appear in NAMES, WHO,
// WHOIS and channels. A nick becomes ours only through a claim in Redis (atomic, network-wide); the
// replicas let a nick held elsewhere be refused without asking. A private message to a user of
// another node is one PUBLISH to that node, which delivers it as if its own user had received it
// from a local one (cross-deliver.ts). Channels: replica.ts (commands in order), mirror.ts (snapshots, merges).
//
// Without Redis a node serves its own users alone (they are told), granting nicks nobody is known
// to hold; when Redis returns it claims its users' nicks again (renaming any another node gave out
// meanwhile) and rebuilds the mirror: nodes are the truth about their own users, and the
// directory can always be rebuilt from them.
//
// Accounts, history and registered channels cross nodes through a shared store (--db redis://);
// ChanServ REGISTER and DROP run on every node from the order, and snapshots carry founders.
import { fold, serializeBody, type Tags } from '../protocol/index.js';
import { ClusterBus, HEARTBEAT_MS } from '../cluster/bus.js';
import type { BusMessage, DirEntry, Snapshot } from '../cluster/messages.js';
import type { Request } from './commands/request.js';
import { delivered, deliveryOf } from './cross-deliver.js';
import type { ServerEvent } from './event.js';
import { entryOf, Mirror } from './mirror.js';
import { RemoteFlow } from './remote-flow.js';
import { Replica } from './replica.js';
import type { Server } from './server.js';
import type { User } from './user.js';

/** After a resync's claims, how long the other nodes get to re-announce theirs. */
const RESYNC_SETTLE_MS = 2 * HEARTBEAT_MS;
/** How long a nick Redis granted waits for the news that the replica holding it here left. */
const LEAVE_WAIT_MS = 1000;
/** How long a starting node waits for the snapshot it asked for. */
const SNAPSHOT_WAIT_MS = 5000;

export class ClusterLink {
  private readonly bus: ClusterBus;
  readonly replica: Replica;
  /** Readers here holding back senders of other nodes, and ours held by theirs. */
  private readonly flow: RemoteFlow;
  /** This node's copy of the network's users and channels (snapshots, merges). */
  private readonly mirror: Mirror;
  /** Show on the console the private messages other nodes deliver here (off for --workers). */
  showReceived = true;
  /** Users of this node whose QUIT published their leaving already (quitNow). */
  private readonly published = new WeakSet<User>();
  /** This turn's news of this node's unregistered count, not sent yet (unknownSoon). */
  private unknownNews: { t: 'unknown'; node: string; n: number } | null = null;
  /**
   * Catching up (start, or Redis back): what came before our snapshot request is in the snapshot
   * (dropped), what came after it waits for the snapshot (kept in order). Null: in step.
   */
  private catchUp: {
    /** After Redis was away: this node's copy was in step, so nothing before the request is dropped. */
    resync: boolean;
    asked: boolean;
    after: BusMessage[];
    done: (snap: Snapshot | null) => void;
  } | null = null;

  constructor(
    private readonly server: Server,
    url: string,
    readonly nodeId: string,
  ) {
    this.bus = new ClusterBus(url, nodeId, server.config.name, {
      directory: () => {}, // the users come with the snapshot, in step with the channels
      message: (m) => this.received(m),
      degraded: (down, why) => this.degraded(down, why),
    });
    this.flow = new RemoteFlow(server, this.bus, nodeId);
    this.replica = new Replica(server, this.bus, nodeId, this.flow);
    this.mirror = new Mirror(server, this.bus, nodeId);
    server.network.census.unknownChanged = () => this.unknownSoon();
  }

  /**
   * Tell the others this node's count of unregistered connections: one message per turn at most,
   * queued at the first change and updated in place until the bus sends it at the turn's end.
   */
  private unknownSoon(): void {
    const n = this.server.network.census.unregistered;
    if (this.unknownNews !== null) {
      this.unknownNews.n = n;
      return;
    }
    if (this.bus.isDown) return;
    this.unknownNews = { t: 'unknown', node: this.nodeId, n };
    this.bus.announce(this.unknownNews);
    setImmediate(() => (this.unknownNews = null)); // after the bus's flush, queued before it
  }

  /** Join the cluster: connect, start the heartbeat, take the network's state from a live node. */
  async start(): Promise<void> {
    await this.bus.start();
    const snap = await this.askSnapshot();
    if (snap !== null && snap !== 'alone') this.mirror.load(snap, this.server.clock());
  }

  /**
   * Ask a live node for the network's state as of the request's place in the order: 'alone' when
   * no other node is alive, null when none answered in time (then what follows is all we have).
   */
  private async askSnapshot(resync = false): Promise<Snapshot | 'alone' | null> {
    const live = await this.bus.liveNodes();
    if (live.length === 0) return 'alone';
    return new Promise<Snapshot | null>((resolve) => {
      const timer = setTimeout(() => {
        this.server.log.warn({ from: live[0] }, 'cluster: no snapshot came; starting without one');
        finish(null);
      }, SNAPSHOT_WAIT_MS);
      const finish = (snap: Snapshot | null): void => {
        clearTimeout(timer);
        const after = this.catchUp?.after ?? [];
        this.catchUp = null;
        resolve(snap);
        // After the snapshot is loaded (the caller's next step), what followed the request.
        setImmediate(() => {
          for (const m of after) this.handle(m);
        });
      };
      this.catchUp = { resync, asked: false, after: [], done: finish };
      this.bus.announce({ t: 'snapreq', node: this.nodeId, from: live[0] });
    });
  }

  close(): Promise<void> {
    this.replica.close();
    return this.bus.close();
  }

  get url(): string {
    return this.bus.url;
  }

  /** The network's cloak secret: `mine` unless another node set one first. */
  shareSecret(mine: string): Promise<string> {
    return this.bus.shareSecret(mine);
  }

  /** Redis answers: messages can reach the other nodes. */
  get reachable(): boolean {
    return !this.bus.isDown;
  }

  /** The user of another node holding `nick`, if any. */
  find(nick: string): User | undefined {
    const u = this.server.network.findUser(nick);
    return u !== undefined && u.remote !== null ? u : undefined;
  }

  /**
   * Claim `nick` network-wide for a user of this node: true when nobody else holds it. While
   * Redis is away this node goes on alone: a nick nobody is known to hold is granted, and claimed
   * for real when Redis is back (resync).
   */
  async claim(nick: string, username: string, host: string, realname: string): Promise<boolean> {
    const held = this.find(nick) !== undefined;
    if (this.bus.isDown) return !held;
    if (held && this.replica.resyncing) return false; // Redis's hash may not have it again yet
    const folded = fold(nick);
    if (!(await this.bus.claim(folded, this.entry(nick, username, host, realname)))) return false;
    if (this.find(nick) === undefined) return true;
    // Granted though a user of another node holds it here: it has just left (someone who
    // reconnects through another node), and the news is on its way. Wait for it, briefly.
    for (let waited = 0; waited < LEAVE_WAIT_MS; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (this.find(nick) === undefined) return true;
    }
    this.bus.release(folded);
    return false;
  }

  /** Give back a nick this node held (a user left, or moved to another nick). */
  release(nick: string): void {
    void this.bus.release(fold(nick));
  }

  /** A user of this node finished registering: every node learns of it. */
  arrive(user: User): void {
    const e = this.entryOf(user);
    // Logged in before the welcome (SASL, PASS): the claimed entry learns the account too.
    if (e.account !== null) this.bus.update(user.folded, e).catch(() => {});
    this.bus.announce({ t: 'arrive', e, modes: user.modes });
  }

  /** A user of this node logged in or out, or the server changed its modes (OPER): replicas follow. */
  updated(user: User): void {
    const e = this.entryOf(user);
    this.bus.update(user.folded, e).catch(() => {});
    this.bus.announce({ t: 'update', e, modes: user.modes });
  }

  /**
   * Hold `req`'s client (`then` and its later lines) until the news this command announced has
   * reached every node (Redis published it), or 1 s: whoever acts on its answer, on any node,
   * sees the change (a MONITOR watcher of a new nick, the ACCOUNT of a login). At once when
   * Redis is away.
   */
  afterNews(req: Request, then: () => void = () => {}): void {
    if (!this.reachable) return then();
    req.waitFor(this.bus.announceNow(), then, then, 1000);
  }

  /** A user of this node left. */
  leave(user: User, reason: string): void {
    if (this.published.delete(user)) return; // its QUIT did both already (quitNow)
    this.release(user.nick);
    this.bus.announce({ t: 'leave', node: this.nodeId, nick: user.nick, reason });
  }

  /**
   * A user of this node sent QUIT: give its nick back and publish its leaving before its link
   * closes, so that whatever the client (or anyone it tells) does after seeing its ERROR, on any
   * node, finds it gone (WHOWAS, MONITOR, a reconnect with the same nick).
   */
  async quitNow(user: User, reason: string): Promise<void> {
    const leave = { t: 'leave' as const, node: this.nodeId, nick: user.nick, reason };
    const [, told] = await Promise.all([
      this.bus.release(fold(user.nick)),
      this.bus.announceNow(leave),
    ]);
    if (told) this.published.add(user);
  }

  /**
   * A user of this node changed nick from `from`. NICK claimed the new one first; a rename by the
   * server (Guest<N>) claims it here, best effort (an entry we already hold stays as it is).
   */
  renamed(user: User, from: string): void {
    const e = this.entryOf(user);
    if (fold(from) === user.folded) {
      this.bus.update(user.folded, e).catch(() => {});
    } else {
      this.bus.claim(user.folded, e).catch(() => false);
      this.release(from);
    }
    this.bus.announce({ t: 'nick', node: this.nodeId, from, e });
  }

  /** Deliver a message from a user of this node to a user of another. */
  deliver(
    from: User,
    to: User,
    verb: string,
    text: string | null,
    tags: Tags | null,
    out: ServerEvent,
  ): void {
    this.bus.sendTo(to.remote!, deliveryOf(from, to, verb, text, tags, out));
    from.client.handedOver = true;
  }

  /** Redis went away, or came back: tell our users, and on return put our users back in the directory. */
  private degraded(down: boolean, why: string): void {
    const server = this.server;
    if (down) {
      server.log.warn(
        { cluster: this.url, why },
        'cluster: Redis unreachable, serving this node alone',
      );
      this.noticeAll(
        'The network is degraded: the other servers cannot be reached. Chat with users of this server goes on.',
      );
      this.replica.expire(); // whatever was in flight may never come back
      this.flow.releaseFrom(null); // nor the releases of what other nodes held back
      return;
    }
    server.log.info({ cluster: this.url }, 'cluster: Redis reachable again');
    // Channel changes wait until the others' view is merged (their copies lack our users until
    // then); messages to channels go on locally until our users are announced again.
    this.replica.resyncing = true;
    this.replica.localOnly = true;
    void this.resync()
      .finally(() => {
        this.replica.resyncing = false;
        this.replica.localOnly = false;
      })
      .then(() => {
        this.noticeAll('The network is whole again.');
        this.replica.runLater(); // the default channel of those who arrived meanwhile
      });
  }

  /**
   * After Redis was away (restarted empty, or this node cut off long enough to be reaped): claim
   * every user of this node again, rename the few whose nick another node gave out meanwhile,
   * announce them all, then, once the other nodes have done the same, take the network's state
   * from a live node and put this node's users back where the others lost them.
   */
  private async resync(): Promise<void> {
    const users = [...this.server.network.allUsers()].filter((u) => u.remote === null);
    let claimed: boolean[];
    try {
      claimed = await Promise.all(users.map((u) => this.bus.claim(u.folded, this.entryOf(u))));
    } catch {
      return; // away again: the next return tries again
    }
    users.forEach((u, k) => {
      if (claimed[k]) this.bus.announce({ t: 'arrive', e: this.entryOf(u), modes: u.modes });
      else
        this.server.reservations.rename(
          u,
          `${u.nick} was taken on another server while the network was split`,
        );
    });
    // Our users back in their channels everywhere, ahead of their next message in the order:
    // from here on their messages reach the other nodes' members again.
    this.mirror.rejoinAll();
    this.replica.localOnly = false;
    // The others re-announce within a heartbeat or two; then the network is whole again.
    await new Promise((resolve) => setTimeout(resolve, RESYNC_SETTLE_MS));
    let snap: Snapshot | 'alone' | null;
    try {
      snap = await this.askSnapshot(true);
    } catch {
      return;
    }
    // Alone: the nodes that were there died while Redis was away (nobody reaped them).
    if (snap !== null)
      this.mirror.merge(snap === 'alone' ? { users: [], channels: [], ended: [] } : snap);
  }

  private noticeAll(text: string): void {
    const name = this.server.config.name;
    for (const u of this.server.network.allUsers()) {
      u.client.conn.sendText(serializeBody(name, 'NOTICE', [u.nick, text]) + '\r\n');
    }
  }

  private entry(nick: string, user: string, host: string, realname: string): DirEntry {
    return { node: this.nodeId, nick, user, host, account: null, realname };
  }

  private entryOf(u: User): DirEntry {
    return entryOf(u, this.nodeId);
  }

  private received(m: BusMessage): void {
    const c = this.catchUp;
    if (c !== null) {
      if (m.t === 'snapshot') return c.done(m);
      if (m.t === 'snapreq' && m.node === this.nodeId) {
        c.asked = true;
        return;
      }
      if (m.t === 'snapreq') return this.handle(m); // two nodes catching up at once answer each other
      if (m.t === 'deliver') return this.handle(m); // a private message is in no snapshot: now
      // After our request: applied once the snapshot is. Before it: already in the snapshot for
      // a node that starts empty; for a resync, news (another node's channel message is in no
      // snapshot), applied now.
      if (c.asked) c.after.push(m);
      else if (c.resync) this.handle(m);
      return;
    }
    this.handle(m);
  }

  private handle(m: BusMessage): void {
    switch (m.t) {
      case 'arrive':
        return this.mirror.arrived(m.e, m.modes);
      case 'leave':
        return this.mirror.gone(m.nick, m.node, m.reason);
      case 'nick':
        return this.mirror.renamed(m.node, m.from, m.e);
      case 'update':
        return this.mirror.updated(m.e, m.modes);
      case 'flow':
        return this.flow.received(m.node, m.nick, m.on);
      case 'gone':
        this.flow.releaseFrom(m.node);
        this.server.network.census.unknownElsewhere.delete(m.node);
        return this.mirror.nodeGone(m.node);
      case 'unknown':
        if (m.node !== this.nodeId) this.server.network.census.unknownElsewhere.set(m.node, m.n);
        return;
      case 'cmd':
        return this.replica.apply(m);
      case 'rejoin':
        return this.mirror.rejoined(m);
      case 'unjoin':
        return this.mirror.unjoined(m.node, m.nick, m.channel);
      case 'snapreq':
        this.unknownSoon(); // a node (re)joins: it learns our count
        if (m.from === this.nodeId) {
          this.bus.sendTo(m.node, { t: 'snapshot', ...this.mirror.snapshot() });
        }
        return;
      case 'snapshot':
        return; // not asked for (late, after a timeout)
      case 'deliver':
        return delivered(this.server, this.flow, m, this.showReceived);
      case 'batch':
        return; // unpacked by the bus
    }
  }
}
