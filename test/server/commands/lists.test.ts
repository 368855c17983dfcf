// Channel mask lists over real TCP: +b with +e exceptions, +I past +i, the m: mute extban, +C, and MAXLIST for all three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shapes, startServer, TestClient } from '../../helpers/irc.js';

async function setup(overrides = {}) {
  const srv = await startServer({ defaultChannel: '', ...overrides });
  const op = await TestClient.register(srv.port, 'op', [], false);
  const bob = await TestClient.register(srv.port, 'bob', [], false);
  await op.replies('JOIN #c');
  return { srv, op, bob };
}

test('+e lets a banned user in and speaking; +I lets one past +i', async () => {
  const { srv, op, bob } = await setup();
  try {
    await op.replies('MODE #c +b bob');
    assert.equal((await bob.replies('JOIN #c'))[0].command, '474');
    await op.replies('MODE #c +e bob!*@*');
    assert.equal((await bob.replies('JOIN #c'))[0].command, 'JOIN');
    await bob.replies('PART #c');
    await op.replies('MODE #c +i');
    assert.equal((await bob.replies('JOIN #c'))[0].command, '473');
    await op.replies('MODE #c +I *!~bob@*');
    assert.equal((await bob.replies('JOIN #c'))[0].command, 'JOIN');
    assert.deepEqual(
      shapes(await op.replies('MODE #c e')).map((s) => s.slice(0, 4)),
      [
        ['348', 'op', '#c', 'bob!*@*'],
        ['349', 'op', '#c', 'End of channel exception list'],
      ],
    );
    assert.deepEqual(
      shapes(await op.replies('MODE #c I')).map((s) => s.slice(0, 4)),
      [
        ['346', 'op', '#c', '*!~bob@*'],
        ['347', 'op', '#c', 'End of channel invite exception list'],
      ],
    );
    op.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('m: mutes without banning, until voiced or excepted; unknown extbans are refused', async () => {
  const { srv, op, bob } = await setup();
  try {
    await op.replies('MODE #c +b m:bob!*@*');
    assert.equal((await bob.replies('JOIN #c'))[0].command, 'JOIN');
    assert.deepEqual(shapes(await bob.replies('PRIVMSG #c :hi')), [
      ['404', 'bob', '#c', 'Cannot send to channel'],
    ]);
    await op.replies('MODE #c +e m:bob!*@*');
    assert.deepEqual(shapes(await bob.replies('PRIVMSG #c :excepted')), []);
    await op.expectCommand('PRIVMSG', '#c', 'excepted');
    assert.deepEqual(shapes(await op.replies('MODE #c +b x:bob!*@*')), [
      ['696', 'op', '#c', 'b', 'x:bob!*@*', 'Unknown extban x: (EXTBAN=,am)'],
    ]);
    op.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('+C refuses CTCP to the channel, but not ACTION (/me)', async () => {
  const { srv, op, bob } = await setup();
  try {
    await bob.replies('JOIN #c');
    await op.replies('MODE #c +C');
    assert.deepEqual(shapes(await bob.replies('PRIVMSG #c :\x01VERSION\x01')), [
      ['404', 'bob', '#c', 'Cannot send CTCP to channel (+C)'],
    ]);
    assert.deepEqual(shapes(await bob.replies('PRIVMSG #c :\x01ACTION waves\x01')), []);
    await op.expectCommand('PRIVMSG', '#c', '\x01ACTION waves\x01');
    op.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('the three lists share --max-bans (MAXLIST=beI:N)', async () => {
  const { srv, op, bob } = await setup({ maxBans: 3 });
  try {
    assert.ok(op.all('005').some((m) => m.params.includes('MAXLIST=beI:3')));
    await op.replies('MODE #c +beI a b c');
    assert.deepEqual(shapes(await op.replies('MODE #c +e d')), [
      ['696', 'op', '#c', 'e', 'd!*@*', 'Channel exception list is full'],
    ]);
    op.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('KICK takes several nicks (up to TARGMAX), or channels and nicks in pairs', async () => {
  const { srv, op, bob } = await setup();
  try {
    const carol = await TestClient.register(srv.port, 'carol', [], false);
    await op.replies('JOIN #d');
    for (const c of [bob, carol]) await c.replies('JOIN #c,#d');
    const both = await op.replies('KICK #c bob,carol :out');
    assert.deepEqual(
      both.map((m) => m.params.slice(0, 3)),
      [
        ['#c', 'bob', 'out'],
        ['#c', 'carol', 'out'],
      ],
    );
    const pairs = await op.replies('KICK #d,#d bob,carol :bye');
    assert.deepEqual(
      pairs.map((m) => m.params.slice(0, 2)),
      [
        ['#d', 'bob'],
        ['#d', 'carol'],
      ],
    );
    assert.deepEqual(shapes(await op.replies('KICK #c,#d bob')), [
      ['461', 'op', 'KICK', 'Not enough parameters'],
    ]);
    for (const c of [op, bob, carol]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('INVITE without arguments lists the channels one is invited to', async () => {
  const { srv, op, bob } = await setup();
  try {
    await op.replies('JOIN #d');
    await op.replies('INVITE bob #c');
    await op.replies('INVITE bob #d');
    const list = await bob.replies('INVITE');
    assert.deepEqual(shapes(list), [
      ['336', 'bob', '#c'],
      ['336', 'bob', '#d'],
      ['337', 'bob', 'End of /INVITE list'],
    ]);
    assert.deepEqual(shapes(await bob.replies('INVITE op')), [
      ['461', 'bob', 'INVITE', 'Not enough parameters'],
    ]);
    op.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('LIST conditions (ELIST=CMNTU) combine; NAMES of several channels ends with one 366', async () => {
  const { srv, op, bob } = await setup();
  try {
    await op.replies('JOIN #chan1,#chan2,#other');
    await bob.replies('JOIN #chan2');
    const listed = async (args: string) =>
      (await bob.replies(`LIST ${args}`))
        .filter((m) => m.command === '322')
        .map((m) => m.params[1]);
    assert.deepEqual(await listed('#ch*'), ['#chan1', '#chan2']);
    assert.deepEqual(await listed('!#ch*'), ['#c', '#other']);
    assert.deepEqual(await listed('>1'), ['#chan2']);
    assert.deepEqual(await listed('#ch*,<2'), ['#chan1']);
    assert.deepEqual(await listed('C<5'), ['#c', '#chan1', '#chan2', '#other']);
    assert.deepEqual(await listed('C>5'), []);
    assert.deepEqual(await listed('T<5'), []); // no topic was ever set: set at the epoch
    const names = await op.replies('NAMES #chan1,#chan2');
    assert.deepEqual(
      names.map((m) => [m.command, m.params[2]]),
      [
        ['353', '#chan1'],
        ['353', '#chan2'],
        ['366', 'End of /NAMES list'],
      ],
    );
    assert.deepEqual(names.at(-1)?.params, ['op', '#chan1,#chan2', 'End of /NAMES list']);
    op.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('RENAME: cap clients see RENAME, others leave and rejoin under the new name; errors as FAIL', async () => {
  const srv = await startServer({ defaultChannel: '#lobby' });
  try {
    const op = await TestClient.register(srv.port, 'op', ['draft/channel-rename'], true);
    const modern = await TestClient.register(srv.port, 'modern', ['draft/channel-rename'], true);
    const legacy = await TestClient.register(srv.port, 'legacy', [], true);
    for (const c of [op, modern, legacy]) await c.replies('JOIN #old');
    await op.replies('TOPIC #old :the topic');
    await op.replies('JOIN #taken');
    assert.deepEqual(shapes(await legacy.replies('RENAME #old #new')), [
      ['482', 'legacy', '#old', "You're not channel operator"],
    ]);
    assert.deepEqual(shapes(await op.replies('RENAME #old #taken')), [
      ['FAIL', 'RENAME', 'CHANNEL_NAME_IN_USE', '#old', '#taken', 'Channel name is in use'],
    ]);
    assert.deepEqual(shapes(await op.replies('RENAME #old bad')), [
      ['FAIL', 'RENAME', 'CANNOT_RENAME', '#old', 'bad', 'Invalid channel name'],
    ]);
    assert.equal((await op.replies('RENAME #lobby #hall'))[0].params[1], 'CANNOT_RENAME');
    const mark = legacy.received.length;
    assert.deepEqual(shapes(await op.replies('RENAME #old #new :tidier')), [
      ['RENAME', '#old', '#new', 'tidier'],
    ]);
    await modern.expectCommand('RENAME', '#old', '#new', 'tidier');
    await legacy.expectCommand('332', 'legacy', '#new', 'the topic');
    assert.deepEqual(
      legacy.received.slice(mark).map((r) => [r.msg.command, r.msg.params[0]]),
      [
        ['PART', '#old'],
        ['JOIN', '#new'],
        ['332', 'legacy'],
      ],
    );
    // The channel is the same: members, modes and topic came along.
    const names = await legacy.replies('NAMES #new');
    assert.deepEqual(names[0].params.slice(2), ['#new', '@op modern legacy']);
    assert.equal((await legacy.replies('NAMES #old'))[0].command, '366');
    // A change of case only is a rename too: the name it holds is its own.
    assert.deepEqual(shapes(await op.replies('RENAME #new #New')), [['RENAME', '#new', '#New']]);
    for (const c of [op, modern, legacy]) c.destroy();
  } finally {
    await srv.stop();
  }
});
