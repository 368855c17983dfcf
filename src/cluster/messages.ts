// What cluster nodes tell each other through Redis (bus.ts carries it): directory entries, commands in the network's order, snapshots, deliveries. Plain JSON.
//
// A directory entry is also stored in Redis's nick hash as one tab-separated line (encodeEntry).

/** A user as the directory records it. */
export interface DirEntry {
  node: string;
  nick: string;
  user: string;
  host: string;
  /** The account logged into (its display name), or null. */
  account: string | null;
  realname: string;
  /** Its history identity when not logged in (User.historyId): in messages only, not in Redis's hash. */
  hid?: string;
}

/** A command that changes shared state (a channel's, a user's), as every node runs it (server/replica.ts). */
export interface LoggedCommand {
  t: 'cmd';
  /** The node whose user sent it, and that node's number for it (its answer waits on it). */
  node: string;
  id: number;
  nick: string;
  /** The sender's capability bits (what it may send, e.g. client tags). */
  caps: number;
  tags: Array<[string, string]> | null;
  command: string;
  params: string[];
  /** For the end of a draft/multiline batch (`BATCH -id`): the lines it gathered on its node. */
  batch?: LoggedBatch;
  /**
   * Its place in the network's order, set by the bus where it arrives (the sender leaves 0s):
   * Redis's clock in ms and a sequence within that ms (bus-lua.ts ORDER), the same on every node,
   * so every node's run mints the same server-time and msgids, sorting in delivery order.
   */
  ms: number;
  seq: number;
}

/** A multiline batch as it crosses nodes (server/commands/multiline.ts Gathering). */
export interface LoggedBatch {
  id: string;
  target: string;
  verb: 'PRIVMSG' | 'NOTICE' | null;
  lines: Array<{ text: string; concat: boolean }>;
  tags: Array<[string, string]> | null;
}

/** A user as a snapshot carries it (the node it is on, and what a replica must know). */
export interface SnapUser extends DirEntry {
  modes: string;
  away: string | null;
}

/** A channel as a snapshot carries it: members by nick with their status bits. */
export interface SnapChannel {
  name: string;
  createdAt: number;
  topic: string;
  topicBy: string;
  topicAt: number;
  flags: string;
  key: string | null;
  limit: number | null;
  lists: Record<'b' | 'e' | 'I', Array<{ mask: string; setBy: string; setAt: number }>>;
  /** The nicks of the users invited to it (each holds its invite: User.invites). */
  invited: string[];
  large: boolean;
  members: Array<[string, number]>;
  /** Channel.historyFrom: where its own history starts ('' for all of its name's). */
  historyFrom: string;
  /** Its founder's account when registered (ChanServ), and since when; absent from older nodes. */
  founder?: string | null;
  registeredAt?: number | null;
}

/** The network's state as a node holds it: users, channels, the folded names of ended channels. */
export interface Snapshot {
  users: SnapUser[];
  channels: SnapChannel[];
  ended: string[];
}

/** What travels between nodes: directory news, commands in the network's order, deliveries. Plain JSON. */
export type BusMessage =
  | { t: 'arrive'; e: DirEntry; modes?: string }
  | { t: 'leave'; node: string; nick: string; reason: string }
  | { t: 'nick'; node: string; from: string; e: DirEntry }
  /** A user's entry changed in place (logged in or out, user modes set by the server). */
  | { t: 'update'; e: DirEntry; modes?: string }
  | LoggedCommand
  /** `node` starts (or comes back) and asks `from` for the network's state as of this place in order. */
  | { t: 'snapreq'; node: string; from: string }
  /** `ended`: the folded names of channels that ended (Network.hasEnded). */
  | ({ t: 'snapshot' } & Snapshot)
  /** After a split, `nick` of `node` is put back in `channel` (the others had lost it). */
  | { t: 'rejoin'; e: DirEntry; modes: string; channel: string; bits: number }
  /** After a split, `nick` of `node` is not in `channel`, where the others have it (a JOIN they
   * carried out whose answer its node lost with the link: its user was told it failed). */
  | { t: 'unjoin'; node: string; nick: string; channel: string }
  /** `node` has `n` connections not registered yet (LUSERS counts the network's). */
  | { t: 'unknown'; node: string; n: number }
  /** A reader on `node` is over the mark for `nick`'s messages: hold it back, or let it go (remote-flow.ts). */
  | { t: 'flow'; node: string; nick: string; on: boolean }
  /** A node was found dead (or left): every user it had is gone. */
  | { t: 'gone'; node: string }
  /** Several messages for one node, in order: one PUBLISH per node per event-loop turn. */
  | { t: 'batch'; m: BusMessage[] }
  | {
      t: 'deliver';
      /** Sender's `nick!user@host`, its nick, its account (account-tag) or null. */
      src: string;
      from: string;
      account: string | null;
      verb: string;
      /** The recipient's nick as the sender's node knew it. */
      to: string;
      text: string | null;
      tags: Array<[string, string]> | null;
      ms: number;
      time: string;
      msgid: string;
    };

export function encodeEntry(e: DirEntry): string {
  return [e.node, e.nick, e.user, e.host, e.account ?? '', e.realname].join('\t');
}

export function decodeEntry(v: string): DirEntry | null {
  const p = v.split('\t');
  if (p.length < 6) return null;
  const [node, nick, user, host, account] = p;
  return { node, nick, user, host, account: account || null, realname: p.slice(5).join('\t') };
}
