// What one user may make the server hold, over real TCP: recipients per message, channels per user, topic, kick reason and channel name lengths, and tag data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient, shapes } from '../helpers/irc.js';

test('too many targets: 407 and nothing is sent, even to the nicks that exist', async () => {
  const srv = await startServer({ maxTargets: 3 });
  try {
    const clients: TestClient[] = [];
    for (const nick of ['alice', 'bob', 'carol', 'dave', 'erin']) {
      clients.push(await TestClient.register(srv.port, nick));
    }
    const [alice, ...others] = clients;
    for (const c of clients) await c.sync();
    const marks = others.map((c) => c.received.length);
    const cases: Array<[string, string]> = [
      ['PRIVMSG bob,carol,dave,erin :hi', 'erin'],
      ['PRIVMSG bob,#lobby,carol,dave :hi', 'dave'],
    ];
    for (const [line, fourth] of cases) {
      const got = await alice.replies(line);
      assert.deepEqual(shapes(got), [['407', 'alice', fourth, 'Too many recipients (at most 3)']]);
    }
    for (const [k, c] of others.entries()) {
      await c.sync();
      assert.deepEqual(c.all('PRIVMSG', marks[k]), [], `${c.nick} got nothing`);
    }
    // Three is allowed, and a repeated nick counts once.
    alice.send('PRIVMSG bob,carol,BOB,dave :three');
    for (const c of others.slice(0, 3)) await c.expectCommand('PRIVMSG', c.nick, 'three');
    for (const c of clients) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('channels per user: past max-channels, 405 and no join', async () => {
  const srv = await startServer({ maxChannels: 3 }); // #lobby is the first
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const got = await alice.replies('JOIN #a,#b,#c');
    assert.deepEqual(
      got.filter((m) => m.command === 'JOIN').map((m) => m.params[0]),
      ['#a', '#b'],
    );
    assert.deepEqual(shapes(got.filter((m) => m.command === '405')), [
      ['405', 'alice', '#c', 'You have joined too many channels'],
    ]);
    // #c was never made; after a PART there is room again.
    assert.deepEqual(shapes(await alice.replies('LIST #c')), [
      ['321', 'alice', 'Channel', 'Users  Name'],
      ['323', 'alice', 'End of /LIST'],
    ]);
    alice.send('PART #a');
    await alice.expectCommand('PART', '#a');
    alice.send('JOIN #c');
    await alice.expectCommand('366', 'alice', '#c');
    alice.destroy();
  } finally {
    await srv.stop();
  }
});

test('topic and kick reason are cut to TOPICLEN and KICKLEN bytes, never inside a character', async () => {
  const srv = await startServer({ defaultChannel: '', topicLen: 10, kickLen: 8 });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    for (const c of [alice, bob]) {
      c.send('JOIN #c');
      await c.expectCommand('366', c.nick, '#c');
    }
    const isupport = alice.all('005').flatMap((m) => m.params);
    assert.ok(isupport.includes('TOPICLEN=10') && isupport.includes('KICKLEN=8'));
    alice.send('TOPIC #c :0123456789abcdef');
    assert.equal((await bob.expectCommand('TOPIC', '#c')).params[1], '0123456789');
    alice.send('TOPIC #c :caf\u00e9 caf\u00e9'); // é is two bytes: the 10th byte is inside one
    assert.equal((await bob.expectCommand('TOPIC', '#c')).params[1], 'caf\u00e9 caf');
    const shown = await bob.replies('TOPIC #c');
    assert.deepEqual(shapes(shown.slice(0, 1)), [['332', 'bob', '#c', 'caf\u00e9 caf']]);
    alice.send('KICK #c bob :a reason far too long');
    const kick = await bob.expectCommand('KICK', '#c', 'bob');
    assert.equal(kick.params[2], 'a reason');
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

test('channel names past CHANNELLEN are refused with 403 and never made', async () => {
  const srv = await startServer({ defaultChannel: '', channelLen: 10 });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    assert.ok(alice.all('005').some((m) => m.params.includes('CHANNELLEN=10')));
    const long = await alice.replies('JOIN #123456789a');
    assert.deepEqual(shapes(long), [['403', 'alice', '#123456789a', 'No such channel']]);
    const fits = await alice.replies('JOIN #123456789');
    assert.equal(fits[0]?.command, 'JOIN');
    const listed = await alice.replies('LIST');
    assert.deepEqual(
      listed.filter((m) => m.command === '322').map((m) => m.params[1]),
      ['#123456789'],
    );
    alice.destroy();
  } finally {
    await srv.stop();
  }
});

test('tag data past 4094 bytes gets 417 and nothing is sent; within it client tags are relayed', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice', ['message-tags']);
    const bob = await TestClient.register(srv.port, 'bob', ['message-tags']);
    await bob.sync();
    const mark = bob.received.length;
    // The tag data is everything between '@' and the space: 3 + 4092 bytes here.
    const over = await alice.replies(`@+a=${'x'.repeat(4092)} PRIVMSG bob :big`);
    assert.deepEqual(shapes(over), [['417', 'alice', 'Input line was too long']]);
    // Tags that are not client tags count too (irctest's message_tags testLengthLimits).
    const mixed = await alice.replies(`@foo=bar;+a=${'x'.repeat(4084)} PRIVMSG bob :big`);
    assert.deepEqual(shapes(mixed), [['417', 'alice', 'Input line was too long']]);
    const tagmsg = await alice.replies(`@+a=${'x'.repeat(2000)};+b=${'y'.repeat(2100)} TAGMSG bob`);
    assert.deepEqual(shapes(tagmsg), [['417', 'alice', 'Input line was too long']]);
    alice.send(`@+a=${'x'.repeat(4091)} PRIVMSG bob :fits`);
    const fits = await bob.expectCommand('PRIVMSG', 'bob', 'fits');
    assert.equal(fits.tags!.get('+a'), 'x'.repeat(4091));
    assert.deepEqual(
      bob.all('PRIVMSG', mark).map((m) => m.params[1]),
      ['fits'],
    );
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});
