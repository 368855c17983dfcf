// The soak's simulated users: a slot per nick, one connection at a time, joining, chatting, leaving and coming back, each line they read checked against the ledger.
import { ERR, isParseError, parse, type Message } from '../src/protocol/index.js';
import { Conn, Pool } from './loadgen.js';
import type { Ledger, Msg } from './soak-ledger.js';
import { CAPS, channelName, Session, Slot, textOf, type Behaviour } from './soak-session.js';
import type { ClientStats } from './soak-session.js';

/** '401' → 'ERR_NOSUCHNICK', for the report's error counts. */
const ERR_NAMES = new Map<string, string>(
  Object.entries(ERR).map(([name, code]) => [code, `ERR_${name}`]),
);

export class SoakClients extends Pool {
  readonly slots: Slot[];
  readonly clientStats: ClientStats = {
    connects: 0,
    quits: 0,
    drops: 0,
    parts: 0,
    cut: 0,
    stray: 0,
    historyAbandoned: 0,
    errors: {},
  };
  private readonly channelIndex = new Map<string, number>();
  private fences = 0;
  /** False once the soak is winding down: nobody chats, leaves or comes back. */
  running = true;

  constructor(
    host: string,
    port: number,
    private readonly b: Behaviour,
    private readonly ledger: Ledger,
    private readonly random: () => number,
    readonly now: () => number = () => performance.now(),
  ) {
    super(host, port);
    for (let c = 0; c < b.channels; c++) this.channelIndex.set(channelName(c), c);
    const keepers = Math.round(b.clients * b.keepers);
    this.slots = Array.from({ length: b.clients }, (_, i) => {
      // Spread memberships evenly: client i takes channels i, i+1, ... (mod the channel count).
      const chans = Array.from({ length: Math.min(b.perClient, b.channels) }, (_, k) => {
        return (i + k * Math.max(1, Math.floor(b.channels / b.perClient))) % b.channels;
      });
      return new Slot(i, `soak${i}`, [...new Set(chans)], i < keepers);
    });
  }

  /** The conversation of `slot`'s private messages. */
  inboxOf(slot: number): number {
    return this.b.channels + slot;
  }

  override greeting(nick: string): string {
    return `CAP REQ :${CAPS}\r\nNICK ${nick}\r\nUSER ${nick} 0 * :parley soak\r\nCAP END\r\n`;
  }

  /** Clients registered (past 001) and not leaving. */
  online(): number {
    let n = 0;
    for (const s of this.slots)
      if (s.session !== null && s.session.leaving === null && s.session.registeredAt >= 0) n++;
    return n;
  }

  /** Connections open, in any state. */
  connected(): number {
    return this.slots.filter((s) => s.session !== null).length;
  }

  /** Messages sent and not yet answered, and history requests not yet answered. */
  outstanding(): number {
    let n = 0;
    for (const s of this.slots)
      if (s.session !== null) n += s.session.labels.size + s.session.asks.length;
    return n;
  }

  /** One step of every client's life: connect, chat, leave, come back, fence, as their times come. */
  tick(): void {
    const now = this.now();
    for (const slot of this.slots) {
      const s = slot.session;
      if (s === null) {
        if (this.running && now >= slot.reconnectAt) this.connect(slot);
        continue;
      }
      if (!(s.registeredAt >= 0) || s.leaving !== null) continue;
      if (this.running) {
        if (now >= s.nextChatAt) {
          this.chat(slot, s, now);
          s.nextChatAt = now + this.wait(this.b.chatS);
        }
        for (const [conv, at] of slot.rejoinAt)
          if (now >= at) {
            slot.rejoinAt.delete(conv);
            s.conn.send(`JOIN ${channelName(conv)}\r\n`);
          }
        if (!slot.keeper && now >= s.nextChurnAt) this.churn(s, now);
      }
      if (s.leaving === null && s.fence === null && now >= s.nextFenceAt) {
        s.fence = { token: `f${++this.fences}`, at: now };
        s.conn.send(`PING :${s.fence.token}\r\n`);
      }
    }
  }

