// A node catching up, at start and when Redis returns, against a scripted peer on a real bus: news before its snapshot request is in the snapshot (or applied at once on a resync), news after it waits for the snapshot and keeps its order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterBus } from '../../src/cluster/bus.js';
import type { BusMessage, Snapshot, SnapUser } from '../../src/cluster/messages.js';
import type { ClusterLink } from '../../src/server/cluster.js';
import type { Server } from '../../src/server/server.js';
import {
  entry,
  eventually,
  inProcessNode,
  sleep,
  startPeer,
  withRedis,
} from '../helpers/cluster.js';
import { TestClient, type TestServer } from '../helpers/irc.js';
import { startRedis } from '../helpers/redis.js';

function snapUser(nick: string): SnapUser {
  return { ...entry(nick), modes: '', away: null };
}

const snapshotOf = (...nicks: string[]): BusMessage => {
  const snap: Snapshot = { users: nicks.map(snapUser), channels: [], ended: [] };
  return { t: 'snapshot', ...snap };
};

const isSnapreq = (node: string) => (m: BusMessage) => m.t === 'snapreq' && m.node === node;

/**
 * Run `before` each time `link` asks for a snapshot, and publish the request only once it is
 * done: what `before` publishes comes ahead of the request in the order, deterministically. The
 * link's own bus is reached past `private`: nothing else can put a message in that place.
 */
function holdRequests(link: ClusterLink, before: () => Promise<unknown>): void {
  const bus = (link as unknown as { bus: ClusterBus }).bus;
  const announce = bus.announce.bind(bus);
  bus.announce = (m: BusMessage) => {
    if (m.t === 'snapreq') void before().then(() => announce(m));
    else announce(m);
  };
}

/** A private message from `from` (a user of node p) to `to`, as p's node hands it over. */
function deliver(from: string, to: string, text: string): BusMessage {
  const ms = Date.now();
  const time = new Date(ms).toISOString();
  const src = `${from}!~${from}@p.example`;
  return {
    t: 'deliver',
    src,
    from,
    account: null,
    verb: 'PRIVMSG',
    to,
    text,
    tags: null,
    ms,
    time,
    msgid: `m-${text}`,
  };
}

/** Whether `server` holds a user `nick` of another node. */
const holds = (server: Server, nick: string) => server.network.findUser(nick)?.remote != null;

test('a starting node drops what came before its request, and applies what came after once the snapshot is in, in order', (t) =>
  withRedis(t, async (redis) => {
    const p = await startPeer(redis, 'p');
    let a: TestServer | null = null;
    let server: Server | null = null;
    try {
      const starting = inProcessNode(
        redis,
        null,
        'a',
        {},
        {
          prepare: (link, s) => {
            server = s;
            holdRequests(link, () => p.bus.announceNow({ t: 'arrive', e: entry('early') }));
          },
        },
      );
      await p.next("a's snapshot request", isSnapreq('a'));
      // After the request: a leave and a rename of users the snapshot has, an arrival it lacks.
      p.bus.announce({ t: 'leave', node: 'p', nick: 'dora', reason: 'bye' });
      p.bus.announce({ t: 'nick', node: 'p', from: 'carl', e: entry('karl') });
      p.bus.announce({ t: 'arrive', e: entry('late') });
      await p.bus.announceNow();
      await sleep(100); // they reach a first, and must wait there for the snapshot
      assert.equal(holds(server!, 'late'), false);
      p.bus.sendTo('a', snapshotOf('bob', 'carl', 'dora'));
      a = await starting;
      await eventually(() => holds(a!.server, 'late'), 'the arrival after the request applied');
      assert.equal(holds(a.server, 'early'), false, 'before the request: in the snapshot, or gone');
      assert.equal(holds(a.server, 'bob'), true);
      assert.equal(holds(a.server, 'dora'), false, 'the leave came after the snapshot was loaded');
      assert.equal(holds(a.server, 'carl'), false);
      assert.equal(holds(a.server, 'karl'), true, 'the rename came after the snapshot was loaded');
      assert.ok(!a.logged().some((l) => /no snapshot came/.test(l)));
    } finally {
      await a?.stop();
      await p.close();
    }
  }));

test('a node catching up answers another node that asks it meanwhile, at once', (t) =>
  withRedis(t, async (redis) => {
    const p = await startPeer(redis, 'p');
    const q = await startPeer(redis, 'q');
    let a: TestServer | null = null;
    try {
      const starting = inProcessNode(redis, null, 'a');
      await p.next("a's snapshot request", isSnapreq('a'));
      q.bus.announce({ t: 'snapreq', node: 'q', from: 'a' });
      const answer = await q.next("a's answer to q", (m) => m.t === 'snapshot');
      assert.deepEqual(answer, { t: 'snapshot', users: [], channels: [], ended: [] });
      await q.next(
        "a's count of unregistered connections",
        (m) => m.t === 'unknown' && m.node === 'a',
      );
      p.bus.sendTo('a', snapshotOf('bob'));
      a = await starting;
      assert.equal(holds(a.server, 'bob'), true);
    } finally {
      await a?.stop();
      await p.close();
      await q.close();
    }
  }));

