// The model's history: every stored message in its conversation, who may read which, and what CHATHISTORY and join replay must answer.
//
// The rule modelled (docs/SECURITY.md, README "Who reads what"): a channel's history is for its
// current members, and only from the channel's present life: once its last member has left, the
// channel is gone (RFC 2812 §1.3) and whoever makes a new one of that name reads none of the old
// one. A private conversation is for its two parties, each a connection or, when logged in, an
// account: every connection of an account, now or later, reads the account's conversations.
import type { World } from './model.js';
import type { Caps, Chan, Expect, Line, Person } from './model-types.js';

export interface Rec {
  seq: number;
  conv: string;
  /** The channel's life (0 for private messages). */
  life: number;
  source: string;
  verb: string;
  target: string;
  text: string;
  /** Learned from the first copy that carried one (message-tags clients). */
  msgid?: string;
  /** The sender's account (TARGETS shows the other party by it; REDACT allows it). */
  account?: string | null;
  /** Taken back by REDACT: no longer in any answer. */
  redacted?: boolean;
  /** A draft/multiline message's lines ('' for a blank one); its text is them joined. */
  lines?: string[];
}

/** An answer that can only be bounded, not predicted line by line (a bound outside the visible list). */
export interface HistoryCheck {
  framed: boolean;
  caps: Caps;
  target: string;
  visible: Rec[];
  limit: number;
}

/** A private conversation's key: its two parties' history identities (Person.historyId), sorted. */
const pair = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);

/**
 * The lines a message is delivered or replayed as to a client with `caps` (`framed`: inside a
 * chathistory batch). A multiline one: its own draft/multiline batch (blank lines too) to a client
 * with that cap and batch, else one message per line that is not blank.
 */
export function replayLines(r: Rec, caps: Caps, framed: boolean): string[] {
  const b = framed ? '[b] ' : '';
  const body = (text: string) => `${r.source} ${r.verb} ${r.target} ${text}`;
  if (r.lines === undefined) return [b + body(r.text)];
  if (caps.multiline && caps.batch) {
    const inner = r.lines.map((l) => '[b] ' + body(l));
    return [`BATCH + draft/multiline ${r.target}`, ...inner, 'BATCH -'];
  }
  return r.lines.filter((l) => l !== '').map((l) => b + body(l));
}

export class Records {
  private seq = 0;
  readonly convs = new Map<string, Rec[]>();
  readonly all: Rec[] = [];

  private push(
    conv: string,
    life: number,
    source: string,
    verb: string,
    target: string,
    text: string,
  ): Rec {
    const rec: Rec = { seq: ++this.seq, conv, life, source, verb, target, text };
    let list = this.convs.get(conv);
    if (list === undefined) this.convs.set(conv, (list = []));
    list.push(rec);
    this.all.push(rec);
    return rec;
  }

  channel(ch: Chan, from: Person, source: string, verb: string, text: string): Rec {
    const rec = this.push(ch.name, ch.life, source, verb, ch.name, text);
    rec.account = from.account;
    return rec;
  }

  /** The key of the private conversation between `a` and `b`. */
  pairOf(a: Person, b: Person): string {
    return pair(a.historyId, b.historyId);
  }

  /** A conversation's messages that are still there. */
  kept(conv: string): Rec[] {
    return (this.convs.get(conv) ?? []).filter((r) => r.redacted !== true);
  }

  direct(from: Person, to: Person, source: string, verb: string, text: string): Rec {
    const rec = this.push(pair(from.historyId, to.historyId), 0, source, verb, to.nick, text);
    rec.account = from.account;
    return rec;
  }

  /** A message to `account`'s name while nobody uses it: in the conversation with the account. */
  offline(from: Person, account: string, source: string, verb: string, text: string): Rec {
    const conv = pair(from.historyId, `a:${account.toLowerCase()}`);
    const rec = this.push(conv, 0, source, verb, account, text);
    rec.account = from.account;
    return rec;
  }

  /** What members of `ch` may read: its present life's messages. */
  visible(ch: Chan): Rec[] {
    return this.kept(ch.name).filter((r) => r.life === ch.life);
  }

  latest(list: Rec[], n: number): Rec[] {
    return list.slice(Math.max(0, list.length - n));
  }

  /** `recs` as a chathistory batch for `p` (bare lines without the batch cap). */
  batch(p: Person, target: string, recs: Rec[]): Line[] {
    const framed = p.caps.batch;
    const lines: Line[] = recs.flatMap((rec) =>
      replayLines(rec, p.caps, framed).map((text) => ({ text, rec })),
    );
    return framed
      ? [{ text: `BATCH + chathistory ${target}` }, ...lines, { text: 'BATCH -' }]
      : lines;
  }

