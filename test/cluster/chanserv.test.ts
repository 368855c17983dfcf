// ChanServ across cluster nodes in this process sharing one Redis store: a channel registered on one node has the same founder on every node, and on a node that starts later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loggedIn, makeAccount } from '../helpers/accounts.js';
import { eventually } from '../helpers/eventually.js';
import { inProcessNode } from '../helpers/cluster.js';
import { TestClient, type TestServer } from '../helpers/irc.js';
import { haveRedis, nickHeld, startRedis } from '../helpers/redis.js';

/** ChanServ's NOTICEs to `c` in answer to `text`. */
async function ask(c: TestClient, text: string): Promise<string[]> {
  const got = await c.replies(`PRIVMSG ChanServ :${text}`);
  return got.filter((m) => m.command === 'NOTICE').map((m) => m.params[1]);
}

test('ChanServ across nodes: REGISTER on one node, the founder everywhere (a late node too), DROP from another', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const node = (id: string) => inProcessNode(redis, 'redis', id);
  const nodes: TestServer[] = [];
  try {
    const a = await node('n1');
    nodes.push(a);
    const b = await node('n2');
    nodes.push(b);
    await makeAccount(a.port, 'alice', 'correct-horse-battery');
    await eventually(async () => !(await nickHeld(redis, 'alice')), 'n1 freed alice');
    const alice = await loggedIn(a.port, 'alice', 'correct-horse-battery', []);
    const bob = await TestClient.register(b.port, 'bob', [], false);
    await alice.replies('JOIN #reg');
    const answer = await ask(alice, 'REGISTER #reg');
    assert.deepEqual(answer, ['#reg is registered to you: it keeps its topic and modes']);
    assert.match((await ask(bob, 'INFO #reg')).join(' '), /#reg: founder alice/);

    // Empty, it stays on every node; its founder (logging in on the other node) is its operator.
    await alice.replies('PART #reg');
    alice.destroy();
    bob.send('JOIN #reg');
    const names = await bob.expect((m) => m.command === '353');
    assert.equal(names.params[3], 'bob', 'bob is no operator of a registered channel');
    await eventually(async () => !(await nickHeld(redis, 'alice')), 'alice gone');
    const back = await loggedIn(b.port, 'alice', 'correct-horse-battery', []);
    await back.replies('JOIN #reg');
    await bob.expect((m) => m.command === 'JOIN' && m.source?.startsWith('alice!') === true);
    const list = (await bob.replies('NAMES #reg')).find((m) => m.command === '353');
    assert.deepEqual(list?.params[3].split(' ').sort(), ['@alice', 'bob']);

    // A node that starts now holds the same founder.
    const c = await node('n3');
    nodes.push(c);
    const carol = await TestClient.register(c.port, 'carol', [], false);
    assert.match((await ask(carol, 'INFO #reg')).join(' '), /#reg: founder alice/);
    assert.deepEqual(await ask(carol, 'DROP #reg'), ['Only the founder of #reg may drop it']);
    assert.deepEqual(await ask(back, 'DROP #reg'), ['#reg is no longer registered']);
    for (const who of [bob, carol]) {
      assert.deepEqual(await ask(who, 'INFO #reg'), ['#reg is not registered']);
    }
    for (const x of [bob, back, carol]) x.destroy();
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  }
});
