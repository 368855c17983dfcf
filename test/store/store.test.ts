// The store contract (types.ts), run case for case against every backend: memory, a SQLite file (in process and through the writer), Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Party,
  privateRecord,
  type AccountRecord,
  type Bound,
  type HistoryRecord,
  type ListEntryRecord,
  type HistoryStore,
  type Store,
} from '../../src/store/types.js';
import { BACKENDS, T0, committed, labels, rec, withStore } from './kit.js';

/**
 * #a: a1..a10, a5 and a6 in the same millisecond; #b and a private conversation interleaved.
 * Returns the msgids by label.
 */
async function fill(store: Store): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const times = [10, 20, 30, 40, 50, 50, 70, 80, 90, 100];
  times.forEach((t, i) => {
    const a = rec('#a', `a${i + 1}`, T0 + t);
    store.history.append(a);
    ids.set(a.text, a.msgid);
    if (i % 3 === 0) {
      const b = rec('#b', `b${i / 3 + 1}`, T0 + t);
      store.history.append(b);
      ids.set(b.text, b.msgid);
    }
  });
  await committed(store);
  return ids;
}

type Query = (h: HistoryStore, id: (label: string) => Bound) => Promise<HistoryRecord[]>;

const at = (ms: number): Bound => ({ time: T0 + ms });

const QUERIES: [string, Query, string[]][] = [
  ['latest, no bound', (h) => h.latest('#a', null, 3), ['a8', 'a9', 'a10']],
  ['latest, more than stored', (h) => h.latest('#a', null, 100), labelsOf(1, 10)],
  ['latest after a msgid', (h, id) => h.latest('#a', id('a7'), 100), ['a8', 'a9', 'a10']],
  ['latest after a msgid, limited', (h, id) => h.latest('#a', id('a2'), 2), ['a9', 'a10']],
  ['latest after a time (exclusive)', (h) => h.latest('#a', at(50), 100), labelsOf(7, 10)],
  ['latest, limit 0', (h) => h.latest('#a', null, 0), []],
  ['latest, unknown conversation', (h) => h.latest('#nobody', null, 10), []],
  ['latest after an unknown msgid', (h) => h.latest('#a', { msgid: 'nope' }, 10), []],
  ['latest after a msgid of #b', (h, id) => h.latest('#a', id('b1'), 10), []],
  ['before a msgid', (h, id) => h.before('#a', id('a5'), 2), ['a3', 'a4']],
  ['before a time (exclusive)', (h) => h.before('#a', at(50), 2), ['a3', 'a4']],
  ['before a time just after a tie', (h) => h.before('#a', at(51), 3), ['a4', 'a5', 'a6']],
  ['before the first', (h, id) => h.before('#a', id('a1'), 5), []],
  ['before, unknown msgid', (h) => h.before('#a', { msgid: 'nope' }, 5), []],
  ['after a msgid', (h, id) => h.after('#a', id('a5'), 2), ['a6', 'a7']],
  ['after a time (exclusive)', (h) => h.after('#a', at(40), 3), ['a5', 'a6', 'a7']],
  ['after a time before all', (h) => h.after('#a', at(0), 2), ['a1', 'a2']],
  ['after the last', (h, id) => h.after('#a', id('a10'), 5), []],
  ['after, msgid of #b', (h, id) => h.after('#a', id('b2'), 5), []],
  ['around a msgid', (h, id) => h.around('#a', id('a5'), 4), ['a3', 'a4', 'a5', 'a6']],
  ['around near the start', (h, id) => h.around('#a', id('a2'), 5), labelsOf(1, 5)],
  ['around near the end', (h, id) => h.around('#a', id('a10'), 4), ['a8', 'a9', 'a10']],
  ['around a time', (h) => h.around('#a', at(50), 3), ['a4', 'a5', 'a6']],
  ['around, unknown msgid', (h) => h.around('#a', { msgid: 'nope' }, 3), []],
  ['between msgids, forward', (h, id) => h.between('#a', id('a2'), id('a8'), 3), labelsOf(3, 5)],
  ['between msgids, backward', (h, id) => h.between('#a', id('a8'), id('a2'), 3), labelsOf(5, 7)],
  ['between msgids, all of it', (h, id) => h.between('#a', id('a2'), id('a8'), 99), labelsOf(3, 7)],
  ['between times, forward', (h) => h.between('#a', at(20), at(80), 100), labelsOf(3, 7)],
  ['between times, backward', (h) => h.between('#a', at(80), at(20), 2), ['a6', 'a7']],
  ['between a msgid and a time', (h, id) => h.between('#a', id('a2'), at(50), 10), ['a3', 'a4']],
  ['between neighbours', (h, id) => h.between('#a', id('a3'), id('a4'), 10), []],
  ['between, unknown msgid', (h, id) => h.between('#a', id('a2'), { msgid: 'x' }, 10), []],
  ['between in #b', (h, id) => h.between('#b', id('b1'), id('b4'), 10), ['b2', 'b3']],
];

