// The client session against a real parley server on a loopback port, with raw TestClient peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from '../helpers/irc.js';
import { ClientSession } from '../../src/client/session.js';
import {
  connected,
  newSession,
  Recorder,
  sessionOptions,
  TestTimers,
  withServer,
} from './session-kit.js';

test('registers with CAP: caps, ISUPPORT, nick, auto-joined channel and its members', async () => {
  await withServer(async (srv, track) => {
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    session.start();
    await rec.state('connecting');
    await rec.state('registering');
    await rec.state('connected');
    const reg = await rec.next('registered');
    assert.deepEqual(reg, {
      type: 'registered',
      nick: 'alice',
      server: 'parley.local',
      network: 'parley',
    });
    for (const cap of [
      'server-time',
      'echo-message',
      'message-tags',
      'multi-prefix',
      'away-notify',
      'batch',
    ]) {
      assert.ok(session.capabilities.has(cap), `${cap} acknowledged`);
    }
    assert.equal(session.isupport.get('NETWORK'), 'parley');
    assert.equal(session.isupport.get('CASEMAPPING'), 'ascii');
    const join = await rec.next('join');
    assert.deepEqual([join.channel, join.nick, join.self], ['#lobby', 'alice', true]);
    const names = await rec.next('names');
    assert.deepEqual(names.nicks, ['alice']);
    assert.deepEqual(names.prefixes, ['@']);
    assert.deepEqual(session.channels, ['#lobby']);
    assert.deepEqual(session.members('#LOBBY'), [{ nick: 'alice', prefix: '@' }]);
    assert.ok(session.isChannel('#lobby') && !session.isChannel('alice'));
    // The MOTD and welcome lines are info lines for the status window.
    assert.ok(rec.all('info').some((e) => e.text.includes('Welcome to parley')));
    await session.quit('bye');
    const last = rec.events.at(-1);
    assert.deepEqual(last, { type: 'state', state: 'disconnected', reason: 'quit', final: true });
  });
});

test('sends to a channel, a nick, several nicks, as action and notice; echo-message gives one copy each', async () => {
  await withServer(async (srv, track) => {
    const bob = await TestClient.register(srv.port, 'bob');
    const carol = await TestClient.register(srv.port, 'carol');
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    await connected(session, rec);
    await rec.next('names');

    session.say('#lobby', 'hello all');
    await bob.expectCommand('PRIVMSG', '#lobby', 'hello all');
    session.say('bob', 'just you');
    await bob.expectCommand('PRIVMSG', 'bob', 'just you');
    session.say('bob,carol', 'you two');
    await bob.expectCommand('PRIVMSG', 'bob', 'you two');
    await carol.expectCommand('PRIVMSG', 'carol', 'you two');
    session.say(['carol', 'bob'], 'array form');
    await carol.expectCommand('PRIVMSG', 'carol', 'array form');
    session.action('#lobby', 'waves');
    await bob.expectCommand('PRIVMSG', '#lobby', '\x01ACTION waves\x01');
    session.notice('bob', 'a notice');
    await bob.expectCommand('NOTICE', 'bob', 'a notice');

    const mine = async (text: string) => rec.next('message', (m) => m.self && m.text === text);
    const m1 = await mine('hello all');
    assert.deepEqual(
      [m1.kind, m1.conversation, m1.private, m1.highlight],
      ['privmsg', '#lobby', false, false],
    );
    assert.ok(m1.msgid !== undefined, 'echo carries the msgid');
    const m2 = await mine('just you');
    assert.deepEqual([m2.conversation, m2.target, m2.private], ['bob', 'bob', true]);
    await rec.next('message', (m) => m.text === 'you two' && m.target === 'carol');
    const both = rec.all('message').filter((m) => m.text === 'you two');
    assert.deepEqual(
      both.map((m) => m.conversation).sort(),
      ['bob', 'carol'],
      'one echo per target',
    );
    const act = await mine('waves');
    assert.equal(act.kind, 'action');
    const note = await mine('a notice');
    assert.equal(note.kind, 'notice');
    await bob.sync();
    // Exactly one copy of each of our messages: the server's echo, no local one.
    for (const text of ['hello all', 'just you', 'waves', 'a notice']) {
      assert.equal(rec.all('message').filter((m) => m.text === text).length, 1, text);
    }
    bob.destroy();
    carol.destroy();
  });
});

