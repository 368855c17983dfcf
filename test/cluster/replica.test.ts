// The network's order (replica.ts) with two nodes in this process joined through a real redis-server: which commands go through it, pipelining and its window, replies kept in order, and the refusals while Redis is away.
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, isParseError, type Message } from '../../src/protocol/index.js';
import { flowStats } from '../../src/server/flow.js';
import { isLogged } from '../../src/server/replica.js';
import { MemoryStore } from '../../src/store/index.js';
import { inProcessNode, withNodes } from '../helpers/cluster.js';
import { eventually } from '../helpers/eventually.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, startRedis } from '../helpers/redis.js';

function logged(line: string): boolean {
  const m = parse(line);
  assert.ok(!isParseError(m), line);
  return isLogged(m as Message);
}

test('what goes through the order: shared-state commands always, messages when a target is a channel', () => {
  for (const line of [
    'JOIN #c',
    'PART #c',
    'KICK #c bob',
    'TOPIC #c',
    'INVITE bob #c',
    'MODE #c +m',
  ]) {
    assert.equal(logged(line), true, line);
  }
  for (const line of [
    'AWAY :x',
    'SETNAME :x',
    'RENAME #a #b',
    'KNOCK #c',
    'KILL bob :x',
    'WALLOPS :x',
    'LUSERS',
  ]) {
    assert.equal(logged(line), true, line);
  }
  for (const line of [
    'PRIVMSG #c :x',
    'NOTICE #c :x',
    'TAGMSG #c',
    'PRIVMSG @#c :x',
    'PRIVMSG +#c :x',
  ]) {
    assert.equal(logged(line), true, line);
  }
  for (const line of [
    'PRIVMSG @+#c :x',
    'PRIVMSG bob,#c :x',
    'PRIVMSG ,#c :x',
    'PRIVMSG bob,@#c :x',
    'PRIVMSG #c,bob :x',
  ]) {
    assert.equal(logged(line), true, line);
  }
  for (const line of [
    'PRIVMSG bob :x',
    'NOTICE bob,carol :x',
    'TAGMSG bob',
    'PRIVMSG',
    'PRIVMSG bob, :x',
  ]) {
    assert.equal(logged(line), false, line);
  }
  for (const line of [
    'PRIVMSG @bob :x',
    'PRIVMSG b#c :x',
    'PING x',
    'WHOIS bob',
    'NAMES #c',
    'NICK x',
    'QUIT',
  ]) {
    assert.equal(logged(line), false, line);
  }
});

