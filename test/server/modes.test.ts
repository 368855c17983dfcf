// MODE over real TCP: channel and user modes, their replies and broadcasts, and their effects end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../src/protocol/index.js';
import type { ServerConfig } from '../../src/server/config.js';
import { startServer, TestClient } from '../helpers/irc.js';

type Body = (clients: TestClient[]) => Promise<void>;

/**
 * A server without an auto-joined lobby and registered clients named `nicks`; the first `members`
 * of them join #c in order, so the first is its operator.
 */
async function scenario(
  nicks: string[],
  members: number,
  body: Body,
  config: Partial<ServerConfig> = {},
): Promise<void> {
  const srv = await startServer({ defaultChannel: '', ...config });
  const clients: TestClient[] = [];
  try {
    for (const nick of nicks) clients.push(await TestClient.register(srv.port, nick, [], false));
    for (const c of clients.slice(0, members)) await join(c, '#c');
    for (const c of clients) await c.sync(); // everyone past the others' JOINs
    await body(clients);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
}

async function join(c: TestClient, channel: string, key = ''): Promise<Message> {
  c.send(`JOIN ${channel} ${key}`.trimEnd());
  await c.expectCommand('JOIN', channel);
  return c.expectCommand('366', c.nick, channel);
}

/** Send `line` and wait for numeric `code` addressed to `c`, starting with `params`. */
function reply(c: TestClient, line: string, code: string, ...params: string[]): Promise<Message> {
  c.send(line);
  return c.expectCommand(code, c.nick, ...params);
}

/** Send `line` from `c`; after round trips, the MODE lines each of `watchers` received meanwhile. */
async function modeLines(
  c: TestClient,
  line: string,
  watchers: TestClient[],
): Promise<Message[][]> {
  const marks = watchers.map((w) => w.received.length);
  c.send(line);
  await c.sync();
  const seen: Message[][] = [];
  for (const [k, w] of watchers.entries()) {
    await w.sync(); // anything the server queued for w while handling `line` came before this PONG
    seen.push(w.all('MODE', marks[k]));
  }
  return seen;
}

async function noModeLine(c: TestClient, line: string, watchers: TestClient[]): Promise<void> {
  for (const lines of await modeLines(c, line, watchers)) assert.deepEqual(lines, [], line);
}

test('the first joiner is op; MODE <channel> shows modes, key to members, creation time', async () => {
  const before = Math.floor(Date.now() / 1000);
  await scenario(['alice', 'bob', 'carol'], 1, async ([alice, bob, carol]) => {
    const names = await reply(bob, 'NAMES #c', '353', '=', '#c');
    assert.equal(names.params[3], '@alice');
    await join(bob, '#c');
    assert.deepEqual((await reply(bob, 'NAMES #c', '353')).params.slice(2), ['#c', '@alice bob']);
    assert.deepEqual((await reply(bob, 'MODE #c', '324')).params, ['bob', '#c', '+nt']);
    const created = Number((await bob.expectCommand('329', 'bob', '#c')).params[2]);
    assert.ok(created >= before && created <= Math.ceil(Date.now() / 1000), `329 ${created}`);

    alice.send('MODE #c +kl sesame 5');
    await alice.expectCommand('MODE', '#c', '+kl', 'sesame', '5');
    const shown: Array<[TestClient, string]> = [
      [alice, 'sesame'],
      [bob, 'sesame'],
      [carol, '*'],
    ];
    for (const [c, key] of shown) {
      const m = await reply(c, 'MODE #C', '324', '#c');
      assert.deepEqual(m.params.slice(2), ['+ntkl', key, '5'], c.nick);
    }
  });
});

test('errors: each refused MODE gets its numeric and changes nothing', async () => {
  const cases: Array<{ who: number; line: string; code: string; params: string[] }> = [
    { who: 1, line: 'MODE #c +m', code: '482', params: ['#c', "You're not channel operator"] },
    { who: 1, line: 'MODE #c -t+b bob', code: '482', params: ['#c'] },
    { who: 2, line: 'MODE #c +m', code: '442', params: ['#c', "You're not on that channel"] },
    { who: 0, line: 'MODE #nope', code: '403', params: ['#nope', 'No such channel'] },
    { who: 0, line: 'MODE #nope +m', code: '403', params: ['#nope'] },
    { who: 0, line: 'MODE #c +z', code: '472', params: ['z', 'is unknown mode char to me'] },
    { who: 0, line: 'MODE #c +o nobody', code: '401', params: ['nobody'] },
    { who: 0, line: 'MODE #c +v carol', code: '441', params: ['carol', '#c'] },
    { who: 0, line: 'MODE #c +o', code: '696', params: ['#c', 'o', '*'] },
    { who: 0, line: 'MODE #c +l', code: '696', params: ['#c', 'l', '*'] },
    { who: 0, line: 'MODE #c +l 0', code: '696', params: ['#c', 'l', '0'] },
    { who: 0, line: 'MODE #c +l ten', code: '696', params: ['#c', 'l', 'ten'] },
    { who: 0, line: 'MODE #c +k', code: '696', params: ['#c', 'k', '*'] },
    { who: 0, line: 'MODE #c +k a,b', code: '525', params: ['#c'] },
    { who: 0, line: 'MODE #c +k :has space', code: '525', params: ['#c'] },
    { who: 0, line: 'MODE alice +x', code: '501', params: ['Unknown MODE flag'] },
    { who: 0, line: 'MODE bob', code: '502', params: ['Cant change mode for other users'] },
    { who: 0, line: 'MODE bob +i', code: '502', params: [] },
    { who: 0, line: 'MODE nobody +i', code: '401', params: ['nobody'] },
  ];
  await scenario(['alice', 'bob', 'carol'], 2, async (clients) => {
    for (const { who, line, code, params } of cases) {
      const c = clients[who];
      const from = c.received.length;
      await noModeLine(c, line, clients);
      const replies = c.all(code, from).map((m) => m.params.slice(0, params.length + 1));
      assert.deepEqual(replies, [[c.nick, ...params]], line);
    }
    assert.deepEqual((await reply(clients[0], 'MODE #c', '324')).params.slice(2), ['+nt']);
    assert.deepEqual((await reply(clients[0], 'MODE alice', '221')).params.slice(1), ['+']);
  });
});

test('one MODE line with only the real changes reaches every member', async () => {
  await scenario(['alice', 'bob', 'carol'], 3, async (clients) => {
    const [alice] = clients;
    const steps: Array<{ line: string; shown: string[] | null }> = [
      { line: 'MODE #c +ov-t+k bob bob sesame', shown: ['+ov-t+k', 'bob', 'bob', 'sesame'] },
      { line: 'MODE #c +ov-t bob bob', shown: null }, // all already so
      { line: 'MODE #c +vm-o+n bob carol', shown: ['+m'] }, // carol is not op; +n is set
      { line: 'MODE #c -k ignored', shown: ['-k', '*'] },
      { line: 'MODE #c +l 10', shown: ['+l', '10'] },
      { line: 'MODE #c +l 10', shown: null },
      { line: 'MODE #c +l-l+l 3 4', shown: ['+l-l+l', '3', '4'] },
      { line: 'MODE #c isx', shown: ['+is'] }, // x is unknown, default sign is +
      { line: 'MODE #c -isv+t bob', shown: ['-isv+t', 'bob'] },
      { line: 'MODE #c -o+o bob bob', shown: ['-o+o', 'bob', 'bob'] },
    ];
    for (const { line, shown } of steps) {
      const seen = await modeLines(alice, line, clients);
      for (const [k, lines] of seen.entries()) {
        const who = clients[k].nick;
        assert.deepEqual(
          lines.map((m) => m.params),
          shown === null ? [] : [['#c', ...shown]],
          `${who} after ${line}`,
        );
        for (const m of lines) assert.match(m.source ?? '', /^alice!/);
      }
    }
    const modes = await reply(alice, 'MODE #c', '324');
    assert.deepEqual(modes.params.slice(2), ['+mntl', '4']);
    const names = await reply(alice, 'NAMES #c', '353');
    assert.equal(names.params[3], '@alice @bob carol');
  });
});

test('bans: list for anyone, at most 4 parameter modes per line, capped at maxBans', async () => {
  await scenario(
    ['alice', 'bob', 'carol'],
    2,
    async ([alice, bob, carol]) => {
      await reply(carol, 'MODE #c +b', '368', '#c', 'End of channel ban list');
      alice.send('MODE #c +bbbbb a b c *@d e');
      const m = await bob.expectCommand('MODE', '#c');
      assert.deepEqual(m.params.slice(1), ['+bbbb', 'a!*@*', 'b!*@*', 'c!*@*', '*!*@d']);
      carol.send('MODE #c b');
      await carol.expectCommand('368', 'carol', '#c');
      const list = carol.all('367');
      assert.deepEqual(
        list.map((b) => b.params[2]),
        ['a!*@*', 'b!*@*', 'c!*@*', '*!*@d'],
      );
      for (const b of list) {
        assert.match(b.params[3], /^alice!/);
        assert.match(b.params[4], /^\d+$/);
      }
      alice.send('MODE #c -b+b-b A!*@* f c');
      const change = await bob.expectCommand('MODE', '#c');
      assert.deepEqual(change.params.slice(1), ['-b+b-b', 'a!*@*', 'f!*@*', 'c!*@*']);
      alice.send('MODE #c +bb g h');
      await alice.expectCommand('696', 'alice', '#c', 'b', 'h!*@*', 'Channel ban list is full');
      assert.deepEqual((await bob.expectCommand('MODE', '#c')).params.slice(1), ['+b', 'g!*@*']);
      await noModeLine(alice, 'MODE #c +b F', [alice, bob]); // already there, any case
    },
    { maxBans: 4 },
  );
});

test('+i blocks joining (473) until an INVITE', async () => {
  await scenario(['alice', 'bob'], 1, async ([alice, bob]) => {
    alice.send('MODE #c +i');
    await alice.expectCommand('MODE', '#c', '+i');
    await reply(bob, 'JOIN #c', '473', '#c');
    alice.send('INVITE bob #c');
    await bob.expectCommand('INVITE', 'bob', '#c');
    await join(bob, '#c');
  });
});

test('+k needs the key (475); -k lifts it', async () => {
  await scenario(['alice', 'bob', 'carol'], 1, async ([alice, bob, carol]) => {
    alice.send('MODE #c +k sesame');
    await alice.expectCommand('MODE', '#c', '+k', 'sesame');
    await reply(bob, 'JOIN #c', '475', '#c');
    await reply(bob, 'JOIN #c wrong', '475', '#c');
    await join(bob, '#c', 'sesame');
    alice.send('MODE #c -k');
    await alice.expectCommand('MODE', '#c', '-k', '*');
    await join(carol, '#c');
  });
});

test('+l refuses joins past the limit (471); -l lifts it', async () => {
  await scenario(['alice', 'bob'], 1, async ([alice, bob]) => {
    alice.send('MODE #c +l 1');
    await alice.expectCommand('MODE', '#c', '+l', '1');
    await reply(bob, 'JOIN #c', '471', '#c');
    alice.send('MODE #c -l');
    await alice.expectCommand('MODE', '#c', '-l');
    await join(bob, '#c');
  });
});

test('+b stops a member speaking (404) and joining again (474)', async () => {
  await scenario(['alice', 'bob'], 2, async ([alice, bob]) => {
    alice.send('MODE #c +b bob');
    await bob.expectCommand('MODE', '#c', '+b', 'bob!*@*');
    await reply(bob, 'PRIVMSG #c :hello', '404', '#c');
    bob.send('PART #c');
    await bob.expectCommand('PART', '#c');
    await reply(bob, 'JOIN #c', '474', '#c');
    alice.send('MODE #c -b bob');
    await alice.expectCommand('MODE', '#c', '-b', 'bob!*@*');
    await join(bob, '#c');
  });
});

test('+m silences the unvoiced (404); +v lets them speak', async () => {
  await scenario(['alice', 'bob'], 2, async ([alice, bob]) => {
    alice.send('MODE #c +m');
    await bob.expectCommand('MODE', '#c', '+m');
    await reply(bob, 'PRIVMSG #c :hello', '404', '#c', 'Cannot send to channel');
    alice.send('MODE #c +v bob');
    await bob.expectCommand('MODE', '#c', '+v', 'bob');
    bob.send('PRIVMSG #c :hello');
    await alice.expectCommand('PRIVMSG', '#c', 'hello');
  });
});

test('+t lets only operators set the topic (482); -t lets anyone', async () => {
  await scenario(['alice', 'bob'], 2, async ([alice, bob]) => {
    await reply(bob, 'TOPIC #c :mine', '482', '#c');
    alice.send('MODE #c -t');
    await bob.expectCommand('MODE', '#c', '-t');
    bob.send('TOPIC #c :mine');
    await alice.expectCommand('TOPIC', '#c', 'mine');
  });
});

test('-n lets outsiders message the channel; +n stops them (404)', async () => {
  await scenario(['alice', 'carol'], 1, async ([alice, carol]) => {
    await reply(carol, 'PRIVMSG #c :knock', '404', '#c');
    alice.send('MODE #c -n');
    await alice.expectCommand('MODE', '#c', '-n');
    carol.send('PRIVMSG #c :knock');
    await alice.expectCommand('PRIVMSG', '#c', 'knock');
  });
});

test('+s hides the channel from LIST for outsiders only', async () => {
  await scenario(['alice', 'bob', 'carol'], 2, async ([alice, bob, carol]) => {
    const listed = async (c: TestClient): Promise<boolean> => {
      const from = c.received.length;
      await reply(c, 'LIST', '323');
      return c.all('322', from).some((m) => m.params[1] === '#c');
    };
    assert.equal(await listed(carol), true);
    alice.send('MODE #c +s');
    await alice.expectCommand('MODE', '#c', '+s');
    assert.equal(await listed(carol), false);
    assert.equal(await listed(bob), true);
  });
});

test('+o makes another member an operator, who can then -o the first', async () => {
  await scenario(['alice', 'bob'], 2, async ([alice, bob]) => {
    await reply(bob, 'MODE #c +m', '482', '#c');
    alice.send('MODE #c +o bob');
    await bob.expectCommand('MODE', '#c', '+o', 'bob');
    assert.equal((await reply(bob, 'NAMES #c', '353')).params[3], '@alice @bob');
    bob.send('MODE #c +m-o alice');
    await alice.expectCommand('MODE', '#c', '+m-o', 'alice');
    await reply(alice, 'MODE #c -m', '482', '#c');
  });
});

test('user modes: 221, +i/-i echoed to oneself only, +o ignored', async () => {
  await scenario(['alice', 'bob'], 2, async ([alice, bob]) => {
    assert.deepEqual((await reply(alice, 'MODE alice', '221')).params, ['alice', '+']);
    alice.send('MODE alice +i');
    const m = await alice.expectCommand('MODE', 'alice');
    assert.equal(m.source, 'alice');
    assert.deepEqual(m.params, ['alice', '+i']);
    assert.deepEqual((await reply(alice, 'MODE ALICE', '221')).params, ['alice', '+i']);
    await noModeLine(alice, 'MODE alice +io', [alice, bob]);
    assert.deepEqual((await reply(alice, 'MODE alice', '221')).params, ['alice', '+i']);
    alice.send('MODE alice -i+z');
    await alice.expectCommand('501', 'alice');
    assert.deepEqual((await alice.expectCommand('MODE', 'alice')).params, ['alice', '-i']);
  });
});
