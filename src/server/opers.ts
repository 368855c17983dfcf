// Operator accounts: the config's oper blocks, their scrypt password hashes, and checking an OPER attempt.
//
// A block names an operator, the hash of its password (never the password: `parley passwd` prints
// one) and optionally the user@host mask a client must match. Checking a password costs tens of
// milliseconds of CPU on purpose, so the whole server checks at most CHECKS_PER_SECOND a second:
// a flood of OPER attempts is refused without hashing rather than stalling everyone's chat.
export { hashPassword, isPasswordHash, verifyPassword } from './passwords.js';

export interface OperBlock {
  readonly name: string;
  /** `scrypt$N$r$p$salt$hash` (salt and hash in base64), as passwords.ts makes it. */
  readonly hash: string;
  /** A `user@host` mask (the host as other users see it, the cloak); '*' for anyone. */
  readonly host: string;
}

const CHECKS_PER_SECOND = 5;

/** A server-wide budget of password checks: one per 1/CHECKS_PER_SECOND s, a burst of as many. */
export class CheckBudget {
  private tokens = CHECKS_PER_SECOND;
  private at = 0;

  take(now: number): boolean {
    this.tokens = Math.min(
      CHECKS_PER_SECOND,
      this.tokens + ((now - this.at) * CHECKS_PER_SECOND) / 1000,
    );
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
