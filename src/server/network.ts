// The shared state: users by folded nick, channels by folded name, and membership.
// The only owner of that state: handlers go through it, so a cluster backend can replace it. Its
// LUSERS counts are census.ts; delivery to users and channels is `deliver` (fanout.ts).
import { fold } from '../protocol/index.js';
import { Channel, MEMBER, STATUS, type Ban, type ListMode } from './channel.js';
import type { User } from './user.js';
import { Census } from './census.js';
import { WhowasHistory } from './whowas.js';
import { Monitors } from './monitor.js';
import { Delivery } from './fanout.js';
import type { Client } from './client.js';
import { LargeChannels } from './large.js';
import { Logins } from './logins.js';
import { NickSlots } from './nick-slots.js';

export class Network {
  private readonly users = new Map<string, User>();
  /** Some of `users` by their nick's bytes (findUserBytes). */
  private readonly nickSlots = new NickSlots();
  private readonly channels = new Map<string, Channel>();
  /** Who is logged into each account. */
  private readonly logins = new Logins();
  /** The LUSERS counts. */
  readonly census = new Census();
  /** Who watches which nick (MONITOR). */
  readonly monitors = new Monitors();
  /** Who recently held a nick (WHOWAS). */
  readonly whowas = new WhowasHistory();
  /** Accounts' read markers (MARKREAD), by account, then by folded target: epoch ms. A user not
   * logged in keeps its own (User.readMarks). */
  readonly readMarks = new Map<string, Map<string, number>>();
  /**
   * Folded names of channels that ended while this server ran (emptied, dropped or renamed away): a
   * new channel of such a name does not inherit the old one's history (Channel.historyFrom). One
   * short string per name, as the store keeps a conversation per name anyway.
   */
  private readonly ended = new Set<string>();
  /** The large-channel thresholds (+u) and the switch. */
  readonly large = new LargeChannels();
  /** Lines to users and channels: every write to a client's output that handlers make. */
  readonly deliver = new Delivery(this.monitors);

