// One server as a node of a cluster: the other nodes' users, network-wide nick claims, and private messages that cross nodes.
//
// The other nodes' users are mirrored here from the directory (cluster/bus.ts), so "who holds
// this nick, and on which node" is answered at once, without a round trip. A nick becomes ours
// only through a claim in Redis (atomic, network-wide); the mirror lets a nick held elsewhere be
// refused without asking. A private message to a user of another node is one PUBLISH to that
// node, which delivers it as if its own user had received it from a local one.
//
// Without Redis a node serves its own users alone (they are told), granting nicks nobody is known
// to hold; when Redis returns it claims its users' nicks again (renaming any another node gave out
// meanwhile) and rebuilds the mirror: nodes are the truth about their own users, and the
// directory can always be rebuilt from them.
//
// Not across nodes yet: channels (each node's channels are its own), WHO/NAMES of remote users,
// history of messages between nodes, account logins seen elsewhere.
import { fold, serializeBody, type Tags } from '../protocol/index.js';
import { ClusterBus, HEARTBEAT_MS, type BusMessage, type DirEntry } from '../cluster/bus.js';
import { CAPBIT } from './capabilities.js';
import { consoleForm } from './commands/messaging.js';
import { ServerEvent } from './event.js';
import type { Server } from './server.js';
import type { User } from './user.js';

/** After a resync's claims, how long the other nodes get to re-announce theirs. */
const RESYNC_SETTLE_MS = 2 * HEARTBEAT_MS;

/** A user of another node, as the directory describes it. */
export interface RemoteUser extends DirEntry {
  prefix: string;
}

export class ClusterLink {
  /** The other nodes' users by folded nick. */
  private readonly remote = new Map<string, RemoteUser>();
  private readonly bus: ClusterBus;

  constructor(
    private readonly server: Server,
    url: string,
    readonly nodeId: string,
  ) {
    this.bus = new ClusterBus(url, nodeId, server.config.name, {
      directory: (entries) => {
        for (const e of entries) this.arrived(e);
      },
      message: (m) => this.received(m),
      degraded: (down, why) => this.degraded(down, why),
    });
  }

  /** Join the cluster: connect, read the directory, start the heartbeat. */
  start(): Promise<void> {
    return this.bus.start();
  }

  close(): Promise<void> {
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
  find(nick: string): RemoteUser | undefined {
    return this.remote.get(fold(nick));
  }

  /** All users of the other nodes. */
  all(): IterableIterator<RemoteUser> {
    return this.remote.values();
  }

  /**
   * Claim `nick` network-wide for a user of this node: true when nobody else holds it. While
   * Redis is away this node goes on alone: a nick nobody is known to hold is granted, and claimed
   * for real when Redis is back (resync).
   */
  async claim(nick: string, username: string, host: string, realname: string): Promise<boolean> {
    if (this.find(nick) !== undefined) return false;
    if (this.bus.isDown) return true;
    return this.bus.claim(fold(nick), this.entry(nick, username, host, realname));
  }

  /** Give back a nick this node held (a user left, or moved to another nick). */
  release(nick: string): void {
    this.bus.release(fold(nick));
  }

  /** A user of this node finished registering: every node learns of it. */
  arrive(user: User): void {
    const e = this.entryOf(user);
    // Logged in before the welcome (SASL, PASS): the claimed entry learns the account too.
    if (e.account !== null) this.bus.update(user.folded, e).catch(() => {});
    this.bus.announce({ t: 'arrive', e });
  }

  /** A user of this node logged in or out: its entry (WHOIS 330 elsewhere) follows. */
  updated(user: User): void {
    const e = this.entryOf(user);
    this.bus.update(user.folded, e).catch(() => {});
    this.bus.announce({ t: 'update', e });
  }

  /** A user of this node left. */
  leave(user: User, reason: string): void {
    this.release(user.nick);
    this.bus.announce({ t: 'leave', node: this.nodeId, nick: user.nick, reason });
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
    to: RemoteUser,
    verb: string,
    text: string | null,
    tags: Tags | null,
    out: ServerEvent,
  ) {
    this.bus.sendTo(to.node, {
      t: 'deliver',
      src: from.prefix,
      from: from.nick,
      account: from.accountName,
      verb,
      to: to.nick,
      text,
      tags: tags === null ? null : [...tags],
      ms: out.stamp.ms,
      time: out.stamp.time,
      msgid: out.stamp.msgid,
    });
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
      return;
    }
    server.log.info({ cluster: this.url }, 'cluster: Redis reachable again');
    void this.resync().then(() => this.noticeAll('The network is whole again.'));
  }

