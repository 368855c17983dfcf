// The memory store's own rhythm (flush, close, a cancelled turn's commit, shared), and on every backend the contract's edges store.test.ts leaves out: bounds past either end, unknown and equal bounds, TARGETS' lower bound and redactions, prune keeping what it keeps, inboxes and read markers per account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/memory.js';
import type { Bound, HistoryRecord, HistoryStore, Store } from '../../src/store/types.js';
import { BACKENDS, T0, committed, labels, rec, withStore } from './kit.js';

test('memory: where is :memory:; shared only when asked (several servers of one process)', () => {
  const mine = new MemoryStore();
  assert.equal(mine.where, ':memory:');
  assert.equal(mine.shared, false);
  assert.equal(new MemoryStore(true).shared, true);
});

test('memory: flush() commits what is queued at once and runs the callbacks waiting for it', async () => {
  const store = new MemoryStore();
  const order: string[] = [];
  store.history.append(rec('#a', 'one', T0 + 1));
  store.afterCommit(() => order.push('committed'));
  const before = store.history.latest('#a', null, 10);
  store.flush();
  const after = store.history.latest('#a', null, 10);
  assert.deepEqual(order, ['committed'], 'in flush(), not a turn later');
  assert.deepEqual(labels(await before), []);
  assert.deepEqual(labels(await after), ['one']);
  store.flush(); // nothing queued: nothing to do
  assert.deepEqual(order, ['committed']);
  await store.close();
});

test('memory: a write queued after flush() waits for a commit of its own, not the cancelled one', async () => {
  const store = new MemoryStore();
  store.history.append(rec('#a', 'one', T0 + 1)); // schedules this turn's commit
  store.flush(); // commits now, in place of it
  // Scheduled before the next write's commit: it runs between the two.
  const between = new Promise<HistoryRecord[]>((resolve) =>
    setImmediate(() => resolve(store.history.latest('#a', null, 10))),
  );
  store.history.append(rec('#a', 'two', T0 + 2));
  assert.deepEqual(labels(await between), ['one']);
  await committed(store);
  assert.deepEqual(labels(await store.history.latest('#a', null, 10)), ['one', 'two']);
  await store.close();
});

test('memory: close() commits what is queued and runs the waiting callbacks', async () => {
  const store = new MemoryStore();
  let ran = false;
  store.history.append(rec('#a', 'last words', T0 + 1));
  store.accounts.setReadMarker('alice', '#a', T0 + 1);
  store.afterCommit(() => (ran = true));
  const closing = store.close();
  assert.ok(ran, 'committed by close() itself');
  await closing;
  assert.deepEqual(labels(await store.history.latest('#a', null, 10)), ['last words']);
  assert.equal(await store.accounts.readMarker('alice', '#a'), T0 + 1);
});

/**
 * #a: a1..a10 (a5 and a6 in one millisecond), #b: b1..b4 between them, #t: t1..t4 all in one
 * millisecond. Returns the msgids by label.
 */
async function fill(store: Store): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const add = (r: HistoryRecord): void => {
    store.history.append(r);
    ids.set(r.text, r.msgid);
  };
  [10, 20, 30, 40, 50, 50, 70, 80, 90, 100].forEach((t, i) => {
    add(rec('#a', `a${i + 1}`, T0 + t));
    if (i % 3 === 0) add(rec('#b', `b${i / 3 + 1}`, T0 + t));
  });
  for (let i = 1; i <= 4; i++) add(rec('#t', `t${i}`, T0 + 60));
  await committed(store);
  return ids;
}

type Query = (h: HistoryStore, id: (label: string) => Bound) => Promise<HistoryRecord[]>;

const at = (ms: number): Bound => ({ time: T0 + ms });
const nope: Bound = { msgid: 'nope' };
const ALL_A = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10'];

