// What the server does when its store fails to commit (disk full, a file it cannot write, the history writer gone or behind): tell the log and the users, without flooding either.
import type { Logger } from './diagnostics.js';

/** Failures less than this apart are one episode: users are told once; the log repeats at most this often. */
export const STORE_EPISODE_MS = 60_000;

export const STORE_FAILED_NOTICE =
  'History is not being kept right now: the server cannot write to its store. ' +
  'Chat goes on; messages sent meanwhile may be missing from history.';

export class StoreAlarm {
  /** When the log last said so. */
  private loggedAt = -Infinity;
  /** When the store last failed. */
  private failedAt = -Infinity;

  constructor(
    private readonly log: Logger,
    private readonly clock: () => number,
    /** Send `text` to every user of this server. */
    private readonly tellUsers: (text: string) => void,
  ) {}

  /**
   * A commit failed: chat goes on, only history misses what failed. Users are told once per
   * episode (a minute without a failure ends one), so a store that stays full is not a flood of
   * notices; the log says it once a minute while it lasts.
   */
  failed(err: Error, where: string | undefined): void {
    const now = this.clock();
    const episode = now - this.failedAt >= STORE_EPISODE_MS;
    this.failedAt = now;
    if (episode) this.tellUsers(STORE_FAILED_NOTICE);
    if (now - this.loggedAt < STORE_EPISODE_MS) return;
    this.loggedAt = now;
    this.log.error({ err: err.message, db: where }, 'history store write failed');
  }
}
