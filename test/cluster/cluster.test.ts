// Cluster nodes joined through a real redis-server: nicks unique across nodes, private messages, away, LUSERS, operators and logins between nodes (in this process, where coverage sees them); a `parley serve` node killed with SIGKILL, --cluster with no Redis, Redis restarted under real processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/index.js';
import { consoleShows, withNodes } from '../helpers/cluster.js';
import { eventually } from '../helpers/eventually.js';
import { TestClient } from '../helpers/irc.js';
import { hashPassword } from '../../src/server/opers.js';
import { freePort, haveRedis, pauseWrites, startRedis, type TestRedis } from '../helpers/redis.js';
import { startServe, type ServeProcess } from '../interop/serve.js';

const ARGS = ['--db', 'off', '--flood', 'off', '--default-channel', ''];
const CAPS = ['echo-message', 'message-tags', 'server-time'];

function node(redis: TestRedis, id: string): Promise<ServeProcess> {
  return startServe([...ARGS, '--cluster', redis.url, '--node-id', id]);
}

async function withCluster(
  count: number,
  fn: (nodes: ServeProcess[], redis: TestRedis) => Promise<void>,
): Promise<void> {
  const redis = await startRedis();
  const nodes: ServeProcess[] = [];
  try {
    for (let k = 0; k < count; k++) nodes.push(await node(redis, `n${k + 1}`));
    await fn(nodes, redis);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  }
}

const isOn = async (c: TestClient, nick: string) =>
  (await c.replies(`ISON ${nick}`)).some((m) => m.command === '303' && m.params[1] === nick);

test('private messages cross nodes in every form, with one msgid and one cloak for both sides', async (t) => {
  if (!haveRedis(t)) return;
  await withNodes(2, async ([a, b]) => {
    const alice = await TestClient.register(a.port, 'alice', CAPS, false);
    const bob = await TestClient.register(b.port, 'bob', CAPS, false);
    const carol = await TestClient.register(a.port, 'carol', [], false);
    await eventually(() => isOn(alice, 'bob'), 'alice sees bob online');
    await eventually(() => isOn(bob, 'alice'), 'bob sees alice online');
    await eventually(() => isOn(bob, 'carol'), 'bob sees carol online');

    alice.send('PRIVMSG bob :hello across');
    const got = await bob.expectCommand('PRIVMSG', 'bob');
    assert.equal(got.params[1], 'hello across');
    assert.match(got.source ?? '', /^alice!~alice@/);
    const echo = await alice.expectCommand('PRIVMSG', 'bob');
    assert.equal(echo.tags?.get('msgid'), got.tags?.get('msgid'), 'one msgid on both nodes');
    assert.match(echo.tags?.get('msgid') ?? '', /^[0-9a-z]{13}-n1$/, "the sender's node names it");
    // One cloak: the host bob sees is the one alice's own node shows for her.
    const own = (await alice.replies('WHOIS alice')).find((m) => m.command === '311')!;
    assert.equal(got.source, `alice!${own.params[2]}@${own.params[3]}`);
    // And one address wears one cloak on every node (the network shares its secret): a ban on
    // it holds everywhere.
    const bobs = (await bob.replies('WHOIS bob')).find((m) => m.command === '311')!;
    assert.equal(bobs.params[3], own.params[3], 'both from 127.0.0.1');

    // Several targets at once, on both nodes; NOTICE and CTCP ACTION; TAGMSG with client tags.
    alice.send('PRIVMSG bob,carol :to both');
    assert.equal((await bob.expectCommand('PRIVMSG', 'bob')).params[1], 'to both');
    assert.equal((await carol.expectCommand('PRIVMSG', 'carol')).params[1], 'to both');
    bob.send('NOTICE alice :a notice back');
    assert.equal((await alice.expectCommand('NOTICE', 'alice')).params[1], 'a notice back');
    bob.send('PRIVMSG carol :\x01ACTION waves\x01');
    assert.equal((await carol.expectCommand('PRIVMSG', 'carol')).params[1], '\x01ACTION waves\x01');
    alice.send('@+typing=active TAGMSG bob');
    assert.equal((await bob.expectCommand('TAGMSG', 'bob')).tags?.get('+typing'), 'active');

    // A burst crosses in order and whole (a turn's messages to one node travel as one PUBLISH).
    let burst = '';
    for (let i = 0; i < 300; i++) burst += `PRIVMSG bob :n${i}\r\n`;
    alice.socket.write(burst);
    for (let i = 0; i < 300; i++) {
      assert.equal((await bob.expectCommand('PRIVMSG', 'bob')).params[1], `n${i}`);
    }

    // Both consoles show the private message, by nick.
    await consoleShows(a, /alice -> bob: hello across/);
    await consoleShows(b, /alice -> bob: hello across/);
    await consoleShows(b, /\* bob waves|bob -> carol: .*waves/);

    // WHOIS, ISON and MONITOR answer for users of the other node.
    const whois = await alice.replies('WHOIS bob');
    assert.deepEqual(
      whois.map((m) => m.command),
      ['311', '312', '318'],
    );
    assert.equal(whois[1].params[3], 'node n2 of this network');
    alice.send('MONITOR + bob,nobody');
    await alice.expect((m) => m.command === '730' && m.params[1].startsWith('bob!'));
    await alice.expect((m) => m.command === '731' && m.params[1] === 'nobody');
    bob.destroy();
    await alice.expect((m) => m.command === '731' && m.params[1] === 'bob', 5000, 'bob offline');
    await eventually(async () => !(await isOn(alice, 'bob')), 'bob gone from ISON');
    const gone = await alice.replies('PRIVMSG bob :still there?');
    assert.equal(gone[0]?.command, '401');
    alice.destroy();
    carol.destroy();
  });
});

