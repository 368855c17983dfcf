// Large channels (+u past --large-channel members) and long replies produced as the client reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';

/** Register `nick` and join #big, waiting for the end of its names list. */
async function joinBig(port: number, nick: string): Promise<TestClient> {
  const c = await TestClient.register(port, nick, [], false);
  c.send('JOIN #big');
  await c.expectCommand('366', nick, '#big');
  return c;
}

function namesIn(c: TestClient, from: number): string[] {
  return c
    .all('353', from)
    .flatMap((m) => m.params[3].split(' '))
    .sort();
}

test('past --large-channel members a channel turns +u and arrivals and departures go unannounced', async () => {
  const srv = await startServer({ defaultChannel: '', largeChannel: 3 });
  const alice = await joinBig(srv.port, 'alice'); // operator: first in
  const bob = await joinBig(srv.port, 'bob');
  const carol = await joinBig(srv.port, 'carol');
  await alice.expectCommand('JOIN'); // bob
  await alice.expectCommand('JOIN'); // carol

  // The fourth member makes it large: the three learn it as a mode change from the server.
  const mark = alice.received.length;
  const dave = await TestClient.register(srv.port, 'dave', [], false);
  const from = dave.received.length;
  dave.send('JOIN #big');
  const mode = await alice.expectCommand('MODE', '#big', '+u');
  assert.equal(mode.source, 'parley.local');
  await dave.expectCommand('JOIN', '#big');
  // dave's names list is the summary: the operator and dave; then a notice saying why.
  await dave.expectCommand('366', 'dave', '#big');
  assert.deepEqual(namesIn(dave, from), ['@alice', 'dave']);
  const notice = await dave.expectCommand('NOTICE', 'dave');
  assert.match(notice.params[1], /#big is a large channel \(\+u, 4 members\)/);
  assert.match(notice.params[1], /NAMES #big lists everyone/);

  // Nobody heard dave arrive, leave or come back; everyone hears what he says.
  dave.send('PART #big :brb');
  await dave.expectCommand('PART', '#big');
  dave.send('JOIN #big');
  await dave.expectCommand('366', 'dave', '#big');
  dave.send('PRIVMSG #big :hello all');
  await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'hello all');
  await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'hello all');
  const seen = alice.received.slice(mark).map((r) => r.msg.command);
  assert.deepEqual(seen, ['MODE', 'PRIVMSG']);

  // On request NAMES and WHO list everyone; MODE shows +u; nobody may change it.
  const named = dave.received.length;
  dave.send('NAMES #big');
  await dave.expectCommand('366', 'dave', '#big');
  assert.deepEqual(namesIn(dave, named), ['@alice', 'bob', 'carol', 'dave']);
  dave.send('WHO #big');
  await dave.expectCommand('315', 'dave', '#big');
  assert.deepEqual(
    dave
      .all('352', named)
      .map((m) => m.params[5])
      .sort(),
    ['alice', 'bob', 'carol', 'dave'],
  );
  alice.send('MODE #big');
  assert.deepEqual((await alice.expectCommand('324', 'alice', '#big')).params.slice(2), ['+ntu']);
  alice.send('MODE #big -u');
  const refused = await alice.expectCommand('974', 'alice', 'u');
  assert.match(refused.params[2], /more than 3 members/);

  // bob was announced before the channel grew: his going is announced still.
  bob.send('QUIT :later');
  await dave.expect((m) => m.command === 'QUIT' && m.source?.startsWith('bob!') === true);
  // Back to half the threshold: -u, and arrivals are announced again.
  carol.send('PART #big');
  await alice.expect((m) => m.command === 'PART' && m.source?.startsWith('carol!') === true);
  dave.send('PART #big');
  await alice.expectCommand('MODE', '#big', '-u');
  // The log says both turns.
  for (const turn of ['channel is large now (+u)', 'channel is no longer large (-u)']) {
    assert.ok(srv.logged().includes(turn), turn);
  }
  const erin = await joinBig(srv.port, 'erin');
  await alice.expect((m) => m.command === 'JOIN' && m.source?.startsWith('erin!') === true);
  for (const c of [alice, carol, dave, erin]) c.destroy();
  await srv.stop();
});

