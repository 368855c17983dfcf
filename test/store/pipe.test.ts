// The server's side of the history writer (pipe.ts) with the real writer process: escapes, every field kept, party numbers, big turns, answers, a commit that fails and the writer's niceness (pipe-life.test.ts: a writer behind, stopped or killed, close and open errors).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { openPipeStore, type PipeStore } from '../../src/store/pipe.js';
import { escapeField, unescapeField } from '../../src/store/pipe-lines.js';
import {
  Party,
  privateRecord,
  type AccountRecord,
  type HistoryRecord,
} from '../../src/store/types.js';
import { ALICE, T0, committed, labels, makeTemp, rec, rmTemp } from './kit.js';
import { all, appendPrivate, inLine, withPipe } from './pipe-kit.js';
import { reports, writerOf } from './writer-control.js';

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
