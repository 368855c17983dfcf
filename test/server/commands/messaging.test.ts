// PRIVMSG, NOTICE and TAGMSG over real TCP: error replies word for word, target lists, echo and away replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerConfig } from '../../../src/server/config.js';
import { startServer, TestClient } from '../../helpers/irc.js';

/** Registered clients on a server without a lobby; each of them also joins #c, in order. */
async function scenario(
  nicks: Array<[nick: string, caps: string[]]>,
  body: (clients: TestClient[]) => Promise<void>,
  config: Partial<ServerConfig> = {},
): Promise<void> {
  const srv = await startServer({ defaultChannel: '', ...config });
  const clients: TestClient[] = [];
  try {
    for (const [nick, caps] of nicks) {
      const c = await TestClient.register(srv.port, nick, caps, false);
      c.send('JOIN #c');
      await c.expectCommand('366', nick, '#c');
      clients.push(c);
    }
    for (const c of clients) await c.sync();
    await body(clients);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
}

const S = ':parley.local';

test('missing recipient or text: 411 and 412 for PRIVMSG, nothing for NOTICE, TAGMSG needs no text', async () => {
  await scenario([['alice', ['message-tags']]], async ([alice]) => {
    const cases: Array<[string, string[]]> = [
      ['PRIVMSG', [`${S} 411 alice :No recipient given (PRIVMSG)`]],
      ['PRIVMSG :', [`${S} 411 alice :No recipient given (PRIVMSG)`]],
      ['PRIVMSG alice', [`${S} 412 alice :No text to send`]],
      ['PRIVMSG alice :', [`${S} 412 alice :No text to send`]],
      ['NOTICE', []],
      ['NOTICE alice', []],
      ['TAGMSG :', [`${S} 411 alice :No recipient given (TAGMSG)`]],
    ];
    for (const [line, want] of cases) assert.deepEqual(await alice.rawReplies(line), want, line);
    const tagged = await alice.rawReplies('@+typing=active TAGMSG alice');
    assert.equal(tagged.length, 1, tagged.join('\n'));
    assert.match(tagged[0], /^@time=\S+;msgid=\S+;\+typing=active :alice!~alice@\S+ TAGMSG alice$/);
  });
});

test('unknown targets: 401 for a nick or a bad @/+ target, 403 for a channel', async () => {
  await scenario([['alice', []]], async ([alice]) => {
    assert.deepEqual(await alice.rawReplies('PRIVMSG nobody,#nowhere,@bob,+#c :x'), [
      `${S} 401 alice nobody :No such nick/channel`,
      `${S} 403 alice #nowhere :No such channel`,
      `${S} 401 alice @bob :No such nick/channel`,
    ]);
  });
});

test('a target list drops empty and repeated (any case) names before counting them', async () => {
  await scenario(
    [
      ['alice', []],
      ['bob', []],
      ['carol', []],
    ],
    async ([alice, bob, carol]) => {
      const mark = bob.received.length;
      assert.deepEqual(await alice.rawReplies('PRIVMSG bob,,BOB,Bob,carol :once'), []);
      await bob.sync();
      assert.equal(bob.all('PRIVMSG', mark).length, 1);
      await carol.expectCommand('PRIVMSG', 'carol', 'once');
      assert.deepEqual(await alice.rawReplies('PRIVMSG bob,carol,#c :x'), [
        `${S} 407 alice #c :Too many recipients (at most 2)`,
      ]);
    },
    { maxTargets: 2 },
  );
});

test('echo-message: a message to oneself comes as the delivery and the echo; 301 answers PRIVMSG, not NOTICE', async () => {
  await scenario(
    [
      ['alice', ['echo-message']],
      ['bob', []],
    ],
    async ([alice, bob]) => {
      const self = await alice.rawReplies('PRIVMSG alice,bob :me too');
      assert.deepEqual(
        self.map((l) => l.split(' ').slice(1).join(' ')),
        ['PRIVMSG alice :me too', 'PRIVMSG alice :me too', 'PRIVMSG bob :me too'],
      );
      await bob.expectCommand('PRIVMSG', 'bob', 'me too');
      bob.send('AWAY :lunch');
      await bob.expectCommand('306');
      const toAway = await alice.rawReplies('PRIVMSG bob,#c :hi');
      assert.deepEqual(
        toAway.map((l) => l.split(' ').slice(1).join(' ')),
        ['PRIVMSG bob hi', '301 alice bob lunch', 'PRIVMSG #c hi'],
      );
      assert.deepEqual(
        (await alice.rawReplies('NOTICE bob,#c :hi')).map((l) => l.split(' ')[1]),
        ['NOTICE', 'NOTICE'],
      );
    },
  );
});

test('echo-message without message-tags: no TAGMSG echo (IRCv3: never a TAGMSG to a client without the cap)', async () => {
  await scenario(
    [
      ['alice', ['echo-message']],
      ['bob', ['message-tags']],
    ],
    async ([alice, bob]) => {
      assert.deepEqual(await alice.rawReplies('@+typing=active TAGMSG alice,bob,#c'), []);
      await bob.expectCommand('TAGMSG', 'bob');
      await bob.expectCommand('TAGMSG', '#c');
    },
  );
});

test('a banned member cannot speak unless voiced; the console logs actions and CTCP without \\x01', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    for (const c of [alice, bob]) {
      c.send('JOIN #c');
      await c.expectCommand('366', c.nick, '#c');
    }
    alice.send('MODE #c +b bob!*@*');
    await bob.expectCommand('MODE', '#c', '+b');
    assert.deepEqual(await bob.rawReplies('PRIVMSG #c :hi'), [
      `${S} 404 bob #c :Cannot send to channel`,
    ]);
    alice.send('MODE #c +v bob');
    await bob.expectCommand('MODE', '#c', '+v');
    assert.deepEqual(await bob.rawReplies('PRIVMSG #c :\x01ACTION waves\x01'), []);
    assert.deepEqual(await bob.rawReplies('PRIVMSG #c :\x01PING 1\x01'), []);
    assert.deepEqual(await bob.rawReplies('NOTICE #c :\x01ACTION not an action\x01'), []);
    const lines = (await srv.console()).map((l) => l.slice(9));
    assert.deepEqual(lines.slice(-3, -1), ['#c * bob waves', '#c bob sent CTCP PING 1']);
    assert.match(lines.at(-1)!, /^#c bob sent CTCP /, 'a NOTICE is never an action');
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('from outside a -n channel: refused on +m and when banned, like a member without voice', async () => {
  const srv = await startServer({ defaultChannel: '' });
  const alice = await TestClient.register(srv.port, 'alice', [], false);
  const bob = await TestClient.register(srv.port, 'bob', [], false);
  try {
    await alice.replies('JOIN #c');
    await alice.replies('MODE #c -n+m');
    const refused = [`${S} 404 bob #c :Cannot send to channel`];
    assert.deepEqual(await bob.rawReplies('PRIVMSG #c :moderated'), refused);
    await alice.replies('MODE #c -m+b bob');
    assert.deepEqual(await bob.rawReplies('PRIVMSG #c :banned'), refused);
    await alice.replies('MODE #c -b+b bob m:bob');
    assert.deepEqual(await bob.rawReplies('PRIVMSG #c :muted'), refused);
    await alice.replies('MODE #c -b m:bob');
    assert.deepEqual(await bob.rawReplies('PRIVMSG #c :free'), []);
    await alice.sync();
    assert.deepEqual(
      alice.all('PRIVMSG').map((m) => m.params[1]),
      ['free'],
      'only the last one reached the channel',
    );
  } finally {
    alice.destroy();
    bob.destroy();
    await srv.stop();
  }
});

test('NOTICE stays silent for unknown targets and a channel it may not speak in', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    for (const c of [alice, bob]) {
      c.send('JOIN #c');
      await c.expectCommand('366', c.nick, '#c');
    }
    alice.send('MODE #c +b bob!*@*');
    await bob.expectCommand('MODE', '#c', '+b');
    assert.deepEqual(await bob.rawReplies('NOTICE @bob,#nowhere,nobody,#c :x'), []);
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('only + tags are relayed; the JSON console logs text as sent, CTCP unwrapped, no TAGMSG', async () => {
  const srv = await startServer({ defaultChannel: '' }, 'json');
  try {
    const alice = await TestClient.register(srv.port, 'alice', ['message-tags'], false);
    const bob = await TestClient.register(srv.port, 'bob', ['message-tags'], false);
    for (const c of [alice, bob]) {
      c.send('JOIN #c');
      await c.expectCommand('366', c.nick, '#c');
    }
    alice.send('@foo=bar;+a=b PRIVMSG bob :hi');
    await bob.expect((_m, raw) => / PRIVMSG bob :?hi$/.test(raw));
    const raw = bob.received.at(-1)!.raw;
    assert.match(raw, /^@time=\S+;msgid=[^; ]+;\+a=b :alice!/, raw);
    await alice.sync();
    const before = (await srv.console()).length;
    for (const line of [
      'PRIVMSG #c :hi\x01',
      'PRIVMSG #c :\x01PING 1\x01',
      'PRIVMSG #c :\x01ACTION waves\x01',
      'PRIVMSG bob :\x01VERSION\x01',
      '@+typing=active TAGMSG #c',
      '@+typing=active TAGMSG bob',
    ]) {
      alice.send(line);
    }
    await alice.sync();
    const logged = (await srv.console())
      .slice(before)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .map(({ type, to, text }) => ({ type, to, text }));
    assert.deepEqual(logged, [
      { type: 'privmsg', to: ['#c'], text: 'hi\x01' },
      { type: 'ctcp', to: ['#c'], text: 'PING 1' },
      { type: 'action', to: ['#c'], text: 'waves' },
      { type: 'ctcp', to: ['bob'], text: 'VERSION' },
    ]);
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});
