// SCRAM-SHA-256 (RFC 5802, RFC 7677), the client's half: first message, proof from the server's challenge, check of the server's signature. Pure; node:crypto only.
//
//   client-first  n,,n=<user>,r=<client nonce>
//   server-first  r=<client nonce + server nonce>,s=<salt, base64>,i=<iterations>
//   client-final  c=biws,r=<nonce>,p=<proof, base64>        (biws = base64("n,,"): no channel binding)
//   server-final  v=<server signature, base64>   or   e=<error>
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** The channel-binding header: none supported, none wanted (`n`), no authzid. */
const GS2_HEADER = 'n,,';
/**
 * Iterations we compute at most: a hostile server asking for billions would freeze the client.
 * Servers use 4096 (RFC 7677's minimum) to a few hundred thousand.
 */
export const MAX_ITERATIONS = 1_000_000;

/** A server message the exchange cannot go on from: its `message` is one line for the user. */
export class ScramError extends Error {}

/** RFC 5802 section 5.1: `=` and `,` in a name are written `=3D` and `=2C`. */
function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/**
 * The password as SASLprep (RFC 4013) would leave it, for what people type: non-ASCII spaces
 * become a space, then NFKC. (Full SASLprep also forbids some code points; a server that stored
 * the key from a password it accepted computes the same bytes here.)
 */
export function prepPassword(password: string): string {
  return password.replace(/[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g, ' ').normalize('NFKC');
}

/** `a=x,b=y` → {a: 'x', b: 'y'}; a value may hold `=` (base64 padding). */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length >= 2 && part[1] === '=') out.set(part[0], part.slice(2));
  }
  return out;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/** One SCRAM-SHA-256 exchange: first(), then final(serverFirst), then verify(serverFinal). */
export class ScramClient {
  private readonly bare: string;
  private serverSignature: Buffer | null = null;

  constructor(
    user: string,
    private readonly password: string,
    /** The client nonce: random unless a test fixes it. */
    private readonly nonce = randomBytes(18).toString('base64'),
  ) {
    this.bare = `n=${saslName(prepPassword(user))},r=${nonce}`;
  }

  /** client-first-message. */
  first(): string {
    return GS2_HEADER + this.bare;
  }

  /** client-final-message for the server-first-message; throws ScramError on a bad challenge. */
  final(serverFirst: string): string {
    const a = attributes(serverFirst);
    if (a.has('m')) throw new ScramError('the server wants a SCRAM extension we do not know');
    const nonce = a.get('r') ?? '';
    const salt = Buffer.from(a.get('s') ?? '', 'base64');
    const iterations = Number(a.get('i'));
    if (!nonce.startsWith(this.nonce) || nonce.length === this.nonce.length) {
      throw new ScramError('the server answered with a nonce that is not ours');
    }
    if (salt.length === 0) throw new ScramError('the server sent no salt');
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new ScramError(`the server asked for ${a.get('i') ?? 'no'} iterations`);
    }
    const salted = pbkdf2Sync(prepPassword(this.password), salt, iterations, 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(GS2_HEADER).toString('base64')},r=${nonce}`;
    const authMessage = `${this.bare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let k = 0; k < proof.length; k++) proof[k] = clientKey[k] ^ signature[k];
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Check the server-final-message: true only when the server proved it knows our key. */
  verify(serverFinal: string): boolean {
    const a = attributes(serverFinal);
    const v = a.get('v');
    if (this.serverSignature === null || v === undefined) return false;
    const got = Buffer.from(v, 'base64');
    return got.length === this.serverSignature.length && timingSafeEqual(got, this.serverSignature);
  }

  /** The server's `e=` error in a server-final-message, if any. */
  static error(serverFinal: string): string | null {
    return attributes(serverFinal).get('e') ?? null;
  }
}
