// What only the Redis store has: nodes sharing one Redis (as stores and as servers), one transaction per turn, an unreachable or lost Redis, prune in slices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { openStore, StoreOpenError } from '../../src/store/index.js';
import { PRUNE_SLICE } from '../../src/store/redis-history.js';
import { openRedisStore, type RedisStore } from '../../src/store/redis.js';
import { makeAccount } from '../helpers/accounts.js';
import { startServer, TestClient } from '../helpers/irc.js';
import { freePort, haveRedis, startRedis } from '../helpers/redis.js';
import { ALICE as alice, T0, committed, freshPrefix, labels, rec, testRedisUrl } from './kit.js';

/** Two stores on one Redis and one prefix, as two nodes of a cluster open it. */
async function twoNodes(): Promise<[RedisStore, RedisStore]> {
  const url = await testRedisUrl();
  const prefix = freshPrefix();
  return [await openRedisStore(url, { prefix }), await openRedisStore(url, { prefix })];
}

test('two stores on one Redis see each other’s accounts, history, inboxes and settings', async (t) => {
  if (!haveRedis(t)) return;
  const [a, b] = await twoNodes();
  try {
    assert.equal(await a.accounts.create(alice), true);
    assert.deepEqual(await b.accounts.get('alice'), alice);
    assert.equal(await b.accounts.create({ ...alice, email: 'x@y' }), false, 'taken on a');

    const m1 = rec('#dev', 'from a', T0 + 1);
    const m2 = rec('#dev', 'from b', T0 + 2);
    a.history.append(m1);
    await committed(a);
    b.history.append(m2);
    await committed(b);
    assert.deepEqual(labels(await a.history.latest('#dev', null, 10)), ['from a', 'from b']);
    assert.deepEqual(await b.history.find(m1.msgid), m1);

    // Every node runs a replicated channel message and appends it: it is kept once.
    a.history.append(m2);
    b.history.append(m2);
    await Promise.all([committed(a), committed(b)]);
    assert.deepEqual(labels(await b.history.latest('#dev', null, 10)), ['from a', 'from b']);

    b.history.redact(m1.msgid);
    await committed(b);
    assert.deepEqual(labels(await a.history.latest('#dev', null, 10)), ['from b']);
    a.history.append(m1); // a node that replays it late does not bring it back
    await committed(a);
    assert.deepEqual(labels(await b.history.latest('#dev', null, 10)), ['from b']);

    const pm = rec('alice bob', 'hi bob', T0 + 3);
    a.history.append(pm);
    a.accounts.addToInbox('bob', pm.msgid);
    a.accounts.setReadMarker('alice', '#dev', T0 + 2);
    a.setMeta('cloak-secret', 's3');
    a.channels.put({
      name: '#Dev',
      key: '#dev',
      founder: 'alice',
      topic: 't',
      topicBy: 'alice',
      topicAt: T0,
      modes: 'nt',
      password: null,
      limit: null,
      lists: {},
      createdAt: T0,
    });
    await committed(a);
    assert.deepEqual(await b.accounts.takeInbox('bob'), [pm]);
    assert.deepEqual(await a.accounts.takeInbox('bob'), [], 'taken once, on either node');
    assert.deepEqual(await b.accounts.readMarkers('alice'), [['#dev', T0 + 2]]);
    assert.equal(await b.getMeta('cloak-secret'), 's3');
    assert.deepEqual(
      (await b.channels.all()).map((c) => c.key),
      ['#dev'],
    );
    const rows = await b.history.targets(['#dev'], 'bob', T0, T0 + 10, 10);
    assert.deepEqual(
      rows.map((r) => r.conversation),
      ['#dev', 'alice bob'],
    );
  } finally {
    await a.close();
    await b.close();
  }
});

test('a turn’s writes go to Redis as one transaction; flush() sends them at once', async (t) => {
  if (!haveRedis(t)) return;
  const store = await openRedisStore(await testRedisUrl(), { prefix: freshPrefix() });
  try {
    let transactions = 0;
    const multi = store.redis.multi.bind(store.redis);
    store.redis.multi = ((...args: Parameters<typeof multi>) => {
      transactions++;
      return multi(...args);
    }) as typeof store.redis.multi;
    for (let i = 0; i < 200; i++) {
      store.history.append(rec(i % 2 === 0 ? '#a' : 'alice bob', `m${i}`, T0 + i));
      if (i % 50 === 0) store.history.redact('none');
      store.accounts.setReadMarker('alice', '#a', T0 + i);
    }
    await committed(store);
    assert.equal(transactions, 1);
    assert.equal((await store.history.latest('#a', null, 1000)).length, 100);

    store.setMeta('k', 'v');
    store.flush();
    assert.equal(transactions, 2, 'sent by flush(), not a turn later');
    assert.equal(await store.getMeta('k'), 'v');
  } finally {
    await store.close();
  }
});