test('a nick is unique across nodes: registration and NICK get 433, and it is free once its holder leaves', async (t) => {
  if (!haveRedis(t)) return;
  await withNodes(2, async ([a, b]) => {
    const alice = await TestClient.register(a.port, 'alice', [], false);
    const bob = await TestClient.register(b.port, 'bob', [], false);
    await eventually(() => isOn(bob, 'alice'), 'node 2 knows alice');

    const twin = await TestClient.connect(b.port);
    twin.send('NICK Alice');
    twin.send('USER x 0 * :x');
    await twin.expect((m) => m.command === '433' && m.params[1] === 'Alice');
    assert.equal((await bob.replies('NICK ALICE'))[0]?.command, '433');

    // Both nodes race for the same new nick: exactly one wins.
    alice.send('NICK dave');
    bob.send('NICK dave');
    const [ra, rb] = await Promise.all([
      alice.expect((m) => m.command === 'NICK' || m.command === '433'),
      bob.expect((m) => m.command === 'NICK' || m.command === '433'),
    ]);
    assert.deepEqual([ra.command, rb.command].sort(), ['433', 'NICK']);
    const winner = ra.command === 'NICK' ? alice : bob;
    const loser = winner === alice ? bob : alice;

    // The holder leaves: the nick is free on the other node (and the old one, too, after a change).
    await winner.quit();
    await eventually(
      async () => (await loser.replies('NICK dave')).some((m) => m.command === 'NICK'),
      'dave free again',
    );
    // alice is free once node 2 has heard she moved (or left): the news is asynchronous.
    await eventually(async () => {
      twin.send('NICK alice');
      const m = await twin.expect((x) => x.command === '001' || x.command === '433');
      return m.command === '001';
    }, 'the freed nick alice');
    twin.destroy();
    loser.destroy();
  });
});

test('QUIT and at once back through another node with the same nick: welcomed, never 433', async (t) => {
  if (!haveRedis(t)) return;
  await withNodes(2, async ([a, b]) => {
    const watcher = await TestClient.register(b.port, 'watcher', [], false);
    for (let round = 0; round < 5; round++) {
      const first = await TestClient.register(a.port, 'roamer', [], false);
      await eventually(() => isOn(watcher, 'roamer'), 'node 2 knows roamer');
      await first.quit(); // closed: the nick is free in Redis already
      const again = await TestClient.connect(b.port);
      again.send('NICK roamer');
      again.send('USER x 0 * :x');
      const m = await again.expect((x) => x.command === '001' || x.command === '433');
      assert.equal(m.command, '001', `round ${round}: ${m.command} ${m.params.join(' ')}`);
      await again.quit();
      await eventually(async () => !(await isOn(watcher, 'roamer')), 'roamer gone');
    }
    watcher.destroy();
  });
});

test('away across nodes: a private message to an away user of another node gets 301, WHOIS shows it', async (t) => {
  if (!haveRedis(t)) return;
  await withNodes(2, async ([a, b]) => {
    const alice = await TestClient.register(a.port, 'alice', [], false);
    const bob = await TestClient.register(b.port, 'bob', [], false);
    await eventually(() => isOn(alice, 'bob'), 'alice sees bob online');
    bob.send('AWAY :out for lunch');
    await bob.expectCommand('306');
    await eventually(
      async () => (await alice.replies('WHOIS bob')).some((m) => m.command === '301'),
      "bob's away text reached node 1",
    );
    alice.send('PRIVMSG bob :are you there?');
    const away = await alice.expectCommand('301');
    assert.deepEqual(away.params, ['alice', 'bob', 'out for lunch']);
    await bob.expectCommand('PRIVMSG', 'bob', 'are you there?');
    bob.send('AWAY');
    await bob.expectCommand('305');
    await eventually(
      async () => !(await alice.replies('WHOIS bob')).some((m) => m.command === '301'),
      'bob back on node 1',
    );
    const mark = alice.received.length;
    alice.send('PRIVMSG bob :and now?');
    await bob.expectCommand('PRIVMSG', 'bob', 'and now?');
    await alice.sync();
    const later = alice.received.slice(mark).filter((r) => r.msg.command === '301');
    assert.equal(later.length, 0, 'no 301 once bob is back');
    for (const c of [alice, bob]) c.destroy();
  });
});