const EDGES: [string, Query, string[]][] = [
  ['before a time past the last', (h) => h.before('#a', at(1000), 2), ['a9', 'a10']],
  ['before the time of the first (exclusive)', (h) => h.before('#a', at(10), 5), []],
  ['before just after the first', (h) => h.before('#a', at(11), 5), ['a1']],
  ['latest after the time of the last', (h) => h.latest('#a', at(100), 5), []],
  ['latest after a time before all', (h) => h.latest('#a', at(0), 2), ['a9', 'a10']],
  ['after the time of the last', (h) => h.after('#a', at(100), 5), []],
  ['after, with a limit below one', (h) => h.after('#a', at(0), -1), []],
  ['after an unknown msgid, limit past the end', (h) => h.after('#a', nope, 100), []],
  ['before an unknown msgid, limit past the end', (h) => h.before('#a', nope, 100), []],
  ['around the first msgid', (h, id) => h.around('#a', id('a1'), 4), ['a1', 'a2', 'a3', 'a4']],
  ['around a time before all', (h) => h.around('#a', at(0), 3), ['a1', 'a2', 'a3']],
  ['around a time past the last', (h) => h.around('#a', at(1000), 4), ['a9', 'a10']],
  [
    'between an unknown msgid and a time past the end',
    (h) => h.between('#a', nope, at(1000), 100),
    [],
  ],
  [
    'between a time past the end and an unknown msgid',
    (h) => h.between('#a', at(1000), nope, 100),
    [],
  ],
  ['between an unknown msgid and a known one', (h, id) => h.between('#a', nope, id('a5'), 100), []],
  [
    'between a known msgid and an unknown one, limit 2',
    (h, id) => h.between('#a', id('a5'), nope, 2),
    [],
  ],
  ['between times around everything', (h) => h.between('#a', at(0), at(1000), 100), ALL_A],
  [
    'between, backward from past the end',
    (h) => h.between('#a', at(1000), at(80), 2),
    ['a9', 'a10'],
  ],
  [
    'between, backward to before the first',
    (h, id) => h.between('#a', id('a3'), at(0), 10),
    ['a1', 'a2'],
  ],
  ['between neighbours, backward', (h, id) => h.between('#a', id('a4'), id('a3'), 10), []],
  ['between a msgid and itself', (h, id) => h.between('#a', id('a5'), id('a5'), 10), []],
  ['between a time and itself', (h) => h.between('#a', at(50), at(50), 10), []],
  [
    'between in one millisecond, forward',
    (h, id) => h.between('#t', id('t1'), id('t4'), 10),
    ['t2', 't3'],
  ],
  [
    'between in one millisecond, backward',
    (h, id) => h.between('#t', id('t4'), id('t1'), 10),
    ['t2', 't3'],
  ],
  [
    'between in one millisecond, forward, limit 1',
    (h, id) => h.between('#t', id('t1'), id('t4'), 1),
    ['t2'],
  ],
  [
    'between in one millisecond, backward, limit 1',
    (h, id) => h.between('#t', id('t4'), id('t1'), 1),
    ['t3'],
  ],
  ['before in one millisecond', (h, id) => h.before('#t', id('t3'), 5), ['t1', 't2']],
  ['after in one millisecond', (h, id) => h.after('#t', id('t2'), 5), ['t3', 't4']],
];