  /**
   * CHATHISTORY <sub> <target> <bound> <limit> from `p`; `bound` a msgid, or null for `*`. A bound
   * in the visible list gives an exact answer (AROUND aside); one outside it, an answer that must
   * stay within the visible list.
   */
  query(
    w: World,
    p: Person,
    sub: string,
    target: string,
    bound: string | null,
    limit: number,
    /** BETWEEN's second bound. */
    other: string | null = null,
  ): Expect {
    const e: Expect = { lines: new Map(), numerics: [] };
    let visible: Rec[] | null;
    let conv = target;
    if (target.startsWith('#')) {
      const ch = w.chans.get(target);
      visible = ch !== undefined && ch.members.has(p) ? this.visible(ch) : null;
    } else {
      // Someone offline is looked for by account (no account is named like a nick of the pool).
      const other = w.byNick(target);
      const id = other?.historyId ?? `a:${target.toLowerCase()}`;
      conv = pair(p.historyId, id);
      visible = this.kept(conv);
    }
    if (visible === null) {
      e.lines.set(p, [{ text: `FAIL CHATHISTORY INVALID_TARGET ${sub} ${target}` }]);
      return e;
    }
    const index = (id: string | null) =>
      id === null ? -1 : visible.findIndex((r) => r.msgid === id);
    const elsewhere = (id: string | null) => this.all.find((r) => r.msgid === id)?.conv !== conv;
    const at = index(bound);
    const to = index(other);
    let exact: Rec[] | null = null;
    if (bound === null) exact = this.latest(visible, limit);
    else if (elsewhere(bound) || (sub === 'BETWEEN' && elsewhere(other))) {
      exact = []; // a msgid of another conversation, or of none: no such message here
    } else if (at >= 0 && sub === 'BETWEEN' && to >= 0) {
      // Oldest first after the first bound when it is the older; newest first before it when not.
      if (at <= to) exact = visible.slice(at + 1, Math.min(to, at + 1 + limit));
      else exact = visible.slice(Math.max(to + 1, at - limit), at);
    } else if (at >= 0) {
      if (sub === 'LATEST') exact = visible.slice(Math.max(at + 1, visible.length - limit));
      if (sub === 'BEFORE') exact = visible.slice(Math.max(0, at - limit), at);
      if (sub === 'AFTER') exact = visible.slice(at + 1, at + 1 + limit);
    }
    if (exact !== null) e.lines.set(p, this.batch(p, target, exact));
    else e.history = { framed: p.caps.batch, caps: p.caps, target, visible, limit };
    return e;
  }

  /** CHATHISTORY TARGETS over all time: the conversations `p` may read that have messages. */
  targets(w: World, p: Person): Expect {
    const rows: Array<{ shown: string; latest: Rec }> = [];
    for (const ch of w.chans.values()) {
      const list = ch.members.has(p) ? this.visible(ch) : [];
      if (list.length > 0) rows.push({ shown: ch.name, latest: list[list.length - 1] });
    }
    for (const conv of this.convs.keys()) {
      if (!conv.split(' ').includes(p.historyId)) continue;
      const list = this.kept(conv);
      if (list.length === 0) continue;
      const latest = list[list.length - 1];
      const sender = latest.source.slice(0, latest.source.indexOf('!'));
      // The other party: the recipient of what I sent (known by my account when logged in, else
      // by no account and my nick; between two connections of my account, by my nick), the
      // sender of what I got.
      const byNick = sender.toLowerCase() === p.nick.toLowerCase();
      const mine =
        p.account === null
          ? latest.account === null && byNick
          : conv === `${p.historyId} ${p.historyId}`
            ? byNick
            : latest.account === p.account;
      const shown = mine ? latest.target : sender;
      rows.push({ shown, latest });
    }
    rows.sort((a, b) => a.latest.seq - b.latest.seq);
    const framed = p.caps.batch;
    const lines: Line[] = rows.map((r) => ({
      text: `${framed ? '[b] ' : ''}CHATHISTORY TARGETS ${r.shown}`,
    }));
    const all = framed
      ? [{ text: 'BATCH + draft/chathistory-targets' }, ...lines, { text: 'BATCH -' }]
      : lines;
    return { lines: new Map([[p, all]]), numerics: [] };
  }

  /** A bounded answer: framed as it should be, at most `limit` visible messages, oldest first. */
  check(c: HistoryCheck, got: string[]): string | null {
    let body = got;
    if (c.framed) {
      if (got[0] !== `BATCH + chathistory ${c.target}` || got.at(-1) !== 'BATCH -') {
        return `unframed answer: ${got.join(' | ')}`;
      }
      body = got.slice(1, -1);
    }
    // Each message's lines in turn, oldest first, at most `limit` messages.
    const shown = c.visible.map((r) => replayLines(r, c.caps, c.framed));
    const at = (k: number, pos: number) =>
      shown[k].length > 0 && shown[k].every((l, i) => body[pos + i] === l);
    let last = -1;
    let count = 0;
    for (let pos = 0; pos < body.length; count++) {
      let k = last + 1;
      while (k < shown.length && !at(k, pos)) k++;
      if (k === shown.length) {
        const earlier = shown.some((_, j) => j <= last && at(j, pos));
        return `${earlier ? 'out of order' : 'a message the asker may not read'}: ${body[pos]}`;
      }
      pos += shown[k].length;
      last = k;
    }
    if (count > c.limit) return `${count} messages past the limit ${c.limit}`;
    return null;
  }
}
