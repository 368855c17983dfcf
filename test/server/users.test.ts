// User queries over real TCP: WHO, WHOIS, ISON, USERHOST, WHOWAS, with state set by commands (users-self.test.ts: AWAY, bot mode, SETNAME).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/server/opers.js';
import { startServer, TestClient } from '../helpers/irc.js';
import { join, registerAll, userOf } from './users-kit.js';

const SERVER = 'parley.local';
const CLOAK = /^x-[0-9a-f]{8}\.parley$/;

/** An operator block for the tests that need an IRC operator (made with a real OPER). */
const OPERS = [{ name: 'root', hash: hashPassword('letmein'), host: '*@*' }];

async function makeOper(c: TestClient): Promise<void> {
  c.send('OPER root letmein');
  await c.expectCommand('381');
}

/** Send `MODE <args>` from `c` and wait for the server to announce exactly that change back. */
async function mode(c: TestClient, args: string): Promise<void> {
  c.send(`MODE ${args}`);
  await c.expect((m) => m.command === 'MODE' && m.params.join(' ') === args, 5000, args);
}

test('WHO <channel> lists each member with H/G, oper and (multi-)prefix flags, then 315', async () => {
  const srv = await startServer({ defaultChannel: '', opers: OPERS });
  try {
    const [alice, bob, carol] = await registerAll(
      srv,
      ['alice', ['multi-prefix']],
      ['bob'],
      ['carol'],
    );
    for (const c of [alice, bob, carol]) await join(c, '#room'); // alice first: the operator
    await mode(alice, '#room +ov bob bob');
    await makeOper(bob);
    carol.send('AWAY :lunch');
    await carol.expectCommand('306');

    const cases: Array<[TestClient, Record<string, string>]> = [
      [alice, { alice: 'H@', bob: 'H*@+', carol: 'G' }],
      [bob, { alice: 'H@', bob: 'H*@', carol: 'G' }],
    ];
    for (const [asker, flags] of cases) {
      const got = await asker.replies('WHO #room');
      const rows = got.filter((m) => m.command === '352');
      assert.deepEqual(
        Object.fromEntries(rows.map((m) => [m.params[5], m.params[6]])),
        flags,
        `flags seen by ${asker.nick}`,
      );
      for (const m of rows) {
        const nick = m.params[5];
        assert.deepEqual(
          [m.params[0], m.params[1], m.params[2], m.params[4], m.params[7]],
          [asker.nick, '#room', `~${nick}`, SERVER, `0 Test ${nick}`],
        );
        assert.match(m.params[3], CLOAK);
      }
      assert.deepEqual(got.at(-1)?.params, [asker.nick, '#room', 'End of WHO list']);
      assert.equal(got.length, 4);
    }
  } finally {
    await srv.stop();
  }
});

test('WHO by mask: * channel field; +i users hidden from masks of those sharing no channel', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const [alice, bob, carol, dave] = await registerAll(
      srv,
      ['alice'],
      ['bob'],
      ['carol'],
      ['dave'],
    );
    await join(bob, '#room'); // bob first: the operator
    await join(carol, '#room');
    await mode(bob, 'bob +i');
    await mode(dave, 'dave +i');

    const cases: Array<[TestClient, string, string[]]> = [
      [alice, 'carol', ['carol']],
      [alice, 'CAR*', ['carol']],
      [alice, '*!~car*@*', ['carol']],
      [alice, '*', ['alice', 'carol']],
      [alice, '0', ['alice', 'carol']],
      [alice, 'bob', ['bob']], // a plain nick shows an invisible user (Modern IRC)
      [alice, 'bo*', []], // a mask does not
      [carol, '*', ['alice', 'bob', 'carol']],
      [dave, 'dave', ['dave']],
      [alice, 'nobody', []],
      [alice, '#room', ['carol']], // an outsider sees the channel's visible members only
      [carol, '#room', ['bob', 'carol']],
      [alice, '#nosuch', []],
    ];
    for (const [asker, mask, nicks] of cases) {
      const got = await asker.replies(`WHO ${mask}`);
      const rows = got.filter((m) => m.command === '352');
      assert.deepEqual(rows.map((m) => m.params[5]).sort(), nicks, `${asker.nick}: WHO ${mask}`);
      const channelField = mask.startsWith('#') ? mask : '*';
      for (const m of rows) assert.equal(m.params[1], channelField);
      assert.deepEqual(got.at(-1)?.params, [asker.nick, mask, 'End of WHO list']);
    }

    await mode(bob, '#room +s');
    const hidden = await alice.replies('WHO #room');
    assert.deepEqual(
      hidden.map((m) => m.command),
      ['315'],
      'a secret channel shows outsiders nothing',
    );
  } finally {
    await srv.stop();
  }
});

