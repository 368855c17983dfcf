// Fuzzing helpers: what every line a server sends must be, and a raw IRC client that keeps each line's bytes and checks it.
import net from 'node:net';
import { isParseError, parse, type Message } from '../../src/protocol/index.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes of the tags part a server may send (IRCv3 message-tags: 8191 with the '@' and space). */
const MAX_TAGS = 8191;
/** Bytes of the rest of a line, CR LF included (RFC 1459). */
const MAX_BODY = 512;

/**
 * Why `line` (one server line, CR LF included) is not well formed, or null when it is: it ends
 * with CR LF and holds no other CR, LF or NUL, is UTF-8, its tags and body keep to their sizes,
 * it parses, and its command is a word or a three-digit numeric with a target.
 */
export function lineProblem(line: Uint8Array): string | null {
  const bytes = Buffer.from(line);
  const n = bytes.length;
  if (n < 3 || bytes[n - 2] !== 13 || bytes[n - 1] !== 10) return 'does not end with CR LF';
  const inner = bytes.subarray(0, n - 2);
  if (inner.includes(13) || inner.includes(10) || inner.includes(0)) return 'CR, LF or NUL inside';
  let text: string;
  try {
    text = utf8.decode(inner);
  } catch {
    return 'not UTF-8';
  }
  let body = inner;
  if (inner[0] === 0x40) {
    const space = inner.indexOf(0x20);
    if (space + 1 > MAX_TAGS) return `tags of ${space + 1} bytes`;
    body = inner.subarray(space + 1);
  }
  if (body.length + 2 > MAX_BODY) return `a body of ${body.length + 2} bytes`;
  const m = parse(text);
  if (isParseError(m)) return `does not parse (${m.error})`;
  if (!/^(?:[A-Za-z]+|\d{3})$/.test(m.command)) return `command ${JSON.stringify(m.command)}`;
  if (/^\d{3}$/.test(m.command) && (m.params.length === 0 || m.params[0] === '')) {
    return 'a numeric without a target';
  }
  return null;
}

export interface WireLine {
  raw: string;
  msg: Message;
}

/**
 * A raw IRC client over TCP for fuzzing: everything received is split into lines as bytes, each
 * checked by lineProblem (what is wrong goes to `problems`); `step` sends lines and returns what
 * came back up to a PING's PONG, or null when the server closed the link first.
 */
export class WireClient {
  readonly lines: WireLine[] = [];
  readonly problems: string[] = [];
  closed = false;
  readonly closedPromise: Promise<void>;
  private pending = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private tokens = 0;
  private cursor = 0;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      let nl: number;
      while ((nl = this.pending.indexOf(10)) !== -1) {
        const line = this.pending.subarray(0, nl + 1);
        this.pending = this.pending.subarray(nl + 1);
        const problem = lineProblem(line);
        const raw = line.toString('utf8').replace(/\r?\n$/, '');
        if (problem !== null) this.problems.push(`${problem}: ${JSON.stringify(raw)}`);
        const msg = parse(raw);
        if (!isParseError(msg)) this.lines.push({ raw, msg });
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        if (this.pending.length > 0) this.problems.push('an unfinished line before the close');
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () =>
        resolve(new WireClient(socket)),
      );
      socket.once('error', reject);
    });
  }

  send(...lines: string[]): void {
    if (!this.closed) this.socket.write(lines.map((l) => l + '\r\n').join(''));
  }

  /**
   * Send `lines` then a PING; the lines received since the last step, up to that PING's PONG
   * (excluded), or up to the close when the server closed the link first (`closed`). Throws when
   * neither happens in `timeoutMs`: the server stalled.
   */
  async step(lines: string[], timeoutMs = 5000): Promise<{ got: WireLine[]; closed: boolean }> {
    const token = `step${++this.tokens}`;
    this.send(...lines, `PING ${token}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const k = this.lines.findIndex(
        (l, i) => i >= this.cursor && l.msg.command === 'PONG' && l.msg.params[1] === token,
      );
      if (k !== -1) {
        const got = this.lines.slice(this.cursor, k);
        this.cursor = k + 1;
        return { got, closed: false };
      }
      if (this.closed) {
        const got = this.lines.slice(this.cursor);
        this.cursor = this.lines.length;
        return { got, closed: true };
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const recent = this.lines.slice(-6).map((l) => l.raw);
        throw new Error(
          `no PONG ${token} in ${timeoutMs} ms (stalled); last: ${recent.join(' | ')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.socket.destroy();
    await this.closedPromise;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
