// The network's order as one node runs it, with a scripted peer on a real bus: another node's commands run only as the user they name on that node, a client's next lines wait for its commands in flight (its private messages on the fast path too), and a command the order does not carry back in time is given up, and runs if it comes later; one that comes back after its client left is not run; a late multiline batch leaves the batch opened since alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage } from '../../src/cluster/messages.js';
import { directRelayed } from '../../src/server/direct.js';
import {
  entry,
  eventually,
  inProcessNode,
  isOn,
  names,
  sleep,
  withNodeAndPeer,
  withRedis,
} from '../helpers/cluster.js';
import { TestClient } from '../helpers/irc.js';
import { pauseWrites } from '../helpers/redis.js';

/** A command of `nick`, a user of `node`, as that node puts it in the order. */
function cmd(node: string, nick: string, command: string, ...params: string[]): BusMessage {
  const base = { t: 'cmd' as const, node, id: 1, nick, caps: 0, tags: null };
  return { ...base, command, params, ms: 0, seq: 0 };
}

test("another node's commands run as the user they name only when that user is that node's", (t) =>
  withRedis(t, (redis) =>
    withNodeAndPeer(redis, async (a, p) => {
      const bob = await TestClient.register(a.port, 'bob', [], false);
      const cleo = await TestClient.register(a.port, 'cleo', [], false);
      await bob.replies('JOIN #c');
      await cleo.replies('JOIN #c');
      p.bus.announce({ t: 'arrive', e: entry('zed') });
      p.bus.announce(cmd('p', 'zed', 'JOIN', '#c'));
      await bob.expect((m) => m.command === 'JOIN' && m.source?.startsWith('zed!') === true);
      // A node speaking for a user of this node, or for another node's user: nothing runs.
      p.bus.announce(cmd('p', 'cleo', 'PRIVMSG', '#c', 'as cleo'));
      p.bus.announce(cmd('q', 'zed', 'PRIVMSG', '#c', 'as zed of q'));
      p.bus.announce(cmd('p', 'nobody', 'PRIVMSG', '#c', 'as nobody'));
      p.bus.announce(cmd('p', 'zed', 'PRIVMSG', '#c', 'as zed'));
      const got = await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'as zed');
      assert.ok(got.source?.startsWith('zed!~zed@'), 'from zed, as the mirror knows zed');
      const spoofed = bob.received.filter((r) => r.msg.command === 'PRIVMSG');
      assert.deepEqual(
        spoofed.map((r) => r.msg.params[1]),
        ['as zed'],
        'nothing ran as cleo, as zed of another node, or as nobody',
      );
      await cleo.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'as zed');
      assert.equal(cleo.received.filter((r) => r.msg.command === 'PRIVMSG').length, 1);
      for (const c of [bob, cleo]) c.destroy();
    }),
  ));

test("a client's line that changes nothing shared waits for its commands in flight, so answers keep their order", (t) =>
  withRedis(t, async (redis) => {
    const a = await inProcessNode(redis, null, 'a');
    const cleo = await TestClient.register(a.port, 'cleo', ['echo-message'], false);
    try {
      await cleo.replies('JOIN #c');
      cleo.send('PRIVMSG #c :through the order\r\nPING :after it');
      const seen = () =>
        cleo.received
          .map((r) => r.msg)
          .filter(
            (m) => m.command === 'PRIVMSG' || (m.command === 'PONG' && m.params[1] === 'after it'),
          )
          .map((m) => m.params[1]);
      await eventually(() => seen().length >= 2, 'the echo and the PONG');
      assert.deepEqual(seen(), ['through the order', 'after it']);
      cleo.destroy();
    } finally {
      await a.stop();
    }
  }));

