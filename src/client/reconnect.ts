// The reconnect policy: capped exponential backoff with jitter, as a pure function of the attempt number.

export interface ReconnectPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** No delay is ever longer than this (jitter included), ms. */
  readonly maxMs: number;
  /** Each further attempt waits this many times longer. */
  readonly factor: number;
  /** Spread each delay by up to ± this fraction (0.3 = ±30 %), so many clients don't retry in step. */
  readonly jitter: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  initialMs: 1000,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.3,
};

/**
 * Delay before retry number `attempt` (1 for the first retry):
 * `min(maxMs, initialMs * factor^(attempt-1))`, then ± jitter, then capped at `maxMs` again.
 * `random` returns a number in [0, 1) (Math.random by default; injectable for tests).
 */
export function backoffDelay(
  attempt: number,
  policy: ReconnectPolicy,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(attempt));
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, n - 1));
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.min(policy.maxMs, Math.round(base + spread)));
}
