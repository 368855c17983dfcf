// NAMES and LIST (commands/names.ts) word for word: secret and invisible members, full lines, no channel, unknown channels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shapes, startServer, TestClient } from '../../helpers/irc.js';

async function joined(port: number, nick: string, channel: string): Promise<TestClient> {
  const c = await TestClient.register(port, nick, [], false);
  c.send(`JOIN ${channel}`);
  await c.expectCommand('366', nick, channel);
  return c;
}

test('NAMES of a secret channel: "@" to members, nothing but 366 to outsiders', async () => {
  const srv = await startServer({ defaultChannel: '' });
  const alice = await joined(srv.port, 'alice', '#s');
  alice.send('MODE #s +s');
  await alice.expectCommand('MODE', '#s', '+s');
  const outsider = await TestClient.register(srv.port, 'eve', [], false);
  assert.deepEqual(shapes(await alice.replies('NAMES #s')), [
    ['353', 'alice', '@', '#s', '@alice'],
    ['366', 'alice', '#s', 'End of /NAMES list'],
  ]);
  assert.deepEqual(shapes(await outsider.replies('NAMES #s')), [
    ['366', 'eve', '#s', 'End of /NAMES list'],
  ]);
  for (const c of [alice, outsider]) c.destroy();
  await srv.stop();
});

test('NAMES hides invisible members from outsiders, not from fellow members', async () => {
  const srv = await startServer({ defaultChannel: '' });
  const alice = await joined(srv.port, 'alice', '#c');
  const bob = await joined(srv.port, 'bob', '#c');
  bob.send('MODE bob +i');
  await bob.expectCommand('MODE', 'bob', '+i');
  const outsider = await TestClient.register(srv.port, 'eve', [], false);
  assert.deepEqual(shapes(await outsider.replies('NAMES #c')), [
    ['353', 'eve', '=', '#c', '@alice'],
    ['366', 'eve', '#c', 'End of /NAMES list'],
  ]);
  assert.deepEqual((await alice.replies('NAMES #c'))[0].params[3], '@alice bob');
  for (const c of [alice, bob, outsider]) c.destroy();
  await srv.stop();
});

test('NAMES fills each 353 up to 400 characters of names, then starts the next line', async () => {
  const srv = await startServer({ defaultChannel: '', maxPerIp: 100 });
  // 30 nicks of 29 characters: 14 fit in 400 (14 * 30 - 1 = 419 does not, 13 * 30 - 1 = 389 does).
  const nicks = Array.from(
    { length: 30 },
    (_, k) => `n${String(k).padStart(2, '0')}${'x'.repeat(26)}`,
  );
  const clients: TestClient[] = [];
  for (const n of nicks) clients.push(await joined(srv.port, n, '#c'));
  const lines = (await clients[0].replies('NAMES #c')).filter((m) => m.command === '353');
  const words = lines.map((m) => m.params[3].split(' '));
  assert.deepEqual(
    words.map((w) => w.length),
    [13, 13, 4],
  );
  assert.ok(lines.every((m) => m.params[3].length <= 400));
  assert.deepEqual(
    words.flat().map((w) => w.replace(/^@/, '')),
    nicks,
  );
  for (const c of clients) c.destroy();
  await srv.stop();
});

test("NAMES without a channel lists one's own channels; several end with one 366; an unknown one gets only 366", async () => {
  const srv = await startServer({ defaultChannel: '' });
  const alice = await joined(srv.port, 'alice', '#a');
  alice.send('JOIN #b');
  await alice.expectCommand('366', 'alice', '#b');
  assert.deepEqual(shapes(await alice.replies('NAMES')), [
    ['353', 'alice', '=', '#a', '@alice'],
    ['366', 'alice', '#a', 'End of /NAMES list'],
    ['353', 'alice', '=', '#b', '@alice'],
    ['366', 'alice', '#b', 'End of /NAMES list'],
  ]);
  // Several channels: their 353 lines, then one 366 naming the list (RFC 2812).
  assert.deepEqual(shapes(await alice.replies('NAMES #nowhere,#a')), [
    ['353', 'alice', '=', '#a', '@alice'],
    ['366', 'alice', '#nowhere,#a', 'End of /NAMES list'],
  ]);
  assert.deepEqual(shapes(await alice.replies('NAMES #nowhere')), [
    ['366', 'alice', '#nowhere', 'End of /NAMES list'],
  ]);
  alice.destroy();
  await srv.stop();
});

test('LIST names channels given by name, skips unknown ones and secret ones one is not in', async () => {
  const srv = await startServer({ defaultChannel: '' });
  const alice = await joined(srv.port, 'alice', '#open');
  alice.send('JOIN #hidden');
  await alice.expectCommand('366', 'alice', '#hidden');
  alice.send('MODE #hidden +s');
  await alice.expectCommand('MODE', '#hidden', '+s');
  alice.send('TOPIC #open :about things');
  await alice.expectCommand('TOPIC', '#open');
  const eve = await TestClient.register(srv.port, 'eve', [], false);
  assert.deepEqual(shapes(await eve.replies('LIST #open,#nowhere,#hidden')), [
    ['321', 'eve', 'Channel', 'Users  Name'],
    ['322', 'eve', '#open', '1', 'about things'],
    ['323', 'eve', 'End of /LIST'],
  ]);
  assert.deepEqual(
    (await alice.replies('LIST'))
      .filter((m) => m.command === '322')
      .map((m) => m.params[1])
      .sort(),
    ['#hidden', '#open'],
  );
  for (const c of [alice, eve]) c.destroy();
  await srv.stop();
});
