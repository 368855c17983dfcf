// A nick Redis grants while this node still holds a replica of it: the claim waits, briefly, for the news that the other node's user left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  entry,
  eventually,
  isOn,
  withNodeAndPeer,
  withRedis,
  type Peer,
} from '../helpers/cluster.js';
import { TestClient, type TestServer } from '../helpers/irc.js';
import { nickHeld, type TestRedis } from '../helpers/redis.js';

/**
 * Node a, with zed a user of the scripted peer p as a sees it, whose claim p has just given back
 * without telling (its leave is on the way, or lost); `fn` runs, then all stop.
 */
async function withLeavingZed(
  redis: TestRedis,
  fn: (a: TestServer, p: Peer, c: TestClient) => Promise<void>,
): Promise<void> {
  await withNodeAndPeer(redis, async (a, p) => {
    const c = await TestClient.register(a.port, 'cleo', [], false);
    try {
      assert.equal(await p.bus.claim('zed', entry('zed')), true);
      p.bus.announce({ t: 'arrive', e: entry('zed') });
      await eventually(() => isOn(c, 'zed'), 'a holds zed of p');
      await p.bus.release('zed');
      await fn(a, p, c);
    } finally {
      c.destroy();
    }
  });
}

test('a nick given back on another node is granted here once the news of its leaving arrives', (t) =>
  withRedis(t, (redis) =>
    withLeavingZed(redis, async (a, p, c) => {
      c.send('NICK zed');
      setTimeout(
        () => p.bus.announce({ t: 'leave', node: 'p', nick: 'zed', reason: 'moved' }),
        300,
      );
      const m = await c.expect((m) => m.command === 'NICK' || m.command === '433', 5000);
      assert.equal(m.command, 'NICK', 'granted after the leave');
      assert.equal(m.params[0], 'zed');
      assert.equal(a.server.network.findUser('zed')?.remote, null, 'zed is a user of a now');
      assert.equal(await nickHeld(redis, 'zed'), true, 'and holds the claim');
    }),
  ));

test('a nick given back on another node whose leave never comes is refused after the wait, and given back', (t) =>
  withRedis(t, (redis) =>
    withLeavingZed(redis, async (a, _p, c) => {
      const asked = Date.now();
      const m = (await c.replies('NICK zed')).find(
        (r) => r.command === 'NICK' || r.command === '433',
      );
      assert.equal(m?.command, '433');
      assert.ok(Date.now() - asked >= 900, 'it waited for the news about a second first');
      assert.equal(a.server.network.findUser('zed')?.remote, 'p', 'the replica stays');
      assert.equal(await nickHeld(redis, 'zed'), false, 'the claim is given back');
    }),
  ));
