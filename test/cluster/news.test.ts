// What a node tells the other nodes about its users, as a scripted peer on the bus sees it: arrivals and logins with their account, renames, leaves (one per user), and its count of unregistered connections, once per turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage, DirEntry } from '../../src/cluster/messages.js';
import { MemoryStore } from '../../src/store/memory.js';
import { loggedIn } from '../helpers/accounts.js';
import { sleep, withNodeAndPeer, withRedis, type Peer } from '../helpers/cluster.js';
import { TestClient } from '../helpers/irc.js';

/** An account store for node a: logins reach the directory. */
const accounts = () => new MemoryStore(true);

/** The directory's entry (Redis's nick hash) for `folded`, or undefined. */
async function entryFor(p: Peer, folded: string): Promise<DirEntry | undefined> {
  return (await p.bus.directory()).find((e) => e.nick.toLowerCase() === folded);
}

const about = (t: BusMessage['t'], nick: string) => (m: BusMessage) =>
  m.t === t && ('e' in m ? m.e.nick : 'nick' in m ? m.nick : '') === nick;

test("a node's users reach the others: arrival, login, renames and leaving, with the directory in step", (t) =>
  withRedis(t, (redis) =>
    withNodeAndPeer(
      redis,
      async (a, p) => {
        const caps = ['draft/account-registration'];
        const alice = await TestClient.register(a.port, 'alice', caps, false);
        const arrived = await p.next('alice arrives', about('arrive', 'alice'));
        assert.equal(arrived.t === 'arrive' && arrived.e.account, null);
        alice.send('REGISTER * * correct-horse-battery');
        await alice.expectCommand('REGISTER', 'SUCCESS', 'alice');
        const update = await p.next("alice's login", about('update', 'alice'));
        assert.equal(update.t === 'update' && update.e.account, 'alice');
        assert.equal((await entryFor(p, 'alice'))?.account, 'alice', 'the directory has the login');
        await alice.quit();
        await p.next('alice leaves', about('leave', 'alice'));
        assert.equal(await entryFor(p, 'alice'), undefined, 'her nick is free');

        // Logged in before the welcome (PASS): the arrival and the directory carry the account.
        const again = await loggedIn(a.port, 'alice', 'correct-horse-battery');
        const back = await p.next('alice arrives logged in', about('arrive', 'alice'));
        assert.equal(back.t === 'arrive' && back.e.account, 'alice');
        assert.equal((await entryFor(p, 'alice'))?.account, 'alice');
        assert.equal((await entryFor(p, 'alice'))?.node, 'a');

        // A change of case keeps the claim and updates its entry; a new nick moves the claim.
        again.send('NICK Alice');
        await p.next('alice becomes Alice', about('nick', 'Alice'));
        assert.equal((await entryFor(p, 'alice'))?.nick, 'Alice');
        again.send('NICK alicia');
        const moved = await p.next('Alice becomes alicia', about('nick', 'alicia'));
        assert.equal(moved.t === 'nick' && moved.from, 'Alice');
        assert.equal((await entryFor(p, 'alice'))?.nick, undefined, 'the old nick is given back');
        assert.equal((await entryFor(p, 'alicia'))?.node, 'a');

        // Dropped without QUIT: one leave, and the nick is free.
        again.destroy();
        const left = await p.next('alicia leaves', about('leave', 'alicia'));
        assert.equal(left.t === 'leave' && left.node, 'a');
        assert.equal(await entryFor(p, 'alicia'), undefined);

        // QUIT publishes the leave before the link closes; closing it does not tell it twice.
        const bob = await TestClient.register(a.port, 'bob', [], false);
        await p.next('bob arrives', about('arrive', 'bob'));
        await bob.quit('gone fishing');
        const quit = await p.next('bob leaves', about('leave', 'bob'));
        assert.equal(quit.t === 'leave' && quit.reason, 'Quit: gone fishing');
        await sleep(300);
        assert.equal(p.has(about('leave', 'bob')), false, 'one leave for one QUIT');
      },
      accounts(),
    ),
  ));

test("a node's count of unregistered connections goes to the others once per turn, as it ends", (t) =>
  withRedis(t, (redis) =>
    withNodeAndPeer(
      redis,
      async (a, p) => {
        const census = a.server.network.census;
        const fromA = (m: BusMessage) => m.t === 'unknown' && m.node === 'a';
        for (let k = 0; k < 3; k++) census.connectionOpened();
        const opened = await p.next('the count after three arrivals', fromA);
        assert.deepEqual(opened, { t: 'unknown', node: 'a', n: 3 });
        await sleep(200);
        assert.equal(p.has(fromA), false, 'one message for the turn');
        for (let k = 0; k < 3; k++) census.connectionClosed(false);
        const closed = await p.next('the count after they left', fromA);
        assert.deepEqual(closed, { t: 'unknown', node: 'a', n: 0 });
      },
      accounts(),
    ),
  ));
