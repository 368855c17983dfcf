// What only a file can do: survive a reopen, refuse a second server, a newer or foreign file, and a failed commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../src/store/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { StoreOpenError } from '../../src/store/types.js';
import { T0, committed, labels, makeTemp, rec, rmTemp } from './kit.js';

/** Run `body` with the path of a database file (not yet created) in a fresh temp dir. */
async function withFile(body: (file: string) => Promise<void> | void): Promise<void> {
  const dir = makeTemp();
  try {
    await body(path.join(dir, 'parley.db'));
  } finally {
    rmTemp(dir);
  }
}

/** The StoreOpenError that opening `file` throws, checked to be one line naming the file. */
function openError(file: string, why: RegExp): void {
  assert.throws(
    () => openSqliteStore(file),
    (err: unknown) => {
      assert.ok(err instanceof StoreOpenError, String(err));
      assert.ok(err.message.includes(file), err.message);
      assert.ok(!err.message.includes('\n'), err.message);
      assert.match(err.message, why);
      return true;
    },
  );
}

test('sqlite: everything written is there after a reopen', () =>
  withFile(async (file) => {
    const first = openSqliteStore(file);
    const msgs = [rec('#a', 'one', T0 + 1), rec('alice bob', 'two', T0 + 2)];
    for (const m of msgs) first.history.append(m);
    first.accounts.addToInbox('bob', msgs[1].msgid);
    first.accounts.setReadMarker('alice', '#a', T0 + 1);
    first.setMeta('cloak-secret', 'k');
    const account = {
      name: 'Alice',
      key: 'alice',
      password: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
      scram: null,
      email: 'a@example.org',
      createdAt: T0,
    };
    assert.equal(await first.accounts.create(account), true);
    const channel = {
      name: '#a',
      key: '#a',
      founder: 'alice',
      topic: 't',
      topicBy: 'alice',
      topicAt: T0,
      modes: 'nt',
      password: null,
      limit: 5,
      lists: { b: [{ mask: 'x!*@*', setBy: 'alice', setAt: T0 }] },
      createdAt: T0,
    };
    first.channels.put(channel);
    await first.close(); // commits what is still queued
    const again = openSqliteStore(file);
    try {
      assert.deepEqual(labels(await again.history.latest('#a', null, 10)), ['one']);
      assert.deepEqual(await again.history.find(msgs[1].msgid), msgs[1]);
      assert.deepEqual(await again.accounts.get('alice'), account);
      assert.deepEqual(await again.accounts.takeInbox('bob'), [msgs[1]]);
      assert.equal(await again.accounts.readMarker('alice', '#a'), T0 + 1);
      assert.equal(await again.getMeta('cloak-secret'), 'k');
      assert.deepEqual(await again.channels.all(), [channel]);
      const raw = await again.history.targets(['#a'], 'alice', T0, T0 + 9, 9);
      assert.deepEqual(
        raw.map((r) => r.conversation),
        ['#a', 'alice bob'],
      );
    } finally {
      await again.close();
    }
  }));

test('sqlite: a channel list stored as bare masks (before entries kept their setter) reads back', () =>
  withFile(async (file) => {
    await openSqliteStore(file).close();
    const db = new Database(file);
    db.prepare(
      `INSERT INTO channels (key, name, founder, topic, topic_by, topic_at, modes, password,
         user_limit, lists, created_at) VALUES ('#old', '#Old', 'alice', '', '', 0, 'nt', NULL,
         NULL, '{"b":["x!*@*"]}', ?)`,
    ).run(T0);
    db.close();
    const store = openSqliteStore(file);
    try {
      const [old] = await store.channels.all();
      assert.deepEqual(old.lists, { b: [{ mask: 'x!*@*', setBy: 'ChanServ', setAt: T0 }] });
    } finally {
      await store.close();
    }
  }));

