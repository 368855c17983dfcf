// WHOWAS over real TCP: who held a nick before, newest first, after a quit or a nick change, bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WHOWAS_PER_NICK } from '../../../src/server/whowas.js';
import { startServer, TestClient } from '../../helpers/irc.js';

test('WHOWAS lists who held a nick, newest first, with the count asked for', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const first = await TestClient.register(srv.port, 'bob', [], false);
    await first.quit('bye');
    const second = await TestClient.register(srv.port, 'bob', [], false);
    await second.replies('NICK robert'); // giving up a nick records it too
    const all = await alice.replies('WHOWAS bob');
    const users = all.filter((m) => m.command === '314');
    assert.equal(users.length, 2);
    for (const m of users) assert.deepEqual(m.params.slice(0, 3), ['alice', 'bob', '~bob']);
    assert.equal(all.at(-1)?.command, '369');
    const servers = all.filter((m) => m.command === '312');
    assert.deepEqual(
      servers.map((m) => m.params.slice(0, 3)),
      [
        ['alice', 'bob', 'parley.local'],
        ['alice', 'bob', 'parley.local'],
      ],
    );
    // Newest first: the nick change comes before the quit.
    assert.ok(Date.parse(servers[0].params[3]) >= Date.parse(servers[1].params[3]));
    const one = await alice.replies('WHOWAS bob 1');
    assert.deepEqual(
      one.map((m) => m.command),
      ['314', '312', '369'],
    );
    assert.deepEqual(
      (await alice.replies('WHOWAS robert')).map((m) => m.command),
      ['406', '369'],
      'a nick still in use has no history',
    );
    alice.destroy();
    second.destroy();
  } finally {
    await srv.stop();
  }
});

test(`WHOWAS keeps the last ${WHOWAS_PER_NICK} holders of a nick`, async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const carol = await TestClient.register(srv.port, 'carol', [], false);
    for (let k = 0; k < 2 * (WHOWAS_PER_NICK + 3); k++) {
      await carol.replies(k % 2 === 0 ? 'NICK dave' : 'NICK carol');
    }
    const was = await alice.replies('WHOWAS carol');
    assert.equal(was.filter((m) => m.command === '314').length, WHOWAS_PER_NICK);
    alice.destroy();
    carol.destroy();
  } finally {
    await srv.stop();
  }
});

test('a change of case only is not a new holder: WHOWAS has nothing for the nick still in use', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const carol = await TestClient.register(srv.port, 'carol', [], false);
    await carol.replies('NICK Carol');
    const asked = await carol.replies('WHOWAS carol');
    assert.deepEqual(
      asked.map((m) => m.command),
      ['406', '369'],
    );
    carol.destroy();
  } finally {
    await srv.stop();
  }
});
