// In a cluster, this node's copy of the network's state: the other nodes' users as replicas (kept by the directory's news), a snapshot of it all for a node that starts, and the merge after a split.
//
// A replica is a User whose Client uses a connection closed from the start (nowhereConn), so
// whatever this node queues for it goes nowhere: its own node delivers. A starting node load()s
// a live node's snapshot(); after Redis was away a node merge()s the others' view into its copy,
// telling its users what changed, puts its own users back where the others lost them (rejoin),
// and takes them out where the others have them and it does not (unjoin). The commands that keep
// the copies equal afterwards run in replica.ts.
import { fold } from '../protocol/index.js';
import type { ClusterBus } from '../cluster/bus.js';
import type { DirEntry, SnapChannel, SnapUser, Snapshot } from '../cluster/messages.js';
import { CAPBIT } from './capabilities.js';
import type { Channel, ListMode } from './channel.js';
import { Client } from './client.js';
import { nowhereConn } from './connection.js';
import type { Server } from './server.js';
import { historyScope, User } from './user.js';

export class Mirror {
  constructor(
    private readonly server: Server,
    private readonly bus: ClusterBus,
    private readonly nodeId: string,
  ) {}

  /** A user of another node, as this node holds it. */
  makeUser(e: DirEntry, signonAt: number): User {
    const client = new Client(nowhereConn(), e.host);
    const user = new User(e.nick, e.user, e.realname, e.host, client, signonAt);
    client.user = user;
    user.remote = e.node;
    user.remoteHistoryId = e.hid ?? `c:?@${e.node}`;
    return user;
  }

  /** A user of another node arrived (or was announced again by its node's resync). */
  arrived(e: DirEntry, modes = ''): void {
    if (e.node === this.nodeId) return;
    const held = this.server.network.findUser(e.nick);
    if (held !== undefined) {
      if (held.remote === null) return; // ours: resync renames whichever lost the claim
      // Announced again (its node's resync after Redis was away): the same user, still here.
      if (held.remote === e.node) return this.updated(e, modes);
      this.gone(held.nick, held.remote, 'Reconnected elsewhere');
    }
    const user = this.addUser(e, modes, this.server.clock());
    if (user !== null) this.server.presence(user.nick, user.prefix);
  }

  /** A user of node `node` left (or the node did): QUIT to those here who shared a channel with it. */
  gone(nick: string, node: string, reason: string): void {
    const user = this.server.network.findUser(nick);
    if (user === undefined || user.remote !== node) return;
    this.server.quitUser(user, reason);
  }

  /** A user of another node logged in or out, or had its modes changed by its server. */
  updated(e: DirEntry, modes: string | undefined): void {
    const net = this.server.network;
    const user = net.findUser(e.nick);
    if (user === undefined || user.remote !== e.node) return;
    if (modes !== undefined && modes !== user.modes) net.setUserModes(user, modes);
    if (e.account === user.accountName) return;
    net.setAccount(user, e.account);
    const out =
      e.account === null
        ? this.server.event(user.prefix, 'ACCOUNT', ['*'])
        : this.server.userEvent(user, 'ACCOUNT', [e.account]);
    net.deliver.toNeighboursAndWatchers(user, out, CAPBIT.ACCOUNT_NOTIFY);
  }

  /** A user of node `node` changed nick from `from` (a collision here drops it, as its node will). */
  renamed(node: string, from: string, e: DirEntry): void {
    if (node === this.nodeId) return;
    const user = this.server.network.findUser(from);
    if (user === undefined || user.remote !== node) return this.arrived(e);
    const holder = this.server.network.findUser(e.nick);
    if (holder !== undefined && holder !== user) return this.gone(from, node, 'Nick collision');
    this.server.changeNick(user, e.nick);
  }

  /** Node `node` died or left: each of its users QUITs. */
  nodeGone(node: string): void {
    for (const u of [...this.server.network.allUsers()]) {
      if (u.remote === node) this.server.quitUser(u, `${node} left the network`);
    }
  }

  /** Add the user of another node `e` (with user modes `modes`); false when its nick is held here. */
  addUser(e: DirEntry, modes: string, signonAt: number): User | null {
    const net = this.server.network;
    const user = this.makeUser(e, signonAt);
    if (!net.addRemoteUser(user)) return null;
    if (modes !== '') net.setUserModes(user, modes);
    if (e.account !== null) net.setAccount(user, e.account);
    return user;
  }

