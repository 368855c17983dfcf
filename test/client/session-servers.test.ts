// The client session against scripted servers: RFC 1459 without CAP, multi-line CAP LS, a silent link, TLS, odd input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../helpers/irc.js';
import { newSession, stopServer } from './session-kit.js';
import {
  fakeServer,
  registerOnly,
  rfc1459,
  unansweredPort,
  type FakeServer,
} from './fake-servers.js';
import type { ClientSession } from '../../src/client/session.js';

/** Run `body`, then close the sessions and stop the servers it registered, whatever happened. */
async function cleanup(
  body: (track: (x: ClientSession | FakeServer) => void) => Promise<void>,
): Promise<void> {
  const sessions: ClientSession[] = [];
  const servers: FakeServer[] = [];
  try {
    await body((x) => ('start' in x ? sessions.push(x) : servers.push(x)));
  } finally {
    for (const s of sessions) s.close();
    for (const s of servers) await s.stop();
  }
}

test('an RFC 1459 server without CAP: registers, local echo, RFC 1459 case mapping and NAMES', async () => {
  await cleanup(async (track) => {
    const srv = await fakeServer((peer) => rfc1459(peer));
    track(srv);
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    session.start();
    const reg = await rec.next('registered');
    assert.deepEqual(reg, {
      type: 'registered',
      nick: 'alice',
      server: 'old.server',
      network: null,
    });
    const peer = srv.peers[0];
    assert.deepEqual(peer.lines.slice(0, 3), [
      'CAP LS 302',
      'NICK alice',
      'USER alice 0 * :Test alice',
    ]);
    assert.ok(!peer.lines.includes('CAP END'), 'no CAP END to a server that never answered CAP');
    assert.equal(session.capabilities.size, 0);
    assert.equal(rec.all('error').length, 0, 'the 421 for CAP is not shown');

    // RFC 1459 NAMES (no channel-type symbol) and RFC 1459 case mapping ([]\ fold to {}|).
    session.join('#Chan');
    await peer.expect(/^JOIN #Chan$/);
    peer.send(
      ':alice!~alice@h JOIN #Chan',
      ':old.server 353 alice #Chan :@Bo[b] +carol alice',
      ':old.server 366 alice #Chan :End of /NAMES list.',
    );
    const names = await rec.next('names');
    assert.deepEqual(names.nicks, ['Bo[b]', 'carol', 'alice']);
    assert.deepEqual(names.prefixes, ['@', '+', '']);
    peer.send(':bo{b}!b@h PRIVMSG #chan :hi Alice');
    const m = await rec.next('message');
    assert.deepEqual([m.conversation, m.highlight, m.self], ['#Chan', true, false]);
    peer.send(':BO{B}!b@h NICK bob');
    const nick = await rec.next('nick');
    assert.deepEqual(nick.channels, ['#Chan']);
    assert.deepEqual(
      session
        .members('#CHAN')
        .map((x) => x.nick)
        .sort(),
      ['alice', 'bob', 'carol'],
    );
    assert.equal(session.fold('[A]\\'), '{a}|');

    // No echo-message: our own message is shown once, locally.
    session.say('#chan', 'local echo');
    session.say('bob,carol', 'two people');
    await peer.expect(/^PRIVMSG bob,carol :two people$/);
    const mine = rec.all('message').filter((e) => e.self);
    assert.deepEqual(
      mine.map((e) => [e.text, e.conversation, e.private]),
      [
        ['local echo', '#Chan', false],
        ['two people', 'bob', true],
        ['two people', 'carol', true],
      ],
    );
    // A server PING is answered.
    peer.send('PING :token123');
    await peer.expect(/^PONG :?token123$/);
  });
});

test('multi-line CAP LS 302: one REQ for the wanted caps across lines, then CAP END', async () => {
  await cleanup(async (track) => {
    const srv = await fakeServer((peer) => {
      registerOnly(peer, {
        server: 'cap.server',
        caps: true,
        more: (line) => {
          if (line === 'CAP LS 302') {
            peer.send(
              ':cap.server CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL account-tag',
              ':cap.server CAP * LS :server-time echo-message draft/foo batch',
            );
          }
          if (line.startsWith('CAP REQ :')) peer.send(`:cap.server CAP * ACK :${line.slice(9)}`);
        },
      });
    });
    track(srv);
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    session.start();
    await rec.next('registered');
    const peer = srv.peers[0];
    const req = peer.lines.filter((l) => l.startsWith('CAP REQ'));
    assert.deepEqual(req, ['CAP REQ :server-time echo-message multi-prefix batch']);
    assert.ok(peer.lines.indexOf('CAP END') > peer.lines.indexOf(req[0]));
    assert.deepEqual([...session.capabilities].sort(), [
      'batch',
      'echo-message',
      'multi-prefix',
      'server-time',
    ]);
  });
});

test('a dead link (no answer to PING) is detected and reported as a ping timeout', async () => {
  await cleanup(async (track) => {
    // Registers, then never says another word.
    const srv = await fakeServer((peer) => registerOnly(peer));
    track(srv);
    const { session, rec } = newSession(srv.port, 'alice', {
      lag: { intervalMs: 80, timeoutMs: 150 },
      reconnect: { initialMs: 5000 },
    });
    track(session);
    session.start();
    await rec.next('registered');
    await srv.peers[0].expect(/^PING :parley-/);
    const down = await rec.state('disconnected');
    assert.match(down.reason ?? '', /ping timeout/);
    const again = await rec.state('reconnecting');
    assert.equal(again.attempt, 1);
    assert.equal(rec.all('lag').length, 0);
  });
});

test('connection refused: reason, then reconnect attempts with growing delays', async () => {
  await cleanup(async (track) => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const { session, rec } = newSession(port, 'alice', {
      reconnect: { initialMs: 20, maxMs: 1000, factor: 2, jitter: 0 },
    });
    track(session);
    session.start();
    const down = await rec.state('disconnected');
    assert.match(down.reason ?? '', /connection refused by 127\.0\.0\.1:\d+/);
    const delays: number[] = [];
    for (let k = 1; k <= 3; k++) {
      const r = await rec.state('reconnecting');
      assert.equal(r.attempt, k);
      delays.push(r.retryInMs ?? -1);
    }
    assert.deepEqual(delays, [20, 40, 80]);
  });
});

