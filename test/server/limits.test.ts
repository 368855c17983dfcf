// Limits and dead clients: server full, per-address cap, flood control, dead sockets, slow readers, timeouts, the server password (limits-sizes.test.ts: what one user may make the server hold).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directRelayed } from '../../src/server/direct.js';
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
        if (slowGone || sent >= limit) return resolve();
        // Paced by the fast reader (at most ~500 lines ahead of it), so the test measures the slow
        // one's cut-off, not our own pile-up: a slower server (a loaded machine, the mutation
        // sandbox's instrumented code) would otherwise be tens of thousands of lines behind when
        // the cut comes, more than the END below waits for.
        if (fast.all('PRIVMSG').length < sent - 500) return void setTimeout(pump, 1);
        for (let k = 0; k < 50 && sent < limit && !slowGone; k++) {
          talker.send(`PRIVMSG #lobby :${sent} ${text}`);
          sent++;
        }
        setImmediate(pump);
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
    const started = Date.now();
    for (let k = 0; k < 30; k++) a.send(`PRIVMSG bob :n${k}`);
    await b.expect((m) => m.params[1] === 'n29', 10_000, 'n29');
    const elapsed = Date.now() - started;
    assert.deepEqual(
      b.all('PRIVMSG').map((m) => m.params[1]),
      Array.from({ length: 30 }, (_, k) => `n${k}`),
    );
    // The bucket holds at most 5 lines and refills 50 a second, so the 25 past the burst cannot all
    // pass in under 500 ms (a floor the server must respect, not a speed; 10 ms for clock jitter).
    assert.ok(elapsed >= 490, `30 lines passed in ${elapsed} ms: the bucket did not hold them`);
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
  // Without a store (--db off), as the once-a-second sweep must run there too.
  const srv = await startServer({ registrationTimeout: 300 }, 'text', false, null);
  try {
    const c = await TestClient.connect(srv.port);
    const mute = await TestClient.connect(srv.port);
    c.send('NICK idle');
    const e = await c.expectCommand('ERROR');
    // Named by the nick it asked for, or `*` when it gave none.
    assert.match(e.params[0], /^Closing link: idle\[[^\]]+\] \(Registration timed out\)$/);
    const m = await mute.expectCommand('ERROR');
    assert.match(m.params[0], /^Closing link: \*\[[^\]]+\] \(Registration timed out\)$/);
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
    const e = await a.expectCommand('ERROR');
    assert.match(e.params[0], /^Closing link: quiet\[[^\]]+\] \(Ping timeout/);
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('a server password: missing, empty or wrong is refused with 464, right one registers', async () => {
  const srv = await startServer({ password: 's3cret' });
  try {
    for (const pass of [null, 'PASS :', 'PASS nope', 'PASS s3cret2']) {
      const bad = await TestClient.connect(srv.port);
      if (pass !== null) bad.send(pass);
      bad.send('NICK bad');
      bad.send('USER bad 0 * :Bad');
      await bad.expectCommand('464', 'bad', 'Password incorrect');
      const e = await bad.expectCommand('ERROR');
      assert.match(e.params[0], /Bad password/, String(pass));
      await bad.closedPromise;
      assert.equal(bad.all('001').length, 0, `${String(pass)}: never welcomed`);
    }
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

test('flood control lets exactly the burst through at once; the rest wait for the bucket', async () => {
  const srv = await startServer({ flood: { burst: 5, rate: 10 } }, 'text', true);
  const clients: TestClient[] = [];
  try {
    for (const nick of ['alice', 'bob', 'carol']) {
      clients.push(await TestClient.register(srv.port, nick));
    }
    const [alice, bob, carol] = clients;
    const fromAlice = () =>
      bob
        .all('PRIVMSG')
        .filter((m) => m.source?.startsWith('alice!'))
        .map((m) => m.params[1]);
    const upTo = (n: number) => Array.from({ length: n }, (_, k) => `n${k}`);
    /** Everything alice's lines could have done is done once carol's later line reaches bob. */
    const settle = async (marker: string) => {
      carol.send(`PRIVMSG bob :${marker}`);
      await bob.expectCommand('PRIVMSG', 'bob', marker);
    };
    srv.advance(10_000); // long enough to fill alice's bucket, whatever registration took
    alice.socket.write(
      upTo(12)
        .map((t) => `PRIVMSG bob :${t}\r\n`)
        .join(''),
    );
    await bob.expectCommand('PRIVMSG', 'bob', 'n4');
    await settle('m1');
    assert.deepEqual(fromAlice(), upTo(5), 'the burst, and no more while time stands still');
    srv.advance(200); // two lines' worth at 10 a second
    await bob.expectCommand('PRIVMSG', 'bob', 'n6');
    await settle('m2');
    assert.deepEqual(fromAlice(), upTo(7), 'two more after 200 ms');
    srv.advance(10_000);
    await bob.expectCommand('PRIVMSG', 'bob', 'n11');
    assert.deepEqual(fromAlice(), upTo(12), 'the rest, in order, none lost');
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
});

test('private messages on the fast path count as an answer to the server PING', async () => {
  const srv = await startServer({ flood: null, pingInterval: 500, pingTimeout: 500 }, 'text', true);
  const clients: TestClient[] = [];
  try {
    for (const nick of ['alice', 'bob', 'mute']) {
      clients.push(await TestClient.register(srv.port, nick));
    }
    const [alice, bob, mute] = clients;
    srv.advance(1000); // everyone idle past the interval: the next sweep PINGs all three
    for (const c of clients) await c.expectCommand('PING', 'parley.local');
    bob.send('PONG :parley.local');
    await bob.sync();
    // alice answers only with a plain private message, which the fast path relays.
    const relayed = directRelayed();
    alice.send('PRIVMSG bob :still here');
    await bob.expectCommand('PRIVMSG', 'bob', 'still here');
    assert.equal(directRelayed(), relayed + 1, 'the line took the fast path');
    srv.advance(1000); // past the timeout: the next sweep drops whoever still owes a PONG
    await mute.expect((m) => m.command === 'ERROR' && /Ping timeout/.test(m.params[0]));
    // The same sweep found alice idle but not owing a PONG: a new PING, not a disconnect.
    await alice.expectCommand('PING', 'parley.local');
    await alice.sync();
    assert.equal(alice.closed, false);
    assert.equal(alice.all('ERROR').length, 0);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
});

test('with flood control on, a too-long line gets its 417 after the replies to the lines before it', async () => {
  const srv = await startServer({ defaultChannel: '', flood: { burst: 1, rate: 50 } });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    await alice.sync();
    const from = alice.received.length;
    // The first takes the burst; the others wait in the receive queue, the long line behind them.
    alice.send('NICK bob\r\nNICK bob\r\nNICK bob\r\nNICK bob\r\nPRIVMSG bob :' + 'x'.repeat(600));
    await alice.sync();
    const got = alice.received.slice(from).map((r) => r.msg.command);
    assert.deepEqual(
      got.filter((c) => c !== 'PONG'),
      ['433', '433', '433', '433', '417'],
    );
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});
