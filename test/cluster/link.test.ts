// ClusterLink (cluster.ts) with two nodes in this process through a real redis-server: nicks claimed network-wide, users' news carried, private messages between nodes, unregistered counts, Redis's restart, and a new user while Redis is away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/index.js';
import { inProcessNode, isOn, names, withNodes } from '../helpers/cluster.js';
import { eventually } from '../helpers/eventually.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, startRedis } from '../helpers/redis.js';

/** The first reply `c` gets to registering as `nick` (001 when welcomed). */
async function tryNick(port: number, nick: string): Promise<{ c: TestClient; code: string }> {
  const c = await TestClient.attempt(port, nick);
  const m = await c.expect((x) => x.command === '001' || x.command === '433');
  return { c, code: m.command };
}

test('two nodes in one process: one nick per network, news of users and private messages carried', async (t) => {
  if (!haveRedis(t)) return;
  await withNodes(
    2,
    async ([n1, n2]) => {
      const alice = await TestClient.register(n1.port, 'alice', [], false);
      alice.send('MONITOR + bob');
      await alice.sync();
      const bob = await TestClient.register(n2.port, 'bob', [], false);
      await alice.expectCommand('730');
      assert.equal(n1.server.cluster?.find('bob')?.remote, 'n2');
      assert.equal(
        n1.server.cluster?.find('alice'),
        undefined,
        'a user of this node is not "another node\'s"',
      );

      // A nick held on the other node is refused here; a free one is welcomed.
      const taken = await tryNick(n2.port, 'ALICE');
      assert.equal(taken.code, '433');
      taken.c.destroy();

      // An unregistered connection on n2 is counted on n1 too.
      const lurker = await TestClient.connect(n2.port);
      await eventually(
        () => n1.server.network.census.networkUnregistered === 1,
        'n1 counts n2 unregistered connection',
      );
      lurker.destroy();
      await eventually(() => n1.server.network.census.networkUnregistered === 0, 'and its going');

      alice.send('JOIN #c');
      await alice.sync();
      bob.send('JOIN #c');
      await alice.expect((m) => m.command === 'JOIN' && m.source?.startsWith('bob!') === true);

      // Renames: the old nick is free at once on either node; a change of case keeps the claim.
      bob.send('NICK bobby');
      await alice.expectCommand('NICK', 'bobby');
      const reuse = await tryNick(n1.port, 'bob');
      assert.equal(reuse.code, '001', 'the old nick was given back');
      bob.send('NICK Bobby');
      await alice.expectCommand('NICK', 'Bobby');
      const still = await tryNick(n1.port, 'bobby');
      assert.equal(still.code, '433', 'a change of case keeps the nick claimed');
      still.c.destroy();

      // Private messages cross nodes with the sender's own prefix, and show on the recipient's console.
      bob.send('PRIVMSG alice :hello from n2');
      const pm = await alice.expectCommand('PRIVMSG', 'alice', 'hello from n2');
      assert.match(pm.source ?? '', /^Bobby!/);
      await eventually(
        async () => (await n1.console()).some((l) => l.includes('hello from n2')),
        "n1's console shows the message",
      );

      // A QUIT is news everywhere, and its nick free at once through the other node.
      bob.send('QUIT :done here');
      const quit = await alice.expect(
        (m) => m.command === 'QUIT' && m.source?.startsWith('Bobby!') === true,
      );
      assert.match(quit.params[0], /done here/);
      const back = await tryNick(n1.port, 'Bobby');
      assert.equal(back.code, '001');
      for (const c of [alice, reuse.c, back.c]) c.destroy();
    },
    {},
    new MemoryStore(true),
  );
});

test('Redis restarted under two nodes in one process: each says so, claims its users again, and is whole after', async (t) => {
  if (!haveRedis(t)) return;
  let redis = await startRedis();
  const store = new MemoryStore(true);
  const n1 = await inProcessNode(redis, store, 'n1');
  const n2 = await inProcessNode(redis, store, 'n2');
  try {
    const alice = await TestClient.register(n1.port, 'alice', [], false);
    const bob = await TestClient.register(n2.port, 'bob', [], false);
    alice.send('JOIN #c');
    await alice.sync();
    bob.send('JOIN #c');
    await alice.expect((m) => m.command === 'JOIN' && m.source?.startsWith('bob!') === true);

    const port = redis.port;
    await redis.stop();
    await alice.expect((m) => m.command === 'NOTICE' && /degraded/.test(m.params[1]), 10_000);
    assert.equal(n1.server.cluster?.reachable, false);
    // While apart, a nick only the other node holds is still refused here (its replica stays).
    const apart = await tryNick(n1.port, 'bob');
    assert.equal(apart.code, '433');
    apart.c.destroy();

    redis = await startRedis(port); // empty: the nodes claim their users again
    await alice.expect((m) => m.command === 'NOTICE' && /whole again/.test(m.params[1]), 20_000);
    await eventually(() => isOn(bob, 'alice'), 'n2 still knows alice', 10_000);
    assert.equal((await bob.replies('NICK alice'))[0]?.command, '433', 'claimed again');
    alice.send('PRIVMSG #c :after the restart');
    await bob.expectCommand('PRIVMSG', '#c', 'after the restart');
    for (const c of [alice, bob]) c.destroy();
  } finally {
    await n1.stop();
    await n2.stop();
    await redis.stop();
  }
});

test('with Redis away a new user is still welcomed, told the default channel cannot be joined now, and joined to it when Redis is back', async (t) => {
  if (!haveRedis(t)) return;
  let redis = await startRedis();
  const n1 = await inProcessNode(redis, null, 'n1', { defaultChannel: '#lobby' });
  try {
    const dave = await TestClient.register(n1.port, 'dave', [], false);
    await dave.expect((m) => m.command === 'JOIN' && m.params[0] === '#lobby', 5000, 'JOIN');
    await redis.stop();
    await dave.expect((m) => m.command === 'NOTICE' && /degraded/.test(m.params[1]), 10_000);
    const erin = await TestClient.register(n1.port, 'erin', [], false);
    const fail = await erin.expect((m) => m.command === 'FAIL', 5000, 'FAIL');
    assert.deepEqual(fail.params.slice(0, 2), ['JOIN', 'CLUSTER_DEGRADED']);
    assert.match(fail.params[2], /channels cannot change .*; you will be joined to #lobby then$/);
    await erin.sync();
    assert.equal(erin.all('JOIN').length, 0, 'not in #lobby');
    // A user who comes and goes meanwhile is not joined to anything later.
    const gone = await TestClient.register(n1.port, 'gone', [], false);
    await gone.quit();
    // Redis back: erin is joined to #lobby as a new user would be, and dave sees it.
    redis = await startRedis(redis.port);
    await erin.expect((m) => m.command === 'NOTICE' && /whole again/.test(m.params[1]), 20_000);
    await erin.expect((m) => m.command === 'JOIN' && m.params[0] === '#lobby', 5000, 'JOIN');
    await dave.expect((m) => m.command === 'JOIN' && m.source?.startsWith('erin!') === true);
    assert.deepEqual(await names(dave, '#lobby'), ['@dave', 'erin']);
    for (const c of [dave, erin]) c.destroy();
  } finally {
    await n1.stop();
    await redis.stop();
  }
});
