// The Redis store past what redis.test.ts covers: its key layout, the backlog's byte count, refused and discarded transactions, batches answered out of order, an open that leaves no timer, damaged records and scripts run by SHA (redis-reach.test.ts: Redis away, open errors, Sentinel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { encode } from '../../src/store/redis-history.js';
import { Script } from '../../src/store/redis-script.js';
import { openRedisStore, type RedisStore } from '../../src/store/redis.js';
import type { HistoryRecord } from '../../src/store/types.js';
import { haveRedis } from '../helpers/redis.js';
import { ALICE as alice, T0, committed, freshPrefix, labels, rec, testRedisUrl } from './kit.js';

test('the keys are the layout redis-lua.ts documents, under parley:store: by default', async (t) => {
  if (!haveRedis(t)) return;
  // This file's redis-server is its own: the default prefix is free here.
  const store = await openRedisStore(await testRedisUrl());
  try {
    assert.equal(store.shared, true, 'a node keeps only the messages sent from it');
    assert.equal(store.prefix, 'parley:store:');
    const pm = rec('alice bob', 'hi', T0 + 1);
    await store.accounts.create(alice);
    store.history.append(rec('#a', 'one', T0));
    store.history.append(pm);
    store.accounts.addToInbox('bob', pm.msgid);
    store.accounts.setReadMarker('alice', '#a', T0);
    store.setMeta('cloak-secret', 's3');
    store.channels.put({
      name: '#A',
      key: '#a',
      founder: 'alice',
      topic: '',
      topicBy: '',
      topicAt: 0,
      modes: 'nt',
      password: null,
      limit: null,
      lists: {},
      createdAt: T0,
    });
    await committed(store);
    const keys = (await store.redis.keys('parley:store:*')).sort();
    assert.deepEqual(
      keys,
      [
        'acct',
        'c:#a',
        'c:alice bob',
        'chan',
        'convs',
        'inbox:bob',
        'mark:alice',
        'meta',
        'pc:alice',
        'pc:bob',
        'rec',
      ].map((k) => `parley:store:${k}`),
    );
    assert.equal(await store.redis.hget('parley:store:acct', 'alice'), JSON.stringify(alice));
    assert.equal(await store.redis.hget('parley:store:mark:alice', '#a'), String(T0));
    assert.deepEqual(await store.redis.lrange('parley:store:inbox:bob', 0, -1), [pm.msgid]);
    // What an earlier run left is read back the same way.
    await store.redis.hset('parley:store:mark:carol', '#b', T0 + 7);
    assert.deepEqual(await store.accounts.readMarkers('carol'), [['#b', T0 + 7]]);
    await store.redis.del(...keys, 'parley:store:mark:carol');
  } finally {
    await store.close();
  }
});

/** Records of one size on the wire (same conversation, label length and msgid length). */
function sameSize(n: number): HistoryRecord[] {
  return Array.from({ length: n }, (_, i) => rec('#a', `m${i + 1}`, T0 + i));
}

/** What the backlog counts for an append (redis.ts: its JSON, msgid and conversation, and 16). */
function bytesOf(r: HistoryRecord): number {
  return encode(r).length + r.msgid.length + r.conversation.length + 16;
}

test('the backlog counts the bytes queued: the append that reaches it is kept, the next is not', async (t) => {
  if (!haveRedis(t)) return;
  const url = await testRedisUrl();
  const records = sameSize(6);
  const size = bytesOf(records[0]);
  for (const r of records) assert.equal(bytesOf(r), size);
  // Room for exactly two: the third is the first past it.
  for (const [maxBacklog, kept] of [
    [2 * size, 3],
    [2 * size - 1, 2],
  ]) {
    const store = await openRedisStore(url, { prefix: freshPrefix(), maxBacklog });
    const errors: string[] = [];
    store.onError = (err) => errors.push(err.message);
    try {
      for (const [i, r] of records.slice(0, 5).entries()) {
        store.history.append(r); // one turn: all of them queued, none sent yet
        const behind =
          i + 1 > kept ? [`${store.where} is behind: new messages are not being kept`] : [];
        assert.deepEqual(errors, behind, `after m${i + 1}, room for ${maxBacklog}`);
      }
      await committed(store);
      store.history.append(records[5]);
      assert.deepEqual(errors.slice(1), [
        `${store.where} caught up; ${5 - kept} messages were not kept`,
      ]);
      await committed(store);
      const want = [...records.slice(0, kept), records[5]].map((r) => r.text);
      assert.deepEqual(labels(await store.history.latest('#a', null, 10)), want);
    } finally {
      await store.close();
    }
  }
});

