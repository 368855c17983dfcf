// WHOIS and WHOWAS over real TCP: 319 split into lines under 512 bytes, and the first of a nick list answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../../helpers/irc.js';

test('WHOIS splits many channels over several 319 lines, each within 400 bytes of names', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const names = Array.from(
      { length: 13 },
      (_, k) => `#${String(k).padStart(2, '0')}${'x'.repeat(57)}`,
    );
    for (const half of [names.slice(0, 7), names.slice(7)]) {
      alice.send(`JOIN ${half.join(',')}`); // one JOIN line of all 13 would pass 512 bytes
      await alice.expectCommand('366', 'alice', half.at(-1)!);
    }
    const lines = (await alice.replies('WHOIS alice')).filter((m) => m.command === '319');
    // '@' + 60 characters + a space is 62 bytes: six fit in 400, the seventh starts a new line.
    assert.deepEqual(
      lines.map((m) => m.params[2].split(' ').length),
      [6, 6, 1],
    );
    for (const m of lines) assert.ok(m.params[2].length <= 400, `${m.params[2].length} bytes`);
    assert.deepEqual(
      lines.flatMap((m) => m.params[2].split(' ')).sort(),
      names.map((n) => '@' + n),
    );
    alice.destroy();
  } finally {
    await srv.stop();
  }
});

test('WHOIS answers the first nick of a list, WHOWAS each; a server mask names this server', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    const first = await alice.replies('WHOIS bob,alice');
    assert.deepEqual(
      first.filter((m) => m.command === '311').map((m) => m.params[1]),
      ['bob'],
    );
    const masked = await alice.replies('WHOIS *.LOCAL bob');
    assert.equal(masked[0].command, '311');
    const empty = await alice.replies('WHOIS :');
    assert.deepEqual(
      empty.map((m) => [m.command, m.params]),
      [
        ['401', ['alice', '*', 'No such nick/channel']],
        ['318', ['alice', '*', 'End of /WHOIS list']],
      ],
    );
    const was = await alice.replies('WHOWAS carol,dave');
    assert.deepEqual(
      was.map((m) => [m.command, m.params]),
      [
        ['406', ['alice', 'carol', 'There was no such nickname']],
        ['369', ['alice', 'carol', 'End of WHOWAS']],
        ['406', ['alice', 'dave', 'There was no such nickname']],
        ['369', ['alice', 'dave', 'End of WHOWAS']],
      ],
    );
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('319 lines break exactly past 400 bytes of names; no 319 for a user in no channel', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    const lines = async (who: TestClient) =>
      (await alice.replies(`WHOIS ${who.nick}`))
        .filter((m) => m.command === '319')
        .map((m) => m.params[2].split(' ').length);
    assert.deepEqual(await lines(bob), []);
    // Ten words of 39 characters and their spaces fill 400 bytes exactly: one line, then one more.
    const fill = Array.from(
      { length: 11 },
      (_, k) => `#a${String(k).padStart(2, '0')}${'x'.repeat(34)}`,
    );
    // Nine such words, then one of 40: 360 + 41 is past 400, so it starts the second line.
    const over = [
      ...Array.from({ length: 9 }, (_, k) => `#b${String(k).padStart(2, '0')}${'x'.repeat(34)}`),
      `#c${'x'.repeat(37)}`,
    ];
    for (const [who, names] of [
      [alice, fill],
      [bob, over],
    ] as const) {
      for (const name of names) {
        who.send(`JOIN ${name}`);
        await who.expectCommand('366', who.nick, name);
      }
    }
    assert.deepEqual(await lines(alice), [10, 1]);
    assert.deepEqual(await lines(bob), [9, 1]);
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('312 names the network; USERHOST counts words, not the spaces between them', async () => {
  const srv = await startServer({ defaultChannel: '', network: 'TestNet' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    const server = (await alice.replies('WHOIS bob')).find((m) => m.command === '312');
    assert.deepEqual(server?.params, ['alice', 'bob', 'parley.local', 'TestNet chat server']);
    const [userhost] = await alice.replies('USERHOST :alice      bob');
    assert.deepEqual(
      userhost.params[1].split(' ').map((e) => e.split('=')[0]),
      ['alice', 'bob'],
    );
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});
