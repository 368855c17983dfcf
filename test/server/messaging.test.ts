// Delivery by the seed's model: to everyone, to one person, to several at once, to a named group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient, type TestServer } from '../helpers/irc.js';

async function withThree(
  fn: (s: TestServer, a: TestClient, b: TestClient, c: TestClient, d: TestClient) => Promise<void>,
) {
  const srv = await startServer();
  const clients: TestClient[] = [];
  try {
    for (const nick of ['alice', 'bob', 'carol', 'dave']) {
      clients.push(await TestClient.register(srv.port, nick));
    }
    // Each client has now seen every later JOIN? Sync so earlier joins are consumed.
    for (const c of clients) await c.sync();
    const [a, b, c, d] = clients;
    await fn(srv, a, b, c, d);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
}

test('a line to the default channel reaches everyone connected, not the sender', async () => {
  await withThree(async (_s, a, b, c, d) => {
    const before = a.received.length;
    a.send('PRIVMSG #lobby :hello everyone');
    for (const r of [b, c, d]) {
      const m = await r.expectCommand('PRIVMSG', '#lobby', 'hello everyone');
      assert.match(m.source!, /^alice!~alice@x-[0-9a-f]{8}\.parley$/);
    }
    await a.sync();
    assert.equal(a.all('PRIVMSG', before).length, 0, 'no echo without echo-message');
  });
});

test('a private message reaches only its recipient', async () => {
  await withThree(async (_s, a, b, c, d) => {
    const marks = [c, d].map((x) => x.received.length);
    a.send('PRIVMSG bob :just for you');
    const m = await b.expectCommand('PRIVMSG', 'bob', 'just for you');
    assert.match(m.source!, /^alice!/);
    for (const [k, x] of [c, d].entries()) {
      await x.sync();
      assert.equal(x.all('PRIVMSG', marks[k]).length, 0, `${x.nick} must not see it`);
    }
  });
});

test('several named targets at once, mixing nicks and a channel', async () => {
  await withThree(async (_s, a, b, c, d) => {
    a.send('JOIN #dev');
    await a.expectCommand('366', 'alice', '#dev');
    d.send('JOIN #dev');
    await d.expectCommand('366', 'dave', '#dev');
    const markC = c.received.length;
    a.send('PRIVMSG bob,carol,#dev :hi group');
    await b.expectCommand('PRIVMSG', 'bob', 'hi group');
    await c.expectCommand('PRIVMSG', 'carol', 'hi group');
    await d.expectCommand('PRIVMSG', '#dev', 'hi group');
    await c.sync();
    assert.equal(c.all('PRIVMSG', markC).length, 1, 'carol gets exactly one copy');
  });
});

test('a channel message reaches its members only', async () => {
  await withThree(async (_s, a, b, c, d) => {
    a.send('JOIN #ops');
    await a.expectCommand('366', 'alice', '#ops');
    b.send('JOIN #ops');
    await b.expectCommand('366', 'bob', '#ops');
    const mark = c.received.length;
    b.send('PRIVMSG #ops :members only');
    await a.expectCommand('PRIVMSG', '#ops', 'members only');
    await c.sync();
    await d.sync();
    assert.equal(c.all('PRIVMSG', mark).length, 0);
    assert.equal(d.all('PRIVMSG', mark).length, 0);
  });
});

test('a nick change is announced once to everyone sharing a channel, and the old nick is free', async () => {
  await withThree(async (_s, a, b, c) => {
    a.send('JOIN #extra');
    await a.expectCommand('366', 'alice', '#extra');
    b.send('JOIN #extra');
    await b.expectCommand('366', 'bob', '#extra');
    const mark = b.received.length;
    a.send('NICK alicia');
    const self = await a.expectCommand('NICK', 'alicia');
    assert.match(self.source!, /^alice!/);
    await b.expectCommand('NICK', 'alicia');
    await c.expectCommand('NICK', 'alicia');
    await b.sync();
    assert.equal(b.all('NICK', mark).length, 1, 'bob shares two channels but sees one NICK');
    b.send('PRIVMSG alicia :found you');
    await a.expectCommand('PRIVMSG', 'alicia', 'found you');
    c.send('NICK alice');
    await c.expectCommand('NICK', 'alice');
  });
});

test('QUIT with a reason reaches the others and frees the nick', async () => {
  await withThree(async (s, a, b) => {
    await a.quit('gone fishing');
    const q = await b.expectCommand('QUIT', 'Quit: gone fishing');
    assert.match(q.source!, /^alice!/);
    const again = await TestClient.register(s.port, 'alice');
    again.destroy();
  });
});

test('echo-message, server-time and msgid: the sender sees its own message once, stamped', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice', ['echo-message', 'message-tags']);
    const b = await TestClient.register(srv.port, 'bob', ['server-time']);
    const c = await TestClient.register(srv.port, 'carol');
    a.send('@+draft/react=x PRIVMSG #lobby :stamped');
    const echo = await a.expectCommand('PRIVMSG', '#lobby', 'stamped');
    const got = await b.expectCommand('PRIVMSG', '#lobby', 'stamped');
    const plain = await c.expectCommand('PRIVMSG', '#lobby', 'stamped');
    assert.match(echo.tags!.get('time')!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(
      echo.tags!.get('msgid') ?? '',
      /^[0-9a-z]{13}$/,
      'msgid: 9 digits of time, 4 of sequence',
    );
    assert.equal(
      echo.tags!.get('+draft/react'),
      'x',
      'client tags relayed to message-tags clients',
    );
    assert.equal(got.tags!.get('time'), echo.tags!.get('time'));
    assert.equal(got.tags!.has('msgid'), false, 'msgid only with message-tags');
    assert.equal(plain.tags, null);
    for (const x of [a, b, c]) x.destroy();
  } finally {
    await srv.stop();
  }
});

