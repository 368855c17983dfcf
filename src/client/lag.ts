// Lag and dead-link detection: PING after a quiet spell, measure the PONG, declare the link dead when nothing at all comes back.
import type { Timers } from './timers.js';

export interface LagCheck {
  /** Silence (nothing received) after which we PING the server, ms. */
  readonly intervalMs: number;
  /** No line at all within this long after that PING: the link is dead, ms. */
  readonly timeoutMs: number;
}

export const DEFAULT_LAG: LagCheck = { intervalMs: 30_000, timeoutMs: 60_000 };

export interface LagEvents {
  /** Send `PING :token`. */
  ping(token: string): void;
  /** The PONG came back after `ms`. */
  lag(ms: number): void;
  /** Nothing arrived within `timeoutMs` of our PING. */
  dead(reason: string): void;
}

/**
 * One per link. A single timer, re-armed from the time of the last line received:
 *
 *   quiet for intervalMs ──> PING ──(any line)──> quiet again…
 *                              └──(nothing for timeoutMs)──> dead
 */
export class LagMonitor {
  private timer: unknown = null;
  private token: string | null = null;
  private sentAt = 0;
  private lastRx: number;
  /** Lines received so far, and how many had arrived when the PING went out. */
  private count = 0;
  private countAtPing = 0;
  private stopped = false;

  constructor(
    private readonly check: LagCheck,
    private readonly clock: () => number,
    private readonly timers: Timers,
    private readonly events: LagEvents,
  ) {
    this.lastRx = clock();
    this.arm();
  }

  /** Call for every line received. */
  received(): void {
    this.lastRx = this.clock();
    this.count++;
  }

  /** A PONG: when it carries our token, report the round trip. */
  pong(params: readonly string[]): void {
    if (this.token === null || !params.includes(this.token)) return;
    this.token = null;
    this.events.lag(Math.max(0, this.clock() - this.sentAt));
  }

  stop(): void {
    this.stopped = true;
    this.timers.cancel(this.timer);
  }

  private arm(): void {
    if (this.stopped) return;
    const now = this.clock();
    if (this.token !== null && this.count === this.countAtPing) {
      const waited = now - this.sentAt;
      if (waited >= this.check.timeoutMs) {
        this.stopped = true;
        const s = Math.round(this.check.timeoutMs / 100) / 10;
        return this.events.dead(`no reply from the server in ${s} s (ping timeout)`);
      }
      this.timer = this.timers.later(() => this.arm(), this.check.timeoutMs - waited);
      return;
    }
    const idle = now - this.lastRx;
    if (idle >= this.check.intervalMs) {
      this.token = `parley-${now}`;
      this.sentAt = now;
      this.countAtPing = this.count;
      this.events.ping(this.token);
      this.timer = this.timers.later(() => this.arm(), this.check.timeoutMs);
      return;
    }
    this.timer = this.timers.later(() => this.arm(), this.check.intervalMs - idle);
  }
}
