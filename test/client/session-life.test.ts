// The client session's life against a real parley server: a refused nick or password, a full server, long lines, lines typed before registration, reconnecting, the lag check and a clean end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';
import { connected, newSession, stopServer, TestTimers, withServer } from './session-kit.js';

test('a taken nick: error event naming it and the alternative, then registration as nick_', async () => {
  await withServer(async (srv, track) => {
    const holder = await TestClient.register(srv.port, 'alice');
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    session.start();
    const err = await rec.next('error');
    assert.equal(err.code, '433');
    assert.match(err.text, /alice\b.*already in use.*alice_/);
    const reg = await rec.next('registered');
    assert.equal(reg.nick, 'alice_');
    assert.equal(session.nick, 'alice_');
    holder.destroy();
  });
});

test('an erroneous nick: error event and a valid alternative', async () => {
  await withServer(async (srv, track) => {
    const { session, rec } = newSession(srv.port, '1up');
    track(session);
    session.start();
    const err = await rec.next('error');
    assert.equal(err.code, '432');
    assert.match(err.text, /1up.*not allowed.*_1up_/);
    assert.equal((await rec.next('registered')).nick, '_1up_');
  });
});

test('a bad password is fatal: one clear error, final disconnect, no reconnect', async () => {
  await withServer(
    async (srv, track) => {
      const timers = new TestTimers();
      const { session, rec } = newSession(srv.port, 'alice', { password: 'wrong', timers });
      track(session);
      session.start();
      const err = await rec.next('error');
      assert.match(err.text, /password/i);
      assert.ok(!err.text.includes('\n'));
      const down = await rec.state('disconnected');
      assert.equal(down.final, true);
      assert.match(down.reason ?? '', /password/i);
      assert.equal(rec.all('error').length, 1, 'one error, not one per line');
      // Nothing is left that could reconnect: no timer pending, no link, no retry announced.
      assert.equal(timers.live.size, 0, 'no timer left to reconnect with');
      assert.equal(session.state, 'disconnected');
      assert.equal(rec.all('state').filter((e) => e.state === 'reconnecting').length, 0);

      const ok = newSession(srv.port, 'bob', { password: 'sesame' });
      track(ok.session);
      await connected(ok.session, ok.rec);
    },
    { password: 'sesame' },
  );
});

test('server full: clear reason, reconnect with backoff, in once a slot frees', async () => {
  await withServer(
    async (srv, track) => {
      const first = await TestClient.register(srv.port, 'first');
      const { session, rec } = newSession(srv.port, 'alice');
      track(session);
      session.start();
      const err = await rec.next('error');
      assert.equal(err.code, 'ERROR');
      assert.match(err.text, /server full/);
      const down = await rec.state('disconnected');
      assert.equal(down.reason, 'server full');
      assert.notEqual(down.final, true);
      const again = await rec.state('reconnecting');
      assert.equal(again.attempt, 1);
      assert.ok(again.retryInMs !== undefined && again.retryInMs >= 35 && again.retryInMs <= 65);
      await first.quit();
      const reg = await rec.next('registered', () => true, 10_000);
      assert.equal(reg.nick, 'alice');
    },
    { maxClients: 1 },
  );
});

test('long messages are split at character boundaries into lines within 512 bytes', async () => {
  await withServer(async (srv, track) => {
    const bob = await TestClient.register(srv.port, 'bob');
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    await connected(session, rec);
    await rec.next('names');
    const text = 'héllo wörld 日本語テキスト 🎉🎉 '.repeat(60).trim(); // 2.7 kB of 1- to 4-byte characters
    session.say('#lobby', text);
    session.action('bob', text);
    // Alice's lines reach bob in the order she sent them: the last ACTION piece comes last.
    await bob.expect((m) => m.params[0] === 'bob' && m.params[1]?.endsWith('🎉🎉\x01'));
    const got = (target: string, action: boolean) =>
      bob
        .all('PRIVMSG')
        .filter((m) => m.params[0] === target)
        .map((m) =>
          action ? m.params[1].replace(/^\x01ACTION /, '').replace(/\x01$/, '') : m.params[1],
        );
    const channelParts = got('#lobby', false);
    const actionParts = got('bob', true);
    for (const parts of [channelParts, actionParts]) {
      assert.ok(parts.length >= 6, `split into ${parts.length} lines`);
      assert.equal(parts.join(''), text);
      assert.ok(
        parts.every((p) => !p.includes('\ufffd')),
        'no broken characters',
      );
    }
    for (const r of bob.received.filter((r) => r.msg.command === 'PRIVMSG')) {
      const body = r.raw.replace(/^@\S+ /, ''); // tags have their own budget
      assert.ok(Buffer.byteLength(body) + 2 <= 512, `${Buffer.byteLength(body)} bytes`);
    }
    await rec.next('message', (m) => m.self && m.kind === 'action' && m.text.endsWith('🎉🎉'));
    const echoes = rec.all('message').filter((m) => m.self);
    assert.equal(echoes.map((m) => m.text).join('').length, text.length * 2);
    bob.destroy();
  });
});

