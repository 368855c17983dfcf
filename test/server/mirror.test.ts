// A node's copy of the others' state (mirror.ts) in one process: a snapshot carried to another node whole, replicas' news told to the users here, and the merge after a split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEMBER } from '../../src/server/channel.js';
import { Mirror } from '../../src/server/mirror.js';
import type { DirEntry, Snapshot } from '../../src/cluster/messages.js';
import { recordingBus } from '../helpers/cluster.js';
import { shapes, startServer, TestClient } from '../helpers/irc.js';

/** A snapshot in an order that does not depend on the order things were added. */
function sorted(s: Snapshot): Snapshot {
  const byName = <T extends { name?: string; nick?: string }>(a: T, b: T) =>
    (a.name ?? a.nick ?? '').localeCompare(b.name ?? b.nick ?? '');
  return {
    users: [...s.users].sort(byName),
    channels: s.channels
      .map((c) => ({ ...c, members: [...c.members].sort(), invited: [...c.invited].sort() }))
      .sort(byName),
    ended: [...s.ended].sort(),
  };
}

/** No default channel: every channel here is one a test joined. */
const NO_LOBBY = { defaultChannel: '' };

function entry(nick: string, node = 'a', account: string | null = null): DirEntry {
  return { node, nick, user: `~${nick}`, host: `${node}.example`, account, realname: nick };
}

test('a snapshot loaded on another node gives back the same snapshot there', async () => {
  const a = await startServer(NO_LOBBY);
  const b = await startServer(NO_LOBBY);
  try {
    const alice = await TestClient.register(a.port, 'alice', [], false);
    const bob = await TestClient.register(a.port, 'bob', [], false);
    alice.send('MODE alice +i');
    alice.send('AWAY :at lunch');
    alice.send('JOIN #full');
    alice.send('TOPIC #full :the topic');
    alice.send('MODE #full +s-t');
    alice.send('MODE #full +k key');
    alice.send('MODE #full +l 10');
    alice.send('MODE #full +b bad!*@*');
    alice.send('MODE #full +e good!*@*');
    alice.send('MODE #full +Iv ask!*@* alice');
    alice.send('JOIN #secret');
    alice.send('MODE #secret +i');
    alice.send('INVITE bob #secret');
    alice.send('JOIN #gone');
    alice.send('PART #gone');
    await alice.sync(); // the channel is alice's before bob comes
    bob.send('JOIN #full key');
    await bob.sync();

    // Registered (as ChanServ would): the founder and the time travel with the channel.
    a.server.registry!.adopt(a.server.network.findChannel('#full')!, 'alice', 123);
    const mine = new Mirror(a.server, recordingBus().bus, 'a').snapshot();
    assert.equal(mine.users.length, 2);
    assert.ok(mine.ended.includes('#gone'), 'an ended channel travels as ended');
    const full = mine.channels.find((c) => c.name === '#full')!;
    assert.equal(full.key, 'key');
    assert.equal(full.limit, 10);
    assert.equal(full.topic, 'the topic');
    assert.deepEqual(
      full.lists.b.map((e) => e.mask),
      ['bad!*@*'],
    );
    assert.deepEqual([...full.members].sort(), [
      ['alice', MEMBER.OP | MEMBER.VOICE],
      ['bob', 0],
    ]);
    assert.equal([...full.flags].sort().join(''), 'ns');
    assert.deepEqual(full.invited, []);
    assert.deepEqual([full.founder, full.registeredAt], ['alice', 123]);
    assert.deepEqual(mine.channels.find((c) => c.name === '#secret')!.invited, ['bob']);
    const aliceEntry = mine.users.find((u) => u.nick === 'alice')!;
    assert.equal(aliceEntry.node, 'a');
    assert.equal(aliceEntry.away, 'at lunch');
    assert.match(aliceEntry.modes, /i/);
    assert.match(aliceEntry.hid!, /^c:/);

    // Node b starts from it: a user of b's own in the snapshot is not made a replica, nor put in
    // channels or invited through it.
    const withOwn = {
      ...mine,
      users: [...mine.users, { ...entry('self', 'b'), modes: '', away: null }],
      channels: mine.channels.map((c) => ({
        ...c,
        members: [...c.members, ['self', 0] as [string, number]],
        invited: [...c.invited, 'self'],
      })),
    };
    const there = new Mirror(b.server, recordingBus().bus, 'b');
    there.load(withOwn, Date.now());
    assert.equal(b.server.network.findUser('self'), undefined);
    assert.equal(b.server.network.findUser('alice')?.remote, 'a');
    assert.deepEqual(sorted(there.snapshot()), sorted(mine));

    // A node without a store (so without a channel registry) keeps the founder on the channel.
    const bare = await startServer(NO_LOBBY, 'text', false, null);
    try {
      const m = new Mirror(bare.server, recordingBus().bus, 'c');
      m.load(mine, Date.now());
      assert.equal(bare.server.network.findChannel('#full')?.founder, 'alice');
      assert.equal(m.snapshot().channels.find((c) => c.name === '#full')?.registeredAt, null);
    } finally {
      await bare.stop();
    }
    alice.destroy();
    bob.destroy();
  } finally {
    await a.stop();
    await b.stop();
  }
});

