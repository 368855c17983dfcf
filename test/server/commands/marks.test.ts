// MARKREAD and REDACT over real TCP: markers only move forward and arrive before the names end; only senders and ops redact, and history forgets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { loggedIn, makeAccount } from '../../helpers/accounts.js';
import { startServer, TestClient } from '../../helpers/irc.js';

const MARK = ['draft/read-marker'];
const REDACT = [
  'message-tags',
  'echo-message',
  'batch',
  'draft/message-redaction',
  'draft/chathistory',
];

async function withClients(
  who: Array<[string, string[]]>,
  body: (c: TestClient[]) => Promise<void>,
): Promise<void> {
  const srv = await startServer({ defaultChannel: '' });
  const clients: TestClient[] = [];
  try {
    for (const [nick, caps] of who)
      clients.push(await TestClient.register(srv.port, nick, caps, false));
    await body(clients);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
}

const marks = async (c: TestClient, line: string) =>
  (await c.replies(line))
    .filter((m) => m.command === 'MARKREAD' || m.command === 'FAIL')
    .map((m) => [m.command, ...m.params]);

test('MARKREAD: * until set, then only forward; sent on JOIN before the end of names; bad input FAILs', async () => {
  await withClients([['alice', MARK]], async ([alice]) => {
    assert.deepEqual(await marks(alice, 'MARKREAD #nowhere'), [['MARKREAD', '#nowhere', '*']]);
    const joined = await alice.replies('JOIN #t');
    const order = joined.map((m) => m.command);
    assert.ok(order.indexOf('MARKREAD') >= 0 && order.indexOf('MARKREAD') < order.indexOf('366'));
    const newer = 'timestamp=2019-06-01T12:00:00.000Z';
    const older = 'timestamp=2019-01-01T00:00:00.000Z';
    assert.deepEqual(await marks(alice, `MARKREAD #t ${newer}`), [['MARKREAD', '#t', newer]]);
    assert.deepEqual(await marks(alice, `MARKREAD #T ${older}`), [['MARKREAD', '#T', newer]]);
    assert.deepEqual(await marks(alice, 'MARKREAD #t'), [['MARKREAD', '#t', newer]]);
    alice.send('PART #t');
    const again = await alice.replies('JOIN #t');
    assert.deepEqual(
      again.filter((m) => m.command === 'MARKREAD').map((m) => m.params),
      [['#t', newer]],
    );
    assert.deepEqual((await marks(alice, 'MARKREAD #t *'))[0].slice(0, 3), [
      'FAIL',
      'MARKREAD',
      'INVALID_PARAMS',
    ]);
    const feb30 = 'MARKREAD #t timestamp=2020-02-30T00:00:00.000Z';
    assert.deepEqual((await marks(alice, feb30))[0].slice(0, 3), [
      'FAIL',
      'MARKREAD',
      'INVALID_PARAMS',
    ]);
    assert.deepEqual((await marks(alice, 'MARKREAD #t timestamp=soon'))[0].slice(0, 3), [
      'FAIL',
      'MARKREAD',
      'INVALID_PARAMS',
    ]);
    assert.deepEqual((await marks(alice, 'MARKREAD'))[0].slice(0, 3), [
      'FAIL',
      'MARKREAD',
      'NEED_MORE_PARAMS',
    ]);
  });
});

test("MARKREAD: an account's markers outlive a restart and arrive with the JOIN right after login", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-marks-'));
  const db = join(dir, 'parley.db');
  const newer = 'timestamp=2019-06-01T12:00:00.000Z';
  let srv = await startServer({ defaultChannel: '' }, 'text', false, openSqliteStore(db));
  try {
    await makeAccount(srv.port, 'alice', 'alice-pw');
    const alice = await loggedIn(srv.port, 'alice', 'alice-pw', MARK);
    await alice.replies('JOIN #t');
    assert.deepEqual(await marks(alice, `MARKREAD #t ${newer}`), [['MARKREAD', '#t', newer]]);
    await alice.quit();
    await srv.stop();

    // The default channel is joined as registration ends, right after the PASS login.
    srv = await startServer({ defaultChannel: '#t' }, 'text', false, openSqliteStore(db));
    const back = await loggedIn(srv.port, 'alice', 'alice-pw', MARK);
    const marker = await back.expectCommand('MARKREAD');
    assert.deepEqual(marker.params, ['#t', newer]);
    back.send('PART #t');
    const again = await back.replies('JOIN #t');
    assert.deepEqual(
      again.filter((m) => m.command === 'MARKREAD').map((m) => m.params),
      [['#t', newer]],
    );
    back.destroy();
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("MARKREAD reaches the account's other connections with the cap, and nobody else's", async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    await makeAccount(srv.port, 'alice', 'alice-pw');
    const one = await loggedIn(srv.port, 'alice', 'alice-pw', MARK);
    const two = await loggedIn(srv.port, 'alice_phone', 'alice-pw', MARK, 'alice');
    const bob = await TestClient.register(srv.port, 'bob', MARK, false);
    const stamp = 'timestamp=2020-01-01T00:00:00.000Z';
    one.send(`MARKREAD #t ${stamp}`);
    const seen = await two.expectCommand('MARKREAD');
    assert.deepEqual(seen.params, ['#t', stamp]);
    assert.deepEqual(await marks(bob, 'MARKREAD #t'), [['MARKREAD', '#t', '*']]);
    // Once the phone quits, the account has one connection left; the next marker still works.
    await two.quit();
    const later = 'timestamp=2020-02-01T00:00:00.000Z';
    assert.deepEqual(await marks(one, `MARKREAD #t ${later}`), [['MARKREAD', '#t', later]]);
    one.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('REDACT: the sender and channel operators may, others may not; history forgets the message', async () => {
  await withClients(
    [
      ['alice', REDACT],
      ['bob', REDACT],
      ['carol', ['message-tags']],
    ],
    async ([alice, bob, carol]) => {
      for (const c of [alice, bob, carol]) {
        c.send('JOIN #r');
        await c.expectCommand('366', c.nick, '#r');
      } // alice joined first: she is the operator
      const say = async (c: TestClient, text: string) => {
        c.send(`PRIVMSG #r :${text}`);
        const echo = await c.expect((m) => m.command === 'PRIVMSG' && m.params[1] === text);
        return echo.tags!.get('msgid')!;
      };
      const mine = await say(bob, 'oops');
      const hers = await say(alice, 'hello');
      const [forbidden] = await bob.replies(`REDACT #r ${hers}`);
      assert.deepEqual(forbidden.params.slice(0, 4), ['REDACT', 'REDACT_FORBIDDEN', '#r', hers]);
      // bob takes back his own line: alice (with the cap) is told, carol (without) is not.
      const told = await bob.replies(`REDACT #r ${mine} :typo`);
      assert.deepEqual(
        told.map((m) => [m.command, ...m.params]),
        [['REDACT', '#r', mine, 'typo']],
      );
      await alice.expect((m) => m.command === 'REDACT' && m.params[1] === mine);
      await carol.sync();
      assert.ok(!carol.received.some((r) => r.msg.command === 'REDACT'));
      // The operator may take back anyone's; an unknown msgid and a foreign target are refused.
      const other = await say(bob, 'spam');
      assert.equal((await alice.replies(`REDACT #r ${other}`))[0].command, 'REDACT');
      const [unknown] = await alice.replies('REDACT #r nosuchid');
      assert.deepEqual(unknown.params.slice(0, 2), ['REDACT', 'UNKNOWN_MSGID']);
      const [foreign] = await alice.replies(`REDACT #elsewhere ${hers}`);
      assert.deepEqual(foreign.params.slice(0, 3), ['REDACT', 'INVALID_TARGET', '#elsewhere']);
      const left = (await alice.replies('CHATHISTORY LATEST #r * 10')).filter(
        (m) => m.command === 'PRIVMSG',
      );
      assert.deepEqual(
        left.map((m) => m.params[1]),
        ['hello'],
      );
    },
  );
});
