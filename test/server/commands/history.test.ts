// CHATHISTORY over real TCP against the in-memory store: every subcommand, who may read what, bad input, order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../../src/protocol/index.js';
import { makeAccount } from '../../helpers/accounts.js';
import { startServer, TestClient, type TestServer } from '../../helpers/irc.js';

const CAPS = ['batch', 'server-time', 'message-tags', 'echo-message', 'draft/chathistory'];

/** A server without a lobby whose clock moves only when the test says, and clients on it. */
async function withServer(
  body: (
    srv: TestServer,
    open: (nick: string, caps?: string[]) => Promise<TestClient>,
  ) => Promise<void>,
): Promise<void> {
  const srv = await startServer({ defaultChannel: '' }, 'text', true);
  const clients: TestClient[] = [];
  try {
    await body(srv, async (nick, caps = CAPS) => {
      const c = await TestClient.register(srv.port, nick, caps, false);
      clients.push(c);
      return c;
    });
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
}

/** Send `count` messages to `target`, 10 ms of server clock apart; the echoes' msgids and times. */
async function talk(srv: TestServer, c: TestClient, target: string, count: number, from = 0) {
  const sent: Array<{ msgid: string; time: string; text: string }> = [];
  for (let i = from; i < from + count; i++) {
    srv.advance(10);
    c.send(`PRIVMSG ${target} :message ${i}`);
    const echo = await c.expect((m) => m.command === 'PRIVMSG' && m.params[1] === `message ${i}`);
    sent.push({
      msgid: echo.tags!.get('msgid')!,
      time: echo.tags!.get('time')!,
      text: `message ${i}`,
    });
  }
  return sent;
}

/** The texts of a chathistory batch answering `line`, after checking the batch frames them. */
async function history(c: TestClient, line: string, target: string): Promise<string[]> {
  const got = await c.replies(line);
  assert.equal(got[0].command, 'BATCH', `a batch opens: ${JSON.stringify(got[0])}`);
  const id = got[0].params[0].slice(1);
  assert.deepEqual(got[0].params.slice(1), ['chathistory', target]);
  assert.deepEqual(got.at(-1)!.params, ['-' + id]);
  const inner = got.slice(1, -1);
  for (const m of inner) assert.equal(m.tags?.get('batch'), id);
  return inner.map((m: Message) => m.params[1]);
}

const texts = (list: Array<{ text: string }>) => list.map((m) => m.text);

test('every CHATHISTORY subcommand answers with the right slice of a channel, by msgid and by timestamp', async () => {
  await withServer(async (srv, open) => {
    const alice = await open('alice');
    alice.send('JOIN #h');
    await alice.expectCommand('366', 'alice', '#h');
    const m = await talk(srv, alice, '#h', 10);
    const H = (line: string) => history(alice, line, '#h');

    assert.deepEqual(await H('CHATHISTORY LATEST #h * 100'), texts(m));
    assert.deepEqual(await H('CHATHISTORY LATEST #h * 3'), texts(m.slice(-3)));
    assert.deepEqual(await H(`CHATHISTORY LATEST #h msgid=${m[4].msgid} 100`), texts(m.slice(5)));
    assert.deepEqual(
      await H(`CHATHISTORY LATEST #h timestamp=${m[4].time} 100`),
      texts(m.slice(5)),
    );
    assert.deepEqual(
      await H(`CHATHISTORY BEFORE #h msgid=${m[6].msgid} 100`),
      texts(m.slice(0, 6)),
    );
    assert.deepEqual(
      await H(`CHATHISTORY BEFORE #h timestamp=${m[6].time} 2`),
      texts(m.slice(4, 6)),
    );
    assert.deepEqual(await H(`CHATHISTORY AFTER #h msgid=${m[3].msgid} 100`), texts(m.slice(4)));
    assert.deepEqual(
      await H(`CHATHISTORY AFTER #h timestamp=${m[3].time} 3`),
      texts(m.slice(4, 7)),
    );
    assert.deepEqual(await H(`CHATHISTORY AROUND #h msgid=${m[7].msgid} 1`), texts([m[7]]));
    assert.deepEqual(await H(`CHATHISTORY AROUND #h msgid=${m[7].msgid} 3`), texts(m.slice(6, 9)));
    const [first, last] = [m[0], m[9]];
    assert.deepEqual(
      await H(`CHATHISTORY BETWEEN #h msgid=${first.msgid} msgid=${last.msgid} 100`),
      texts(m.slice(1, 9)),
    );
    assert.deepEqual(
      await H(`CHATHISTORY BETWEEN #h msgid=${last.msgid} msgid=${first.msgid} 3`),
      texts(m.slice(6, 9)),
    );
    assert.deepEqual(
      await H(`CHATHISTORY BETWEEN #h timestamp=${first.time} timestamp=${last.time} 3`),
      texts(m.slice(1, 4)),
    );
    // A replayed line is the original: same source, msgid and time as the echo.
    const replay = await alice.replies('CHATHISTORY LATEST #h * 1');
    assert.equal(
      replay[1].source,
      alice.received.find((r) => r.msg.command === 'PRIVMSG')!.msg.source,
    );
    assert.equal(replay[1].tags?.get('msgid'), m[9].msgid);
    assert.equal(replay[1].tags?.get('time'), m[9].time);
  });
});

test('channel history is for members; a private conversation for its two sides, not a later holder of the nick', async () => {
  await withServer(async (srv, open) => {
    const alice = await open('alice');
    const bob = await open('bob', ['batch', 'server-time', 'message-tags', 'draft/chathistory']);
    const eve = await open('eve');
    alice.send('JOIN #h');
    await alice.expectCommand('366', 'alice', '#h');
    await talk(srv, alice, '#h', 2);
    // eve is not in #h; #nowhere does not exist: the same refusal, so it says nothing of either.
    for (const target of ['#h', '#nowhere']) {
      const [fail] = await eve.replies(`CHATHISTORY LATEST ${target} * 10`);
      assert.deepEqual(fail.params, [
        'CHATHISTORY',
        'INVALID_TARGET',
        'LATEST',
        target,
        'Messages could not be retrieved',
      ]);
    }
    // alice writes to bob through the general path (echo-message), bob back through the fast path.
    await talk(srv, alice, 'bob', 1);
    bob.send('PRIVMSG alice :plain reply');
    await alice.expect((m) => m.params[1] === 'plain reply');
    const both = ['message 0', 'plain reply'];
    assert.deepEqual(await history(alice, 'CHATHISTORY LATEST bob * 10', 'bob'), both);
    assert.deepEqual(await history(bob, 'CHATHISTORY LATEST ALICE * 10', 'ALICE'), both);
    assert.deepEqual(await history(eve, 'CHATHISTORY LATEST alice * 10', 'alice'), []);
    // bob leaves without an account; whoever takes the nick next reads nothing of his.
    await bob.quit();
    const bob2 = await open('bob');
    assert.deepEqual(await history(bob2, 'CHATHISTORY LATEST alice * 10', 'alice'), []);
  });
});

test('TARGETS lists conversations whose latest message falls strictly inside the window, oldest first', async () => {
  await withServer(async (srv, open) => {
    const alice = await open('alice');
    await open('bob');
    for (const ch of ['#one', '#two']) {
      alice.send(`JOIN ${ch}`);
      await alice.expectCommand('366', 'alice', ch);
    }
    const one = await talk(srv, alice, '#one', 1);
    const bob = await talk(srv, alice, 'bob', 1);
    const two = await talk(srv, alice, '#two', 1);
    const targets = async (line: string) => {
      const got = await alice.replies(line);
      assert.deepEqual(got[0].params.slice(1), ['draft/chathistory-targets']);
      return got.slice(1, -1).map((m) => [m.params[1], m.params[2]]);
    };
    const all = 'timestamp=2020-01-01T00:00:00.000Z timestamp=2262-01-01T00:00:00.000Z';
    assert.deepEqual(await targets(`CHATHISTORY TARGETS ${all} 100`), [
      ['#one', one[0].time],
      ['bob', bob[0].time],
      ['#two', two[0].time],
    ]);
    assert.deepEqual((await targets(`CHATHISTORY TARGETS ${all} 1`)).length, 1);
    assert.deepEqual(
      await targets(`CHATHISTORY TARGETS timestamp=${one[0].time} timestamp=${two[0].time} 100`),
      [['bob', bob[0].time]],
    );
  });
});

test("TARGETS names the other party of an account's conversation, whichever nick of the account asks", async () => {
  await withServer(async (srv, open) => {
    await makeAccount(srv.port, 'acct', 'secret-acct');
    const login = (nick: string) =>
      TestClient.register(srv.port, nick, CAPS, false, 'acct:secret-acct');
    const alice = await login('alice');
    const bob = await open('bob');
    await talk(srv, alice, 'bob', 1);
    alice.send('NICK al');
    await alice.expectCommand('NICK', 'al');
    const again = await login('ally');
    const names = async (c: TestClient) => {
      const got = await c.replies(
        'CHATHISTORY TARGETS timestamp=2020-01-01T00:00:00.000Z timestamp=2262-01-01T00:00:00.000Z 100',
      );
      return got.slice(1, -1).map((m) => m.params[1]);
    };
    // The account sent it: its recipient, for the renamed sender and for another connection.
    assert.deepEqual(await names(alice), ['bob']);
    assert.deepEqual(await names(again), ['bob']);
    // bob got it from the nick that sent it.
    assert.deepEqual(await names(bob), ['alice']);
    // Between two connections of one account: the other connection, as each sees it.
    await talk(srv, again, 'al', 1);
    assert.deepEqual(await names(alice), ['bob', 'ally']);
    assert.deepEqual(await names(again), ['bob', 'al']);
    for (const c of [alice, again]) c.destroy();
  });
});

test('bad CHATHISTORY input gets FAIL with the spec codes, and later lines wait behind a query', async () => {
  await withServer(async (srv, open) => {
    const alice = await open('alice');
    alice.send('JOIN #h');
    await alice.expectCommand('366', 'alice', '#h');
    await talk(srv, alice, '#h', 3);
    const fail = async (line: string) =>
      (await alice.replies(line)).map((m) => m.params.slice(0, 3));
    assert.deepEqual(await fail('CHATHISTORY LATEST #h * 0'), [
      ['CHATHISTORY', 'INVALID_PARAMS', 'LATEST'],
    ]);
    assert.deepEqual(await fail('CHATHISTORY LATEST #h * 1001'), [
      ['CHATHISTORY', 'INVALID_PARAMS', 'LATEST'],
    ]);
    assert.deepEqual(await fail('CHATHISTORY BEFORE #h timestamp=yesterday 5'), [
      ['CHATHISTORY', 'INVALID_PARAMS', 'BEFORE'],
    ]);
    // No such day or hour: not read as March 1 or the next day (Date.parse alone would).
    for (const when of ['2020-02-30T00:00:00.000Z', '2020-01-01T24:00:00.000Z']) {
      assert.deepEqual(await fail(`CHATHISTORY LATEST #h timestamp=${when} 5`), [
        ['CHATHISTORY', 'INVALID_PARAMS', 'LATEST'],
      ]);
    }
    assert.deepEqual(await fail('CHATHISTORY BETWEEN #h * msgid=x 5'), [
      ['CHATHISTORY', 'INVALID_PARAMS', 'BETWEEN'],
    ]);
    assert.deepEqual(await fail('CHATHISTORY SIDEWAYS #h * 5'), [
      ['CHATHISTORY', 'INVALID_PARAMS', 'SIDEWAYS'],
    ]);
    assert.deepEqual(await fail('CHATHISTORY BEFORE #h'), [
      ['CHATHISTORY', 'NEED_MORE_PARAMS', 'BEFORE'],
    ]);
    assert.deepEqual(await fail('CHATHISTORY TARGETS msgid=a msgid=b 5'), [
      ['CHATHISTORY', 'INVALID_PARAMS', 'TARGETS'],
    ]);
    // An unknown msgid is not an error: there is simply nothing around it.
    assert.deepEqual(await history(alice, 'CHATHISTORY AFTER #h msgid=nosuchid 5', '#h'), []);
    // The query and the lines after it, sent together: every reply keeps the order of the lines.
    const from = alice.received.length;
    alice.send('CHATHISTORY LATEST #h * 3\r\nPING one\r\nCHATHISTORY LATEST #h * 1\r\nPING two');
    await alice.expect((m) => m.command === 'PONG' && m.params[1] === 'two');
    const order = alice.received
      .slice(from)
      .map((r) => (r.msg.command === 'PONG' ? r.msg.params[1] : r.msg.command));
    assert.deepEqual(order, [
      'BATCH',
      'PRIVMSG',
      'PRIVMSG',
      'PRIVMSG',
      'BATCH',
      'one',
      'BATCH',
      'PRIVMSG',
      'BATCH',
      'two',
    ]);
  });
});

test('a labeled CHATHISTORY nests its batch in the labeled response', async () => {
  await withServer(async (srv, open) => {
    const alice = await open('alice', [...CAPS, 'labeled-response']);
    alice.send('JOIN #h');
    await alice.expectCommand('366', 'alice', '#h');
    await talk(srv, alice, '#h', 2);
    const raw = await alice.rawReplies('@label=q1 CHATHISTORY LATEST #h * 5');
    assert.match(raw[0], /^@label=q1 :parley\.local BATCH \+(\S+) labeled-response$/);
    const outer = /BATCH \+(\S+)/.exec(raw[0])![1];
    assert.match(
      raw[1],
      new RegExp(`^@batch=${outer} :parley\\.local BATCH \\+(\\S+) chathistory #h$`),
    );
    const inner = /BATCH \+(\S+) chathistory/.exec(raw[1])![1];
    assert.match(raw[2], new RegExp(`^@batch=${inner};time=`));
    assert.match(raw[4], new RegExp(`^@batch=${outer} :parley\\.local BATCH -${inner}$`));
    assert.equal(raw[5], `:parley.local BATCH -${outer}`);
  });
});

test('without a store (--db off) there is no chathistory capability, token or answer', async () => {
  const srv = await startServer({ defaultChannel: '' }, 'text', false, null);
  const c = await TestClient.register(srv.port, 'alice', ['batch'], false);
  try {
    const ls = await c.replies('CAP LS 302');
    assert.ok(!ls[0].params.at(-1)!.includes('draft/chathistory'));
    assert.ok(!c.all('005').some((m) => m.params.some((p) => p.startsWith('CHATHISTORY'))));
    const [fail] = await c.replies('CHATHISTORY LATEST #h * 5');
    assert.deepEqual(fail.params.slice(0, 2), ['CHATHISTORY', 'INVALID_PARAMS']);
  } finally {
    c.destroy();
    await srv.stop();
  }
});

test('--history-on-join replays the last lines to a client without chathistory, in a batch; not to one with it', async () => {
  const srv = await startServer({ defaultChannel: '', historyOnJoin: 2 });
  const clients: TestClient[] = [];
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    clients.push(alice);
    alice.send('JOIN #h');
    await alice.expectCommand('366', 'alice', '#h');
    for (const text of ['one', 'two', 'three']) alice.send(`PRIVMSG #h :${text}`);
    await alice.sync();
    const bob = await TestClient.register(srv.port, 'bob', ['batch', 'server-time'], false);
    const carol = await TestClient.register(srv.port, 'carol', CAPS, false);
    clients.push(bob, carol);
    const got = await bob.replies('JOIN #h');
    const shapes = got.map((m) => [m.command, m.params.at(-1)]);
    const names = shapes.findIndex((s) => s[0] === '366');
    assert.deepEqual(shapes.slice(names + 1), [
      ['BATCH', '#h'],
      ['PRIVMSG', 'two'],
      ['PRIVMSG', 'three'],
      ['BATCH', got.at(-1)!.params[0]],
    ]);
    assert.ok(got[names + 2].tags?.get('time'), 'replayed lines carry their own server-time');
    const plain = await carol.replies('JOIN #h');
    assert.ok(!plain.some((m) => m.command === 'PRIVMSG'), 'a chathistory client asks for itself');
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
});

test('retention: past --history-max only the newest are kept (pruned by the server on its own)', async () => {
  const srv = await startServer({ defaultChannel: '', historyMax: 3 }, 'text', true);
  const alice = await TestClient.register(srv.port, 'alice', CAPS, false);
  try {
    alice.send('JOIN #h');
    await alice.expectCommand('366', 'alice', '#h');
    await talk(srv, alice, '#h', 5);
    assert.equal((await history(alice, 'CHATHISTORY LATEST #h * 100', '#h')).length, 5);
    srv.advance(11 * 60_000); // past the pruning interval; the next sweep (each second) prunes
    await new Promise((r) => setTimeout(r, 1300));
    assert.deepEqual(await history(alice, 'CHATHISTORY LATEST #h * 100', '#h'), [
      'message 2',
      'message 3',
      'message 4',
    ]);
  } finally {
    alice.destroy();
    await srv.stop();
  }
});

test("a channel renamed to the name of one that ended reads none of that one's history, nor its own from before", async () => {
  await withServer(async (_srv, open) => {
    const alice = await open('alice');
    await alice.replies('JOIN #old');
    await alice.replies('PRIVMSG #old :said before the rename');
    const bob = await open('bob');
    await bob.replies('JOIN #gone');
    await bob.replies('PRIVMSG #gone :only for who was in #gone');
    await bob.replies('PART #gone'); // the last member: #gone ends
    const renamed = await alice.replies('RENAME #old #gone');
    assert.equal(renamed.at(-1)?.command, 'JOIN'); // no channel-rename cap: PART then JOIN
    assert.deepEqual(await history(alice, 'CHATHISTORY LATEST #gone * 100', '#gone'), []);
    await alice.replies('PRIVMSG #gone :after');
    assert.deepEqual(await history(alice, 'CHATHISTORY LATEST #gone * 100', '#gone'), ['after']);
  });
});

test('a channel that ended and was made again does not show the old one its history (RFC 2812 §1.3)', async () => {
  const srv = await startServer({ defaultChannel: '', historyOnJoin: 5 });
  const clients: TestClient[] = [];
  const open = async (nick: string, caps: string[]) => {
    const c = await TestClient.register(srv.port, nick, caps, false);
    clients.push(c);
    return c;
  };
  try {
    const alice = await open('alice', CAPS);
    await alice.replies('JOIN #x');
    const secret = await alice.replies('PRIVMSG #x :secret');
    await alice.replies('PART #x'); // the last member: #x ends
    await alice.replies('JOIN #r');
    await alice.replies('PRIVMSG #r :before the rename');
    await alice.replies('RENAME #r #s'); // #r ends too: its channel is #s now
    const bob = await open('bob', CAPS);
    await bob.replies('JOIN #x,#r');
    assert.deepEqual(await history(bob, 'CHATHISTORY LATEST #x * 100', '#x'), []);
    assert.deepEqual(await history(bob, 'CHATHISTORY LATEST #r * 100', '#r'), []);
    const msgid = secret[0].tags!.get('msgid')!;
    assert.deepEqual(await history(bob, `CHATHISTORY AROUND #x msgid=${msgid} 9`, '#x'), []);
    const targets = await bob.replies(
      'CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 9',
    );
    assert.deepEqual(
      targets.filter((m) => m.command === 'CHATHISTORY'),
      [],
    );
    const redact = await bob.replies(`REDACT #x ${msgid}`);
    assert.deepEqual(
      redact.map((m) => m.params[1]),
      ['UNKNOWN_MSGID'],
    );
    await bob.replies('PRIVMSG #x :new');
    const carol = await open('carol', []); // no chathistory: the last lines come on JOIN
    const joined = await carol.replies('JOIN #x');
    assert.deepEqual(
      joined.filter((m) => m.command === 'PRIVMSG').map((m) => m.params[1]),
      ['new'],
    );
    await alice.replies('JOIN #x');
    assert.deepEqual(await history(alice, 'CHATHISTORY LATEST #x * 100', '#x'), ['new']);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
});
