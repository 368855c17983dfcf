// A registered identity on the network: nick, user/host, channels, away; owned by the network.
import { fold } from '../protocol/index.js';
import type { Channel } from './channel.js';
import type { Session } from './session.js';

export class User {
  nick: string;
  folded: string;
  /** `nick!user@host`, rebuilt on nick change. */
  prefix: string;
  readonly channels = new Set<Channel>();
  away: string | null = null;
  /** User modes that are set (`i`, `o`). */
  modes = '';
  lastSpokeAt: number;
  /** Delivery generation stamp, so a fan-out to shared channels reaches each user once. */
  seen = 0;

  constructor(
    nick: string,
    readonly username: string,
    readonly realname: string,
    readonly host: string,
    /** The connection this identity is using. Several sessions per user would hang here. */
    readonly session: Session,
    readonly signonAt: number,
  ) {
    this.nick = nick;
    this.folded = fold(nick);
    this.prefix = `${nick}!${username}@${host}`;
    this.lastSpokeAt = signonAt;
  }

  rename(nick: string): void {
    this.nick = nick;
    this.folded = fold(nick);
    this.prefix = `${nick}!${this.username}@${this.host}`;
  }

  get isOper(): boolean {
    return this.modes.includes('o');
  }
}
