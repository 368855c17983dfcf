// Private messages between cluster nodes (cross-deliver.ts) in one process: the bus message a local sender's node publishes, and a delivery from a replica of another node's user as the recipient's node hands it on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryOf, delivered } from '../../src/server/cross-deliver.js';
import { ServerEvent } from '../../src/server/event.js';
import { Flow, setCurrent, type FlowPeer } from '../../src/server/flow.js';
import type { RemoteFlow } from '../../src/server/remote-flow.js';
import type { User } from '../../src/server/user.js';
import { replicaOf } from '../helpers/cluster.js';
import { startServer, TestClient } from '../helpers/irc.js';

/** What delivered() takes: the compiler checks each literal's fields against it. */
type Delivery = Parameters<typeof delivered>[2];

/** A sender that holds nobody and is never gone: what flow control sees of a remote user here. */
class QuietPeer implements FlowPeer {
  flow: Flow | null = null;
  pending = () => 0;
  sendqBytes = () => 1 << 20;
  sendqTimeout = () => 30_000;
  now = () => Date.now();
  isGone = () => false;
  flowState = () => (this.flow ??= new Flow());
  resume() {}
  stalled() {}
  poll() {}
}

/** A RemoteFlow that records whom it was asked about. */
function recordingFlow(asked: User[]): RemoteFlow {
  const peer = new QuietPeer();
  return {
    senderFor: (u: User) => (asked.push(u), peer),
  } as unknown as RemoteFlow;
}

const STAMP = { ms: 1_700_000_000_123, time: '2023-11-14T22:13:20.123Z', msgid: 'remote-1' };

test('deliveryOf names both ends, copies the tags and carries the stamp', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice', [], false);
    const b = await TestClient.register(srv.port, 'bob', [], false);
    const alice = srv.server.network.findUser('alice')!;
    const bob = srv.server.network.findUser('bob')!;
    const tags = new Map([['+draft/react', 'x']]);
    const out = new ServerEvent(alice.prefix, 'PRIVMSG', ['bob', 'hi'], STAMP, tags);
    assert.deepEqual(deliveryOf(alice, bob, 'PRIVMSG', 'hi', tags, out), {
      t: 'deliver',
      src: alice.prefix,
      from: 'alice',
      account: null,
      verb: 'PRIVMSG',
      to: 'bob',
      text: 'hi',
      tags: [['+draft/react', 'x']],
      ms: STAMP.ms,
      time: STAMP.time,
      msgid: STAMP.msgid,
    });
    assert.equal(deliveryOf(alice, bob, 'TAGMSG', null, null, out).tags, null);
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('a delivery from another node reaches the local user as sent, held through its node, shown when asked', async () => {
  const srv = await startServer();
  try {
    const caps = ['message-tags', 'server-time'];
    const bob = await TestClient.register(srv.port, 'bob', caps, false);
    const carol = await TestClient.register(srv.port, 'carol', [], false);
    const remy = replicaOf(srv.server, 'remy', 'there', 'remy');
    const asked: User[] = [];
    const flow = recordingFlow(asked);
    const base = { t: 'deliver' as const, src: remy.prefix, from: 'remy', account: 'remy' };

    // A PRIVMSG with a client tag, from the replica: bob gets it with the sender's stamp and tags.
    setCurrent(null);
    const msg = { ...base, verb: 'PRIVMSG', to: 'bob', text: 'hello', tags: [['+t', 'v']] };
    delivered(srv.server, flow, { ...msg, ...STAMP } as Delivery, true);
    assert.equal(setCurrent(null), null, 'the sender in force before is back afterwards');
    assert.deepEqual(asked, [remy], 'a replica sender is held through its own node');
    const got = await bob.expectCommand('PRIVMSG', 'bob', 'hello');
    assert.equal(got.source, remy.prefix);
    assert.equal(got.tags?.get('time'), STAMP.time);
    assert.equal(got.tags?.get('msgid'), STAMP.msgid);
    assert.equal(got.tags?.get('+t'), 'v');
    assert.equal(got.tags?.get('account'), undefined, 'account-tag was not asked for');

    // Without client tags: a message-tags client gets the stamp's tags and nothing after them.
    const plain = { ...base, verb: 'NOTICE', to: 'bob', text: 'untagged', tags: null };
    delivered(srv.server, flow, { ...plain, ...STAMP } as Delivery, false);
    const raw = await bob.expect((_m, r) => r.includes('untagged'));
    assert.deepEqual([...(raw.tags?.keys() ?? [])], ['time', 'msgid']);
    assert.ok(
      bob.received.some((r) => r.raw.startsWith(`@time=${STAMP.time};msgid=${STAMP.msgid} :`)),
      'no empty tag list appended',
    );

    // TAGMSG: to a message-tags client as a one-parameter line, to anyone else not at all.
    const tagmsg = { ...base, verb: 'TAGMSG', text: null, tags: [['+typing', 'active']] };
    delivered(srv.server, flow, { ...tagmsg, to: 'carol', ...STAMP } as Delivery, true);
    delivered(srv.server, flow, { ...tagmsg, to: 'bob', ...STAMP } as Delivery, true);
    const typing = await bob.expect((m) => m.command === 'TAGMSG');
    assert.deepEqual(typing.params, ['bob']);
    await carol.sync();
    assert.equal(carol.all('TAGMSG').length, 0);

    // From a local sender (no replica): no remote hold, the sender in force untouched.
    const peer = new QuietPeer();
    setCurrent(peer);
    const local = { ...base, from: 'bob', verb: 'NOTICE', to: 'carol', text: 'psst', tags: null };
    delivered(srv.server, flow, { ...local, ...STAMP } as Delivery, false);
    assert.equal(setCurrent(null), peer);
    assert.equal(
      asked.length,
      3,
      "only the replica was looked up (bob's PRIVMSG, NOTICE and TAGMSG)",
    );
    const notice = await carol.expectCommand('NOTICE', 'carol', 'psst');
    assert.equal(notice.tags, null);

    // From a sender gone meanwhile, and to a recipient gone meanwhile: nothing breaks.
    const ghost = {
      ...base,
      from: 'nobody',
      verb: 'PRIVMSG',
      to: 'carol',
      text: 'boo',
      tags: null,
    };
    delivered(srv.server, flow, { ...ghost, ...STAMP } as Delivery, false);
    await carol.expectCommand('PRIVMSG', 'carol', 'boo');
    delivered(srv.server, flow, { ...ghost, to: 'gone', ...STAMP } as Delivery, false);

    // The console shows what was asked to be shown (the PRIVMSG, not TAGMSG or the others).
    const shown = (await srv.console()).filter((l) => l.includes(' -> '));
    assert.equal(shown.length, 1, shown.join('\n'));
    assert.match(shown[0], /remy -> bob: /);
    bob.destroy();
    carol.destroy();
  } finally {
    await srv.stop();
  }
});