  /** Everyone still connected QUITs (the last check of every stay). */
  quitAll(): void {
    this.running = false;
    const now = this.now();
    for (const slot of this.slots) {
      const s = slot.session;
      if (s === null || s.leaving !== null) continue;
      if (s.registeredAt >= 0) this.quit(s, now, false);
      else this.abandon(s);
    }
  }

  /** Reset whatever is still open, unchecked (the wind-down ran out of time). */
  closeEverything(): void {
    for (const slot of this.slots) {
      const s = slot.session;
      slot.session = null;
      s?.conn.socket.resetAndDestroy();
    }
  }

  private connect(slot: Slot): void {
    this.clientStats.connects++;
    slot.session = new Session(new Conn(slot.index, slot.nick, this), this.b.clients);
  }

  private chat(slot: Slot, s: Session, now: number): void {
    let target = '';
    let conv = -1;
    if (this.random() < this.b.privateShare) {
      for (let tries = 0; tries < 5 && conv < 0; tries++) {
        const t = this.slots[Math.floor(this.random() * this.slots.length)];
        const ts = t.session;
        if (t === slot || ts === null || !(ts.registeredAt >= 0) || ts.leaving !== null) continue;
        [target, conv] = [t.nick, this.inboxOf(t.index)];
      }
    }
    if (conv < 0) {
      const inside = [...s.watches.keys()].filter((c) => !s.parting.has(c));
      if (inside.length === 0) return;
      conv = inside[Math.floor(this.random() * inside.length)];
      target = channelName(conv);
    }
    const m = this.ledger.send(slot.index, slot.seq++, conv, now);
    s.labels.set(String(m.idx), m);
    s.conn.send(`@label=${m.idx} PRIVMSG ${target} :${textOf(m.idx)}\r\n`);
  }

  /** Leave in one of three ways: QUIT, a dropped connection (after a last fence), or a PART. */
  private churn(s: Session, now: number): void {
    const r = this.random();
    const inside = [...s.watches.keys()].filter((c) => !s.parting.has(c));
    if (r < 0.25 && inside.length > 0) {
      const conv = inside[Math.floor(this.random() * inside.length)];
      this.clientStats.parts++;
      s.parting.set(conv, now);
      s.conn.send(`PART ${channelName(conv)}\r\n`);
      s.nextChurnAt = now + this.wait(this.b.sessionS);
    } else if (r < 0.5) {
      // Abrupt: everything written before this PING is in once its PONG is back; then a reset.
      this.clientStats.drops++;
      s.leaving = 'drop';
      s.leftAt = now;
      s.conn.send('PING :drop\r\n');
    } else this.quit(s, now);
  }

  private quit(s: Session, now: number, counted = true): void {
    if (counted) this.clientStats.quits++;
    s.leaving = 'quit';
    s.leftAt = now;
    s.conn.send('QUIT :soak\r\n');
  }

  override onLine(conn: Conn, buf: Buffer, start: number, end: number): void {
    this.lines++;
    const slot = this.slots[conn.index];
    const s = slot.session;
    if (s === null || s.conn !== conn) return;
    const parsed = parse(buf.toString('utf8', start, end));
    if (isParseError(parsed)) return this.tally(`unparsable line (${parsed.error})`);
    this.handle(slot, s, parsed, this.now());
  }

