// The TLS listener (--tls-port): handshakes, the same accept policy as TCP, certificate reload; each link adapted for Connection as websocket.ts does.
//
// A TLSSocket cannot read into the shared buffer (readinto.ts needs a bare TCP handle), and its
// stream's high-water mark is 16 KiB, so a small write in flight would end without 'drain' and
// Output would wait for the flow watchdog to notice. TlsSocket puts a Duplex with a high-water
// mark of 1 in front of it, as WsSocket does for WebSocket links: the decrypted bytes feed the
// same line framing, limits, flood and flow control, and each write ends with 'drain'.
//
//   TCP accept ──admit?──no──> dropped (the client sees a failed handshake)
//       └─yes─> handshake (≤ HANDSHAKE_TIMEOUT_MS) ──fails──> dropped, logged at debug
//                   └─done─> admit? ──no──> ERROR :Closing link (over TLS), closed
//                               └─yes─> Connection, like any TCP client
import type { AddressInfo, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from './diagnostics.js';
import type { AcceptPolicy } from './listener.js';
import { describeError } from './wire.js';

/** A client that has not finished its handshake in this time is dropped (a slow-loris guard). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** The PEM pair a TLS listener serves. */
export interface TlsCredentials {
  cert: string;
  key: string;
}

/** A TLS link dressed as the net.Socket Connection expects (`encrypted` marks it secure). */
export class TlsSocket extends Duplex {
  readonly encrypted = true;
  readonly remoteAddress: string | undefined;

  constructor(private readonly tls: tls.TLSSocket) {
    // A write the TLS stream has not finished counts in writableLength and ends with 'drain', as
    // on the TCP listener's sockets (flow control watches for it).
    super({ writableHighWaterMark: 1, allowHalfOpen: false });
    this.remoteAddress = tls.remoteAddress;
    tls.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) tls.pause();
    });
    tls.on('end', () => this.push(null));
    tls.on('close', () => this.destroy());
    tls.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    this.tls.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void) {
    this.tls.write(chunk, done);
  }

  override _final(done: () => void): void {
    this.tls.end();
    done();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    this.tls.destroy();
    done(err);
  }

  setNoDelay(on?: boolean): this {
    this.tls.setNoDelay(on);
    return this;
  }

  setKeepAlive(on?: boolean, delay?: number): this {
    this.tls.setKeepAlive(on, delay);
    return this;
  }
}

/** Whether a Connection's socket is a TLS link (WHOIS 671, user mode +Z, the STS value). */
export function isSecure(socket: unknown): boolean {
  return (socket as { encrypted?: unknown }).encrypted === true;
}

export class TlsListener {
  private readonly server: tls.Server;

  constructor(
    private readonly policy: AcceptPolicy,
    creds: TlsCredentials,
    private readonly log: Logger,
  ) {
    this.server = tls.createServer({
      cert: creds.cert,
      key: creds.key,
      minVersion: 'TLSv1.2',
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
    });
    // Runs after tls.Server's own listener has wrapped the socket: a refusal costs no handshake.
    this.server.on('connection', (raw: Socket) => {
      if (this.policy.admit(raw) !== null) raw.destroy();
    });
    this.server.on('secureConnection', (socket) => this.onSecure(socket));
    this.server.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
      this.log.debug(
        { ip: socket.remoteAddress, error: describeError(err) },
        'TLS handshake failed',
      );
      socket.destroy();
    });
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: host === '::' ? undefined : host, port, backlog: 1024 }, () => {
        this.server.off('error', reject);
        this.server.on('error', () => {}); // accept errors (EMFILE) are per-connection
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** New connections get `creds`; throws (and keeps the old pair) when they do not load. */
  setCredentials(creds: TlsCredentials): void {
    this.server.setSecureContext({ cert: creds.cert, key: creds.key, minVersion: 'TLSv1.2' });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onSecure(link: tls.TLSSocket): void {
    const socket = new TlsSocket(link);
    // Connection takes the net.Socket surface it uses; TlsSocket provides exactly that part.
    const asSocket = socket as unknown as Socket;
    const refusal = this.policy.admit(asSocket);
    if (refusal !== null) {
      link.on('error', () => {});
      link.end(`ERROR :Closing link: ${refusal}\r\n`);
      setTimeout(() => link.destroy(), 1000).unref();
      return;
    }
    link.pause(); // as TCP sockets arrive: Connection starts reading
    this.policy.accepted(asSocket);
  }
}