test('LUSERS counts the whole network: unregistered connections and users of another node', async (t) => {
  if (!haveRedis(t)) return;
  await withNodes(2, async ([a, b]) => {
    const alice = await TestClient.register(a.port, 'alice', [], false);
    const counts = async () => {
      const r = await alice.replies('LUSERS');
      const num = (code: string, k: number) => r.find((m) => m.command === code)?.params[k];
      return { unknown: num('253', 1), global: num('266', 1) };
    };
    // A node tells the others its unregistered count in a bus message of its own, which Redis
    // may hand on after a later command of another node: within milliseconds, not in order.
    const qux = await TestClient.connect(b.port);
    qux.send('NICK qux');
    qux.send('PING sync');
    await qux.expectCommand('PONG');
    await eventually(async () => (await counts()).unknown === '1', 'qux counted as unregistered');
    assert.equal((await counts()).global, '1');
    qux.send('USER qux 0 * :Qux');
    await qux.expect((m) => m.command === '376' || m.command === '422');
    // Its registration goes through the order, so the next LUSERS counts it as a user.
    assert.equal((await counts()).global, '2');
    await eventually(async () => (await counts()).unknown === '0', 'qux no longer unregistered');
    qux.send('QUIT');
    await qux.expectCommand('ERROR');
    await eventually(async () => (await counts()).global === '1', 'qux gone from the count');
    const bat = await TestClient.connect(b.port);
    bat.send('NICK bat');
    bat.send('PING sync');
    await bat.expectCommand('PONG');
    await eventually(async () => (await counts()).unknown === '1', 'bat counted');
    bat.destroy();
    await eventually(async () => (await counts()).unknown === '0', 'bat gone from the count');
    alice.destroy();
  });
});

test('operators across nodes: KILL of a user of another node disconnects it, WALLOPS reaches +w users everywhere; with Redis away, both act on this node', async (t) => {
  if (!haveRedis(t)) return;
  const opers = [{ name: 'root', hash: hashPassword('hunter2'), host: '*' }];
  await withNodes(
    2,
    async ([a, b], redis) => {
      const oper = await TestClient.register(a.port, 'oper', [], false);
      const carol = await TestClient.register(a.port, 'carol', [], false);
      const bob = await TestClient.register(b.port, 'bob', [], false);
      const dave = await TestClient.register(b.port, 'dave', [], false);
      await eventually(() => isOn(oper, 'dave'), 'node 1 knows dave');
      // Redis holds the news a moment: the answer waits for it, so that a WHO on the other
      // node, sent at once, shows the operator's `*`.
      await pauseWrites(redis, 300);
      oper.send('OPER root hunter2');
      await oper.expectCommand('381');
      const who = (await bob.replies('WHO oper')).find((m) => m.command === '352');
      assert.match(who?.params[6] ?? '', /\*/, 'node 2 knows oper is an operator');
      for (const c of [carol, bob]) await c.replies('MODE ' + c.nick + ' +w');
      oper.send('WALLOPS :maintenance at noon');
      for (const c of [carol, bob]) await c.expectCommand('WALLOPS', 'maintenance at noon');
      oper.send('KILL dave :spamming');
      const error = await dave.expect((m) => m.command === 'ERROR');
      assert.match(error.params[0], /Killed \(oper \(spamming\)\)/);
      await eventually(async () => !(await isOn(oper, 'dave')), 'dave gone from node 1');
      await dave.closedPromise;
      assert.equal(dave.all('WALLOPS').length, 0, 'dave had no +w');
      // Redis away: carried out here alone, not refused as a change to shared state would be.
      await redis.stop();
      await eventually(() => a.server.cluster?.reachable === false, 'node 1 without Redis');
      oper.send('WALLOPS :on our own');
      await carol.expectCommand('WALLOPS', 'on our own');
      oper.send('KILL carol :testing');
      assert.match((await carol.expect((m) => m.command === 'ERROR')).params[0], /Killed/);
      await oper.sync();
      assert.equal(oper.all('FAIL').length, 0, 'nothing refused');
      for (const c of [oper, carol, bob]) c.destroy();
    },
    { opers },
  );
});

