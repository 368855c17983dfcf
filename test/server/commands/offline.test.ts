// Private messages to an offline account over real TCP: accepted, echoed, kept in the conversation's history, delivered once at the next login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeAccount } from '../../helpers/accounts.js';
import { startServer, TestClient } from '../../helpers/irc.js';

test('a message to an offline account is accepted, then delivered once when it logs in', async () => {
  const srv = await startServer({ defaultChannel: '' });
  const clients: TestClient[] = [];
  try {
    await makeAccount(srv.port, 'dave', 'correct-horse');
    const alice = await TestClient.register(
      srv.port,
      'alice',
      ['echo-message', 'message-tags', 'server-time'],
      false,
    );
    clients.push(alice);
    // dave is offline: no 401, the echo carries a msgid; a nick that is no account still gets 401.
    const sent = await alice.replies('PRIVMSG dave,nobody :are you there?');
    assert.deepEqual(
      sent.map((m) => [m.command, ...m.params.slice(0, 2)]),
      [
        ['PRIVMSG', 'dave', 'are you there?'],
        ['401', 'alice', 'nobody'],
      ],
    );
    const msgid = sent[0].tags!.get('msgid')!;
    // dave logs in with PASS account:password at registration and finds it waiting.
    const dave = await TestClient.connect(srv.port);
    clients.push(dave);
    dave.nick = 'dave';
    dave.send('CAP LS 302');
    dave.send('CAP REQ :message-tags server-time batch draft/chathistory');
    dave.send('PASS dave:correct-horse');
    dave.send('NICK dave');
    dave.send('USER dave 0 * :Dave');
    dave.send('CAP END');
    const got = await dave.expect((m) => m.command === 'PRIVMSG');
    assert.deepEqual(got.params, ['dave', 'are you there?']);
    assert.equal(got.source, alice.received.find((r) => r.msg.command === 'PRIVMSG')!.msg.source);
    assert.equal(got.tags?.get('msgid'), msgid);
    // And it is in their conversation's history, as if dave had been there.
    const kept = await dave.replies('CHATHISTORY LATEST alice * 10');
    const texts = kept.filter((m) => m.command === 'PRIVMSG').map((m) => m.params[1]);
    assert.deepEqual(texts, ['are you there?']);
    // Once: a second login of the account finds the inbox empty.
    await dave.quit();
    const again = await TestClient.connect(srv.port);
    clients.push(again);
    again.send('PASS dave:correct-horse');
    again.send('NICK dave');
    again.send('USER dave 0 * :Dave');
    await again.expect((m) => m.command === '376' || m.command === '422');
    await again.sync();
    assert.ok(!again.received.some((r) => r.msg.command === 'PRIVMSG'));
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
});
