// Faults over real sockets: clients that vanish mid-line or mid-registration, half-close, a slowloris, a thousand connections dropped at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, TestClient } from '../helpers/irc.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a client gone mid-line: nothing half-sent is delivered, its nick is free, the others go on', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'bob');
    alice.socket.write('PRIVMSG bob :complete\r\nPRIVMSG bob :half a li');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'complete');
    alice.destroy();
    await bob.expect((m) => m.command === 'QUIT' && m.source?.startsWith('alice!') === true);
    assert.equal(bob.all('PRIVMSG').length, 1, 'the unfinished line was dropped');
    const again = await TestClient.register(srv.port, 'alice');
    again.send('PRIVMSG bob :new alice');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'new alice');
    for (const c of [again, bob]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('a client gone mid-registration or mid-SASL leaves nothing behind', async () => {
  const srv = await startServer();
  try {
    const early = await TestClient.connect(srv.port);
    early.send('NICK carol');
    early.send('CAP LS 302');
    early.send('CAP REQ :sasl');
    early.send('AUTHENTICATE PLAIN');
    await early.expect((m) => m.command === 'AUTHENTICATE');
    early.socket.write('AUTHENTICATE dGVz'); // half a line of SASL, then gone
    early.destroy();
    await sleep(50);
    const carol = await TestClient.register(srv.port, 'carol');
    const lusers = await carol.replies('LUSERS');
    const unknown = lusers.find((m) => m.command === '253')?.params[1];
    assert.equal(unknown, '0', 'no unregistered connection is left counted');
    carol.destroy();
  } finally {
    await srv.stop();
  }
});

test('half-close: lines sent before the FIN are handled, then the client is gone', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'bob');
    alice.socket.end('PRIVMSG bob :last words before FIN\r\n');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'last words before FIN');
    await bob.expect((m) => m.command === 'QUIT' && m.source?.startsWith('alice!') === true);
    await alice.closedPromise;
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('slowloris: a line trickled for longer than --ping-timeout is cut; slow whole lines are not', async () => {
  const srv = await startServer({ pingTimeout: 60_000, pingInterval: 120_000 }, 'text', true);
  try {
    const slow = await TestClient.register(srv.port, 'slow');
    const mallory = await TestClient.register(srv.port, 'mallory');
    mallory.socket.write('PRIVMSG slow :a');
    for (let k = 0; k < 4; k++) {
      await sleep(20);
      srv.advance(20_000); // a byte every 20 s keeps the link busy, never the line finished
      mallory.socket.write('b');
      slow.send('PING :still-here'); // whole lines, as slow, are fine
      await slow.expect((m) => m.command === 'PONG');
    }
    const error = await mallory.expect((m) => m.command === 'ERROR', 5000, 'the receive timeout');
    assert.match(error.params[0], /Receive timeout: a line unfinished for \d+ seconds/);
    await mallory.closedPromise;
    assert.equal(slow.closed, false);
    assert.equal(slow.all('PRIVMSG').length, 0);
    slow.destroy();
  } finally {
    await srv.stop();
  }
});

test('a thousand connections opened and dropped at once: the server serves on and counts right', async () => {
  const srv = await startServer({ maxClients: 2000, maxPerIp: 2000 });
  try {
    const sockets = await Promise.all(
      Array.from(
        { length: 1000 },
        (_, k) =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect({ port: srv.port, host: '127.0.0.1' }, () => {
              // Some half-way through registering, some mid-line, some silent.
              if (k % 3 === 0) s.write(`NICK n${k}\r\nUSER u 0 * :u\r\n`);
              else if (k % 3 === 1) s.write(`NICK m${k}\r\nUSE`);
              resolve(s);
            });
            s.on('error', () => {});
            s.once('error', reject);
          }),
      ),
    );
    await sleep(200);
    for (const s of sockets) s.destroy();
    const alice = await TestClient.register(srv.port, 'alice');
    await alice.sync();
    // Every dropped connection is gone from the counts (LUSERS: one user, no unknown connections).
    for (let k = 0; k < 50; k++) {
      const lusers = await alice.replies('LUSERS');
      const users = lusers.find((m) => m.command === '251')?.params[1] ?? '';
      const unknown = lusers.find((m) => m.command === '253')?.params[1];
      if (/There are 1 users/.test(users) && unknown === '0') break;
      await sleep(100);
    }
    const lusers = await alice.replies('LUSERS');
    assert.match(lusers.find((m) => m.command === '251')?.params[1] ?? '', /There are 1 users/);
    assert.equal(lusers.find((m) => m.command === '253')?.params[1], '0');
    assert.equal(srv.server.connectionCount, 1);
    alice.destroy();
  } finally {
    await srv.stop();
  }
});
