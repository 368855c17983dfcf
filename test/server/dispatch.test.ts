// The general path's refusals (dispatch.ts): what a 421 for an unparseable line names, the texts of FAIL, and which lines count as HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';

test('a 421 for a line that does not parse names its command word, past tags and source', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice', [], false);
    const cases: Array<[string, string]> = [
      ['!!x y', '!!x'], // no tags, no source: the first word
      ['@a=b  !!x  y', '!!x'], // tags, then runs of spaces
      [':src', '*'], // a source and nothing after it
      ['@a=b :src', '*'], // tags and a source, no command
      [`!!${'w'.repeat(60)}`, `!!${'w'.repeat(30)}`], // echoed at most 32 characters long
    ];
    for (const [line, word] of cases) {
      const got = await a.replies(line);
      assert.deepEqual(
        got.map((m) => [m.command, ...m.params]),
        [['421', 'alice', word, 'Unknown command']],
        line,
      );
    }
    a.destroy();
  } finally {
    await srv.stop();
  }
});

test('a line of spaces is ignored; a NUL byte and text that is not UTF-8 get FAIL with their reason', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice', [], false);
    assert.deepEqual(await a.replies('    '), []);
    const nul = await a.replies('PRIVMSG alice :a\0b');
    assert.deepEqual(
      nul.map((m) => [m.command, ...m.params]),
      [['FAIL', '*', 'INVALID_MESSAGE', 'Line contains a NUL byte']],
    );
    await a.sync();
    const from = a.received.length;
    a.socket.write(Buffer.from([...Buffer.from('PRIVMSG alice :'), 0xff, 0x0d, 0x0a]));
    await a.sync();
    const bad = a.received.slice(from).filter((r) => r.msg.command !== 'PONG');
    assert.deepEqual(
      bad.map((r) => [r.msg.command, ...r.msg.params]),
      [['FAIL', 'PRIVMSG', 'INVALID_UTF8', 'Message rejected: text must be UTF-8']],
    );
    a.destroy();
  } finally {
    await srv.stop();
  }
});

test('only an HTTP request line before registration closes the link', async () => {
  const srv = await startServer();
  try {
    // Before registration, none of these is an HTTP request line: the link stays open.
    for (const line of ['XGET / HTTP/1.1', 'GETX / HTTP/1.1', 'GET /', 'GET / FTP/1.0']) {
      const c = await TestClient.connect(srv.port);
      c.send(line);
      c.send('PING :alive');
      await c.expect((m) => m.command === 'PONG' && m.params[1] === 'alive', 5000, line);
      assert.equal(c.all('ERROR').length, 0, line);
      c.destroy();
    }
    // A registered user who types one gets the usual 421 and stays.
    const a = await TestClient.register(srv.port, 'alice', [], false);
    const got = await a.replies('GET / HTTP/1.1');
    assert.deepEqual(
      got.map((m) => [m.command, ...m.params.slice(0, 2)]),
      [['421', 'alice', 'GET']],
    );
    // And a real one before registration is closed.
    const h = await TestClient.connect(srv.port);
    h.send('OPTIONS * HTTP/1.0');
    assert.match((await h.expectCommand('ERROR')).params[0], /not an HTTP server/);
    await h.closedPromise;
    a.destroy();
  } finally {
    await srv.stop();
  }
});
