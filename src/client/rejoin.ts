// Which channels to join after each registration: those we were in when the link dropped, with their keys, then the configured ones.
import { joinLines, type JoinTarget } from './outgoing.js';
import type { ClientState } from './state.js';

export class Rejoin {
  /** Keys we joined with, by folded channel name. */
  private readonly keys = new Map<string, string>();
  /** The channels we were in when the link last dropped, by folded name. */
  private was = new Map<string, JoinTarget>();

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

  /** The JOIN lines to send once registered: the channels of before, then `configured` ones. */
  lines(configured: readonly string[]): string[] {
    const wanted = new Map(this.was);
    for (const name of configured) {
      if (!wanted.has(this.st.fold(name))) wanted.set(this.st.fold(name), { name });
    }
    return joinLines([...wanted.values()], this.st.maxTargets('JOIN'));
  }
}
