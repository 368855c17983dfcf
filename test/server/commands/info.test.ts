// MOTD/HELP over real TCP: an empty server name means this server, and every command's HELP says something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../../helpers/irc.js';

test('an empty server name is this server, not 402', async () => {
  const srv = await startServer({ defaultChannel: '', motd: ['hello'] });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const got = await alice.replies('MOTD :');
    assert.deepEqual(
      got.map((m) => m.command),
      ['375', '372', '376'],
    );
    alice.destroy();
  } finally {
    await srv.stop();
  }
});

test("every command's HELP gives its syntax and a sentence about it", async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const list = await alice.replies('HELP');
    assert.deepEqual(list[0].params, [
      'alice',
      '*',
      'parley commands (HELP <command> for more on one):',
    ]);
    const names = list.slice(1, -1).map((m) => m.params[2].split(' ')[0]);
    assert.ok(names.includes('MOTD') && names.includes('PRIVMSG'), names.join(' '));
    for (const name of names) {
      const [start, text, end] = await alice.replies(`HELP ${name.toLowerCase()}`);
      assert.equal(start.command, '704', name);
      assert.equal(start.params[1], name);
      assert.match(start.params[2], new RegExp(`^${name}( |$)`), `${name} syntax`);
      assert.equal(text.command, '705', name);
      assert.match(text.params[2], /^[A-Z].{8,}\.$/, `${name} help`);
      assert.deepEqual(end.params, ['alice', name, 'End of /HELP'], name);
    }
    alice.destroy();
  } finally {
    await srv.stop();
  }
});
