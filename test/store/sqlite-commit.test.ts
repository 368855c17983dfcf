// When the SQLite store commits: next turn, or on a timer that a busy batch may stretch; at once at 20,000 rows, on flush() and close(); a failed commit without onError.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, type SqliteOptions, type SqliteStore } from '../../src/store/sqlite.js';
import { T0, committed, labels, makeTemp, rec, rmTemp } from './kit.js';

/** Run `body` on a store opened with `options` in a fresh temp dir, then close and remove it. */
async function withSqlite(
  options: SqliteOptions,
  body: (store: SqliteStore) => Promise<void> | void,
): Promise<void> {
  const dir = makeTemp();
  try {
    const file = path.join(dir, 'parley.db');
    const store = openSqliteStore(file, options);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  } finally {
    rmTemp(dir);
  }
}

/** Whether the commit holding everything queued so far has run, read at any later moment. */
function commitSeen(store: SqliteStore): () => boolean {
  let done = false;
  store.afterCommit(() => (done = true));
  return () => done;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Fake setTimeout and performance.now() for this test: advance(ms) moves both, running the
 * timers that fall due. The store measures how long a batch is held with performance.now().
 */
function fakeClock(t: TestContext): (ms: number) => void {
  let now = 5000; // not 0: a batch's start time must count
  t.mock.method(performance, 'now', () => now);
  t.mock.timers.enable({ apis: ['setTimeout'] });
  return (ms) => {
    now += ms;
    t.mock.timers.tick(ms);
  };
}

test('sqlite commit: on the next turn; the 20,000th queued row commits the batch at once', () =>
  withSqlite({}, async (store) => {
    store.history.append(rec('#a', 'one', T0));
    const one = commitSeen(store);
    assert.equal(one(), false, 'queued, not yet committed');
    await nextTurn();
    assert.equal(one(), true);

    const rows = Array.from({ length: 20_000 }, (_, i) => rec('#b', `r${i}`, T0 + i));
    for (const r of rows.slice(0, -1)) store.history.append(r);
    const all = commitSeen(store);
    assert.equal(all(), false, '19,999 rows wait for the turn');
    store.history.append(rows[rows.length - 1]);
    assert.equal(all(), true, 'the 20,000th commits them in the same call');
    assert.deepEqual(labels(await store.history.latest('#b', null, 2)), ['r19998', 'r19999']);
  }));

test('sqlite commit: with commitEveryMs, a light batch commits when its time is up, not before', (t) => {
  const advance = fakeClock(t);
  return withSqlite({ commitEveryMs: 50 }, async (store) => {
    store.history.append(rec('#a', 'one', T0));
    const one = commitSeen(store);
    await nextTurn();
    await nextTurn();
    assert.equal(one(), false, 'not on the next turn');
    advance(49);
    assert.equal(one(), false);
    advance(1);
    assert.equal(one(), true);

    // 999 rows is still light: no waiting past commitEveryMs.
    for (let i = 0; i < 999; i++) store.history.append(rec('#b', `r${i}`, T0 + i));
    const light = commitSeen(store);
    advance(50);
    assert.equal(light(), true);
    assert.deepEqual(labels(await store.history.latest('#b', null, 1)), ['r998']);
  });
});

test('sqlite commit: a busy batch (1,000 rows) grows while held up to 250 ms, then commits whole', (t) => {
  const advance = fakeClock(t);
  // commitEveryMs 125: held 125 ms + another 125 is just within 250 ms, so it waits once.
  return withSqlite({ commitEveryMs: 125 }, async (store) => {
    for (let i = 0; i < 1000; i++) store.history.append(rec('#a', `r${i}`, T0 + i));
    const busy = commitSeen(store);
    advance(125);
    assert.equal(busy(), false, 'held for more');
    store.history.append(rec('#a', 'late', T0 + 2000));
    const late = commitSeen(store);
    advance(124);
    assert.equal(busy(), false);
    advance(1);
    assert.equal(busy(), true, '250 ms held: no more waiting');
    assert.equal(late(), true, 'what came while it waited is in the same commit');
    assert.deepEqual(labels(await store.history.latest('#a', null, 2)), ['r999', 'late']);
  });
});

test('sqlite commit: with commitEveryMs 200 even a busy batch commits at its first time-up', (t) => {
  const advance = fakeClock(t);
  return withSqlite({ commitEveryMs: 200 }, (store) => {
    for (let i = 0; i < 1000; i++) store.history.append(rec('#a', `r${i}`, T0 + i));
    const busy = commitSeen(store);
    advance(199);
    assert.equal(busy(), false);
    advance(1);
    assert.equal(busy(), true, '200 + 200 ms would hold it past 250');
  });
});

test('sqlite commit: flush() commits at once and cancels the timed commit it replaces', (t) => {
  const advance = fakeClock(t);
  return withSqlite({ commitEveryMs: 100 }, async (store) => {
    store.flush(); // nothing queued: nothing to do
    store.history.append(rec('#a', 'one', T0));
    const one = commitSeen(store);
    store.flush();
    assert.equal(one(), true);
    assert.deepEqual(labels(await store.history.latest('#a', null, 5)), ['one']);

    advance(50);
    store.history.append(rec('#a', 'two', T0 + 1));
    const two = commitSeen(store);
    advance(50); // one's timer would have been due now
    assert.equal(two(), false, 'two waits its own 100 ms');
    advance(50);
    assert.equal(two(), true);
  });
});

test('sqlite commit: flush() cancels the next-turn commit it replaces', () =>
  withSqlite({}, async (store) => {
    store.history.append(rec('#a', 'one', T0));
    store.flush();
    let twoBeforeItsTurn: boolean | null = null;
    setImmediate(() => (twoBeforeItsTurn = two()));
    store.history.append(rec('#a', 'two', T0 + 1));
    const two = commitSeen(store);
    await committed(store);
    await nextTurn();
    assert.equal(twoBeforeItsTurn, false, "two is committed on its own turn, not by one's");
    assert.equal(two(), true);
  }));

test('sqlite commit: close() commits what a timer still holds', async (t) => {
  const advance = fakeClock(t);
  const dir = makeTemp();
  try {
    const file = path.join(dir, 'parley.db');
    const store = openSqliteStore(file, { commitEveryMs: 1000 });
    store.history.append(rec('#a', 'last words', T0));
    const seen = commitSeen(store);
    await store.close();
    assert.equal(seen(), true);
    advance(1000); // the cancelled timer does not run on the closed file
    const again = openSqliteStore(file);
    try {
      assert.deepEqual(labels(await again.history.latest('#a', null, 5)), ['last words']);
    } finally {
      await again.close();
    }
  } finally {
    rmTemp(dir);
  }
});

/** How many pages a new file with the empty schema has. */
function emptyPages(file: string): number {
  void openSqliteStore(file).close();
  const db = new Database(file);
  try {
    return db.pragma('page_count', { simple: true }) as number;
  } finally {
    db.close();
    for (const end of ['', '-wal', '-shm']) fs.rmSync(file + end, { force: true });
  }
}

test('sqlite commit: a failed commit with no onError set is a process warning naming the file', async (t) => {
  const dir = makeTemp();
  try {
    const file = path.join(dir, 'parley.db');
    // A cap a few pages above the empty schema: the big commit fails with SQLITE_FULL.
    const store = openSqliteStore(file, { maxPageCount: emptyPages(file) + 3 });
    try {
      const warnings = t.mock.method(process, 'emitWarning', () => {});
      for (let i = 0; i < 40; i++) {
        store.history.append(rec('#a', `big${i}`, T0 + i, { text: 'x'.repeat(3000) }));
      }
      const seen = commitSeen(store);
      store.flush();
      assert.equal(seen(), true, 'callbacks run after a failed commit too');
      assert.deepEqual(
        warnings.mock.calls.map((c) => c.arguments[0]),
        [`parley store ${file}: commit failed: database or disk is full`],
      );
      assert.deepEqual(await store.history.latest('#a', null, 5), []);
    } finally {
      await store.close();
    }
  } finally {
    rmTemp(dir);
  }
});
