// Scripted IRC servers for client tests (RFC 1459 only, silent, TLS, never answering) and a relay that records what a client sends.
import { spawn } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';

/** One client of a scripted server: the lines it sent, and a way to answer. */
export class FakePeer {
  readonly lines: string[] = [];
  private buffer = '';
  private waiters: Array<() => void> = [];
  private handlers: Array<(line: string) => void> = [];
  closed = false;

  constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.lines.push(line);
        this.buffer = this.buffer.slice(nl + 1);
        for (const h of this.handlers) h(line);
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Call `fn` for each line from now on (the server's script). */
  handle(fn: (line: string) => void): void {
    this.handlers.push(fn);
  }

  send(...lines: string[]): void {
    if (!this.closed) this.socket.write(lines.map((l) => l + '\r\n').join(''));
  }

  /** Wait until a line matching `re` has arrived; returns it. */
  async expect(re: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      if (this.closed) throw new Error(`peer closed while waiting for ${re}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${re}; got:\n  ${this.lines.join('\n  ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export interface FakeServer {
  port: number;
  peers: FakePeer[];
  /** The next peer to connect (or one already connected and not yet taken). */
  nextPeer(timeoutMs?: number): Promise<FakePeer>;
  stop(): Promise<void>;
}

/**
 * A scripted server on 127.0.0.1:0 (TLS when `tlsOptions` is given); `onPeer` runs for each
 * connection and speaks for the server.
 */
export async function fakeServer(
  onPeer: (peer: FakePeer) => void,
  tlsOptions?: tls.TlsOptions,
): Promise<FakeServer> {
  const peers: FakePeer[] = [];
  let taken = 0;
  let notify: (() => void) | null = null;
  const accept = (socket: net.Socket) => {
    const peer = new FakePeer(socket);
    peers.push(peer);
    onPeer(peer);
    notify?.();
  };
  const server = tlsOptions ? tls.createServer(tlsOptions, accept) : net.createServer(accept);
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    peers,
    async nextPeer(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (taken >= peers.length) {
        if (Date.now() > deadline) throw new Error('no client connected to the fake server');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 50);
          notify = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      return peers[taken++];
    },
    stop() {
      for (const p of peers) p.socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Answer NICK + USER with 001, an optional 005 line and the end of the MOTD; with `caps`, a
 * CAP LS holds registration until CAP END, as an IRCv3 server does. `more` sees every line.
 */
export function registerOnly(
  peer: FakePeer,
  opts: {
    server?: string;
    isupport?: string;
    caps?: boolean;
    more?: (line: string, nick: string) => void;
  } = {},
): void {
  const server = opts.server ?? 'old.server';
  let nick = '';
  let user = false;
  let capping = false;
  let done = false;
  peer.handle((line) => {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'NICK') nick = arg.replace(/^:/, '');
    if (cmd === 'USER') user = true;
    if (opts.caps && cmd === 'CAP') capping = arg !== 'END';
    opts.more?.(line, nick);
    if (!done && nick !== '' && user && !capping) {
      done = true;
      peer.send(`:${server} 001 ${nick} :Welcome to the Internet Relay Network ${nick}`);
      if (opts.isupport) peer.send(`:${server} 005 ${nick} ${opts.isupport} :are supported`);
      peer.send(`:${server} 375 ${nick} :- ${server} Message of the day -`);
      peer.send(`:${server} 376 ${nick} :End of MOTD command`);
    }
  });
}

/** Speak like an RFC 1459 server that knows nothing of CAP: 421 to CAP, PONG to PING. */
export function rfc1459(peer: FakePeer, server = 'old.server'): void {
  registerOnly(peer, {
    server,
    isupport: 'CHANTYPES=#& PREFIX=(ov)@+',
    more: (line, nick) => {
      const cmd = line.split(' ')[0];
      if (cmd === 'CAP') peer.send(`:${server} 421 ${nick || '*'} CAP :Unknown command`);
      if (cmd === 'PING')
        peer.send(`:${server} PONG ${server} :${line.slice(5).replace(/^:/, '')}`);
    },
  });
}

/**
 * A loopback port whose TCP handshake never completes: a listening socket (in a child process
 * whose event loop is blocked, so it never accepts) with a backlog of 1, filled by two
 * connections (Linux queues backlog + 1); the kernel drops every further SYN, as a host that
 * does not answer would. stop() kills the child and closes the fillers.
 */
export async function unansweredPort(): Promise<{ port: number; stop(): void }> {
  const script = `
    const s = require('node:net').createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // block forever, no CPU
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (s: string) => resolve(Number(s.trim())));
    child.once('exit', (code) => reject(new Error(`listener child exited (${code})`)));
  });
  const fillers: net.Socket[] = [];
  for (let k = 0; k < 2; k++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    fillers.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('error', reject);
    });
  }
  return {
    port,
    stop() {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    },
  };
}

export interface Relay {
  port: number;
  /** Every line clients sent through the relay, in order (even those a server would ignore). */
  sent: string[];
  /** Drop every connection through the relay now (the client sees its link lost); keep listening. */
  cut(): void;
  stop(): Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1:0 to a server on `target`, keeping what each client sends: the
 * wire, not what the server made of it (after a QUIT a server ignores whatever follows).
 * When the server closes, the client's side is half-closed and still read until it closes.
 */
export async function recordingRelay(target: number): Promise<Relay> {
  const sent: string[] = [];
  const sockets = new Set<net.Socket>();
  const relay = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: target });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    let buffer = '';
    client.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        sent.push(buffer.slice(0, nl).replace(/\r$/, ''));
        buffer = buffer.slice(nl + 1);
      }
      if (!upstream.destroyed) upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('end', () => upstream.end());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as net.AddressInfo).port,
    sent,
    cut() {
      for (const s of sockets) s.destroy();
    },
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}
