// A registered identity on the network: nick, user/host, channels, away; owned by the network.
import { fold } from '../protocol/index.js';
import { Party } from '../store/types.js';
import type { Channel } from './channel.js';
import type { Client } from './client.js';

const NO_CHANNELS: ReadonlySet<Channel> = new Set();

/**
 * What makes a connection's history identity unique beyond this process: in a cluster,
 * `@<node id>` (set once at start), since every node numbers its connections from 1.
 */
export const historyScope = { suffix: '' };

export class User {
  nick: string;
  folded: string;
  /** `nick!user@host`, rebuilt on nick change. */
  prefix: string;
  /**
   * The channels joined, changed only through Network (join/leave). Shared and empty until the
   * first join and again after the last part: an empty Set costs ~180 bytes of heap, which at
   * 20,000 idle users is 3.5 MB (the `idle` benchmark).
   */
  channels: ReadonlySet<Channel> = NO_CHANNELS;
  away: string | null = null;
  /**
   * Channels this user was invited to (past +i, +l and bans), each used up by its join; null until
   * the first. Held by the user, not the nick (RFC 2812 §3.2.7): a nick change keeps them, and
   * whoever takes the nick next has none. A channel that ended is not the new one of its name.
   */
  invites: Set<Channel> | null = null;
  /** User modes that are set (`i`, `o`). */
  modes = '';
  lastSpokeAt: number;
  /** The account this user is logged into (its casefolded name), or null. */
  account: string | null = null;
  /** Read markers (MARKREAD) of a user without an account, by folded target; null until the first. */
  readMarks: Map<string, number> | null = null;
  /** The same account as registered (its display name: account-tag, WHOIS 330), or null. */
  accountName: string | null = null;
  /**
   * In a cluster, the node a user of another node is on (a replica: server/mirror.ts); null for
   * this server's own users. Lines queued for a replica go nowhere: its own node delivers them.
   */
  remote: string | null = null;
  /** A cluster replica's history identity when not logged in, as its own node made it. */
  remoteHistoryId = '';
  /**
   * The other connections of a user shared by several (--multiclient: logged into its account,
   * they asked for its nick); null while it has one. Everything sent to the user reaches each.
   */
  others: Client[] | null = null;
  /** An always-on user (--always-on) whose last connection went: it keeps nick and channels. */
  detached = false;
  /** Delivery generation stamp, so a fan-out to shared channels reaches each user once. */
  seen = 0;
  /** The nick and `:prefix PRIVMSG ` as bytes for the fast path, made on first use. */
  private nickBytes: Buffer | null = null;
  private privmsgBytes: Buffer | null = null;
  private party: Party | null = null;

  constructor(
    nick: string,
    readonly username: string,
    /** Changed by SETNAME. */
    public realname: string,
    readonly host: string,
    /**
     * The connection this identity answers through first; others of the same account may share
     * it (`others`, --multiclient). An always-on user with none left holds a closed one (`detached`).
     */
    public client: Client,
    readonly signonAt: number,
  ) {
    this.nick = nick;
    this.folded = fold(nick);
    this.prefix = `${nick}!${username}@${host}`;
    this.lastSpokeAt = signonAt;
  }

  /**
   * Who this user is for private history: the account when logged in, else this connection only,
   * so whoever takes the nick later never reads the conversations of whoever held it before.
   */
  get historyId(): string {
    if (this.account !== null) return 'a:' + this.account;
    if (this.remote !== null) return this.remoteHistoryId;
    return 'c:' + this.client.conn.id + historyScope.suffix;
  }

  /**
   * This user as a party to private history (direct.ts), made again when its prefix (so its
   * nick) or its account has changed since.
   */
  historyParty(): Party {
    const p = this.party;
    if (p !== null && p.prefix === this.prefix && p.account === this.account) return p;
    return (this.party = new Party(this.historyId, this.nick, this.prefix, this.account));
  }

  /** Every connection of this user: its first, then the others; none while detached. */
  sessions(): Client[] {
    if (this.detached) return [];
    return this.others === null ? [this.client] : [this.client, ...this.others];
  }

  /** @internal Network.join's half of membership. */
  addChannel(channel: Channel): void {
    if (this.channels === NO_CHANNELS) this.channels = new Set([channel]);
    else (this.channels as Set<Channel>).add(channel);
  }

  /** @internal Network.leave's half; the last part returns to the shared empty set. */
  removeChannel(channel: Channel): void {
    if (this.channels.size > 1) (this.channels as Set<Channel>).delete(channel);
    else if (this.channels.has(channel)) this.channels = NO_CHANNELS;
  }

  /** @internal Network.removeUser: a user leaving the network is in no channel. */
  clearChannels(): void {
    this.channels = NO_CHANNELS;
  }

  rename(nick: string): void {
    this.nick = nick;
    this.folded = fold(nick);
    this.prefix = `${nick}!${this.username}@${this.host}`;
    this.nickBytes = this.privmsgBytes = null;
  }

  /** The nick as UTF-8 bytes (direct.ts). */
  wireNick(): Buffer {
    return (this.nickBytes ??= Buffer.from(this.nick));
  }

  /** `:nick!user@host PRIVMSG ` as UTF-8 bytes: how a private message from this user begins. */
  wirePrivmsg(): Buffer {
    return (this.privmsgBytes ??= Buffer.from(`:${this.prefix} PRIVMSG `));
  }

  get isOper(): boolean {
    return this.modes.includes('o');
  }

  /** User mode +B: a bot, marked as one in WHO, WHOIS and a `bot` tag on its messages. */
  get isBot(): boolean {
    return this.modes.includes('B');
  }
}