test('receives messages, actions, notices, highlights, with server time and CTCP VERSION answered', async () => {
  await withServer(async (srv, track) => {
    const bob = await TestClient.register(srv.port, 'bob');
    const { session, rec } = newSession(srv.port, 'Alice', { version: '0.1' });
    track(session);
    await connected(session, rec);
    await rec.next('names');
    const before = Date.now();
    bob.send('PRIVMSG #lobby :just chatting');
    bob.send('PRIVMSG #lobby :hey ALICE: look');
    bob.send('PRIVMSG #lobby :malice is not a mention');
    bob.send('PRIVMSG Alice :psst');
    bob.send('PRIVMSG #lobby :\x01ACTION dances\x01');
    bob.send('NOTICE #lobby :channel notice');
    bob.send('PRIVMSG alice :\x01VERSION\x01');

    const plain = await rec.next('message', (m) => m.text === 'just chatting');
    assert.deepEqual(
      [plain.from, plain.conversation, plain.self, plain.private, plain.highlight],
      ['bob', '#lobby', false, false, false],
    );
    assert.ok(plain.time >= before - 1000 && plain.time <= Date.now() + 1000, 'server time');
    assert.equal((await rec.next('message', (m) => m.text === 'hey ALICE: look')).highlight, true);
    assert.equal((await rec.next('message', (m) => m.text.startsWith('malice'))).highlight, false);
    const priv = await rec.next('message', (m) => m.text === 'psst');
    assert.deepEqual(
      [priv.conversation, priv.target, priv.private, priv.highlight],
      ['bob', 'Alice', true, true],
    );
    const act = await rec.next('message', (m) => m.text === 'dances');
    assert.deepEqual([act.kind, act.conversation], ['action', '#lobby']);
    assert.equal((await rec.next('message', (m) => m.text === 'channel notice')).kind, 'notice');
    const reply = await bob.expectCommand('NOTICE', 'bob');
    assert.equal(reply.params[1], '\x01VERSION parley 0.1\x01');
    // The CTCP request itself is not a chat message.
    assert.ok(!rec.all('message').some((m) => m.text.includes('VERSION')));
    bob.destroy();
  });
});

test('CTCP requests are answered at most once a second: a burst gets one reply', async () => {
  await withServer(async (srv, track) => {
    const bob = await TestClient.register(srv.port, 'bob');
    // The session's clock stands still unless moved: the whole burst is "at once".
    let now = Date.UTC(2030, 0, 1);
    const { session, rec } = newSession(srv.port, 'alice', { clock: () => now, version: '0.1' });
    track(session);
    await connected(session, rec);
    await rec.next('names');
    /** Every CTCP reply bob has, once alice's `marker` (sent after them) has reached him. */
    const replies = async (marker: string): Promise<string[]> => {
      bob.send(`PRIVMSG alice :${marker}`);
      await rec.next('message', (m) => m.text === marker);
      session.say('bob', marker); // alice's replies went out before this
      await bob.expectCommand('PRIVMSG', 'bob', marker);
      return bob
        .all('NOTICE')
        .filter((m) => m.params[1]?.startsWith('\x01'))
        .map((m) => m.params[1]);
    };
    for (const request of ['VERSION', 'PING 1', 'TIME', 'CLIENTINFO', 'PING 2', 'VERSION']) {
      bob.send(`PRIVMSG alice :\x01${request}\x01`);
    }
    assert.deepEqual(await replies('one'), ['\x01VERSION parley 0.1\x01']);
    now += 999;
    bob.send('PRIVMSG alice :\x01PING 3\x01');
    assert.equal((await replies('two')).length, 1, 'still within the second: no reply');
    now += 1;
    bob.send('PRIVMSG alice :\x01PING 4\x01');
    assert.deepEqual((await replies('three')).slice(1), ['\x01PING 4\x01']);
    bob.destroy();
  });
});

test('/quote QUIT goes through quit(): QUIT with the reason, the end, no reconnect', async () => {
  await withServer(async (srv, track) => {
    const bob = await TestClient.register(srv.port, 'bob');
    const timers = new TestTimers();
    const { session, rec } = newSession(srv.port, 'alice', { timers });
    track(session);
    await connected(session, rec);
    await rec.next('names');
    session.raw('quit :gone fishing');
    assert.equal(session.leaving, true, 'the UI can tell the end was asked for');
    const q = await bob.expect(
      (m) => m.command === 'QUIT' && m.source?.startsWith('alice!') === true,
    );
    assert.equal(q.params[0], 'Quit: gone fishing');
    const down = await rec.state('disconnected');
    assert.deepEqual([down.reason, down.final], ['quit', true]);
    assert.equal(timers.live.size, 0, 'no timer left to reconnect with');
    assert.equal(rec.all('state').filter((e) => e.state === 'reconnecting').length, 0);
    // Lines typed after it go nowhere.
    session.raw('PRIVMSG bob :too late');
    session.say('bob', 'too late');
    assert.equal(session.state, 'disconnected');
    bob.destroy();
  });
});

