// MONITOR's index: which users watch which nicks, both ways, so presence news costs one lookup.
import { fold, RPL, serializeBody } from '../protocol/index.js';
import type { User } from './user.js';

export class Monitors {
  /** Folded nick -> the users watching it. */
  private readonly watchers = new Map<string, Set<User>>();
  /** User -> the nicks it watches (folded -> as the user wrote it). */
  private readonly lists = new Map<User, Map<string, string>>();

  /** The nicks `user` watches, folded -> as written. */
  listOf(user: User): ReadonlyMap<string, string> {
    return this.lists.get(user) ?? EMPTY;
  }

  watchersOf(folded: string): ReadonlySet<User> | undefined {
    return this.watchers.get(folded);
  }

  add(user: User, folded: string, nick: string): void {
    let list = this.lists.get(user);
    if (list === undefined) this.lists.set(user, (list = new Map()));
    if (list.has(folded)) return;
    list.set(folded, nick);
    let set = this.watchers.get(folded);
    if (set === undefined) this.watchers.set(folded, (set = new Set()));
    set.add(user);
  }

  remove(user: User, folded: string): void {
    const list = this.lists.get(user);
    if (list === undefined || !list.delete(folded)) return;
    if (list.size === 0) this.lists.delete(user);
    const set = this.watchers.get(folded);
    if (set === undefined) return;
    set.delete(user);
    if (set.size === 0) this.watchers.delete(folded);
  }

  /** Tell `nick`'s watchers (from server `source`): online as `prefix` (730), or offline (null: 731). */
  tell(source: string, nick: string, prefix: string | null): void {
    const watchers = this.watchers.get(fold(nick));
    if (watchers === undefined) return;
    const code = prefix === null ? RPL.MONOFFLINE : RPL.MONONLINE;
    for (const w of watchers) {
      w.client.conn.send(
        Buffer.from(serializeBody(source, code, [w.nick, prefix ?? nick]) + '\r\n'),
      );
    }
  }

  /** Forget everything `user` watches (MONITOR C, or the user leaves). */
  clear(user: User): void {
    const list = this.lists.get(user);
    if (list === undefined) return;
    for (const folded of [...list.keys()]) this.remove(user, folded);
  }
}

const EMPTY: ReadonlyMap<string, string> = new Map();
