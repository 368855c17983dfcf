// Reaching Redis, past what redis.test.ts covers: Redis away (no offline queue, the reconnect delay, close), open errors in one line, a Sentinel URL opened and Redis URLs parsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { isRedisUrl, parseSentinelUrl, shownUrl } from '../../src/store/redis-url.js';
import { openRedisStore } from '../../src/store/redis.js';
import { StoreOpenError } from '../../src/store/types.js';
import { haveRedis, startRedis, startSentinel } from '../helpers/redis.js';
import { committed, freshPrefix } from './kit.js';

/** The rejection of `p`, which must reject. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => assert.fail('resolved'),
    (e: unknown) => (e instanceof Error ? e : assert.fail(String(e))),
  );
}

test('Redis away: a read fails at once (no offline queue), reconnects start 100 ms apart, close() stops them', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const store = await openRedisStore(redis.url, { prefix: freshPrefix() });
  let closed = false;
  try {
    const delays: number[] = [];
    const events: string[] = [];
    store.redis.on('reconnecting', (ms: number) => {
      delays.push(ms);
      events.push('retry');
    });
    // Not events.once(): it gives up on the 'error' each failed attempt emits.
    const retry = () =>
      new Promise<void>((resolve) => store.redis.once('reconnecting', () => resolve()));
    const retrying = retry();
    await redis.stop();
    await retrying;
    assert.deepEqual(delays, [100], 'the first retry after 100 ms');
    const err = await rejection(store.getMeta('k'));
    events.push('read failed');
    assert.deepEqual(
      events,
      ['retry', 'read failed'],
      `not held until the next retry: ${err.message}`,
    );
    await retry();
    assert.deepEqual(delays, [100, 200], 'then 100 ms more each time');
    // QUIT cannot be sent; close() disconnects all the same. Nothing else here stops the
    // retries: a client left retrying would keep this file from ever exiting.
    await store.close();
    closed = true;
  } finally {
    if (!closed) store.redis.disconnect();
    await redis.stop();
  }
});

test('open errors are one line: a URL that does not parse, a Redis that does not answer or refuses', async () => {
  const bad = await rejection(openRedisStore('redis://127.0.0.1:notaport'));
  assert.ok(bad instanceof StoreOpenError);
  assert.equal(bad.message, 'cannot use redis://127.0.0.1:notaport: Invalid URL');

  // Something listening that never answers, then something that refuses every command.
  const sockets: Socket[] = [];
  let refuse = false;
  const server = createServer((s) => {
    sockets.push(s);
    s.on('data', (data) => {
      if (!refuse) return;
      const commands = data
        .toString()
        .split('\r\n')
        .filter((l) => /^\*\d+$/.test(l)).length;
      for (let i = 0; i < commands; i++) s.write('-ERR first line  \n   second line\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const silent = await rejection(
      openRedisStore(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 200 }),
    );
    assert.ok(silent instanceof StoreOpenError);
    assert.equal(silent.message, `cannot reach redis://127.0.0.1:${port}: no answer in 0.2 s`);
    refuse = true;
    const refused = await rejection(
      openRedisStore(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 5000 }),
    );
    assert.ok(refused instanceof StoreOpenError);
    assert.equal(
      refused.message,
      `cannot reach redis://127.0.0.1:${port}: ERR first line second line`,
    );
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

test('a redis+sentinel:// URL opens the master its Sentinel names', async (t) => {
  if (!haveRedis(t)) return;
  const master = await startRedis();
  const sentinel = await startSentinel(master, 'store');
  try {
    const store = await openRedisStore(sentinel.url, { prefix: 'p:' });
    try {
      assert.equal(store.where, sentinel.url);
      store.setMeta('k', 'through the sentinel');
      await committed(store);
    } finally {
      await store.close();
    }
    const direct = new Redis(master.url);
    try {
      assert.equal(await direct.hget('p:meta', 'k'), 'through the sentinel');
    } finally {
      direct.disconnect();
    }
  } finally {
    await sentinel.stop();
    await master.stop();
  }
});

test('Redis URLs: sentinel databases, trailing parts, ports, passwords and bracketed hosts', () => {
  assert.equal(parseSentinelUrl('redis+sentinel://a:1/m/12')?.db, 12);
  assert.deepEqual(parseSentinelUrl('redis+sentinel://a:1/m/'), {
    sentinels: [{ host: 'a', port: 1 }],
    name: 'm',
    db: 0,
  });
  for (const bad of ['redis+sentinel://a:1/m/3/x', 'redis+sentinel://a:1/m?x=1']) {
    assert.equal(parseSentinelUrl(bad), null, bad);
  }
  assert.equal(parseSentinelUrl('redis+sentinel://a:65535/m')?.sentinels[0].port, 65535);
  assert.equal(parseSentinelUrl('redis+sentinel://a:65536/m'), null);
  assert.deepEqual(parseSentinelUrl('redis+sentinel://@a:1/m'), {
    sentinels: [{ host: 'a', port: 1 }],
    name: 'm',
    db: 0,
  });
  assert.equal(parseSentinelUrl('redis+sentinel://pw@a:1/m')?.password, 'pw');
  assert.equal(parseSentinelUrl('redis+sentinel://user:p%40ss@a:1/m')?.password, 'p@ss');
  assert.deepEqual(
    parseSentinelUrl('redis+sentinel://x[y]:1,[::1]x:2/m')?.sentinels.map((s) => s.host),
    ['x[y]', '[::1]x'],
    'only a host wholly in brackets is unwrapped',
  );

  assert.ok(!isRedisUrl('./redis+sentinel://a:1/m'));
  assert.ok(!isRedisUrl('file redis+sentinel://a:1/m'));
  assert.equal(
    shownUrl('redis://:pw@h:1/0?name=redis+sentinel:x'),
    'redis://:***@h:1/0?name=redis+sentinel:x',
  );
  assert.equal(shownUrl('redis://h:notaport'), 'redis://h:notaport', 'unparsed: shown as given');
});
