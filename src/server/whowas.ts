// WHOWAS history: who recently held a nick, bounded in nicks and in entries per nick.
import { fold } from '../protocol/index.js';
import type { User } from './user.js';

export interface WasEntry {
  readonly nick: string;
  readonly username: string;
  readonly host: string;
  readonly realname: string;
  /** When the nick was given up (quit or nick change), in ms. */
  readonly at: number;
}

/** Nicks remembered at most (the oldest is forgotten first), and entries kept per nick. */
export const WHOWAS_NICKS = 1000;
export const WHOWAS_PER_NICK = 10;

export class WhowasHistory {
  /** By folded nick, newest entry last; the Map's order is least recently given up first. */
  private readonly byNick = new Map<string, WasEntry[]>();

  /** `user` gives up its nick now. */
  record(user: User, at: number): void {
    const key = user.folded;
    const list = this.byNick.get(key) ?? [];
    this.byNick.delete(key); // re-inserted as the most recent
    list.push({
      nick: user.nick,
      username: user.username,
      host: user.host,
      realname: user.realname,
      at,
    });
    if (list.length > WHOWAS_PER_NICK) list.shift();
    this.byNick.set(key, list);
    if (this.byNick.size > WHOWAS_NICKS) this.byNick.delete(this.byNick.keys().next().value!);
  }

  /** The most recent `count` entries for `nick`, newest first (count <= 0: all kept). */
  lookup(nick: string, count: number): WasEntry[] {
    const list = this.byNick.get(fold(nick));
    if (list === undefined) return [];
    const newest = list.slice().reverse();
    return count > 0 ? newest.slice(0, count) : newest;
  }
}
