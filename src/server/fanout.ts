// Delivery: one event to a user, a channel's members or a user's neighbours, one shared buffer per capability variant queued on each recipient.
//
// Network owns the state; handlers reach these through it (network.deliver). A cluster replica
// (member.remote set) is skipped: its own node delivers.
import { CAPBIT } from './capabilities.js';
import type { Channel } from './channel.js';
import type { Client } from './client.js';
import type { ServerEvent } from './event.js';
import type { Monitors } from './monitor.js';
import type { User } from './user.js';

/** Lines to users and channels (Network.deliver): the loops below, with the delivery generation. */
export class Delivery {
  private generation = 0;

  constructor(private readonly monitors: Monitors) {}

  /**
   * One recipient: the line is encoded straight into its connection's output, no shared Buffer;
   * to its other connections too (--multiclient). `capBit` (if not 0): only connections with it.
   */
  toUser(user: User, out: ServerEvent, capBit = 0): void {
    const s = user.client;
    if (capBit === 0 || s.has(capBit)) s.conn.sendText(out.textFor(s.caps));
    if (user.others !== null) toOthers(user.others, out, capBit, false);
  }

  /**
   * `out` to every connection of `user` but `except` (what one session did, for the others);
   * `capBit` (if not 0) limits it to those with that capability.
   */
  toOtherSessions(user: User, except: Client, out: ServerEvent, capBit: number): void {
    if (user.others === null) return;
    for (const s of user.sessions()) {
      if (s !== except && (capBit === 0 || s.has(capBit))) s.conn.sendText(out.textFor(s.caps));
    }
  }

  /**
   * Every member of `channel` except `except`; `capBit` (if not 0) limits it to clients with that
   * capability, `minStatus` (if not 0) to members with one of those status bits (STATUSMSG).
   */
  toChannel(
    channel: Channel,
    out: ServerEvent,
    except: User | null,
    capBit = 0,
    minStatus = 0,
  ): void {
    fanOutToMembers(channel, out, except, capBit, minStatus, false);
  }

  /** Like toChannel, for news that may wait a little (arrivals, departures): Output.sendSoon. */
  toChannelSoon(channel: Channel, out: ServerEvent, except: User | null, capBit = 0): void {
    fanOutToMembers(channel, out, except, capBit, 0, true);
  }

  /**
   * Every user sharing a channel with `user`, once each, except `user` itself; `capBit` (if not 0)
   * limits it to clients that enabled that capability (away-notify and the like). Channels where
   * `user` arrived quietly are skipped: their members never heard of it. `soon`: the news may wait a
   * little (Output.sendSoon).
   */
  toNeighbours(user: User, out: ServerEvent, capBit = 0, soon = false): void {
    fanOutToNeighbours(user, out, capBit, soon, ++this.generation);
  }

  /**
   * News about `user` that extended-monitor extends (AWAY, SETNAME): to neighbours with `capBit`,
   * then to those watching `user` with MONITOR who have both `capBit` and extended-monitor and did
   * not get it as neighbours.
   */
  toNeighboursAndWatchers(user: User, out: ServerEvent, capBit: number): void {
    this.toNeighbours(user, out, capBit);
    const both = capBit | CAPBIT.EXTENDED_MONITOR;
    for (const w of this.monitors.watchersOf(user.folded) ?? []) {
      if (w.seen !== this.generation && (w.client.caps & both) === both) this.toUser(w, out);
    }
  }
}

/**
 * Every member of `channel` except `except`; `capBit` (if not 0) limits it to clients with that
 * capability, `minStatus` (if not 0) to members with one of those status bits (STATUSMSG).
 * `soon`: the news may wait a little (Output.sendSoon).
 */
export function fanOutToMembers(
  channel: Channel,
  out: ServerEvent,
  except: User | null,
  capBit: number,
  minStatus: number,
  soon: boolean,
): void {
  const members = channel.members;
  // STATUSMSG reaches only members with a status: the few, not every member of a large channel.
  if (minStatus !== 0 && members.size > channel.privileged.size) {
    for (const member of channel.privileged) {
      if (member === except || (members.get(member)! & minStatus) === 0) continue;
      if (member.remote !== null) continue; // a cluster replica: its own node delivers
      if (member.others !== null) toOthers(member.others, out, capBit, soon);
      const s = member.client;
      if (capBit !== 0 && (s.caps & capBit) === 0) continue;
      if (soon) s.conn.sendSoon(out.bufferFor(s.caps));
      else s.conn.send(out.bufferFor(s.caps));
    }
    return;
  }
  // keys(), not entries(): no [user, status] pair is allocated per recipient on the hot path.
  for (const member of members.keys()) {
    if (member === except) continue;
    if (minStatus !== 0 && (members.get(member)! & minStatus) === 0) continue;
    if (member.remote !== null) continue; // a cluster replica: its own node delivers
    if (member.others !== null) toOthers(member.others, out, capBit, soon);
    const s = member.client;
    if (capBit !== 0 && (s.caps & capBit) === 0) continue;
    if (soon) s.conn.sendSoon(out.bufferFor(s.caps));
    else s.conn.send(out.bufferFor(s.caps));
  }
}

/**
 * Every user sharing a channel with `user`, once each (`gen`: a fresh delivery generation, marked
 * on each user reached), except `user` itself; `capBit` (if not 0) limits it to clients that
 * enabled that capability. Channels where `user` arrived quietly are skipped.
 */
export function fanOutToNeighbours(
  user: User,
  out: ServerEvent,
  capBit: number,
  soon: boolean,
  gen: number,
): void {
  user.seen = gen;
  for (const ch of user.channels) {
    if (!ch.isAnnounced(user)) continue;
    for (const member of ch.members.keys()) {
      if (member.seen === gen) continue;
      member.seen = gen;
      if (member.remote !== null) continue;
      if (member.others !== null) toOthers(member.others, out, capBit, soon);
      const s = member.client;
      if (capBit !== 0 && (s.caps & capBit) === 0) continue;
      if (soon) s.conn.sendSoon(out.bufferFor(s.caps));
      else s.conn.send(out.bufferFor(s.caps));
    }
  }
}

/**
 * `out` to a user's other connections (User.others, --multiclient), or to those of them that have
 * `capBit`; the user's first connection is the caller's. Also for one user (Delivery.toUser).
 */
export function toOthers(
  others: readonly Client[],
  out: ServerEvent,
  capBit: number,
  soon: boolean,
): void {
  for (const s of others) {
    if (capBit !== 0 && (s.caps & capBit) === 0) continue;
    if (soon) s.conn.sendSoon(out.bufferFor(s.caps));
    else s.conn.send(out.bufferFor(s.caps));
  }
}
