// The model's vocabulary: capabilities, people (one per connection), channels, ban masks, and what a step must produce.
import type { HistoryCheck, Rec } from './model-history.js';

export interface Caps {
  tags: boolean;
  echo: boolean;
  batch: boolean;
  history: boolean;
  awayNotify: boolean;
  redaction: boolean;
  rename: boolean;
  multiline: boolean;
}

export const capNames = (c: Caps): string[] =>
  [
    c.tags ? 'message-tags' : '',
    c.echo ? 'echo-message' : '',
    c.batch ? 'batch' : '',
    c.history ? 'draft/chathistory' : '',
    c.awayNotify ? 'away-notify' : '',
    c.redaction ? 'draft/message-redaction' : '',
    c.rename ? 'draft/channel-rename' : '',
    c.multiline ? 'draft/multiline' : '',
  ].filter((n) => n !== '');

/**
 * One connection's identity: a reconnect is a new Person (invites stay behind, and so does its
 * private history unless it is logged into an account: then the account's).
 */
export class Person {
  away: string | null = null;
  /** User mode +i: hidden from NAMES and WHO of those who share no channel with it. */
  invisible = false;
  constructor(
    readonly slot: number,
    /** Unique per connection over the whole run: its private-history identity. */
    readonly conn: number,
    public nick: string,
    readonly user: string,
    readonly caps: Caps,
    /** The account it logged into when it connected, or null. */
    readonly account: string | null = null,
  ) {}
  /** Whose private history it reads and adds to: its account's, or this connection's own. */
  get historyId(): string {
    return this.account === null ? `c${this.conn}` : `a:${this.account}`;
  }
  prefix(host: string): string {
    return `${this.nick}!${this.user}@${host}`;
  }
}

interface Status {
  op: boolean;
  voice: boolean;
}

export class Chan {
  readonly members = new Map<Person, Status>();
  readonly flags = new Set(['n', 't']);
  key: string | null = null;
  topic = '';
  /** Ban masks, completed to nick!user@host, lower case. */
  readonly bans: string[] = [];
  /** An invite is made to a person (RFC 2812 §3.2.7), not to whoever holds its nick later. */
  readonly invited = new Set<Person>();
  constructor(
    /** Changed by RENAME. */
    public name: string,
    /**
     * Which life of this name: a channel ends when its last member leaves (RFC 2812 §1.3). A
     * rename starts a new one (the history of a name stays with the name).
     */
    public life: number,
  ) {}
}

/** A line a client must get (its normalized form), and the stored message it carries, if any. */
export interface Line {
  text: string;
  rec?: Rec;
}

/** What one step must produce: lines per person, numerics to the actor, or a history answer. */
export interface Expect {
  lines: Map<Person, Line[]>;
  numerics: string[];
  /** The actor's own lines are not compared (registration burst, quit). */
  actorFree?: boolean;
  /** A listing's numerics (NAMES, LIST, WHO, WHOIS, TOPIC), sorted (model-probes.ts). */
  listing?: string[];
  /** Checked by Records.check instead of `lines` for the actor. */
  history?: HistoryCheck;
  /** Numerics others must get (RENAME's topic to those without the cap), as `332 #chan text`. */
  told?: Map<Person, string[]>;
}

/** A glob mask (`*`, `?`) against a subject, case-insensitively. */
export function globMatch(mask: string, subject: string): boolean {
  const re = mask
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(subject.toLowerCase());
}

/** nick, nick!user, user@host... completed to nick!user@host the way ircds do. */
export function completeMask(m: string): string {
  const bang = m.indexOf('!');
  const at = m.indexOf('@');
  if (bang === -1 && at === -1) return `${m}!*@*`;
  if (bang === -1) return `*!${m}`;
  if (at === -1) return `${m}@*`;
  return m;
}
