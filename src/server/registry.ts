// Registered channels: which channels outlive their last member and a restart, with their topic, modes and lists kept in the store.
//
// A channel is registered to its founder's account (ChanServ REGISTER). From then on every change
// of its lasting state goes through Network's write methods, which call changed(); the registry
// writes the channel's record (a queued write: nothing waits). At start-up load() recreates each
// registered channel, empty, as it was. Only the founder gets operator status on joining one; in
// an unregistered channel the first to join still becomes its operator.
import type { ChannelRecord, ListEntryRecord, Store } from '../store/types.js';
import type { Channel, ListMode } from './channel.js';
import type { Network } from './network.js';

const LIST_MODES: readonly ListMode[] = ['b', 'e', 'I'];

/** The lasting state of `channel` as a store record. */
export function recordOf(channel: Channel, founder: string, createdAt: number): ChannelRecord {
  const lists: Record<string, ListEntryRecord[]> = {};
  for (const m of LIST_MODES) {
    lists[m] = channel.lists[m].map((b) => ({ mask: b.mask, setBy: b.setBy, setAt: b.setAt }));
  }
  return {
    name: channel.name,
    key: channel.folded,
    founder,
    topic: channel.topic,
    topicBy: channel.topicBy,
    topicAt: channel.topicAt,
    modes: [...channel.flags]
      .filter((f) => f !== 'u')
      .sort()
      .join(''),
    password: channel.key,
    limit: channel.limit,
    lists,
    createdAt,
  };
}

export class ChannelRegistry {
  /** When each registered channel was registered, by folded name (for INFO and its record). */
  private readonly since = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly network: Network,
  ) {}

  /** Recreate every registered channel as it was stored. */
  async load(): Promise<number> {
    const records = await this.store.channels.all();
    const n = this.network;
    for (const r of records) {
      const { channel } = n.channel(r.name, r.createdAt);
      channel.founder = r.founder;
      this.since.set(channel.folded, r.createdAt);
      n.setTopic(channel, r.topic, r.topicBy, r.topicAt);
      for (const f of [...channel.flags]) n.setChannelFlag(channel, f, false);
      for (const f of r.modes) n.setChannelFlag(channel, f, true);
      n.setKey(channel, r.password);
      n.setLimit(channel, r.limit);
      for (const m of LIST_MODES) {
        for (const e of r.lists[m] ?? []) {
          n.addListEntry(channel, m, { mask: e.mask, setBy: e.setBy, setAt: e.setAt });
        }
      }
    }
    return records.length;
  }

  /** Register `channel` to `founder` (an account key). */
  register(channel: Channel, founder: string, now: number): void {
    channel.founder = founder;
    this.since.set(channel.folded, now);
    this.changed(channel);
  }

  /** Forget `channel`'s registration; an empty one then disappears. */
  drop(channel: Channel): void {
    this.store.channels.delete(channel.folded);
    this.since.delete(channel.folded);
    channel.founder = null;
    if (channel.members.size === 0) this.network.forgetChannel(channel);
  }

  /** Take `channel`'s registration as another cluster node holds it (a snapshot): nothing written. */
  adopt(channel: Channel, founder: string | null, at: number | null): void {
    channel.founder = founder;
    if (founder === null || at === null) this.since.delete(channel.folded);
    else this.since.set(channel.folded, at);
  }

  /** When `channel` was registered (epoch ms), or null. */
  registeredAt(channel: Channel): number | null {
    return this.since.get(channel.folded) ?? null;
  }

  /** A registered channel's lasting state changed: write its record. */
  changed(channel: Channel): void {
    if (channel.founder === null) return;
    const at = this.since.get(channel.folded) ?? channel.createdAt;
    this.store.channels.put(recordOf(channel, channel.founder, at));
  }

  /** A registered channel was renamed: its record moves to the new key. */
  renamed(channel: Channel, oldFolded: string): void {
    if (channel.founder === null) return;
    const at = this.since.get(oldFolded);
    this.store.channels.delete(oldFolded);
    this.since.delete(oldFolded);
    if (at !== undefined) this.since.set(channel.folded, at);
    this.changed(channel);
  }
}
