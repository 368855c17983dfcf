// The reference model of who must see what: World, the people and channels of model-state.ts, and for each message (PRIVMSG, NOTICE, TAGMSG, multiline, REDACT) the lines every client must get.
//
// It follows RFC 2812/2811 and IRCv3 as a user would expect them, independently of the server's
// code; where parley knowingly does less or otherwise than the RFCs say (and it is not a bug), a
// comment says so. Private and channel history is kept by model-history.ts.
import { replayLines, type Rec } from './model-history.js';
import { WorldState } from './model-state.js';
import type { Expect, Person } from './model-types.js';

export { capNames, Chan, Person, type Caps, type Expect, type Line } from './model-types.js';

/** The model: its people and channels (WorldState), and what each message must deliver. */
export class World extends WorldState {
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
}
