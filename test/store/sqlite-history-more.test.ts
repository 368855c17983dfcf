// The SQLite history past what sqlite.test.ts covers: a failing read rejects, a prune's last slice ends it, and prune leaves no conversation row behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PRUNE_SLICE } from '../../src/store/sqlite-history.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { T0, committed, labels, makeTemp, rec, rmTemp } from './kit.js';

/** Run `body` with the path of a database file (not yet created) in a fresh temp dir. */
async function withFile(body: (file: string) => Promise<void>): Promise<void> {
  const dir = makeTemp();
  try {
    await body(path.join(dir, 'parley.db'));
  } finally {
    rmTemp(dir);
  }
}

test('sqlite: a read SQLite refuses (here: the file is closed) is a rejected promise, not a throw', () =>
  withFile(async (file) => {
    const store = openSqliteStore(file);
    store.history.append(rec('#a', 'one', T0 + 1));
    await store.close();
    const reads: [string, () => Promise<unknown>][] = [
      ['latest', () => store.history.latest('#a', null, 10)],
      ['find', () => store.history.find('x')],
      ['targets', () => store.history.targets(['#a'], 'me', T0, T0 + 10, 10)],
      ['readMarkers', () => store.accounts.readMarkers('alice')],
      ['getMeta', () => store.getMeta('k')],
    ];
    for (const [what, read] of reads) {
      let answer: Promise<unknown> | undefined;
      assert.doesNotThrow(() => (answer = read()), what);
      await assert.rejects(answer as Promise<unknown>, /not open/, what);
    }
  }));

test('sqlite: a prune over exactly one slice of conversations is over after one commit', () =>
  withFile(async (file) => {
    const store = openSqliteStore(file);
    try {
      const name = (i: number) => `#c${String(i).padStart(4, '0')}`;
      for (let i = 0; i < PRUNE_SLICE; i++) {
        store.history.append(rec(name(i), `a${i}`, T0 + 1));
        store.history.append(rec(name(i), `b${i}`, T0 + 2));
      }
      await committed(store);
      store.history.prune(1, Number.POSITIVE_INFINITY, T0 + 10);
      await committed(store);
      let idle = false;
      store.afterCommit(() => (idle = true));
      assert.ok(idle, 'no further slice queued');
      const last = name(PRUNE_SLICE - 1);
      assert.deepEqual(labels(await store.history.latest(last, null, 10)), [`b${PRUNE_SLICE - 1}`]);
    } finally {
      await store.close();
    }
  }));

test('sqlite: prune forgets the conversations it empties; one written again is known again', () =>
  withFile(async (file) => {
    const store = openSqliteStore(file);
    try {
      const h = store.history;
      h.append(rec('alice bob', 'old', T0 + 1));
      h.append(rec('#a', 'old', T0 + 1));
      h.append(rec('#b', 'new', T0 + 50));
      await committed(store);
      h.prune(Number.POSITIVE_INFINITY, 10, T0 + 20); // older than T0 + 10 goes
      await committed(store);
      assert.deepEqual(await h.targets([], 'alice', T0, T0 + 100, 10), []);
      h.append(rec('alice bob', 'again', T0 + 30));
      await committed(store);
      const rows = await h.targets([], 'bob', T0, T0 + 100, 10);
      assert.deepEqual(
        rows.map((r) => [r.conversation, r.latest.text]),
        [['alice bob', 'again']],
      );
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      const names = db.prepare('SELECT name FROM conversations ORDER BY name').pluck().all();
      assert.deepEqual(names, ['#b', 'alice bob'], '#a was emptied: its row is gone');
    } finally {
      db.close();
    }
  }));
