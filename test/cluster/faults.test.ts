// A node partitioned from Redis while Redis stays up for the others (a TCP proxy between them, cut abruptly or silently), then the link restored: nodes in this process, real sockets.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, type TestServer } from '../helpers/irc.js';
import { eventually, from, inProcessNode, isOn, names, sleep } from '../helpers/cluster.js';
import { haveRedis, startRedis, type TestRedis } from '../helpers/redis.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const CAPS = ['echo-message', 'message-tags', 'server-time', 'multi-prefix'];

interface Split {
  redis: TestRedis;
  /** Between node a and Redis. */
  proxy: TcpProxy;
  a: TestServer;
  /** Connected to Redis directly. */
  b: TestServer;
  /** A registered client (echo-message and the rest) on `node`. */
  reg(node: TestServer, nick: string): Promise<TestClient>;
}

/** Redis, node a behind a proxy, node b straight to Redis; everything stopped after `body`. */
async function withSplit(t: TestContext, body: (s: Split) => Promise<void>): Promise<void> {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const proxy = await startTcpProxy(redis.port);
  const nodes: TestServer[] = [];
  const clients: TestClient[] = [];
  try {
    const viaProxy = { ...redis, url: `redis://127.0.0.1:${proxy.port}` };
    nodes.push(await inProcessNode(viaProxy, null, 'a'));
    nodes.push(await inProcessNode(redis, null, 'b'));
    const reg = async (node: TestServer, nick: string) => {
      const c = await TestClient.register(node.port, nick, CAPS, false);
      clients.push(c);
      return c;
    };
    await body({ redis, proxy, a: nodes[0], b: nodes[1], reg });
  } finally {
    for (const c of clients) c.destroy();
    await Promise.all(nodes.map((n) => n.stop()));
    await proxy.close();
    await redis.stop();
  }
}

/** Whether `c` has got its own JOIN of `channel` back: its node has the join confirmed. */
const joined = (c: TestClient, channel: string) =>
  c.received.some(
    (r) => r.msg.command === 'JOIN' && from(r.msg, c.nick) && r.msg.params[0] === channel,
  );

/** alice and carol on a, bob on b, all three in #p as both nodes see it. */
async function threeInP({ a, b, reg }: Split) {
  const alice = await reg(a, 'alice');
  const carol = await reg(a, 'carol');
  const bob = await reg(b, 'bob');
  for (const c of [alice, carol, bob]) c.send('JOIN #p');
  await eventually(async () => (await names(bob, '#p')).length === 3, 'all three in #p on b');
  // b applies a JOIN from Redis before a has its own copy back: until each joiner has its JOIN,
  // a link cut now would fail a join that b already shows (the joiner is told FAIL, and b drops it).
  await eventually(() => [alice, carol, bob].every((c) => joined(c, '#p')), 'each JOIN back');
  return { alice, carol, bob };
}

const notice = (c: TestClient, text: RegExp, ms: number) =>
  c.expect((m) => m.command === 'NOTICE' && text.test(m.params[1]), ms, `NOTICE ${String(text)}`);

/** Whether `c` has been told (at any time) that the network is whole: its node resynced. */
const toldWhole = (c: TestClient) =>
  c.received.some((r) => r.msg.command === 'NOTICE' && /whole/.test(r.msg.params[1]));

/** A cut shorter than the heartbeat window (b keeps a's users) ends: until `c` is told a resynced. */
async function briefCutEnds(proxy: TcpProxy, c: TestClient): Promise<void> {
  await sleep(1000);
  proxy.restore();
  await eventually(() => toldWhole(c), 'a resynced', 15_000);
}

/** Whether `c` has got (at any time) a PRIVMSG whose text matches `text`. */
const hasText = (c: TestClient, text: RegExp) =>
  c.received.some((r) => r.msg.command === 'PRIVMSG' && text.test(r.msg.params[1]));

/** The texts of the PRIVMSGs `c` got from `nick` that match `text`. */
const textsFrom = (c: TestClient, nick: string, text: RegExp) =>
  c.received
    .filter((r) => r.msg.command === 'PRIVMSG' && from(r.msg, nick) && text.test(r.msg.params[1]))
    .map((r) => r.msg.params[1]);

