// Bad input gets the standard reply, the connection lives on where the protocol allows, and nobody else is affected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';

test('each kind of bad input gets its standard reply and the connection carries on', async () => {
  const srv = await startServer({ maxTargets: 3 });
  try {
    const a = await TestClient.register(srv.port, 'alice');
    const b = await TestClient.register(srv.port, 'bob');
    b.send('JOIN #closed');
    await b.expectCommand('366', 'bob', '#closed');
    const cases: Array<[string, string | Buffer, string, string[]]> = [
      ['unknown command', 'FROBNICATE x', '421', ['alice', 'FROBNICATE']],
      ['too few params', 'JOIN', '461', ['alice', 'JOIN']],
      ['unknown nick', 'PRIVMSG nobody :hi', '401', ['alice', 'nobody']],
      ['unknown channel', 'PRIVMSG #nowhere :hi', '403', ['alice', '#nowhere']],
      ['not on a +n channel', 'PRIVMSG #closed :hi', '404', ['alice', '#closed']],
      ['erroneous nick', 'NICK 9lives', '432', ['alice', '9lives']],
      ['nick in use', 'NICK bob', '433', ['alice', 'bob']],
      ['too many targets', 'PRIVMSG a,b,c,d :hi', '407', ['alice', 'd']],
      ['no recipient', 'PRIVMSG', '411', ['alice']],
      ['no text', 'PRIVMSG bob', '412', ['alice']],
      ['line too long', `PRIVMSG bob :${'x'.repeat(600)}`, '417', ['alice']],
      ['tags too long', `@+a=${'y'.repeat(9000)} PRIVMSG bob :hi`, '417', ['alice']],
      [
        'invalid UTF-8',
        Buffer.from([...Buffer.from('PRIVMSG bob :'), 0xff, 0xfe, 0x0d, 0x0a]),
        'FAIL',
        ['PRIVMSG', 'INVALID_UTF8'],
      ],
      ['NUL byte', Buffer.from('PRIVMSG bob :a\0b\r\n'), 'FAIL', ['*', 'INVALID_MESSAGE']],
      ['binary garbage', Buffer.from([0x16, 0x03, 0x01, 0x02, 0xa5, 0x01, 0x0a]), '421', ['alice']],
      ['bad channel name', 'JOIN lobby', '403', ['alice', 'lobby']],
      ['already registered', 'USER x 0 * :x', '462', ['alice']],
    ];
    for (const [what, line, command, params] of cases) {
      await a.sync(); // the window below then holds this line's answer and nothing older
      const from = a.received.length;
      if (typeof line === 'string') a.send(line);
      else a.socket.write(line);
      await a.sync();
      const got = a.received
        .slice(from)
        .map((r) => r.msg)
        .filter((m) => m.command !== 'PONG');
      // Exactly one reply, the standard one: no second error, no half-done command.
      assert.deepEqual(
        got.map((m) => [m.command, ...m.params.slice(0, params.length)]),
        [[command, ...params]],
        what,
      );
    }
    // Still alive, and bob never saw any of it.
    a.send('PRIVMSG bob :still here');
    const got = await b.expectCommand('PRIVMSG', 'bob', 'still here');
    assert.match(got.source!, /^alice!/);
    assert.equal(b.all('PRIVMSG').length, 1);
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('a CR inside a line ends that line: the rest is a separate command', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice');
    const b = await TestClient.register(srv.port, 'bob');
    a.socket.write('PRIVMSG bob :first\rPRIVMSG bob :second\r\n');
    await b.expectCommand('PRIVMSG', 'bob', 'first');
    await b.expectCommand('PRIVMSG', 'bob', 'second');
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('commands before registration get 451; registration still completes', async () => {
  const srv = await startServer();
  try {
    const c = await TestClient.connect(srv.port);
    c.send('PRIVMSG #lobby :early');
    await c.expectCommand('451', '*');
    c.send('NICK late');
    c.send('USER late 0 * :Late');
    await c.expectCommand('001', 'late');
    c.destroy();
  } finally {
    await srv.stop();
  }
});

test('an HTTP request on the IRC port is told so and closed', async () => {
  const srv = await startServer();
  try {
    const c = await TestClient.connect(srv.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const e = await c.expectCommand('ERROR');
    assert.match(e.params[0], /not an HTTP server/);
    await c.closedPromise;
  } finally {
    await srv.stop();
  }
});

test('a line that never ends is closed at the receive-queue cap; others carry on', async () => {
  const srv = await startServer({ recvq: 16 * 1024 });
  try {
    const a = await TestClient.register(srv.port, 'alice');
    const b = await TestClient.register(srv.port, 'bob');
    a.socket.write('PRIVMSG bob :' + 'z'.repeat(20 * 1024));
    const e = await a.expectCommand('ERROR');
    assert.match(e.params[0], /Receive queue exceeded/);
    await a.closedPromise;
    await b.expect((m) => m.command === 'QUIT' && /^alice!/.test(m.source ?? ''));
    b.send('PRIVMSG #lobby :fine');
    await b.sync();
    b.destroy();
  } finally {
    await srv.stop();
  }
});
