// Limits and dead clients: server full, per-address cap, flood control, dead sockets, slow readers, timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';

test('client N+1 is refused with a clear ERROR while the others carry on', async () => {
  const srv = await startServer({ maxClients: 3 });
  try {
    const clients = [];
    for (const nick of ['c1', 'c2', 'c3']) clients.push(await TestClient.register(srv.port, nick));
    const extra = await TestClient.connect(srv.port);
    const e = await extra.expectCommand('ERROR');
    assert.equal(e.params[0], 'Closing link: server full');
    await extra.closedPromise;
    clients[0].send('PRIVMSG #lobby :still working');
    await clients[1].expectCommand('PRIVMSG', '#lobby', 'still working');
    await clients[2].expectCommand('PRIVMSG', '#lobby', 'still working');
    // A slot frees up when someone leaves.
    await clients[0].quit();
    await clients[1].expectCommand('QUIT');
    const again = await TestClient.register(srv.port, 'c4');
    for (const c of [...clients, again]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('connections per address are capped', async () => {
  const srv = await startServer({ maxPerIp: 2 });
  try {
    const a = await TestClient.connect(srv.port);
    const b = await TestClient.connect(srv.port);
    const c = await TestClient.connect(srv.port);
    const e = await c.expectCommand('ERROR');
    assert.match(e.params[0], /too many connections from your address/);
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('a dead client is removed at once: others see QUIT and its nick is free', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice');
    const b = await TestClient.register(srv.port, 'bob');
    a.send('PRIVMSG #lobby :about to vanish');
    await b.expectCommand('PRIVMSG', '#lobby', 'about to vanish');
    a.socket.resetAndDestroy();
    const q = await b.expectCommand('QUIT');
    assert.match(q.source!, /^alice!/);
    assert.match(q.params[0], /reset|closed/i);
    const again = await TestClient.register(srv.port, 'alice');
    assert.ok((await srv.console()).some((l) => /<-- alice quit/.test(l)));
    again.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('a client that stops reading is cut off by the send queue; the others keep receiving', async () => {
  const srv = await startServer({ sendq: 256 * 1024 });
  try {
    const slow = await TestClient.register(srv.port, 'slow');
    const fast = await TestClient.register(srv.port, 'fast');
    const talker = await TestClient.register(srv.port, 'talker');
    await fast.sync();
    await slow.sync();
    slow.socket.pause(); // stop reading: the kernel buffers fill, then the server's queue
    const text = 'x'.repeat(400);
    const limit = 100_000; // bound: loopback kernel buffers can hold several MB before the sendq fills
    let sent = 0;
    let slowGone = false;
    const gone = fast
      .expect((m) => m.command === 'QUIT' && /^slow!/.test(m.source ?? ''), 60_000, 'QUIT slow')
      .finally(() => (slowGone = true));
    await new Promise<void>((resolve) => {
      const pump = () => {
        for (let k = 0; k < 50 && sent < limit && !slowGone; k++) {
          talker.send(`PRIVMSG #lobby :${sent} ${text}`);
          sent++;
        }
        if (slowGone || sent >= limit) resolve();
        // Pace by the fast reader, so the test measures the slow one's cut-off, not our own pile-up.
        else if (fast.all('PRIVMSG').length >= sent - 500) setImmediate(pump);
        else setTimeout(pump, 1);
      };
      pump();
    });
    const q = await gone;
    assert.equal(q.params[0], 'SendQ exceeded');
    talker.send('PRIVMSG #lobby :END');
    await fast.expectCommand('PRIVMSG', '#lobby', 'END');
    assert.equal(fast.all('PRIVMSG').length, sent + 1, 'the fast reader got every message');
    slow.destroy();
    fast.destroy();
    talker.destroy();
  } finally {
    await srv.stop();
  }
});

test('flood control throttles a burst (fake lag) without losing or reordering lines', async () => {
  const srv = await startServer({ flood: { burst: 5, rate: 50 } });
  try {
    const a = await TestClient.register(srv.port, 'alice');
    const b = await TestClient.register(srv.port, 'bob');
    for (let k = 0; k < 30; k++) a.send(`PRIVMSG bob :n${k}`);
    await b.expect((m) => m.params[1] === 'n29', 10_000, 'n29');
    assert.deepEqual(
      b.all('PRIVMSG').map((m) => m.params[1]),
      Array.from({ length: 30 }, (_, k) => `n${k}`),
    );
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('a flood past the receive queue is disconnected with Excess Flood', async () => {
  const srv = await startServer({ flood: { burst: 2, rate: 1 }, recvq: 9000 });
  try {
    const a = await TestClient.register(srv.port, 'alice');
    const b = await TestClient.register(srv.port, 'bob');
    a.socket.write(`PRIVMSG bob :${'f'.repeat(400)}\r\n`.repeat(40));
    const e = await a.expectCommand('ERROR');
    assert.match(e.params[0], /Excess Flood/);
    const q = await b.expect((m) => m.command === 'QUIT' && /^alice!/.test(m.source ?? ''));
    assert.equal(q.params[0], 'Excess Flood');
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('registration times out for a client that never finishes', async () => {
  const srv = await startServer({ registrationTimeout: 300 });
  try {
    const c = await TestClient.connect(srv.port);
    c.send('NICK idle');
    const e = await c.expectCommand('ERROR');
    assert.match(e.params[0], /Registration timed out/);
    await c.closedPromise;
  } finally {
    await srv.stop();
  }
});

test('the server PINGs a silent client and drops it when no PONG comes', async () => {
  const srv = await startServer({ pingInterval: 500, pingTimeout: 500 });
  try {
    const a = await TestClient.register(srv.port, 'quiet');
    const b = await TestClient.register(srv.port, 'watcher');
    const ping = await a.expectCommand('PING');
    assert.equal(ping.params[0], 'parley.local');
    // b answers its PINGs and stays; a stays silent.
    const answer = async () => {
      while (!b.closed) {
        const p = await b.expectCommand('PING').catch(() => null);
        if (p === null) return;
        b.send(`PONG :${p.params[0]}`);
      }
    };
    void answer();
    const q = await b.expect((m) => m.command === 'QUIT' && /^quiet!/.test(m.source ?? ''), 10_000);
    assert.match(q.params[0], /Ping timeout/);
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('a server password: wrong or missing is refused with 464, right one registers', async () => {
  const srv = await startServer({ password: 's3cret' });
  try {
    const bad = await TestClient.connect(srv.port);
    bad.send('PASS nope');
    bad.send('NICK bad');
    bad.send('USER bad 0 * :Bad');
    await bad.expectCommand('464', 'bad');
    await bad.expectCommand('ERROR');
    const good = await TestClient.connect(srv.port);
    good.send('PASS s3cret');
    good.send('NICK good');
    good.send('USER good 0 * :Good');
    await good.expectCommand('001', 'good');
    good.destroy();
  } finally {
    await srv.stop();
  }
});