  get userCount(): number {
    return this.users.size;
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** Replace a registered user's modes (`i`, `o`), keeping the counts in step. */
  setUserModes(user: User, modes: string): void {
    this.census.countModes(user, -1);
    user.modes = modes;
    this.census.countModes(user, 1);
  }

  /** Whether `user` is on the network still (not removed). */
  isOn(user: User): boolean {
    return this.users.get(user.folded) === user;
  }

  findUser(nick: string): User | undefined {
    return this.users.get(fold(nick));
  }

  /** findUser() for the nick in the ASCII bytes buf[s, e); the fast path's, which makes no string
   * for a recipient it has found by these bytes before. */
  findUserBytes(buf: Buffer, s: number, e: number): User | undefined {
    // Whoever is found there is on: removeUser() forgets the users who leave, and a renamed user's
    // nick is no longer the bytes it was kept under.
    const seen = this.nickSlots.get(buf, s, e);
    if (seen !== undefined) return seen;
    const user = this.findUser(buf.toString('latin1', s, e));
    if (user !== undefined) this.nickSlots.set(buf, s, e, user, this.users.size);
    return user;
  }

  findChannel(name: string): Channel | undefined {
    return this.channels.get(fold(name));
  }

  allUsers(): IterableIterator<User> {
    return this.users.values();
  }

  allChannels(): IterableIterator<Channel> {
    return this.channels.values();
  }

  // ---- the other writes to users and channels: every change to shared state passes here ----

  setAway(user: User, text: string | null): void {
    user.away = text;
  }

  /** Log `user` into the account `name` (its key is the folded name), or out with null. */
  setAccount(user: User, name: string | null): void {
    this.logins.remove(user);
    user.account = name === null ? null : fold(name);
    user.accountName = name;
    this.logins.add(user);
  }

  /** The users logged into account `key` (a folded name) right now. */
  usersOfAccount(key: string): ReadonlySet<User> {
    return this.logins.of(key);
  }

  setRealname(user: User, text: string): void {
    user.realname = text;
  }

  setTopic(channel: Channel, text: string, by: string, at: number): void {
    channel.topic = text;
    channel.topicBy = by;
    channel.topicAt = at;
    this.lasting(channel);
  }

  /** A flag mode (`Cimnst`) on or off. */
  setChannelFlag(channel: Channel, flag: string, on: boolean): void {
    if (on) channel.flags.add(flag);
    else channel.flags.delete(flag);
    this.lasting(channel);
  }

  setKey(channel: Channel, key: string | null): void {
    channel.key = key;
    this.lasting(channel);
  }

  setLimit(channel: Channel, limit: number | null): void {
    channel.limit = limit;
    this.lasting(channel);
  }

  addListEntry(channel: Channel, mode: ListMode, entry: Ban): void {
    channel.lists[mode].push(entry);
    this.lasting(channel);
  }

  /** Remove entry `index` of list `mode`, and return it. */
  removeListEntry(channel: Channel, mode: ListMode, index: number): Ban {
    const entry = channel.lists[mode].splice(index, 1)[0];
    this.lasting(channel);
    return entry;
  }

  /** Told of every change to a registered channel's lasting state (the registry saves it). */
  channelChanged: ((channel: Channel) => void) | null = null;
  /** Told when a registered channel is renamed, with its old folded name. */
  channelRenamed: ((channel: Channel, oldFolded: string) => void) | null = null;

  private lasting(channel: Channel): void {
    if (channel.founder !== null) this.channelChanged?.(channel);
  }

  /** Remove an empty channel that is no longer registered. */
  forgetChannel(channel: Channel): void {
    if (channel.members.size === 0 && this.channels.get(channel.folded) === channel) {
      this.channels.delete(channel.folded);
      this.ended.add(channel.folded);
    }
  }

  /** Whether a channel of this folded name ended while this server ran. */
  hasEnded(folded: string): boolean {
    return this.ended.has(folded);
  }

  /** The folded names that ended (a cluster snapshot carries them, mirror.ts). */
  endedNames(): IterableIterator<string> {
    return this.ended.values();
  }

  /** Another node saw a channel of this name end (a cluster snapshot, mirror.ts). */
  markEnded(folded: string): void {
    this.ended.add(folded);
  }

  /** `user` may pass +i (and +l) once: the invite is used up by the join. */
  invite(channel: Channel, user: User): void {
    (user.invites ??= new Set()).add(channel);
  }

  /** A cluster snapshot's member (mirror.ts): `user` in `channel` with exactly `bits`. */
  restoreMember(channel: Channel, user: User, bits: number): void {
    channel.members.set(user, bits);
    if ((bits & STATUS) !== 0) channel.privileged.add(user);
    user.addChannel(channel);
  }

  /** Add a newly registered user; false if the nick was taken meanwhile. */
  addUser(user: User): boolean {
    if (this.users.has(user.folded)) return false;
    this.users.set(user.folded, user);
    this.census.registered();
    this.census.usersNow(this.users.size);
    this.census.countModes(user, 1);
    return true;
  }

  /** Add a user of another node (cluster replica); false if the nick is held here. */
  addRemoteUser(user: User): boolean {
    if (this.users.has(user.folded)) return false;
    this.users.set(user.folded, user);
    this.census.usersNow(this.users.size);
    this.census.countModes(user, 1);
    return true;
  }

  /**
   * `client` (registering, logged into `user`'s account) becomes one more connection of `user`
   * (--multiclient), or its only one when `user` was detached (--always-on).
   */
  attach(user: User, client: Client): void {
    if (user.detached) {
      user.client = client;
      user.detached = false;
    } else (user.others ??= []).push(client);
    client.user = user;
    this.census.registered();
  }

  /**
   * `client` of `user` has gone. True when `user` stays on the network: another connection takes
   * over, or it is kept detached (`keep`: --always-on), holding `parked` as its connection.
   */
  detach(user: User, client: Client, keep: boolean, parked: () => Client): boolean {
    const others = user.others;
    if (others !== null && others.includes(client)) {
      others.splice(others.indexOf(client), 1);
      if (others.length === 0) user.others = null;
      return true;
    }
    if (client !== user.client) return true; // not one of its connections any more
    if (others !== null) {
      user.client = others.shift()!;
      if (others.length === 0) user.others = null;
      return true;
    }
    if (!keep) return false;
    user.client = parked();
    user.detached = true;
    return true;
  }

  /** Change `user`'s nick; false if another user holds it. A case-only change is allowed. */
  renameUser(user: User, nick: string, now: number): boolean {
    const folded = fold(nick);
    const holder = this.users.get(folded);
    if (holder !== undefined && holder !== user) return false;
    if (folded !== user.folded) this.whowas.record(user, now);
    this.users.delete(user.folded);
    user.rename(nick);
    this.users.set(user.folded, user);
    return true;
  }

  /** Remove `user` from every channel and the nick index; its nick is free at once. */
  removeUser(user: User, now: number): void {
    this.logins.remove(user);
    for (const ch of user.channels) this.leave(user, ch);
    user.clearChannels();
    this.monitors.clear(user);
    this.nickSlots.forget(user);
    if (this.users.get(user.folded) === user) {
      this.whowas.record(user, now);
      this.users.delete(user.folded);
      this.census.countModes(user, -1);
    }
  }

  /** Find or create a channel; the caller has validated the name. */
  channel(name: string, now: number): { channel: Channel; created: boolean } {
    const folded = fold(name);
    const existing = this.channels.get(folded);
    if (existing !== undefined) return { channel: existing, created: false };
    const channel = new Channel(name, now);
    this.channels.set(folded, channel);
    return { channel, created: true };
  }

  /** Give `channel` a new name; false if another channel holds it (a case-only change is fine). */
  renameChannel(channel: Channel, name: string): boolean {
    const folded = fold(name);
    const holder = this.channels.get(folded);
    if (holder !== undefined && holder !== channel) return false;
    const old = channel.folded;
    this.channels.delete(channel.folded);
    if (old !== folded) this.ended.add(old);
    channel.name = name;
    channel.folded = folded;
    this.channels.set(folded, channel);
    if (channel.founder !== null) this.channelRenamed?.(channel, old);
    return true;
  }

  /**
   * Add `user` to `channel`; the first member of an empty channel becomes its operator. Past its
   * threshold (large.ts) the channel becomes large (+u) and newcomers arrive quietly (MEMBER.QUIET).
   */
  join(user: User, channel: Channel): void {
    const size = channel.members.size;
    this.large.joining(channel, size);
    // A registered channel's operator is its founder; an unregistered one's, its first member.
    const first = channel.founder !== null ? user.account === channel.founder : size === 0;
    const bits = first ? MEMBER.OP : channel.large ? MEMBER.QUIET : 0;
    channel.members.set(user, bits);
    if ((bits & STATUS) !== 0) channel.privileged.add(user);
    user.addChannel(channel);
    user.invites?.delete(channel);
  }

  /** Remove `user` from `channel`; an emptied channel disappears, a halved large one is large no more. */
  leave(user: User, channel: Channel): void {
    channel.members.delete(user);
    channel.privileged.delete(user);
    user.removeChannel(channel);
    const size = channel.members.size;
    if (size === 0 && channel.founder === null) {
      this.channels.delete(channel.folded);
      this.ended.add(channel.folded);
    } else this.large.left(channel, size);
  }

  /** Set `user`'s visible status bits (MEMBER.OP, MEMBER.VOICE) in `channel`. */
  setStatus(channel: Channel, user: User, status: number): void {
    const bits = channel.members.get(user);
    if (bits === undefined) return;
    channel.members.set(user, (bits & ~STATUS) | status);
    if (status !== 0) channel.privileged.add(user);
    else channel.privileged.delete(user);
  }

  /** From now on `user`'s departure, nick changes and away state reach every member of `channel`. */
  announce(channel: Channel, user: User): void {
    const bits = channel.members.get(user);
    if (bits !== undefined) channel.members.set(user, bits & ~MEMBER.QUIET);
  }
}
