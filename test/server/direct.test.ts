// The private-message fast path (direct.ts) writes exactly what the general path writes, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { directRelayed } from '../../src/server/direct.js';
import { openPipeStore } from '../../src/store/pipe.js';
import { conversationKey, type Store } from '../../src/store/types.js';
import { startServer, TestClient } from '../helpers/irc.js';
import { transcript } from '../helpers/direct.js';

/** Lines alice sends: some the fast path takes, and every kind it must leave to the general path. */
const LINES = [
  'PRIVMSG bob :hello there', // fast: text with a space
  'PRIVMSG bob :word', // fast: one word, relayed without the colon
  'PRIVMSG bob ::starts with a colon',
  'PRIVMSG BOB :case-insensitive nick',
  'PRIVMSG carol :to the server-time client',
  'PRIVMSG dave :to the message-tags client',
  'PRIVMSG alice :to myself',
  'PRIVMSG bob :trailing spaces   ',
  'PRIVMSG bob :~!@#$%^&*()_+{}|:"<>?`-=[]\\;\',./',
  'PRIVMSG bob :caf\u00e9 and \u2603', // fast: UTF-8 without controls
  'PRIVMSG bob :emoji \u{1f600} and \u00a0 (no-break space, U+00A0)',
  // the general path's:
  'PRIVMSG bob word', // no colon
  'PRIVMSG bob  :two spaces',
  'privmsg bob :lower-case command',
  '@+draft/react=1 PRIVMSG bob :tagged',
  ':alice PRIVMSG bob :with a source',
  'PRIVMSG bob,carol :two targets',
  'PRIVMSG #lobby :to a channel',
  'PRIVMSG @#lobby :to the channel ops',
  'PRIVMSG nobody :unknown nick',
  'PRIVMSG bob :',
  'PRIVMSG bob :\x01ACTION waves\x01',
  'PRIVMSG bob :C1 control \u0085 here',
  'PRIVMSG bob :bidi \u202e override and \u2067 isolate',
  'PRIVMSG bob :bidi \u202a only',
  'PRIVMSG bob :bell\x07 and \x1b[2J escape',
  'PRIVMSG erin :erin is away',
  'NOTICE bob :a notice',
  'PRIVMSG :bob :colon target',
];

/** The lines as bytes, and two that are not UTF-8: a stray byte, and a surrogate (ED A0 80) that
 * decoding would turn into U+FFFD. */
const BYTES = [
  ...LINES.map((l) => Buffer.from(l + '\r\n')),
  ...[
    [0xff, 0xfe],
    [0xed, 0xa0, 0x80],
  ].map((bad) => Buffer.from([...Buffer.from('PRIVMSG bob :bad '), ...bad, 13, 10])),
];

/** A store in a new SQLite file, written by the real writer process (pipe.ts), and its folder. */
async function pipeStore(): Promise<Store> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-direct-'));
  const store = await openPipeStore(path.join(dir, 'parley.db'));
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return store;
}

for (const [name, overrides, format, db] of [
  ['text console', {}, 'text', false],
  ['JSON console', {}, 'json', false],
  ['private text hidden', { logPrivate: false }, 'text', false],
  ['flood control on', { flood: { burst: 100, rate: 10 } }, 'text', false],
  ['history in a database file', {}, 'text', true],
] as const) {
  test(`the fast path and the general path give the same bytes and history (${name})`, async () => {
    const general = await transcript(
      false,
      overrides,
      format,
      BYTES,
      db ? await pipeStore() : undefined,
    );
    const fast = await transcript(
      true,
      overrides,
      format,
      BYTES,
      db ? await pipeStore() : undefined,
    );
    assert.equal(general.relayed, 0);
    assert.equal(fast.relayed, 11, 'the eleven plain private messages took the fast path');
    assert.deepEqual(fast.got, general.got);
    assert.deepEqual(fast.printed, general.printed);
    assert.deepEqual(fast.history, general.history);
    // Not vacuous: history kept bob's plain ones (and more), and carol's and dave's.
    assert.ok(general.history[0].some((r) => r.text === 'hello there' && r.target === 'bob'));
    assert.deepEqual(
      general.history.slice(1, 3).map((h) => h.map((r) => r.text)),
      [['to the server-time client', 'two targets'], ['to the message-tags client']],
    );
    // Not vacuous: bob got the plain ones, and the general path's replies reached alice.
    assert.ok(general.got[1].includes(':alice!~alice@x-H.parley PRIVMSG bob word'));
    assert.ok(general.got[0].some((l) => / 401 alice nobody /.test(l)));
    assert.equal(general.got[0].filter((l) => / FAIL PRIVMSG INVALID_UTF8 /.test(l)).length, 2);
  });
}

