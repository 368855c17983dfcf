// draft/message-redaction across cluster nodes in this process sharing one Redis store: a message taken back on one node leaves every node's members' view and history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/eventually.js';
import { inProcessNode } from '../helpers/cluster.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, startRedis } from '../helpers/redis.js';

const CAPS = [
  'message-tags',
  'echo-message',
  'batch',
  'labeled-response',
  'draft/message-redaction',
  'draft/chathistory',
  'server-time',
];

test('REDACT across nodes: in a channel and privately, answered once, gone from history on both nodes', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const a = await inProcessNode(redis, 'redis', 'n1');
  const b = await inProcessNode(redis, 'redis', 'n2');
  try {
    const alice = await TestClient.register(a.port, 'alice', CAPS, false);
    const bob = await TestClient.register(b.port, 'bob', CAPS, false);
    const carol = await TestClient.register(b.port, 'carol', ['message-tags'], false);
    for (const c of [alice, bob, carol]) await c.replies('JOIN #r');
    await eventually(
      async () => (await alice.replies('NAMES #r')).some((m) => /carol/.test(m.params[3] ?? '')),
      'all three in #r on n1',
    );

    // Her own channel message, taken back by its sender on n1.
    alice.send('PRIVMSG #r :oops');
    const sent = await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'oops');
    const id = sent.tags!.get('msgid')!;
    alice.send(`REDACT #r ${id} :typo`);
    const mine = await alice.expect((m) => m.command === 'REDACT' || m.command === 'FAIL');
    assert.deepEqual([mine.command, ...mine.params], ['REDACT', '#r', id, 'typo']);
    const seen = await bob.expect((m) => m.command === 'REDACT');
    assert.equal(seen.source?.split('!')[0], 'alice');
    assert.deepEqual(seen.params, ['#r', id, 'typo']);
    // Gone from history, asked on either node.
    for (const c of [alice, bob]) {
      const got = await c.replies('CHATHISTORY LATEST #r * 10');
      assert.ok(!got.some((m) => m.command === 'PRIVMSG' && m.params[1] === 'oops'));
    }

    // Someone else's, refused once (bob on n2 is no operator of #r).
    alice.send('PRIVMSG #r :keep this');
    const kept = await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'keep this');
    const keptId = kept.tags!.get('msgid')!;
    const refused = await bob.replies(`REDACT #r ${keptId}`);
    assert.deepEqual(
      refused.filter((m) => m.command === 'FAIL').map((m) => m.params[1]),
      ['REDACT_FORBIDDEN'],
    );
    // ...but an operator (alice, on the other node) may: carol (no cap) sees nothing of it.
    alice.send(`@label=x REDACT #r ${keptId}`);
    await alice.expect((m) => m.command === 'REDACT' && m.tags?.get('label') === 'x');
    await bob.expect((m) => m.command === 'REDACT' && m.params[1] === keptId);

    // A private message between nodes, taken back by its sender on n2.
    bob.send('PRIVMSG alice :secret');
    const dm = await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'secret');
    const dmId = dm.tags!.get('msgid')!;
    bob.send(`REDACT alice ${dmId}`);
    await bob.expect((m) => m.command === 'REDACT' && m.params[1] === dmId);
    await alice.expect((m) => m.command === 'REDACT' && m.params[1] === dmId);
    const dmHistory = await alice.replies('CHATHISTORY LATEST bob * 10');
    assert.ok(!dmHistory.some((m) => m.command === 'PRIVMSG' && m.params[1] === 'secret'));

    const unknown = await alice.replies('REDACT #r nosuchmsgid');
    assert.deepEqual(
      unknown.filter((m) => m.command === 'FAIL').map((m) => m.params[1]),
      ['UNKNOWN_MSGID'],
    );
    assert.ok(!carol.all('REDACT').length, 'carol has no draft/message-redaction');
    for (const c of [alice, bob, carol]) c.destroy();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
});
