// Operators over real TCP: OPER, +o in WHOIS/WHO/LUSERS, KILL, WALLOPS and +w, REHASH, and 481 for everyone else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from '../../../src/server/opers.js';
import { shapes, startServer, TestClient } from '../../helpers/irc.js';

const opers = [
  { name: 'root', hash: hashPassword('hunter2'), host: '*@*' },
  { name: 'local', hash: hashPassword('s3cret'), host: '*@nowhere.example' },
];

test('hashPassword makes salted scrypt hashes that verify only their own password', () => {
  const a = hashPassword('hunter2');
  assert.match(a, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.notEqual(hashPassword('hunter2'), a, 'a fresh salt each time');
  assert.ok(verifyPassword('hunter2', a));
  assert.ok(!verifyPassword('hunter3', a));
  assert.ok(!verifyPassword('hunter2', 'plain-text'));
});

test('OPER: 381 and +o with the right password; 464, 491 and 461 otherwise', async () => {
  const srv = await startServer({ defaultChannel: '', opers });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    assert.deepEqual(shapes(await alice.replies('OPER root hunter3')), [
      ['464', 'alice', 'Password incorrect'],
    ]);
    assert.deepEqual(shapes(await alice.replies('OPER nobody hunter2')), [
      ['491', 'alice', 'No O-lines for your host'],
    ]);
    // Right name and password, but alice's host is not *@nowhere.example.
    assert.deepEqual(shapes(await alice.replies('OPER local s3cret')), [
      ['491', 'alice', 'No O-lines for your host'],
    ]);
    assert.deepEqual(shapes(await alice.replies('OPER root')), [
      ['461', 'alice', 'OPER', 'Not enough parameters'],
    ]);
    const ok = await alice.replies('OPER root hunter2');
    assert.deepEqual(
      ok.map((m) => [m.command, ...m.params]),
      [
        ['381', 'alice', 'You are now an IRC operator'],
        ['MODE', 'alice', '+o'],
      ],
    );
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    const whois = await bob.replies('WHOIS alice');
    assert.ok(whois.some((m) => m.command === '313' && m.params[1] === 'alice'));
    const who = await bob.replies('WHO alice');
    assert.equal(who.find((m) => m.command === '352')?.params[6], 'H*');
    const lusers = await bob.replies('LUSERS');
    assert.deepEqual(lusers.find((m) => m.command === '252')?.params, [
      'bob',
      '1',
      'operator(s) online',
    ]);
    // An operator may drop +o; +o cannot be set by MODE.
    await alice.replies('MODE alice -o');
    assert.deepEqual(shapes(await alice.replies('MODE alice +o')), []);
    assert.deepEqual(shapes(await alice.replies('MODE alice')), [['221', 'alice', '+']]);
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('KILL, WALLOPS and REHASH: 481 for a non-operator; KILL closes the link and says why', async () => {
  const srv = await startServer({ defaultChannel: '#lobby', opers });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    const carol = await TestClient.register(srv.port, 'carol', [], false);
    const denied = ['481', 'bob', "Permission Denied- You're not an IRC operator"];
    assert.deepEqual(shapes(await bob.replies('KILL alice :bye')), [denied]);
    assert.deepEqual(shapes(await bob.replies('WALLOPS :hi')), [denied]);
    assert.deepEqual(shapes(await bob.replies('REHASH')), [denied]);
    await alice.replies('OPER root hunter2');

    // WALLOPS reaches +w users and comes back to the sender, nobody else.
    await carol.replies('MODE carol +w');
    const bobMark = bob.received.length;
    const back = await alice.replies('WALLOPS :maintenance at noon');
    assert.deepEqual(
      back.map((m) => [m.command, ...m.params]),
      [['WALLOPS', 'maintenance at noon']],
    );
    const got = await carol.expectCommand('WALLOPS', 'maintenance at noon');
    assert.match(got.source ?? '', /^alice!/);
    await bob.sync();
    assert.deepEqual(bob.all('WALLOPS', bobMark), []);

    // REHASH on a server without a config file: 382, then why nothing was re-read.
    const rehash = await alice.replies('REHASH');
    assert.deepEqual(rehash[0].params, ['alice', '*', 'Rehash failed']);
    assert.equal(rehash[1].command, 'FAIL');
    assert.match(rehash[1].params.at(-1)!, /started without a config file \(--config\)/);

    assert.deepEqual(shapes(await alice.replies('KILL nobody :x')), [
      ['401', 'alice', 'nobody', 'No such nick/channel'],
    ]);
    alice.send('KILL bob :spamming');
    const error = await bob.expectCommand('ERROR');
    assert.match(error.params[0], /Killed \(alice \(spamming\)\)/);
    const quit = await carol.expectCommand('QUIT');
    assert.match(quit.source ?? '', /^bob!/);
    assert.equal(quit.params[0], 'Killed (alice (spamming))');
    alice.destroy();
    carol.destroy();
  } finally {
    await srv.stop();
  }
});

test('STATS u/o/m for operators only; an operator joins past +i, +k, +l and +b', async () => {
  const srv = await startServer({ defaultChannel: '', opers });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    assert.deepEqual(shapes(await alice.replies('STATS u')), [
      ['481', 'alice', "Permission Denied- You're not an IRC operator"],
    ]);
    await alice.replies('OPER root hunter2');
    const up = await alice.replies('STATS u');
    assert.equal(up[0].command, '242');
    assert.match(up[0].params[1], /^Server Up 0 days 00:00:\d\d$/);
    assert.deepEqual(up[1].params, ['alice', 'u', 'End of /STATS report']);
    assert.deepEqual(shapes(await alice.replies('STATS o')), [
      ['243', 'alice', 'O', '*@*', '*', 'root'],
      ['243', 'alice', 'O', '*@nowhere.example', '*', 'local'],
      ['219', 'alice', 'o', 'End of /STATS report'],
    ]);
    const m = await alice.replies('STATS m');
    const oper = m.find((x) => x.command === '212' && x.params[1] === 'OPER');
    assert.deepEqual(oper?.params, ['alice', 'OPER', '1']);

    await bob.replies('JOIN #locked');
    await bob.replies('MODE #locked +iklb secret 1 alice');
    const joined = await alice.replies('JOIN #locked');
    assert.equal(joined[0].command, 'JOIN', 'an operator overrides the channel rules');
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});
