// The listening socket (listener.ts) on its own: the options accepted sockets get, listen's outcome, and a refusal that never outlives its second; a server that cannot open all its ports lets go of the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { makeCertificate } from '../../src/cli/certgen.js';
import { freePort } from '../../src/cli/workers.js';
import { silentLogger } from '../../src/server/diagnostics.js';
import { Listener, type AcceptPolicy } from '../../src/server/listener.js';
import { TlsListener } from '../../src/server/tls.js';
import { WsListener } from '../../src/server/websocket.js';
import { startServer } from '../helpers/irc.js';
import { canListen, occupyPort } from '../helpers/ports.js';

/** A field Node keeps on a socket under a symbol (the options it applied), or undefined. */
function nodeField(socket: net.Socket, description: string): unknown {
  const fields = socket as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === description);
  return key === undefined ? undefined : fields[key];
}

/** A policy that refuses with `refusal` (null: accepts) and hands every socket to `seen`. */
function policy(refusal: string | null, seen: (s: net.Socket) => void): AcceptPolicy {
  return { admit: (s) => (seen(s), refusal), accepted: () => {} };
}

function connect(port: number, host = '127.0.0.1', allowHalfOpen = false): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host, allowHalfOpen }, () => resolve(s));
    s.once('error', reject);
  });
}

test('accepted sockets start paused, with Nagle off, keep-alive after 60 s and a 1-byte high-water mark', async () => {
  let got: net.Socket | null = null;
  const l = new Listener(policy(null, (s) => (got = s)));
  const addr = await l.listen('127.0.0.1', 0);
  assert.equal(addr.address, '127.0.0.1', 'bound to the host asked for, not every address');
  const c = await connect(addr.port);
  while (got === null) await new Promise((r) => setImmediate(r));
  const s = got as net.Socket;
  assert.equal(nodeField(s, 'kSetNoDelay'), true);
  assert.equal(nodeField(s, 'kSetKeepAlive'), true);
  assert.equal(nodeField(s, 'kSetKeepAliveInitialDelay'), 60);
  assert.equal(s.writableHighWaterMark, 1);
  const handle = (s as unknown as { _handle: { reading: boolean } })._handle;
  assert.equal(handle.reading, false, 'not reading until the Connection chooses how');
  s.destroy();
  c.destroy();
  await l.close();
});

test('`::` listens on every address, IPv4 included', async () => {
  const l = new Listener(policy(null, (s) => s.destroy()));
  const addr = await l.listen('::', 0);
  assert.equal(addr.address, '::');
  const c = await connect(addr.port, '127.0.0.1');
  c.destroy();
  await l.close();
});

test('a port in use is an error from listen; an accept error later is not fatal', async () => {
  const first = new Listener(policy(null, (s) => s.destroy()));
  const { port } = await first.listen('127.0.0.1', 0);
  const second = new Listener(policy(null, () => {}));
  await assert.rejects(second.listen('127.0.0.1', port), { code: 'EADDRINUSE' });
  // EMFILE and the like reach the server as 'error' events: it goes on accepting.
  const server = (first as unknown as { server: net.Server }).server;
  server.emit('error', Object.assign(new Error('accept: too many open files'), { code: 'EMFILE' }));
  const c = await connect(port);
  c.destroy();
  await first.close();
});

test('a refused client is told why, and its socket is gone within about a second', async () => {
  const refused: net.Socket[] = [];
  const l = new Listener(policy('Server full', (s) => refused.push(s)));
  const { port } = await l.listen('127.0.0.1', 0);
  // A client that keeps its half of the link open and never sends FIN.
  const c = await connect(port, '127.0.0.1', true);
  let text = '';
  c.on('data', (b) => (text += b.toString()));
  await new Promise((r) => c.once('end', r));
  assert.equal(text, 'ERROR :Closing link: Server full\r\n');
  const started = Date.now();
  while (!refused[0].destroyed && Date.now() - started < 3000) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(refused[0].destroyed, true, 'destroyed by the server, not waiting for the client');
  c.destroy();
  // Clients that reset at once: the refused socket's write fails, and that is not fatal.
  for (let k = 0; k < 10; k++) (await connect(port)).resetAndDestroy();
  while (refused.length < 11) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  await l.close();
});

test('the TLS and WebSocket listeners: a port in use is an error from listen, a later error is not fatal; raw TLS sockets get Nagle off and keep-alive', async () => {
  const cert = makeCertificate(['127.0.0.1'], 1);
  const seen: net.Socket[] = [];
  const { port, server: busy } = await occupyPort();
  const make = [
    () =>
      new TlsListener(
        policy(null, (s) => seen.push(s)),
        cert,
        silentLogger,
      ),
    () => new WsListener(policy(null, (s) => seen.push(s))),
  ];
  try {
    for (const listener of make) {
      const l = listener();
      await assert.rejects(l.listen('127.0.0.1', port), { code: 'EADDRINUSE' });
      const ok = listener();
      const addr = await ok.listen('127.0.0.1', 0);
      const inner = Object.values(ok).find((v) => v instanceof net.Server) as net.Server;
      inner.emit(
        'error',
        Object.assign(new Error('accept: too many open files'), { code: 'EMFILE' }),
      );
      const c = await connect(addr.port);
      if (ok instanceof TlsListener) {
        // Admitted as the TCP connection arrives (a WebSocket only once it has upgraded).
        while (seen.length === 0) await new Promise((r) => setImmediate(r));
        assert.equal(nodeField(seen[0], 'kSetNoDelay'), true);
        assert.equal(nodeField(seen[0], 'kSetKeepAlive'), true);
        assert.equal(nodeField(seen[0], 'kSetKeepAliveInitialDelay'), 60);
      }
      c.destroy();
      await ok.close();
      seen.length = 0;
    }
  } finally {
    busy.close();
  }
});

test('a server whose WebSocket or TLS port is taken does not start, and lets go of the ports it opened', async () => {
  const cert = makeCertificate(['127.0.0.1'], 1);
  const { port: taken, server: busy } = await occupyPort();
  try {
    const tls = { port: taken, cert: cert.cert, key: cert.key };
    for (const withWs of [false, true]) {
      const port = await freePort();
      const websocketPort = withWs ? await freePort() : null;
      await assert.rejects(startServer({ port, websocketPort, tls }), { code: 'EADDRINUSE' });
      await canListen(port);
      if (websocketPort !== null) await canListen(websocketPort);
    }
    const port = await freePort();
    await assert.rejects(startServer({ port, websocketPort: taken }), { code: 'EADDRINUSE' });
    await canListen(port);
  } finally {
    busy.close();
  }
});