test('sqlite: a second server, in this process or another, cannot open a file in use', () =>
  withFile(async (file) => {
    const store = openSqliteStore(file);
    try {
      openError(file, /in use by another running parley server/);
      const module = pathToFileURL(path.resolve('dist/src/store/sqlite.js')).href;
      const child = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { openSqliteStore } from ${JSON.stringify(module)};
           try { openSqliteStore(${JSON.stringify(file)}); console.log('opened'); }
           catch (err) { console.log(err.constructor.name + ': ' + err.message); }`,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      assert.match(child.stdout, /^StoreOpenError: .*in use by another running parley server/);
      store.history.append(rec('#a', 'still mine', T0));
      await committed(store);
      assert.deepEqual(labels(await store.history.latest('#a', null, 1)), ['still mine']);
    } finally {
      await store.close();
    }
    await openSqliteStore(file).close(); // released on close
  }));

test('sqlite: a file from a newer parley, a foreign file or a bad place is refused in one line', () =>
  withFile((file) => {
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    openError(
      file,
      new RegExp(
        `written by a newer parley \\(schema version ${SCHEMA_VERSION + 1}; ` +
          `this one knows up to ${SCHEMA_VERSION}\\)`,
      ),
    );

    fs.writeFileSync(file, Buffer.alloc(16_384, 'garbage '));
    openError(file, /not a parley database/);

    fs.rmSync(file);
    openSqliteStore(file).close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0xa5, 100, 4096); // the schema's page, past the 100-byte file header
    fs.writeFileSync(file, bytes);
    openError(file, /damaged|not a parley database/);

    fs.rmSync(file);
    fs.mkdirSync(file);
    openError(file, /is a directory/);

    openError(path.join(file, 'missing', 'x.db'), /directory .* does not exist/);
  }));

/** How many pages a new file with the empty schema has. */
function emptyPages(file: string): number {
  const probe = openSqliteStore(file);
  void probe.close();
  const db = new Database(file);
  try {
    return db.pragma('page_count', { simple: true }) as number;
  } finally {
    db.close();
    for (const end of ['', '-wal', '-shm']) fs.rmSync(file + end, { force: true });
  }
}

test('sqlite: a failed commit is reported once, drops its work, and later commits work', () =>
  withFile(async (file) => {
    // A cap a few pages above the empty schema: SQLite fails the big commit with SQLITE_FULL, as
    // on a full disk (a read-only file cannot be made here: the tests may run as root).
    const store = openSqliteStore(file, { maxPageCount: emptyPages(file) + 3 });
    try {
      const errors: Error[] = [];
      store.onError = (err) => errors.push(err);
      const big = Array.from({ length: 40 }, (_, i) =>
        rec('alice bob', `big${i}`, T0 + i, { text: 'x'.repeat(3000) }),
      );
      for (const r of big) store.history.append(r);
      store.setMeta('dropped', 'yes');
      let ran = false;
      store.afterCommit(() => (ran = true));
      await committed(store);
      assert.ok(ran, 'afterCommit callbacks run after a failed commit too');
      assert.equal(errors.length, 1);
      assert.equal((errors[0] as Error & { code?: string }).code, 'SQLITE_FULL');
      assert.equal(await store.history.find(big[0].msgid), null);
      assert.equal(await store.getMeta('dropped'), null);

      const small = rec('alice bob', 'small', T0 + 100);
      store.history.append(small);
      await committed(store);
      assert.equal(errors.length, 1);
      assert.deepEqual(await store.history.find(small.msgid), small);
      const rows = await store.history.targets([], 'alice', T0, T0 + 1000, 10);
      assert.deepEqual(
        rows.map((r) => r.latest.text),
        ['small'],
        'nothing of the dropped commit is remembered',
      );
    } finally {
      await store.close();
    }
  }));

test('sqlite: a timed commit leaves setImmediate working, and a busy batch commits whole', () =>
  withFile(async (file) => {
    // The writer process's settings: commits on a timer rather than on the next turn.
    const store = openSqliteStore(file, { commitEveryMs: 5 });
    try {
      store.history.append(rec('#a', 'one', T0 + 1));
      await committed(store);
      // Clearing the fired timer with clearImmediate() once broke every later setImmediate.
      const ran = await Promise.race([
        new Promise<boolean>((resolve) => setImmediate(() => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
      ]);
      assert.ok(ran, 'setImmediate callbacks still run after a timed commit');
      const many = Array.from({ length: 25_000 }, (_, i) => rec('#b', `m${i}`, T0 + 10 + i));
      for (const r of many) store.history.append(r);
      await committed(store);
      const last = await store.history.latest('#b', null, 2);
      assert.deepEqual(labels(last), ['m24998', 'm24999']);
    } finally {
      await store.close();
    }
  }));

test('sqlite: a prune over thousands of conversations goes a slice per commit, and finishes', () =>
  withFile(async (file) => {
    const store = openSqliteStore(file);
    try {
      const name = (i: number) => `#c${String(i).padStart(4, '0')}`;
      for (let i = 0; i < 2500; i++) {
        store.history.append(rec(name(i), `a${i}`, T0 + 1));
        store.history.append(rec(name(i), `b${i}`, T0 + 2));
      }
      await committed(store);
      store.history.prune(1, Number.POSITIVE_INFINITY, T0 + 10);
      await committed(store);
      // The first slice is done; the last conversation waits for a later commit.
      assert.deepEqual(labels(await store.history.latest(name(0), null, 10)), ['b0']);
      assert.deepEqual(labels(await store.history.latest(name(2499), null, 10)), [
        'a2499',
        'b2499',
      ]);
      for (let turns = 0; turns < 10; turns++) await committed(store);
      assert.deepEqual(labels(await store.history.latest(name(2499), null, 10)), ['b2499']);
    } finally {
      await store.close();
    }
  }));

test('sqlite: each migration step is one transaction; a failing step leaves the last whole one', () =>
  withFile((file) => {
    openSqliteStore(file).close();
    const db = new Database(file);
    try {
      const version = (): unknown => db.pragma('user_version', { simple: true });
      const extra = (): unknown =>
        db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'extra'").pluck().get();
      assert.throws(() => migrate(db, [...MIGRATIONS, 'CREATE TABLE extra (x); SELECT nope;']));
      assert.equal(version(), SCHEMA_VERSION);
      assert.equal(extra(), 0);
      assert.equal(migrate(db, [...MIGRATIONS, 'CREATE TABLE extra (x)']), SCHEMA_VERSION);
      assert.equal(version(), SCHEMA_VERSION + 1);
      assert.equal(extra(), 1);
    } finally {
      db.close();
    }
  }));
