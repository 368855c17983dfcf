// PART, TOPIC, JOIN 0, KICK and INVITE over real TCP: each reply and what the other members see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../../helpers/irc.js';

/** The lines from `line` on, without the source's address: `:alice PART #c`. */
async function seen(c: TestClient, line: string): Promise<string[]> {
  return (await c.rawReplies(line)).map((l) => l.replace(/^:(\w+)!\S+/, ':$1'));
}

async function withClients(
  nicks: string[],
  body: (clients: TestClient[]) => Promise<void>,
): Promise<void> {
  const srv = await startServer({ defaultChannel: '' });
  const clients: TestClient[] = [];
  try {
    for (const nick of nicks) clients.push(await TestClient.register(srv.port, nick, [], false));
    await body(clients);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
}

async function join(c: TestClient, channel: string): Promise<void> {
  c.send(`JOIN ${channel}`);
  await c.expectCommand('366', c.nick, channel);
}

const S = ':parley.local';

test('PART: each channel of a list, its errors, and the reason only when given', async () => {
  await withClients(['alice', 'bob'], async ([alice, bob]) => {
    for (const ch of ['#a', '#b']) {
      await join(alice, ch);
      await join(bob, ch);
    }
    assert.deepEqual(await seen(alice, 'PART #a,#nope,#b :bye now'), [
      ':alice PART #a :bye now',
      `${S} 403 alice #nope :No such channel`,
      ':alice PART #b :bye now',
    ]);
    assert.deepEqual(await seen(alice, 'PART #a'), [
      `${S} 442 alice #a :You're not on that channel`,
    ]);
    assert.deepEqual(await seen(bob, 'PART #a'), [':bob PART #a']);
  });
});

test('TOPIC: 331 then 332/333 to ask, 442 for outsiders of +s or to set, the change to everyone', async () => {
  await withClients(['alice', 'bob', 'carol'], async ([alice, bob, carol]) => {
    await join(alice, '#c');
    await join(bob, '#c');
    assert.deepEqual(await seen(bob, 'TOPIC #c'), [`${S} 331 bob #c :No topic is set`]);
    assert.deepEqual(await seen(carol, 'TOPIC #nope'), [`${S} 403 carol #nope :No such channel`]);
    assert.deepEqual(await seen(carol, 'TOPIC #c :mine'), [
      `${S} 442 carol #c :You're not on that channel`,
    ]);
    const before = Math.floor(Date.now() / 1000);
    assert.deepEqual(await seen(alice, 'TOPIC #c :fresh news'), [':alice TOPIC #c :fresh news']);
    assert.deepEqual((await bob.expectCommand('TOPIC', '#c')).params, ['#c', 'fresh news']);
    const asked = await carol.rawReplies('TOPIC #c');
    assert.equal(asked[0], `${S} 332 carol #c :fresh news`);
    const whoTime = /^:parley\.local 333 carol #c alice!~alice@\S+ (\d+)$/.exec(asked[1]);
    assert.ok(whoTime, asked[1]);
    const at = Number(whoTime[1]);
    assert.ok(at >= before && at <= Math.ceil(Date.now() / 1000), `333 ${at}`);
    // The topic is sent on joining, and an outsider of a secret channel may not ask for it.
    await join(carol, '#c');
    assert.equal(carol.all('332').length, 2);
    alice.send('MODE #c +s');
    await alice.expectCommand('MODE', '#c', '+s');
    await seen(carol, 'PART #c');
    assert.deepEqual(await seen(carol, 'TOPIC #c'), [
      `${S} 442 carol #c :You're not on that channel`,
    ]);
  });
});

test('JOIN 0 leaves every channel with "Left all channels"', async () => {
  await withClients(['alice', 'bob'], async ([alice, bob]) => {
    for (const ch of ['#a', '#b']) {
      await join(alice, ch);
      await join(bob, ch);
    }
    assert.deepEqual((await seen(alice, 'JOIN 0')).sort(), [
      ':alice PART #a :Left all channels',
      ':alice PART #b :Left all channels',
    ]);
    assert.deepEqual(await seen(alice, 'JOIN 0'), []);
    await bob.expectCommand('PART', '#a', 'Left all channels');
  });
});

test("KICK: several nicks at once, their errors, the kicker's nick as default reason", async () => {
  await withClients(['alice', 'bob', 'carol', 'dave'], async ([alice, bob, carol]) => {
    await join(alice, '#c');
    await join(bob, '#c');
    await join(carol, '#c');
    assert.deepEqual(await seen(alice, 'KICK #c bob,nobody,dave,carol'), [
      ':alice KICK #c bob alice',
      `${S} 401 alice nobody :No such nick/channel`,
      `${S} 441 alice dave #c :They aren't on that channel`,
      ':alice KICK #c carol alice',
    ]);
    assert.deepEqual(await seen(alice, 'KICK #nope bob'), [
      `${S} 403 alice #nope :No such channel`,
    ]);
    await bob.expectCommand('KICK', '#c', 'bob', 'alice');
    assert.deepEqual(await seen(bob, 'PRIVMSG #c :back?'), [
      `${S} 404 bob #c :Cannot send to channel`,
    ]);
  });
});

test('INVITE: 341 to the inviter, INVITE to the invitee, 301 when the invitee is away', async () => {
  await withClients(['alice', 'bob'], async ([alice, bob]) => {
    await join(alice, '#c');
    bob.send('AWAY :out');
    await bob.expectCommand('306');
    assert.deepEqual(await seen(alice, 'INVITE bob #c'), [
      `${S} 341 alice bob #c`,
      `${S} 301 alice bob out`,
    ]);
    const invite = await bob.expectCommand('INVITE', 'bob', '#c');
    assert.match(invite.source ?? '', /^alice!~alice@/);
  });
});

test('an invite is to the person, not the nick: it follows a nick change and is not inherited by whoever takes the nick', async () => {
  const srv = await startServer({ defaultChannel: '' });
  const clients: TestClient[] = [];
  const open = async (nick: string) => {
    const c = await TestClient.register(srv.port, nick, [], false);
    clients.push(c);
    return c;
  };
  try {
    const alice = await open('alice');
    const bob = await open('bob');
    const carol = await open('carol');
    await join(alice, '#x');
    await alice.replies('MODE #x +i');
    await alice.replies('INVITE bob #x');
    await alice.replies('INVITE carol #x');
    // carol is carla now: her invite came with her, and the INVITE list says so.
    await carol.replies('NICK carla');
    carol.nick = 'carla';
    assert.deepEqual(
      (await carol.replies('INVITE')).map((m) => m.params[1]),
      ['#x', 'End of /INVITE list'],
    );
    const late = await open('carol');
    assert.deepEqual(await seen(late, 'JOIN #x'), [`${S} 473 carol #x :Cannot join channel (+i)`]);
    await join(carol, '#x');
    // bob leaves; whoever takes his nick was never invited.
    await bob.quit();
    const other = await open('bob');
    assert.deepEqual(await seen(other, 'JOIN #x'), [`${S} 473 bob #x :Cannot join channel (+i)`]);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
});
