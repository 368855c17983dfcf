// What a user sets once, against a real parley server: --highlight words and --alt-nicks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';
import { newSession, stopServer } from './session-kit.js';

test('--highlight words mark channel messages like a mention of the nick: whole words, any case', async () => {
  const srv = await startServer();
  const { session, rec } = newSession(srv.port, 'alice', { highlight: ['deploy', 'On Call'] });
  let bob: TestClient | null = null;
  try {
    session.start();
    await rec.next('join');
    bob = await TestClient.register(srv.port, 'bob');
    const said = async (text: string) => {
      bob?.send(`PRIVMSG #lobby :${text}`);
      return (await rec.next('message', (m) => m.text === text)).highlight;
    };
    assert.equal(await said('the deploy is done'), true);
    assert.equal(await said('redeploying now'), false, 'inside a word: no');
    assert.equal(await said('DEPLOY!'), true);
    assert.equal(await said('who is on call today?'), true);
    assert.equal(await said('nothing to see'), false);
  } finally {
    bob?.destroy();
    session.close();
    await stopServer(srv);
  }
});

test('--alt-nicks are tried in order when the nick is taken, before made-up ones', async () => {
  const srv = await startServer({ defaultChannel: '' });
  const taken = [
    await TestClient.register(srv.port, 'alice', [], false),
    await TestClient.register(srv.port, 'ally', [], false),
  ];
  const { session, rec } = newSession(srv.port, 'alice', { altNicks: ['ally', 'alice_away'] });
  try {
    session.start();
    const reg = await rec.next('registered');
    assert.equal(reg.nick, 'alice_away');
    const refusals = rec.all('error').map((e) => e.text);
    assert.deepEqual(refusals, [
      'Nickname alice is already in use; trying ally',
      'Nickname ally is already in use; trying alice_away',
    ]);
  } finally {
    for (const c of taken) c.destroy();
    session.close();
    await stopServer(srv);
  }
});