  /** The whole network as this node holds it, for a node that starts. */
  snapshot(): Snapshot {
    const users: SnapUser[] = [];
    for (const u of this.server.network.allUsers()) {
      users.push({ ...entryOf(u, this.nodeId), modes: u.modes, away: u.away });
    }
    // Invites are held by the users invited (User.invites): gathered per channel in one pass.
    const invited = new Map<Channel, string[]>();
    for (const u of this.server.network.allUsers()) {
      for (const c of u.invites ?? []) invited.set(c, [...(invited.get(c) ?? []), u.nick]);
    }
    const channels: SnapChannel[] = [];
    for (const c of this.server.network.allChannels()) {
      channels.push(
        channelOf(c, invited.get(c) ?? [], this.server.registry?.registeredAt(c) ?? null),
      );
    }
    return { users, channels, ended: [...this.server.network.endedNames()] };
  }

  /** Take a snapshot's users and channels (this node's own users are not in it: it has none yet). */
  load(snap: Snapshot, now: number): void {
    const net = this.server.network;
    for (const folded of snap.ended) net.markEnded(folded);
    for (const su of snap.users) {
      if (su.node === this.nodeId) continue;
      const user = this.addUser(su, su.modes, now);
      if (user !== null && su.away !== null) net.setAway(user, su.away);
    }
    for (const sc of snap.channels) {
      const { channel } = net.channel(sc.name, sc.createdAt);
      this.restoreState(channel, sc);
      for (const [nick, bits] of sc.members) {
        const user = net.findUser(nick);
        if (user !== undefined) net.restoreMember(channel, user, bits);
      }
      for (const nick of sc.invited) {
        const user = net.findUser(nick);
        if (user !== undefined) net.invite(channel, user);
      }
    }
  }

  /**
   * After Redis was away: take the others' view (`snap`) of their users and of the channels,
   * telling this node's users what changed (QUIT, JOIN, PART); this node's users that the others
   * lost meanwhile (reaped with this node) are put back in their channels (`rejoin`).
   */
  merge(snap: Snapshot): void {
    const server = this.server;
    const net = server.network;
    for (const folded of snap.ended) net.markEnded(folded);
    const theirs = new Map<string, SnapUser>();
    for (const su of snap.users) if (su.node !== this.nodeId) theirs.set(fold(su.nick), su);
    for (const u of [...net.allUsers()]) {
      const su = theirs.get(u.folded);
      if (u.remote !== null && su?.node !== u.remote) server.quitUser(u, 'Lost in a network split');
    }
    for (const su of theirs.values()) {
      if (net.findUser(su.nick) !== undefined) continue;
      const user = this.addUser(su, su.modes, server.clock());
      if (user !== null && su.away !== null) net.setAway(user, su.away);
    }
    const known = new Set<string>();
    for (const sc of snap.channels) {
      const { channel } = net.channel(sc.name, sc.createdAt);
      known.add(channel.folded);
      this.restoreState(channel, sc);
      const want = new Map<User, number>();
      for (const [nick, bits] of sc.members) {
        const u = net.findUser(nick);
        if (u !== undefined) want.set(u, bits);
      }
      for (const [u, bits] of [...channel.members]) {
        if (u.remote !== null && !want.has(u)) this.part(channel, u);
        if (u.remote === null && !want.has(u)) this.announceRejoin(channel, u, bits);
      }
      for (const [u, bits] of want) {
        if (channel.members.has(u)) continue;
        if (u.remote !== null) this.join(channel, u, bits);
        else this.bus.announce({ t: 'unjoin', node: this.nodeId, nick: u.nick, channel: sc.name });
      }
      // Theirs only through a user of ours who is not in it: it ends here as it will there.
      if (channel.members.size === 0 && channel.founder === null) net.forgetChannel(channel);
    }
    for (const channel of [...net.allChannels()]) {
      if (known.has(channel.folded)) continue;
      for (const [u, bits] of [...channel.members]) {
        if (u.remote !== null) this.part(channel, u);
        else this.announceRejoin(channel, u, bits);
      }
    }
  }

