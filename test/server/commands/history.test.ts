// CHATHISTORY over real TCP against the in-memory store: every subcommand, who may read what, bad input, order, a labeled query (history-life.test.ts: no store, replay on join, retention, channels renamed or made again).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeAccount } from '../../helpers/accounts.js';
import { TestClient } from '../../helpers/irc.js';
import { CAPS, history, talk, withServer } from './history-kit.js';

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
    // Client tags are kept with the message.
    alice.send('@+draft/reply=abc PRIVMSG #h :a reply');
    await alice.expect((m) => m.params[1] === 'a reply');
    const kept = (await alice.replies('CHATHISTORY LATEST #h * 1')).find(
      (m) => m.command === 'PRIVMSG',
    );
    assert.equal(kept?.tags?.get('+draft/reply'), 'abc');
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