test('prune counts redacted messages, goes through many conversations in slices, and leaves no keys behind', async (t) => {
  if (!haveRedis(t)) return;
  const store = await openRedisStore(await testRedisUrl(), { prefix: freshPrefix() });
  try {
    const h = store.history;
    const r = ['r1', 'r2', 'r3', 'r4', 'r5'].map((l, i) => rec('#r', l, T0 + i));
    for (const m of r) h.append(m);
    h.redact(r[2].msgid);
    h.prune(3, Number.POSITIVE_INFINITY, T0 + 100);
    await committed(store);
    assert.deepEqual(labels(await h.latest('#r', null, 10)), ['r4', 'r5']);
    assert.equal(await h.find(r[1].msgid), null);
    assert.equal((await h.find(r[2].msgid))?.text, 'r3', 'redacted, among the newest 3: kept');

    const many = PRUNE_SLICE * 2 + 500;
    for (let i = 0; i < many; i++) {
      h.append(rec(`#c${i}`, 'old', T0 + 1));
      h.append(rec(`#c${i}`, 'new', T0 + 2));
      h.append(rec(`u${i} me`, 'pm', T0 + 3));
    }
    await committed(store);
    h.prune(1, Number.POSITIVE_INFINITY, T0 + 100);
    // store.redis is the connection itself: asking it sends nothing queued (a store read would).
    const records = () => store.redis.hlen(store.prefix + 'rec');
    let slices = 0;
    do {
      await committed(store);
      slices++;
    } while ((await records()) > 2 * many + 1 && slices < 100);
    assert.equal(await records(), 2 * many + 1, 'every conversation keeps 1');
    assert.ok(slices >= 2, `one commit per slice of ${PRUNE_SLICE}: ${slices}`);
    assert.deepEqual(labels(await h.latest(`#c${many - 1}`, null, 10)), ['new']);
    assert.equal(
      (await h.targets([], 'me', T0, T0 + 10, 10_000)).length,
      many,
      'every private one',
    );

    h.prune(Number.POSITIVE_INFINITY, 1, T0 + 100); // everything is too old now
    const keys = () => store.redis.keys(store.prefix + '*');
    for (let i = 0; i < 100 && (await keys()).length > 0; i++) await committed(store);
    assert.deepEqual(await keys(), [], 'records, sets and the conversation list are gone');
    assert.deepEqual(await h.targets([], 'me', T0, T0 + 10, 10), []);
  } finally {
    await store.close();
  }
});

test('an unreachable Redis is a one-line StoreOpenError naming the URL, without its password', async () => {
  const port = await freePort();
  const url = `redis://:secret@127.0.0.1:${port}/2`;
  const err = await openStore(url).then(
    () => assert.fail('opened'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreOpenError, String(err));
  assert.match(
    err.message,
    new RegExp(`^cannot reach redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/2: `),
  );
  assert.match(err.message, /ECONNREFUSED/);
  assert.doesNotMatch(err.message, /secret|\n/);

  // Something listening that never answers: the open gives up after its timeout.
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as { port: number }).port;
  try {
    const started = Date.now();
    const late = await openRedisStore(`redis://127.0.0.1:${silentPort}`, {
      connectTimeoutMs: 300,
    }).then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );
    assert.ok(late instanceof StoreOpenError);
    assert.match(late.message, /^cannot reach redis:\/\/127\.0\.0\.1:\d+: /);
    assert.ok(Date.now() - started < 5000);
  } finally {
    silent.close();
  }
});

