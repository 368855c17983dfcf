// What to restore after each registration: away (if we were), the channels we were in when the link dropped (with their keys), then the configured ones.
import { serializeBody } from '../protocol/index.js';
import { joinLines, type JoinTarget } from './outgoing.js';
import type { ClientState } from './state.js';

export class Restore {
  /** Keys we joined with, by folded channel name. */
  private readonly keys = new Map<string, string>();
  /** The channels we were in when the link last dropped, by folded name. */
  private was = new Map<string, JoinTarget>();
  /** Our away message (/away), or null when we are not away. */
  away: string | null = null;

  constructor(private readonly st: ClientState) {}

  /** We sent JOIN `name` with `key`: a rejoin uses it again. */
  keyed(name: string, key: string): void {
    this.keys.set(this.st.fold(name), key);
  }

  /** The link dropped after a welcome: remember the channels we are in (before the state resets). */
  linkLost(): void {
    const st = this.st;
    this.was = new Map(
      st.channelNames.map((name) => {
        const key = this.keys.get(st.fold(name));
        return [st.fold(name), key === undefined ? { name } : { name, key }];
      }),
    );
  }

  /** The AWAY line that says where `away` stands (with its message, or back). */
  awayLine(): string {
    return this.away === null ? 'AWAY' : serializeBody(null, 'AWAY', [this.away]);
  }

  /** What to send once registered: AWAY if away, the channels of before, then `configured`. */
  lines(configured: readonly string[]): string[] {
    const wanted = new Map(this.was);
    for (const name of configured) {
      if (!wanted.has(this.st.fold(name))) wanted.set(this.st.fold(name), { name });
    }
    const joins = joinLines([...wanted.values()], this.st.maxTargets('JOIN'));
    return this.away === null ? joins : [this.awayLine(), ...joins];
  }
}