test('a node whose snapshot never comes starts without it after the wait, keeps what followed its request, and ignores the snapshot when it comes late', (t) =>
  withRedis(t, async (redis) => {
    const p = await startPeer(redis, 'p');
    let a: TestServer | null = null;
    try {
      const starting = inProcessNode(redis, null, 'a');
      await p.next("a's snapshot request", isSnapreq('a'));
      p.bus.announce({ t: 'arrive', e: entry('late') });
      a = await starting; // about 5 s
      assert.ok(a.logged().some((l) => /no snapshot came; starting without one/.test(l)));
      await eventually(() => holds(a!.server, 'late'), 'the arrival after the request applied');
      p.bus.sendTo('a', snapshotOf('bob'));
      p.bus.announce({ t: 'arrive', e: entry('after') });
      await eventually(() => holds(a!.server, 'after'), 'news after the late snapshot');
      assert.equal(holds(a.server, 'bob'), false, 'a late snapshot is not loaded');
    } finally {
      await a?.stop();
      await p.close();
    }
  }));

test('the first node of a cluster starts alone, asking nobody', (t) =>
  withRedis(t, async (redis) => {
    const a = await inProcessNode(redis, null, 'a');
    try {
      const p = await startPeer(redis, 'p');
      try {
        // a answers the next node's request: it is a node of the cluster, and was not waiting.
        // A request addressed to another node is not a's to answer.
        p.bus.announce({ t: 'snapreq', node: 'p', from: 'q' });
        p.bus.announce({ t: 'snapreq', node: 'p', from: 'a' });
        await p.next("a's snapshot for p", (m) => m.t === 'snapshot');
        await sleep(200);
        assert.equal(
          p.has((m) => m.t === 'snapshot'),
          false,
          'one snapshot, for the request to a',
        );
      } finally {
        await p.close();
      }
      assert.deepEqual(
        a.logged().filter((l) => /snapshot/.test(l)),
        [],
      );
    } finally {
      await a.stop();
    }
  }));

test('after Redis returns, a node applies news from before its request at once, delivers at once, and news after it once the snapshot is merged', (t) =>
  withRedis(t, async (first) => {
    let redis = first;
    const p = await startPeer(redis, 'p');
    let before = (): Promise<unknown> => Promise.resolve();
    const starting = inProcessNode(
      redis,
      null,
      'a',
      {},
      {
        prepare: (link) => holdRequests(link, () => before()),
      },
    );
    await p.next("a's snapshot request at start", isSnapreq('a'));
    p.bus.sendTo('a', snapshotOf());
    const a = await starting;
    const alice = await TestClient.register(a.port, 'alice', [], false);
    try {
      before = async () => {
        p.bus.announce({ t: 'arrive', e: entry('early') });
        p.bus.sendTo('a', deliver('bob', 'alice', 'sent before the request'));
        await p.bus.announceNow();
        await p.bus.handedOver();
      };
      const port = redis.port;
      await redis.stop();
      await alice.expect((m) => m.command === 'NOTICE' && /degraded/.test(m.params[1]), 10_000);
      redis = await startRedis(port);
      await p.next("a's request after the return", isSnapreq('a'), 30_000);
      p.bus.sendTo('a', deliver('bob', 'alice', 'sent after the request'));
      p.bus.announce({ t: 'arrive', e: entry('late') });
      await p.bus.announceNow();
      await alice.expectCommand('PRIVMSG', 'alice', 'sent before the request');
      await alice.expectCommand('PRIVMSG', 'alice', 'sent after the request');
      // Until the others' view is merged, channels cannot change here (copies would drift).
      const refused = await alice.replies('JOIN #later');
      assert.ok(refused.some((m) => m.command === 'FAIL' && m.params[1] === 'CLUSTER_DEGRADED'));
      assert.equal(
        holds(a.server, 'early'),
        true,
        'a resync drops nothing from before its request',
      );
      await sleep(100);
      assert.equal(holds(a.server, 'late'), false, 'news after the request waits for the snapshot');
      p.bus.sendTo('a', snapshotOf('bob', 'early'));
      await eventually(() => holds(a.server, 'late'), 'the arrival after the request applied');
      assert.equal(holds(a.server, 'bob'), true);
      await alice.expect((m) => m.command === 'NOTICE' && /whole again/.test(m.params[1]), 10_000);
      const joined = await alice.replies('JOIN #later');
      assert.ok(
        joined.some((m) => m.command === 'JOIN'),
        'channels change again once merged',
      );
      alice.destroy();
    } finally {
      await a.stop();
      await p.close();
      await redis.stop();
    }
  }));

test('after Redis returns with no other node alive, a node forgets the users of the nodes that died meanwhile', (t) =>
  withRedis(t, async (first) => {
    let redis = first;
    const a = await inProcessNode(redis, null, 'a');
    const p = await startPeer(redis, 'p');
    const alice = await TestClient.register(a.port, 'alice', [], false);
    try {
      p.bus.announce({ t: 'arrive', e: entry('zed') });
      await eventually(() => holds(a.server, 'zed'), 'a holds zed of p');
      const port = redis.port;
      await redis.stop();
      await alice.expect((m) => m.command === 'NOTICE' && /degraded/.test(m.params[1]), 10_000);
      assert.ok(a.logged().includes('cluster: Redis unreachable, serving this node alone'));
      await p.close(); // p dies while Redis is away: nobody is left to reap it or say so
      redis = await startRedis(port); // empty
      await alice.expect((m) => m.command === 'NOTICE' && /whole again/.test(m.params[1]), 30_000);
      assert.equal(holds(a.server, 'zed'), false, "p's users are gone with it");
      alice.destroy();
    } finally {
      await a.stop();
      await redis.stop();
    }
  }));
