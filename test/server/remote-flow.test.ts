// Flow control across nodes (remote-flow.ts) in one process: a replica held back through its node, and this node's user held by other nodes until each lets go or its hold expires.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Flow, flowStats } from '../../src/server/flow.js';
import { HOLD_LIMIT_MS, RemoteFlow } from '../../src/server/remote-flow.js';
import { recordingBus, replicaOf } from '../helpers/cluster.js';
import { startServer, TestClient } from '../helpers/irc.js';

/** Whether `c`'s PONG for `token` arrives within `ms`. */
async function pongWithin(c: TestClient, token: string, ms: number): Promise<boolean> {
  try {
    await c.expect((m) => m.command === 'PONG' && m.params[1] === token, ms, `PONG ${token}`);
    return true;
  } catch {
    return false;
  }
}

test("a replica held back here asks its own node, with this node's name and the replica's nick", async () => {
  const srv = await startServer();
  try {
    const { bus, sent, down } = recordingBus();
    const flow = new RemoteFlow(srv.server, bus, 'here');
    const remy = replicaOf(srv.server, 'remy');
    const peer = flow.senderFor(remy);
    assert.equal(flow.senderFor(remy), peer, 'one stand-in per replica');
    assert.equal(peer.pending(), 0);
    assert.equal(peer.sendqBytes(), srv.server.config.sendq);
    assert.equal(peer.sendqTimeout(), srv.server.config.sendqTimeout);
    assert.equal(peer.isGone(), false);
    assert.ok(Math.abs(peer.now() - srv.server.clock()) < 1000);
    assert.equal(peer.flow, null, 'no flow state until flow control asks for it');
    const state = peer.flowState();
    assert.ok(state instanceof Flow, 'made on first use');
    assert.equal(peer.flowState(), state);
    assert.equal(peer.flow, state);

    peer.held?.();
    peer.resume();
    assert.deepEqual(sent, [
      ['there', { t: 'flow', node: 'here', nick: 'remy', on: true }],
      ['there', { t: 'flow', node: 'here', nick: 'remy', on: false }],
    ]);
    down(true);
    peer.held?.();
    down(false);
    const a = await TestClient.register(srv.port, 'alice', [], false);
    flow.tell(srv.server.network.findUser('alice')!, true);
    assert.equal(sent.length, 2, 'nothing sent while Redis is down, nor about a local user');
    a.destroy();
  } finally {
    await srv.stop();
  }
});

test('a hold from another node stops reading its user here until every holding node lets go', async () => {
  const srv = await startServer();
  try {
    const { bus, sent } = recordingBus();
    const flow = new RemoteFlow(srv.server, bus, 'here');
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    const conn = srv.server.network.findUser('bob')!.client.conn;
    const heldBefore = flowStats.held;

    flow.received('n1', 'BOB', true); // nicks are matched as the network folds them
    assert.equal(conn.flow?.blockers, 1);
    assert.equal(flowStats.held, heldBefore + 1);
    // Held from now on: not even the next line read is handled.
    bob.send('PING :a\r\nPING :b');
    assert.equal(await pongWithin(bob, 'a', 300), false, 'held: nothing is handled');

    flow.received('n2', 'bob', true);
    flow.received('n1', 'bob', true); // a renewal, not a second blocker
    assert.equal(conn.flow?.blockers, 2);
    assert.equal(flowStats.held, heldBefore + 1, 'counted once per hold, not per node');
    flow.received('n1', 'bob', false);
    flow.received('n3', 'bob', false); // never held: nothing to let go
    flow.received('n1', 'bob', false); // twice: the second does nothing
    assert.equal(conn.flow?.blockers, 1);
    assert.equal(await pongWithin(bob, 'a', 300), false, 'n2 still holds it');
    flow.received('n2', 'bob', false);
    assert.equal(conn.flow?.blockers, 0);
    assert.equal(await pongWithin(bob, 'a', 5000), true, 'read again once the last node let go');
    assert.equal(await pongWithin(bob, 'b', 5000), true, 'in order');

    // Unknown nicks and replicas of other nodes are not this node's to hold.
    const remy = replicaOf(srv.server, 'remy');
    flow.received('n1', 'nobody', true);
    flow.received('n1', 'remy', true);
    assert.equal(remy.client.conn.flow, null);
    assert.deepEqual(sent, [], 'holding a local user sends nothing on the bus');
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('a hold lasts HOLD_LIMIT_MS unless renewed; a node gone takes its holds with it', async () => {
  const srv = await startServer();
  try {
    const flow = new RemoteFlow(srv.server, recordingBus().bus, 'here');
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    const carol = await TestClient.register(srv.port, 'carol', [], false);
    const net = srv.server.network;
    const bobFlow = () => net.findUser('bob')!.client.conn.flow?.blockers;
    const carolFlow = () => net.findUser('carol')!.client.conn.flow?.blockers;

    // Only the hold's own timers are faked, and only while they run: the server's stay real.
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      flow.received('n1', 'bob', true);
      mock.timers.tick(HOLD_LIMIT_MS - 1000);
      flow.received('n1', 'bob', true); // renewed: the first expiry no longer counts
      mock.timers.tick(1000);
      assert.equal(bobFlow(), 1, 'the renewal replaced the first timer');
      mock.timers.tick(HOLD_LIMIT_MS - 1001);
      assert.equal(bobFlow(), 1);
      mock.timers.tick(1);
      assert.equal(bobFlow(), 0, 'expired: a lost release cannot stall anyone');
    } finally {
      mock.timers.reset();
    }

    flow.received('n1', 'bob', true);
    flow.received('n2', 'bob', true);
    flow.received('n2', 'carol', true);
    flow.releaseFrom('n2');
    assert.equal(bobFlow(), 1, "n1's hold stays");
    assert.equal(carolFlow(), 0);
    flow.received('n3', 'carol', true);
    flow.releaseFrom(null); // Redis gone: every node's holds go
    assert.equal(bobFlow(), 0);
    assert.equal(carolFlow(), 0);
    // Nothing kept for users no node holds any more (private field: a leak shows nowhere else).
    assert.equal((flow as unknown as { holds: Map<unknown, unknown> }).holds.size, 0);
    await bob.sync();
    await carol.sync();
    bob.destroy();
    carol.destroy();
  } finally {
    await srv.stop();
  }
});
