// Opening a store: the backend `--db` names (index.ts), the SQLite connection's settings, and each one-line reason a file is refused (sqlite.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStore, StoreOpenError, openStore, type Store } from '../../src/store/index.js';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { PipeStore } from '../../src/store/pipe.js';
import { PAGE_BYTES, openSqliteStore } from '../../src/store/sqlite.js';
import { T0, committed, labels, makeTemp, rec, rmTemp } from './kit.js';

/** Run `body` in a fresh temp dir, removed afterwards. */
async function inTemp(body: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = makeTemp();
  try {
    await body(dir);
  } finally {
    rmTemp(dir);
  }
}

/** Run `body` with the working directory in a fresh temp dir. */
function inTempCwd(body: (dir: string) => Promise<void> | void): Promise<void> {
  return inTemp(async (dir) => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await body(dir);
    } finally {
      process.chdir(cwd);
    }
  });
}

/** Opening `file` throws StoreOpenError with exactly `message` (or a message matching it). */
function refused(file: string, message: string | RegExp): void {
  assert.throws(
    () => openSqliteStore(file),
    (err: unknown) => {
      assert.ok(err instanceof StoreOpenError, String(err));
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

/** The fsync flag the writer process was started with (its last argument, writer.ts). */
/** The writer's fsync and console arguments. */
function writerArgs(store: Store | null): string[] {
  assert.ok(store instanceof PipeStore);
  return store['child'].spawnargs.slice(-2);
}

test('openStore: off is no store and :memory: a memory store; neither makes a file', () =>
  inTempCwd(async (dir) => {
    const off = await openStore('off');
    try {
      assert.equal(off, null);
    } finally {
      await off?.close();
    }
    const memory = await openStore(':memory:');
    try {
      assert.ok(memory instanceof MemoryStore);
      memory.history.append(rec('#a', 'kept', T0));
      await committed(memory);
      assert.deepEqual(labels(await memory.history.latest('#a', null, 5)), ['kept']);
    } finally {
      await memory?.close();
    }
    assert.deepEqual(fs.readdirSync(dir), []);
  }));

test('openStore: a redis:// URL is a Redis, reached or refused as one', async () => {
  await assert.rejects(openStore('redis://127.0.0.1:1'), (err: unknown) => {
    assert.ok(err instanceof StoreOpenError, String(err));
    assert.match(err.message, /^cannot reach redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    return true;
  });
});

test('openStore: a path is an SQLite file kept by the writer; createDir makes its folders', () =>
  inTemp(async (dir) => {
    const folder = path.join(dir, 'data', 'parley');
    const file = path.join(folder, 'parley.db');
    await assert.rejects(openStore(file), (err: unknown) => {
      assert.ok(err instanceof StoreOpenError, String(err));
      assert.equal(err.message, `cannot open database ${file}: directory ${folder} does not exist`);
      return true;
    });
    assert.equal(fs.existsSync(path.join(dir, 'data')), false, 'no folder without createDir');

    const store = await openStore(file, { createDir: true });
    try {
      assert.ok(store instanceof PipeStore);
      assert.equal(store.where, file);
      store.history.append(rec('#a', 'on disk', T0));
      assert.deepEqual(labels(await store.history.latest('#a', null, 5)), ['on disk']);
    } finally {
      await store?.close();
    }
    assert.ok(fs.statSync(file).isFile());

    // The folder is there now: createDir leaves it, and the file keeps what was written.
    const again = await openStore(file, { createDir: true });
    try {
      assert.deepEqual(labels(await again!.history.latest('#a', null, 5)), ['on disk']);
    } finally {
      await again?.close();
    }
  }));

test('openStore: fsync and the console reach the writer process only when asked for', () =>
  inTemp(async (dir) => {
    const file = path.join(dir, 'parley.db');
    for (const [options, flag] of [
      [{}, ['0', '0']],
      [{ fsync: false }, ['0', '0']],
      [{ fsync: true }, ['1', '0']],
      [{ console: true }, ['0', '1']],
    ] as const) {
      const store = await openStore(file, options);
      try {
        assert.deepEqual(writerArgs(store), flag, JSON.stringify(options));
        assert.equal(store?.console !== null, 'console' in options);
      } finally {
        await store?.close();
      }
    }
  }));

test('sqlite: the connection is WAL, locked, 16 KiB pages, 16 MiB of cache; FULL sync with fsync', () =>
  inTemp(async (dir) => {
    const file = path.join(dir, 'parley.db');
    for (const [options, synchronous] of [
      [{}, 1],
      [{ fsync: false }, 1],
      [{ fsync: true }, 2],
    ] as const) {
      const store = openSqliteStore(file, options);
      try {
        const pragma = (name: string): unknown => store['db'].pragma(name, { simple: true });
        assert.equal(
          pragma('synchronous'),
          synchronous,
          `${JSON.stringify(options)}: 1 NORMAL, 2 FULL`,
        );
        assert.equal(pragma('journal_mode'), 'wal');
        assert.equal(pragma('locking_mode'), 'exclusive');
        assert.equal(pragma('page_size'), PAGE_BYTES);
        assert.equal(pragma('cache_size'), -16 * 1024, 'KiB when negative');
        assert.equal(pragma('wal_autocheckpoint'), 10000);
      } finally {
        await store.close();
      }
    }
    const capped = openSqliteStore(file, { maxPageCount: 1000.9 });
    try {
      assert.equal(capped['db'].pragma('max_page_count', { simple: true }), 1000);
    } finally {
      await capped.close();
    }
  }));

test('sqlite: a newer schema is refused in its own words, not wrapped twice', () =>
  inTemp((dir) => {
    const file = path.join(dir, 'parley.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 2}`);
    raw.close();
    refused(
      file,
      `cannot open database ${file}: it was written by a newer parley ` +
        `(schema version ${SCHEMA_VERSION + 2}; this one knows up to ${SCHEMA_VERSION})`,
    );
  }));

test('sqlite: SQLite in memory cannot keep a write-ahead log, and says so', () =>
  inTempCwd(() => {
    refused(
      ':memory:',
      'cannot open database :memory:: cannot switch to WAL (journal mode stays memory)',
    );
  }));

test('sqlite: a damaged schema is "damaged"; a missing table is named, and the file is let go', () =>
  inTemp(async (dir) => {
    const file = path.join(dir, 'parley.db');
    await openSqliteStore(file).close();
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('CREATE TABLE meta');
    assert.ok(at > 0);
    const text = bytes.subarray(at, at + 12).toString();
    bytes.write('CREATE TABLX', at);
    fs.writeFileSync(file, bytes);
    refused(
      file,
      new RegExp(
        `^cannot open database ${file}: it is damaged \\(malformed database schema \\(meta\\)`,
      ),
    );
    bytes.write(text, at);
    fs.writeFileSync(file, bytes);

    // A schema that reads but lacks a table fails when the store prepares its statements.
    const raw = new Database(file);
    raw.exec('DROP TABLE meta');
    raw.close();
    refused(file, `cannot open database ${file}: no such table: meta`);
    // That open closed the file again: it can be repaired and opened.
    const repair = new Database(file);
    repair.exec('CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
    repair.close();
    const store = openSqliteStore(file);
    try {
      store.setMeta('k', 'v');
      await committed(store);
      assert.equal(await store.getMeta('k'), 'v');
    } finally {
      await store.close();
    }
  }));

test('sqlite: a file SQLite cannot open, under a file, or through a dangling link, in one line', () =>
  inTemp((dir) => {
    const notDir = path.join(dir, 'plain');
    fs.writeFileSync(notDir, 'just a file');
    const under = path.join(notDir, 'parley.db');
    refused(under, `cannot open database ${under}: ${notDir} is not a directory`);

    // The link's target is in a folder that does not exist: SQLite fails in its constructor.
    const link = path.join(dir, 'link.db');
    fs.symlinkSync(path.join(dir, 'gone', 'parley.db'), link);
    refused(link, `cannot open database ${link}: unable to open database file`);
  }));

/**
 * Run `body` while this process may not write `target`: chmod for an ordinary user; as root, who
 * may write anything, the immutable attribute (chattr +i, which root's access() and open() honour)
 * for as short a time as possible. False when that cannot be done here.
 */
function whileUnwritable(target: string, mode: number, body: () => void): boolean {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(target, mode);
    body();
    return true;
  }
  const set = spawnSync('chattr', ['+i', target], { encoding: 'utf8' });
  if (set.error !== undefined || set.status !== 0) return false;
  try {
    body();
  } finally {
    spawnSync('chattr', ['-i', target]);
  }
  return true;
}

test('sqlite: a folder or file that cannot be written is refused at open, in one line', (t) =>
  inTemp(async (dir) => {
    const readOnlyDir = path.join(dir, 'ro-dir');
    fs.mkdirSync(readOnlyDir);
    const inReadOnlyDir = path.join(readOnlyDir, 'parley.db');
    const readOnlyFile = path.join(dir, 'ro-file.db');
    await openSqliteStore(readOnlyFile).close();
    // The file may be written but its log may not: SQLite opens it read-only, and the write
    // lock that the open takes fails there rather than at the first commit.
    const readOnlyLog = path.join(dir, 'ro-wal.db');
    await openSqliteStore(readOnlyLog).close();
    fs.writeFileSync(`${readOnlyLog}-wal`, '');

    const cases: [string, number, string, string][] = [
      [readOnlyDir, 0o555, inReadOnlyDir, `directory ${readOnlyDir} is not writable`],
      [readOnlyFile, 0o444, readOnlyFile, 'the file is not readable and writable'],
      [
        `${readOnlyLog}-wal`,
        0o444,
        readOnlyLog,
        'it cannot be written (attempt to write a readonly database)',
      ],
    ];
    for (const [target, mode, file, why] of cases) {
      const done = whileUnwritable(target, mode, () =>
        refused(file, `cannot open database ${file}: ${why}`),
      );
      if (!done) {
        t.skip('root without chattr +i here: nothing can be made read-only to it');
        return;
      }
    }
  }));

test("sqlite: a file in use is refused within a moment, not after SQLite's default 5 s", () =>
  inTemp(async (dir) => {
    const file = path.join(dir, 'parley.db');
    const store = openSqliteStore(file);
    try {
      const start = performance.now();
      refused(
        file,
        `cannot open database ${file}: it is in use by another running parley server ` +
          '(the file is locked)',
      );
      const waited = performance.now() - start;
      assert.ok(waited < 2500, `waited ${Math.round(waited)} ms for the lock (at most 100 meant)`);
    } finally {
      await store.close();
    }
  }));
