// Flow control across real cluster nodes: a burst to a channel is paced by its readers on every node; a reader who keeps reading is never cut, a stalled one is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blast, readInBursts, receivedInOrder } from '../helpers/blast.js';
import { eventually } from '../helpers/eventually.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, startRedis } from '../helpers/redis.js';
import { startServe } from '../interop/serve.js';

// A 4 MiB cap: the hold crosses Redis and leaves some overshoot (with the default 1 MiB, bob is
// still cut in about one run of three: see the closing note of this work); the burst (13.5 MB)
// is still well past it, so the reader who stopped is cut.
const ARGS = ['--db', 'off', '--flood', 'off', '--default-channel', '', '--sendq', '4m'];

test('a burst across nodes: a reader on the other node who reads in bursts sets the pace and gets every line in order, the stalled one is cut, the sender is not', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const node = (id: string) => startServe([...ARGS, '--cluster', redis.url, '--node-id', id]);
  const a = await node('n1');
  const b = await node('n2');
  const clients: TestClient[] = [];
  let stopBursts = () => {};
  try {
    const alice = await TestClient.register(a.port, 'alice', [], false);
    const dave = await TestClient.register(a.port, 'dave', [], false);
    const bob = await TestClient.register(b.port, 'bob', [], false);
    const carol = await TestClient.register(b.port, 'carol', [], false);
    clients.push(alice, dave, bob, carol);
    for (const c of clients) await c.replies('JOIN #f');
    await eventually(
      async () => (await alice.replies('NAMES #f')).some((m) => /carol/.test(m.params[3] ?? '')),
      'all four in #f on n1',
    );
    carol.socket.pause(); // connected, reading nothing
    // He sets the pace, through alice's node.
    stopBursts = readInBursts(bob, 150);
    const lines = 30_000;
    const started = Date.now();
    await blast(alice, '#f', lines);
    await Promise.all([receivedInOrder(bob, lines), receivedInOrder(dave, lines)]);
    const ms = Date.now() - started;
    stopBursts();
    const quits = bob.all('QUIT').filter((m) => m.source?.startsWith('carol!') === true);
    assert.deepEqual(
      quits.map((m) => m.params[0]),
      ['SendQ exceeded'],
    );
    assert.equal(bob.all('ERROR').length + dave.all('ERROR').length + alice.all('ERROR').length, 0);
    await alice.sync();
    t.diagnostic(`30,000 lines through two nodes in ${ms} ms`);
  } finally {
    stopBursts();
    for (const c of clients) c.destroy();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
});