for (const backend of BACKENDS) {
  const name = (what: string): string => `${backend.name}: ${what}`;

  test(name('history bounds at the edges: past either end, unknown, equal, one millisecond'), (t) =>
    withStore(t, backend, async (store) => {
      const ids = await fill(store);
      const id = (label: string): Bound => ({ msgid: ids.get(label) ?? label });
      for (const [what, query, expected] of EDGES) {
        assert.deepEqual(labels(await query(store.history, id)), expected, what);
      }
    }),
  );

  test(name('TARGETS: the lower bound is exclusive, redacted messages do not count'), (t) =>
    withStore(t, backend, async (store) => {
      const h = store.history;
      const gone = rec('#r', 'r1', T0 + 3);
      const late = rec('alice carol', 'c1', T0 + 8);
      h.append(gone); // #r's only message: redacted below
      h.append(rec('alice carol', 'c0', T0 + 4));
      h.append(rec('#a', 'a1', T0 + 5));
      h.append(rec('#dev', 'd1', T0 + 6));
      h.append(rec('alice bob', 'ab1', T0 + 7));
      h.append(late); // redacted: c0 is the latest that counts
      h.append(rec('#z', 'z1', 0)); // at the epoch itself
      h.redact(gone.msgid);
      h.redact(late.msgid);
      await committed(store);
      const rows = async (channels: string[], me: string, from: number, to: number) =>
        (await h.targets(channels, me, from, to, 10)).map((r) => [r.conversation, r.latest.text]);
      const want = [
        ['#dev', 'd1'],
        ['alice bob', 'ab1'],
      ];
      assert.deepEqual(await rows(['#a', '#dev', '#r'], 'alice', T0 + 5, T0 + 100), want);
      assert.deepEqual(await rows(['#a', '#dev', '#r'], 'alice', T0 + 100, T0 + 5), want);
      assert.deepEqual(await rows(['#a', '#r'], 'alice', T0 + 4, T0 + 100), [
        ['#a', 'a1'],
        ['alice bob', 'ab1'],
      ]);
      assert.deepEqual(await rows([], 'carol', T0 + 3, T0 + 100), [['alice carol', 'c0']]);
      assert.deepEqual(await rows(['#r'], 'nobody', 0, T0 + 100), []);
      assert.deepEqual(await rows(['#z'], 'nobody', -1, 5), [['#z', 'z1']]);
      // A channel is listed only when asked for, whatever `me` is.
      assert.deepEqual(await rows([], '#dev', 0, T0 + 100), []);
      assert.deepEqual(await rows([], '#de', 0, T0 + 100), []);
      assert.deepEqual(await rows([], 'dev', 0, T0 + 100), []);
    }),
  );

  test(name('prune: what it keeps is still found, and still redacted'), (t) =>
    withStore(t, backend, async (store) => {
      const h = store.history;
      const p = Array.from({ length: 10 }, (_, i) => rec('#p', `p${i + 1}`, T0 + i + 1));
      for (const r of p) h.append(r);
      const q = rec('#q', 'q1', T0 + 9);
      h.append(q);
      h.redact(p[7].msgid);
      await committed(store);
      h.prune(5, Number.POSITIVE_INFINITY, T0 + 100);
      await committed(store);
      assert.deepEqual(labels(await h.latest('#p', null, 100)), ['p6', 'p7', 'p9', 'p10']);
      assert.deepEqual(await h.find(p[5].msgid), p[5]);
      assert.deepEqual(await h.find(p[7].msgid), p[7], 'redacted and kept: found, not listed');
      assert.equal(await h.find(p[4].msgid), null);
      assert.deepEqual(await h.find(q.msgid), q);
      h.prune(Number.POSITIVE_INFINITY, 3, T0 + 10); // older than T0 + 7 goes
      await committed(store);
      assert.deepEqual(labels(await h.latest('#p', null, 100)), ['p7', 'p9', 'p10']);
      assert.deepEqual(labels(await h.latest('#q', null, 100)), ['q1']);
      assert.equal(await h.find(p[5].msgid), null);
      assert.deepEqual(await h.find(p[6].msgid), p[6]);
    }),
  );

  test(name('inboxes and read markers belong to their account'), (t) =>
    withStore(t, backend, async (store) => {
      const toBob = rec('alice bob', 'for bob', T0 + 1);
      const toCarol = rec('alice carol', 'for carol', T0 + 2);
      store.history.append(toBob);
      store.history.append(toCarol);
      store.accounts.addToInbox('bob', toBob.msgid);
      store.accounts.addToInbox('carol', toCarol.msgid);
      store.accounts.setReadMarker('alice', '#a', T0 + 1);
      store.accounts.setReadMarker('alice', 'alice bob', T0 + 2);
      store.accounts.setReadMarker('bob', '#a', T0 + 3);
      store.accounts.setReadMarker('al', '#x', T0 + 4);
      await committed(store);
      assert.deepEqual(await store.accounts.takeInbox('carol'), [toCarol]);
      assert.deepEqual(await store.accounts.takeInbox('bob'), [toBob]);
      const markers = async (key: string) =>
        (await store.accounts.readMarkers(key)).sort((x, y) => (x[0] < y[0] ? -1 : 1));
      assert.deepEqual(await markers('alice'), [
        ['#a', T0 + 1],
        ['alice bob', T0 + 2],
      ]);
      assert.deepEqual(await markers('bob'), [['#a', T0 + 3]]);
      assert.deepEqual(await markers('al'), [['#x', T0 + 4]]);
      assert.deepEqual(await markers('nobody'), []);
      assert.equal(await store.accounts.readMarker('bob', '#a'), T0 + 3);
      assert.equal(await store.accounts.readMarker('alice', '#x'), null);
    }),
  );
}