  private handle(slot: Slot, s: Session, msg: Message, now: number): void {
    const { command: cmd, params } = msg;
    const label = msg.tags?.get('label');
    const nick = msg.source === null ? '' : msg.source.split('!', 1)[0];
    if (cmd === 'PRIVMSG') return this.privmsg(slot, s, msg, nick, label, now);
    if (cmd === 'PING') return s.conn.send(`PONG :${params.at(-1) ?? ''}\r\n`);
    if (cmd === 'PONG') return this.pong(slot, s, params.at(-1) ?? '');
    if (cmd === '001') return this.welcome(slot, s, now);
    if (cmd === 'JOIN' && nick === slot.nick) return this.joined(slot, s, params[0], now);
    if (cmd === 'PART' && nick === slot.nick) return this.parted(slot, s, params[0], now);
    if (cmd === 'BATCH') return this.batch(s, params);
    if (cmd === 'ERROR') {
      if (s.leaving !== 'quit') this.tally(`ERROR ${(params[0] ?? '').replace(/\[[^\]]*\]/, '')}`);
      return;
    }
    const error = cmd === 'FAIL' || /^[45]\d\d$/.test(cmd);
    if (!error) return;
    this.tally(
      cmd === 'FAIL' ? `FAIL ${params[0]} ${params[1]}` : `${cmd} ${ERR_NAMES.get(cmd) ?? ''}`,
    );
    const m = label === undefined ? undefined : s.labels.get(label);
    if (m !== undefined) {
      s.labels.delete(label!);
      this.ledger.settle(m, 'failed');
    } else if (cmd === 'FAIL' && params[0] === 'CHATHISTORY') s.asks.shift();
    // The nick is still held: a reset this client sent is not handled yet. Try again later.
    else if (cmd === '433' && !(s.registeredAt >= 0)) this.abandon(s);
  }

  /** Close a connection not yet registered, as asked (not a cut). */
  private abandon(s: Session): void {
    s.leaving = 'quit';
    s.conn.socket.destroy();
  }

  private privmsg(
    slot: Slot,
    s: Session,
    msg: Message,
    nick: string,
    label: string | undefined,
    now: number,
  ): void {
    const [target, text] = msg.params;
    const msgid = msg.tags?.get('msgid') ?? '';
    const m = this.messageOf(text ?? '');
    if (label !== undefined) {
      const mine = s.labels.get(label);
      if (mine === undefined) return this.tally('echo of an unknown label');
      s.labels.delete(label);
      if (mine !== m || nick !== slot.nick) this.tally('echo unlike its message');
      return this.ledger.confirm(mine, msgid, now);
    }
    const batch = msg.tags?.get('batch');
    if (batch !== undefined) {
      const ask = s.asks.find((a) => a.batch === batch);
      if (ask === undefined) return this.tally('line of an unknown batch');
      ask.page++;
      ask.entries.push({ msg: m, msgid });
      return;
    }
    if (m === null || this.slots[m.sender].nick !== nick) return this.tally('mangled message');
    const conv = target === slot.nick ? this.inboxOf(slot.index) : this.channelIndex.get(target);
    const w =
      conv === undefined ? undefined : conv < this.b.channels ? s.watches.get(conv) : s.inbox;
    if (w === undefined || w === null) {
      this.clientStats.stray++;
      return;
    }
    this.ledger.receive(w, m, msgid, s.lastSeq);
    const seen = slot.lastSeen.get(w.conv);
    if (
      w.conv < this.b.channels &&
      m.msgid !== null &&
      (seen === undefined || m.msgid > seen.msgid!)
    )
      slot.lastSeen.set(w.conv, m);
  }

  private messageOf(text: string): Msg | null {
    if (!text.startsWith('soak ')) return null;
    const idx = Number(text.slice(5, text.indexOf(' ', 5)));
    const m = this.ledger.msgs[idx];
    return m !== undefined && textOf(idx) === text ? m : null;
  }

  private welcome(slot: Slot, s: Session, now: number): void {
    s.registeredAt = now;
    s.inbox = this.ledger.open(this.inboxOf(slot.index), slot.index, now);
    slot.rejoinAt.clear();
    s.conn.send(`JOIN ${slot.channels.map(channelName).join(',')}\r\n`);
    s.nextChatAt = now + this.wait(this.b.chatS);
    s.nextChurnAt = now + this.wait(this.b.sessionS);
    s.nextFenceAt = now + this.b.fenceS * 1000 * (0.5 + this.random());
  }

