// The admission of connections: the total and per-address limits, connections counted per address, and the host cloak each address wears (its secret kept in the store).
import { createHmac, randomBytes } from 'node:crypto';
import type { Store } from '../store/types.js';
import type { ServerConfig } from './config.js';

export class Admission {
  /** Connections and the cloak per address (the cloak is computed once per address). */
  private readonly perIp = new Map<string, { count: number; cloak: string }>();
  /** The secret behind host cloaks: kept in the store, so cloaks (and bans on them) outlive restarts. */
  private cloakKey = randomBytes(32);

  /** Take the cloak secret kept in `store`, or keep ours there when it has none yet. */
  async loadSecret(store: Store): Promise<void> {
    const secret = await store.getMeta('cloak-secret');
    if (secret !== null) this.cloakKey = Buffer.from(secret, 'base64');
    else store.setMeta('cloak-secret', this.cloakKey.toString('base64'));
  }

  /**
   * In a cluster every node must cloak an address the same way: the first node's secret is the
   * network's (`share` keeps ours unless one is there, and answers the one to use).
   */
  async shareSecret(share: (mine: string) => Promise<string>): Promise<void> {
    this.cloakKey = Buffer.from(await share(this.cloakKey.toString('base64')), 'base64');
  }

  /** Why a new connection from `ip` is refused while `connections` are open, or null to let it in. */
  refusal(ip: string, connections: number, config: ServerConfig): string | null {
    return connections >= config.maxClients
      ? 'server full'
      : (this.perIp.get(ip)?.count ?? 0) >= config.maxPerIp
        ? 'too many connections from your address'
        : null;
  }

  /** A connection from `ip` was accepted: counted; returns the cloak its address wears. */
  opened(ip: string, config: ServerConfig): string {
    let entry = this.perIp.get(ip);
    if (entry === undefined) {
      entry = { count: 0, cloak: this.cloak(ip, config) };
      this.perIp.set(ip, entry);
    }
    entry.count++;
    return entry.cloak;
  }

  /** A connection from `ip` closed. */
  closed(ip: string): void {
    const entry = this.perIp.get(ip);
    if (entry !== undefined && --entry.count <= 0) this.perIp.delete(ip);
  }

  /** A stable per-address cloak, so users see `user@x-1a2b3c4d.parley` and never an IP. */
  private cloak(ip: string, config: ServerConfig): string {
    const h = createHmac('sha256', this.cloakKey).update(ip).digest('hex').slice(0, 8);
    return `x-${h}.${config.network}`;
  }
}