test("another node's users arriving, logging in, renaming and leaving are told to the users here", async () => {
  const srv = await startServer(NO_LOBBY);
  try {
    const { bus } = recordingBus();
    const mirror = new Mirror(srv.server, bus, 'b');
    const net = srv.server.network;
    const dave = await TestClient.register(srv.port, 'dave', ['account-notify'], false);
    dave.send('MONITOR + remy');
    dave.send('JOIN #x');
    await dave.sync();

    mirror.arrived(entry('ghost', 'b')); // this node's own: nothing to mirror
    mirror.arrived(entry('dave', 'a')); // held here by a user of this node: resync renames one
    assert.equal(net.findUser('ghost'), undefined);
    assert.equal(net.findUser('dave')?.remote, null);

    mirror.arrived(entry('remy'));
    await dave.expectCommand('730');
    const remy = net.findUser('remy')!;
    assert.deepEqual([remy.modes, remy.accountName, remy.remoteHistoryId], ['', null, 'c:?@a']);
    mirror.arrived(entry('acct', 'a', 'Acct'));
    assert.equal(net.findUser('acct')?.accountName, 'Acct', 'logged in before it arrived');
    mirror.gone('acct', 'a', 'bye');
    mirror.gone('nobody', 'a', 'never here'); // unknown: nothing to do
    mirror.updated(entry('nobody'), 'w');
    mirror.rejoined({ e: entry('remy'), modes: '', channel: '#x', bits: MEMBER.VOICE });
    const join = await dave.expectCommand('JOIN', '#x');
    assert.equal(join.source, 'remy!~remy@a.example');
    assert.equal(net.channel('#x', 0).channel.members.get(net.findUser('remy')!), MEMBER.VOICE);
    mirror.rejoined({ e: entry('remy'), modes: '', channel: '#x', bits: 0 }); // already there
    mirror.rejoined({ e: entry('ghost', 'b'), modes: '', channel: '#x', bits: 0 }); // our own
    mirror.rejoined({ e: entry('dave', 'c'), modes: '', channel: '#z', bits: 0 }); // ours, not c's
    await dave.sync();
    assert.equal(
      dave.all('JOIN').filter((m) => m.source?.startsWith('remy!')).length,
      1,
      'joined once',
    );
    assert.equal(net.findUser('ghost'), undefined);
    assert.equal(net.findChannel('#z')?.members.has(net.findUser('dave')!) ?? false, false);

    // Logged in, and its server set a mode: told once; the same news again tells nothing.
    mirror.updated(entry('remy', 'a', 'Remy'), 'w');
    mirror.updated(entry('remy', 'a', 'Remy'), undefined);
    mirror.updated(entry('remy', 'c', 'Other'), 'i'); // not that node's user: ignored
    mirror.arrived(entry('remy', 'a', null), ''); // announced again by its node: an update
    await dave.sync();
    assert.deepEqual(shapes(dave.all('ACCOUNT')), [
      ['ACCOUNT', 'Remy'],
      ['ACCOUNT', '*'],
    ]);
    assert.equal(net.findUser('remy')?.modes, '');
    mirror.updated(entry('remy'), 'w');
    assert.equal(net.findUser('remy')?.modes, 'w');

    mirror.renamed('b', 'remy', entry('rem2', 'b')); // this node's own rename: done already
    mirror.renamed('a', 'dave', entry('mallory')); // not a's user: it arrives as itself instead
    assert.equal(net.findUser('dave')?.remote, null, "a's news cannot rename a user of this node");
    mirror.gone('mallory', 'a', 'cleanup');
    mirror.renamed('a', 'remy', entry('remo'));
    const nick = await dave.expectCommand('NICK', 'remo');
    assert.equal(nick.source, 'remy!~remy@a.example');
    mirror.renamed('a', 'remo', entry('Remo')); // a change of case is no collision
    await dave.expectCommand('NICK', 'Remo');
    assert.equal(net.findUser('remy'), undefined);
    mirror.renamed('a', 'nobody', entry('newbie')); // not known here: it arrives
    assert.equal(net.findUser('newbie')?.remote, 'a');
    mirror.renamed('a', 'remo', entry('dave')); // taken here meanwhile: the replica goes
    const collision = await dave.expectCommand('QUIT');
    assert.deepEqual(
      [collision.source, collision.params[0]],
      ['Remo!~remy@a.example', 'Nick collision'],
    );
    assert.equal(net.findUser('dave')?.remote, null);

    // A nick held by a replica of another node now comes from node c: that user reconnected.
    mirror.rejoined({ e: entry('newbie'), modes: '', channel: '#x', bits: 0 });
    mirror.arrived(entry('newbie', 'c'));
    const moved = await dave.expectCommand('QUIT');
    assert.deepEqual(
      [moved.source, moved.params[0]],
      ['newbie!~newbie@a.example', 'Reconnected elsewhere'],
    );
    assert.equal(net.findUser('newbie')?.remote, 'c');
    mirror.gone('newbie', 'a', 'wrong node'); // not a's any more: stays
    assert.equal(net.findUser('newbie')?.remote, 'c');
    mirror.rejoined({ e: entry('newbie', 'c'), modes: '', channel: '#x', bits: 0 });
    mirror.rejoined({ e: entry('nina', 'c'), modes: '', channel: '#x', bits: 0 }); // arrives too
    mirror.rejoined({ e: entry('dave', 'c'), modes: '', channel: '#x', bits: 0 }); // ours
    mirror.gone('newbie', 'c', 'Ping timeout');
    const quit = await dave.expectCommand('QUIT');
    assert.deepEqual([quit.source, quit.params[0]], ['newbie!~newbie@c.example', 'Ping timeout']);
    mirror.nodeGone('c');
    const left = await dave.expectCommand('QUIT');
    assert.deepEqual([left.source, left.params[0]], ['nina!~nina@c.example', 'c left the network']);
    assert.deepEqual(
      [...net.allUsers()].map((u) => u.nick),
      ['dave'],
    );
    dave.destroy();
  } finally {
    await srv.stop();
  }
});

