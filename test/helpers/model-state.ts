// The model's people and channels: who is online, each channel's members, modes, bans and invites, and the lines every client must get for connect, QUIT, JOIN, PART, KICK, MODE, INVITE, NICK, AWAY, TOPIC and RENAME.
import { Records, replayLines, type Rec } from './model-history.js';
import { Chan, completeMask, globMatch, Person, type Caps, type Expect } from './model-types.js';

/** The people and channels, and the commands that change them; World (model.ts) adds the messages. */
export class WorldState {
  readonly people = new Set<Person>();
  readonly chans = new Map<string, Chan>();
  readonly records = new Records();
  /** Registered accounts (lower case) and what waits in each one's inbox. */
  readonly inboxes = new Map<string, Rec[]>();
  private lives = 0;
  private conns = 0;
  host = '';
  /** The --history-on-join lines replayed to clients without draft/chathistory. */
  /**
   * `cluster`: the nodes of a cluster, where a line that goes to a channel runs through the
   * network's order and the names in it that nobody uses are looked up once it has run: their
   * answers (401, or the echo of a message kept for an account) come after the line's others.
   */
  constructor(
    readonly replayOnJoin: number,
    readonly cluster = false,
  ) {}

  online(): Person[] {
    return [...this.people].sort((a, b) => a.slot - b.slot);
  }

  byNick(nick: string): Person | undefined {
    for (const p of this.people) if (p.nick.toLowerCase() === nick.toLowerCase()) return p;
    return undefined;
  }

  protected expect(): Expect {
    return { lines: new Map(), numerics: [] };
  }

  protected add(e: Expect, to: Person, text: string, rec?: Rec): void {
    let list = e.lines.get(to);
    if (list === undefined) e.lines.set(to, (list = []));
    list.push(rec === undefined ? { text } : { text, rec });
  }

  /** Everyone sharing a channel with `p`, once each, without `p`. */
  neighbours(p: Person): Person[] {
    const out = new Set<Person>();
    for (const ch of this.chans.values()) {
      if (!ch.members.has(p)) continue;
      for (const m of ch.members.keys()) if (m !== p) out.add(m);
    }
    return [...out];
  }

  /** A plain mask matches the prefix; an account extban (`a:`) the account of one logged in. */
  banned(ch: Chan, p: Person): boolean {
    return ch.bans.some((b) =>
      b.startsWith('a:')
        ? p.account !== null && globMatch(b.slice(2), p.account)
        : globMatch(b, p.prefix(this.host)),
    );
  }

  connect(
    slot: number,
    nick: string,
    caps: Caps,
    account: string | null = null,
  ): { person: Person; e: Expect } {
    const person = new Person(slot, ++this.conns, nick, '~' + nick, caps, account);
    this.people.add(person);
    const e: Expect = { ...this.expect(), actorFree: true };
    // A login takes the account's inbox: its messages, as they were sent.
    const inbox = account === null ? [] : (this.inboxes.get(account) ?? []);
    for (const r of inbox.splice(0)) {
      // A multiline one as it would have been delivered (its BATCH lines name no account).
      for (const t of replayLines(r, caps, false))
        if (!t.startsWith('BATCH')) this.add(e, person, t);
    }
    return { person, e };
  }

  quit(p: Person): Expect {
    const e = { ...this.expect(), actorFree: true };
    for (const n of this.neighbours(p)) this.add(e, n, `${p.prefix(this.host)} QUIT`);
    for (const ch of [...this.chans.values()]) if (ch.members.has(p)) this.leave(ch, p);
    this.people.delete(p);
    return e;
  }

  private leave(ch: Chan, p: Person): void {
    ch.members.delete(p);
    if (ch.members.size === 0) this.chans.delete(ch.name);
  }

  private toMembers(e: Expect, ch: Chan, text: string): void {
    for (const m of ch.members.keys()) this.add(e, m, text);
  }

