// Several connections as one user (--multiclient) and always-on users (--always-on), over real TCP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/server/opers.js';
import { loggedIn, makeAccount } from '../helpers/accounts.js';
import { startServer, TestClient, type TestServer } from '../helpers/irc.js';

const MARK = ['draft/read-marker'];
const OPERS = [{ name: 'root', hash: hashPassword('letmein'), host: '*@*' }];

/** A server with alice's account, bob connected, and `body` run; everything closed after. */
async function withAlice(
  overrides: Parameters<typeof startServer>[0],
  body: (srv: TestServer, bob: TestClient) => Promise<void>,
): Promise<void> {
  const srv = await startServer({ defaultChannel: '', ...overrides });
  try {
    await makeAccount(srv.port, 'alice', 'alice-pw');
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    try {
      await body(srv, bob);
    } finally {
      bob.destroy();
    }
  } finally {
    await srv.stop();
  }
}

const said = (c: TestClient, text: string) =>
  c.expect((m) => m.command === 'PRIVMSG' && m.params[1] === text, 5000, `PRIVMSG ${text}`);

test('connections logged into one account share its nick: each gets everything, and one leaving is no news', async () => {
  await withAlice({}, async (srv, bob) => {
    const one = await loggedIn(srv.port, 'alice', 'alice-pw');
    one.send('JOIN #c');
    await one.expectCommand('366', 'alice', '#c');
    bob.send('JOIN #c');
    await bob.expectCommand('366', 'bob', '#c');
    one.send('TOPIC #c :the topic');
    await bob.expectCommand('TOPIC', '#c', 'the topic');

    // The second connection registers under the same nick and is put in the user's channels.
    const two = await loggedIn(srv.port, 'alice', 'alice-pw');
    assert.equal(two.all('001')[0].params[0], 'alice');
    const join = await two.expectCommand('JOIN', '#c');
    assert.match(join.source ?? '', /^alice!/);
    await two.expectCommand('332', 'alice', '#c', 'the topic');
    const names = await two.expectCommand('353', 'alice', '=', '#c');
    assert.deepEqual(names.params[3].split(' ').sort(), ['@alice', 'bob']);

    // Both get what the channel and bob say; what one says, bob and the other get.
    bob.send('PRIVMSG #c :to the channel');
    bob.send('PRIVMSG alice :to alice');
    for (const c of [one, two]) {
      await said(c, 'to the channel');
      await said(c, 'to alice');
    }
    one.send('PRIVMSG #c :from one');
    await said(bob, 'from one');
    const echoed = await said(two, 'from one');
    assert.match(echoed.source ?? '', /^alice!/);
    await one.sync();
    const own = one.all('PRIVMSG').filter((m) => m.params[1] === 'from one');
    assert.equal(own.length, 0, 'not back to the connection that sent it (no echo-message)');
    two.send('PRIVMSG bob :from two');
    await said(bob, 'from two');
    assert.equal((await said(one, 'from two')).params[0], 'bob');

    // A nick change by one is the other's too.
    one.send('NICK alicia');
    await two.expectCommand('NICK', 'alicia');
    await bob.expectCommand('NICK', 'alicia');

    // A third joins; the first leaves, then the second: bob hears nothing, the third carries on.
    const three = await loggedIn(srv.port, 'alicia', 'alice-pw', ['message-tags'], 'alice');
    await three.expectCommand('JOIN', '#c');
    // Its TAGMSG reaches none of the others, which have no message-tags.
    three.send('@+typing=active TAGMSG #c');
    for (const c of [one, two]) await c.sync();
    assert.equal(
      one.all('TAGMSG').length + two.all('TAGMSG').length,
      0,
      'no TAGMSG without the cap',
    );
    // One more comes and goes beside the others (a connection that is not the first leaves).
    const comeAndGo = async () => {
      const c = await loggedIn(srv.port, 'alicia', 'alice-pw', [], 'alice');
      await c.expectCommand('JOIN', '#c');
      await c.quit();
    };
    await comeAndGo();
    await one.quit();
    bob.send('PRIVMSG #c :still there?');
    await said(three, 'still there?');
    await two.quit();
    bob.send('PRIVMSG alicia :and now?');
    await said(three, 'and now?');
    // And again while the third is alone: it is left alone again, as at the start.
    await comeAndGo();
    bob.send('PRIVMSG #c :just you');
    await said(three, 'just you');
    await bob.sync();
    assert.equal(bob.all('QUIT').length, 0, 'no QUIT while a connection is left');
    assert.ok(!srv.logged().includes('always-on user detached'), 'none detached');
    // The last one leaves: now the user quits.
    await three.quit('gone');
    const quit = await bob.expectCommand('QUIT');
    assert.match(quit.source ?? '', /^alicia!/);
    assert.equal(srv.server.network.findUser('alicia'), undefined);
  });
});