test('what is sent before registration is queued and flushed in order, then QUIT (printf | connect)', async () => {
  await withServer(async (srv, track) => {
    const bob = await TestClient.register(srv.port, 'bob');
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    session.say('#lobby', 'first'); // before start()
    session.start();
    session.say('#lobby', 'second'); // while connecting
    session.join('#later');
    const quitting = session.quit('done');
    await quitting;
    await bob.expectCommand('PRIVMSG', '#lobby', 'first');
    await bob.expectCommand('PRIVMSG', '#lobby', 'second');
    const q = await bob.expectCommand('QUIT');
    assert.equal(q.params[0], 'Quit: done');
    assert.deepEqual(
      rec.all('message').map((m) => m.text),
      ['first', 'second'],
    );
    assert.ok(rec.all('join').some((j) => j.channel === '#later'));
    assert.equal(rec.events.at(-1)?.type, 'state');
    bob.destroy();
  });
});

test('reconnects when the server goes away and comes back on the same port; rejoins channels, with their keys', async () => {
  let srv = await startServer();
  const port = srv.port;
  const timers = new TestTimers();
  const { session, rec } = newSession(port, 'alice', { channels: ['#conf'], timers });
  const others: TestClient[] = [];
  try {
    await connected(session, rec);
    await rec.next('join', (e) => e.channel === '#conf');
    session.join('#room', 'k3y');
    await rec.next('join', (e) => e.channel === '#room');
    session.raw('MODE #room +k k3y');
    await rec.next('mode');
    session.part('#conf');
    await rec.next('part');
    session.setAway('at lunch');
    assert.equal(session.away, 'at lunch');

    // The retry waits (held timers) until the new server's #room has its key again.
    timers.hold();
    await stopServer(srv);
    const down = await rec.state('disconnected');
    assert.ok(down.reason !== undefined && down.reason.length > 0);
    assert.notEqual(down.final, true);
    await rec.state('reconnecting');
    srv = await startServer({ port });
    const bob = await TestClient.register(port, 'bob', [], false);
    others.push(bob);
    bob.send('JOIN #room');
    await bob.expectCommand('366');
    bob.send('MODE #room +k k3y');
    await bob.expectCommand('MODE', '#room', '+k');
    // The key is enforced: without it, no way in.
    const carol = await TestClient.register(port, 'carol', [], false);
    others.push(carol);
    carol.send('JOIN #room');
    await carol.expectCommand('475');
    timers.release();

    const reg = await rec.next('registered', () => true, 10_000);
    assert.equal(reg.nick, 'alice');
    const rejoined = new Set<string>();
    while (rejoined.size < 3) rejoined.add((await rec.next('join', (e) => e.self)).channel);
    assert.deepEqual([...rejoined].sort(), ['#conf', '#lobby', '#room']);
    assert.deepEqual(session.channels.sort(), ['#conf', '#lobby', '#room']);
    assert.ok(!rec.all('error').some((e) => e.code === '475'), 'no "wrong key" refusal');
    await bob.expect((m) => m.command === 'JOIN' && m.source?.startsWith('alice!') === true);
    // Still away: the new server was told again.
    bob.send('WHOIS alice');
    await bob.expectCommand('301', 'bob', 'alice', 'at lunch');
    session.setAway(null);
    assert.equal(session.away, null);
    await rec.next('info', (e) => /no longer marked as being away/.test(e.text));
    const whois = await bob.replies('WHOIS alice');
    assert.ok(whois.some((m) => m.command === '318'));
    assert.ok(!whois.some((m) => m.command === '301'), 'back: no away reply');
    // Saying something after the reconnect works as before.
    session.say('#room', 'back again');
    await bob.expectCommand('PRIVMSG', '#room', 'back again');
  } finally {
    for (const c of others) c.destroy();
    session.close();
    await stopServer(srv);
  }
});

test('lag check: PING after a quiet spell, lag event from the PONG', async () => {
  await withServer(async (srv, track) => {
    const { session, rec } = newSession(srv.port, 'alice', {
      lag: { intervalMs: 60, timeoutMs: 2000 },
    });
    track(session);
    await connected(session, rec);
    const lag = await rec.next('lag');
    assert.ok(lag.ms >= 0 && lag.ms < 2000);
    await rec.next('lag'); // and again after the next quiet spell
    assert.equal(session.state, 'connected');
  });
});

test('close() and quit() leave no timers behind', async () => {
  await withServer(async (srv, track) => {
    const timers = new TestTimers();
    const live = timers.live;
    const a = newSession(srv.port, 'alice', { timers, lag: { intervalMs: 50, timeoutMs: 1000 } });
    track(a.session);
    await connected(a.session, a.rec);
    await a.rec.next('lag');
    assert.ok(live.size > 0, 'the lag check has a timer');
    await a.session.quit();
    assert.equal(live.size, 0, 'no timer left after quit');

    const b = newSession(srv.port, 'bob', { timers });
    track(b.session);
    await connected(b.session, b.rec);
    b.session.close();
    assert.equal(live.size, 0, 'no timer left after close');
    const down = b.rec.all('state').at(-1);
    assert.deepEqual(down, { type: 'state', state: 'disconnected', reason: 'closed', final: true });
  });
});