test('a UTF-8 character split between two reads arrives whole (the split verified, not hoped for)', async () => {
  await cleanup(async (track) => {
    const srv = await fakeServer((peer) => registerOnly(peer));
    track(srv);
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    session.start();
    await rec.next('registered');
    const peer = srv.peers[0];
    const line = Buffer.from(':bob!b@h PRIVMSG alice :price 5€ and 🎉\r\n');
    const cut = line.indexOf(Buffer.from('€')) + 1; // after the first of its three bytes
    // One write: a PING, then the first half. The PONG shows the client has read that write
    // (one segment on loopback, read at once), so the second half can only come in a later read.
    peer.socket.write(Buffer.concat([Buffer.from('PING :split1\r\n'), line.subarray(0, cut)]));
    await peer.expect(/^PONG :?split1$/);
    peer.socket.write(line.subarray(cut));
    const m = await rec.next('message');
    assert.equal(m.text, 'price 5€ and 🎉');
  });
});

test('connect timeout on plain TCP: a handshake that never completes ends with "timed out", then a retry or the end', async () => {
  const silent = await unansweredPort();
  try {
    await cleanup(async (track) => {
      // With reconnecting: the attempt is abandoned and retried.
      const a = newSession(silent.port, 'alice', {
        connectTimeoutMs: 300,
        reconnect: { initialMs: 60_000 },
      });
      track(a.session);
      a.session.start();
      const down = await a.rec.state('disconnected');
      const timedOut = `connection to 127.0.0.1:${silent.port} timed out`;
      assert.equal(down.reason, timedOut);
      assert.notEqual(down.final, true);
      assert.equal((await a.rec.state('reconnecting')).attempt, 1);
      // Without: the end, with the same reason (the CLI prints it and exits 1).
      const b = newSession(silent.port, 'bob', { connectTimeoutMs: 300, reconnect: false });
      track(b.session);
      b.session.start();
      const end = await b.rec.state('disconnected');
      assert.deepEqual([end.reason, end.final], [timedOut, true]);
      for (const rec of [a.rec, b.rec]) {
        const states = rec.all('state').map((e) => e.state);
        assert.ok(!states.includes('registering'), `never connected: ${states.join(', ')}`);
      }
    });
  } finally {
    silent.stop();
  }
});

test('odd lines from the server never throw or break the session', async () => {
  await cleanup(async (track) => {
    const srv = await fakeServer((peer) =>
      registerOnly(peer, { isupport: 'PREFIX=garbage CHANMODES= TARGMAX=PRIVMSG:,JOIN:x' }),
    );
    track(srv);
    const { session, rec } = newSession(srv.port, 'alice');
    track(session);
    session.start();
    await rec.next('registered');
    const peer = srv.peers[0];
    peer.send(
      '',
      ':',
      '@',
      '@a=b',
      ':only.source',
      'PRIVMSG',
      'PRIVMSG #x',
      ':x PRIVMSG',
      ':x!y@z PRIVMSG alice',
      ':x!y@z PRIVMSG alice :\x01',
      ':x!y@z PRIVMSG alice :\x01\x01',
      ':x!y@z PRIVMSG alice :\x01ACTION',
      ':x!y@z NOTICE alice :\x01PING',
      'JOIN',
      ':x!y@z JOIN',
      ':x!y@z PART',
      'KICK #x',
      ':x!y@z KICK #x',
      ':x!y@z MODE',
      ':x!y@z MODE #x +oooo',
      ':x!y@z MODE #x',
      'NICK',
      ':x!y@z NICK',
      'TOPIC',
      'QUIT',
      'INVITE',
      'AWAY',
      'CAP',
      'CAP * LS *',
      'CAP * ACK',
      '001',
      '005',
      '005 alice',
      '332',
      '353',
      '353 alice',
      '353 alice = #x',
      '366',
      '366 alice #nonesuch',
      '311',
      '317 alice bob notanumber',
      '352 alice',
      '433',
      'FAIL',
      'FAIL * X',
      'ERROR',
      '999 alice lots of params here',
      '@time=notatime :x!y@z PRIVMSG alice :bad time',
      '@time= :x!y@z PRIVMSG alice :empty time',
      ':x!y@z PRIVMSG alice :\x00nul',
      ':x!y@z PRIVMSG alice :\u202etext with bidi and \x1b[31m escape',
      ':x!y@z PRIVMSG alice :after the storm',
    );
    const last = await rec.next('message', (m) => m.text === 'after the storm');
    assert.equal(last.from, 'x');
    assert.equal(rec.all('error').filter((e) => e.code === 'CLIENT').length, 0);
    const bad = rec.all('message').find((m) => m.text === 'bad time');
    assert.ok(bad !== undefined && Number.isFinite(bad.time));
    assert.equal(session.nick, 'alice');
    assert.equal(session.state, 'connected');
  });
});