test('the nick stays taken for anyone not logged into its account, and with --multiclient off', async () => {
  await withAlice({}, async (srv) => {
    await makeAccount(srv.port, 'carol', 'carol-pw');
    const one = await loggedIn(srv.port, 'alice', 'alice-pw');
    for (const pass of [null, 'carol:carol-pw', 'alice:wrong-pw']) {
      const c = await TestClient.attempt(srv.port, 'alice', pass);
      // Addressed to `*` when refused at NICK, to `alice` when at USER (after the PASS login).
      await c.expect((m) => m.command === '433' && m.params[1] === 'alice');
      c.destroy();
    }
    one.destroy();
  });
  await withAlice({ multiclient: false }, async (srv) => {
    const one = await loggedIn(srv.port, 'alice', 'alice-pw');
    const c = await TestClient.attempt(srv.port, 'alice', 'alice:alice-pw');
    await c.expectCommand('433', 'alice', 'alice');
    c.destroy();
    one.destroy();
  });
});

test('always-on: the last connection going keeps the user; the next login gets its channels, marker and missed messages', async () => {
  await withAlice({ alwaysOn: true }, async (srv, bob) => {
    const one = await loggedIn(srv.port, 'alice', 'alice-pw', MARK);
    one.send('JOIN #c');
    await one.expectCommand('366', 'alice', '#c');
    const stamp = 'timestamp=2021-05-20T08:30:00.000Z';
    one.send(`MARKREAD #c ${stamp}`);
    await one.expectCommand('MARKREAD', '#c', stamp);
    bob.send('JOIN #c');
    await bob.expectCommand('366', 'bob', '#c');
    await one.quit();

    // Still on the network: in the channel's names, and a private message is no 401.
    const names = await bob.replies('NAMES #c');
    assert.deepEqual(names[0].params[3].split(' ').sort(), ['@alice', 'bob']);
    const answer = await bob.replies('PRIVMSG alice :while you were out');
    assert.deepEqual(answer, [], 'accepted without 401');
    // The channel goes on around it (what it says reaches nobody's socket).
    assert.deepEqual(await bob.replies('PRIVMSG #c :to the channel'), []);
    assert.equal(bob.all('QUIT').length, 0);
    assert.ok(srv.logged().includes('always-on user detached'));

    const two = await loggedIn(srv.port, 'alice', 'alice-pw', MARK);
    await two.expectCommand('JOIN', '#c');
    await two.expectCommand('MARKREAD', '#c', stamp);
    await two.expectCommand('366', 'alice', '#c');
    const kept = await said(two, 'while you were out');
    assert.match(kept.source ?? '', /^bob!/);
    // Back to normal delivery.
    bob.send('PRIVMSG alice :live now');
    await said(two, 'live now');
    two.destroy();
  });
});

test('always-on: KILL removes a detached user, and a user never logged in quits as before', async () => {
  await withAlice({ alwaysOn: true, opers: OPERS }, async (srv, bob) => {
    const one = await loggedIn(srv.port, 'alice', 'alice-pw');
    one.send('JOIN #c');
    await one.expectCommand('366', 'alice', '#c');
    const dave = await TestClient.register(srv.port, 'dave', [], false);
    dave.send('JOIN #c');
    await dave.expectCommand('366', 'dave', '#c');
    bob.send('JOIN #c');
    await bob.expectCommand('366', 'bob', '#c');
    await dave.quit();
    assert.match((await bob.expectCommand('QUIT')).source ?? '', /^dave!/);
    await one.quit();
    bob.send('OPER root letmein');
    await bob.expectCommand('381');
    bob.send('KILL alice :enough');
    const quit = await bob.expectCommand('QUIT');
    assert.match(quit.source ?? '', /^alice!/);
    assert.equal(srv.server.network.findUser('alice'), undefined);
    // The nick is free for anyone now.
    const eve = await TestClient.register(srv.port, 'alice', [], false);
    eve.destroy();
  });
});

test('KILL of a user with two connections closes both; its channels and watchers hear of it once', async () => {
  await withAlice({ opers: OPERS }, async (srv, bob) => {
    const one = await loggedIn(srv.port, 'alice', 'alice-pw');
    const two = await loggedIn(srv.port, 'alice', 'alice-pw');
    for (const c of [one, bob]) await c.replies('JOIN #c');
    await bob.replies('MONITOR + alice');
    await bob.replies('OPER root letmein');
    bob.send('KILL alice :enough');
    for (const c of [one, two]) await c.closedPromise;
    await bob.expectCommand('QUIT');
    await bob.expectCommand('731');
    // Another line through the server: anything sent twice would be here by now.
    await bob.sync();
    assert.equal(bob.all('QUIT').length, 1, 'one QUIT');
    assert.equal(bob.all('731').length, 1, 'one 731');
    assert.equal(srv.server.network.findUser('alice'), undefined);
  });
});

