// Who is logged into each account right now: several connections, or users, may share one.
import type { User } from './user.js';

const NOBODY: ReadonlySet<User> = new Set();

export class Logins {
  /** By account key (the folded account name). */
  private readonly byAccount = new Map<string, Set<User>>();

  /** The users logged into account `key` right now. */
  of(key: string): ReadonlySet<User> {
    return this.byAccount.get(key) ?? NOBODY;
  }

  /** `user` is logged into `user.account` now. */
  add(user: User): void {
    if (user.account === null) return;
    const set = this.byAccount.get(user.account);
    if (set === undefined) this.byAccount.set(user.account, new Set([user]));
    else set.add(user);
  }

  /** `user` is no longer logged into `user.account`. */
  remove(user: User): void {
    if (user.account === null) return;
    const set = this.byAccount.get(user.account);
    set?.delete(user);
    if (set?.size === 0) this.byAccount.delete(user.account);
  }
}