// A self-signed certificate for CN=localhost / 127.0.0.1, valid until 2126: a test fixture only.
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8d6mhIdEzofCjpNK
5VnRibT4N1NXqGLtq11PDz0LqUuhRANCAAQPz4+dqB5gOyOo89GdTj7tVEU1gVar
F9oCBGW5xBtjqidrk/QyiWD902H04tSaH+u5OUfY05Ot8rQOUCTqQRfh
-----END PRIVATE KEY-----`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUJ8XukEMOiG91S50Iysdcv0U3K38wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjEwMzg0NloYDzIxMjYxMTAy
MTAzODQ2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQPz4+dqB5gOyOo89GdTj7tVEU1gVarF9oCBGW5xBtjqidrk/QyiWD9
02H04tSaH+u5OUfY05Ot8rQOUCTqQRfho28wbTAdBgNVHQ4EFgQU6uwWhvILHB2o
4GAbM577sKwuir4wHwYDVR0jBBgwFoAU6uwWhvILHB2o4GAbM577sKwuir4wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgKuxlS9psIq3iSku7bxi/zX+r6+veoFb8ybOTq0NPO1kCIQCZ
zwX2mh7A4H/zrzbJYqlOQIogE5VEzmJ2t2ffApv8jw==
-----END CERTIFICATE-----`;

test('TLS with a self-signed certificate: fatal, names --tls-insecure; with tlsInsecure it connects', async () => {
  await cleanup(async (track) => {
    const srv = await fakeServer((peer) => rfc1459(peer, 'tls.server'), { key: KEY, cert: CERT });
    track(srv);
    const strict = newSession(srv.port, 'alice', { tls: true });
    track(strict.session);
    strict.session.start();
    const err = await strict.rec.next('error');
    assert.match(err.text, /certificate/i);
    assert.match(err.text, /--tls-insecure/);
    assert.ok(!err.text.includes('\n'));
    const down = await strict.rec.state('disconnected');
    assert.equal(down.final, true);
    assert.equal(strict.rec.all('state').filter((e) => e.state === 'reconnecting').length, 0);

    const lax = newSession(srv.port, 'bob', { tls: true, tlsInsecure: true });
    track(lax.session);
    lax.session.start();
    assert.equal((await lax.rec.next('registered')).server, 'tls.server');
  });
});

test('TLS to a plain-text port: fatal, asks whether the server speaks TLS there', async () => {
  await cleanup(async (track) => {
    // A plain server that greets first (as ngircd and InspIRCd do): the handshake fails at once.
    const greeter = await fakeServer((peer) =>
      peer.send(':plain.server NOTICE * :*** Looking up your hostname...'),
    );
    track(greeter);
    const a = newSession(greeter.port, 'alice', { tls: true });
    track(a.session);
    a.session.start();
    const err = await a.rec.next('error');
    assert.match(err.text, /is the server speaking TLS on this port\?/);
    assert.equal((await a.rec.state('disconnected')).final, true);

    // parley answers the ClientHello as a bad line: the handshake fails too.
    const srv = await startServer();
    try {
      const b = newSession(srv.port, 'bob', { tls: true });
      track(b.session);
      b.session.start();
      assert.match((await b.rec.next('error')).text, /is the server speaking TLS on this port\?/);
      assert.equal((await b.rec.state('disconnected')).final, true);
    } finally {
      await stopServer(srv);
    }

    // A server that says nothing at all: the handshake times out, with the same question.
    const mute = await fakeServer(() => {});
    track(mute);
    const c = newSession(mute.port, 'carol', { tls: true, connectTimeoutMs: 300 });
    track(c.session);
    c.session.start();
    const err3 = await c.rec.next('error');
    assert.match(
      err3.text,
      /TLS handshake .* timed out: is the server speaking TLS on this port\?/,
    );
    assert.equal((await c.rec.state('disconnected')).final, true);
  });
});