test("after a split the others' view is taken, and this node's users are put back where it was lost", async () => {
  const srv = await startServer(NO_LOBBY);
  try {
    const { bus, announced } = recordingBus();
    const mirror = new Mirror(srv.server, bus, 'b');
    const net = srv.server.network;
    const dave = await TestClient.register(srv.port, 'dave', [], false);
    dave.send('JOIN #x');
    dave.send('JOIN #y');
    await dave.sync();
    dave.send('MODE #x +b old!*@*');
    await dave.sync();
    for (const [nick, channel] of [
      ['remy', '#x'],
      ['remy', '#y'],
      ['rita', '#x'],
      ['rex', '#x'],
    ])
      mirror.rejoined({ e: entry(nick), modes: '', channel, bits: 0 });
    await dave.sync();
    const from = dave.received.length;

    const x = net.channel('#x', 0).channel;
    const others: Snapshot = {
      users: [
        { ...entry('remy'), modes: '', away: null },
        { ...entry('rex'), modes: '', away: null },
        { ...entry('sam', 'c'), modes: 'i', away: 'away' },
        { ...entry('dave', 'b'), modes: '', away: null }, // this node's own, as they saw it
      ],
      channels: [
        {
          name: '#x',
          createdAt: x.createdAt,
          topic: 'merged topic',
          topicBy: 'sam',
          topicAt: 5,
          flags: 'nt',
          key: null,
          limit: null,
          lists: { b: [{ mask: 'x!*@*', setBy: 'sam', setAt: 5 }], e: [], I: [] },
          invited: [],
          large: false,
          // dave and rex were kept; a nick nobody holds is skipped
          members: [
            ['sam', MEMBER.OP],
            ['dave', MEMBER.OP],
            ['rex', 0],
            ['ghost', 0],
          ],
          historyFrom: '',
          founder: 'sam',
          registeredAt: 7,
        },
      ],
      ended: ['#old'],
    };
    mirror.merge(others);
    await dave.sync();
    const seen = dave.received
      .slice(from)
      .map((r) => [r.msg.source?.split('!')[0], ...shapes([r.msg])[0]]);
    assert.deepEqual(
      seen.filter((s) => s[1] !== 'PONG'),
      [
        ['rita', 'QUIT', 'Lost in a network split'],
        ['remy', 'PART', '#x', 'Lost in a network split'],
        ['sam', 'JOIN', '#x'],
        ['remy', 'PART', '#y', 'Lost in a network split'],
      ],
    );
    assert.equal(x.topic, 'merged topic');
    assert.deepEqual(
      x.lists.b.map((e) => e.mask),
      ['x!*@*'],
    );
    assert.equal(x.members.get(net.findUser('sam')!), MEMBER.OP);
    assert.equal(net.findUser('sam')?.away, 'away');
    assert.ok([...net.endedNames()].includes('#old'));
    assert.deepEqual([x.founder, srv.server.registry?.registeredAt(x)], ['sam', 7]);
    // dave, lost on the others' side in #y (which they do not know), is announced back into it.
    assert.deepEqual(
      announced.map((m) => (m.t === 'rejoin' ? [m.e.nick, m.channel, m.bits] : m.t)),
      [['dave', '#y', MEMBER.OP]],
    );

    // A topic is taken when its text or its time differs.
    const sx = others.channels[0];
    mirror.merge({ ...others, channels: [{ ...sx, topic: 'other text' }] });
    assert.deepEqual([x.topic, x.topicAt], ['other text', 5]);
    mirror.merge({ ...others, channels: [{ ...sx, topic: 'other text', topicAt: 6 }] });
    assert.deepEqual([x.topic, x.topicAt], ['other text', 6]);
    // A snapshot from an older node says nothing of founders: the one known here stays.
    mirror.merge({ ...others, channels: [{ ...sx, founder: undefined, registeredAt: undefined }] });
    assert.equal(x.founder, 'sam');
    // A channel the others list with a user of this node who is not in it here: left as it is.
    const w = { ...sx, name: '#w', members: [['dave', 0]] as Array<[string, number]> };
    mirror.merge({ ...others, channels: [sx, w] });
    assert.equal(net.findChannel('#w')?.members.has(net.findUser('dave')!), false);

    announced.length = 0;
    mirror.rejoinAll();
    assert.deepEqual(
      announced.map((m) => (m.t === 'rejoin' ? [m.e.nick, m.e.node, m.channel, m.bits] : m.t)),
      [
        ['dave', 'b', '#x', MEMBER.OP],
        ['dave', 'b', '#y', MEMBER.OP],
      ],
      "only this node's users, in every channel they are in",
    );
    dave.destroy();
  } finally {
    await srv.stop();
  }
});