test('a node cut off from Redis: its users chat on, the other node drops them, and all is whole after the link is back', (t) =>
  withSplit(t, async ({ proxy, a, b, reg }) => {
    const alice = await reg(a, 'alice');
    const carol = await reg(a, 'carol');
    const bob = await reg(b, 'bob');
    alice.send('JOIN #p'); // first: the operator everywhere
    await alice.expectCommand('JOIN', '#p');
    carol.send('JOIN #p,#q');
    bob.send('JOIN #p,#q');
    await eventually(async () => (await names(bob, '#p')).length === 3, 'all three in #p on b');
    await eventually(async () => (await names(bob, '#q')).length === 2, 'carol and bob in #q on b');
    await eventually(() => joined(carol, '#p') && joined(carol, '#q'), "carol's JOINs back on a");
    alice.send('PRIVMSG bob :before');
    assert.equal((await bob.expectCommand('PRIVMSG', 'bob')).params[1], 'before');

    // The link between node a and Redis is cut; Redis stays up for node b.
    proxy.cut();
    const cutAt = Date.now();
    await notice(alice, /network is degraded/, 5000);
    await notice(carol, /network is degraded/, 5000);
    const toldAfter = Date.now() - cutAt;

    // Chat among a's users goes on, in the channel and privately: whatever alice saw echoed
    // (confirmed), carol got, with the same msgid, in the same order.
    const count = 20;
    for (let i = 0; i < count; i++) {
      alice.send(`PRIVMSG #p :split ${i}`);
      alice.send(`PRIVMSG carol :private ${i}`);
    }
    const line = (m: { params: string[]; tags: Map<string, string> | null }) =>
      `${m.params[0]} ${m.params[1]} ${m.tags?.get('msgid')}`;
    const echoed: string[] = [];
    const got: string[] = [];
    for (let i = 0; i < 2 * count; i++) {
      echoed.push(line(await alice.expect((x) => x.command === 'PRIVMSG' && from(x, 'alice'))));
      got.push(line(await carol.expect((x) => x.command === 'PRIVMSG' && from(x, 'alice'))));
    }
    assert.deepEqual(got, echoed, "every confirmed message reached a's own member");
    // What needs the other node is refused, not queued.
    assert.equal((await alice.replies('PRIVMSG bob :there?'))[0]?.command, '402');
    const fail = await alice.replies('TOPIC #p :not now');
    assert.deepEqual(fail[0]?.params.slice(0, 2), ['TOPIC', 'CLUSTER_DEGRADED']);

    // Node b drops a's users within the heartbeat window: QUIT to bob, their nicks free.
    await bob.expect((m) => m.command === 'QUIT' && from(m, 'alice'), 15_000, 'QUIT alice');
    await bob.expect((m) => m.command === 'QUIT' && from(m, 'carol'), 5000, 'QUIT carol');
    const droppedAfter = Date.now() - cutAt;
    assert.ok(droppedAfter < 10_000, `b dropped a's users after ${droppedAfter} ms`);
    assert.deepEqual(await names(bob, '#p'), ['bob']);
    assert.equal(await isOn(bob, 'alice'), false);
    // Someone on b takes carol's nick meanwhile.
    const carol2 = await reg(b, 'carol');

    // The link is back: a resyncs. Private messages cross again (probes both ways, every 200 ms).
    proxy.restore();
    const restoredAt = Date.now();
    let k = 0;
    await eventually(
      async () => {
        bob.send(`PRIVMSG alice :probe ${k}`);
        alice.send(`PRIVMSG bob :probe ${k++}`);
        await sleep(200);
        return hasText(alice, /^probe/) && hasText(bob, /^probe/);
      },
      'private messages cross both ways',
      10_000,
    );
    const privateAfter = Date.now() - restoredAt;
    // a's carol lost her nick to b's: renamed Guest<N>, and told why.
    const why = await notice(carol, /^You are now Guest\d+: /, 10_000);
    assert.match(why.params[1], /carol was taken on another server while the network was split/);
    const renamed = await carol.expect((m) => m.command === 'NICK' && from(m, 'carol'));
    const guest = renamed.params[0];
    assert.match(guest, /^Guest\d+$/);
    // a's users are back on b, in the channels they were in (alice still the operator).
    await eventually(
      async () => (await names(bob, '#p')).join(' ') === ['@alice', 'bob', guest].sort().join(' '),
      'alice and the renamed carol back in #p on b',
      15_000,
    );
    const channelAfter = Date.now() - restoredAt;
    const bare = (list: string[]) => list.map((n) => n.replace(/^[@+]+/, '')).sort();
    assert.deepEqual(bare(await names(bob, '#q')), [guest, 'bob'].sort());
    // Both nodes hold the same copy of each channel again, status included.
    for (const channel of ['#p', '#q']) {
      assert.deepEqual(await names(alice, channel), await names(bob, channel), channel);
    }
    alice.send('PRIVMSG #p :channel back');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'channel back');
    bob.send('PRIVMSG #q :to the renamed');
    await carol.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'to the renamed');
    await eventually(
      async () =>
        alice.received.some(
          (r) => r.msg.command === 'NOTICE' && /whole again/.test(r.msg.params[1]),
        ),
      'alice told the network is whole again',
      10_000,
    );
    // The nick taken on b stays with its new holder, and a knows it.
    assert.equal(await isOn(alice, 'carol'), true);
    carol2.send('PRIVMSG alice :I am the carol of b');
    await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'I am the carol of b');
    t.diagnostic(
      `told ${toldAfter} ms after the cut; b dropped a's users ${droppedAfter} ms after it; ` +
        `after the restore: private messages ${privateAfter} ms, a's users back in b's channels ${channelAfter} ms`,
    );
  }));

