// The server console: exchanged messages with nicknames (never addresses), in receipt order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';

const TIME = String.raw`\d\d:\d\d:\d\d`;

test('the console shows joins, messages, private messages, nick changes, parts and quits in order', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice');
    const b = await TestClient.register(srv.port, 'bob');
    const c = await TestClient.register(srv.port, 'carol');
    // Each client's lines are in order; sync() between clients orders them across clients.
    a.send('PRIVMSG #lobby :hello');
    a.send('PRIVMSG bob,carol :hi both');
    a.send('PRIVMSG bob :\x01ACTION waves\x01');
    a.send('PRIVMSG bob :\x01VERSION\x01');
    await a.sync();
    b.send('NOTICE #lobby :heads up');
    b.send('JOIN #dev');
    b.send('TOPIC #dev :shipping');
    b.send('MODE #dev +m');
    b.send('PART #dev :later');
    await b.sync();
    c.send('NICK caroline');
    c.send('PRIVMSG #lobby :\x1b[2Jsneaky');
    await c.sync();
    await a.quit('done');
    await b.expectCommand('QUIT');
    const lines = await srv.console();
    const expected = [
      '#lobby --> alice joined',
      '#lobby --> bob joined',
      '#lobby --> carol joined',
      '#lobby <alice> hello',
      'alice -> bob,carol: hi both',
      'alice -> bob: * alice waves',
      'alice -> bob: CTCP VERSION',
      '#lobby -bob- heads up',
      '#dev --> bob joined',
      '#dev bob set the topic: shipping',
      '#dev bob set mode +m',
      '#dev <-- bob left (later)',
      'carol is now known as caroline',
      '#lobby <caroline> [2Jsneaky',
      '<-- alice quit (Quit: done)',
    ];
    assert.equal(lines.length, expected.length, lines.join('\n'));
    for (const [k, want] of expected.entries()) {
      assert.match(lines[k], new RegExp(`^${TIME} `), 'each line starts with HH:MM:SS');
      assert.equal(lines[k].slice(9), want);
    }
    assert.ok(!lines.some((l) => l.includes('127.0.0.1')), 'no addresses on the console');
    for (const x of [b, c]) x.destroy();
  } finally {
    await srv.stop();
  }
});

test('--log-private off hides private text but still shows who wrote to whom', async () => {
  const srv = await startServer({ logPrivate: false });
  try {
    const a = await TestClient.register(srv.port, 'alice');
    const b = await TestClient.register(srv.port, 'bob');
    a.send('PRIVMSG bob :secret stuff');
    await b.expectCommand('PRIVMSG', 'bob', 'secret stuff');
    const lines = await srv.console();
    assert.ok(lines.some((l) => l.endsWith('alice -> bob: [private]')));
    assert.ok(!lines.some((l) => l.includes('secret stuff')));
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('--log-chat off prints nothing on the console', async () => {
  const srv = await startServer({ logChat: false });
  try {
    const a = await TestClient.register(srv.port, 'alice');
    const b = await TestClient.register(srv.port, 'bob');
    a.send('PRIVMSG #lobby :unlogged');
    await b.expectCommand('PRIVMSG', '#lobby', 'unlogged');
    assert.deepEqual(await srv.console(), []);
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});
