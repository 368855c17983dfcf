// Channels across cluster nodes joined through a real redis-server: shared members, modes and topics, one order for concurrent senders, a node that starts late (in this process, where coverage sees them); a Redis restart under `parley serve` nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleShows, eventually, inProcessNode, names, withNodes } from '../helpers/cluster.js';
import { TestClient } from '../helpers/irc.js';
import type { TestServer } from '../helpers/irc.js';
import { haveRedis, startRedis, type TestRedis } from '../helpers/redis.js';
import { startServe, type ServeProcess } from '../interop/serve.js';

const ARGS = ['--db', 'off', '--flood', 'off', '--default-channel', ''];
const CAPS = ['echo-message', 'message-tags', 'server-time', 'multi-prefix'];

function node(redis: TestRedis, id: string): Promise<ServeProcess> {
  return startServe([...ARGS, '--cluster', redis.url, '--node-id', id]);
}

const joined = (c: TestClient, nick: string, channel: string) =>
  c.expect(
    (m) =>
      m.command === 'JOIN' && m.params[0] === channel && m.source?.startsWith(nick + '!') === true,
  );

test('a channel shared by two nodes: members, messages, topic, modes, kick and part as on one server', async (t) => {
  if (!haveRedis(t)) return;
  await withNodes(2, async ([a, b]) => {
    const alice = await TestClient.register(a.port, 'alice', CAPS, false);
    const bob = await TestClient.register(b.port, 'bob', CAPS, false);
    const carol = await TestClient.register(b.port, 'carol', CAPS, false);
    alice.send('JOIN #c');
    await joined(alice, 'alice', '#c');
    bob.send('JOIN #c');
    await joined(alice, 'bob', '#c'); // alice, on the other node, is told
    await joined(bob, 'bob', '#c');
    assert.deepEqual(
      await names(bob, '#c'),
      ['@alice', 'bob'],
      'the first member is op everywhere',
    );
    assert.deepEqual(await names(alice, '#c'), ['@alice', 'bob']);

    alice.send('PRIVMSG #c :hello from n1');
    const got = await bob.expectCommand('PRIVMSG', '#c');
    const echo = await alice.expectCommand('PRIVMSG', '#c');
    assert.equal(got.params[1], 'hello from n1');
    assert.equal(got.tags?.get('msgid'), echo.tags?.get('msgid'), 'one msgid on both nodes');
    assert.equal(got.tags?.get('time'), echo.tags?.get('time'), 'one server-time');
    bob.send('PRIVMSG #c :hello from n2');
    assert.equal((await alice.expectCommand('PRIVMSG', '#c')).params[1], 'hello from n2');

    // Topic and modes set on one node hold on the other.
    alice.send('TOPIC #c :shared topic');
    await bob.expect((m) => m.command === 'TOPIC' && m.params[1] === 'shared topic');
    const topic = await bob.replies('TOPIC #c');
    assert.equal(topic.find((m) => m.command === '332')?.params[2], 'shared topic');
    alice.send('MODE #c +mv bob');
    await bob.expect((m) => m.command === 'MODE' && m.params.join(' ') === '#c +mv bob');
    carol.send('JOIN #c');
    await joined(alice, 'carol', '#c');
    const refused = await carol.replies('PRIVMSG #c :may I?');
    assert.equal(refused[0]?.command, '404', '+m holds for a member of the other node');
    bob.send('PRIVMSG #c :voiced');
    assert.equal((await alice.expectCommand('PRIVMSG', '#c')).params[1], 'voiced');
    assert.deepEqual(await names(carol, '#c'), ['+bob', '@alice', 'carol']);
    // bob, not an operator, cannot change modes: the refusal reaches bob only.
    const denied = await bob.replies('MODE #c +o bob');
    assert.equal(denied[0]?.command, '482');

    // WHO and WHOIS show the other node's users, with their server.
    const who = await alice.replies('WHO #c');
    const bobLine = who.find((m) => m.command === '352' && m.params[5] === 'bob');
    assert.ok(bobLine, 'WHO lists bob');
    const whois = await alice.replies('WHOIS bob');
    const server = whois.find((m) => m.command === '312');
    assert.deepEqual(server?.params.slice(2), ['parley.local', 'node n2 of this network']);
    assert.match(whois.find((m) => m.command === '319')?.params[2] ?? '', /\+#c/);

    // A kick from n1 of a user of n2; a part on n2.
    alice.send('KICK #c carol :out');
    await carol.expect((m) => m.command === 'KICK' && m.params[1] === 'carol');
    await bob.expect((m) => m.command === 'KICK' && m.params[1] === 'carol');
    bob.send('PART #c :bye');
    await alice.expect((m) => m.command === 'PART' && m.source?.startsWith('bob!') === true);
    assert.deepEqual(await names(alice, '#c'), ['@alice']);
    assert.deepEqual(await names(bob, '#c'), ['@alice'], 'bob sees the channel from outside');

    // Both consoles show the channel's chat, by nick.
    await consoleShows(a, /#c <bob> hello from n2|bob.*hello from n2/);
    await consoleShows(b, /#c <alice> hello from n1|alice.*hello from n1/);

    // A user who quits on n2 leaves the channel on n1 with a QUIT.
    bob.send('JOIN #c');
    await joined(alice, 'bob', '#c');
    bob.destroy();
    await alice.expect((m) => m.command === 'QUIT' && m.source?.startsWith('bob!') === true);
    assert.deepEqual(await names(alice, '#c'), ['@alice']);
    for (const c of [alice, carol]) c.destroy();
  });
});

test('one order: concurrent senders on three nodes, every member sees the same sequence', async (t) => {
  if (!haveRedis(t)) return;
  await withNodes(3, async (nodes) => {
    const clients = await Promise.all(
      nodes.map((n, k) => TestClient.register(n.port, `u${k}`, CAPS, false)),
    );
    for (const c of clients) c.send('JOIN #order');
    for (const c of clients) {
      await eventually(async () => (await names(c, '#order')).length === 3, 'all three in #order');
    }
    const each = 150;
    for (const [k, c] of clients.entries()) {
      let burst = '';
      for (let i = 0; i < each; i++) burst += `PRIVMSG #order :${k}:${i}\r\n`;
      c.socket.write(burst);
    }
    const total = each * clients.length;
    const seen: string[][] = [];
    for (const c of clients) {
      const got: string[] = [];
      while (got.length < total) {
        const m = await c.expect(
          (x) => x.command === 'PRIVMSG' && x.params[0] === '#order',
          15_000,
        );
        got.push(`${m.params[1]} ${m.tags?.get('msgid')}`);
      }
      seen.push(got);
    }
    assert.deepEqual(seen[1], seen[0], 'n2 sees what n1 sees, in the same order');
    assert.deepEqual(seen[2], seen[0], 'n3 too');
    // Each sender's own lines keep their order.
    for (let k = 0; k < clients.length; k++) {
      const mine = seen[0].filter((l) => l.startsWith(`${k}:`)).map((l) => l.split(' ')[0]);
      assert.deepEqual(
        mine,
        Array.from({ length: each }, (_, i) => `${k}:${i}`),
      );
    }
    assert.equal(new Set(seen[0].map((l) => l.split(' ')[1])).size, total, 'msgids are unique');
    for (const c of clients) c.destroy();
  });
});

test('a node that starts late takes the channels as they are; the default channel spans nodes', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const lobby = { defaultChannel: '#lobby', largeChannel: 2 };
  const a = await inProcessNode(redis, null, 'n1', lobby);
  const nodes: TestServer[] = [a];
  try {
    const alice = await TestClient.register(a.port, 'alice', CAPS, false);
    await joined(alice, 'alice', '#lobby');
    alice.send('JOIN #late');
    alice.send('TOPIC #late :set before n2 started');
    alice.send('MODE #late +k sesame');
    await alice.expect((m) => m.command === 'MODE' && m.params[1] === '+k');
    // An invite made before n2 started is carol's there too (the snapshot carries it).
    const carol = await TestClient.register(a.port, 'carol', CAPS, false);
    await joined(carol, 'carol', '#lobby');
    await alice.replies('JOIN #inv');
    await alice.replies('MODE #inv +i');
    await alice.replies('INVITE carol #inv');
    // A large channel (+u): its operator is one in n2's snapshot too, its other members not.
    for (const c of [alice, carol]) await c.replies('JOIN #big');
    const b = await inProcessNode(redis, null, 'n2', lobby);
    nodes.push(b);
    const bob = await TestClient.register(b.port, 'bob', CAPS, false);
    await joined(bob, 'bob', '#lobby');
    await joined(alice, 'bob', '#lobby');
    assert.deepEqual(await names(bob, '#lobby'), ['@alice', 'bob', 'carol']);
    const refused = await bob.replies('JOIN #late');
    assert.equal(refused[0]?.command, '475', 'the key set before n2 started holds there');
    bob.send('JOIN #late sesame');
    const topic = await bob.expect((m) => m.command === '332');
    assert.equal(topic.params[2], 'set before n2 started');
    assert.deepEqual(await names(bob, '#late'), ['@alice', 'bob']);
    const big = (await bob.replies('JOIN #big')).find((m) => m.command === '353');
    assert.equal(big?.params[3], '@alice bob', 'a large channel shows its operator and bob');
    await carol.replies('JOIN #inv');
    await eventually(
      async () => (await names(bob, '#inv')).join(' ') === '@alice carol',
      'carol in #inv on n2, on the invite n2 was given in its snapshot',
    );
    for (const c of [alice, bob, carol]) c.destroy();
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  }
});

test('Redis restarted: channel changes wait, chat among local members goes on, then the channel is whole again', async (t) => {
  if (!haveRedis(t)) return;
  let redis = await startRedis();
  const a = await node(redis, 'n1');
  const b = await node(redis, 'n2');
  try {
    const alice = await TestClient.register(a.port, 'alice', CAPS, false);
    const carol = await TestClient.register(a.port, 'carol', CAPS, false);
    const bob = await TestClient.register(b.port, 'bob', CAPS, false);
    alice.send('JOIN #r'); // first, so the operator everywhere
    await joined(alice, 'alice', '#r');
    for (const c of [carol, bob]) c.send('JOIN #r');
    await eventually(async () => (await names(bob, '#r')).length === 3, 'all three in #r');

    const port = redis.port;
    await redis.stop();
    await alice.expect((m) => m.command === 'NOTICE' && /degraded/.test(m.params[1]), 10_000);
    alice.send('PRIVMSG #r :local only');
    assert.equal((await carol.expectCommand('PRIVMSG', '#r')).params[1], 'local only');
    const fail = await alice.replies('TOPIC #r :not now');
    assert.equal(fail[0]?.command, 'FAIL');
    assert.equal(fail[0]?.params[1], 'CLUSTER_DEGRADED');

    redis = await startRedis(port);
    await alice.expect((m) => m.command === 'NOTICE' && /whole again/.test(m.params[1]), 20_000);
    try {
      await eventually(
        async () => (await names(bob, '#r')).join(' ') === '@alice bob carol',
        'n2 has alice and carol back in #r',
        15_000,
      );
    } catch (err) {
      const seen = `n1: ${(await names(alice, '#r')).join(' ')}; n2: ${(await names(bob, '#r')).join(' ')}`;
      throw new Error(`${(err as Error).message} (${seen})\n${a.stderr()}\n${b.stderr()}`);
    }
    alice.send('PRIVMSG #r :after the restart');
    assert.equal((await bob.expectCommand('PRIVMSG', '#r')).params[1], 'after the restart');
    bob.send('PRIVMSG #r :from n2 again');
    await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'from n2 again');
    for (const c of [alice, carol, bob]) c.destroy();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
});
