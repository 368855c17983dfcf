// The server's side of the history writer (pipe.ts) with the real writer process: escapes, big turns, answers, a writer behind, failing, stopped or killed, close and open errors.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPipeStore, PipeStore, type PipeOptions } from '../../src/store/pipe.js';
import { escapeField, unescapeField } from '../../src/store/pipe-lines.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import {
  Party,
  privateRecord,
  StoreOpenError,
  type AccountRecord,
  type HistoryRecord,
} from '../../src/store/types.js';
import { ALICE, T0, notADatabase, committed, labels, makeTemp, rec, rmTemp } from './kit.js';
import { cont, reports, stop, waitState, within, writerOf } from './writer-control.js';

/** Run `body` on a PipeStore on a new file, then close it (a stopped writer let go first). */
async function withPipe(
  options: PipeOptions,
  body: (store: PipeStore, writer: ChildProcess, file: string) => Promise<void>,
): Promise<void> {
  const dir = makeTemp();
  const file = path.join(dir, 'parley.db');
  try {
    const store = await openPipeStore(file, false, options);
    const writer = writerOf(store);
    try {
      await body(store, writer, file);
    } finally {
      cont(writer);
      await within(store.close(), 'close');
    }
  } finally {
    rmTemp(dir);
  }
}

/** One store for the tests that neither stop nor kill its writer (a writer takes a while to start). */
let sharedStore: Promise<PipeStore> | null = null;
const sharedDir = makeTemp();

function shared(): Promise<PipeStore> {
  sharedStore ??= openPipeStore(path.join(sharedDir, 'parley.db'));
  return sharedStore;
}

after(async () => {
  const store = await sharedStore?.catch(() => null);
  await store?.close();
  rmTemp(sharedDir);
});

/** A private conversation (appendPrivate's records need one). */
const PMB = 'c:1 c:2';

/** The whole of a conversation, oldest first. */
function all(store: PipeStore, conversation: string): Promise<HistoryRecord[]> {
  return store.history.latest(conversation, null, 1000);
}

/** `text` as the middle of an IRC line's bytes: [buffer, start, end] of it. */
function inLine(text: string): [Buffer, number, number] {
  const prefix = Buffer.from('PRIVMSG bob :');
  const bytes = Buffer.concat([prefix, Buffer.from(text), Buffer.from('\r\n')]);
  return [bytes, prefix.length, bytes.length - 2];
}

/**
 * appendPrivate() of `r`, a plain PRIVMSG whose conversation is its two parties' history ids
 * (sender first), its text given as bytes inside a line; `parties` reused when given.
 */
function appendPrivate(store: PipeStore, r: HistoryRecord, parties?: [Party, Party]): void {
  const space = r.conversation.indexOf(' ');
  assert.ok(space > 0 && r.command === 'PRIVMSG' && r.tags === '', 'a private record');
  const [from, to] = parties ?? [
    new Party(r.conversation.slice(0, space), 'sender', r.source, r.account),
    new Party(r.conversation.slice(space + 1), r.target, 'someone!u@h', null),
  ];
  store.history.appendPrivate!(Buffer.from(r.msgid), r.time, from, to, ...inLine(r.text));
}