test('a multiline batch reaches every connection of its recipient and the sender’s other ones', async () => {
  const ML = ['batch', 'draft/multiline'];
  await withAlice({}, async (srv, bob) => {
    await makeAccount(srv.port, 'carol', 'carol-pw');
    const alice = [
      await loggedIn(srv.port, 'alice', 'alice-pw', ML),
      await loggedIn(srv.port, 'alice', 'alice-pw'),
    ];
    const carol = [
      await loggedIn(srv.port, 'carol', 'carol-pw'),
      await loggedIn(srv.port, 'carol', 'carol-pw', ML),
    ];
    alice[0].send('BATCH +m draft/multiline carol');
    alice[0].send('@batch=m PRIVMSG carol :one');
    alice[0].send('@batch=m PRIVMSG carol :two');
    alice[0].send('BATCH -m');
    // Without the cap, as lines; with it, as a batch of the same lines.
    for (const c of [carol[0], alice[1]]) {
      await said(c, 'one');
      await said(c, 'two');
    }
    const open = await carol[1].expectCommand('BATCH');
    assert.equal(open.params[1], 'draft/multiline');
    await said(carol[1], 'two');
    await bob.sync();
    assert.equal(bob.all('PRIVMSG').length, 0);
    for (const c of [...alice, ...carol]) c.destroy();
  });
});

test('a multiline message to an account with nobody connected, or to an always-on user, waits for its next login', async () => {
  const ML = ['batch', 'draft/multiline'];
  /** `from` sends two lines to `to` as one multiline message: accepted, no 401. */
  const sendTwo = async (from: TestClient, to: string, id: string) => {
    from.send(`BATCH +${id} draft/multiline ${to}`);
    from.send(`@batch=${id} PRIVMSG ${to} :first of ${id}`);
    from.send(`@batch=${id} PRIVMSG ${to} :second of ${id}`);
    from.send(`BATCH -${id}`);
    await from.sync();
    assert.equal(from.all('401').length, 0, `${id}: no 401`);
  };
  /** The next login of `nick` gets both lines: as a batch with the cap, else as two lines. */
  const getsTwo = async (port: number, nick: string, id: string, caps: string[]) => {
    const c = await loggedIn(port, nick, `${nick}-pw`, caps);
    if (caps.length > 0) {
      const open = await c.expectCommand('BATCH');
      assert.equal(open.params[1], 'draft/multiline');
    }
    const first = await said(c, `first of ${id}`);
    assert.match(first.source ?? '', /^eve!/);
    await said(c, `second of ${id}`);
    return c;
  };
  // Nobody by that nick online, but an account: kept for it (without --always-on).
  await withAlice({}, async (srv) => {
    const eve = await TestClient.register(srv.port, 'eve', ML, false);
    await sendTwo(eve, 'alice', 'off');
    eve.send('BATCH +n draft/multiline nobody');
    eve.send('@batch=n PRIVMSG nobody :lost');
    eve.send('BATCH -n');
    await eve.expectCommand('401', 'eve', 'nobody');
    (await getsTwo(srv.port, 'alice', 'off', ML)).destroy();
    eve.destroy();
  });
  // An always-on user with no connection left: in its inbox, as a single line would be.
  await withAlice({ alwaysOn: true }, async (srv) => {
    const eve = await TestClient.register(srv.port, 'eve', ML, false);
    const one = await loggedIn(srv.port, 'alice', 'alice-pw');
    await one.quit();
    await sendTwo(eve, 'alice', 'away');
    (await getsTwo(srv.port, 'alice', 'away', [])).destroy();
    eve.destroy();
  });
});

test('NickServ LOGOUT from one of two connections: both are told the nick is reserved, and both are renamed', async () => {
  await withAlice({ nickGrace: 0 }, async (srv) => {
    const alice = [
      await loggedIn(srv.port, 'alice', 'alice-pw'),
      await loggedIn(srv.port, 'alice', 'alice-pw'),
    ];
    alice[0].send('PRIVMSG NickServ :LOGOUT');
    for (const c of alice) {
      await c.expect(
        (m) => m.command === 'NOTICE' && /belongs to a registered account/.test(m.params[1] ?? ''),
        5000,
        'the reservation notice',
      );
      const nick = await c.expectCommand('NICK');
      assert.match(nick.params[0], /^Guest\d+$/);
    }
    for (const c of alice) c.destroy();
  });
});
