// SASL login (SCRAM-SHA-256 against the RFC 7677 vector, PLAIN, failures) and /register, over real loopback sockets: scripted servers that record what the client sends, and a real parley server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScramClient, ScramError } from '../../src/client/scram.js';
import { authenticateLines, chooseMechanism } from '../../src/client/sasl.js';
import { ChatController, type View } from '../../src/client/app.js';
import type { ClientSession } from '../../src/client/session.js';
import { startServer } from '../helpers/irc.js';
import { connected, newSession, stopServer } from './session-kit.js';
import { fakeServer, recordingRelay, registerOnly, type FakePeer } from './fake-servers.js';

// RFC 7677 section 3.
const NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST =
  'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL =
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

test('SCRAM-SHA-256: the RFC 7677 test vector', () => {
  const c = new ScramClient('user', 'pencil', NONCE);
  assert.equal(c.first(), `n,,n=user,r=${NONCE}`);
  assert.equal(c.final(SERVER_FIRST), CLIENT_FINAL);
  assert.equal(c.verify(SERVER_FINAL), true);
  assert.equal(c.verify('v=' + b64('x'.repeat(32))), false);
  assert.equal(ScramClient.error('e=invalid-proof'), 'invalid-proof');
});

test('SCRAM-SHA-256 refuses a challenge that is not for us', () => {
  const c = () => new ScramClient('user', 'pencil', NONCE);
  assert.throws(() => c().final('r=someoneelse,s=W22Z,i=4096'), ScramError);
  assert.throws(() => c().final(`r=${NONCE}x,s=W22Z,i=999999999`), ScramError);
  assert.throws(() => c().final(`r=${NONCE}x,s=,i=4096`), ScramError);
  assert.equal(new ScramClient('a=b,c', 'p', 'n').first(), 'n,,n=a=3Db=2Cc,r=n');
});

test('mechanism choice and AUTHENTICATE pieces', () => {
  assert.equal(chooseMechanism('PLAIN,SCRAM-SHA-256'), 'SCRAM-SHA-256');
  assert.equal(chooseMechanism('PLAIN,EXTERNAL'), 'PLAIN');
  assert.equal(chooseMechanism(''), 'PLAIN');
  assert.equal(chooseMechanism('EXTERNAL'), null);
  assert.deepEqual(authenticateLines(''), ['AUTHENTICATE +']);
  const long = authenticateLines('x'.repeat(300)); // 400 base64 characters: a full piece, then +
  assert.deepEqual(long, [`AUTHENTICATE ${b64('x'.repeat(300))}`, 'AUTHENTICATE +']);
});

/** A server offering `sasl=<mechs>` that plays one SASL exchange with `script`; `answer` says 903 or 904. */
function saslServer(
  mechs: string,
  script: (peer: FakePeer, line: string) => void,
  extraCaps = '',
): Promise<Awaited<ReturnType<typeof fakeServer>>> {
  return fakeServer((peer) => {
    registerOnly(peer, {
      server: 'irc.test',
      caps: true,
      more: (line) => {
        if (line.startsWith('CAP LS')) {
          peer.send(`:irc.test CAP * LS :sasl=${mechs} server-time ${extraCaps}`.trimEnd());
        } else if (line.startsWith('CAP REQ')) {
          peer.send(`:irc.test CAP * ACK :${line.slice(line.indexOf(':') + 1)}`);
        } else if (line.startsWith('AUTHENTICATE')) script(peer, line);
        else if (line.startsWith('PING')) peer.send(`:irc.test PONG irc.test :${line.slice(6)}`);
      },
    });
  });
}

/** Every line a controller printed, as --plain would write them (and the controller). */
function printed(session: ClientSession): string[] & { controller: ChatController } {
  const lines: string[] = [];
  const view: View = { print: (l) => lines.push(l), bell: () => {}, statusChanged: () => {} };
  return Object.assign(lines, { controller: new ChatController(session, view, false) });
}

