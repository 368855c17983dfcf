// opers.ts CheckBudget: the server-wide budget of password checks, a burst of five then five a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckBudget } from '../../src/server/opers.js';

test('five checks at once, then one per 200 ms; a long pause refills only the burst', () => {
  const b = new CheckBudget();
  const t = 1_000_000;
  for (let i = 0; i < 5; i++) assert.equal(b.take(t), true, `check ${i + 1}`);
  assert.equal(b.take(t), false, 'the sixth at once is refused');
  assert.equal(b.take(t + 199), false, 'not a whole token yet');
  assert.equal(b.take(t + 200), true);
  assert.equal(b.take(t + 200), false);
  const later = t + 3_600_000;
  for (let i = 0; i < 5; i++) assert.equal(b.take(later), true);
  assert.equal(b.take(later), false, 'an hour of quiet still allows five');
});

test('refused attempts do not use up the budget', () => {
  const b = new CheckBudget();
  const t = 5_000_000;
  for (let i = 0; i < 5; i++) b.take(t);
  for (let ms = 1; ms < 200; ms += 20) assert.equal(b.take(t + ms), false);
  // (201: the fractions added up on the way may fall a hair short of a whole token at 200)
  assert.equal(b.take(t + 201), true, 'a token 200 ms after the burst, however often asked');
});
