// CHATHISTORY across the server's options and channels' lives, over real TCP: no store (--db off), --history-on-join, retention by --history-max, and a channel renamed or made again reads none of an older one's history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../../helpers/irc.js';
import { CAPS, history, talk, withServer } from './history-kit.js';

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
