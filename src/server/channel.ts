// A named group: members with their status, topic, modes and mask lists (bans, exceptions); large ones keep quiet about arrivals.
import { fold, matchMask } from '../protocol/index.js';
import type { User } from './user.js';

/**
 * Member status bits. OP and VOICE are the visible ones, highest first in PREFIX=(ov)@+. QUIET marks
 * a member who arrived while the channel was large (+u): nobody else was told of the arrival, so
 * nobody is told of the departure, nick change or away state either (network.ts).
 */
export const MEMBER = { OP: 1, VOICE: 2, QUIET: 4 } as const;
/** The bits that are a member's visible status. */
export const STATUS = MEMBER.OP | MEMBER.VOICE;

/** One entry of a mask list: a `nick!user@host` mask, or an extban such as `m:nick!user@host`. */
export interface Ban {
  mask: string;
  setBy: string;
  setAt: number;
}

/** The mask lists: bans (+b), ban exceptions (+e), invite exceptions (+I). */
export type ListMode = 'b' | 'e' | 'I';

export class Channel {
  folded: string;
  readonly members = new Map<User, number>();
  topic = '';
  topicBy = '';
  topicAt = 0;
  /** Simple flag modes that are set, from `Cimnst`. New channels start +nt. */
  flags = new Set<string>(['n', 't']);
  key: string | null = null;
  limit: number | null = null;
  readonly lists: Record<ListMode, Ban[]> = { b: [], e: [], I: [] };
  /** The founder's account key when the channel is registered (registry.ts), else null. */
  founder: string | null = null;
  /**
   * Large (+u, set by the server past --large-channel members): arrivals are announced to nobody and
   * the names list on joining shows only operators and voiced members (auditorium).
   */
  large = false;
  /** Members with a visible status, so a large channel's summary never walks every member. */
  readonly privileged = new Set<User>();
  /**
   * Stored messages of this name with a msgid up to this one are an earlier channel's, which ended
   * when its last member left (RFC 2812 §1.3): this channel's members may not read them. '' when
   * the name has not ended while this server ran, so its history (from before a restart too) is
   * this channel's.
   */
  historyFrom = '';

  constructor(
    /** Changed only by Network.renameChannel. */
    public name: string,
    readonly createdAt: number,
  ) {
    this.folded = fold(name);
  }

  /** Whether the stored message `msgid` of this channel's name was sent to this channel. */
  owns(msgid: string): boolean {
    return msgid > this.historyFrom;
  }

  has(flag: string): boolean {
    return this.flags.has(flag);
  }

  isOp(user: User): boolean {
    return ((this.members.get(user) ?? 0) & MEMBER.OP) !== 0;
  }

  /** The visible status (MEMBER.OP, MEMBER.VOICE) of `user`, or undefined when not a member. */
  statusOf(user: User): number | undefined {
    const bits = this.members.get(user);
    return bits === undefined ? undefined : bits & STATUS;
  }

  /** Whether others were told of `user`'s arrival (so they are told of its departure too). */
  isAnnounced(user: User): boolean {
    return ((this.members.get(user) ?? 0) & MEMBER.QUIET) === 0;
  }

  /** +n keeps out those outside; +m all without voice or op, those outside included (RFC 2811 §4.2.3). */
  canSpeak(user: User): boolean {
    const status = this.statusOf(user);
    if (status === undefined) return !this.has('n') && !this.has('m');
    return !this.has('m') || status !== 0;
  }

  /**
   * Entries in list `mode` matching `user`: plain masks, or with `ext` those of that extban
   * (`a:` matches the account name, never a user who is not logged in).
   */
  private matches(mode: ListMode, user: User, ext: string): boolean {
    for (const entry of this.lists[mode]) {
      const m = entry.mask;
      const isExt = m.length > 2 && m[1] === ':';
      if (ext === '' ? !isExt && matchMask(m, user.prefix) : isExt && m[0] === ext) {
        if (ext === '') return true;
        const subject = ext === 'a' ? user.accountName : user.prefix;
        if (subject !== null && matchMask(m.slice(2), subject)) return true;
      }
    }
    return false;
  }

  /** A plain mask or an account extban (`a:`) in list `mode` matches `user`. */
  private matchesWho(mode: ListMode, user: User): boolean {
    return this.matches(mode, user, '') || (user.account !== null && this.matches(mode, user, 'a'));
  }

  /** Banned (+b, plain or `a:`), and no ban exception (+e, plain or `a:`) matches. */
  isBanned(user: User): boolean {
    return this.matchesWho('b', user) && !this.matchesWho('e', user);
  }

  /** Muted by the `m:` extban, and no exception (`+e`, plain, `a:` or `m:`) matches. */
  isMuted(user: User): boolean {
    return (
      this.matches('b', user, 'm') && !this.matchesWho('e', user) && !this.matches('e', user, 'm')
    );
  }

  /** An invite exception (+I, plain or `a:`) lets `user` past +i. */
  isInviteExcepted(user: User): boolean {
    return this.matchesWho('I', user);
  }

  /** `+nt`-style mode string plus the params that may be shown to `viewer`. */
  modeString(showKey: boolean): string[] {
    const flags = [...this.flags];
    if (this.large) flags.push('u');
    let modes = '+' + flags.sort().join('');
    const params: string[] = [];
    if (this.key !== null) {
      modes += 'k';
      params.push(showKey ? this.key : '*');
    }
    if (this.limit !== null) {
      modes += 'l';
      params.push(String(this.limit));
    }
    return [modes, ...params];
  }
}

/** Prefix characters for a member status, highest first; all of them with multi-prefix. */
export function statusPrefix(status: number, multi: boolean): string {
  if ((status & STATUS) === 0) return '';
  if (!multi) return (status & MEMBER.OP) !== 0 ? '@' : '+';
  return ((status & MEMBER.OP) !== 0 ? '@' : '') + ((status & MEMBER.VOICE) !== 0 ? '+' : '');
}
