// One server as a node of a cluster: the other nodes' users, network-wide nick claims, and private messages that cross nodes.
//
// The other nodes' users are mirrored here from the directory (cluster/bus.ts), so "who holds
// this nick, and on which node" is answered at once, without a round trip. A nick becomes ours
// only through a claim in Redis (atomic, network-wide); the mirror lets a nick held elsewhere be
// refused without asking. A private message to a user of another node is one PUBLISH to that
// node, which delivers it as if its own user had received it from a local one.
//
// Not across nodes yet: channels (each node's channels are its own), WHO/NAMES of remote users,
// history of messages between nodes, account logins seen elsewhere.
import { fold, type Tags } from '../protocol/index.js';
import { ClusterBus, type BusMessage, type DirEntry } from '../cluster/bus.js';
import { CAPBIT } from './capabilities.js';
import { consoleForm } from './commands/messaging.js';
import { ServerEvent } from './event.js';
import type { Server } from './server.js';
import type { User } from './user.js';

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
      degraded: (down, why) => {
        if (down) server.log.warn({ cluster: url, why }, 'cluster: Redis unreachable');
        else server.log.info({ cluster: url }, 'cluster: Redis reachable again');
      },
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

  /** The user of another node holding `nick`, if any. */
  find(nick: string): RemoteUser | undefined {
    return this.remote.get(fold(nick));
  }

  /** All users of the other nodes. */
  all(): IterableIterator<RemoteUser> {
    return this.remote.values();
  }

  /** Claim `nick` network-wide for a user of this node: true when nobody else holds it. */
  async claim(nick: string, username: string, host: string, realname: string): Promise<boolean> {
    if (this.find(nick) !== undefined) return false;
    return this.bus.claim(fold(nick), this.entry(nick, username, host, realname));
  }

  /** Give back a nick this node held (a user left, or moved to another nick). */
  release(nick: string): void {
    this.bus.release(fold(nick));
  }

  /** A user of this node finished registering: every node learns of it. */
  arrive(user: User): void {
    this.bus.announce({ t: 'arrive', e: this.entryOf(user) });
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

  private entry(nick: string, user: string, host: string, realname: string): DirEntry {
    return { node: this.nodeId, nick, user, host, realname };
  }

  private entryOf(u: User): DirEntry {
    return this.entry(u.nick, u.username, u.host, u.realname);
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
      case 'gone':
        for (const r of [...this.remote.values()]) if (r.node === m.node) this.gone(r.nick, r.node);
        return;
      case 'deliver':
        return this.delivered(m);
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