  join(p: Person, names: string[], keys: Array<string | null>): Expect {
    const e = this.expect();
    const joined: Chan[] = [];
    names.forEach((name, k) => {
      let ch = this.chans.get(name);
      if (ch?.members.has(p)) return;
      if (ch !== undefined) {
        const invited = ch.invited.has(p);
        // parley lets an invite past +i and bans but not past +k (RFC 2811 leaves this open).
        if (ch.key !== null && keys[k] !== ch.key) return void e.numerics.push(`475 ${name}`);
        if (ch.flags.has('i') && !invited) return void e.numerics.push(`473 ${name}`);
        if (!invited && this.banned(ch, p)) return void e.numerics.push(`474 ${name}`);
      }
      const created = ch === undefined;
      ch ??= new Chan(name, ++this.lives);
      this.chans.set(name, ch);
      ch.members.set(p, { op: created, voice: false });
      ch.invited.delete(p);
      this.toMembers(e, ch, `${p.prefix(this.host)} JOIN ${name}`);
      if (p.away !== null) {
        for (const m of ch.members.keys()) {
          if (m !== p && m.caps.awayNotify) this.add(e, m, `${p.prefix(this.host)} AWAY ${p.away}`);
        }
      }
      joined.push(ch);
    });
    if (this.replayOnJoin > 0 && !p.caps.history) {
      for (const ch of joined) {
        const recs = this.records.latest(this.records.visible(ch), this.replayOnJoin);
        for (const line of this.records.batch(p, ch.name, recs))
          this.add(e, p, line.text, line.rec);
      }
    }
    return e;
  }

  part(p: Person, name: string): Expect {
    const e = this.expect();
    const ch = this.chans.get(name);
    if (ch === undefined) e.numerics.push(`403 ${name}`);
    else if (!ch.members.has(p)) e.numerics.push(`442 ${name}`);
    else {
      this.toMembers(e, ch, `${p.prefix(this.host)} PART ${name}`);
      this.leave(ch, p);
    }
    return e;
  }

  /** The channel `name` if `p` may change it (an operator there), after the refusal numerics. */
  private asOp(e: Expect, p: Person, name: string): Chan | null {
    const ch = this.chans.get(name);
    if (ch === undefined) e.numerics.push(`403 ${name}`);
    else if (!ch.members.has(p)) e.numerics.push(`442 ${name}`);
    else if (!ch.members.get(p)!.op) e.numerics.push(`482 ${name}`);
    else return ch;
    return null;
  }

  kick(p: Person, name: string, nick: string, reason: string): Expect {
    const e = this.expect();
    const ch = this.asOp(e, p, name);
    if (ch === null) return e;
    const target = this.byNick(nick);
    if (target === undefined) e.numerics.push(`401 ${nick}`);
    else if (!ch.members.has(target)) e.numerics.push(`441 ${target.nick} ${name}`);
    else {
      this.toMembers(e, ch, `${p.prefix(this.host)} KICK ${name} ${target.nick} ${reason}`);
      this.leave(ch, target);
    }
    return e;
  }

  /** MODE <chan> (+|-)<one mode> [arg]. */
  mode(p: Person, name: string, plus: boolean, c: string, arg: string): Expect {
    const e = this.expect();
    const ch = this.asOp(e, p, name);
    if (ch === null) return e;
    const sign = plus ? '+' : '-';
    let shown: string | null = null;
    if (c === 'o' || c === 'v') {
      const target = this.byNick(arg);
      const st = target === undefined ? undefined : ch.members.get(target);
      if (target === undefined) e.numerics.push(`401 ${arg}`);
      else if (st === undefined) e.numerics.push(`441 ${target.nick} ${name}`);
      else if ((c === 'o' ? st.op : st.voice) !== plus) {
        if (c === 'o') st.op = plus;
        else st.voice = plus;
        shown = `${sign}${c} ${target.nick}`;
      }
    } else if (c === 'b') {
      // An account extban is kept as given; a mask is completed to nick!user@host.
      const mask = (arg.startsWith('a:') ? arg : completeMask(arg)).toLowerCase();
      const at = ch.bans.indexOf(mask);
      if (plus && at === -1) ch.bans.push(mask);
      if (!plus && at !== -1) ch.bans.splice(at, 1);
      if ((at === -1) === plus) shown = `${sign}b ${mask}`;
    } else if (c === 'k') {
      if (plus && ch.key !== arg) shown = `+k ${(ch.key = arg)}`;
      if (!plus && ch.key !== null) {
        ch.key = null;
        shown = '-k *';
      }
    } else if (ch.flags.has(c) !== plus) {
      if (plus) ch.flags.add(c);
      else ch.flags.delete(c);
      shown = sign + c;
    }
    if (shown !== null) this.toMembers(e, ch, `${p.prefix(this.host)} MODE ${name} ${shown}`);
    return e;
  }

  invite(p: Person, nick: string, name: string): Expect {
    const e = this.expect();
    const target = this.byNick(nick);
    const ch = this.chans.get(name);
    if (target === undefined) e.numerics.push(`401 ${nick}`);
    else if (ch === undefined) e.numerics.push(`403 ${name}`);
    else if (!ch.members.has(p)) e.numerics.push(`442 ${name}`);
    else if (ch.members.has(target)) e.numerics.push(`443 ${target.nick} ${name}`);
    else if (ch.flags.has('i') && !ch.members.get(p)!.op) e.numerics.push(`482 ${name}`);
    else {
      ch.invited.add(target);
      e.numerics.push(`341 ${target.nick} ${name}`);
      this.add(e, target, `${p.prefix(this.host)} INVITE ${target.nick} ${name}`);
      if (target.away !== null) e.numerics.push(`301 ${target.nick}`);
    }
    return e;
  }