test('Redis lost mid-run: each failed commit calls onError once, service goes on, commits work once it is back', async (t) => {
  if (!haveRedis(t)) return;
  let redis = await startRedis();
  const store = await openRedisStore(redis.url, { prefix: freshPrefix() });
  const errors: Error[] = [];
  store.onError = (err) => errors.push(err);
  try {
    store.history.append(rec('#a', 'before', T0 + 1));
    await committed(store);
    assert.deepEqual(errors, []);

    await redis.stop();
    const order: string[] = [];
    store.history.append(rec('#a', 'lost 1', T0 + 2));
    store.history.append(rec('#a', 'lost 2', T0 + 3));
    store.afterCommit(() => order.push('first'));
    store.accounts.setReadMarker('alice', '#a', T0 + 3);
    store.afterCommit(() => order.push('second'));
    await committed(store);
    assert.deepEqual(order, ['first', 'second'], 'callbacks still run, in order');
    assert.equal(errors.length, 1, 'one failed commit, one report');
    await assert.rejects(store.history.latest('#a', null, 10), 'a read fails, it does not hang');
    store.setMeta('k', 'v');
    await committed(store);
    assert.equal(errors.length, 2);

    redis = await startRedis(redis.port); // empty: nothing was saved
    const deadline = Date.now() + 15_000;
    let kept = false;
    for (let i = 0; !kept && Date.now() < deadline; i++) {
      const seen = errors.length;
      store.history.append(rec('#a', `after ${i}`, T0 + 10 + i));
      await committed(store);
      kept = errors.length === seen;
      if (!kept) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(kept, 'a commit succeeded after Redis came back');
    const after = labels(await store.history.latest('#a', null, 10));
    assert.equal(after.length, 1);
    assert.match(after[0], /^after \d+$/);
  } finally {
    await store.close();
    await redis.stop();
  }
});

test('a stalled Redis: past the backlog new messages are not kept (reported once each way), other writes still go', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const store = await openRedisStore(redis.url, { prefix: freshPrefix(), maxBacklog: 1 << 20 });
  const errors: string[] = [];
  store.onError = (err) => errors.push(err.message);
  try {
    redis.child.kill('SIGSTOP');
    const big = 'x'.repeat(300 * 1024);
    for (let i = 0; i < 6; i++) {
      store.history.append(rec('#a', `${i}${big}`, T0 + i));
      store.flush();
    }
    store.setMeta('still', 'sent');
    assert.deepEqual(errors, [`${redis.url} is behind: new messages are not being kept`]);
    const done = committed(store);
    redis.child.kill('SIGCONT');
    await done;
    store.history.append(rec('#a', 'after', T0 + 10));
    await committed(store);
    assert.deepEqual(errors.slice(1), [`${redis.url} caught up; 2 messages were not kept`]);
    const kept = labels(await store.history.latest('#a', null, 10)).map((l) => l.slice(0, 5));
    assert.deepEqual(kept, ['0xxxx', '1xxxx', '2xxxx', '3xxxx', 'after']);
    assert.equal(await store.getMeta('still'), 'sent');
  } finally {
    redis.child.kill('SIGCONT');
    await store.close();
    await redis.stop();
  }
});

test('two servers on one Redis store: an account made on one logs in on the other, which serves its history and its inbox', async (t) => {
  if (!haveRedis(t)) return;
  const [a, b] = await twoNodes();
  const one = await startServer({ defaultChannel: '' }, 'text', false, a);
  const two = await startServer({ defaultChannel: '' }, 'text', false, b);
  const clients: TestClient[] = [];
  try {
    await makeAccount(one.port, 'dave', 'correct-horse');
    const caps = ['batch', 'server-time', 'message-tags', 'echo-message', 'draft/chathistory'];
    const alice = await TestClient.register(one.port, 'alice', caps, false);
    clients.push(alice);
    alice.send('JOIN #h');
    await alice.expectCommand('366', 'alice', '#h');
    for (const text of ['one', 'two']) {
      alice.send(`PRIVMSG #h :${text}`);
      await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === text);
    }
    alice.send('PRIVMSG dave :left on server one');
    await alice.expect((m) => m.command === 'PRIVMSG' && m.params[0] === 'dave');

    const dave = await TestClient.register(two.port, 'dave', caps, false, 'dave:correct-horse');
    clients.push(dave);
    const held = await dave.expect((m) => m.command === 'PRIVMSG');
    assert.deepEqual(held.params, ['dave', 'left on server one']);
    dave.send('JOIN #h');
    await dave.expectCommand('366', 'dave', '#h');
    const got = await dave.replies('CHATHISTORY LATEST #h * 10');
    assert.deepEqual(
      got.filter((m) => m.command === 'PRIVMSG').map((m) => m.params[1]),
      ['one', 'two'],
    );
  } finally {
    for (const c of clients) c.destroy();
    await one.stop();
    await two.stop();
  }
});