test("a node cut off from Redis and back: its users' channel messages reach the other node as soon as they are confirmed", (t) =>
  withSplit(t, async ({ proxy, a, b, reg }) => {
    const alice = await reg(a, 'alice');
    const bob = await reg(b, 'bob');
    alice.send('JOIN #p');
    await alice.expectCommand('JOIN', '#p');
    bob.send('JOIN #p');
    await eventually(async () => (await names(bob, '#p')).length === 2, 'both in #p on b');
    proxy.cut();
    await notice(alice, /network is degraded/, 5000);
    await bob.expect((m) => m.command === 'QUIT' && from(m, 'alice'), 15_000, 'QUIT alice');
    // Back: a says so in its log the moment its link to Redis is whole ("reachable again").
    proxy.restore();
    await eventually(
      async () => a.logged().some((l) => /Redis reachable again/.test(l)),
      'a reconnects',
      10_000,
    );
    // Its users are announced again a moment later (their nicks claimed again first): until
    // then its channel messages reach its own members only, as while it was cut off. From then
    // on it sends them through Redis and confirms them when they come back: each must reach bob.
    await eventually(
      () => a.server.cluster?.replica.localOnly === false,
      "a's users announced again",
    );
    const mark = alice.received.length;
    for (let i = 0; i < 40 && !hasText(bob, /^after/); i++) {
      alice.send(`PRIVMSG #p :after ${i}`);
      await sleep(200);
    }
    await alice.sync();
    await sleep(500);
    const confirmed = alice.received
      .slice(mark)
      .filter((r) => r.msg.command === 'PRIVMSG' && from(r.msg, 'alice'))
      .map((r) => r.msg.params[1]);
    const reached = textsFrom(bob, 'alice', /^after/);
    const lost = confirmed.filter((x) => !reached.includes(x));
    t.diagnostic(`${confirmed.length} confirmed after a reconnected; lost on b: ${lost.length}`);
    assert.deepEqual(lost, [], 'confirmed to alice, never delivered to bob');
  }));

test('a node silently cut off from Redis (packets dropped): it notices within the heartbeat window, and resyncs once the link is back', (t) =>
  withSplit(t, async (split) => {
    const { alice, carol, bob } = await threeInP(split);
    const { proxy } = split;
    proxy.blackhole();
    const cutAt = Date.now();
    await bob.expect((m) => m.command === 'QUIT' && from(m, 'alice'), 15_000, 'QUIT alice');
    // a must notice too, as it does when the link is reset: its users are told.
    await notice(alice, /network is degraded/, 10_000 - (Date.now() - cutAt));
    // Local chat is not held up by the silent link.
    alice.send('PRIVMSG #p :local');
    await carol.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'local', 2000);
    proxy.restore();
    await eventually(() => isOn(bob, 'alice'), 'b knows alice again', 15_000);
    alice.send('PRIVMSG #p :across again');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'across again', 10_000);
  }));

test('commands in flight when the link is cut: what their sender is told failed is carried out nowhere', (t) =>
  withSplit(t, async (split) => {
    const { alice, carol, bob } = await threeInP(split);
    const { proxy } = split;
    // The link goes silent with two of alice's commands on it, then is cut for good.
    proxy.blackhole();
    alice.send('PRIVMSG #p :in flight');
    alice.send('JOIN #x');
    await sleep(300);
    proxy.cut();
    await alice.expect((m) => m.command === 'FAIL' && m.params[0] === 'PRIVMSG', 5000);
    await alice.expect((m) => m.command === 'FAIL' && m.params[0] === 'JOIN', 5000);
    await briefCutEnds(proxy, alice);
    await sleep(500);
    const onA = (await names(alice, '#x')).join(' ') || '(none)';
    const onB = (await names(bob, '#x')).join(' ') || '(none)';
    t.diagnostic(`#x on a: ${onA}; on b: ${onB}; bob got it: ${hasText(bob, /in flight/)}`);
    // Neither node carried them out: the copies agree, and with what alice was told.
    assert.equal(hasText(carol, /in flight/), false, "a's member did not get it");
    assert.equal(hasText(bob, /in flight/), false, "nor did b's, though alice was told it failed");
    assert.deepEqual(await names(bob, '#x'), await names(alice, '#x'), 'one copy of #x');
    assert.deepEqual(await names(bob, '#x'), [], 'alice was told her JOIN failed');
  }));

