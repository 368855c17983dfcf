// Small facts of a link in text: an ERROR line, an address as shown, a socket error in words, whether bytes were UTF-8.
import { isUtf8 } from 'node:buffer';

/**
 * Whether buf[s, e), decoded as `line`, was valid UTF-8. Decoding turns every invalid sequence into
 * U+FFFD, so a line without one was valid; only a line with one (rare: sent as is, or invalid) is
 * checked byte by byte.
 */
export function isValidUtf8(line: string, buf: Buffer, s: number, e: number): boolean {
  return line.indexOf('\uFFFD') === -1 || isUtf8(buf.subarray(s, e));
}

/** `ERROR :text` as a ready-to-send line. */
export function errorLine(text: string): Buffer {
  return Buffer.from(`ERROR :${text}\r\n`);
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) -> `1.2.3.4`. */
export function normalizeIp(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/** A socket error as the reason shown when the link is dropped. */
export function describeError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNRESET':
      return 'Connection reset by peer';
    case 'EPIPE':
      return 'Broken pipe';
    case 'ETIMEDOUT':
      return 'Connection timed out';
    default:
      return `Write error: ${err.code ?? err.message}`;
  }
}
