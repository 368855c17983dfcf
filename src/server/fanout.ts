// The delivery loops on the hot path: one event to a channel's members or to a user's neighbours, one shared buffer per capability variant queued on each recipient.
//
// Network owns the state and calls these (toChannel, toChannelSoon, toNeighbours). A cluster
// replica (member.remote set) is skipped: its own node delivers.
import type { Channel } from './channel.js';
import type { Client } from './client.js';
import type { ServerEvent } from './event.js';
import type { User } from './user.js';

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
 * `capBit`; the user's first connection is the caller's. Also for one user (Network.toUser).
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
