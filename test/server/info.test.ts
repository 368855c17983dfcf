import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MOTD } from '../../src/server/config.js';
import { VERSION } from '../../src/server/version.js';
import { startServer, TestClient } from '../helpers/irc.js';

const SERVER = 'parley.local';

test("--services-name names the services in LINKS and as NickServ's host; without a store there are none", async () => {
  const srv = await startServer({ servicesName: 'Services.Example' });
  const bare = await startServer({}, 'text', false, null);
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const links = await alice.replies('LINKS');
    assert.deepEqual(
      links.filter((m) => m.command === '364').map((m) => m.params[1]),
      [SERVER, 'Services.Example'],
    );
    const ns = await alice.replies('NS HELP');
    assert.equal(ns[0].source, 'NickServ!NickServ@Services.Example');
    const bob = await TestClient.register(bare.port, 'bob');
    // No --description: the network's name says what the server is.
    assert.deepEqual(
      (await bob.replies('LINKS')).map((m) => [m.command, m.params[1], m.params.at(-1)]),
      [
        ['364', SERVER, '0 parley chat server'],
        ['365', '*', 'End of /LINKS list'],
      ],
    );
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
    await bare.stop();
  }
});

test('MOTD, LUSERS, VERSION and TIME answer with their numerics', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const motdLines = DEFAULT_MOTD.map(() => '372');
    const isupport = (await alice.replies('VERSION')).filter((m) => m.command === '005').length;
    assert.ok(isupport >= 1);
    const cases: Array<[string, string[]]> = [
      ['MOTD', ['375', ...motdLines, '376']],
      [`MOTD ${SERVER}`, ['375', ...motdLines, '376']],
      ['LUSERS', ['251', '252', '253', '254', '255', '265', '266']],
      [`LUSERS * ${SERVER}`, ['251', '252', '253', '254', '255', '265', '266']],
      ['VERSION', ['351', ...Array<string>(isupport).fill('005')]],
      ['TIME', ['391']],
      ['TIME *.local', ['391']],
    ];
    for (const [line, numerics] of cases) {
      const got = await alice.replies(line);
      assert.deepEqual(
        got.map((m) => m.command),
        numerics,
        line,
      );
    }

    const [version] = await alice.replies('VERSION');
    assert.deepEqual(version.params.slice(0, 3), ['alice', VERSION, SERVER]);
    assert.ok(version.params[3].length > 0, 'a comment');

    const before = Math.floor(Date.now() / 1000);
    const [time] = await alice.replies('TIME');
    const after = Math.floor(Date.now() / 1000);
    assert.deepEqual(time.params.slice(0, 2), ['alice', SERVER]);
    const unix = Number(time.params[2]);
    assert.ok(unix >= before && unix <= after, `unix time ${unix}`);
    assert.equal(time.params[3], new Date(unix * 1000).toUTCString());

    const [luser] = await alice.replies('LUSERS');
    assert.deepEqual(luser.params, ['alice', 'There are 1 users and 0 invisible on 1 servers']);
  } finally {
    await srv.stop();
  }
});

test('LUSERS counts invisible users as they set and drop +i, register and quit', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'bob');
    const carol = await TestClient.register(srv.port, 'carol');
    const count = async () => (await alice.replies('LUSERS'))[0].params[1];
    assert.equal(await count(), 'There are 3 users and 0 invisible on 1 servers');
    bob.send('MODE bob +i');
    carol.send('MODE carol +i');
    carol.send('MODE carol +i'); // no change: counted once
    await bob.sync();
    await carol.sync();
    assert.equal(await count(), 'There are 1 users and 2 invisible on 1 servers');
    bob.send('MODE bob -i');
    await bob.sync();
    assert.equal(await count(), 'There are 2 users and 1 invisible on 1 servers');
    await carol.quit();
    assert.equal(await count(), 'There are 2 users and 0 invisible on 1 servers');
    const dave = await TestClient.register(srv.port, 'dave');
    const welcome = dave.received.find((r) => r.msg.command === '251');
    assert.equal(welcome?.msg.params[1], 'There are 3 users and 0 invisible on 1 servers');
    for (const c of [alice, bob, dave]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('MOTD comes from the configuration; an empty one is 422', async () => {
  const cases: Array<[string[], Array<[string, string[]]>]> = [
    [
      ['first line', 'second line'],
      [
        ['375', ['alice', `- ${SERVER} Message of the day - `]],
        ['372', ['alice', '- first line']],
        ['372', ['alice', '- second line']],
        ['376', ['alice', 'End of /MOTD command.']],
      ],
    ],
    [[], [['422', ['alice', 'MOTD File is missing']]]],
  ];
  for (const [motd, want] of cases) {
    const srv = await startServer({ motd });
    try {
      const alice = await TestClient.register(srv.port, 'alice');
      const got = await alice.replies('MOTD');
      assert.deepEqual(
        got.map((m) => [m.command, m.params]),
        want,
      );
    } finally {
      await srv.stop();
    }
  }
});

test('a server name that is not this one gets 402', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    for (const line of [
      'MOTD elsewhere.example',
      'VERSION elsewhere.example',
      'TIME elsewhere.example',
      'LUSERS * elsewhere.example',
    ]) {
      const got = await alice.replies(line);
      assert.deepEqual(
        got.map((m) => [m.command, m.params]),
        [['402', ['alice', 'elsewhere.example', 'No such server']]],
        line,
      );
    }
  } finally {
    await srv.stop();
  }
});

