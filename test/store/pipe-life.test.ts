// The history writer's life as pipe.ts sees it, with the real process: a writer behind, stopped or killed, close, and the errors of an open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { openPipeStore, PipeStore } from '../../src/store/pipe.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { StoreOpenError } from '../../src/store/types.js';
import { ALICE, T0, notADatabase, committed, labels, makeTemp, rec, rmTemp } from './kit.js';
import { all, appendPrivate, withPipe } from './pipe-kit.js';
import { cont, reports, stop, waitState, within, writerOf } from './writer-control.js';

/** A private conversation (appendPrivate's records need one). */
const PMB = 'c:1 c:2';

test('pipe: with nobody listening: a query not answered in time rejects (its late answer ignored), and so do those open when the writer dies', () =>
  withPipe({ queryTimeoutMs: 1000 }, async (store, writer) => {
    stop(writer);
    await assert.rejects(within(store.getMeta('k'), 'timeout'), {
      message: 'the history writer did not answer in time',
    });
    cont(writer);
    store.setMeta('k', 'v');
    assert.equal(await store.getMeta('k'), 'v');
    stop(writer);
    const open = store.getMeta('k');
    writer.kill('SIGKILL');
    await assert.rejects(within(open, 'rejection'), {
      message: 'history writer exited (SIGKILL)',
    });
  }));

test('pipe: the writer killed: open and later queries reject with the reason, onError is told once', () =>
  withPipe({}, async (store, writer) => {
    const seen = reports(store);
    store.history.append(rec('#a', 'kept', T0));
    assert.deepEqual(labels(await all(store, '#a')), ['kept']);
    assert.equal(await store.accounts.create(ALICE), true);
    stop(writer);
    const open: Promise<unknown>[] = [all(store, '#a'), store.getMeta('k')];
    writer.kill('SIGKILL');
    waitState(writer.pid!, 'Z');
    // Gone, and this process not told yet: the pipe has no reader, a write to it fails (EPIPE).
    store.setMeta('k', 'v');
    store.history.append(rec('#a', 'lost', T0 + 1));
    store.flush();
    const why = { message: 'history writer exited (SIGKILL)' };
    for (const query of open) await assert.rejects(within(query, 'rejection'), why);
    await assert.rejects(store.accounts.get('alice'), why);
    // A name that is no account needs no writer (known-accounts.ts).
    assert.equal(await store.accounts.get('nobody'), null);
    await assert.rejects(store.getMeta('k'), why);
    store.setMeta('k', 'v');
    store.history.append(rec('#a', 'after', T0 + 2));
    store.channels.delete('#a');
    store.flush();
    assert.deepEqual(seen, ['history writer exited (SIGKILL)']);
  }));

test('pipe: a writer behind by more than the limit: new messages are dropped until it catches up, and onError says so twice', () =>
  withPipe({ maxBacklog: 256 << 10 }, async (store, writer) => {
    /** Put 1 MiB in the pipe for a stopped writer, past the limit of 256 KiB. */
    const behind = (text: string, time: number): void => {
      stop(writer);
      store.history.append(rec(PMB, text.repeat(1 << 20), time));
      store.flush();
    };
    /** Let the writer go on, and wait until it has read everything. */
    const catchUp = async (): Promise<void> => {
      const drained = once(writer.stdin!, 'drain');
      cont(writer);
      await within(drained, 'drain');
    };
    // Nobody listening: the reports go nowhere, and nothing breaks.
    behind('w', T0 - 3);
    store.history.append(rec(PMB, 'dropped 0', T0 - 2));
    await catchUp();
    store.history.append(rec(PMB, 'first', T0 - 1));
    const seen = reports(store);
    await committed(store);
    assert.deepEqual(seen, []);
    // Listening.
    behind('x', T0 + 1);
    store.history.append(rec(PMB, 'dropped 1', T0 + 2));
    appendPrivate(store, rec(PMB, 'dropped 2', T0 + 3));
    store.history.append(rec(PMB, 'dropped 3', T0 + 4));
    assert.deepEqual(seen, ['the history writer is behind: new messages are not being kept']);
    store.setMeta('k', 'v'); // other writes are kept
    await catchUp();
    store.history.append(rec(PMB, 'again 1', T0 + 5));
    appendPrivate(store, rec(PMB, 'again 2', T0 + 6));
    assert.deepEqual(seen, [
      'the history writer is behind: new messages are not being kept',
      'the history writer caught up; 3 messages were not kept',
    ]);
    await committed(store);
    const got = labels(await all(store, PMB));
    assert.deepEqual(
      got.map((t) => t.slice(0, 10)),
      ['wwwwwwwwww', 'first', 'xxxxxxxxxx', 'again 1', 'again 2'],
    );
    assert.equal(await store.getMeta('k'), 'v');
  }));

