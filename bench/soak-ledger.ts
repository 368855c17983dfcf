// The soak's ledger: every message sent, who had to receive it, what arrived live and what history returned; it counts losses, duplicates and reorders.
//
// Times are the soak process's performance.now(), one clock for every client. A message is sent
// at `ts` (the write) and confirmed at `te` (its echo-message echo, found by its label). A member's
// stay in a conversation (a Watch: a channel, or a client's private messages for one connection)
// starts when its JOIN echo (or 001) arrives and ends at `leftAt`, when it wrote its PART, QUIT or
// a last PING. The server handles one client's lines in order, so a message with
// joinedAt < ts and te < leftAt was handled while the member was in, and must reach it before the
// PART echo, the ERROR or the PONG that ends its stay. An open stay is checked the same way at
// each PONG of a PING fence: everything confirmed before the PING was written has arrived.
//
// Order: per sender, a receiver sees its messages in the order sent (each sender numbers them); per
// conversation, in ascending msgid (parley mints msgids that sort in the order it handles messages:
// src/server/stamp.ts), so everyone sees the one order.

export type MsgState = 'pending' | 'confirmed' | 'failed' | 'unconfirmed';

export interface Msg {
  idx: number;
  /** The sending client's slot, and its sequence number among that slot's messages. */
  sender: number;
  seq: number;
  /** Conversation: a channel's number, or channels + the target slot for a private message. */
  conv: number;
  /** Place in the conversation's list (send order). */
  pos: number;
  ts: number;
  te: number;
  msgid: string | null;
  state: MsgState;
}

export interface Watch {
  conv: number;
  /** The receiving slot (for the report's examples). */
  receiver: number;
  joinedAt: number;
  /** The next message of the conversation (by position) not judged yet. */
  cursor: number;
  /** Messages at or past the cursor that arrived. */
  received: Set<number>;
  lastMsgid: string;
}

/** A history answer's line: the message it names (null when the text is not one of ours). */
export interface HistoryEntry {
  msg: Msg | null;
  msgid: string;
}

export interface Counts {
  sent: number;
  confirmed: number;
  failed: number;
  unconfirmed: number;
  /** Live messages received by someone other than the sender. */
  deliveries: number;
  /** Receipts the rule required, and how many of them arrived. */
  expected: number;
  lost: number;
  duplicated: number;
  reorderedSender: number;
  reorderedConversation: number;
  /** A receipt in the wrong conversation, with another text or another msgid than its echo. */
  mangled: number;
  historyFetches: number;
  historyReturned: number;
  /** Returned messages handled while the client was away (after its last one seen, before its JOIN). */
  historyRecovered: number;
  historyMissing: number;
  historyDuplicated: number;
  historyMangled: number;
}

const EXAMPLES = 10;

export class Ledger {
  readonly msgs: Msg[] = [];
  private readonly lists: number[][];
  readonly counts: Counts = {
    sent: 0,
    confirmed: 0,
    failed: 0,
    unconfirmed: 0,
    deliveries: 0,
    expected: 0,
    lost: 0,
    duplicated: 0,
    reorderedSender: 0,
    reorderedConversation: 0,
    mangled: 0,
    historyFetches: 0,
    historyReturned: 0,
    historyRecovered: 0,
    historyMissing: 0,
    historyDuplicated: 0,
    historyMangled: 0,
  };
  /** Longest send-to-echo time seen (ms): how far before a message others can be handled after it. */
  private maxLatency = 0;
  /** The first few problems, for the report. */
  readonly examples: string[] = [];

  constructor(
    conversations: number,
    /** A conversation's name for the examples. */
    private readonly nameOf: (conv: number) => string,
  ) {
    this.lists = Array.from({ length: conversations }, () => []);
  }

  send(sender: number, seq: number, conv: number, now: number): Msg {
    const list = this.lists[conv];
    const m: Msg = {
      idx: this.msgs.length,
      sender,
      seq,
      conv,
      pos: list.length,
      ts: now,
      te: NaN,
      msgid: null,
      state: 'pending',
    };
    this.msgs.push(m);
    list.push(m.idx);
    this.counts.sent++;
    return m;
  }

  confirm(m: Msg, msgid: string, now: number): void {
    if (m.state !== 'pending') return;
    m.state = 'confirmed';
    m.te = now;
    this.counts.confirmed++;
    this.maxLatency = Math.max(this.maxLatency, now - m.ts);
    if (m.msgid === null) m.msgid = msgid;
    else if (m.msgid !== msgid) this.problem('mangled', `${this.about(m)}: echo msgid ${msgid}`);
  }

  /** Refused (an error reply with its label), or never answered before its sender left. */
  settle(m: Msg, state: 'failed' | 'unconfirmed'): void {
    if (m.state !== 'pending') return;
    m.state = state;
    this.counts[state]++;
  }

  /** A stay in `conv` starting now: only messages written from now on (past the cursor) are owed. */
  open(conv: number, receiver: number, now: number): Watch {
    return {
      conv,
      receiver,
      joinedAt: now,
      cursor: this.lists[conv].length,
      received: new Set(),
      lastMsgid: '',
    };
  }

