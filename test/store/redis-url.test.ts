// The Redis URLs --db and --cluster take: which are Redis, what a redis+sentinel:// URL says, and what logs show of one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRedisUrl, parseSentinelUrl, shownUrl } from '../../src/store/redis-url.js';

test('isRedisUrl: the three URL forms, and files that only look like them are files', () => {
  for (const u of ['redis://h:1', 'REDISS://h:1/2', 'redis+sentinel://h:1/m'])
    assert.ok(isRedisUrl(u), u);
  for (const u of ['redis.db', './redis://x', 'http://h:1', ':memory:'])
    assert.ok(!isRedisUrl(u), u);
});

test('parseSentinelUrl: sentinels, master name, database and password', () => {
  assert.deepEqual(parseSentinelUrl('redis+sentinel://a:26380,b,[::1]:5/my%20master/3'), {
    sentinels: [
      { host: 'a', port: 26380 },
      { host: 'b', port: 26379 },
      { host: '::1', port: 5 },
    ],
    name: 'my master',
    db: 3,
  });
  assert.equal(parseSentinelUrl('redis+sentinel://:s3cret@a:1/m')?.password, 's3cret');
  for (const bad of ['redis+sentinel://a:1', 'redis+sentinel://a:0/m', 'redis+sentinel://:1/m']) {
    assert.equal(parseSentinelUrl(bad), null, bad);
  }
});

test('shownUrl hides passwords, Sentinel URLs too', () => {
  assert.equal(shownUrl('redis://:pw@h:1/0'), 'redis://:***@h:1/0');
  assert.equal(shownUrl('redis+sentinel://:pw@a:1,b:2/m'), 'redis+sentinel://***@a:1,b:2/m');
  assert.equal(shownUrl('redis+sentinel://a:1/m'), 'redis+sentinel://a:1/m');
  // A URL that does not parse still shows no credentials (it is quoted in the error about it).
  assert.equal(shownUrl('redis://:pw@127.0.0.1:notaport'), 'redis://***@127.0.0.1:notaport');
  assert.equal(shownUrl('redis://user:pw@h:99999'), 'redis://***@h:99999');
});