  private joined(slot: Slot, s: Session, channel: string, now: number): void {
    const conv = this.channelIndex.get(channel);
    if (conv === undefined) return;
    s.watches.set(conv, this.ledger.open(conv, slot.index, now));
    const after = slot.lastSeen.get(conv);
    if (after === undefined || after.msgid === null) return;
    s.asks.push({ conv, after, joinedAt: now, askedAt: now, entries: [], page: 0, batch: null });
    this.askHistory(s, channel, after.msgid);
  }

  private askHistory(s: Session, channel: string, msgid: string): void {
    s.conn.send(`CHATHISTORY AFTER ${channel} msgid=${msgid} ${this.b.historyLimit}\r\n`);
  }

  private parted(slot: Slot, s: Session, channel: string, now: number): void {
    const conv = this.channelIndex.get(channel);
    const w = conv === undefined ? undefined : s.watches.get(conv);
    const at = conv === undefined ? undefined : s.parting.get(conv);
    if (conv === undefined || w === undefined || at === undefined) return;
    this.ledger.close(w, at);
    s.watches.delete(conv);
    s.parting.delete(conv);
    slot.rejoinAt.set(conv, now + this.wait(this.b.partS));
  }

  private batch(s: Session, params: string[]): void {
    const ref = params[0] ?? '';
    if (ref.startsWith('+')) {
      if (params[1] !== 'chathistory') return;
      const ask = s.asks.find((a) => a.batch === null);
      if (ask === undefined) return this.tally('an unasked history batch');
      ask.batch = ref.slice(1);
      return;
    }
    const at = s.asks.findIndex((a) => a.batch === ref.slice(1));
    if (at < 0) return;
    const [ask] = s.asks.splice(at, 1);
    const last = ask.entries.at(-1);
    if (ask.page >= this.b.historyLimit && last !== undefined) {
      // A full page: ask for the next one, behind whatever else was asked meanwhile.
      ask.page = 0;
      ask.batch = null;
      s.asks.push(ask);
      this.askHistory(s, channelName(ask.conv), last.msgid);
      return;
    }
    this.ledger.history(ask.conv, ask.after, ask.joinedAt, ask.askedAt, ask.entries);
  }

  private pong(slot: Slot, s: Session, token: string): void {
    if (token === 'drop' && s.leaving === 'drop') {
      this.end(slot, s, s.leftAt);
      s.conn.socket.resetAndDestroy();
      return;
    }
    if (s.fence === null || token !== s.fence.token) return;
    const at = s.fence.at;
    s.fence = null;
    s.fencedTo = at;
    s.nextFenceAt = this.now() + this.b.fenceS * 1000;
    for (const w of s.watches.values()) this.ledger.fence(w, at);
    if (s.inbox !== null) this.ledger.fence(s.inbox, at);
  }

  /** The connection's stays end at `leftAt`; unanswered messages were never handled. */
  private end(slot: Slot, s: Session, leftAt: number): void {
    for (const w of s.watches.values()) this.ledger.close(w, Math.max(w.joinedAt, leftAt));
    if (s.inbox !== null) this.ledger.close(s.inbox, Math.max(s.inbox.joinedAt, leftAt));
    for (const m of s.labels.values()) this.ledger.settle(m, 'unconfirmed');
    this.clientStats.historyAbandoned += s.asks.length;
    slot.session = null;
    slot.reconnectAt = this.now() + this.wait(this.b.offlineS);
  }

  override onClose(conn: Conn): void {
    conn.closed = true;
    const slot = this.slots[conn.index];
    const s = slot.session;
    if (s === null || s.conn !== conn) return;
    if (s.leaving === 'quit') return this.end(slot, s, s.leftAt);
    // Not asked for: only what the last fence proved is owed.
    this.clientStats.cut++;
    this.end(slot, s, s.fencedTo);
  }

  override onError(_conn: Conn, err: NodeJS.ErrnoException): void {
    this.tally(err.code ?? err.message);
  }

  private tally(what: string): void {
    const e = this.clientStats.errors;
    e[what] = (e[what] ?? 0) + 1;
  }

  /** An exponential wait with this mean (seconds), in ms. */
  private wait(meanS: number): number {
    return -Math.log(1 - this.random()) * meanS * 1000;
  }
}
