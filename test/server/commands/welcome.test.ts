// The registration burst over real TCP: 001-004, the 005 lines and LUSERS, word for word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VERSION } from '../../../src/server/version.js';
import { startServer, TestClient } from '../../helpers/irc.js';

test('001-004, 005 and LUSERS say what they should, word for word', async () => {
  const srv = await startServer({ defaultChannel: '', network: 'TestNet', maxClients: 77 });
  try {
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const params = (code: string) => alice.all(code).map((m) => m.params);
    const [welcome] = params('001');
    assert.match(welcome[1], /^Welcome to the TestNet IRC Network alice!~alice@\S+$/);
    assert.deepEqual(params('002'), [
      ['alice', `Your host is parley.local, running version ${VERSION}`],
    ]);
    const created = srv.server.startedAt.toUTCString();
    assert.deepEqual(params('003'), [['alice', `This server was created ${created}`]]);
    // 004: server, version, user modes, channel modes, channel modes that take a parameter.
    assert.deepEqual(params('004'), [
      ['alice', 'parley.local', VERSION, 'BZiow', 'CIbeiklmnostuv', 'Ibeklov'],
    ]);
    const isupport = params('005');
    assert.ok(isupport.length >= 2);
    for (const p of isupport) assert.equal(p.at(-1), 'are supported by this server');
    assert.deepEqual(
      ['251', '252', '253', '254', '255', '265', '266'].map((code) => params(code)[0]),
      [
        ['alice', 'There are 2 users and 0 invisible on 1 servers'],
        ['alice', '0', 'operator(s) online'],
        ['alice', '0', 'unknown connection(s)'],
        ['alice', '0', 'channels formed'],
        ['alice', 'I have 2 clients and 0 servers'],
        ['alice', '2', '2', 'Current local users 2, max 2'],
        ['alice', '2', '2', 'Current global users 2, max 2'],
      ],
    );
    // The max is the peak seen (not --max-clients): carol comes and goes, it stays 3.
    const carol = await TestClient.register(srv.port, 'carol', [], false);
    await carol.quit();
    const lusers = await alice.replies('LUSERS');
    assert.deepEqual(
      lusers.filter((m) => m.command === '265' || m.command === '266').map((m) => m.params),
      [
        ['alice', '2', '3', 'Current local users 2, max 3'],
        ['alice', '2', '3', 'Current global users 2, max 3'],
      ],
    );
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});
