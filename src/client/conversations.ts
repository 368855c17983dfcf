// The client's open conversations: which exist, which is current, unread counts, recent speakers, and /join's pending channels.
//
// Names are compared folded by the server's casemapping (`fold`). Every change calls `changed`
// (the view redraws its status line). /join opens a channel at once and makes it current, so a
// line typed or piped right after goes there whatever the timing of the server's answer; if the
// server refuses the JOIN, the channel closes and focus goes back to where it was.
import type { ConversationInfo } from './view.js';

/** How many recent speakers per conversation are remembered for Tab completion. */
const RECENT_SPEAKERS = 50;
/** Unread messages remembered per conversation (their times, for a read marker that moves). */
const UNREAD_KEPT = 10_000;

/** When a message was sent, and how far its conversation had been read then (null: unknown). */
export interface Timing {
  time: number;
  read: number | null;
}

export class Conversations {
  private readonly open = new Map<string, ConversationInfo>();
  private readonly speakers = new Map<string, string[]>();
  /** The unread messages of each conversation: times, and whether each one is for us. */
  private readonly unread = new Map<string, Array<{ time: number; highlight: boolean }>>();
  /** Channels asked for with /join, not yet confirmed, by key: what was current before. */
  private readonly joining = new Map<string, string | null>();
  current: string | null = null;
  /** The next conversation's id: ids are never reused (0 is the view's server window). */
  private nextId = 1;

  constructor(
    private readonly fold: (name: string) => string,
    private readonly changed: () => void,
  ) {}

  key(name: string): string {
    return this.fold(name);
  }

  same(a: string | null, b: string | null): boolean {
    return a !== null && b !== null && this.key(a) === this.key(b);
  }

  has(name: string): boolean {
    return this.open.has(this.key(name));
  }

  /** The id of the open conversation called `name`, or null. */
  idOf(name: string): number | null {
    return this.open.get(this.key(name))?.id ?? null;
  }

  /** The open conversations, in the order they were opened. */
  all(): ConversationInfo[] {
    return [...this.open.values()];
  }

  /** Open `name` (if it is not), and make it current when asked. */
  show(name: string, makeCurrent: boolean): void {
    const k = this.key(name);
    if (!this.open.has(k)) {
      this.open.set(k, { id: this.nextId++, name, unread: 0, highlight: false });
      this.changed();
    }
    if (makeCurrent) this.setCurrent(name);
  }

  close(name: string): void {
    this.open.delete(this.key(name));
    this.speakers.delete(this.key(name));
    this.unread.delete(this.key(name));
    this.joining.delete(this.key(name));
    if (this.same(name, this.current)) this.current = this.all().at(-1)?.name ?? null;
    this.changed();
  }

  setCurrent(name: string): void {
    const c = this.open.get(this.key(name));
    this.current = c?.name ?? name;
    if (c !== undefined) {
      c.unread = 0;
      c.highlight = false;
    }
    this.unread.delete(this.key(name));
    this.changed();
  }

  /** /join: open `channels` at once, the last one current; remember where we were. */
  joinAsked(channels: readonly string[]): void {
    const before = this.current;
    channels.forEach((ch, k) => {
      if (!this.has(ch)) this.joining.set(this.key(ch), before);
      this.show(ch, k === channels.length - 1);
    });
  }

  /** The server confirmed our JOIN of `channel`. */
  joined(channel: string): void {
    this.show(channel, false);
    this.joining.delete(this.key(channel));
  }

  /** The server refused a /join: its conversation goes, and focus back to before it. */
  refused(channel: string): void {
    const k = this.key(channel);
    if (!this.joining.has(k)) return;
    const back = this.joining.get(k) ?? null;
    const wasCurrent = this.same(channel, this.current);
    this.close(channel);
    if (wasCurrent && back !== null && this.has(back)) this.setCurrent(back);
  }

  /**
   * A message arrived in `conversation`: count it unread unless it is ours, current, or no newer
   * than the conversation's read marker (read already, here or in another client).
   */
  arrived(
    conversation: string,
    from: string,
    self: boolean,
    highlight: boolean,
    when: Timing,
  ): void {
    this.show(conversation, false);
    if (self) return; // our own lines (echo-message) are never unread, wherever they went
    this.spoke(conversation, from);
    if (this.same(conversation, this.current)) return;
    if (when.read !== null && when.time <= when.read) return;
    const k = this.key(conversation);
    const c = this.open.get(k);
    if (c === undefined) return;
    c.unread++;
    c.highlight ||= highlight;
    const list = this.unread.get(k) ?? [];
    list.push({ time: when.time, highlight });
    if (list.length > UNREAD_KEPT) list.shift();
    this.unread.set(k, list);
    this.changed();
  }

  /** `conversation` has been read up to `time` (elsewhere): what is no newer is not unread. */
  readTo(conversation: string, time: number): void {
    const k = this.key(conversation);
    const c = this.open.get(k);
    const list = this.unread.get(k);
    if (c === undefined || list === undefined) return;
    const left = list.filter((u) => u.time > time);
    if (left.length === list.length) return;
    // Messages beyond UNREAD_KEPT were dropped from the list: count them as still unread.
    c.unread = Math.max(0, c.unread - (list.length - left.length));
    c.highlight = left.some((u) => u.highlight);
    this.unread.set(k, left);
    this.changed();
  }

  renamed(from: string, to: string): void {
    const k = this.key(from);
    const c = this.open.get(k);
    if (c !== undefined) {
      this.open.delete(k);
      c.name = to;
      this.open.set(this.key(to), c);
      if (this.same(from, this.current)) this.current = to;
    }
    for (const list of this.speakers.values()) {
      const i = list.findIndex((n) => this.same(n, from));
      if (i !== -1) list[i] = to;
    }
    this.changed();
  }

  /** Recent speakers of `conversation`, latest first. */
  recentSpeakers(conversation: string): readonly string[] {
    return this.speakers.get(this.key(conversation)) ?? [];
  }

  private spoke(conversation: string, nick: string): void {
    const k = this.key(conversation);
    const list = (this.speakers.get(k) ?? []).filter((n) => !this.same(n, nick));
    list.unshift(nick);
    if (list.length > RECENT_SPEAKERS) list.pop();
    this.speakers.set(k, list);
  }
}
