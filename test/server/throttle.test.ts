// The token bucket behind login-failure and registration limits (accounts.ts Throttle), on a clock the test moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Throttle } from '../../src/server/accounts.js';

/** How many keys the throttle remembers (private: forgetting full buckets shows nowhere else). */
const remembered = (t: Throttle) =>
  (t as unknown as { buckets: Map<string, unknown> }).buckets.size;

test('a key gets `burst` tries, then one per interval; the wait says exactly how long', () => {
  const t = new Throttle(3, 1000);
  assert.equal(t.allows('k', 0), true);
  assert.equal(t.waitMs('k', 0), 0);
  for (let k = 0; k < 3; k++) t.spend('k', 0);
  assert.equal(t.allows('k', 0), false);
  assert.equal(t.waitMs('k', 0), 1000);
  assert.equal(t.waitMs('k', 250), 750);
  assert.equal(t.allows('k', 999), false);
  assert.equal(t.allows('k', 1000), true, 'one token back after one interval');
  assert.equal(t.waitMs('k', 1000), 0);
  assert.equal(t.allows('other', 0), true, 'keys are counted apart');
  t.spend('k', 1000);
  assert.equal(t.allows('k', 1000), false, 'spent again at once');
  assert.equal(t.waitMs('k', 1500), 500);
});

test('spending never goes below empty, and a bucket full again is forgotten', () => {
  const t = new Throttle(2, 100);
  for (let k = 0; k < 10; k++) t.spend('k', 0);
  assert.equal(t.allows('k', 100), true, 'ten failures cost no more than two');
  assert.equal(remembered(t), 1);
  assert.equal(t.allows('k', 199), true);
  assert.equal(remembered(t), 1, 'not full yet');
  assert.equal(t.allows('k', 200), true);
  assert.equal(remembered(t), 0, 'exactly full: forgotten');
  t.spend('a', 0);
  t.spend('b', 0);
  assert.equal(t.waitMs('a', 1000), 0);
  assert.equal(remembered(t), 1, "only the key looked at is forgotten; b's stays until asked");
});
