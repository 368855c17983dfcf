// Test helpers: a real server on an ephemeral loopback port and a scriptable raw IRC client over real TCP.
import net from 'node:net';
import tls from 'node:tls';
import { isParseError, parse, type Message } from '../../src/protocol/index.js';
import { MemoryStore, type Store } from '../../src/store/index.js';
import { ChatLog, type ChatFormat } from '../../src/server/chatlog.js';
import { DEFAULTS, type ServerConfig } from '../../src/server/config.js';
import type { Logger } from '../../src/server/diagnostics.js';
import { Server } from '../../src/server/server.js';

export interface TestServer {
  server: Server;
  port: number;
  /** Move the server's clock on (only with `startServer`'s `clocked` option; else it throws). */
  advance(ms: number): void;
  /** What the server printed on its console (the chat log), line by line. */
  console(): Promise<string[]>;
  /** The messages the server logged (info and above), oldest first. */
  logged(): string[];
  stop(): Promise<void>;
}

/**
 * A real server on an ephemeral loopback port, flood control off unless `overrides` say otherwise.
 * `clocked`: its clock only moves when the test calls advance(), for what only time changes (flood
 * bucket refills, ping deadlines, idle times) without waiting for it. `beforeListen` runs once the
 * server is made, before its port opens (a test joins it to a cluster there).
 */
export async function startServer(
  overrides: Partial<ServerConfig> = {},
  chatFormat: ChatFormat = 'text',
  clocked = false,
  store: Store | null = new MemoryStore(),
  beforeListen: (server: Server) => Promise<void> = async () => {},
): Promise<TestServer> {
  let now = Date.now();
  let printed = '';
  const chatlog = new ChatLog({ write: (b: Buffer) => (printed += b.toString()) }, chatFormat);
  const config: ServerConfig = {
    ...DEFAULTS,
    host: '127.0.0.1',
    port: 0,
    flood: null,
    ...overrides,
  };
  const clock = clocked ? () => now : undefined;
  const logged: string[] = [];
  const keep = (_fields: object, msg: string) => void logged.push(msg);
  const log: Logger = { debug() {}, info: keep, warn: keep, error: keep };
  const server = new Server(config, { log, chatlog, clock, store });
  await beforeListen(server);
  const addr = await server.listen();
  return {
    server,
    port: addr.port,
    advance(ms: number) {
      if (!clocked) throw new Error('advance() needs startServer(..., clocked = true)');
      now += ms;
    },
    async console() {
      await new Promise((r) => setImmediate(r));
      chatlog.flush();
      return printed.split('\n').filter((l) => l.length > 0);
    },
    logged: () => logged,
    stop: () => server.shutdown(),
  };
}

export interface Received {
  raw: string;
  msg: Message;
}

export class TestClient {
  readonly received: Received[] = [];
  private cursor = 0;
  private buffer = '';
  private waiters: Array<() => void> = [];
  closed = false;
  readonly closedPromise: Promise<void>;
  nick = '';

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const raw = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.buffer = this.buffer.slice(nl + 1);
        const msg = parse(raw);
        if (!isParseError(msg)) this.received.push({ raw, msg });
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connect over TLS, accepting any certificate; `seen` gets the server's certificate fingerprint. */
  static connectTls(
    port: number,
    host = '127.0.0.1',
  ): Promise<TestClient & { fingerprint: string }> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ port, host, rejectUnauthorized: false }, () => {
        const c = new TestClient(socket) as TestClient & { fingerprint: string };
        c.fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
        resolve(c);
      });
      socket.once('error', reject);
    });
  }

  /** Connect and send PASS (if `pass` is given), NICK and USER, without waiting for any reply. */
  static async attempt(
    port: number,
    nick: string,
    pass: string | null = null,
  ): Promise<TestClient> {
    const c = await TestClient.connect(port);
    if (pass !== null) c.send(`PASS ${pass}`);
    c.send(`NICK ${nick}`);
    c.send(`USER ${nick} 0 * :Test ${nick}`);
    return c;
  }

  /** Send NICK and USER on a connected client and wait for the end of the welcome burst. */
  async registerAs(nick: string, lobby = true): Promise<this> {
    this.nick = nick;
    this.send(`NICK ${nick}`);
    this.send(`USER ${nick} 0 * :Test ${nick}`);
    await this.expect((m) => m.command === '376' || m.command === '422');
    if (lobby) await this.expect((m) => m.command === '366');
    return this;
  }

  /** Connect, optionally request caps, register and wait for the end of the welcome burst (and auto-join). */
  static async register(
    port: number,
    nick: string,
    caps: string[] = [],
    lobby = true,
    pass: string | null = null,
  ): Promise<TestClient> {
    const c = await TestClient.connect(port);
    c.nick = nick;
    if (caps.length > 0) {
      c.send('CAP LS 302');
      c.send(`CAP REQ :${caps.join(' ')}`);
    }
    if (pass !== null) c.send(`PASS ${pass}`);
    c.send(`NICK ${nick}`);
    c.send(`USER ${nick} 0 * :Test ${nick}`);
    if (caps.length > 0) c.send('CAP END');
    await c.expect((m) => m.command === '376' || m.command === '422');
    if (lobby) await c.expect((m) => m.command === '366');
    return c;
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Wait for the next message (after the last one matched) satisfying `pred`; returns it. */
  async expect(
    pred: (m: Message, raw: string) => boolean,
    timeoutMs = 5000,
    what = 'message',
  ): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let k = this.cursor; k < this.received.length; k++) {
        const r = this.received[k];
        if (pred(r.msg, r.raw)) {
          this.cursor = k + 1;
          return r.msg;
        }
      }
      if (this.closed) throw new Error(`${this.nick}: connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        const recent = this.received
          .slice(-8)
          .map((r) => r.raw)
          .join('\n  ');
        throw new Error(`${this.nick}: timed out waiting for ${what}; last lines:\n  ${recent}`);
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

  /** Wait for a message with this command (and, if given, these leading params). */
  expectCommand(command: string, ...params: string[]): Promise<Message> {
    return this.expect(
      (m) => m.command === command && params.every((p, k) => m.params[k] === p),
      5000,
      `${command} ${params.join(' ')}`,
    );
  }

  /** Round trip: everything the server sent before our PING's answer is now in `received`. */
  async sync(): Promise<void> {
    const token = `sync${Math.random().toString(36).slice(2)}`;
    this.send(`PING ${token}`);
    await this.expect((m) => m.command === 'PONG' && m.params[1] === token, 5000, 'PONG');
  }

  /** Everything the server answers to `line`, up to (not including) the PONG of a sync. */
  async replies(line: string): Promise<Message[]> {
    return (await this.answer(line)).map((r) => r.msg);
  }

  /** The same, as the raw lines received. */
  async rawReplies(line: string): Promise<string[]> {
    return (await this.answer(line)).map((r) => r.raw);
  }

  private async answer(line: string): Promise<Received[]> {
    await this.sync(); // whatever was sent before is in, so the window holds only the answer
    const from = this.received.length;
    this.send(line);
    await this.sync();
    return this.received.slice(from).filter((r) => r.msg.command !== 'PONG');
  }

  /** Messages received since the start (or index `from`) with this command. */
  all(command: string, from = 0): Message[] {
    return this.received
      .slice(from)
      .filter((r) => r.msg.command === command)
      .map((r) => r.msg);
  }

  async quit(reason = 'bye'): Promise<void> {
    this.send(`QUIT :${reason}`);
    await this.closedPromise;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** [command, ...params] of each message, for comparing whole replies. */
export const shapes = (ms: Message[]) => ms.map((m) => [m.command, ...m.params]);