test('the backlog counts other writes too, their strings by length and numbers as 16', async (t) => {
  if (!haveRedis(t)) return;
  const url = await testRedisUrl();
  const [r] = sameSize(1);
  const maxBacklog = 4096;
  const prefix = freshPrefix();
  const store = await openRedisStore(url, { prefix, maxBacklog });
  const errors: string[] = [];
  store.onError = (err) => errors.push(err.message);
  try {
    // HSET <prefix>mark:alice #a <time>: 4 + key + 2 + 16.
    store.accounts.setReadMarker('alice', '#a', T0);
    const marker = 4 + `${prefix}mark:alice`.length + 2 + 16;
    // HSET <prefix>meta k <value>, sized so that the two reach the backlog exactly.
    const value = 'v'.repeat(maxBacklog - marker - 4 - `${prefix}meta`.length - 1);
    store.setMeta('k', value);
    store.history.append(r); // exactly at the backlog: still kept
    store.history.append(rec('#a', 'm2', T0 + 1)); // past it: not kept
    assert.equal(errors.length, 1);
    await committed(store);
    assert.deepEqual(labels(await store.history.latest('#a', null, 10)), ['m1']);
    assert.equal(await store.getMeta('k'), value);
  } finally {
    await store.close();
  }
});

test('without onError, a message not kept or a failed batch throws nothing, and callbacks run', async (t) => {
  if (!haveRedis(t)) return;
  const store = await openRedisStore(await testRedisUrl(), {
    prefix: freshPrefix(),
    maxBacklog: 1,
  });
  try {
    const [one, two, three] = sameSize(3);
    store.history.append(one);
    store.history.append(two); // behind: not kept, nobody told
    await committed(store);
    store.history.append(three); // caught up, nobody told
    await committed(store);
    assert.deepEqual(labels(await store.history.latest('#a', null, 10)), ['m1', 'm3']);
    await store.redis.set(store.prefix + 'meta', 'not a hash');
    store.setMeta('k', 'v'); // refused by Redis
    let ran = false;
    store.afterCommit(() => (ran = true));
    await committed(store);
    assert.ok(ran);
  } finally {
    await store.close();
  }
});

test('a command Redis refuses fails its batch: onError once, the rest of the batch still applies', async (t) => {
  if (!haveRedis(t)) return;
  const store = await openRedisStore(await testRedisUrl(), { prefix: freshPrefix() });
  const errors: Error[] = [];
  store.onError = (err) => errors.push(err);
  try {
    await store.redis.set(store.prefix + 'meta', 'not a hash');
    await store.redis.set(store.prefix + 'chan', 'not a hash either');
    store.setMeta('k', 'v');
    store.channels.delete('#x');
    store.accounts.setReadMarker('alice', '#a', T0 + 1);
    await committed(store);
    assert.equal(errors.length, 1, 'one report for the batch');
    assert.match(errors[0].message, /WRONGTYPE/);
    assert.equal(await store.accounts.readMarker('alice', '#a'), T0 + 1);
  } finally {
    await store.close();
  }
});

/** What the next transactions of `store` do instead of going out as they are. */
type Plan = 'hold' | 'throw' | 'discarded';

/** Make the store's next transactions follow `plans`; `release` sends the one held. */
function intercept(store: RedisStore, plans: Plan[]): { release: () => void } {
  const multi = store.redis.multi.bind(store.redis);
  let held: (() => void) | null = null;
  store.redis.multi = ((...args: Parameters<typeof multi>) => {
    const plan = plans.shift();
    if (plan === 'throw') throw new Error('refused at once');
    const m = multi(...args);
    if (plan === 'discarded') {
      m.exec = (() => Promise.resolve(null)) as typeof m.exec;
    } else if (plan === 'hold') {
      const exec = m.exec.bind(m);
      m.exec = (() =>
        new Promise((resolve, reject) => {
          held = () => void exec().then(resolve, reject);
        })) as typeof m.exec;
    }
    return m;
  }) as typeof store.redis.multi;
  return { release: () => held?.() };
}

test('afterCommit waits for every batch before it, even one answered later than the next', async (t) => {
  if (!haveRedis(t)) return;
  const store = await openRedisStore(await testRedisUrl(), { prefix: freshPrefix() });
  try {
    const { release } = intercept(store, ['hold', 'throw']);
    let reported!: () => void;
    const failed = new Promise<void>((resolve) => (reported = resolve));
    const errors: string[] = [];
    store.onError = (err) => {
      errors.push(err.message);
      reported();
    };
    const order: string[] = [];
    store.history.append(rec('#a', 'held', T0 + 1));
    store.afterCommit(() => order.push('first'));
    store.flush(); // sent (held back by the interceptor)
    store.afterCommit(() => order.push('behind the sent batch'));
    assert.deepEqual([...order], [], 'a batch is in flight: not at once');
    store.setMeta('k', 'v');
    store.afterCommit(() => order.push('second'));
    store.flush(); // fails at once
    await failed;
    assert.deepEqual(errors, ['refused at once']);
    assert.deepEqual([...order], [], 'the second batch is settled, the first is not: nobody runs');
    release();
    await committed(store);
    assert.deepEqual(order, ['first', 'behind the sent batch', 'second']);
    assert.deepEqual(labels(await store.history.latest('#a', null, 10)), ['held']);
    assert.equal(await store.getMeta('k'), null, 'the failed batch is lost');
  } finally {
    await store.close();
  }
});

