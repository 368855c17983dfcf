// Account secrets and abuse limits: making a record's password hash and SCRAM-SHA-256 credentials, checking them, and the failure/registration throttles.
//
// Every hash here runs on libuv's thread pool (async scrypt and pbkdf2), never on the event loop.
// Nothing here logs: a password or a SASL payload must never reach a log line.
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountRecord, ScramCredentials } from '../store/types.js';
import { hashPasswordAsync, verifyPasswordAsync } from './passwords.js';

/** RFC 7677 asks for at least 4096 PBKDF2 iterations for SCRAM-SHA-256. */
export const SCRAM_ITERATIONS = 4096;

function pbkdf2Async(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2(password, salt, iterations, 32, 'sha256', (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** RFC 5802 §3: SaltedPassword, then ClientKey, StoredKey = H(ClientKey) and ServerKey. */
export async function scramCredentials(password: string): Promise<ScramCredentials> {
  const salt = randomBytes(16);
  const salted = await pbkdf2Async(password, salt, SCRAM_ITERATIONS);
  return {
    salt: salt.toString('base64'),
    iterations: SCRAM_ITERATIONS,
    storedKey: sha256(hmac(salted, 'Client Key')).toString('base64'),
    serverKey: hmac(salted, 'Server Key').toString('base64'),
  };
}

/** A new account's record: both secrets are derived here, the password itself is not kept. */
export async function newAccount(
  name: string,
  key: string,
  email: string | null,
  password: string,
  now: number,
): Promise<AccountRecord> {
  const [hash, scram] = await Promise.all([
    hashPasswordAsync(password),
    scramCredentials(password),
  ]);
  return { name, key, password: hash, scram, email, createdAt: now };
}

/** Whether `password` is the account's (scrypt check, on the thread pool). */
export function checkPassword(record: AccountRecord, password: string): Promise<boolean> {
  return verifyPasswordAsync(password, record.password);
}

/**
 * SCRAM-SHA-256's last step (RFC 5802 §3): the client's proof checked against StoredKey; the
 * server signature (`v=`) to send back when it holds, else null.
 */
export function scramVerify(
  creds: ScramCredentials,
  authMessage: string,
  proof: Buffer,
): Buffer | null {
  const storedKey = Buffer.from(creds.storedKey, 'base64');
  const signature = hmac(storedKey, authMessage);
  if (proof.length !== signature.length) return null;
  const clientKey = Buffer.alloc(proof.length);
  for (let k = 0; k < proof.length; k++) clientKey[k] = proof[k] ^ signature[k];
  if (!timingSafeEqual(sha256(clientKey), storedKey)) return null;
  return hmac(Buffer.from(creds.serverKey, 'base64'), authMessage);
}

/**
 * A token bucket per key (an account, an address): `burst` events, then one per `everyMs`.
 * For login failures: after `burst` wrong passwords the key is refused without checking, until
 * a token comes back. For registrations: `burst` accounts per address, then one per `everyMs`.
 * Keys whose bucket is full again are forgotten, so the map holds only recent offenders.
 */
export class Throttle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly everyMs: number,
  ) {}

  private level(key: string, now: number): number {
    const b = this.buckets.get(key);
    if (b === undefined) return this.burst;
    const tokens = Math.min(this.burst, b.tokens + (now - b.at) / this.everyMs);
    if (tokens >= this.burst) this.buckets.delete(key);
    return tokens;
  }

  /** Whether `key` may try now (one token left). */
  allows(key: string, now: number): boolean {
    return this.level(key, now) >= 1;
  }

  /** Spend a token for `key` (a failure, a registration). */
  spend(key: string, now: number): void {
    this.buckets.set(key, { tokens: Math.max(0, this.level(key, now) - 1), at: now });
  }

  /** Milliseconds until `key` may try again (0: now). */
  waitMs(key: string, now: number): number {
    const level = this.level(key, now);
    return level >= 1 ? 0 : Math.ceil((1 - level) * this.everyMs);
  }
}

/** Wrong passwords per account and per address before attempts are refused unchecked. */
export const LOGIN_FAILURES_BURST = 5;
/** After that, one more attempt per this long (so a guesser gets ~60 tries an hour, not millions). */
export const LOGIN_FAILURE_EVERY_MS = 60_000;
/** Accounts one address may register at once, then one per REGISTER_EVERY_MS (stops account spam). */
export const REGISTER_BURST = 5;
export const REGISTER_EVERY_MS = 10 * 60_000;