test('WHOIS: 311, 319, 312, 301, 313, 317, 318 in order; secret channels hidden; no IP', async () => {
  // The clock moves only when told, so idle time is exact; the long ping interval keeps the
  // server's PINGs (the clock jumps 142 s) out of the replies.
  const start = Date.now();
  const srv = await startServer(
    { defaultChannel: '', pingInterval: 3_600_000, opers: OPERS },
    'text',
    true,
  );
  try {
    const [alice, bob] = await registerAll(srv, ['alice', ['multi-prefix']], ['bob']);
    await join(bob, '#pub'); // bob first: he is the operator of #pub and #hidden
    await join(bob, '#hidden');
    await join(alice, '#shared'); // alice first: she is the operator of #shared
    await join(bob, '#shared');
    await mode(bob, '#hidden +s');
    await mode(alice, '#shared +s');
    await mode(bob, '#pub +v bob');
    await makeOper(bob);
    const b = userOf(srv, 'bob');
    srv.advance(100_000);
    bob.send('PRIVMSG #pub :last words'); // idle counts from here, not from signing on
    await bob.sync();
    srv.advance(42_000);
    bob.send('AWAY :gone fishing');
    await bob.expectCommand('306');

    for (const line of ['WHOIS bob', 'WHOIS BOB', 'WHOIS bob bob', `WHOIS ${SERVER} bob`]) {
      const got = await alice.replies(line);
      assert.deepEqual(
        got.map((m) => m.command),
        ['311', '319', '312', '301', '313', '317', '318'],
        line,
      );
      const [user, chans, server, away, oper, idle, end] = got;
      assert.deepEqual(user.params, ['alice', 'bob', '~bob', b.host, '*', 'Test bob']);
      assert.match(user.params[3], CLOAK);
      assert.deepEqual(chans.params.slice(0, 2), ['alice', 'bob']);
      assert.deepEqual(chans.params[2].split(' ').sort(), ['#shared', '@+#pub']);
      assert.deepEqual(server.params.slice(0, 3), ['alice', 'bob', SERVER]);
      assert.deepEqual(away.params, ['alice', 'bob', 'gone fishing']);
      assert.deepEqual(oper.params.slice(0, 2), ['alice', 'bob']);
      assert.deepEqual(idle.params.slice(1), [
        'bob',
        '42',
        String(Math.floor(start / 1000)),
        'seconds idle, signon time',
      ]);
      assert.deepEqual(end.params, ['alice', 'bob', 'End of /WHOIS list']);
      for (const m of got) assert.ok(!m.params.join(' ').includes('127.0.0.1'), 'no IP shown');
    }

    // Without multi-prefix only the highest status shows; a plain user has no 301/313.
    const plain = await bob.replies('WHOIS alice');
    assert.deepEqual(
      plain.map((m) => m.command),
      ['311', '319', '312', '317', '318'],
    );
    const own = await bob.replies('WHOIS bob');
    assert.deepEqual(own[1].params[2].split(' ').sort(), ['#shared', '@#hidden', '@#pub']);
  } finally {
    await srv.stop();
  }
});

test('WHOIS errors: unknown nick, missing nick, another server', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const cases: Array<[string, Array<[string, string[]]>]> = [
      [
        'WHOIS nobody',
        [
          ['401', ['alice', 'nobody', 'No such nick/channel']],
          ['318', ['alice', 'nobody', 'End of /WHOIS list']],
        ],
      ],
      ['WHOIS', [['461', ['alice', 'WHOIS', 'Not enough parameters']]]],
      [
        'WHOIS elsewhere.example alice',
        [['402', ['alice', 'elsewhere.example', 'No such server']]],
      ],
    ];
    for (const [line, want] of cases) {
      const got = await alice.replies(line);
      assert.deepEqual(
        got.map((m) => [m.command, m.params]),
        want,
        line,
      );
    }
  } finally {
    await srv.stop();
  }
});

test('ISON answers with the present nicks as the server spells them', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    await TestClient.register(srv.port, 'Bob');
    const cases: Array<[string, string, string[]]> = [
      ['ISON alice bob nobody', '303', ['alice', 'alice Bob']],
      ['ISON :ALICE  BOB', '303', ['alice', 'alice Bob']],
      ['ISON nobody', '303', ['alice', '']],
      ['ISON', '461', ['alice', 'ISON', 'Not enough parameters']],
    ];
    for (const [line, command, params] of cases) {
      const got = await alice.replies(line);
      assert.deepEqual(
        got.map((m) => [m.command, m.params]),
        [[command, params]],
        line,
      );
    }
  } finally {
    await srv.stop();
  }
});

test('USERHOST: nick[*]=[+|-]user@host for up to 5 nicks', async () => {
  const srv = await startServer({ opers: OPERS });
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'Bob');
    await makeOper(alice);
    bob.send('AWAY :out');
    await bob.expectCommand('306');
    const ah = `~alice@${userOf(srv, 'alice').host}`;
    const bh = `~Bob@${userOf(srv, 'bob').host}`;
    const cases: Array<[string, string, string[]]> = [
      ['USERHOST alice', '302', ['alice', `alice*=+${ah}`]],
      ['USERHOST bob nobody alice', '302', ['alice', `Bob=-${bh} alice*=+${ah}`]],
      ['USERHOST :bob alice', '302', ['alice', `Bob=-${bh} alice*=+${ah}`]],
      ['USERHOST n1 n2 n3 n4 n5 alice', '302', ['alice', '']],
      ['USERHOST', '461', ['alice', 'USERHOST', 'Not enough parameters']],
    ];
    for (const [line, command, params] of cases) {
      const got = await alice.replies(line);
      assert.deepEqual(
        got.map((m) => [m.command, m.params]),
        [[command, params]],
        line,
      );
    }
  } finally {
    await srv.stop();
  }
});

test('WHOWAS answers 406 then 369, so clients that fall back to it after a 401 get an answer', async () => {
  const srv = await startServer();
  try {
    const a = await TestClient.register(srv.port, 'alice');
    a.send('WHOWAS ghost 1');
    await a.expectCommand('406', 'alice', 'ghost');
    await a.expectCommand('369', 'alice', 'ghost');
    a.destroy();
  } finally {
    await srv.stop();
  }
});
