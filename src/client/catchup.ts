// Catching up with draft/chathistory: what was last seen in each conversation, the CHATHISTORY requests on each (re)connect, `chathistory` batches gathered then replayed in order, and no message shown twice.
//
//   self JOIN ... 366 ──> CHATHISTORY AFTER <chan> msgid=<last seen> <n>   (LATEST <chan> * <n> when
//                         nothing was seen yet); private chats after registration, when logged in
//   BATCH +id chathistory <target> ── lines tagged batch=id are held ── BATCH -id ──> sorted by
//   time then msgid, the unseen ones emitted with `history: true`; a full page asks for the next
import { serializeBody, type Message } from '../protocol/index.js';
import type { ChatMessage } from './events.js';
import type { HistoryPolicy } from './options.js';

/** Msgids remembered per conversation (a replay older than these could show a line twice). */
const SEEN_PER_CONVERSATION = 2000;
/** A page when the server gives no CHATHISTORY limit. */
const DEFAULT_PAGE = 100;
/** How far back TARGETS looks on a first connection, ms. */
const TARGETS_WINDOW_MS = 24 * 3600_000;

export interface CatchUpHost {
  readonly policy: HistoryPolicy;
  /** draft/chathistory is in force on this link. */
  enabled(): boolean;
  /** Logged in on this link: our private conversations are the account's and can be fetched. */
  loggedIn(): boolean;
  /** ISUPPORT CHATHISTORY (0 or null: the server sets none). */
  serverLimit(): number | null;
  fold(name: string): string;
  isChannel(name: string): boolean;
  write(line: string): void;
  /** Just before a conversation's first CHATHISTORY request on this link (its marker, say). */
  beforeFetch(target: string): void;
  now(): number;
  /** Turn one replayed line into the chat message it holds (null: not a chat message). */
  decode(msg: Message): ChatMessage | null;
  /** Show replayed messages, in order. */
  replay(messages: ChatMessage[]): void;
}

interface Seen {
  ids: Set<string>;
  last: { time: number; msgid: string | null } | null;
}

interface Request {
  target: string;
  limit: number;
  /** Lines fetched so far in this catch-up (AFTER pages). */
  fetched: number;
  paging: boolean;
}

/** One per session: survives reconnects (what was seen), forgets each link's batches. */
export class CatchUp {
  private readonly seen = new Map<string, Seen>();
  /** Display names of private conversations we know (folded → as shown). */
  private readonly privates = new Map<string, string>();
  private readonly requests = new Map<string, Request>();
  /** Open chathistory batches: id → target and the lines so far. */
  private readonly batches = new Map<string, { target: string; lines: Message[] }>();
  /** Channels joined on this link whose names list (366) has not ended yet. */
  private readonly joining = new Set<string>();

  constructor(private readonly host: CatchUpHost) {}

  /** A new link: requests and batches in flight died with the old one. */
  linkLost(): void {
    this.requests.clear();
    this.batches.clear();
    this.joining.clear();
  }

  /** Registered: fetch the private conversations (TARGETS finds those we don't know yet). */
  registered(): void {
    const h = this.host;
    if (!h.enabled() || !h.loggedIn()) return;
    for (const name of this.privates.values()) this.fetch(name);
    let since = h.now() - TARGETS_WINDOW_MS;
    for (const s of this.seen.values()) if (s.last !== null) since = Math.max(since, s.last.time);
    const stamp = (ms: number) => `timestamp=${new Date(ms).toISOString()}`;
    h.write(`CHATHISTORY TARGETS ${stamp(since)} ${stamp(h.now() + 60_000)} ${this.page()}`);
  }

  /** We joined `channel`: its history is fetched once the names list is over. */
  joined(channel: string): void {
    this.joining.add(this.host.fold(channel));
  }

  /** 366 for `channel`. */
  namesEnded(channel: string): void {
    if (this.joining.delete(this.host.fold(channel))) this.fetch(channel);
  }

  /** A live message: false when it was already shown (replayed, or delivered twice). */
  fresh(m: ChatMessage): boolean {
    const key = this.host.fold(m.conversation);
    if (m.private) this.privates.set(key, m.conversation);
    return this.mark(key, m);
  }