test('a listener that throws breaks nothing: later listeners, receiving and sending go on; the error is re-raised', async () => {
  await withServer(async (srv, track) => {
    const bob = await TestClient.register(srv.port, 'bob');
    const raised: unknown[] = [];
    process.setUncaughtExceptionCaptureCallback((err) => raised.push(err));
    const session = new ClientSession(sessionOptions(srv.port, 'alice'));
    track(session);
    const bug = new Error('a bug in the UI');
    const unsubscribe = session.onEvent(() => {
      throw bug;
    });
    try {
      const rec = new Recorder(session); // subscribed after the one that throws
      await connected(session, rec);
      await rec.next('names');
      bob.send('PRIVMSG #lobby :still there?');
      await rec.next('message', (m) => m.text === 'still there?');
      bob.send('JOIN #side');
      bob.send('INVITE alice #side');
      await rec.next('invite');
      session.join('#side');
      await rec.next('names', (e) => e.channel === '#side');
      assert.deepEqual(
        session
          .members('#side')
          .map((m) => m.nick)
          .sort(),
        ['alice', 'bob'],
      );
      session.say('#side', 'yes');
      await bob.expectCommand('PRIVMSG', '#side', 'yes');
      assert.equal(session.state, 'connected');
      assert.deepEqual(
        rec.all('error').map((e) => e.code),
        [],
        'no "could not handle" errors',
      );
      // Not hidden: each throw reaches the process (the CLI reports it as an internal error).
      assert.equal(raised.length, rec.events.length, 'one re-raised error per event');
      assert.ok(raised.every((e) => e === bug));
    } finally {
      unsubscribe();
      process.setUncaughtExceptionCaptureCallback(null);
      bob.destroy();
    }
  });
});

test('tracks join, part, kick, quit, nick, topic, mode, away, invite; info and error lines', async () => {
  await withServer(async (srv, track) => {
    const bob = await TestClient.register(srv.port, 'bob', ['away-notify']);
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    await connected(session, rec);

    session.join('#room');
    const j = await rec.next('join', (e) => e.channel === '#room');
    assert.ok(j.self);
    await rec.next('names', (e) => e.channel === '#room');
    bob.send('JOIN #room');
    assert.equal((await rec.next('join', (e) => e.channel === '#room')).nick, 'bob');
    assert.deepEqual(
      session
        .members('#room')
        .map((m) => m.nick)
        .sort(),
      ['alice', 'bob'],
    );

    session.raw('TOPIC #room :the topic');
    const topic = await rec.next('topic');
    assert.deepEqual([topic.channel, topic.topic, topic.by], ['#room', 'the topic', 'alice']);
    assert.equal(session.topic('#room'), 'the topic');

    session.raw('MODE #room +o bob');
    const mode = await rec.next('mode');
    assert.deepEqual([mode.target, mode.by, mode.modes], ['#room', 'alice', ['+o', 'bob']]);
    assert.equal(session.members('#room').find((m) => m.nick === 'bob')?.prefix, '@');

    bob.send('NICK bobby');
    const nick = await rec.next('nick');
    assert.deepEqual([nick.from, nick.to, nick.self], ['bob', 'bobby', false]);
    assert.deepEqual([...nick.channels].sort(), ['#lobby', '#room']);
    assert.ok(session.members('#room').some((m) => m.nick === 'bobby'));

    bob.send('AWAY :lunch');
    const away = await rec.next('away');
    assert.deepEqual([away.nick, away.message], ['bobby', 'lunch']);
    bob.send('AWAY');
    assert.equal((await rec.next('away')).message, null);

    bob.send('JOIN #side');
    bob.send('INVITE alice #side');
    const inv = await rec.next('invite');
    assert.deepEqual([inv.from, inv.channel], ['bobby', '#side']);

    bob.send('KICK #room alice :out');
    const kick = await rec.next('kick');
    assert.deepEqual(
      [kick.by, kick.nick, kick.channel, kick.reason, kick.self],
      ['bobby', 'alice', '#room', 'out', true],
    );
    assert.deepEqual(session.channels, ['#lobby']);

    bob.send('PART #lobby :brb');
    const part = await rec.next('part');
    assert.deepEqual(
      [part.nick, part.channel, part.reason, part.self],
      ['bobby', '#lobby', 'brb', false],
    );
    bob.send('JOIN #lobby');
    await rec.next('join', (e) => e.nick === 'bobby');

    session.raw('WHOIS bobby');
    const whois = await rec.next('info', (e) => e.text.startsWith('bobby is ~bob@'));
    assert.match(whois.text, /^bobby is ~bob@\S+ \(Test bob\)$/);
    session.say('nobody', 'hello?');
    const err = await rec.next('error');
    assert.deepEqual([err.code, err.text], ['401', 'No such nick: nobody']);
    session.part('#side');
    const notOn = await rec.next('error');
    assert.equal(notOn.code, '442');

    session.setNick('alicia');
    const mine = await rec.next('nick');
    assert.deepEqual([mine.from, mine.to, mine.self], ['alice', 'alicia', true]);
    assert.equal(session.nick, 'alicia');

    bob.send('QUIT :gone home');
    const quit = await rec.next('quit');
    assert.deepEqual(
      [quit.nick, quit.reason, quit.channels],
      ['bobby', 'Quit: gone home', ['#lobby']],
    );
    assert.deepEqual(
      session.members('#lobby').map((m) => m.nick),
      ['alicia'],
    );
  });
});
