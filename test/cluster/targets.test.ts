// One line to a channel and to nicks across two real nodes (it runs on every node, in the network's order): each recipient gets it once, its history is kept, an offline account's copy is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loggedIn, makeAccount } from '../helpers/accounts.js';
import { eventually, sharedStoreNode, sleep } from '../helpers/cluster.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, nickHeld, startRedis } from '../helpers/redis.js';
import { startServe } from '../interop/serve.js';

const CAPS = ['server-time', 'message-tags', 'batch', 'draft/chathistory'];

test('a line to a channel, a user of the other node and an offline account: delivered once, kept, stored for later', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const a = await startServe(sharedStoreNode(redis, 'n1'));
  const b = await startServe(sharedStoreNode(redis, 'n2'));
  try {
    await makeAccount(a.port, 'dana', 'correct-horse-battery');
    await eventually(async () => !(await nickHeld(redis, 'dana')), 'n1 freed dana');
    const ann = await TestClient.register(a.port, 'ann', CAPS, false);
    const bob = await TestClient.register(b.port, 'bob', CAPS, false);
    const cy = await TestClient.register(b.port, 'cy', CAPS, false);
    cy.send('JOIN #t');
    await cy.expect((m) => m.command === '366');
    ann.send('JOIN #t');
    await cy.expect((m) => m.command === 'JOIN' && m.source?.startsWith('ann!') === true);
    const answer = await ann.replies('PRIVMSG #t,bob,dana,nobody :hello all');
    assert.deepEqual(
      answer.filter((m) => /^\d{3}$/.test(m.command)).map((m) => `${m.command} ${m.params[1]}`),
      ['401 nobody'],
      'only the nick that is neither online nor an account is refused',
    );
    await cy.expect((m) => m.command === 'PRIVMSG' && m.params[0] === '#t');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[0] === 'bob');
    await sleep(200);
    await bob.sync();
    const copies = bob.received.filter((r) => r.msg.command === 'PRIVMSG');
    assert.equal(copies.length, 1, 'bob got the message once');
    // Kept once, by the sender's node: ann's conversation with bob, seen from either end.
    for (const [c, peer] of [
      [ann, 'bob'],
      [bob, 'ann'],
    ] as const) {
      await eventually(async () => {
        const got = await c.replies(`CHATHISTORY LATEST ${peer} * 10`);
        return (
          got.filter((m) => m.command === 'PRIVMSG' && m.params[1] === 'hello all').length === 1
        );
      }, `${c.nick}'s history with ${peer}`);
    }
    // dana was offline: her copy waits for her login, on either node.
    const dana = await loggedIn(b.port, 'dana', 'correct-horse-battery', CAPS);
    await dana.expect(
      (m) => m.command === 'PRIVMSG' && m.params[1] === 'hello all',
      5000,
      'the stored copy',
    );
    for (const c of [ann, bob, cy, dana]) c.destroy();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
});