test('a quiet member given +v is first shown joining, then announced as it leaves; without it, out of the summary', async () => {
  const srv = await startServer({ defaultChannel: '', largeChannel: 2 });
  const alice = await joinBig(srv.port, 'alice');
  const bob = await joinBig(srv.port, 'bob');
  const carol = await joinBig(srv.port, 'carol'); // quiet
  await bob.expectCommand('MODE', '#big', '+u');
  alice.send('MODE #big +v carol');
  const join = await bob.expectCommand('JOIN', '#big');
  assert.ok(join.source?.startsWith('carol!'));
  await bob.expectCommand('MODE', '#big', '+v', 'carol');
  // The summary for a newcomer now includes carol; her leaving is news to everyone.
  const dave = await TestClient.register(srv.port, 'dave', [], false);
  const from = dave.received.length;
  dave.send('JOIN #big');
  await dave.expectCommand('366', 'dave', '#big');
  assert.deepEqual(namesIn(dave, from), ['+carol', '@alice', 'dave']);
  // Without her +v she is out of the summary again (her leaving is still news: she was shown).
  await alice.replies('MODE #big -v carol');
  const erin = await TestClient.register(srv.port, 'erin', [], false);
  const at = erin.received.length;
  erin.send('JOIN #big');
  await erin.expectCommand('366', 'erin', '#big');
  assert.deepEqual(namesIn(erin, at), ['@alice', 'erin']);
  carol.send('PART #big');
  await bob.expect((m) => m.command === 'PART' && m.source?.startsWith('carol!') === true);
  for (const c of [alice, bob, carol, dave, erin]) c.destroy();
  await srv.stop();
});

test('WHO, WHOX, NAMES and LIST longer than the send queue arrive whole, and later replies after them', async () => {
  // A 12 KiB send queue: a WHO of 150 members (~15 KiB) would pass it if queued at once.
  const srv = await startServer({ sendq: 12_288, largeLobby: 0, maxPerIp: 200 });
  const members: TestClient[] = [];
  for (let k = 0; k < 150; k++) members.push(await TestClient.register(srv.port, `member${k}`));
  const viewer = await TestClient.register(srv.port, 'viewer', ['userhost-in-names']);
  const from = viewer.received.length;
  viewer.send('WHO #lobby');
  viewer.send('WHO #lobby %tnf,42');
  viewer.send('NAMES #lobby');
  viewer.send('LIST');
  viewer.send('PING :after');
  await viewer.expect((m) => m.command === 'PONG' && m.params[1] === 'after', 20_000);
  const commands = viewer.received.slice(from).map((r) => r.msg.command);
  // Each reply whole, in the order asked.
  assert.equal(commands.filter((c) => c === '352').length, 151);
  assert.equal(commands.indexOf('315'), 151);
  const whox = viewer.all('354', from);
  assert.equal(whox.length, 151);
  for (const m of whox) assert.match(`${m.params[1]} ${m.params[3]}`, /^42 H@?$/);
  assert.equal(commands.lastIndexOf('315'), 151 + 1 + 151);
  const names = namesIn(viewer, from);
  assert.equal(names.length, 151);
  assert.ok(names.every((n) => /^@?(member\d+|viewer)!~\w+@x-[0-9a-f]{8}\.parley$/.test(n)));
  assert.ok(commands.lastIndexOf('353') < commands.indexOf('366'));
  assert.ok(commands.lastIndexOf('315') < commands.indexOf('353'));
  assert.ok(commands.indexOf('366') < commands.indexOf('321'));
  assert.ok(commands.indexOf('323') < commands.indexOf('PONG'));
  assert.equal(viewer.all('ERROR').length, 0);
  for (const c of [...members, viewer]) c.destroy();
  await srv.stop();
});

test('the default channel has its own threshold (--large-lobby); other channels keep --large-channel', async () => {
  const srv = await startServer({ largeLobby: 2, largeChannel: 1000 });
  const alice = await TestClient.register(srv.port, 'alice');
  const bob = await TestClient.register(srv.port, 'bob');
  for (const c of [alice, bob]) {
    c.send('JOIN #other');
    await c.expectCommand('366', c.nick, '#other');
  }
  const carol = await TestClient.register(srv.port, 'carol'); // the lobby's third member
  await alice.expectCommand('MODE', '#lobby', '+u');
  carol.send('JOIN #other');
  await carol.expectCommand('366', 'carol', '#other');
  // In #other carol's arrival is news; in #lobby it was not.
  await alice.expect(
    (m) =>
      m.command === 'JOIN' && m.params[0] === '#other' && m.source?.startsWith('carol!') === true,
  );
  await alice.sync();
  const lobbyJoins = alice
    .all('JOIN')
    .filter((m) => m.params[0] === '#lobby' && m.source?.startsWith('carol!') === true);
  assert.equal(lobbyJoins.length, 0);
  alice.send('MODE #lobby -u');
  assert.match((await alice.expectCommand('974', 'alice', 'u')).params[2], /more than 2 members/);
  for (const c of [alice, bob, carol]) c.destroy();
  await srv.stop();
});