test('TAGMSG reaches message-tags clients only', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice', ['message-tags']);
    const b = await TestClient.register(srv.port, 'bob', ['message-tags']);
    const c = await TestClient.register(srv.port, 'carol');
    const mark = c.received.length;
    a.send('@+typing=active TAGMSG #lobby');
    const t = await b.expectCommand('TAGMSG', '#lobby');
    assert.equal(t.tags!.get('+typing'), 'active');
    await c.sync();
    assert.equal(c.all('TAGMSG', mark).length, 0);
    for (const x of [a, b, c]) x.destroy();
  } finally {
    await srv.stop();
  }
});

test('labeled-response: one reply labeled, several in a batch, none as ACK', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice', [
      'labeled-response',
      'batch',
      'echo-message',
    ]);
    a.send('@label=p1 PING tok');
    const pong = await a.expectCommand('PONG');
    assert.equal(pong.tags!.get('label'), 'p1');
    a.send('@label=j1 JOIN #new');
    const open = await a.expectCommand('BATCH');
    assert.equal(open.tags!.get('label'), 'j1');
    assert.equal(open.params[1], 'labeled-response');
    const id = open.params[0].slice(1);
    const join = await a.expectCommand('JOIN', '#new');
    assert.equal(join.tags!.get('batch'), id);
    await a.expect((m) => m.command === 'BATCH' && m.params[0] === `-${id}`);
    a.send('@label=n1 PONG x');
    const ack = await a.expectCommand('ACK');
    assert.equal(ack.tags!.get('label'), 'n1');
    a.destroy();
  } finally {
    await srv.stop();
  }
});

/** Register `nicks` (with their caps) without the lobby, so each test sets up its own channels. */
async function registerAll(port: number, ...who: Array<[string, string[]?]>) {
  const out: TestClient[] = [];
  for (const [nick, caps] of who) out.push(await TestClient.register(port, nick, caps, false));
  return out;
}

async function join(c: TestClient, channel: string): Promise<void> {
  c.send(`JOIN ${channel}`);
  await c.expectCommand('366', c.nick, channel);
}