test("a resync's snapshot request drops nothing that came before it: another node's confirmed channel message reaches this node's members", (t) =>
  withSplit(t, async (split) => {
    const { alice, carol, bob } = await threeInP(split);
    const { proxy, a } = split;
    proxy.cut();
    await notice(alice, /network is degraded/, 5000);
    proxy.restore();
    await eventually(
      async () => a.logged().some((l) => /Redis reachable again/.test(l)),
      'a back',
      10_000,
    );
    // a's resync asks for a snapshot about 4 s from now. Until it has, what Redis sends a's
    // subscriber waits in the proxy: bob's channel message, confirmed to him meanwhile.
    // Its subscriber connection may come back a moment after the log line.
    const subscriber = () => proxy.links().find((l) => /SUBSCRIBE/i.test(l.sent));
    await eventually(() => subscriber() !== undefined, "a's subscriber connection");
    const sub = subscriber()!;
    sub.holdReplies();
    bob.send('PRIVMSG #p :from b before the request');
    await bob.expect((m) => m.command === 'PRIVMSG' && from(m, 'bob'), 5000, "bob's echo");
    // alice's goes through the order too (a has announced its users again), and waits with it.
    alice.send('PRIVMSG #p :from a before the request');
    await eventually(
      async () => proxy.links().some((l) => l.sent.includes('"snapreq"')),
      'a asks for a snapshot',
      10_000,
    );
    await sleep(300); // b's snapshot is on its way too
    sub.release();
    await eventually(() => toldWhole(alice), 'a resynced', 10_000);
    await sleep(500);
    assert.ok(hasText(alice, /^from a before/), "alice's message confirmed to her");
    assert.ok(hasText(carol, /^from a before/), "alice's message reached a's own member");
    assert.ok(hasText(bob, /^from a before/), "alice's message reached b's member");
    assert.ok(hasText(carol, /^from b before/), "bob's confirmed message reached a's member");
  }));

/**
 * carol (on a) sends `line`; Redis takes it and b carries it out (`carriedOnB` polls bob), but
 * a's subscriber never brings it back before the link is cut. Returns once a has resynced.
 */
async function answerLost(
  split: Split,
  line: string,
  carriedOnB: (bob: TestClient) => Promise<boolean>,
) {
  const { carol, bob } = await threeInP(split);
  const { proxy } = split;
  const sub = proxy.links().find((l) => /SUBSCRIBE/i.test(l.sent));
  assert.ok(sub, "a's subscriber connection");
  sub.holdReplies();
  const mark = carol.received.length;
  carol.send(line);
  await eventually(() => carriedOnB(bob), 'b carries it out');
  proxy.cut();
  const command = line.split(' ')[0];
  const answer = () =>
    carol.received
      .slice(mark)
      .find((r) => r.msg.command === 'FAIL' || (r.msg.command === command && from(r.msg, 'carol')));
  await eventually(() => answer() !== undefined, "carol's answer", 5000);
  const told = answer()!.msg;
  assert.deepEqual([told.command, told.params[0]], ['FAIL', command], 'a never heard it back');
  await briefCutEnds(proxy, carol);
  return { carol, bob };
}

// a is the truth about its users' channels: b, which had carried the command out, undoes it.
test('a JOIN another node carried out but whose answer the link lost: its user, told it failed, is in the channel on neither node after the resync', (t) =>
  withSplit(t, async (split) => {
    const inX = async (c: TestClient) => (await names(c, '#x')).join() === '@carol';
    const { carol, bob } = await answerLost(split, 'JOIN #x', inX);
    await eventually(async () => (await names(bob, '#x')).length === 0, 'carol out of #x on b');
    assert.deepEqual(await names(carol, '#x'), [], 'and not in it on a');
  }));

test('a PART another node carried out but whose answer the link lost: its user, told it failed, is in the channel on both nodes after the resync', (t) =>
  withSplit(t, async (split) => {
    const inP = async (c: TestClient) => (await names(c, '#p')).some((n) => /^carol$/.test(n));
    const { carol, bob } = await answerLost(split, 'PART #p', async (c) => !(await inP(c)));
    await eventually(() => inP(bob), 'carol back in #p on b', 5000);
    assert.ok(await inP(carol), 'and still in it on a');
    await eventually(
      () => bob.received.some((r) => r.msg.command === 'JOIN' && from(r.msg, 'carol')),
      "bob sees carol's JOIN",
    );
  }));
