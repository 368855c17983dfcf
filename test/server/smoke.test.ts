import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';

test('two clients register and talk in the lobby', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'bob');
    alice.send('PRIVMSG #lobby :hello all');
    const m = await bob.expectCommand('PRIVMSG', '#lobby', 'hello all');
    assert.match(m.source ?? '', /^alice!/);
    await alice.quit();
    await bob.expectCommand('QUIT');
    console.log(await srv.console());
  } finally {
    await srv.stop();
  }
});
