// The scratch slabs: a burst's extra slabs are reused while it lasts and let go once it is over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claim, resetScratch, retireSlab, scratchSlab, slabCount } from '../../src/server/slab.js';

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

test('a claim larger than a slab gets a slab of its size, in place of a smaller one', () => {
  resetScratch(0);
  turn(3, 10); // slabs 0-2 exist, 256 KiB each
  claim(200 * 1024); // slab 0
  const at = claim(300 * 1024); // more than slab 1 holds
  assert.equal(at, 0);
  assert.ok(scratchSlab().length >= 300 * 1024, 'the slab grew to hold the claim');
  resetScratch(20);
});

test('claims fill a slab before the next one, and a turn never makes slabs it does not need', () => {
  resetScratch(0);
  turn(2, 10);
  const before = slabCount();
  claim(128 * 1024);
  const first = scratchSlab();
  const at = claim(128 * 1024); // fits exactly in what is left
  assert.equal(at, 128 * 1024);
  assert.equal(scratchSlab(), first);
  claim(1);
  assert.notEqual(scratchSlab(), first, 'full: the next slab');
  resetScratch(20);
  assert.equal(slabCount(), before, 'existing slabs reused, none added');
});

test('a retired slab is replaced where it was, whichever it was', () => {
  resetScratch(0);
  const seen = turn(3, 10);
  retireSlab(seen[1]);
  const again = turn(3, 20);
  assert.equal(again[0], seen[0]);
  assert.notEqual(again[1], seen[1], 'a socket may still hold bytes of the retired one');
  assert.equal(again[2], seen[2]);
  retireSlab(Buffer.alloc(10)); // not a slab: nothing changes
  assert.deepEqual(turn(3, 30), again);
});

test('the extras go at the first trim after a whole window without a big turn, not before', () => {
  const a = 50_000_000;
  turn(10, a); // more than the 8 kept: a trim, and the next is due at a + 5000
  turn(20, a + 1000); // a big turn inside this window
  turn(1, a + 4000);
  turn(1, a + 5000); // trim: this window needed 20
  assert.ok(slabCount() >= 20, 'kept: the window that ends now had the big turn');
  turn(1, a + 9999);
  assert.ok(slabCount() >= 20, 'the next window is not over yet');
  turn(1, a + 10_000); // exactly one window later
  assert.equal(slabCount(), 8);
});