test('history from the fast path follows nick changes of either party (a database file)', async () => {
  const store = await pipeStore();
  const srv = await startServer({}, 'text', false, store);
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'bob');
    const relayed = directRelayed();
    const say = async (to: string, text: string) => {
      alice.send(`PRIVMSG ${to} :${text}`);
      await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === text);
    };
    await say('bob', 'one');
    await say('bob', 'two');
    bob.send('NICK bobby');
    await alice.sync();
    await say('bobby', 'three');
    alice.send('NICK alicia');
    await bob.expect((m) => m.command === 'NICK' && m.params[0] === 'alicia');
    await say('bobby', 'four');
    assert.equal(directRelayed() - relayed, 4, 'all four took the fast path');
    const [a, b] = ['alicia', 'bobby'].map((n) => srv.server.network.findUser(n)!.historyId);
    const kept = await store.history.latest(conversationKey(a, b), null, 10);
    assert.deepEqual(
      kept.map((r) => [r.text, r.target, r.source.split('@')[0]]),
      [
        ['one', 'bob', 'alice!~alice'],
        ['two', 'bob', 'alice!~alice'],
        ['three', 'bobby', 'alice!~alice'],
        ['four', 'bobby', 'alicia!~alice'],
      ],
    );
    for (const c of [alice, bob]) c.destroy();
  } finally {
    await srv.stop();
    await store.close();
  }
});

test('history from the fast path follows a login and a logout of the sender (a database file)', async () => {
  const store = await pipeStore();
  const srv = await startServer({}, 'text', false, store);
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'bob');
    const relayed = directRelayed();
    const say = async (text: string) => {
      alice.send(`PRIVMSG bob :${text}`);
      await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === text);
    };
    const guest = srv.server.network.findUser('alice')!.historyId;
    await say('as a guest');
    await alice.replies('PRIVMSG NickServ :REGISTER alicespassword');
    await say('logged in');
    await alice.replies('NS LOGOUT');
    await say('logged out');
    assert.equal(directRelayed() - relayed, 3, 'all three took the fast path');
    const b = srv.server.network.findUser('bob')!.historyId;
    const kept = async (from: string) =>
      (await store.history.latest(conversationKey(from, b), null, 10)).map((r) => [
        r.text,
        r.account,
      ]);
    // A guest's conversation is this connection's, before and after the account's.
    assert.deepEqual(await kept(guest), [
      ['as a guest', null],
      ['logged out', null],
    ]);
    assert.deepEqual(await kept('a:alice'), [['logged in', 'alice']]);
    for (const c of [alice, bob]) c.destroy();
  } finally {
    await srv.stop();
    await store.close();
  }
});

test('a flood-limited sender keeps its order when lines wait for the bucket', async () => {
  const srv = await startServer({ flood: { burst: 2, rate: 50 } });
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'bob');
    const started = Date.now();
    for (let k = 0; k < 10; k++)
      alice.send(k % 3 === 0 ? `PRIVMSG bob :\x02bold\x02 ${k}` : `PRIVMSG bob :n ${k}`);
    for (let k = 0; k < 10; k++)
      await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1].endsWith(` ${k}`));
    const elapsed = Date.now() - started;
    const texts = bob.all('PRIVMSG').map((m) => m.params[1].split(' ').pop());
    assert.deepEqual(texts, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // Past the burst of 2, 8 lines at 50 a second take at least 160 ms (10 ms for clock jitter).
    assert.ok(elapsed >= 150, `10 lines passed in ${elapsed} ms: the bucket did not hold them`);
    for (const c of [alice, bob]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('a private message before registration gets 451 and the server serves on', async () => {
  const srv = await startServer();
  try {
    const bob = await TestClient.register(srv.port, 'bob');
    const early = await TestClient.connect(srv.port);
    const relayed = directRelayed();
    // The shape the fast path takes, to a nick that exists: only the sender being unregistered
    // sends it down the general path, whose command table answers 451.
    early.send('PRIVMSG bob :before NICK and USER');
    await early.expectCommand('451', '*', 'You have not registered');
    assert.equal(directRelayed(), relayed);
    const alice = await TestClient.register(srv.port, 'alice');
    alice.send('PRIVMSG bob :after');
    await bob.expectCommand('PRIVMSG', 'bob', 'after');
    assert.deepEqual(
      bob.all('PRIVMSG').map((m) => m.params[1]),
      ['after'],
      'the early line reached nobody',
    );
    early.send('NICK early');
    early.send('USER early 0 * :Early');
    await early.expectCommand('001', 'early');
    for (const c of [alice, bob, early]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('without a store (--db off) the fast path delivers and keeps no history', async () => {
  const srv = await startServer({}, 'text', false, null);
  const a = await TestClient.register(srv.port, 'ann');
  const b = await TestClient.register(srv.port, 'ben');
  try {
    const relayed = directRelayed();
    a.send('PRIVMSG ben :no store here');
    await b.expectCommand('PRIVMSG', 'ben', 'no store here');
    assert.equal(directRelayed() - relayed, 1, 'it took the fast path');
    await a.sync(); // the server serves on
  } finally {
    a.destroy();
    b.destroy();
    await srv.stop();
  }
});