test('two nodes in one process: commands pipelined through the order, within the window, replies in order', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const store = new MemoryStore(true);
  const n1 = await inProcessNode(redis, store, 'n1');
  const n2 = await inProcessNode(redis, store, 'n2');
  const clients: TestClient[] = [];
  try {
    const caps = ['labeled-response', 'batch', 'message-tags', 'echo-message', 'draft/multiline'];
    const alice = await TestClient.register(n1.port, 'alice', caps, false);
    const bob = await TestClient.register(n2.port, 'bob', ['message-tags'], false);
    const carol = await TestClient.register(n1.port, 'carol', [], false);
    clients.push(alice, bob, carol);

    // A join and a listing in one write: the listing waits until the join came back.
    alice.socket.write('JOIN #c\r\nNAMES #c\r\n');
    const names = await alice.expectCommand('353');
    assert.equal(names.params[3], '@alice');
    bob.send('JOIN #c');
    carol.send('JOIN #c');
    await alice.expect((m) => m.command === 'JOIN' && m.source?.startsWith('bob!') === true);
    await alice.expect((m) => m.command === 'JOIN' && m.source?.startsWith('carol!') === true);

    // A label is answered on the origin only; the change reaches the other node unlabelled.
    alice.send('@label=L1 TOPIC #c :first');
    const topic = await alice.expectCommand('TOPIC', '#c', 'first');
    assert.equal(topic.tags?.get('label'), 'L1');
    const there = await bob.expectCommand('TOPIC', '#c', 'first');
    assert.equal(there.tags?.get('label'), undefined);
    // A reply that does not change anything keeps its place behind the changes before it.
    const from = alice.received.length;
    alice.socket.write('TOPIC #c :second\r\nTOPIC #c :third\r\nPING :after\r\n');
    await alice.expect((m) => m.command === 'PONG' && m.params[1] === 'after');
    assert.deepEqual(
      alice.received.slice(from).map((r) => r.msg.params.at(-1)),
      ['second', 'third', 'after'],
      'the PONG waits for every change before it, not just the first',
    );

    // Client tags travel with a channel message to the other node; a message without them has none.
    alice.send('@+t=v PRIVMSG #c :tagged');
    const echo = await alice.expectCommand('PRIVMSG', '#c', 'tagged');
    assert.equal(echo.tags?.get('+t'), 'v', 'the echo, from the order, keeps them');
    assert.equal((await bob.expectCommand('PRIVMSG', '#c', 'tagged')).tags?.get('+t'), 'v');
    bob.send('PRIVMSG #c :plain');
    await alice.expectCommand('PRIVMSG', '#c', 'plain');
    await carol.expectCommand('PRIVMSG', '#c', 'plain');
    const raw = alice.received.find(
      (r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'plain',
    )!.raw;
    assert.deepEqual([...(parse(raw) as Message).tags!.keys()].sort(), ['msgid', 'time']);
    assert.ok(!raw.includes('; '), `no empty tag list: ${raw}`);

    // A burst of 300 lines in one write: at most 64 in flight, all delivered on both nodes, in order.
    const client = n1.server.network.findUser('alice')!.client;
    const heldBefore = flowStats.held;
    let most = 0;
    let watching = true;
    const until = Date.now() + 30_000;
    const watch = () => {
      most = Math.max(most, client.inflight);
      if (watching && Date.now() < until) setImmediate(watch); // bounded, should the test fail
    };
    watch();
    const lines = Array.from({ length: 300 }, (_, k) => `PRIVMSG #c :burst ${k}`);
    const start = [bob, carol].map((c) => c.received.length);
    alice.socket.write(lines.join('\r\n') + '\r\n');
    for (const [k, c] of [bob, carol].entries()) {
      await eventually(() => c.all('PRIVMSG', start[k]).length >= 300, 'the whole burst', 15000);
      assert.deepEqual(
        c.all('PRIVMSG', start[k]).map((m) => m.params[1]),
        lines.map((l) => l.slice('PRIVMSG #c :'.length)),
      );
    }
    await alice.sync();
    watching = false;
    assert.ok(most <= 64 && most >= 32, `in flight at once: ${most}`);
    assert.equal(client.inflight, 0);
    assert.equal(client.windowFull, false);
    assert.equal(client.conn.flow?.blockers ?? 0, 0, 'read again once the order carried it back');
    // Held when the window filled, let go when half of it came back: a few holds, not one per line.
    const holds = flowStats.held - heldBefore;
    assert.ok(holds >= 1 && holds <= 12, `holds for 300 lines: ${holds}`);

    // A multiline batch goes through the order as one message, to the channel and to bob on n2.
    for (const target of ['#c', 'bob']) {
      alice.send(`BATCH +ml draft/multiline ${target}`);
      alice.send(`@batch=ml PRIVMSG ${target} :line one`);
      alice.send(`@batch=ml PRIVMSG ${target} :line two`);
      alice.send('BATCH -ml');
      await bob.expectCommand('PRIVMSG', target, 'line one');
      await bob.expectCommand('PRIVMSG', target, 'line two');
    }
    await carol.expectCommand('PRIVMSG', '#c', 'line two');
    await bob.sync();
    assert.equal(
      bob.all('PRIVMSG').filter((m) => m.params[0] === 'bob').length,
      2,
      'delivered once',
    );
    // A channel and a user of the other node as targets of one line: through the order, each once.
    alice.send('PRIVMSG #c,bob :mixed');
    await bob.expectCommand('PRIVMSG', 'bob', 'mixed');
    await bob.sync();
    assert.deepEqual(
      bob
        .all('PRIVMSG')
        .filter((m) => m.params[1] === 'mixed')
        .map((m) => m.params[0]),
      ['#c', 'bob'],
    );

    // Redis gone: a change is refused on its origin, a message still reaches this node's members.
    await redis.stop();
    await eventually(() => n1.server.cluster?.reachable === false, 'n1 sees Redis gone');
    alice.send('JOIN #elsewhere');
    const fail = await alice.expectCommand('FAIL', 'JOIN', 'CLUSTER_DEGRADED');
    assert.match(fail.params[2], /channels cannot change/);
    alice.send('PRIVMSG #c :while split');
    await carol.expectCommand('PRIVMSG', '#c', 'while split');
    await alice.sync();
    await bob.sync();
    assert.equal(
      bob.all('PRIVMSG').some((m) => m.params[1] === 'while split'),
      false,
      'nothing crosses while Redis is away',
    );
  } finally {
    for (const c of clients) c.destroy();
    await n1.stop();
    await n2.stop();
    await redis.stop();
  }
});

test('the default channel is joined through the order: the other node sees the arrival', async (t) => {
  if (!haveRedis(t)) return;
  const lobby = { defaultChannel: '#lobby' };
  await withNodes(
    2,
    async ([n1, n2]) => {
      const bob = await TestClient.register(n2.port, 'bob', [], true);
      const alice = await TestClient.register(n1.port, 'alice', [], true);
      const join = await bob.expect(
        (m) => m.command === 'JOIN' && m.source?.startsWith('alice!') === true,
      );
      assert.equal(join.params[0], '#lobby');
      const names = await alice.replies('NAMES #lobby');
      assert.match(names.find((m) => m.command === '353')?.params[3] ?? '', /bob/);
      for (const c of [alice, bob]) c.destroy();
    },
    lobby,
    new MemoryStore(true),
  );
});

test('a command in flight when the link to Redis breaks is answered with FAIL, never left hanging', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(redis.port), ...args]);
  const store = new MemoryStore(true);
  const n1 = await inProcessNode(redis, store, 'n1');
  const n2 = await inProcessNode(redis, store, 'n2');
  let alice: TestClient | null = null;
  try {
    alice = await TestClient.register(n1.port, 'alice', [], false);
    // Redis holds every write (the order's script, PUBLISH) but still answers CLIENT KILL.
    cli('CLIENT', 'PAUSE', '10000', 'WRITE');
    alice.send('JOIN #stuck');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(alice.all('JOIN').length, 0, 'not carried out while Redis holds it');
    cli('CLIENT', 'KILL', 'TYPE', 'normal');
    cli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    const fail = await alice.expectCommand('FAIL', 'JOIN', 'CLUSTER_DEGRADED');
    assert.match(
      fail.params[2],
      /^The link to the network broke before this command was confirmed/,
    );
    cli('CLIENT', 'UNPAUSE');
    // The client goes on: its next lines are read and answered.
    await alice.sync();
  } finally {
    alice?.destroy();
    await n1.stop();
    await n2.stop();
    await redis.stop();
  }
});