test('SASL SCRAM-SHA-256 end to end with a scripted server: CAP END after 903, password never sent', async () => {
  let step = 0;
  const srv = await saslServer('PLAIN,SCRAM-SHA-256', (peer, line) => {
    const arg = line.split(' ')[1];
    if (step === 0 && arg === 'SCRAM-SHA-256') peer.send('AUTHENTICATE +');
    else if (step === 1) peer.send(`AUTHENTICATE ${b64(SERVER_FIRST)}`);
    else if (step === 2) {
      assert.equal(unb64(arg), CLIENT_FINAL);
      peer.send(`AUTHENTICATE ${b64(SERVER_FINAL)}`);
    } else if (step === 3 && arg === '+') {
      peer.send(':irc.test 900 user user!u@h user :You are now logged in as user');
      peer.send(':irc.test 903 user :SASL authentication successful');
    }
    step++;
  });
  const { session, rec } = newSession(srv.port, 'user', {
    account: { name: 'user', password: 'pencil' },
    scramNonce: NONCE,
  });
  const shown = printed(session);
  try {
    await connected(session, rec);
    const peer = srv.peers[0];
    const sent = peer.lines;
    const auth = sent.indexOf('AUTHENTICATE SCRAM-SHA-256');
    assert.ok(auth > 0 && sent.indexOf('CAP END') > auth, sent.join('\n'));
    assert.equal(unb64(sent[auth + 1].split(' ')[1]), `n,,n=user,r=${NONCE}`);
    assert.ok(sent.some((l) => /^CAP REQ :.*\bsasl\b/.test(l)));
    for (const l of sent) assert.ok(!l.includes('pencil'), l);
    assert.ok(
      shown.some((l) => / -- logged in as user$/.test(l)),
      shown.join('\n'),
    );
    for (const l of shown) assert.ok(!l.includes('pencil'), l);
  } finally {
    session.close();
    await srv.stop();
  }
});

test('SASL PLAIN: the password only inside AUTHENTICATE; a wrong one is one line and chat goes on', async () => {
  const srv = await saslServer('PLAIN', (peer, line) => {
    if (line === 'AUTHENTICATE PLAIN') peer.send('AUTHENTICATE +');
    else peer.send(':irc.test 904 alice :SASL authentication failed');
  });
  const secret = 'hunter2-secret';
  const { session, rec } = newSession(srv.port, 'alice', {
    account: { name: 'alice', password: secret },
  });
  const shown = printed(session);
  try {
    await connected(session, rec);
    const sent = srv.peers[0].lines;
    const auth = sent.filter((l) => l.startsWith('AUTHENTICATE '));
    assert.deepEqual(auth, ['AUTHENTICATE PLAIN', `AUTHENTICATE ${b64(`\0alice\0${secret}`)}`]);
    for (const l of sent) assert.ok(!l.includes(secret), l);
    assert.ok(sent.includes('CAP END'));
    const failed = shown.filter((l) => l.includes('login failed'));
    assert.equal(failed.length, 1, shown.join('\n'));
    assert.match(failed[0], /login failed: wrong account name or password for alice \(904\)/);
    for (const l of shown) assert.ok(!l.includes(secret), l);
    assert.equal(session.state, 'connected');
  } finally {
    session.close();
    await srv.stop();
  }
});

test('--sasl-required: a failed login ends the session, no reconnect', async () => {
  const srv = await saslServer('PLAIN', (peer, line) => {
    if (line === 'AUTHENTICATE PLAIN') peer.send('AUTHENTICATE +');
    else peer.send(':irc.test 904 alice :SASL authentication failed');
  });
  const { session, rec } = newSession(srv.port, 'alice', {
    account: { name: 'alice', password: 'nope' },
    saslRequired: true,
  });
  try {
    session.start();
    const end = await rec.next('state', (e) => e.state === 'disconnected');
    assert.equal(end.final, true);
    assert.match(end.reason ?? '', /login failed.*--sasl-required/);
    assert.equal(srv.peers.length, 1);
  } finally {
    session.close();
    await srv.stop();
  }
});