test('pipe: escapeField leaves no tab, LF or CR and unescapeField undoes it', () => {
  assert.equal(escapeField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
  assert.equal(escapeField('plain é ✓'), 'plain é ✓');
  const cases = ['', 'plain', '\t', '\n', '\r', '\\', '\\t', 'a\tb', '\t\t\n\r\\\\', 'é\t✓\r\n'];
  for (const text of cases) {
    const escaped = escapeField(text);
    assert.doesNotMatch(escaped, /[\t\n\r]/, JSON.stringify(text));
    assert.equal(unescapeField(escaped), text, JSON.stringify(text));
  }
  assert.equal(unescapeField('a\\tb'), 'a\tb');
  assert.equal(unescapeField('\\n\\r\\t\\\\'), '\n\r\t\\');
  assert.equal(unescapeField('no escapes'), 'no escapes');
});

test('pipe: append and appendPrivate keep every field, with and without bytes that need escapes', async () => {
  const store = await shared();
  const texts = [
    'plain',
    '\t',
    '\n',
    '\r',
    '\\',
    '\t\t',
    '\\\\',
    '\\t',
    'mix\tof\\all\r\nof them',
    'é ✓',
    '',
  ];
  const PM = 'a:alice c:7';
  const sent: HistoryRecord[] = [];
  const sentPM: HistoryRecord[] = [];
  texts.forEach((text, i) => {
    sent.push(rec('#a', text, T0 + 2 * i));
    // appendPrivate's text is an IRC parameter's: never a CR or LF (tabs and backslashes, yes).
    if (!/[\r\n]/.test(text)) sentPM.push(rec(PM, text, T0 + 2 * i + 1, { account: 'alice' }));
  });
  // Fields other than the text, each alone with a separator or a backslash.
  sent.push(rec('#a', 'odd fields', T0 + 100, { target: '\\', source: '\t', tags: '\n' }));
  sent.push(rec('#a', 'odd account', T0 + 101, { account: '\r', tags: '+a=b\\sc' }));
  sent.push(rec('#a', 'an account', T0 + 102, { account: 'alice' }));
  // The same two parties for every message of PM: encoded once, then reused.
  const alice = new Party('a:alice', 'alice', 'alice!~alice@host', 'alice');
  const seven = new Party('c:7', 'c:7', 'seven!~s@host', null);
  sent.forEach((r) => store.history.append(r));
  sentPM.forEach((r) => appendPrivate(store, r, [alice, seven]));
  assert.ok(alice.ref >= 0 && seven.ref >= 0 && alice.ref !== seven.ref, 'numbered once each');
  // The other way round: the conversation key is the same whoever sends.
  const back = rec(PM, 'back', T0 + 200, { target: 'alice', source: 'seven!~s@host' });
  store.history.appendPrivate!(
    Buffer.from(back.msgid),
    back.time,
    seven,
    alice,
    ...inLine(back.text),
  );
  sentPM.push(back);
  // Parties whose every field needs escapes, and no account.
  const odd = rec('a\tb c\\d', 'odd parties', T0 + 103, { target: 'c\rd', source: 's\n\\' });
  appendPrivate(store, odd);
  const oddAccount = rec('a\tb c\\d', 'odd account', T0 + 104, { account: 'x\ty' });
  appendPrivate(store, oddAccount);
  await committed(store);
  assert.deepEqual(await all(store, '#a'), sent);
  assert.deepEqual(await all(store, PM), sentPM);
  assert.deepEqual(await all(store, odd.conversation), [odd, oddAccount]);
});

test('pipe: party numbers start over when the table is full, msgids share their heads, and every record keeps its own parties and msgid', () =>
  withPipe({ maxParties: 2 }, async (store) => {
    const [a, b, c] = ['a', 'b', 'c'].map(
      (n) => new Party(`a:${n}`, n, `${n}!~${n}@host`, n === 'c' ? null : n),
    );
    // a and b take numbers 0 and 1; c fills the table, so numbering starts over with c at 0 —
    // where a was — and a (sender, already looked up) must be numbered again, not sent as 0.
    const order: [Party, Party][] = [
      [a, b],
      [a, c],
      [a, b],
      [c, a],
      [b, c],
      [c, b],
      [a, a],
    ];
    // Two messages a millisecond whose msgids share their first 9 bytes (the second sent as `~`
    // and the rest), except the fourth: the same millisecond, another head (a pinned stamp).
    const msgid = (i: number) => (i === 3 ? `zzzzzzzzz${i}` : `000000000${i}`);
    const sent = order.map(([from, to], i) => {
      const text = `${from.nick} to ${to.nick}`;
      const r = privateRecord(msgid(i), T0 + Math.floor(i / 2), from, to, text);
      store.history.appendPrivate!(Buffer.from(r.msgid), r.time, from, to, ...inLine(r.text));
      return r;
    });
    await committed(store);
    const stored = await Promise.all(
      [...new Set(sent.map((r) => r.conversation))].map((k) => all(store, k)),
    );
    const byMsgid = (rs: HistoryRecord[]) => [...rs].sort((x, y) => (x.msgid < y.msgid ? -1 : 1));
    assert.deepEqual(byMsgid(stored.flat()), byMsgid(sent));
  }));

test('pipe: turns bigger than the output buffer (64 KiB) lose nothing', async () => {
  const store = await shared();
  const BIG = 'c:1 c:2';
  const sent: HistoryRecord[] = [];
  let t = T0;
  const add = (text: string, bytes: boolean): void => {
    const r = rec(BIG, text, ++t);
    sent.push(r);
    if (bytes) appendPrivate(store, r);
    else store.history.append(r);
  };
  // One turn: two 40 KB lines, then many small ones, then 200 KB (more than twice the buffer).
  add('a'.repeat(40_000), false);
  add('b'.repeat(40_000), false);
  for (let i = 0; i < 50; i++) add(`small ${i}`, i % 2 === 0);
  add('c\t'.repeat(100_000), false);
  store.flush();
  // One turn of 150 KB bytes copied as they are, one of 150 KB needing escapes.
  add('d'.repeat(150_000), true);
  store.flush();
  add('e\\'.repeat(75_000), true);
  store.flush();
  // Each alone in a turn: lines that end just before, at and just after the buffer's end.
  for (let n = -3; n <= 3; n++) {
    const r = rec(BIG, '', ++t);
    const head = ['P', r.msgid, r.time, 'c:1', r.source, '', 'c:2', r.target];
    const room = 64 * 1024 - Buffer.byteLength(`${head.join('\t')}\t`);
    r.text = 'f'.repeat(room + n);
    sent.push(r);
    appendPrivate(store, r);
    store.flush();
  }
  add('the last', true);
  await committed(store);
  const got = await all(store, BIG);
  assert.deepEqual(
    got.map((r) => [r.text.length, r.text.slice(0, 8)]),
    sent.map((r) => [r.text.length, r.text.slice(0, 8)]),
  );
  assert.deepEqual(got, sent);
});

test('pipe: writes and queries go through; a query that fails rejects with its reason', async () => {
  const store = await shared();
  const account = ALICE;
  store.setMeta('cloak-secret', 's');
  assert.equal(await store.getMeta('cloak-secret'), 's');
  assert.equal(await store.getMeta('nothing'), null);
  assert.equal(await store.accounts.create(account), true);
  assert.equal(await store.accounts.create(account), false);
  assert.deepEqual(await store.accounts.get('alice'), account);
  await assert.rejects(store.accounts.create(null as unknown as AccountRecord), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /null/);
    return true;
  });
  const [a, b] = [rec('#w', 'a', T0 + 1), rec('#w', 'b', T0 + 2)];
  store.history.append(a);
  store.history.append(b);
  store.history.redact(a.msgid);
  assert.deepEqual(labels(await all(store, '#w')), ['b']);
  assert.deepEqual(await store.history.find(a.msgid), a);
});

