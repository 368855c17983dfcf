// What a node does with another node's news, sent by a scripted peer on a real bus: a hold on one of its senders (flow), that node's count of unregistered connections, and that node gone or Redis lost, which end both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entry, eventually, inProcessNode, isOn, sleep, startPeer } from '../helpers/cluster.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, startRedis } from '../helpers/redis.js';

/** LUSERS's count of unknown connections (253) as `c` is told it; 0 when there is no 253. */
async function unknownCount(c: TestClient): Promise<number> {
  const m = (await c.replies('LUSERS')).find((r) => r.command === '253');
  return m === undefined ? 0 : Number(m.params[1]);
}

test("another node's holds, counts and users end when that node is gone, and its holds when Redis is", async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const a = await inProcessNode(redis, null, 'a');
  const p = await startPeer(redis, 'p');
  const cleo = await TestClient.register(a.port, 'cleo', [], false);
  const bob = await TestClient.register(a.port, 'bob', [], false);
  try {
    /** cleo writes `text` to bob: whether bob has it within `ms`. */
    const passes = async (text: string, ms = 300): Promise<boolean> => {
      cleo.send(`PRIVMSG bob :${text}`);
      return bob
        .expect((m) => m.command === 'PRIVMSG' && m.params[1] === text, ms, text)
        .then(
          () => true,
          () => false,
        );
    };
    /** How many nodes hold cleo back, as her connection counts them. */
    const blockers = () => a.server.network.findUser('cleo')?.client.conn.flow?.blockers ?? 0;
    assert.equal(await passes('before any hold'), true);

    // p's reader is over the mark for cleo: a stops reading her until p lets her go.
    p.bus.sendTo('a', { t: 'flow', node: 'p', nick: 'cleo', on: true });
    await p.bus.handedOver();
    await sleep(100);
    assert.equal(await passes('held by p'), false, 'not read while p holds cleo');
    p.bus.sendTo('a', { t: 'flow', node: 'p', nick: 'cleo', on: false });
    await bob.expectCommand('PRIVMSG', 'bob', 'held by p');

    // p has a user and unregistered connections; it holds cleo again, then is found gone.
    p.bus.announce({ t: 'arrive', e: entry('zed') });
    p.bus.announce({ t: 'unknown', node: 'p', n: 4 });
    p.bus.sendTo('a', { t: 'flow', node: 'p', nick: 'cleo', on: true });
    await eventually(async () => (await unknownCount(bob)) === 4, "p's 4 unknown connections");
    assert.equal(await isOn(bob, 'zed'), true);
    assert.equal(await passes('held again'), false);
    p.bus.announce({ t: 'gone', node: 'p' });
    await eventually(() => a.server.network.findUser('zed') === undefined, 'p is gone');
    assert.equal(blockers(), 0, 'its hold too, at once (not when the hold expires)');
    await bob.expectCommand('PRIVMSG', 'bob', 'held again');
    assert.equal(await isOn(bob, 'zed'), false, "p's users go with it");
    assert.equal(await unknownCount(bob), 0, 'and its count');

    // Held once more, then Redis goes: nobody can let cleo go, so the hold ends here.
    p.bus.sendTo('a', { t: 'flow', node: 'p', nick: 'cleo', on: true });
    await p.bus.handedOver();
    await sleep(100);
    assert.equal(await passes('held until Redis goes'), false);
    await redis.stop();
    await cleo.expect((m) => m.command === 'NOTICE' && /degraded/.test(m.params[1]), 10_000);
    assert.equal(blockers(), 0, 'the hold ends as Redis goes');
    await bob.expect(
      (m) => m.command === 'PRIVMSG' && m.params[1] === 'held until Redis goes',
      10_000,
    );
    for (const c of [cleo, bob]) c.destroy();
  } finally {
    await p.close();
    await a.stop();
    await redis.stop();
  }
});
