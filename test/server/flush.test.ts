// The flush pass (flush.ts) with scripted connections: one pass per turn, hooks before writes, resumes after, the scratch rewound only when nothing is left dirty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  beforeEveryWrite,
  EARLY_BYTES,
  markDirty,
  markReady,
  markSoon,
  SOON_MS,
  writeEarly,
} from '../../src/server/flush.js';
import { claim, scratchClaimed } from '../../src/server/slab.js';

const nextTurn = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('one pass per turn: the hooks, then every dirty connection, then the ready ones', async () => {
  const seen: string[] = [];
  const hook = () => seen.push('hook');
  beforeEveryWrite(hook, true);
  try {
    for (const name of ['a', 'b', 'c']) markDirty({ flush: () => seen.push(`flush ${name}`) });
    for (const name of ['x', 'y']) markReady({ resumeNow: () => seen.push(`resume ${name}`) });
    assert.equal(seen.length, 0, 'nothing runs before the turn ends');
    await nextTurn();
    assert.deepEqual(seen, ['hook', 'flush a', 'flush b', 'flush c', 'resume x', 'resume y']);
    await nextTurn();
    await nextTurn();
    assert.equal(seen.length, 6, 'one pass, however many marks');
  } finally {
    beforeEveryWrite(hook, false);
  }
  // A hook removed is not run again.
  markDirty({ flush: () => seen.push('flush d') });
  await nextTurn();
  assert.deepEqual(seen.slice(6), ['flush d']);
});

test('a pass after a larger one flushes only its own connections, each once', async () => {
  const seen: string[] = [];
  for (const name of ['a', 'b', 'c', 'd']) markDirty({ flush: () => seen.push(name) });
  await nextTurn();
  markDirty({ flush: () => seen.push('e') });
  await nextTurn();
  for (const name of ['f', 'g']) markDirty({ flush: () => seen.push(name) });
  await nextTurn();
  await nextTurn();
  assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
});

test('the scratch slab is rewound after a pass, unless a flush marked a connection dirty again', async () => {
  claim(100); // a connection's line of this turn
  markDirty({ flush: () => {} });
  await nextTurn();
  assert.equal(claim(100), 0, 'a pass with nothing left dirty starts the slab over');
  let again = true;
  const redirty = {
    flush() {
      if (again) markDirty(redirty); // its bytes are still to be written next pass
      again = false;
    },
  };
  markDirty(redirty);
  await nextTurn();
  assert.notEqual(claim(100), 0, 'claims of a connection still dirty are kept');
  await nextTurn();
  assert.equal(claim(100), 0, 'and rewound once it has been written');
});

test("a turn whose scratch passes EARLY_BYTES writes between its reads; the held-back still wait for the turn's end", async () => {
  const seen: string[] = [];
  const hook = () => seen.push('hook');
  beforeEveryWrite(hook, true);
  try {
    markDirty({ flush: () => seen.push('flush a') });
    markReady({ resumeNow: () => seen.push('resume x') });
    claim(64 * 1024);
    writeEarly();
    assert.equal(seen.length, 0, 'a turn of little output waits for its pass');
    claim(EARLY_BYTES);
    writeEarly();
    assert.deepEqual(seen, ['hook', 'flush a'], 'written at once, after the hooks');
    assert.equal(scratchClaimed(), 0, 'the scratch is rewound');
    markDirty({ flush: () => seen.push('flush b') });
    writeEarly();
    assert.equal(seen.length, 2, 'nothing claimed since: no early write');
    await nextTurn();
    assert.deepEqual(seen.slice(2), ['hook', 'flush b', 'resume x']);
  } finally {
    beforeEveryWrite(hook, false);
  }
});

test('news that may wait is written once, SOON_MS later, after the hooks', async () => {
  const seen: string[] = [];
  const hook = () => seen.push('hook');
  beforeEveryWrite(hook, true);
  try {
    markSoon({ flushSoon: () => seen.push('soon a') });
    markSoon({ flushSoon: () => seen.push('soon b') });
    await nextTurn();
    assert.equal(seen.length, 0, 'not before SOON_MS');
    await sleep(SOON_MS * 3);
    assert.deepEqual(seen, ['hook', 'soon a', 'soon b'], 'one timer for both');
  } finally {
    beforeEveryWrite(hook, false);
  }
});