test("a private message to a user of the same node waits for the sender's commands in flight, on the fast path too", (t) =>
  withRedis(t, async (redis) => {
    const a = await inProcessNode(redis, null, 'a');
    const bob = await TestClient.register(a.port, 'bob', [], false);
    const cleo = await TestClient.register(a.port, 'cleo', [], false);
    try {
      await bob.replies('JOIN #c');
      await cleo.replies('JOIN #c');
      const relayed = directRelayed();
      // The channel message goes through the order; the private one, plain text to a local user,
      // is the fast path's (direct.ts) once nothing of its sender's is in flight.
      cleo.send('PRIVMSG #c :through the order\r\nPRIVMSG bob :right after it');
      const seen = () =>
        bob.received.filter((r) => r.msg.command === 'PRIVMSG').map((r) => r.msg.params[1]);
      await eventually(() => seen().length >= 2, 'both messages at bob');
      assert.deepEqual(seen(), ['through the order', 'right after it']);
      cleo.send('PRIVMSG bob :with nothing in flight');
      await eventually(() => seen().length >= 3, 'the third message at bob');
      assert.ok(directRelayed() > relayed, 'the fast path is taken on a cluster node');
      for (const c of [bob, cleo]) c.destroy();
    } finally {
      await a.stop();
    }
  }));

test('a command the order does not carry back in time is given up: its sender is told and goes on, and it still runs if it comes later', (t) =>
  withRedis(t, (redis) =>
    withNodeAndPeer(
      redis,
      async (a, p) => {
        const caps = ['labeled-response', 'batch'];
        const cleo = await TestClient.register(a.port, 'cleo', caps, false);
        await cleo.replies('JOIN #c');
        // Redis takes no write for a moment (less than the heartbeat's limit): the TOPIC waits
        // unpublished; meanwhile the server's clock passes the wait, and the sweep gives it up.
        await pauseWrites(redis, 2500);
        cleo.send('@label=t1 TOPIC #c :carried late');
        await new Promise((r) => setTimeout(r, 200));
        a.advance(11_000);
        // Sent after the clock moved: younger than the wait, so kept, and carried out after the pause.
        cleo.send('AWAY :sent later');
        cleo.send('PING :next');
        const fail = await cleo.expect((m) => m.command === 'FAIL', 5000, 'FAIL');
        assert.deepEqual(fail.params.slice(0, 2), ['TOPIC', 'CLUSTER_DEGRADED']);
        assert.match(fail.params.at(-1)!, /in time; it may still happen/);
        assert.equal(fail.tags?.get('label'), 't1', 'the FAIL answers the label');
        // When the order carries it at last, it runs here too, in its place in the order (as on
        // every other node), as cleo's: no label, that one was answered.
        await p.next('the TOPIC, late', (m) => m.t === 'cmd' && m.command === 'TOPIC', 10_000);
        const topic = await cleo.expect((m) => m.command === 'TOPIC', 5000, 'the late TOPIC');
        assert.equal(topic.params[1], 'carried late');
        assert.equal(topic.tags?.has('label') ?? false, false);
        await cleo.expect((m) => m.command === '306', 5000, 'the AWAY carried out');
        await cleo.expect((m) => m.command === 'PONG' && m.params[1] === 'next', 5000, 'PONG');
        const order = cleo.received.map((r) => r.msg.command);
        assert.ok(order.indexOf('TOPIC') < order.indexOf('306'), 'TOPIC, then the AWAY');
        assert.equal(await isOn(cleo, 'cleo'), true);
        cleo.destroy();
      },
      null,
      { clocked: true },
    ),
  ));