test('/register sends REGISTER when the server offers draft/account-registration, and shows the answer', async () => {
  const srv = await saslServer('PLAIN', () => {}, 'draft/account-registration=before-connect');
  const { session, rec } = newSession(srv.port, 'alice');
  const shown = printed(session);
  try {
    await connected(session, rec);
    const peer = srv.peers[0];
    peer.handle((line) => {
      if (line === 'REGISTER * * :s3cret words') {
        peer.send(':irc.test REGISTER SUCCESS alice :Account created');
        peer.send(':irc.test 900 alice alice!~a@host alice :You are now logged in as alice');
      } else if (line.startsWith('REGISTER')) {
        peer.send(':irc.test FAIL REGISTER ACCOUNT_EXISTS alice :Account already exists');
      }
    });
    session.register('s3cret words');
    await rec.next('info', (e) => e.text.startsWith('registered account'));
    session.register('again');
    await rec.next('error', (e) => e.text.startsWith('registration failed'));
    assert.ok(peer.lines.includes('REGISTER * * :s3cret words'), peer.lines.join('\n'));
    assert.ok(!peer.lines.some((l) => l.includes('NickServ')));
    assert.ok(shown.some((l) => / -- registered account alice: Account created$/.test(l)));
    // 900 is a sentence, not its raw parameters (mask, account, text).
    assert.ok(
      shown.some((l) => / -- logged in as alice$/.test(l)),
      shown.join('\n'),
    );
    assert.ok(!shown.some((l) => l.includes('~a@host')), shown.join('\n'));
    assert.ok(
      shown.some((l) =>
        / !! registration failed: Account already exists \(ACCOUNT_EXISTS\)$/.test(l),
      ),
    );
    // Never requested: the cap is advertised, not asked for.
    assert.ok(!peer.lines.some((l) => /CAP REQ.*account-registration/.test(l)));
  } finally {
    session.close();
    await srv.stop();
  }
});

test('/register on a real parley server registers the account; the password is never shown', async () => {
  const srv = await startServer();
  const relay = await recordingRelay(srv.port);
  const { session, rec } = newSession(relay.port, 'erin');
  const shown = printed(session);
  try {
    await connected(session, rec);
    await shown.controller.submit('/register pw-for-erin');
    await rec.next('info', (e) => e.text.startsWith('registered account erin'));
    assert.ok(relay.sent.includes('REGISTER * * pw-for-erin'), relay.sent.join('\n'));
    for (const l of shown) assert.ok(!l.includes('pw-for-erin'), l);
  } finally {
    session.close();
    await relay.stop();
    await stopServer(srv);
  }
});

test('/register falls back to NickServ on a parley server without a store (no draft/account-registration)', async () => {
  const srv = await startServer({}, 'text', false, null);
  const relay = await recordingRelay(srv.port);
  const { session, rec } = newSession(relay.port, 'dave');
  const shown = printed(session);
  try {
    await connected(session, rec);
    assert.ok(!session.capabilities.has('draft/account-registration'));
    const controller = shown.controller;
    await controller.submit('/register pw-for-dave');
    await rec.next('error', (e) => /NickServ/i.test(e.text)); // 401 No such nick, shown as one line
    assert.ok(relay.sent.includes('PRIVMSG NickServ :REGISTER pw-for-dave'), relay.sent.join('\n'));
    for (const l of shown) assert.ok(!l.includes('pw-for-dave'), l);
    // In plain mode nothing can be asked: the password must be given.
    await controller.submit('/register');
    assert.ok(shown.some((l) => l.includes('No terminal to ask at')));
  } finally {
    session.close();
    await relay.stop();
    await stopServer(srv);
  }
});
