// Password hashes in one format, `scrypt$N$r$p$salt$hash`: made and checked here for operators (opers.ts) and accounts (accounts.ts).
//
// The sync pair serves the config file (`parley passwd`, checked at load, and OPER, budgeted by
// CheckBudget); the async pair runs scrypt on libuv's thread pool, so hashing an account password
// never stalls the event loop that relays everyone's chat.
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: 2^14 x 8 takes ~16 MiB and ~40 ms here, enough to make guessing offline slow. */
const N = 16384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

const HASH_FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

interface Parsed {
  options: ScryptOptions;
  salt: Buffer;
  key: Buffer;
}

function format(salt: Buffer, key: Buffer): string {
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** The parts of a hash, or null when it is not one isPasswordHash accepts. */
function parse(hash: string): Parsed | null {
  if (!isPasswordHash(hash)) return null;
  const m = HASH_FORMAT.exec(hash)!;
  return {
    options: { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]), maxmem: 256 * 1024 * 1024 },
    salt: Buffer.from(m[4], 'base64'),
    key: Buffer.from(m[5], 'base64'),
  };
}

const NEW_OPTIONS: ScryptOptions = { N, r: R, p: P, maxmem: 64 * 1024 * 1024 };

export function hashPassword(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  return format(salt, scryptSync(password, salt, KEY_BYTES, NEW_OPTIONS));
}

/** Whether `text` looks like a hash hashPassword made (the config is checked at load). */
export function isPasswordHash(text: string): boolean {
  const m = HASH_FORMAT.exec(text);
  if (m === null) return false;
  const n = Number(m[1]);
  return n >= 2 && (n & (n - 1)) === 0 && n <= 1 << 20 && Number(m[2]) <= 32 && Number(m[3]) <= 16;
}

export function verifyPassword(password: string, hash: string): boolean {
  const h = parse(hash);
  if (h === null) return false;
  return timingSafeEqual(scryptSync(password, h.salt, h.key.length, h.options), h.key);
}

function scryptAsync(password: string, salt: Buffer, len: number, o: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, len, o, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** hashPassword on the thread pool. */
export async function hashPasswordAsync(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return format(salt, await scryptAsync(password, salt, KEY_BYTES, NEW_OPTIONS));
}

/** verifyPassword on the thread pool. */
export async function verifyPasswordAsync(password: string, hash: string): Promise<boolean> {
  const h = parse(hash);
  if (h === null) return false;
  const key = await scryptAsync(password, h.salt, h.key.length, h.options);
  return timingSafeEqual(key, h.key);
}
