// Channel commands over real TCP: who may KICK and INVITE and what the refusals say, and LIST's member-count filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../src/protocol/index.js';
import { startServer, TestClient, type TestServer } from '../helpers/irc.js';

/** Everything the server answers to `line`, up to (not including) the PONG of a sync. */
async function replies(c: TestClient, line: string): Promise<Message[]> {
  await c.sync();
  const from = c.received.length;
  c.send(line);
  await c.sync();
  return c.received
    .slice(from)
    .map((r) => r.msg)
    .filter((m) => m.command !== 'PONG');
}

const shapes = (ms: Message[]) => ms.map((m) => [m.command, ...m.params]);

async function join(c: TestClient, channel: string): Promise<void> {
  c.send(`JOIN ${channel}`);
  await c.expectCommand('366', c.nick, channel);
}

/** A server without a lobby and these nicks registered; `body` gets them in order. */
async function withClients(
  nicks: string[],
  body: (clients: TestClient[], srv: TestServer) => Promise<void>,
): Promise<void> {
  const srv = await startServer({ defaultChannel: '' });
  const clients: TestClient[] = [];
  try {
    for (const nick of nicks) clients.push(await TestClient.register(srv.port, nick, [], false));
    await body(clients, srv);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
}

/** The nicks NAMES shows for `channel`, with their prefixes. */
async function names(c: TestClient, channel: string): Promise<string[]> {
  const got = await replies(c, `NAMES ${channel}`);
  return got
    .filter((m) => m.command === '353')
    .flatMap((m) => m.params[3].split(' '))
    .sort();
}

test('KICK: only a channel operator may, and a refused KICK removes nobody', async () => {
  await withClients(['alice', 'bob', 'carol'], async ([alice, bob, carol]) => {
    for (const c of [alice, bob]) await join(c, '#c'); // alice first: the operator
    const refused: Array<[TestClient, string, string[]]> = [
      [bob, 'KICK #c alice', ['482', 'bob', '#c', "You're not channel operator"]],
      [bob, 'KICK #c alice :go away', ['482', 'bob', '#c', "You're not channel operator"]],
      [carol, 'KICK #c bob', ['442', 'carol', '#c', "You're not on that channel"]],
      [alice, 'KICK #nope bob', ['403', 'alice', '#nope', 'No such channel']],
      [alice, 'KICK #c nobody', ['401', 'alice', 'nobody', 'No such nick/channel']],
      [alice, 'KICK #c carol', ['441', 'alice', 'carol', '#c', "They aren't on that channel"]],
    ];
    for (const [who, line, want] of refused) {
      assert.deepEqual(shapes(await replies(who, line)), [want], `${who.nick}: ${line}`);
    }
    await bob.sync();
    assert.deepEqual(bob.all('KICK'), [], 'nobody saw a KICK');
    assert.deepEqual(await names(carol, '#c'), ['@alice', 'bob']);
    // The operator may; the default reason is the kicker's nick.
    alice.send('KICK #c bob');
    const kick = await bob.expectCommand('KICK', '#c', 'bob');
    assert.deepEqual(kick.params, ['#c', 'bob', 'alice']);
    assert.match(kick.source!, /^alice!/);
    assert.deepEqual(await names(carol, '#c'), ['@alice']);
  });
});

test('INVITE: 401, 403, 442, 443, and 482 on a +i channel for a non-operator', async () => {
  await withClients(['alice', 'bob', 'carol', 'dave'], async ([alice, bob, carol, dave]) => {
    for (const c of [alice, bob]) await join(c, '#c');
    const refused: Array<[TestClient, string, string[]]> = [
      [alice, 'INVITE nobody #c', ['401', 'alice', 'nobody', 'No such nick/channel']],
      [alice, 'INVITE carol #nope', ['403', 'alice', '#nope', 'No such channel']],
      [carol, 'INVITE dave #c', ['442', 'carol', '#c', "You're not on that channel"]],
      [alice, 'INVITE bob #c', ['443', 'alice', 'bob', '#c', 'is already on channel']],
    ];
    for (const [who, line, want] of refused) {
      assert.deepEqual(shapes(await replies(who, line)), [want], `${who.nick}: ${line}`);
    }
    // Without +i any member may invite.
    assert.deepEqual(shapes(await replies(bob, 'INVITE carol #c')), [
      ['341', 'bob', 'carol', '#c'],
    ]);
    const invite = await carol.expectCommand('INVITE', 'carol', '#c');
    assert.match(invite.source!, /^bob!/);
    // With +i only an operator may, and a refused invite lets nobody in.
    alice.send('MODE #c +i');
    await bob.expectCommand('MODE', '#c', '+i');
    assert.deepEqual(shapes(await replies(bob, 'INVITE dave #c')), [
      ['482', 'bob', '#c', "You're not channel operator"],
    ]);
    await dave.sync();
    assert.deepEqual(dave.all('INVITE'), [], 'dave was never invited');
    assert.equal((await replies(dave, 'JOIN #c'))[0]?.command, '473');
    assert.deepEqual(shapes(await replies(alice, 'INVITE dave #c')), [
      ['341', 'alice', 'dave', '#c'],
    ]);
    await join(dave, '#c');
  });
});

test('LIST >n and <n filter by member count, alone or together', async () => {
  await withClients(['alice', 'bob', 'carol'], async ([alice, bob, carol]) => {
    // #one has 1 member, #two 2, #three 3.
    await join(alice, '#one');
    for (const c of [alice, bob]) await join(c, '#two');
    for (const c of [alice, bob, carol]) await join(c, '#three');
    const listed = async (line: string) => {
      const got = await replies(carol, line);
      assert.equal(got[0]?.command, '321', line);
      assert.deepEqual(got.at(-1)?.params, ['carol', 'End of /LIST'], line);
      return got
        .filter((m) => m.command === '322')
        .map((m) => `${m.params[1]}:${m.params[2]}`)
        .sort();
    };
    const cases: Array<[string, string[]]> = [
      ['LIST', ['#one:1', '#three:3', '#two:2']],
      ['LIST >1', ['#three:3', '#two:2']],
      ['LIST >2', ['#three:3']],
      ['LIST >3', []],
      ['LIST <3', ['#one:1', '#two:2']],
      ['LIST <2', ['#one:1']],
      ['LIST <1', []],
      ['LIST >1 <3', ['#two:2']],
      ['LIST #one,#two >1', ['#two:2']],
      ['LIST #one,#three <3', ['#one:1']],
    ];
    for (const [line, want] of cases) assert.deepEqual(await listed(line), want, line);
  });
});