test('a node killed with SIGKILL: its users vanish from the others within the heartbeat window', async (t) => {
  if (!haveRedis(t)) return;
  await withCluster(3, async ([a, b, c]) => {
    const alice = await TestClient.register(a.port, 'alice', [], false);
    const bob = await TestClient.register(b.port, 'bob', [], false);
    const carol = await TestClient.register(c.port, 'carol', [], false);
    await eventually(() => isOn(alice, 'bob'), 'alice sees bob');
    await eventually(() => isOn(alice, 'carol'), 'alice sees carol');

    // One line to users of two other nodes.
    alice.send('PRIVMSG bob,carol :to two nodes');
    assert.equal((await bob.expectCommand('PRIVMSG', 'bob')).params[1], 'to two nodes');
    assert.equal((await carol.expectCommand('PRIVMSG', 'carol')).params[1], 'to two nodes');

    alice.send('MONITOR + bob');
    await alice.expect((m) => m.command === '730');
    const killedAt = Date.now();
    b.child.kill('SIGKILL');
    await alice.expect((m) => m.command === '731' && m.params[1] === 'bob', 12_000, 'bob offline');
    assert.ok(Date.now() - killedAt < 10_000, 'noticed within 10 s');
    // bob's nick is free on the surviving nodes.
    const again = await TestClient.register(c.port, 'bob', [], false);
    await eventually(() => isOn(alice, 'bob'), 'alice sees the new bob');
    alice.send('PRIVMSG bob :the new bob');
    assert.equal((await again.expectCommand('PRIVMSG', 'bob')).params[1], 'the new bob');
    for (const x of [alice, carol, again]) x.destroy();
  });
});

test('an account login on one node shows in WHOIS (330) on the others', async (t) => {
  if (!haveRedis(t)) return;
  const store = new MemoryStore(true);
  await withNodes(
    2,
    async ([a, b]) => {
      const caps = ['draft/account-registration'];
      const alice = await TestClient.register(a.port, 'alice', caps, false);
      const bob = await TestClient.register(b.port, 'bob', [], false);
      await eventually(() => isOn(bob, 'alice'), 'bob sees alice');
      alice.send('REGISTER * * correct-horse-battery');
      await alice.expect((m) => m.command === '900', 10_000, 'logged in');
      await eventually(
        async () => (await bob.replies('WHOIS alice')).some((m) => m.command === '330'),
        'WHOIS 330 for alice on node 2',
      );
      const whois = await bob.replies('WHOIS alice');
      assert.equal(whois.find((m) => m.command === '330')?.params[2], 'alice');
      for (const c of [alice, bob]) c.destroy();
    },
    {},
    store,
  );
});

test('--cluster with no Redis there: one line naming the flag, exit 1', async () => {
  const port = await freePort();
  await assert.rejects(
    startServe([...ARGS, '--cluster', `redis://127.0.0.1:${port}`, '--node-id', 'x']),
    (err: Error) => {
      assert.match(err.message, /exited early \(code 1/);
      assert.match(err.message, /parley: --cluster: cannot reach redis:\/\/127\.0\.0\.1:\d+/);
      assert.doesNotMatch(err.message, /\n\s+at /, 'no stack trace');
      return true;
    },
  );
});

test('Redis restarted: each node goes on alone, says so, and the network is whole again after', async (t) => {
  if (!haveRedis(t)) return;
  let redis = await startRedis();
  const a = await node(redis, 'n1');
  const b = await node(redis, 'n2');
  try {
    const alice = await TestClient.register(a.port, 'alice', [], false);
    const carol = await TestClient.register(a.port, 'carol', [], false);
    const bob = await TestClient.register(b.port, 'bob', [], false);
    await eventually(() => isOn(alice, 'bob'), 'alice sees bob');

    const port = redis.port;
    await redis.stop();
    await alice.expect((m) => m.command === 'NOTICE' && /degraded/.test(m.params[1]), 10_000);
    // Local chat goes on; a message for the other node is refused, not silently queued.
    alice.send('PRIVMSG carol :still here');
    assert.equal((await carol.expectCommand('PRIVMSG', 'carol')).params[1], 'still here');
    const refused = await alice.replies('PRIVMSG bob :are you there?');
    assert.equal(refused[0]?.command, '402');
    // A newcomer registers while Redis is away.
    const dave = await TestClient.register(a.port, 'dave', [], false);

    redis = await startRedis(port); // empty: everything the nodes had there is gone
    await alice.expect((m) => m.command === 'NOTICE' && /whole again/.test(m.params[1]), 15_000);
    await eventually(() => isOn(bob, 'dave'), 'node 2 learns of dave', 10_000);
    await eventually(() => isOn(bob, 'alice'), 'node 2 still knows alice', 10_000);
    alice.send('PRIVMSG bob :back');
    assert.equal((await bob.expectCommand('PRIVMSG', 'bob')).params[1], 'back');
    // The nicks are claimed again: nobody on node 2 can take alice's.
    assert.equal((await bob.replies('NICK alice'))[0]?.command, '433');
    for (const c of [alice, carol, bob, dave]) c.destroy();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
});
