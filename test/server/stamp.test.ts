// Stamper: msgids sort in the order they were handed out, within a millisecond and across clock steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stamper } from '../../src/server/stamp.js';

test('msgids sort as strings in issue order, past the precomputed sequence texts', () => {
  let now = 1_764_000_000_000;
  const stamper = new Stamper(() => now);
  const ids: string[] = [];
  for (let i = 0; i < 3000; i++) ids.push(stamper.next().msgid); // one millisecond, 3000 messages
  now += 1;
  ids.push(stamper.next().msgid);
  now -= 5; // the wall clock steps back: the last time is kept, the sequence goes on
  const back = stamper.next();
  ids.push(back.msgid);
  assert.equal(back.ms, now + 5);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => id.length === 13));
  assert.equal(ids[1295].slice(9), '00zz');
  assert.equal(ids[1296].slice(9), '0100');
});

test('server-time is the ISO form of the stamp time', () => {
  const stamper = new Stamper(() => Date.UTC(2026, 10, 26, 13, 30, 0, 7));
  assert.equal(stamper.next().time, '2026-11-26T13:30:00.007Z');
});