  nick(p: Person, nick: string): Expect {
    const e = this.expect();
    const holder = this.byNick(nick);
    if (holder !== undefined && holder !== p) e.numerics.push(`433 ${nick}`);
    else if (nick !== p.nick) {
      const line = `${p.prefix(this.host)} NICK ${nick}`;
      for (const n of [p, ...this.neighbours(p)]) this.add(e, n, line);
      p.nick = nick;
    }
    return e;
  }

  /** MODE <own nick> +i or -i: told to oneself only. */
  invisible(p: Person, on: boolean): Expect {
    const e = this.expect();
    if (p.invisible !== on) this.add(e, p, `${p.nick} MODE ${p.nick} ${on ? '+' : '-'}i`);
    p.invisible = on;
    return e;
  }

  away(p: Person, text: string | null): Expect {
    const e = this.expect();
    if (p.away === text) return e;
    p.away = text;
    const line = `${p.prefix(this.host)} AWAY${text === null ? '' : ' ' + text}`;
    for (const n of this.neighbours(p)) if (n.caps.awayNotify) this.add(e, n, line);
    return e;
  }

  topic(p: Person, name: string, text: string): Expect {
    const e = this.expect();
    const ch = this.chans.get(name);
    if (ch === undefined) e.numerics.push(`403 ${name}`);
    else if (!ch.members.has(p)) e.numerics.push(`442 ${name}`);
    else if (ch.flags.has('t') && !ch.members.get(p)!.op) e.numerics.push(`482 ${name}`);
    else {
      ch.topic = text;
      this.toMembers(e, ch, `${p.prefix(this.host)} TOPIC ${name} ${text}`);
    }
    return e;
  }

  /**
   * May `p` speak in `ch`? RFC 1459 §4.4.1 and RFC 2811 §4.2.3/§4.3: not from outside a +n channel,
   * not without voice or op on a +m one (a non-member has neither), not while banned unless voiced
   * or an operator.
   */
  maySpeak(ch: Chan, p: Person): boolean {
    const st = ch.members.get(p);
    const ranked = st !== undefined && (st.op || st.voice);
    if (st === undefined && ch.flags.has('n')) return false;
    if (ch.flags.has('m') && !ranked) return false;
    return ranked || !this.banned(ch, p);
  }

  /**
   * RENAME <channel> <new name> [reason] (draft/channel-rename), by an operator: the same channel
   * (members, modes, bans, invites) under the new name. Members with the cap see RENAME; the others
   * see themselves part the old name and join the new one, then its topic. The history of a name
   * stays with that name: the renamed channel reads only what is said after the rename.
   */
  rename(p: Person, from: string, to: string, reason: string | null): Expect {
    const e = this.expect();
    const ch = this.asOp(e, p, from);
    if (ch === null) return e;
    const holder = this.chans.get(to);
    if (holder !== undefined && holder !== ch) {
      this.add(e, p, `FAIL RENAME CHANNEL_NAME_IN_USE ${from} ${to}`);
      return e;
    }
    const line = `${p.prefix(this.host)} RENAME ${from} ${to}${reason === null ? '' : ' ' + reason}`;
    e.told = new Map();
    for (const m of ch.members.keys()) {
      if (m.caps.rename) this.add(e, m, line);
      else {
        this.add(e, m, `${m.prefix(this.host)} PART ${from} Channel renamed to ${to}`);
        this.add(e, m, `${m.prefix(this.host)} JOIN ${to}`);
        if (m !== p && ch.topic !== '') e.told.set(m, [`332 ${to} ${ch.topic}`]);
      }
    }
    this.chans.delete(from);
    ch.name = to;
    this.chans.set(to, ch);
    // A new life for history's sake: nothing said under either name before the rename is shown.
    if (to !== from) ch.life = ++this.lives;
    return e;
  }

  /** Membership as `#chan:@nick,+nick,nick` lines, for comparing with the server's. */
  membership(): string[] {
    return [...this.chans.values()]
      .map((ch) => {
        const ms = [...ch.members].map(([m, st]) => (st.op ? '@' : st.voice ? '+' : '') + m.nick);
        return `${ch.name}:${ms.sort().join(',')}`;
      })
      .sort();
  }
}