function labelsOf(first: number, last: number): string[] {
  const out: string[] = [];
  for (let i = first; i <= last; i++) out.push(`a${i}`);
  return out;
}

function account(key: string, extra: Partial<AccountRecord> = {}): AccountRecord {
  return {
    name: key.toUpperCase(),
    key,
    password: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
    scram: null,
    email: null,
    createdAt: T0,
    ...extra,
  };
}

for (const backend of BACKENDS) {
  const name = (what: string): string => `${backend.name}: ${what}`;

  test(name('history queries: order, limits, exclusive msgid and time bounds'), (t) =>
    withStore(t, backend, async (store) => {
      const ids = await fill(store);
      const id = (label: string): Bound => ({ msgid: ids.get(label) ?? label });
      for (const [what, query, expected] of QUERIES) {
        assert.deepEqual(labels(await query(store.history, id)), expected, what);
      }
    }),
  );

  test(name('appends are visible after their commit; afterCommit runs in order'), (t) =>
    withStore(t, backend, async (store) => {
      let ran = false;
      store.afterCommit(() => (ran = true));
      assert.ok(ran, 'nothing queued: at once');
      const first = rec('#a', 'one', T0 + 1);
      const order: string[] = [];
      store.history.append(first);
      store.afterCommit(() => order.push('first'));
      store.history.append(rec('#a', 'two', T0 + 2));
      store.afterCommit(() => order.push('second'));
      if (backend.seesQueued !== true) {
        assert.deepEqual(labels(await store.history.latest('#a', null, 10)), []);
        assert.equal(await store.history.find(first.msgid), null);
        assert.deepEqual(order, []);
      }
      await committed(store);
      assert.deepEqual(order, ['first', 'second']);
      assert.deepEqual(await store.history.find(first.msgid), first);
      assert.deepEqual(labels(await store.history.latest('#a', null, 10)), ['one', 'two']);
    }),
  );

  test(
    name('text, tags and names with tabs, line breaks and backslashes come back as they were'),
    (t) =>
      withStore(t, backend, async (store) => {
        const odd = rec('#a', 'tab\there, break\nthere, \\ and \\t and \r', T0 + 1, {
          tags: '+draft/reply=x\\sy;+a=\\\\',
          account: 'ac\\count',
          source: 'weird!~w@h',
        });
        const plain = rec('#a', 'plain', T0 + 2, { account: null });
        store.history.append(odd);
        store.history.append(plain);
        await committed(store);
        assert.deepEqual(await store.history.latest('#a', null, 10), [odd, plain]);
      }),
  );

  test(name('appendPrivate, where a backend has it, stores the record privateRecord makes'), (t) =>
    withStore(t, backend, async (store) => {
      const h = store.history;
      if (h.appendPrivate === undefined) return;
      const alice = new Party('a:alice', 'alice', 'alice!~alice@host', 'alice');
      const bob = new Party('c:9', 'bob', 'bob!~bob@host', null);
      const texts = ['plain words', 'héllo wörld ✓ 💬', 'a\ttab and a \\ backslash'];
      const want = texts.map((text, i) =>
        i === 1
          ? privateRecord(`m${i}`, T0 + i + 1, bob, alice, text)
          : privateRecord(`m${i}`, T0 + i + 1, alice, bob, text),
      );
      texts.forEach((text, i) => {
        const bytes = Buffer.from(`PRIVMSG bob :${text}\r\n`);
        const [from, to] = i === 1 ? [bob, alice] : [alice, bob];
        h.appendPrivate!(Buffer.from(`m${i}`), T0 + i + 1, from, to, bytes, 13, bytes.length - 2);
      });
      await committed(store);
      assert.equal(want[0].conversation, 'a:alice c:9');
      assert.deepEqual(await h.latest('a:alice c:9', null, 10), want);
    }),
  );

  test(name('a redacted message is left out of queries but found by find()'), (t) =>
    withStore(t, backend, async (store) => {
      const ids = await fill(store);
      const id = (label: string): Bound => ({ msgid: ids.get(label) ?? label });
      store.history.redact(ids.get('a5') ?? '');
      await committed(store);
      const h = store.history;
      assert.deepEqual(labels(await h.after('#a', id('a4'), 2)), ['a6', 'a7']);
      assert.deepEqual(labels(await h.before('#a', id('a7'), 3)), ['a3', 'a4', 'a6']);
      assert.deepEqual(labels(await h.latest('#a', id('a3'), 3)), ['a8', 'a9', 'a10']);
      assert.deepEqual(labels(await h.between('#a', id('a3'), id('a7'), 9)), ['a4', 'a6']);
      assert.equal((await h.find(ids.get('a5') ?? ''))?.text, 'a5');
      assert.deepEqual(await h.after('#a', id('a5'), 2), [], 'a redacted bound counts as unknown');
    }),
  );

  test(
    name(
      'TARGETS: my channels and private conversations whose latest message is inside the window',
    ),
    (t) =>
      withStore(t, backend, async (store) => {
        const h = store.history;
        h.append(rec('#a', 'a-old', T0 + 1));
        h.append(rec('alice bob', 'ab1', T0 + 2));
        h.append(rec('#b', 'b1', T0 + 3)); // not one of the channels asked for
        h.append(rec('#a', 'a2', T0 + 4));
        h.append(rec('bob carol', 'bc1', T0 + 5)); // not alice's
        h.append(rec('alice dave', 'ad1', T0 + 6));
        h.append(rec('alice bob', 'ab2', T0 + 7));
        h.append(rec('#c', 'c1', T0 + 4));
        h.append(rec('#c', 'c2', T0 + 20)); // #c's latest is after the window: #c is not listed
        await committed(store);
        const rows = await h.targets(['#a', '#c'], 'alice', T0 + 1, T0 + 10, 10);
        assert.deepEqual(
          rows.map((r) => [r.conversation, r.latest.text]),
          [
            ['#a', 'a2'],
            ['alice dave', 'ad1'],
            ['alice bob', 'ab2'],
          ],
          'bounds are exclusive, and only a latest message inside them counts',
        );
        const reversed = await h.targets(['#a', '#c'], 'alice', T0 + 10, T0 + 1, 2);
        assert.deepEqual(
          reversed.map((r) => r.conversation),
          ['#a', 'alice dave'],
        );
        assert.deepEqual(
          (await h.targets(['#a'], 'alice', T0 + 1, T0 + 7, 10)).map((r) => r.conversation),
          ['#a', 'alice dave'],
          'ab2 at T0+7 is on the bound: alice bob is out; #a is in',
        );
        const bob = await h.targets([], 'bob', T0, T0 + 100, 10);
        assert.deepEqual(
          bob.map((r) => [r.conversation, r.latest.text]),
          [
            ['bob carol', 'bc1'],
            ['alice bob', 'ab2'],
          ],
        );
        assert.deepEqual(await h.targets(['#c'], 'alice', T0 + 8, T0 + 19, 10), []);
      }),
  );

  test(name('prune keeps the newest per conversation and drops what is too old'), (t) =>
    withStore(t, backend, async (store) => {
      const h = store.history;
      const p = Array.from({ length: 10 }, (_, i) => rec('#p', `p${i + 1}`, T0 + i + 1));
      for (const r of p) h.append(r);
      for (let i = 1; i <= 3; i++) h.append(rec('#q', `q${i}`, T0 + i));
      await committed(store);
      h.prune(5, Number.POSITIVE_INFINITY, T0 + 100);
      await committed(store);
      assert.deepEqual(labels(await h.latest('#p', null, 100)), ['p6', 'p7', 'p8', 'p9', 'p10']);
      assert.equal(await h.find(p[0].msgid), null);
      assert.deepEqual(labels(await h.latest('#q', null, 100)), ['q1', 'q2', 'q3']);
      h.prune(100, 3, T0 + 10); // older than T0 + 7 goes
      await committed(store);
      assert.deepEqual(labels(await h.latest('#p', null, 100)), ['p7', 'p8', 'p9', 'p10']);
      assert.deepEqual(labels(await h.latest('#q', null, 100)), []);
      const rows = await h.targets(['#p', '#q'], 'me', T0, T0 + 100, 10);
      assert.deepEqual(
        rows.map((r) => r.conversation),
        ['#p'],
      );
    }),
  );

  test(name('accounts: create once, get, update'), (t) =>
    withStore(t, backend, async (store) => {
      const scram = { salt: 'c2FsdA==', iterations: 4096, storedKey: 'c3Q=', serverKey: 'c2s=' };
      assert.equal(await store.accounts.get('alice'), null);
      assert.equal(await store.accounts.create(account('alice', { scram })), true);
      assert.equal(await store.accounts.create(account('alice', { email: 'x@y' })), false);
      assert.deepEqual(await store.accounts.get('alice'), account('alice', { scram }));
      await store.accounts.update(account('alice', { email: 'a@example.org' }));
      assert.deepEqual(
        await store.accounts.get('alice'),
        account('alice', { email: 'a@example.org' }),
      );
      assert.equal(await store.accounts.get('bob'), null);
    }),
  );

  test(name('inbox: held messages come back in order, once, without redacted ones'), (t) =>
    withStore(t, backend, async (store) => {
      const msgs = ['one', 'two', 'three'].map((t, i) => rec('alice bob', t, T0 + i));
      for (const m of msgs) store.history.append(m);
      store.accounts.addToInbox('bob', msgs[1].msgid);
      store.accounts.addToInbox('bob', msgs[0].msgid);
      store.accounts.addToInbox('bob', msgs[2].msgid);
      store.accounts.addToInbox('carol', msgs[2].msgid);
      store.history.redact(msgs[2].msgid);
      if (backend.seesQueued !== true) {
        assert.deepEqual(await store.accounts.takeInbox('bob'), [], 'not before the commit');
      }
      await committed(store);
      assert.deepEqual(await store.accounts.takeInbox('bob'), [msgs[1], msgs[0]]);
      assert.deepEqual(await store.accounts.takeInbox('bob'), []);
      assert.deepEqual(await store.accounts.takeInbox('carol'), []);
    }),
  );

  test(name('read markers and settings are written by the next commit'), (t) =>
    withStore(t, backend, async (store) => {
      assert.equal(await store.accounts.readMarker('alice', '#a'), null);
      store.accounts.setReadMarker('alice', '#a', T0 + 5);
      store.setMeta('cloak-secret', 's3');
      if (backend.seesQueued !== true) assert.equal(await store.getMeta('cloak-secret'), null);
      await committed(store);
      assert.equal(await store.accounts.readMarker('alice', '#a'), T0 + 5);
      assert.equal(await store.accounts.readMarker('alice', '#b'), null);
      assert.equal(await store.getMeta('cloak-secret'), 's3');
      store.accounts.setReadMarker('alice', '#a', T0 + 9);
      store.setMeta('cloak-secret', 's4');
      await committed(store);
      assert.equal(await store.accounts.readMarker('alice', '#a'), T0 + 9);
      assert.equal(await store.getMeta('cloak-secret'), 's4');
      assert.equal(await store.getMeta('other'), null);
    }),
  );

  test(name('channels: put, replace, delete; the record is copied when put'), (t) =>
    withStore(t, backend, async (store) => {
      const bad = { mask: '*!*@bad', setBy: 'alice!~a@h', setAt: T0 + 5 };
      const dev = {
        name: '#Dev',
        key: '#dev',
        founder: 'alice',
        topic: 'hello',
        topicBy: 'alice!~a@h',
        topicAt: T0,
        modes: 'nt',
        password: null,
        limit: null,
        lists: { b: [bad] } as Record<string, ListEntryRecord[]>,
        createdAt: T0,
      };
      const ops = { ...dev, name: '#Ops', key: '#ops', password: 'k', limit: 10, lists: {} };
      store.channels.put(dev);
      store.channels.put(ops);
      dev.lists.b.push({ mask: '*!*@later', setBy: 'bob', setAt: T0 }); // after put: not stored
      await committed(store);
      const byKey = (list: { key: string }[]) => [...list].sort((x, y) => (x.key < y.key ? -1 : 1));
      assert.deepEqual(byKey(await store.channels.all()), [{ ...dev, lists: { b: [bad] } }, ops]);
      store.channels.put({ ...ops, topic: 'new' });
      store.channels.delete('#dev');
      await committed(store);
      assert.deepEqual(await store.channels.all(), [{ ...ops, topic: 'new' }]);
    }),
  );
}
