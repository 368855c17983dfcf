// The LUSERS counts: unregistered connections (here and on the other cluster nodes), the most users seen at once, and how many are invisible or operators.
import type { User } from './user.js';

export class Census {
  /** Connections that have not (yet) registered. */
  private unknown = 0;
  /** Unregistered connections of the other cluster nodes, by node id (their news: cluster.ts). */
  readonly unknownElsewhere = new Map<string, number>();
  /** Told when this server's count of unregistered connections changes (a cluster shares it). */
  unknownChanged: () => void = () => {};
  /** The most registered users seen at once (LUSERS 265/266). */
  peakUsers = 0;
  /** Registered users with +i and with +o, kept as modes change: LUSERS on every registration must
   * not walk every user (that made a burst of N connections cost N squared). */
  private invisible = 0;
  private opers = 0;

  get unregistered(): number {
    return this.unknown;
  }

  /** Unregistered connections of the whole network: this server's and the other nodes'. */
  get networkUnregistered(): number {
    let n = this.unknown;
    for (const k of this.unknownElsewhere.values()) n += k;
    return n;
  }

  get invisibleCount(): number {
    return this.invisible;
  }

  get operCount(): number {
    return this.opers;
  }

  /** A connection arrived (it counts as unregistered until it registers). */
  connectionOpened(): void {
    this.unknown++;
    this.unknownChanged();
  }

  /** A connection left; `registered` says whether it had become a user. */
  connectionClosed(registered: boolean): void {
    if (registered) return;
    this.unknown--;
    this.unknownChanged();
  }

  /** An unregistered connection became a user, or one more connection of one. */
  registered(): void {
    this.unknown--;
    this.unknownChanged();
  }

  /** There are `users` registered users now. */
  usersNow(users: number): void {
    if (users > this.peakUsers) this.peakUsers = users;
  }

  /** `user` counted (delta 1) or no longer counted (-1) among the invisible and the operators. */
  countModes(user: User, delta: number): void {
    if (user.modes.includes('i')) this.invisible += delta;
    if (user.isOper) this.opers += delta;
  }
}
