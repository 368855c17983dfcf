// Test helpers: a WebSocket client written from RFC 6455 over a bare TCP socket, so tests can send any frame, broken ones too, and see every frame the server sends.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const OP = { CONT: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;

/** A frame to send, as it should be or not: any opcode, RSV bits, mask or none, a length that lies. */
export interface FrameSpec {
  fin: boolean;
  /** RSV1..3 as the three bits under FIN (0 when the frame is proper). */
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
  /** The length written in the header when it is not the payload's (the payload is sent anyway). */
  length?: bigint;
}

/** The bytes of one frame (client side: masked with a random key unless `masked` is false). */
export function encodeFrame(f: FrameSpec): Buffer {
  const len = f.length ?? BigInt(f.payload.length);
  const head = [(f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f)];
  const maskBit = f.masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(maskBit | Number(len));
  else if (len < 65536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(len);
  }
  if (!f.masked) return Buffer.concat([Buffer.from(head), ext, f.payload]);
  const key = randomBytes(4);
  const body = Buffer.from(f.payload.map((b, k) => b ^ key[k % 4]));
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

/** A message or control frame the server sent. */
export interface Received {
  opcode: number;
  data: Buffer;
}

/** A raw WebSocket link to a server: the upgrade done, frames parsed as they come. */
export class RawWs {
  /** Whole data messages and control frames, in order (fragments joined). */
  readonly frames: Received[] = [];
  /** What the server did wrong at the frame level (masked frames, RSV bits, data after Close). */
  readonly problems: string[] = [];
  /** The close frame's status (1005: none given), once one came. */
  closeCode: number | null = null;
  ended = false;
  readonly protocol: string;
  private pending = Buffer.alloc(0);
  private partial: { opcode: number; parts: Buffer[] } | null = null;
  private sentClose = false;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly socket: net.Socket,
    protocol: string,
    rest: Buffer,
  ) {
    this.protocol = protocol;
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    if (rest.length > 0) this.take(rest);
  }

  /** Connect and upgrade, offering `protocols`; the subprotocol the server chose ('' for none). */
  static open(port: number, protocols: string[]): Promise<RawWs> {
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => {
        const offer =
          protocols.length > 0 ? `Sec-WebSocket-Protocol: ${protocols.join(', ')}\r\n` : '';
        socket.write(
          `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${offer}\r\n`,
        );
      });
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const text = head.subarray(0, end).toString('latin1');
        if (!text.startsWith('HTTP/1.1 101') || !text.includes(`Sec-WebSocket-Accept: ${accept}`)) {
          socket.destroy();
          return reject(new Error(`no upgrade: ${text}`));
        }
        const chosen = /^Sec-WebSocket-Protocol: (.*)$/im.exec(text)?.[1].trim() ?? '';
        resolve(new RawWs(socket, chosen, head.subarray(end + 4)));
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Wait until `done()` holds or the link ends; false when it ended (or timed out) first. */
  async until(done: () => boolean, timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.ended || Date.now() >= deadline) return done();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  /** The data messages' payloads, and whether each came in the frame type the subprotocol asks for. */
  messages(): Buffer[] {
    return this.frames
      .filter((f) => f.opcode === OP.TEXT || f.opcode === OP.BINARY)
      .map((f) => f.data);
  }

  /** Start the closing handshake: a Close frame with `code` (1005: none), then wait for the echo. */
  closeWith(code: number): void {
    this.sentClose = true;
    const payload = code === 1005 ? Buffer.alloc(0) : Buffer.from([code >> 8, code & 0xff]);
    this.write(encodeFrame({ fin: true, rsv: 0, opcode: OP.CLOSE, masked: true, payload }));
  }

  close(): void {
    this.socket.destroy();
  }

  private take(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const b = this.pending;
      if (b.length < 2) break;
      let len = b[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if ((b[1] & 0x80) !== 0) this.problems.push('a masked frame from the server');
      if ((b[0] & 0x70) !== 0) this.problems.push('RSV bits from the server');
      if (b.length < at + len) break;
      this.frame((b[0] & 0x80) !== 0, b[0] & 0x0f, b.subarray(at, at + len));
      this.pending = b.subarray(at + len);
    }
    this.wake();
  }

  private frame(fin: boolean, opcode: number, data: Buffer): void {
    if (this.closeCode !== null) this.problems.push(`opcode ${opcode} after the Close frame`);
    if (opcode >= OP.CLOSE) {
      if (opcode === OP.CLOSE) {
        this.closeCode = data.length >= 2 ? data.readUInt16BE(0) : 1005;
        // As a browser does: the server's Close answered with the same, then our side closed.
        if (!this.sentClose) this.closeWith(this.closeCode);
        this.socket.end();
      }
      this.frames.push({ opcode, data: Buffer.from(data) });
      return;
    }
    if (opcode !== OP.CONT) this.partial = { opcode, parts: [] };
    if (this.partial === null) return void this.problems.push('a continuation with no message');
    this.partial.parts.push(Buffer.from(data));
    if (!fin) return;
    this.frames.push({ opcode: this.partial.opcode, data: Buffer.concat(this.partial.parts) });
    this.partial = null;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
