// A named group: members with their status, topic, modes, bans and invites.
import { fold } from '../protocol/index.js';
import type { User } from './user.js';

/** Member status bits, highest first in PREFIX=(ov)@+. */
export const MEMBER = { OP: 1, VOICE: 2 } as const;

export interface Ban {
  mask: string;
  setBy: string;
  setAt: number;
}

export class Channel {
  readonly folded: string;
  readonly members = new Map<User, number>();
  topic = '';
  topicBy = '';
  topicAt = 0;
  /** Simple flag modes that are set, from `imnst`. New channels start +nt. */
  flags = new Set<string>(['n', 't']);
  key: string | null = null;
  limit: number | null = null;
  readonly bans: Ban[] = [];
  /** Folded nicks invited past +i; an invite is used up by the join. */
  readonly invited = new Set<string>();

  constructor(
    readonly name: string,
    readonly createdAt: number,
  ) {
    this.folded = fold(name);
  }

  has(flag: string): boolean {
    return this.flags.has(flag);
  }

  isOp(user: User): boolean {
    return ((this.members.get(user) ?? 0) & MEMBER.OP) !== 0;
  }

  canSpeak(user: User): boolean {
    const status = this.members.get(user);
    if (status === undefined) return !this.has('n');
    return !this.has('m') || status !== 0;
  }

  /** `+nt`-style mode string plus the params that may be shown to `viewer`. */
  modeString(showKey: boolean): string[] {
    let modes = '+' + [...this.flags].sort().join('');
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
  if (status === 0) return '';
  if (!multi) return (status & MEMBER.OP) !== 0 ? '@' : '+';
  return ((status & MEMBER.OP) !== 0 ? '@' : '') + ((status & MEMBER.VOICE) !== 0 ? '+' : '');
}
