// The history writer as the server's console (PipeStore's consoleFd): lines printed in order with the records, dropped with them when it is behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { openPipeStore, type PipeStore } from '../../src/store/pipe.js';
import { Party } from '../../src/store/types.js';
import { T0, committed, labels, makeTemp, rec, rmTemp } from './kit.js';
import { cont, hhmmss, reports, stop, within, writerOf } from './writer-control.js';

const ALICE = new Party('c:1', 'alice', 'alice!~a@h', null);
const BOB = new Party('c:2', 'bob', 'bob!~b@h', null);

/** A fast-path private message from alice to bob, shown on the console or not. */
function privateMessage(store: PipeStore, msgid: string, time: number, text: string, shown = true) {
  const bytes = Buffer.from(`PRIVMSG bob :${text}\r\n`);
  const start = 'PRIVMSG bob :'.length;
  store.history.appendPrivate!(
    Buffer.from(msgid),
    time,
    ALICE,
    BOB,
    bytes,
    start,
    bytes.length - 2,
    shown,
  );
}

/**
 * Run `body` on a PipeStore whose writer prints its console on a file, then close it and return
 * what the file holds.
 */
async function withConsole(
  options: { maxBacklog?: number },
  body: (store: PipeStore) => Promise<void>,
): Promise<string> {
  const dir = makeTemp();
  const out = path.join(dir, 'console.txt');
  const fd = fs.openSync(out, 'w');
  try {
    const store = await openPipeStore(path.join(dir, 'parley.db'), false, {
      ...options,
      consoleFd: fd,
    });
    try {
      await body(store);
    } finally {
      cont(writerOf(store));
      await within(store.close(), 'close');
    }
    return fs.readFileSync(out, 'utf8');
  } finally {
    fs.closeSync(fd);
    rmTemp(dir);
  }
}

test('pipe console: the writer prints console lines and shown private messages in the order they were handed over, and closes with the store', async () => {
  let relay: PipeStore['console'] = null;
  const printed = await withConsole({}, async (store) => {
    relay = store.console;
    assert.ok(relay !== null && relay.open);
    relay.line('12:00:00 #lobby --> alice joined');
    privateMessage(store, 'm1', T0, 'first');
    privateMessage(store, 'm2', T0 + 1, 'not shown', false);
    relay.line('a line\twith a tab, a \\ and\nwhat would be a second line');
    store.history.append(rec('#a', 'to a \x02channel\x02', T0 + 1000), true);
    store.history.append(rec('#a', 'kept, not shown', T0 + 1001), false);
    privateMessage(store, 'm3', T0 + 2000, 'third');
    await committed(store);
    assert.deepEqual(labels(await store.history.latest('c:1 c:2', null, 10)), [
      'first',
      'not shown',
      'third',
    ]);
  });
  assert.equal(
    printed,
    '12:00:00 #lobby --> alice joined\n' +
      `${hhmmss(T0)} alice -> bob: first\n` +
      'a line\twith a tab, a \\ and\nwhat would be a second line\n' +
      `${hhmmss(T0 + 1000)} #a <alice> to a channel\n` +
      `${hhmmss(T0 + 2000)} alice -> bob: third\n`,
  );
  // Closed: the server prints its own console log again (ChatLog lets go of a closed relay).
  assert.equal((relay as PipeStore['console'])?.open, false);
});

test('pipe console: a store opened without one has none', async () => {
  const dir = makeTemp();
  try {
    const store = await openPipeStore(path.join(dir, 'parley.db'));
    assert.equal(store.console, null);
    await store.close();
  } finally {
    rmTemp(dir);
  }
});

test('pipe console: while the writer is too far behind, console lines are dropped with the messages, and the report counts both', async () => {
  const printed = await withConsole({ maxBacklog: 256 << 10 }, async (store) => {
    const writer = writerOf(store);
    const seen = reports(store);
    relayLine(store, 'before');
    stop(writer);
    store.history.append(rec('#big', 'w'.repeat(1 << 20), T0));
    store.flush();
    relayLine(store, 'dropped line 1');
    privateMessage(store, 'm1', T0 + 1, 'dropped message');
    relayLine(store, 'dropped line 2');
    assert.deepEqual(seen, [
      'the history writer is behind: new messages and console lines are not being kept',
    ]);
    const drained = once(writer.stdin!, 'drain');
    cont(writer);
    await within(drained, 'drain');
    relayLine(store, 'after');
    assert.deepEqual(seen.slice(1), [
      'the history writer caught up; 1 messages were not kept and 2 console lines were not shown',
    ]);
    privateMessage(store, 'm2', T0 + 2, 'kept');
  });
  assert.equal(printed, `before\nafter\n${hhmmss(T0 + 2)} alice -> bob: kept\n`);
});

function relayLine(store: PipeStore, line: string): void {
  store.console!.line(line);
}

test('pipe console: console lines alone wait a few ms for more before they go down the pipe; anything else takes them along at once', async () => {
  const printed = await withConsole({}, async (store) => {
    const pipe = writerOf(store).stdin as unknown as { bytesWritten: number };
    const sent = pipe.bytesWritten;
    relayLine(store, 'waits');
    store.flush();
    assert.equal(pipe.bytesWritten, sent, 'a console line alone is held');
    privateMessage(store, 'm1', T0, 'takes it along');
    store.flush();
    assert.ok(pipe.bytesWritten > sent, 'a record goes at once, the line before it with it');
    const after = pipe.bytesWritten;
    relayLine(store, 'later');
    store.flush();
    assert.equal(pipe.bytesWritten, after);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(pipe.bytesWritten > after, 'a held line goes within a few ms');
    relayLine(store, 'at close');
  });
  assert.equal(printed, `waits\n${hhmmss(T0)} alice -> bob: takes it along\nlater\nat close\n`);
});
