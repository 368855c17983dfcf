// The IRCv3 WebSocket transport: a listener for browsers' clients, each link adapted to look like a TCP socket to Connection.
//
// One IRC line per WebSocket message, without CR LF, both ways (https://ircv3.net/specs/extensions/
// websocket). Subprotocols: `binary.ircv3.net` (binary messages, any bytes: the server's UTF-8 check
// answers as on TCP) and `text.ircv3.net` (text messages; the ws library closes a link whose text
// is not UTF-8 with 1007); a client that asks for neither gets text. Each link becomes a WsSocket,
// a Duplex with the parts of net.Socket that Connection uses, so the same framing, limits (417 for
// a long line, recvq), flood control, flow control and send queue apply as on TCP: inbound
// messages become lines with CR LF, outbound writes (whole lines, one write per turn) are split
// back into one message per line. A message past MAX_MESSAGE is refused by ws with 1009.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AcceptPolicy } from './listener.js';

export const SUBPROTOCOLS = ['binary.ircv3.net', 'text.ircv3.net'] as const;
/** The largest message taken: an IRC line with every tag allowed is under 5 KiB; ws closes with
 * 1009 past this, and lines between the IRC limits and this get 417 as on TCP. */
const MAX_MESSAGE = 16 * 1024;
const CRLF = Buffer.from('\r\n');

/** A WebSocket link dressed as the net.Socket Connection expects. */
export class WsSocket extends Duplex {
  readonly remoteAddress: string | undefined;
  /** ws reported a protocol error: it closes the link itself (see the constructor). */
  private failed = false;

  constructor(
    private readonly ws: WebSocket,
    remoteAddress: string | undefined,
    private readonly binary: boolean,
  ) {
    // A write the peer has not taken yet counts in writableLength and ends with 'drain', as on
    // the TCP listener's sockets (highWaterMark 1; flow control watches for it).
    super({ writableHighWaterMark: 1, allowHalfOpen: false });
    this.remoteAddress = remoteAddress;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      if (!this.push(Buffer.concat([bytes, CRLF]))) ws.pause();
    });
    ws.on('close', () => {
      this.push(null);
      this.destroy();
    });
    ws.on('error', (err) => {
      // A protocol error (1002, 1007, 1009): ws has queued its Close frame and ends the link
      // itself once it is out, reading on meanwhile. Terminating here could close the socket
      // with the client's input unread, which the kernel turns into a reset that drops the frame.
      this.failed = true;
      this.destroy(err);
    });
  }

  override _read(): void {
    this.ws.resume();
  }

  /** Whole lines (Output writes only those): one message each; done when ws has sent the last. */
  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (err?: Error | null) => void,
  ): void {
    let start = 0;
    let pending = 0;
    let failed: Error | null = null;
    const sent = (err?: Error) => {
      if (err !== undefined && failed === null) failed = err;
      if (--pending === 0) done(failed);
    };
    while (start < chunk.length) {
      let end = chunk.indexOf(10, start);
      if (end === -1) end = chunk.length;
      const lineEnd = end > start && chunk[end - 1] === 13 ? end - 1 : end;
      if (lineEnd > start) {
        pending++;
        this.ws.send(chunk.subarray(start, lineEnd), { binary: this.binary }, sent);
      }
      start = end + 1;
    }
    if (pending === 0) done();
  }

  override _final(done: () => void): void {
    this.ws.close(1000);
    done();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    if (this.ws.readyState !== this.ws.CLOSED && !this.failed) this.ws.terminate();
    done(err);
  }

  // net.Socket methods Connection may call; a WebSocket has nothing to set.
  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}

/** The HTTP server that upgrades to WebSocket, with the same accept policy as the TCP listener. */
export class WsListener {
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;

  constructor(private readonly policy: AcceptPolicy) {
    this.http = http.createServer((_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
      res.end(
        'This is an IRC server: connect with a WebSocket (text.ircv3.net or binary.ircv3.net).\n',
      );
    });
    this.wss = new WebSocketServer({
      server: this.http,
      maxPayload: MAX_MESSAGE,
      // A zlib context per link (tens of KiB, more at 20,000 links) for lines of a few dozen bytes.
      perMessageDeflate: false,
      handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
    });
    // ws re-emits the HTTP server's errors (a port in use, EMFILE) on the WebSocketServer: listen()
    // reports the first, the rest are per connection, as on the TCP listener.
    this.wss.on('error', () => {});
    this.wss.on('connection', (ws, req) => this.onConnection(ws, req));
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen({ host: host === '::' ? undefined : host, port }, () => {
        this.http.off('error', reject);
        this.http.on('error', () => {});
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.wss.close();
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private onConnection(ws: WebSocket, req: http.IncomingMessage): void {
    const socket = new WsSocket(ws, req.socket.remoteAddress, ws.protocol === 'binary.ircv3.net');
    // Connection takes the net.Socket surface it uses; WsSocket provides exactly that part.
    const asSocket = socket as unknown as Socket;
    const refusal = this.policy.admit(asSocket);
    if (refusal !== null) {
      ws.send(`ERROR :Closing link: ${refusal}`);
      ws.close(1008, refusal.slice(0, 100));
      return;
    }
    socket.pause(); // as TCP sockets arrive: Connection starts reading
    this.policy.accepted(asSocket);
  }
}