test('HELP lists every command in the table with its syntax', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const got = await alice.replies('HELP');
    const first = got[0];
    const last = got.at(-1)!;
    assert.equal(first.command, '704');
    assert.deepEqual(first.params.slice(0, 2), ['alice', '*']);
    assert.deepEqual(last.params, ['alice', '*', 'End of /HELP']);
    assert.equal(last.command, '706');
    const body = got.slice(1, -1);
    for (const m of body) assert.deepEqual([m.command, m.params[1]], ['705', '*']);
    const syntaxes = body.map((m) => m.params[2]);
    assert.deepEqual(
      syntaxes,
      srv.server.commands.all().map((s) => s.syntax),
    );
    for (const cmd of ['PRIVMSG', 'JOIN', 'WHOIS', 'HELP']) {
      assert.ok(
        syntaxes.some((s) => s.startsWith(cmd + ' ')),
        `${cmd} is listed`,
      );
    }
  } finally {
    await srv.stop();
  }
});

test('HELP <command> shows its syntax and description; unknown topics get 524', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const table = srv.server.commands;
    for (const subject of ['PRIVMSG', 'privmsg', 'Join', 'AWAY']) {
      const spec = table.get(subject.toUpperCase())!;
      const got = await alice.replies(`HELP ${subject}`);
      assert.deepEqual(
        got.map((m) => [m.command, m.params]),
        [
          ['704', ['alice', spec.name, spec.syntax]],
          ['705', ['alice', spec.name, spec.help]],
          ['706', ['alice', spec.name, 'End of /HELP']],
        ],
        subject,
      );
    }
    assert.match(table.get('PRIVMSG')!.syntax, /^PRIVMSG <target>/);

    const missing = await alice.replies('HELP NOPE');
    assert.deepEqual(
      missing.map((m) => [m.command, m.params]),
      [['524', ['alice', 'NOPE', 'No help available on this topic']]],
    );
  } finally {
    await srv.stop();
  }
});

test('info commands need registration', async () => {
  const srv = await startServer();
  const c = await TestClient.connect(srv.port);
  try {
    for (const cmd of ['HELP', 'MOTD', 'VERSION', 'TIME', 'LUSERS']) {
      const got = await c.replies(cmd);
      assert.deepEqual(
        got.map((m) => m.command),
        ['451'],
        cmd,
      );
    }
  } finally {
    c.destroy();
    await srv.stop();
  }
});

test('LINKS names this server with --description and its services; INFO ends with 374; HELPOP is HELP', async () => {
  const srv = await startServer({ description: 'the LAN chat' });
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    assert.deepEqual(
      (await alice.replies('LINKS')).map((m) => [m.command, ...m.params]),
      [
        ['364', 'alice', SERVER, SERVER, '0 the LAN chat'],
        ['364', 'alice', `services.${SERVER}`, SERVER, '1 parley services (NickServ, ChanServ)'],
        ['365', 'alice', '*', 'End of /LINKS list'],
      ],
    );
    assert.deepEqual(
      (await alice.replies('LINKS elsewhere.example')).map((m) => m.command),
      ['365'],
    );
    assert.deepEqual(
      (await alice.replies('LINKS services.*')).map((m) => [m.command, m.params[1]]),
      [
        ['364', `services.${SERVER}`],
        ['365', 'services.*'],
      ],
    );
    const whois = await alice.replies('WHOIS alice');
    assert.deepEqual(whois.find((m) => m.command === '312')?.params, [
      'alice',
      'alice',
      SERVER,
      'the LAN chat',
    ]);
    const info = await alice.replies('INFO');
    assert.ok(info.length >= 2);
    assert.ok(info.slice(0, -1).every((m) => m.command === '371'));
    assert.match(info[0].params[1], new RegExp(`^parley ${VERSION.replace(/\./g, '\\.')}`));
    assert.equal(info.at(-1)?.command, '374');
    const help = await alice.replies('HELP PRIVMSG');
    const helpop = await alice.replies('HELPOP PRIVMSG');
    assert.deepEqual(
      helpop.map((m) => m.params),
      help.map((m) => m.params),
    );
    alice.destroy();
  } finally {
    await srv.stop();
  }
});
