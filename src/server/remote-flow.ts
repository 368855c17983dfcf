// Flow control across cluster nodes: a reader here who cannot keep up holds back a sender of another node, through that sender's node.
//
// flow.ts holds a sender back while one of its recipients is over the high-water mark, by not
// reading the sender's socket. A sender of another node has no socket here: its replica stands
// for it as a RemoteSender, the current sender while its message is delivered here (replica.ts
// apply, cluster.ts delivered). When the first recipient here takes it as a waiter, this node
// sends its node `{t:'flow', on:true}`; when the last one lets it go (drained, on its own, or
// gone, by flow.ts's own rules), `{on:false}`. The sender's node counts each holding node as one
// blocker of the sender's connection, exactly as a local recipient would be, so TCP slows the
// sender. A hold lasts at most HOLD_LIMIT_MS unless renewed: a lost release, a node that died
// or a sender renamed meanwhile cannot stall anyone, and flow.ts lets a reader hold senders for
// at most HOLD_MS in a row anyway.
//
//   node B (reader over the mark)                     node A (the sender's)
//   congested(reader) ── held() ── {flow on}  ──────► sender's blockers + 1: its socket not read
//   release(reader)  ── resume() ─ {flow off} ──────► blockers - 1: read again when none is left
import type { ClusterBus } from '../cluster/bus.js';
import { Flow, flowStats, type FlowPeer } from './flow.js';
import type { Server } from './server.js';
import type { User } from './user.js';

/** How long a hold from another node lasts without its release (a little over flow.ts's HOLD_MS). */
export const HOLD_LIMIT_MS = 3000;

/** A user of another node as flow control here sees it: a sender that can be held through its node. */
class RemoteSender implements FlowPeer {
  flow: Flow | null = null;

  constructor(
    private readonly link: RemoteFlow,
    readonly user: User,
  ) {}

  pending(): number {
    return 0;
  }
  sendqBytes(): number {
    return this.link.server.config.sendq;
  }
  sendqTimeout(): number {
    return this.link.server.config.sendqTimeout;
  }
  now(): number {
    return this.link.server.clock();
  }
  isGone(): boolean {
    return this.user.remote === null; // never: a replica stays one until it leaves
  }
  flowState(): Flow {
    return (this.flow ??= new Flow());
  }
  /** The first recipient here holds it back: tell its node. */
  held(): void {
    this.link.tell(this.user, true);
  }
  /** The last recipient here let it go. */
  resume(): void {
    this.link.tell(this.user, false);
  }
  stalled(): void {}
  poll(): void {}
}

export class RemoteFlow {
  private readonly senders = new WeakMap<User, RemoteSender>();
  /** This node's users held by other nodes: the holding nodes, each with its expiry timer. */
  private readonly holds = new Map<User, Map<string, NodeJS.Timeout>>();

  constructor(
    readonly server: Server,
    private readonly bus: ClusterBus,
    private readonly nodeId: string,
  ) {}

  /** The flow-control stand-in for `user`, a replica, while its message is delivered here. */
  senderFor(user: User): FlowPeer {
    let s = this.senders.get(user);
    if (s === undefined) this.senders.set(user, (s = new RemoteSender(this, user)));
    return s;
  }

  /** Ask the node of `user` (a replica) to hold it back, or to let it go. */
  tell(user: User, on: boolean): void {
    if (user.remote === null || this.bus.isDown) return;
    this.bus.sendTo(user.remote, { t: 'flow', node: this.nodeId, nick: user.nick, on });
  }

  /** Node `from` holds back (or lets go) `nick`, one of this node's users. */
  received(from: string, nick: string, on: boolean): void {
    const user = this.server.network.findUser(nick);
    if (user === undefined || user.remote !== null) return;
    if (on) this.hold(user, from);
    else this.release(user, from);
  }

  private hold(user: User, from: string): void {
    const conn = user.client.conn;
    if (conn.isGone()) return;
    let mine = this.holds.get(user);
    if (mine === undefined) this.holds.set(user, (mine = new Map()));
    const timer = mine.get(from);
    if (timer === undefined) {
      if (conn.flowState().blockers++ === 0) flowStats.held++;
    } else {
      clearTimeout(timer);
    }
    const expiry = setTimeout(() => this.release(user, from), HOLD_LIMIT_MS);
    expiry.unref();
    mine.set(from, expiry);
  }

  private release(user: User, from: string): void {
    const mine = this.holds.get(user);
    const timer = mine?.get(from);
    if (mine === undefined || timer === undefined) return;
    clearTimeout(timer);
    mine.delete(from);
    if (mine.size === 0) this.holds.delete(user);
    const conn = user.client.conn;
    const f = conn.flow;
    if (f !== null && --f.blockers === 0 && !conn.isGone()) conn.resume();
  }

  /** Node `node` is gone (or Redis is: every node) — its holds go with it. */
  releaseFrom(node: string | null): void {
    for (const [user, mine] of [...this.holds]) {
      for (const from of [...mine.keys()])
        if (node === null || from === node) this.release(user, from);
    }
  }
}
