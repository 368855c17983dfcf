// Test helpers: the client's side of SCRAM-SHA-256 (RFC 5802, RFC 7677), to drive a server's and check its signature.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** What a client keeps from its first message. */
export interface ScramStart {
  /** The gs2 header as sent (`n,,`, `y,,`, `n,a=name,`...). */
  gs2: string;
  /** client-first-message-bare: `n=<user>,r=<nonce>`. */
  bare: string;
  cnonce: string;
}

/** RFC 5802 §5.1: `,` and `=` in a user name are written `=2C` and `=3D`. */
const saslname = (name: string) => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

/** The client-first-message for `user` after header `gs2`: the text to send, and what to keep. */
export function scramFirst(user: string, gs2: string): { text: string; start: ScramStart } {
  const cnonce = randomBytes(18).toString('base64');
  const bare = `n=${saslname(user)},r=${cnonce}`;
  return { text: gs2 + bare, start: { gs2, bare, cnonce } };
}

/** The server-first-message's attributes, or null when it is not `r=...,s=...,i=...` continuing our nonce. */
export function parseServerFirst(
  start: ScramStart,
  text: string,
): { nonce: string; salt: Buffer; iterations: number } | null {
  const m = /^r=([^,]+),s=([^,]+),i=(\d+)$/.exec(text);
  if (m === null || !m[1].startsWith(start.cnonce) || m[1] === start.cnonce) return null;
  return { nonce: m[1], salt: Buffer.from(m[2], 'base64'), iterations: Number(m[3]) };
}

/**
 * The client-final-message proving `password`, and the server signature (base64) a server that
 * knows the password must answer with (`v=`).
 */
export function scramFinal(
  start: ScramStart,
  serverFirst: string,
  password: string,
): { text: string; serverSignature: string } | null {
  const sf = parseServerFirst(start, serverFirst);
  if (sf === null) return null;
  const salted = pbkdf2Sync(password, sf.salt, sf.iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const withoutProof = `c=${Buffer.from(start.gs2).toString('base64')},r=${sf.nonce}`;
  const authMessage = `${start.bare},${serverFirst},${withoutProof}`;
  const signature = hmac(sha256(clientKey), authMessage);
  const proof = Buffer.from(clientKey.map((x, k) => x ^ signature[k]));
  return {
    text: `${withoutProof},p=${proof.toString('base64')}`,
    serverSignature: hmac(hmac(salted, 'Server Key'), authMessage).toString('base64'),
  };
}
