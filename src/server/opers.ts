// Operator accounts: the config's oper blocks, their scrypt password hashes, and checking an OPER attempt.
//
// A block names an operator, the hash of its password (never the password: `parley passwd` prints
// one) and optionally the user@host mask a client must match. Checking a password costs tens of
// milliseconds of CPU on purpose, so the whole server checks at most CHECKS_PER_SECOND a second:
// a flood of OPER attempts is refused without hashing rather than stalling everyone's chat.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export interface OperBlock {
  readonly name: string;
  /** `scrypt$N$r$p$salt$hash` (salt and hash in base64). */
  readonly hash: string;
  /** A `user@host` mask (the host as other users see it, the cloak); '*' for anyone. */
  readonly host: string;
}

/** scrypt cost: 2^14 x 8 takes ~16 MiB and ~40 ms here, enough to make guessing offline slow. */
const N = 16384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const CHECKS_PER_SECOND = 5;

const HASH_FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, KEY_BYTES, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `text` looks like a hash hashPassword made (the config is checked at load). */
export function isPasswordHash(text: string): boolean {
  const m = HASH_FORMAT.exec(text);
  if (m === null) return false;
  const n = Number(m[1]);
  return n >= 2 && (n & (n - 1)) === 0 && n <= 1 << 20 && Number(m[2]) <= 32 && Number(m[3]) <= 16;
}

export function verifyPassword(password: string, hash: string): boolean {
  const m = HASH_FORMAT.exec(hash);
  if (m === null) return false;
  const expected = Buffer.from(m[5], 'base64');
  const key = scryptSync(password, Buffer.from(m[4], 'base64'), expected.length, {
    N: Number(m[1]),
    r: Number(m[2]),
    p: Number(m[3]),
    maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(key, expected);
}

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
