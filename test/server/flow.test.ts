// Flow control over real sockets: a burst slows its sender, never costs a reader who keeps reading; a stalled reader is cut, not waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowStats } from '../../src/server/flow.js';
import { blast, readInBursts, receivedInOrder } from '../helpers/blast.js';
import { startServer, TestClient, type TestServer } from '../helpers/irc.js';

function userOf(srv: TestServer, nick: string) {
  return srv.server.network.findUser(nick);
}

test('a burst is paced by the live reader: it gets every line in order, the stalled reader is cut, the sender is not', async () => {
  const srv = await startServer({ flood: null });
  const alice = await TestClient.register(srv.port, 'alice');
  const bob = await TestClient.register(srv.port, 'bob');
  const carol = await TestClient.register(srv.port, 'carol');
  await alice.expectCommand('JOIN'); // bob
  carol.socket.pause(); // a closed laptop lid: connected, reading nothing
  const before = flowStats.held;
  // 30,000 lines of ~450 bytes: 13.5 MB, several times what the kernel's buffers hide.
  const lines = 30_000;
  await blast(alice, '#lobby', lines);
  await receivedInOrder(bob, lines);
  // carol was cut while the burst went on; bob saw her go.
  const quits = bob.all('QUIT').filter((m) => m.source?.startsWith('carol!') === true);
  assert.deepEqual(
    quits.map((m) => m.params[0]),
    ['SendQ exceeded'],
  );
  assert.equal(userOf(srv, 'carol'), undefined);
  assert.ok(flowStats.held > before, 'the sender was held back at least once');
  // The sender is still there and still served.
  await alice.sync();
  assert.ok(userOf(srv, 'alice'));
  assert.equal(alice.all('ERROR').length, 0);
  alice.destroy();
  bob.destroy();
  carol.destroy();
  await srv.stop();
});

test('with one member stalled on a full queue, ordinary chat between the others keeps flowing', async () => {
  // A queue cap and timeout that never cut carol during the test: she stays, holding a full queue.
  const srv = await startServer({ flood: null, sendq: 64 << 20, sendqTimeout: 600_000 });
  const alice = await TestClient.register(srv.port, 'alice');
  const bob = await TestClient.register(srv.port, 'bob');
  const carol = await TestClient.register(srv.port, 'carol');
  const dave = await TestClient.register(srv.port, 'dave');
  await bob.expectCommand('JOIN'); // carol
  await bob.expectCommand('JOIN'); // dave
  carol.socket.pause();
  // dave fills carol's socket buffers and then her queue.
  await blast(dave, '#lobby', 20_000);
  await receivedInOrder(bob, 20_000);
  assert.ok(userOf(srv, 'carol'), 'carol is still connected');
  const carolConn = userOf(srv, 'carol')!.client.conn;
  assert.ok(carolConn.pending() > 256 * 1024, 'carol holds a full queue');
  // Ordinary chat: each line arrives within a couple of seconds, long before carol could be cut.
  for (let k = 0; k < 5; k++) {
    alice.send(`PRIVMSG #lobby :hello ${k}`);
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === `hello ${k}`, 5000);
    bob.send(`PRIVMSG alice :reply ${k}`);
    await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === `reply ${k}`, 5000);
  }
  assert.ok(userOf(srv, 'carol'), 'carol was not cut to let them talk');
  for (const c of [alice, bob, carol, dave]) c.destroy();
  await srv.stop();
});

test('a sender held back by a reader who pauses loses nothing and keeps its order', async () => {
  // A cap high enough that bob is never cut: this is about what the held sender's lines become.
  const srv = await startServer({ flood: null, sendq: 64 << 20 });
  const alice = await TestClient.register(srv.port, 'alice');
  const bob = await TestClient.register(srv.port, 'bob', [], false);
  const before = flowStats.held;
  const stopBursts = readInBursts(bob);
  const lines = 40_000;
  await blast(alice, 'bob', lines);
  await receivedInOrder(bob, lines);
  stopBursts();
  assert.ok(flowStats.held > before, 'the sender was held back');
  await alice.sync();
  assert.equal(alice.all('ERROR').length, 0);
  alice.destroy();
  bob.destroy();
  await srv.stop();
});

test('a client that does not read its replies stops being read, and is cut when they never move', async () => {
  const srv = await startServer({ flood: null, sendqTimeout: 2000 });
  const eve = await TestClient.register(srv.port, 'eve', [], false);
  eve.socket.pause();
  // Each PING is answered; unread answers pile up until eve is no longer read at all.
  const socket = eve.socket;
  const ping = 'PING :' + 'p'.repeat(400) + '\r\n';
  let written = 0;
  const writer = (async () => {
    for (let k = 0; k < 200_000 && !socket.destroyed; k++) {
      written++;
      if (!socket.write(ping)) {
        const gone = await new Promise<boolean>((r) => {
          socket.once('drain', () => r(false));
          socket.once('close', () => r(true));
        });
        if (gone) return;
      }
    }
  })();
  const client = [...srv.server.network.allUsers()][0].client;
  await eve.closedPromise;
  await writer;
  // It was cut for its queue, long before the server could have read (and answered) all it sent.
  assert.ok(written < 200_000);
  assert.ok(client.conn.isGone());
  await srv.stop();
});
