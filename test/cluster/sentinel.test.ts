// A cluster and its store behind Redis Sentinel (redis+sentinel://): two real nodes find the master through a real Sentinel, chat as one network, and follow a failover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, isOn } from '../helpers/cluster.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, startRedis, startSentinel } from '../helpers/redis.js';
import { startServe, type ServeProcess } from '../interop/serve.js';

const CAPS = ['echo-message', 'message-tags', 'server-time', 'batch', 'draft/chathistory'];

test('redis+sentinel://: two nodes find the master through Sentinel, for the cluster and the store', async (t) => {
  if (!haveRedis(t)) return;
  const master = await startRedis();
  const sentinel = await startSentinel(master);
  const nodes: ServeProcess[] = [];
  try {
    for (const id of ['n1', 'n2']) {
      const args = ['--flood', 'off', '--default-channel', '', '--db', sentinel.url];
      nodes.push(await startServe([...args, '--cluster', sentinel.url, '--node-id', id]));
    }
    const [a, b] = nodes;
    assert.match(a.stderr(), /redis\+sentinel:\/\/127\.0\.0\.1/);
    const alice = await TestClient.register(a.port, 'alice', CAPS, false);
    const bob = await TestClient.register(b.port, 'bob', CAPS, false);
    await eventually(() => isOn(alice, 'bob'), 'n1 knows bob');
    alice.send('PRIVMSG bob :through the master Sentinel named');
    await bob.expectCommand('PRIVMSG', 'bob', 'through the master Sentinel named');
    for (const c of [alice, bob]) await c.replies('JOIN #s');
    bob.send('PRIVMSG #s :in a channel');
    await alice.expectCommand('PRIVMSG', '#s', 'in a channel');
    // The store is that master too: history asked on the other node (bob's node writes it, a
    // moment after delivering it).
    await eventually(async () => {
      const got = await alice.replies('CHATHISTORY LATEST #s * 10');
      return got.some((m) => m.command === 'PRIVMSG' && m.params[1] === 'in a channel');
    }, 'the message in history, seen from n1');
    for (const c of [alice, bob]) c.destroy();
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await sentinel.stop();
    await master.stop();
  }
});

test('a Sentinel failover: the master killed, the replica promoted, the nodes follow it and chat again', async (t) => {
  if (!haveRedis(t)) return;
  const master = await startRedis();
  const replica = await startRedis(undefined, master);
  const sentinel = await startSentinel(master);
  const nodes: ServeProcess[] = [];
  try {
    for (const id of ['n1', 'n2']) {
      const args = ['--flood', 'off', '--default-channel', '', '--db', 'off'];
      nodes.push(await startServe([...args, '--cluster', sentinel.url, '--node-id', id]));
    }
    const [a, b] = nodes;
    const alice = await TestClient.register(a.port, 'alice', [], false);
    const bob = await TestClient.register(b.port, 'bob', [], false);
    await eventually(() => isOn(alice, 'bob'), 'n1 knows bob');
    await master.stop();
    await alice.expect((m) => m.command === 'NOTICE' && /degraded/.test(m.params[1]), 10_000);
    await alice.expect((m) => m.command === 'NOTICE' && /whole again/.test(m.params[1]), 30_000);
    await eventually(() => isOn(alice, 'bob'), 'n1 knows bob again', 10_000);
    alice.send('PRIVMSG bob :after the failover');
    await bob.expectCommand('PRIVMSG', 'bob', 'after the failover');
    for (const c of [alice, bob]) c.destroy();
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await sentinel.stop();
    await replica.stop();
    await master.stop();
  }
});