  /** A live message `m` arrived in `w`; `lastSeq` is the receiving connection's per-sender record. */
  receive(w: Watch, m: Msg, msgid: string, lastSeq: Int32Array): void {
    const c = this.counts;
    c.deliveries++;
    if (m.conv !== w.conv) return this.problem('mangled', `${this.about(m)} arrived elsewhere`);
    if (w.received.has(m.idx) || lastSeq[m.sender] === m.seq)
      return this.problem('duplicated', `${this.about(m)} twice at slot ${w.receiver}`);
    if (m.msgid === null) m.msgid = msgid;
    else if (m.msgid !== msgid) this.problem('mangled', `${this.about(m)}: msgid ${msgid}`);
    if (m.seq < lastSeq[m.sender])
      this.problem('reorderedSender', `${this.about(m)} after seq ${lastSeq[m.sender]}`);
    else lastSeq[m.sender] = m.seq;
    if (msgid <= w.lastMsgid)
      this.problem('reorderedConversation', `${this.about(m)} after ${w.lastMsgid}`);
    else w.lastMsgid = msgid;
    if (m.pos >= w.cursor) w.received.add(m.idx);
  }

  /**
   * A PING written at `fencedAt` came back: every message confirmed before then has arrived. Judge
   * the stay's messages in order up to the first one that cannot be judged yet.
   */
  fence(w: Watch, fencedAt: number): void {
    const list = this.lists[w.conv];
    while (w.cursor < list.length) {
      const m = this.msgs[list[w.cursor]];
      if (m.state === 'pending' || (m.state === 'confirmed' && m.te >= fencedAt)) break;
      if (m.state === 'confirmed') this.judge(w, m);
      w.received.delete(m.idx);
      w.cursor++;
    }
  }

  /**
   * The stay ended: its member wrote its leaving line at `leftAt` and has now read everything
   * before it. Messages still pending were handled after `leftAt` (or never): not owed.
   */
  close(w: Watch, leftAt: number): void {
    const list = this.lists[w.conv];
    for (; w.cursor < list.length; w.cursor++) {
      const m = this.msgs[list[w.cursor]];
      if (m.ts >= leftAt) break;
      if (m.state === 'confirmed' && m.te < leftAt) this.judge(w, m);
    }
    w.received.clear();
  }

  private judge(w: Watch, m: Msg): void {
    if (m.sender === w.receiver) return; // its echo was its copy
    this.counts.expected++;
    if (!w.received.has(m.idx))
      this.problem('lost', `${this.about(m)} never reached slot ${w.receiver}`);
  }

  /**
   * A CHATHISTORY AFTER msgid=<after's> answer (every page), asked at `askedAt` by a client that
   * rejoined at `joinedAt`: it must hold each message confirmed before `askedAt` that sorts after
   * `after`, once, in msgid order, as sent.
   */
  history(
    conv: number,
    after: Msg,
    joinedAt: number,
    askedAt: number,
    entries: HistoryEntry[],
  ): void {
    const c = this.counts;
    c.historyFetches++;
    c.historyReturned += entries.length;
    const floor = after.msgid ?? '';
    const seen = new Set<number>();
    let last = floor;
    for (const e of entries) {
      const m = e.msg;
      if (m === null || m.conv !== conv || (m.msgid !== null && m.msgid !== e.msgid)) {
        this.problem(
          'historyMangled',
          `history of ${this.nameOf(conv)}: ${e.msgid} is not as sent`,
        );
        continue;
      }
      if (seen.has(m.idx) || e.msgid <= last) {
        this.problem(
          'historyDuplicated',
          `history of ${this.nameOf(conv)}: ${e.msgid} after ${last}`,
        );
        continue;
      }
      seen.add(m.idx);
      last = e.msgid;
    }
    for (const m of this.owed(conv, after, askedAt)) {
      if (!seen.has(m.idx))
        this.problem('historyMissing', `${this.about(m)} missing from history after ${floor}`);
      else if (m.te < joinedAt) c.historyRecovered++;
    }
  }

  /** Messages of `conv` confirmed before `askedAt` whose msgid sorts after `after`'s. */
  private *owed(conv: number, after: Msg, askedAt: number): Generator<Msg> {
    const list = this.lists[conv];
    const floor = after.msgid ?? '';
    // A message handled after `after` was written no earlier than maxLatency before it.
    const from = after.ts - this.maxLatency - 1;
    let lo = 0;
    let hi = after.pos;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.msgs[list[mid]].ts < from) lo = mid + 1;
      else hi = mid;
    }
    for (let p = lo; p < list.length; p++) {
      const m = this.msgs[list[p]];
      if (m.ts >= askedAt) break;
      if (m.state === 'confirmed' && m.te < askedAt && (m.msgid ?? '') > floor) yield m;
    }
  }

  private about(m: Msg): string {
    return `message ${m.idx} (slot ${m.sender} seq ${m.seq} to ${this.nameOf(m.conv)}, msgid ${m.msgid ?? '?'})`;
  }

  private problem(kind: keyof Counts, text: string): void {
    this.counts[kind]++;
    if (this.examples.length < EXAMPLES) this.examples.push(`${kind}: ${text}`);
  }
}
