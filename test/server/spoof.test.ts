// Nobody speaks as someone else: a source prefix or account tag sent by a client is never what others see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';

test('a client-sent source prefix and server tags are ignored: the source is always the sender', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'bob', ['message-tags', 'account-tag']);
    const carol = await TestClient.register(srv.port, 'carol');
    for (const line of [
      ':carol!~carol@x-00000000.parley PRIVMSG bob :private, as carol?',
      ':carol PRIVMSG #lobby :in the channel, as carol?',
      '@account=carol;msgid=forged;time=2000-01-01T00:00:00.000Z PRIVMSG bob :with forged tags',
      ':server.example NOTICE bob :as a server?',
    ]) {
      alice.send(line);
    }
    for (let k = 0; k < 4; k++) {
      const m = await bob.expect((x) => x.command === 'PRIVMSG' || x.command === 'NOTICE');
      assert.match(m.source ?? '', /^alice!~alice@x-[0-9a-f]{8}\.parley$/, m.params[1]);
      assert.notEqual(m.tags?.get('account'), 'carol');
      assert.notEqual(m.tags?.get('msgid'), 'forged');
    }
    for (const c of [alice, bob, carol]) c.destroy();
  } finally {
    await srv.stop();
  }
});