test('NOTICE is never answered with an error, where PRIVMSG would be', async () => {
  const srv = await startServer({ defaultChannel: '', maxTargets: 2 });
  try {
    const [alice, bob, carol] = await registerAll(srv.port, ['alice'], ['bob'], ['carol']);
    await join(bob, '#closed'); // +n: alice is outside
    await join(bob, '#quiet');
    await join(alice, '#quiet');
    bob.send('MODE #quiet +m'); // alice is a member without voice
    await alice.expectCommand('MODE', '#quiet', '+m');
    const marks = [bob, carol].map((c) => c.received.length);
    // [what follows the verb, what PRIVMSG gets for it]: each NOTICE must get nothing at all.
    const cases: Array<[string, string[]]> = [
      ['', ['411', 'alice', 'No recipient given (PRIVMSG)']],
      [':', ['411', 'alice', 'No recipient given (PRIVMSG)']],
      ['bob', ['412', 'alice', 'No text to send']],
      ['bob :', ['412', 'alice', 'No text to send']],
      ['nobody :hi', ['401', 'alice', 'nobody', 'No such nick/channel']],
      ['#nowhere :hi', ['403', 'alice', '#nowhere', 'No such channel']],
      ['@nobody :hi', ['401', 'alice', '@nobody', 'No such nick/channel']],
      ['#closed :hi', ['404', 'alice', '#closed', 'Cannot send to channel']],
      ['#quiet :hi', ['404', 'alice', '#quiet', 'Cannot send to channel']],
      ['bob,carol,nobody :hi', ['407', 'alice', 'nobody', 'Too many recipients (at most 2)']],
      ['bob,carol,#quiet :hi', ['407', 'alice', '#quiet', 'Too many recipients (at most 2)']],
    ];
    const bigTags = `@+a=${'y'.repeat(4100)}`;
    for (const [rest, error] of cases) {
      const line = rest === '' ? '' : ` ${rest}`;
      const refused = await alice.replies(`PRIVMSG${line}`);
      assert.deepEqual(
        refused.map((m) => [m.command, ...m.params]),
        [error],
        `PRIVMSG${line}`,
      );
      assert.deepEqual(await alice.replies(`NOTICE${line}`), [], `NOTICE${line}`);
    }
    assert.equal((await alice.replies(`${bigTags} PRIVMSG bob :hi`))[0]?.command, '417');
    // Past the protocol's tag limit the line itself is refused where it is read, whatever its
    // command (as a line over 512 bytes is): 417, and nothing is sent.
    assert.equal((await alice.replies(`${bigTags} NOTICE bob :hi`))[0]?.command, '417');
    // None of it reached anyone: not even the existing nicks of the too-many-targets lines.
    for (const [k, c] of [bob, carol].entries()) {
      await c.sync();
      const got = c.received.slice(marks[k]).map((r) => r.msg.command);
      assert.deepEqual(
        got.filter((x) => x === 'NOTICE' || x === 'PRIVMSG'),
        [],
        `${c.nick} got nothing`,
      );
    }
    // And NOTICE does get through where it may.
    alice.send('NOTICE bob :a real notice');
    await bob.expectCommand('NOTICE', 'bob', 'a real notice');
    for (const c of [alice, bob, carol]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('@#chan reaches only its operators, +#chan its operators and voiced members', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const clients = await registerAll(
      srv.port,
      ['alice'],
      ['bob'],
      ['carol'],
      ['dave'],
      ['erin', ['echo-message']],
    );
    const [alice, , , , erin] = clients;
    for (const c of clients) await join(c, '#c'); // alice first: the operator
    alice.send('MODE #c +vo bob dave');
    await erin.expectCommand('MODE', '#c', '+vo', 'bob', 'dave');
    for (const c of clients) await c.sync();
    const marks = clients.map((c) => c.received.length);
    // erin is a plain member: she may still write to the ops (as on most servers).
    erin.send('PRIVMSG @#c :ops only');
    erin.send('PRIVMSG +#c :voiced and ops');
    erin.send('NOTICE @#c :ops notice');
    erin.send('PRIVMSG #c :everyone');
    await erin.expectCommand('PRIVMSG', '#c', 'everyone'); // her echo: all four were handled
    const want: Record<string, string[]> = {
      alice: ['PRIVMSG @#c ops only', 'PRIVMSG +#c voiced and ops', 'NOTICE @#c ops notice'],
      bob: ['PRIVMSG +#c voiced and ops'],
      carol: [],
      dave: ['PRIVMSG @#c ops only', 'PRIVMSG +#c voiced and ops', 'NOTICE @#c ops notice'],
    };
    for (const [k, c] of clients.entries()) {
      if (c === erin) continue;
      await c.expectCommand('PRIVMSG', '#c', 'everyone'); // the control: everyone gets this one
      const got = c.received
        .slice(marks[k])
        .map((r) => r.msg)
        .filter((m) => m.command === 'PRIVMSG' || m.command === 'NOTICE')
        .map((m) => `${m.command} ${m.params.join(' ')}`);
      assert.deepEqual(got, [...want[c.nick], 'PRIVMSG #c everyone'], c.nick);
    }
    // The sender's echo names the status target as sent.
    const echoes = erin.all('PRIVMSG', marks[4]).map((m) => m.params[0]);
    assert.deepEqual(echoes, ['@#c', '+#c', '#c']);
    // An operator writing to the operators is not sent a copy of its own (no echo-message).
    const dave = clients[3];
    const from = dave.received.length;
    dave.send('PRIVMSG @#c :from an op');
    dave.send('PRIVMSG #c :control');
    await alice.expectCommand('PRIVMSG', '#c', 'control');
    await dave.sync();
    assert.equal(dave.all('PRIVMSG', from).length, 0);
    for (const c of clients) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('TAGMSG to a nick without message-tags is dropped silently', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const [alice, bob, carol] = await registerAll(
      srv.port,
      ['alice', ['message-tags']],
      ['bob', ['message-tags']],
      ['carol'],
    );
    const mark = carol.received.length;
    assert.deepEqual(await alice.replies('@+typing=active TAGMSG carol'), [], 'no error back');
    assert.deepEqual(await alice.replies('@+typing=paused TAGMSG carol,bob'), []);
    const t = await bob.expectCommand('TAGMSG', 'bob');
    assert.equal(t.tags!.get('+typing'), 'paused');
    assert.match(t.source!, /^alice!/);
    await carol.sync();
    assert.deepEqual(
      carol.received.slice(mark).map((r) => r.msg.command),
      ['PONG'],
      'carol got nothing but her own PONG',
    );
    for (const c of [alice, bob, carol]) c.destroy();
  } finally {
    await srv.stop();
  }
});
