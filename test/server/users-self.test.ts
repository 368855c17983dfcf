// What users say of themselves, over real TCP: AWAY and away-notify, bot mode (+B), SETNAME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';
import { join, registerAll, userOf } from './users-kit.js';

test('AWAY: 306/305, away-notify to neighbours that asked only, 301 to a PRIVMSG sender', async () => {
  const srv = await startServer({ defaultChannel: '', awayLen: 10 });
  try {
    const [alice, bob, carol, dave] = await registerAll(
      srv,
      ['alice', ['away-notify']],
      ['bob', ['away-notify']],
      ['carol'],
      ['dave', ['away-notify']], // shares no channel with alice
    );
    for (const c of [alice, bob, carol]) await join(c, '#room');

    const set = await alice.replies('AWAY :gone for a long while');
    assert.deepEqual(
      set.map((m) => [m.command, m.params]),
      [['306', ['alice', 'You have been marked as being away']]],
    );
    const note = await bob.expectCommand('AWAY');
    assert.equal(note.source, userOf(srv, 'alice').prefix);
    assert.deepEqual(note.params, ['gone for a'], 'text cut to AWAYLEN');
    assert.equal(userOf(srv, 'alice').away, 'gone for a');

    const told = await bob.replies('PRIVMSG alice :are you there?');
    assert.deepEqual(
      told.map((m) => [m.command, m.params]),
      [['301', ['bob', 'alice', 'gone for a']]],
    );
    const who = await bob.replies('WHO alice');
    assert.equal(who[0].params[6], 'G');

    const back = await alice.replies('AWAY');
    assert.deepEqual(
      back.map((m) => [m.command, m.params]),
      [['305', ['alice', 'You are no longer marked as being away']]],
    );
    const returned = await bob.expectCommand('AWAY');
    assert.deepEqual(returned.params, [], 'coming back is AWAY without text');

    // Already back: 305 again, but nothing new to tell anyone.
    const again = await alice.replies('AWAY :');
    assert.deepEqual(
      again.map((m) => m.command),
      ['305'],
    );
    const quiet = await bob.replies('PRIVMSG alice :back?');
    assert.deepEqual(quiet, [], 'no 301 once back');

    for (const c of [bob, carol, dave, alice]) await c.sync();
    assert.equal(bob.all('AWAY').length, 2, 'bob saw away and back, once each');
    assert.equal(carol.all('AWAY').length, 0, 'carol did not ask for away-notify');
    assert.equal(dave.all('AWAY').length, 0, 'dave shares no channel');
    assert.equal(alice.all('AWAY').length, 0, 'not echoed to the user who went away');
  } finally {
    await srv.stop();
  }
});

test('away-notify: members learn that a user who joins is already away', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const watcher = await TestClient.register(srv.port, 'watcher', ['away-notify'], false);
    const plain = await TestClient.register(srv.port, 'plain', [], false);
    const away = await TestClient.register(srv.port, 'sleeper', [], false);
    for (const c of [watcher, plain]) {
      c.send('JOIN #room');
      await c.expectCommand('366', c.nick, '#room');
    }
    away.send('AWAY :out for lunch');
    await away.expectCommand('306');
    const mark = plain.received.length;
    away.send('JOIN #room');
    await watcher.expectCommand('JOIN', '#room');
    const a = await watcher.expectCommand('AWAY', 'out for lunch');
    assert.match(a.source!, /^sleeper!/);
    await plain.expectCommand('JOIN', '#room');
    await plain.sync();
    assert.equal(plain.all('AWAY', mark).length, 0);
    for (const c of [watcher, plain, away]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('bot mode: +B shows in WHO and WHOIS, and a bot tag rides on its messages', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const [bot, user] = await registerAll(
      srv,
      ['bot', ['message-tags', 'echo-message', 'batch', 'draft/multiline']],
      ['user', ['message-tags', 'batch', 'draft/multiline']],
    );
    assert.deepEqual(
      (await bot.replies('MODE bot +B')).map((m) => [m.command, ...m.params]),
      [['MODE', 'bot', '+B']],
    );
    const whois = await user.replies('WHOIS bot');
    assert.deepEqual(whois.find((m) => m.command === '335')?.params, [
      'user',
      'bot',
      'is a Bot on parley',
    ]);
    const who = await user.replies('WHO bot');
    assert.equal(who.find((m) => m.command === '352')?.params[6], 'HB');
    // Private (never the fast path, which carries no tag), echoed, and to a channel.
    bot.send('PRIVMSG user :beep');
    const got = await user.expectCommand('PRIVMSG', 'user', 'beep');
    assert.equal(got.tags?.get('bot'), '');
    const echo = await bot.expectCommand('PRIVMSG', 'user', 'beep');
    assert.equal(echo.tags?.get('bot'), '');
    await join(bot, '#c');
    await join(user, '#c');
    bot.send('PRIVMSG #c :boop');
    assert.equal((await user.expectCommand('PRIVMSG', '#c', 'boop')).tags?.get('bot'), '');
    // A multiline batch: the tag on the batch (its lines carry only theirs), beside its + tags.
    bot.send('@+x=1 BATCH +ml draft/multiline user');
    bot.send('@batch=ml PRIVMSG user :line one');
    bot.send('@batch=ml PRIVMSG user :line two');
    bot.send('BATCH -ml');
    const open = await user.expect((m) => m.command === 'BATCH' && m.params[0].startsWith('+'));
    assert.equal(open.tags?.get('bot'), '');
    assert.equal(open.tags?.get('+x'), '1');
    await user.expectCommand('PRIVMSG', 'user', 'line one');
    await bot.replies('MODE bot -B');
    bot.send('PRIVMSG user :human now');
    assert.equal(
      (await user.expectCommand('PRIVMSG', 'user', 'human now')).tags?.has('bot'),
      false,
    );
    bot.destroy();
    user.destroy();
  } finally {
    await srv.stop();
  }
});

test('SETNAME changes the real name; empty or too long gets FAIL INVALID_REALNAME', async () => {
  const srv = await startServer({ defaultChannel: '', realnameLen: 10 });
  try {
    const [alice, bob] = await registerAll(srv, ['alice', ['setname']], ['bob', ['setname']]);
    await join(alice, '#c');
    await join(bob, '#c');
    assert.deepEqual(
      (await alice.replies('SETNAME :Alice L.')).map((m) => [m.command, ...m.params]),
      [['SETNAME', 'Alice L.']],
    );
    await bob.expectCommand('SETNAME', 'Alice L.');
    assert.deepEqual(
      (await alice.replies('SETNAME :Alice Liddell')).map((m) => [m.command, ...m.params]),
      [['FAIL', 'SETNAME', 'INVALID_REALNAME', 'Real name is longer than 10 bytes']],
    );
    assert.deepEqual(
      (await alice.replies('SETNAME :')).map((m) => [m.command, ...m.params]),
      [['FAIL', 'SETNAME', 'INVALID_REALNAME', 'Real name may not be empty']],
    );
    const whois = await bob.replies('WHOIS alice');
    assert.equal(whois.find((m) => m.command === '311')?.params.at(-1), 'Alice L.');
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});