test("after a private message to another node's user, the sender's next other line waits for its hand-over (a second at most); more messages do not", (t) =>
  withRedis(t, (redis) =>
    withNodeAndPeer(redis, async (a, p) => {
      const cleo = await TestClient.register(a.port, 'cleo', [], false);
      const bob = await TestClient.register(a.port, 'bob', [], false);
      p.bus.announce({ t: 'arrive', e: entry('zed') });
      await eventually(() => isOn(cleo, 'zed'), 'a knows zed');
      // Redis takes no PUBLISH for a while: the message to zed waits there, handed over but unsent.
      await pauseWrites(redis, 3000);
      cleo.send('PRIVMSG zed :for another node');
      await sleep(100); // the next lines come in a read of their own
      cleo.send('NOTICE bob :for this one'); // a PRIVMSG would take the fast path (direct.ts)
      cleo.send('PING :after the hand-over');
      // At once, not after the hand-over's second (the only bound short of it that tells them apart).
      await bob.expect((m) => m.command === 'NOTICE' && m.params[1] === 'for this one', 800);
      const pong = (m: { command: string; params: string[] }) =>
        m.command === 'PONG' && m.params[1] === 'after the hand-over';
      await assert.rejects(cleo.expect(pong, 500), /timed out/, 'the PING waits');
      // Redis takes the message about 2.9 s after the PING: the PONG must not wait for that.
      await cleo.expect(pong, 1500, 'the PONG after a second at most');
      await p.next('the message to zed, once Redis takes it', (m) => m.t === 'deliver', 10_000);
      for (const c of [cleo, bob]) c.destroy();
    }),
  ));

test('a command that comes back after its client left is not run: the leaver is not made a member again', (t) =>
  withRedis(t, async (redis) => {
    const a = await inProcessNode(redis, null, 'a');
    const bob = await TestClient.register(a.port, 'bob', [], false);
    try {
      await bob.replies('JOIN #c');
      for (let k = 0; k < 5; k++) {
        const alice = await TestClient.register(a.port, `alice${k}`, [], false);
        alice.send('JOIN #c'); // in the order when the link drops
        alice.destroy();
        await eventually(async () => !(await isOn(bob, `alice${k}`)), `alice${k} gone`);
      }
      await sleep(200); // any JOIN still in the order is back
      assert.deepEqual(await names(bob, '#c'), ['@bob'], 'only bob in #c');
      bob.destroy();
    } finally {
      await a.stop();
    }
  }));

test('a multiline batch carried late runs at its origin without closing the batch its sender has opened since', (t) =>
  withRedis(t, (redis) =>
    withNodeAndPeer(
      redis,
      async (a, p) => {
        const caps = ['draft/multiline', 'batch', 'message-tags'];
        const cleo = await TestClient.register(a.port, 'cleo', caps, false);
        const dana = await TestClient.register(a.port, 'dana', caps, false);
        for (const c of [cleo, dana]) await c.replies('JOIN #c');
        await pauseWrites(redis, 3000);
        cleo.send('BATCH +b1 draft/multiline #c');
        cleo.send('@batch=b1 PRIVMSG #c :late one');
        cleo.send('BATCH -b1');
        await sleep(200);
        a.advance(11_000);
        await cleo.expect((m) => m.command === 'FAIL', 5000, 'the first batch given up');
        // A second batch opened while the first is still unpublished.
        cleo.send('BATCH +b2 draft/multiline #c');
        cleo.send('@batch=b2 PRIVMSG #c :second, first line');
        await p.next(
          'the first batch, late',
          (m) => m.t === 'cmd' && m.command === 'BATCH',
          10_000,
        );
        await eventually(
          () => dana.all('PRIVMSG').some((m) => m.params[1] === 'late one'),
          'the late batch delivered',
        );
        cleo.send('@batch=b2 PRIVMSG #c :second, second line');
        cleo.send('BATCH -b2');
        await eventually(
          () => dana.all('PRIVMSG').some((m) => m.params[1] === 'second, second line'),
          'the second batch delivered',
        );
        const lines = dana.all('PRIVMSG').map((m) => m.params[1]);
        assert.deepEqual(lines, ['late one', 'second, first line', 'second, second line']);
        assert.equal(cleo.all('FAIL').length, 1, 'no FAIL for the second batch');
        for (const c of [cleo, dana]) c.destroy();
      },
      null,
      { clocked: true },
    ),
  ));
