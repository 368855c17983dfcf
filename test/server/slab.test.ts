// The scratch slabs: a burst's extra slabs are reused while it lasts and let go once it is over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claim, resetScratch, scratchSlab, slabCount } from '../../src/server/slab.js';

/** One turn that claims `n` whole slabs. */
function turn(n: number, now: number): Buffer[] {
  const seen: Buffer[] = [];
  for (let k = 0; k < n; k++) {
    claim(256 * 1024);
    seen.push(scratchSlab());
  }
  resetScratch(now);
  return seen;
}

test('a burst keeps the slabs its turns need, and they go a trim window after it ends', () => {
  let now = 1_000_000;
  const first = turn(20, now);
  assert.equal(new Set(first).size, 20);
  assert.ok(slabCount() >= 20, 'the burst turn kept its slabs');
  const second = turn(20, (now += 10));
  assert.deepEqual(second, first, 'the next burst turn reuses the same slabs (no fresh memory)');
  // Quiet turns for one window: the peak of that window still holds them...
  for (let t = 0; t < 5; t++) turn(1, (now += 1000));
  turn(1, (now += 1000));
  // ...and a whole window without a big turn lets the extras go.
  for (let t = 0; t < 6; t++) turn(1, (now += 1000));
  assert.equal(slabCount(), 8);
});