test('a write queued after flush() goes out in a turn of its own, not the cancelled one', async (t) => {
  if (!haveRedis(t)) return;
  const store = await openRedisStore(await testRedisUrl(), { prefix: freshPrefix() });
  try {
    let transactions = 0;
    const multi = store.redis.multi.bind(store.redis);
    store.redis.multi = ((...args: Parameters<typeof multi>) => {
      transactions++;
      return multi(...args);
    }) as typeof store.redis.multi;
    store.history.append(rec('#a', 'one', T0 + 1)); // schedules this turn's transaction
    store.flush(); // sends it now, in place of it
    assert.equal(transactions, 1);
    // Scheduled before the next write's turn: it runs between the two.
    const between = new Promise<number>((resolve) => setImmediate(() => resolve(transactions)));
    store.history.append(rec('#a', 'two', T0 + 2));
    assert.equal(await between, 1);
    await committed(store);
    assert.equal(transactions, 2);
    assert.deepEqual(labels(await store.history.latest('#a', null, 10)), ['one', 'two']);
  } finally {
    await store.close();
  }
});

test('a transaction EXEC answers with nil is a failed commit', async (t) => {
  if (!haveRedis(t)) return;
  const store = await openRedisStore(await testRedisUrl(), { prefix: freshPrefix() });
  const errors: string[] = [];
  store.onError = (err) => errors.push(err.message);
  try {
    intercept(store, ['discarded']);
    store.history.append(rec('#a', 'lost', T0 + 1));
    let ran = false;
    store.afterCommit(() => (ran = true));
    await committed(store);
    assert.ok(ran);
    assert.deepEqual(errors, ['transaction discarded']);
    assert.deepEqual(await store.history.latest('#a', null, 10), []);
  } finally {
    await store.close();
  }
});

test('an open leaves no timer behind', async (t) => {
  if (!haveRedis(t)) return;
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const store = await openRedisStore(await testRedisUrl(), {
    prefix: freshPrefix(),
    connectTimeoutMs: 3_600_000,
  });
  await store.close();
  assert.equal(timers(), before);
});

test('a record gone from the record hash is left out of ranges and TARGETS, not an error', async (t) => {
  if (!haveRedis(t)) return;
  const store = await openRedisStore(await testRedisUrl(), { prefix: freshPrefix() });
  try {
    const h = store.history;
    const [a1, a2, a3] = ['a1', 'a2', 'a3'].map((l, i) => rec('#a', l, T0 + i));
    const b1 = rec('#b', 'b1', T0 + 5);
    for (const r of [a1, a2, a3, b1]) h.append(r);
    await committed(store);
    await store.redis.hdel(store.prefix + 'rec', a2.msgid, b1.msgid);
    assert.deepEqual(labels(await h.latest('#a', null, 10)), ['a1', 'a3']);
    assert.deepEqual(labels(await h.after('#a', { msgid: a1.msgid }, 10)), ['a3']);
    const rows = await h.targets(['#a', '#b'], 'me', T0 - 1, T0 + 10, 10);
    assert.deepEqual(
      rows.map((r) => [r.conversation, r.latest.text]),
      [['#a', 'a3']],
    );
  } finally {
    await store.close();
  }
});

test('a prune whose last slice is answered leaves nothing queued', async (t) => {
  if (!haveRedis(t)) return;
  const store = await openRedisStore(await testRedisUrl(), { prefix: freshPrefix() });
  try {
    for (let i = 0; i < 5; i++) store.history.append(rec(`#c${i % 2}`, `m${i}`, T0 + i));
    await committed(store);
    store.history.prune(1, Number.POSITIVE_INFINITY, T0 + 100);
    await committed(store);
    let idle = false;
    store.afterCommit(() => (idle = true));
    assert.ok(idle, 'no further slice queued');
    assert.deepEqual(labels(await store.history.latest('#c0', null, 10)), ['m4']);
    assert.deepEqual(labels(await store.history.latest('#c1', null, 10)), ['m3']);
  } finally {
    await store.close();
  }
});

test('a script goes by its SHA1: sent whole once, and again only after Redis forgets it', async (t) => {
  if (!haveRedis(t)) return;
  const redis = new Redis(await testRedisUrl());
  try {
    await redis.script('FLUSH');
    let whole = 0;
    const evalWhole = redis.eval.bind(redis);
    redis.eval = ((...args: Parameters<typeof evalWhole>) => {
      whole++;
      return evalWhole(...args);
    }) as typeof redis.eval;
    const script = new Script("return 'echo ' .. ARGV[1]");
    assert.equal(await script.run(redis, [], ['one']), 'echo one');
    assert.equal(await script.run(redis, [], ['two']), 'echo two');
    assert.equal(whole, 1);
    await redis.script('FLUSH');
    assert.equal(await script.run(redis, [], ['three']), 'echo three');
    assert.equal(whole, 2);
  } finally {
    redis.disconnect();
  }
});
