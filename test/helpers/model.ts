// The reference model of who must see what: people, channels, modes, bans and invites, and for each command the lines every client must get.
//
// It follows RFC 2812/2811 and IRCv3 as a user would expect them, independently of the server's
// code; where parley knowingly does less or otherwise than the RFCs say (and it is not a bug), a
// comment says so. Private and channel history is kept by model-history.ts.
import { Records, replayLines, type Rec } from './model-history.js';
import { Chan, completeMask, globMatch, Person, type Caps, type Expect } from './model-types.js';

export { capNames, Chan, Person, type Caps, type Expect, type Line } from './model-types.js';

export class World {
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

  private expect(): Expect {
    return { lines: new Map(), numerics: [] };
  }

  private add(e: Expect, to: Person, text: string, rec?: Rec): void {
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

  /** PRIVMSG, NOTICE or TAGMSG from `p` to `targets` (as typed: nicks, #chan, @#chan, +#chan). */
  message(p: Person, verb: string, targets: string[], text: string): Expect {
    const e = this.expect();
    const quiet = verb === 'NOTICE';
    const body = (to: string) =>
      `${p.prefix(this.host)} ${verb} ${to}${verb === 'TAGMSG' ? '' : ' ' + text}`;
    const seen = new Set<string>();
    const sees = (m: Person) => verb !== 'TAGMSG' || m.caps.tags;
    const late = this.cluster && targets.some((t) => t.replace(/^[@+]/, '').startsWith('#'));
    const echoes: Array<[string, Rec]> = [];
    for (const target of targets) {
      if (seen.has(target.toLowerCase())) continue;
      seen.add(target.toLowerCase());
      const status = target[0] === '@' || target[0] === '+' ? target[0] : '';
      const name = target.slice(status.length);
      if (name.startsWith('#')) {
        const ch = this.chans.get(name);
        if (ch === undefined) {
          if (!quiet) e.numerics.push(`403 ${name}`);
          continue;
        }
        if (!this.maySpeak(ch, p)) {
          if (!quiet) e.numerics.push(`404 ${name}`);
          continue;
        }
        const stored = status === '' && verb !== 'TAGMSG';
        const rec = stored
          ? this.records.channel(ch, p, p.prefix(this.host), verb, text)
          : undefined;
        for (const [m, st] of ch.members) {
          if (m === p || !sees(m)) continue;
          if (status === '@' && !st.op) continue;
          if (status === '+' && !st.op && !st.voice) continue;
          this.add(e, m, body(target), rec);
        }
        // IRCv3 message-tags: no TAGMSG to a client without the cap, its own echo included.
        if (p.caps.echo && sees(p)) this.add(e, p, body(target), rec);
        continue;
      }
      const to = this.byNick(target);
      const inbox = this.inboxes.get(target.toLowerCase());
      if (to === undefined && inbox !== undefined && verb !== 'TAGMSG') {
        // Nobody uses the account's name: kept for the account's next login, and in history.
        const rec = this.records.offline(p, target, p.prefix(this.host), verb, text);
        inbox.push(rec);
        if (p.caps.echo) {
          if (late) echoes.push([body(target), rec]);
          else this.add(e, p, body(target), rec);
        }
        continue;
      }
      if (to === undefined) {
        if (!quiet) e.numerics.push(`401 ${target}`);
        continue;
      }
      const rec =
        verb === 'TAGMSG' ? undefined : this.records.direct(p, to, p.prefix(this.host), verb, text);
      if (sees(to)) this.add(e, to, body(to.nick), rec);
      if (p.caps.echo && sees(p)) this.add(e, p, body(to.nick), rec);
      if (verb === 'PRIVMSG' && to.away !== null) e.numerics.push(`301 ${to.nick}`);
    }
    for (const [text, rec] of echoes) this.add(e, p, text, rec);
    return e;
  }

  /**
   * A draft/multiline message (BATCH +id draft/multiline <target>, its lines, BATCH -id) to a
   * channel, a nick or an account nobody uses: refused as one PRIVMSG would be (an account's
   * inbox keeps it, as it would keep one), else delivered whole to each recipient
   * (replayLines: a batch, or a message per line that is not blank), echoed as a batch, and kept as
   * one message.
   */
  multiline(p: Person, verb: string, target: string, lines: string[]): Expect {
    const e = this.expect();
    const quiet = verb === 'NOTICE';
    const source = p.prefix(this.host);
    const text = lines.join('\n');
    let rec: Rec;
    let to: Person[];
    if (target.startsWith('#')) {
      const ch = this.chans.get(target);
      if (ch === undefined || !this.maySpeak(ch, p)) {
        if (!quiet) e.numerics.push(`${ch === undefined ? 403 : 404} ${target}`);
        return e;
      }
      rec = this.records.channel(ch, p, source, verb, text);
      to = [...ch.members.keys()].filter((m) => m !== p);
    } else {
      const peer = this.byNick(target);
      const inbox = this.inboxes.get(target.toLowerCase());
      if (peer === undefined && inbox !== undefined) {
        // Nobody uses the account's name: kept for its next login, as a single line would be.
        rec = this.records.offline(p, target, source, verb, text);
        inbox.push(rec);
        to = [];
      } else if (peer === undefined) {
        if (!quiet) e.numerics.push(`401 ${target}`);
        return e;
      } else {
        rec = this.records.direct(p, peer, source, verb, text);
        to = peer === p ? [] : [peer];
      }
    }
    rec.lines = lines;
    for (const m of to) for (const t of replayLines(rec, m.caps, false)) this.add(e, m, t, rec);
    if (p.caps.echo) {
      for (const t of replayLines(rec, { ...p.caps, multiline: true, batch: true }, false)) {
        this.add(e, p, t, rec);
      }
    }
    return e;
  }

  /**
   * REDACT <target> <msgid> [reason] (draft/message-redaction): a stored message of the
   * conversation `target` names, taken back by its sender (its account, or its prefix without one)
   * or a channel operator; those who could see it are told if they have the cap, and no answer
   * shows it again.
   */
  redact(p: Person, target: string, msgid: string, reason: string | null): Expect {
    const e = this.expect();
    const fail = (...words: string[]) => {
      this.add(e, p, ['FAIL REDACT', ...words].join(' '));
      return e;
    };
    const ch = target.startsWith('#') ? this.chans.get(target) : undefined;
    const peer = target.startsWith('#') ? undefined : this.byNick(target);
    if (ch !== undefined ? !ch.members.has(p) : peer === undefined) {
      return fail('INVALID_TARGET', target);
    }
    const conv = ch !== undefined ? ch.name : this.records.pairOf(p, peer!);
    // A message taken back already is found again (the store's find keeps it for this check), and
    // taking it back again tells the same people again.
    const rec = this.records.all.find((r) => r.msgid === msgid);
    if (rec === undefined || rec.conv !== conv || (ch !== undefined && rec.life !== ch.life)) {
      return fail('UNKNOWN_MSGID', target, msgid);
    }
    const sender =
      rec.account != null ? rec.account === p.account : rec.source === p.prefix(this.host);
    if (!sender && !(ch?.members.get(p)?.op ?? false)) {
      return fail('REDACT_FORBIDDEN', target, msgid);
    }
    rec.redacted = true;
    for (const inbox of this.inboxes.values()) {
      const at = inbox.indexOf(rec);
      if (at >= 0) inbox.splice(at, 1);
    }
    const line = `${p.prefix(this.host)} REDACT ${target} ${msgid}${reason === null ? '' : ' ' + reason}`;
    const told = ch !== undefined ? [...ch.members.keys()] : [peer!];
    for (const m of told) if (m !== p && m.caps.redaction) this.add(e, m, line);
    if (p.caps.redaction) this.add(e, p, line);
    return e;
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