test('pipe: a commit the writer cannot make reaches onError (when set), and the store goes on', async () => {
  const store = await shared();
  // meta.value is NOT NULL: the writer's commit fails and it says so on its stdout.
  store.setMeta('k', null as unknown as string);
  assert.equal(await store.getMeta('k'), null); // nobody listening: nothing breaks
  const seen = reports(store);
  try {
    store.setMeta('k', null as unknown as string);
    assert.equal(await store.getMeta('k'), null);
    assert.deepEqual(seen, ['NOT NULL constraint failed: meta.value']);
    store.setMeta('k', 'v');
    assert.equal(await store.getMeta('k'), 'v');
    assert.deepEqual(seen, ['NOT NULL constraint failed: meta.value']);
  } finally {
    store.onError = null;
  }
});

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

test('pipe: the writer runs at niceness 19, below the server, where the system allows it', async () => {
  const writer = writerOf(await shared());
  // Whether this process may set a child's niceness to 19 (always, unless the system forbids
  // changing it at all).
  const probe = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
    stdio: 'ignore',
  });
  let allowed = true;
  try {
    os.setPriority(probe.pid!, 19);
  } catch {
    allowed = false;
  } finally {
    probe.kill('SIGKILL');
  }
  assert.equal(os.getPriority(writer.pid), allowed ? 19 : os.getPriority());
});