  /**
   * After Redis was away (restarted empty, or this node cut off long enough to be reaped): claim
   * every user of this node again, rename the few whose nick another node gave out meanwhile,
   * announce them all, and rebuild the mirror once the other nodes have done the same.
   */
  private async resync(): Promise<void> {
    const users = [...this.server.network.allUsers()];
    let claimed: boolean[];
    try {
      claimed = await Promise.all(users.map((u) => this.bus.claim(u.folded, this.entryOf(u))));
    } catch {
      return; // away again: the next return tries again
    }
    users.forEach((u, k) => {
      if (claimed[k]) this.bus.announce({ t: 'arrive', e: this.entryOf(u) });
      else
        this.server.reservations.rename(
          u,
          `${u.nick} was taken on another server while the network was split`,
        );
    });
    // The others re-announce within a heartbeat or two; then the directory is whole again.
    await new Promise((resolve) => setTimeout(resolve, RESYNC_SETTLE_MS));
    let entries: DirEntry[];
    try {
      entries = await this.bus.directory();
    } catch {
      return;
    }
    const now = new Set(entries.map((e) => fold(e.nick)));
    for (const r of [...this.remote.values()])
      if (!now.has(fold(r.nick))) this.gone(r.nick, r.node);
    for (const e of entries) if (!this.remote.has(fold(e.nick))) this.arrived(e);
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
    return { ...this.entry(u.nick, u.username, u.host, u.realname), account: u.accountName };
  }

  private arrived(e: DirEntry): void {
    if (e.node === this.nodeId) return;
    const r: RemoteUser = { ...e, prefix: `${e.nick}!${e.user}@${e.host}` };
    this.remote.set(fold(e.nick), r);
    this.server.presence(e.nick, r.prefix);
  }

  private gone(nick: string, node: string): void {
    const k = fold(nick);
    const r = this.remote.get(k);
    if (r === undefined || r.node !== node) return;
    this.remote.delete(k);
    this.server.presence(r.nick, null);
  }

  private received(m: BusMessage): void {
    switch (m.t) {
      case 'arrive':
        return this.arrived(m.e);
      case 'leave':
        return this.gone(m.nick, m.node);
      case 'nick':
        if (m.node === this.nodeId) return;
        this.gone(m.from, m.node);
        return this.arrived(m.e);
      case 'update':
        if (m.e.node !== this.nodeId && this.remote.has(fold(m.e.nick))) {
          this.remote.set(fold(m.e.nick), {
            ...m.e,
            prefix: `${m.e.nick}!${m.e.user}@${m.e.host}`,
          });
        }
        return;
      case 'gone':
        for (const r of [...this.remote.values()]) if (r.node === m.node) this.gone(r.nick, r.node);
        return;
      case 'deliver':
        return this.delivered(m);
      case 'batch':
        return; // unpacked by the bus
    }
  }

  /** A message from another node's user to one of ours. */
  private delivered(m: Extract<BusMessage, { t: 'deliver' }>): void {
    const server = this.server;
    const to = server.network.findUser(m.to);
    if (to === undefined) return; // gone meanwhile: the sender's node could not know
    const params = m.text === null ? [to.nick] : [to.nick, m.text];
    const out = new ServerEvent(
      m.src,
      m.verb,
      params,
      { ms: m.ms, time: m.time, msgid: m.msgid },
      m.tags === null ? null : new Map(m.tags),
    );
    out.account = m.account;
    if (m.verb === 'TAGMSG' && !to.client.has(CAPBIT.MESSAGE_TAGS)) return;
    server.network.toUser(to, out);
    if (m.text !== null) {
      const { kind, text } = consoleForm(m.verb, m.text);
      server.chatlog.privateMessage(m.ms, m.from, [to.nick], text, kind);
    }
  }
}
