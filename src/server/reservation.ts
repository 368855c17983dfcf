// Nick reservation: a nick that names an account belongs to whoever is logged into it; anyone else is told at once and renamed Guest<N> after --nick-grace.
//
// The deadline runs on the server clock and is checked by the server's one-second sweep, so tests
// with a clocked server move it with advance(). A user keeps its first deadline for a nick even if
// it hops away and back, so nick changes cannot stretch the grace.
import { serializeBody } from '../protocol/index.js';
import { servicesName } from './config.js';
import type { Server } from './server.js';
import type { User } from './user.js';

interface Pending {
  /** The folded nick the deadline is for. */
  nick: string;
  at: number;
}

export class Reservations {
  private readonly pending = new Map<User, Pending>();

  constructor(private readonly server: Server) {}

  /** Where NickServ speaks from (notices to users; nickserv.ts answers from here too). */
  get source(): string {
    return `NickServ!NickServ@${servicesName(this.server.config)}`;
  }

  /**
   * After registration, a nick change, a login or a logout: if `user`'s nick names an account it
   * is not logged into, tell it and start (or keep) its deadline.
   */
  check(user: User): void {
    const store = this.server.store;
    if (store === null) return;
    const nick = user.folded;
    if (user.account === nick) {
      this.pending.delete(user);
      return;
    }
    const held = this.pending.get(user);
    if (held !== undefined && held.nick === nick) return;
    store.accounts.get(nick).then(
      (rec) => {
        if (rec === null || user.folded !== nick || user.account === nick) return;
        if (this.server.network.findUser(user.nick) !== user) return; // gone meanwhile
        const grace = this.server.config.nickGrace;
        this.notice(
          user,
          grace === 0
            ? `The nick ${user.nick} belongs to a registered account.`
            : `The nick ${user.nick} belongs to a registered account: log in within ${Math.ceil(grace / 1000)}s ` +
                `(/msg NickServ IDENTIFY <password>) or you will be renamed.`,
        );
        if (grace === 0) this.rename(user);
        else this.pending.set(user, { nick, at: this.server.clock() + grace });
      },
      () => {}, // the store did not answer: the nick stays free this time
    );
  }

  /** `user` left: its deadline goes with it. */
  forget(user: User): void {
    this.pending.delete(user);
  }

  /** Rename those whose grace has run out and still hold the reserved nick (the server's sweep). */
  sweep(now: number): void {
    for (const [user, p] of this.pending) {
      if (p.at > now) continue;
      this.pending.delete(user);
      const still = this.server.network.findUser(user.nick) === user && user.folded === p.nick;
      if (still && user.account !== p.nick) this.rename(user);
    }
  }

  /** Rename `user` Guest<N> (a nick free here and on the cluster's other nodes), telling it `why`. */
  rename(user: User, why = `${user.nick} is reserved for its account`): void {
    const net = this.server.network;
    let guest: string;
    do guest = 'Guest' + String(10000 + Math.floor(Math.random() * 90000));
    while (net.findUser(guest) !== undefined);
    this.notice(user, `You are now ${guest}: ${why}.`);
    net.deliver.toUser(user, this.server.changeNick(user, guest));
  }

  /** A notice from NickServ to every connection of `user` (several share one logged-out user). */
  private notice(user: User, text: string): void {
    const line = serializeBody(this.source, 'NOTICE', [user.nick, text]) + '\r\n';
    for (const c of user.sessions()) c.conn.sendText(line);
  }
}