  /**
   * Lines that belong to catch-up: BATCH of type chathistory, lines inside one, CHATHISTORY
   * TARGETS answers, FAIL CHATHISTORY about a request of ours. True when handled here.
   */
  intercept(msg: Message): boolean {
    const p = msg.params;
    if (msg.command === 'BATCH') {
      const ref = p[0] ?? '';
      if (ref.startsWith('+') && p[1] === 'chathistory') {
        this.batches.set(ref.slice(1), { target: p[2] ?? '', lines: [] });
        return true;
      }
      if (ref.startsWith('-') && this.batches.has(ref.slice(1))) {
        this.batchEnded(ref.slice(1));
        return true;
      }
      return false;
    }
    const batch = msg.tags?.get('batch');
    if (batch !== undefined && this.batches.has(batch)) {
      this.batches.get(batch)!.lines.push(msg);
      return true;
    }
    if (msg.command === 'CHATHISTORY' && p[0]?.toUpperCase() === 'TARGETS') {
      const name = p[1] ?? '';
      if (name !== '' && !this.host.isChannel(name)) this.fetch(name);
      return true;
    }
    if (msg.command === 'FAIL' && p[0] === 'CHATHISTORY') {
      // Our automatic requests fail quietly (a server may keep no history for some target).
      const target = p[3] ?? '';
      return this.requests.delete(this.host.fold(target)) || p[2] === 'TARGETS';
    }
    return false;
  }

  /** AFTER the last message seen in `target`, or its LATEST when nothing was. */
  private fetch(target: string): void {
    const h = this.host;
    const key = h.fold(target);
    if (!h.enabled() || this.requests.has(key)) return;
    const last = this.seen.get(key)?.last ?? null;
    const limit = last === null ? Math.min(this.page(), h.policy.firstFetch) : this.page();
    if (limit < 1) return;
    this.requests.set(key, { target, limit, fetched: 0, paging: last !== null });
    h.beforeFetch(target);
    this.send(target, last, limit);
  }

  private send(target: string, last: Seen['last'], limit: number): void {
    const bound =
      last === null
        ? null
        : last.msgid !== null
          ? `msgid=${last.msgid}`
          : `timestamp=${new Date(last.time).toISOString()}`;
    const params = bound === null ? ['LATEST', target, '*'] : ['AFTER', target, bound];
    this.host.write(serializeBody(null, 'CHATHISTORY', [...params, String(limit)]));
  }

  private batchEnded(id: string): void {
    const b = this.batches.get(id)!;
    this.batches.delete(id);
    const h = this.host;
    const decoded = b.lines.map((l) => h.decode(l)).filter((m): m is ChatMessage => m !== null);
    decoded.sort((x, y) => x.time - y.time || cmp(x.msgid ?? '', y.msgid ?? ''));
    const shown = decoded.filter((m) => {
      const key = h.fold(m.conversation);
      if (m.private) this.privates.set(key, m.conversation);
      return this.mark(key, m);
    });
    if (shown.length > 0) h.replay(shown.map((m) => ({ ...m, history: true })));
    const key = h.fold(b.target);
    const req = this.requests.get(key);
    if (req === undefined) return;
    req.fetched += b.lines.length;
    const full = b.lines.length >= req.limit;
    const more = req.paging && full && req.fetched < h.policy.maxCatchUp;
    // The next page starts after this one's last line (not after a live line that came meanwhile).
    const end = decoded.at(-1);
    const last = end === undefined ? null : { time: end.time, msgid: end.msgid ?? null };
    if (!more || last === null) {
      this.requests.delete(key);
      return;
    }
    req.limit = Math.min(req.limit, h.policy.maxCatchUp - req.fetched);
    this.send(req.target, last, req.limit);
  }

  /** Remember `m` as seen in conversation `key`; false when it was already. */
  private mark(key: string, m: ChatMessage): boolean {
    let s = this.seen.get(key);
    if (s === undefined) {
      s = { ids: new Set(), last: null };
      this.seen.set(key, s);
    }
    const id = m.msgid ?? null;
    if (id !== null) {
      if (s.ids.has(id)) return false;
      s.ids.add(id);
      if (s.ids.size > SEEN_PER_CONVERSATION) s.ids.delete(s.ids.values().next().value!);
    }
    const later =
      s.last === null ||
      m.time > s.last.time ||
      (m.time === s.last.time && cmp(id ?? '', s.last.msgid ?? '') > 0);
    if (later) s.last = { time: m.time, msgid: id };
    return true;
  }

  private page(): number {
    const n = this.host.serverLimit();
    return n === null || n <= 0 ? DEFAULT_PAGE : Math.min(n, this.host.policy.maxCatchUp);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