test('pipe: a writer behind by most of a MiB loses nothing (the limit is 64 MiB)', () =>
  withPipe({}, async (store, writer) => {
    const seen = reports(store);
    stop(writer);
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      const text = `${i}`.repeat(256 << 10);
      sent.push(text);
      store.history.append(rec(PMB, text, T0 + i));
      store.flush();
    }
    for (let i = 0; i < 3; i++) {
      sent.push(`small ${i}`);
      appendPrivate(store, rec(PMB, `small ${i}`, T0 + 10 + i));
    }
    assert.ok(writer.stdin!.writableLength > 512 << 10);
    cont(writer);
    await committed(store);
    assert.deepEqual(labels(await all(store, PMB)), sent);
    assert.deepEqual(seen, []);
  }));

test('pipe: a backlog of exactly the limit still takes messages, one byte more does not', async () => {
  // A child that never reads: what is written stays in its pipe's writer, counted to the byte.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const store = new PipeStore('test', child, { maxBacklog: 4 << 20 });
  try {
    child.stdin!.write(Buffer.alloc(4 << 20));
    assert.equal(child.stdin!.writableLength, 4 << 20);
    const seen = reports(store);
    store.history.append(rec('#a', 'at the limit', T0));
    store.flush();
    assert.ok(child.stdin!.writableLength > 4 << 20, 'it went into the pipe');
    assert.deepEqual(seen, []);
    const before = child.stdin!.writableLength;
    store.history.append(rec('#a', 'past it', T0 + 1));
    store.flush();
    assert.equal(child.stdin!.writableLength, before);
    assert.deepEqual(seen, ['the history writer is behind: new messages are not being kept']);
  } finally {
    child.kill('SIGKILL');
    await within(store.close(), 'close');
  }
});

test('pipe: close() commits, ends the writer and lets go of the file; after it nothing is kept and queries fail', async () => {
  const dir = makeTemp();
  try {
    const file = path.join(dir, 'parley.db');
    const store = await openPipeStore(file);
    const writer = writerOf(store);
    const seen = reports(store);
    const r = rec('#a', 'kept', T0);
    store.history.append(r);
    store.setMeta('k', 'v');
    await within(store.close(), 'close');
    assert.equal(writer.exitCode, 0);
    assert.deepEqual(seen, [], 'a writer that was asked to stop is not a loss');
    await assert.rejects(store.getMeta('k'), { message: 'closed' });
    store.history.append(rec('#a', 'after close', T0 + 1));
    store.setMeta('k', 'w');
    store.flush();
    assert.deepEqual(seen, []);
    const again = openSqliteStore(file);
    try {
      assert.deepEqual(await again.history.latest('#a', null, 10), [r]);
      assert.equal(await again.getMeta('k'), 'v');
    } finally {
      await again.close();
    }
  } finally {
    rmTemp(dir);
  }
});

test('pipe: close() kills a writer that does not finish in time', () =>
  withPipe({ closeTimeoutMs: 200 }, async (store, writer) => {
    stop(writer);
    store.history.append(rec('#a', 'never read', T0));
    await within(store.close(), 'close');
    assert.equal(writer.signalCode, 'SIGKILL');
  }));

test('pipe: a file that is not a database: StoreOpenError with the reason', async () => {
  const dir = makeTemp();
  try {
    const { file, reason } = notADatabase(dir);
    assert.match(reason, /not a parley database/);
    await assert.rejects(openPipeStore(file), (err) => {
      assert.ok(err instanceof StoreOpenError);
      assert.equal(err.message, reason);
      return true;
    });
  } finally {
    rmTemp(dir);
  }
});

test('pipe: a writer that exits before it is ready: StoreOpenError with its exit code', async () => {
  const dir = makeTemp();
  try {
    const file = path.join(dir, 'parley.db');
    // The writer's node loads this first, and it exits at once (a writer that cannot start).
    const preload = path.join(dir, 'exit.cjs');
    fs.writeFileSync(preload, 'process.exit(3);\n');
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${saved ?? ''} --require=${preload}`;
    let opening: Promise<PipeStore>;
    try {
      opening = openPipeStore(file); // spawns at once, with this environment
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
    await assert.rejects(within(opening, 'failure'), (err) => {
      assert.ok(err instanceof StoreOpenError);
      assert.equal(err.message, `cannot open database ${file}: the history writer exited (3)`);
      return true;
    });
  } finally {
    rmTemp(dir);
  }
});