  /** A user of another node put back in a channel after a split (merge on its node). */
  rejoined(m: { e: DirEntry; modes: string; channel: string; bits: number }): void {
    if (m.e.node === this.nodeId) return;
    const net = this.server.network;
    // Dropped here meanwhile (this node found itself alone for a while): known again.
    const user = net.findUser(m.e.nick) ?? this.addUser(m.e, m.modes, this.server.clock());
    if (user === null || user.remote !== m.e.node) return;
    const { channel } = net.channel(m.channel, this.server.clock());
    if (!channel.members.has(user)) this.join(channel, user, m.bits);
  }

  /** A user of another node is not in `name` after all (merge on its node): out of it here too. */
  unjoined(node: string, nick: string, name: string): void {
    if (node === this.nodeId) return;
    const net = this.server.network;
    const user = net.findUser(nick);
    const channel = net.findChannel(name);
    if (user?.remote !== node || channel === undefined || !channel.members.has(user)) return;
    this.part(channel, user);
  }

  /**
   * Redis is back after a split: put each of this node's users back in its channels on the other
   * nodes (which may have dropped them) before any message of theirs goes through the order.
   */
  rejoinAll(): void {
    for (const u of this.server.network.allUsers()) {
      if (u.remote !== null) continue;
      for (const channel of u.channels)
        this.announceRejoin(channel, u, channel.members.get(u) ?? 0);
    }
  }

  private announceRejoin(channel: Channel, user: User, bits: number): void {
    const e = entryOf(user, this.nodeId);
    this.bus.announce({ t: 'rejoin', e, modes: user.modes, channel: channel.name, bits });
  }

  /** `user` (a replica) in `channel` with `bits`, told to this node's members. */
  private join(channel: Channel, user: User, bits: number): void {
    const server = this.server;
    server.network.restoreMember(channel, user, bits);
    server.network.deliver.toChannel(channel, server.userEvent(user, 'JOIN', [channel.name]), user);
  }

  /** `user` (a replica) out of `channel`, told to this node's members. */
  private part(channel: Channel, user: User): void {
    const server = this.server;
    const out = server.userEvent(user, 'PART', [channel.name, 'Lost in a network split']);
    server.network.deliver.toChannel(channel, out, user);
    server.network.leave(user, channel);
  }

  /** A channel's topic, modes and mask lists as `sc` has them. */
  private restoreState(channel: Channel, sc: SnapChannel): void {
    const net = this.server.network;
    if (channel.topic !== sc.topic || channel.topicAt !== sc.topicAt) {
      net.setTopic(channel, sc.topic, sc.topicBy, sc.topicAt);
    }
    for (const f of [...channel.flags])
      if (!sc.flags.includes(f)) net.setChannelFlag(channel, f, false);
    for (const f of sc.flags) if (!channel.has(f)) net.setChannelFlag(channel, f, true);
    if (channel.key !== sc.key) net.setKey(channel, sc.key);
    if (channel.limit !== sc.limit) net.setLimit(channel, sc.limit);
    for (const mode of ['b', 'e', 'I'] as const) {
      while (channel.lists[mode].length > 0) net.removeListEntry(channel, mode, 0);
      for (const entry of sc.lists[mode]) net.addListEntry(channel, mode, entry);
    }
    channel.large = sc.large;
    channel.historyFrom = sc.historyFrom;
    if (sc.founder !== undefined) {
      const registry = this.server.registry;
      if (registry !== null) registry.adopt(channel, sc.founder, sc.registeredAt ?? null);
      else channel.founder = sc.founder;
    }
  }
}

/** `u` as the directory describes it (`node`: this node, for one of its own users). */
export function entryOf(u: User, node: string): DirEntry {
  return {
    node: u.remote ?? node,
    nick: u.nick,
    user: u.username,
    host: u.host,
    account: u.accountName,
    realname: u.realname,
    hid: u.remote !== null ? u.remoteHistoryId : 'c:' + u.client.conn.id + historyScope.suffix,
  };
}

function channelOf(c: Channel, invited: string[], registeredAt: number | null): SnapChannel {
  const list = (mode: ListMode) => c.lists[mode].map((b) => ({ ...b }));
  return {
    name: c.name,
    createdAt: c.createdAt,
    topic: c.topic,
    topicBy: c.topicBy,
    topicAt: c.topicAt,
    flags: [...c.flags].join(''),
    key: c.key,
    limit: c.limit,
    lists: { b: list('b'), e: list('e'), I: list('I') },
    invited,
    large: c.large,
    members: [...c.members].map(([u, bits]) => [u.nick, bits]),
    historyFrom: c.historyFrom,
    founder: c.founder,
    registeredAt,
  };
}
