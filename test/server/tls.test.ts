// The TLS listener in process: chat across TLS and plaintext, STS values, WHOIS 671 and +Z, certificate reload, handshake failures, limits, and a pinned session meeting a changed certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { makeCertificate } from '../../src/cli/certgen.js';
import type { SessionEvent } from '../../src/client/events.js';
import { ClientSession } from '../../src/client/session.js';
import { freePort } from '../../src/cli/workers.js';
import { startServer, TestClient, type TestServer } from '../helpers/irc.js';

const first = makeCertificate(['localhost', '127.0.0.1'], 1);

async function startTls(overrides = {}): Promise<TestServer & { tlsPort: number }> {
  const srv = await startServer({
    tls: { port: 0, cert: first.cert, key: first.key },
    ...overrides,
  });
  return { ...srv, tlsPort: srv.server.tlsAddress!.port };
}

test('a client registered over TLS chats with a plaintext client, both ways', async () => {
  const srv = await startTls();
  try {
    const sec = await (await TestClient.connectTls(srv.tlsPort)).registerAs('secure');
    assert.equal(sec.fingerprint, first.fingerprint);
    const plain = await TestClient.register(srv.port, 'plain');
    sec.send('PRIVMSG #lobby :hello over TLS');
    await plain.expectCommand('PRIVMSG', '#lobby', 'hello over TLS');
    plain.send('PRIVMSG secure :hi back in clear');
    await sec.expectCommand('PRIVMSG', 'secure', 'hi back in clear');
    await sec.quit();
    await plain.expect((m) => m.command === 'QUIT' && m.params[0] === 'Quit: bye');
    plain.destroy();
  } finally {
    await srv.stop();
  }
});

test('STS: port and duration on plaintext, duration alone on TLS, none without TLS; it cannot be requested', async () => {
  const srv = await startTls({ stsDuration: 86400 });
  const bare = await startServer();
  try {
    const capLs = async (c: TestClient) => {
      c.send('CAP LS 302');
      const ls = await c.expectCommand('CAP', '*', 'LS');
      return ls.params[2].split(' ').filter((w) => w.startsWith('sts'));
    };
    const plain = await TestClient.connect(srv.port);
    assert.deepEqual(await capLs(plain), [`sts=port=${srv.tlsPort},duration=86400`]);
    plain.send('CAP REQ sts');
    await plain.expectCommand('CAP', '*', 'NAK', 'sts');
    const sec = await TestClient.connectTls(srv.tlsPort);
    assert.deepEqual(await capLs(sec), ['sts=duration=86400']);
    const none = await TestClient.connect(bare.port);
    assert.deepEqual(await capLs(none), []);
    for (const c of [plain, sec, none]) c.destroy();
  } finally {
    await Promise.all([srv.stop(), bare.stop()]);
  }
});

test('--sts-duration 0 tells clients to forget; off advertises nothing', async () => {
  for (const [duration, want] of [
    [0, ['sts=duration=0']],
    [null, []],
  ] as const) {
    const srv = await startTls({ stsDuration: duration });
    try {
      const c = await TestClient.connectTls(srv.tlsPort);
      c.send('CAP LS 302');
      const ls = await c.expectCommand('CAP', '*', 'LS');
      assert.deepEqual(
        ls.params[2].split(' ').filter((w) => w.startsWith('sts')),
        want,
      );
      c.destroy();
    } finally {
      await srv.stop();
    }
  }
});

test('WHOIS shows 671 and user mode +Z for a TLS user only; +Z cannot be changed by hand', async () => {
  const srv = await startTls();
  try {
    const sec = await (await TestClient.connectTls(srv.tlsPort)).registerAs('sec');
    const plain = await TestClient.register(srv.port, 'clear');
    const about = await plain.replies('WHOIS sec');
    const secure = about.find((m) => m.command === '671');
    assert.deepEqual(secure?.params, ['clear', 'sec', 'is using a secure connection']);
    assert.ok(!(await plain.replies('WHOIS clear')).some((m) => m.command === '671'));
    sec.send('MODE sec -Z');
    const modes = await sec.replies('MODE sec');
    assert.deepEqual(modes.find((m) => m.command === '221')?.params, ['sec', '+Z']);
    assert.ok(!modes.some((m) => m.command === '501'));
    const plainModes = await plain.replies('MODE clear +Z');
    assert.ok(!plainModes.some((m) => m.command === 'MODE'), 'a plaintext user cannot set +Z');
    sec.destroy();
    plain.destroy();
  } finally {
    await srv.stop();
  }
});

test('reload: new connections get the new certificate, a broken pair keeps the old one', async () => {
  // A port of its own (not 0): a reload that keeps it is told apart from one that moves it.
  const srv = await startTls({ tls: { port: await freePort(), cert: first.cert, key: first.key } });
  try {
    const before = await TestClient.connectTls(srv.tlsPort);
    const second = makeCertificate(['localhost'], 1);
    const tls = { port: 0, cert: second.cert, key: second.key };
    const port = srv.server.config.tls?.port;
    srv.server.reload({ ...srv.server.config, tls: { ...tls, port: port! } });
    const after = await TestClient.connectTls(srv.tlsPort);
    assert.equal(after.fingerprint, second.fingerprint);
    assert.ok(srv.logged().includes('TLS certificate reloaded'));
    assert.equal(srv.server.config.tls?.cert, second.cert, 'the configuration holds the new pair');
    assert.equal(srv.server.config.tls?.port, port);
    // A key that is not the certificate's: the listener refuses it and keeps serving `second`.
    srv.server.reload({ ...srv.server.config, tls: { ...tls, port: port!, key: first.key } });
    const still = await TestClient.connectTls(srv.tlsPort);
    assert.equal(still.fingerprint, second.fingerprint);
    assert.ok(srv.logged().some((l) => l.startsWith('TLS certificate not reloaded, keeping')));
    assert.equal(srv.server.config.tls?.key, second.key);
    // The same pair again: nothing to load.
    const loads = () => srv.logged().filter((l) => l === 'TLS certificate reloaded').length;
    srv.server.reload({ ...srv.server.config });
    assert.equal(loads(), 1, 'loaded once, for the new pair only');
    // A renewal that keeps its key (certbot --reuse-key) is a new certificate all the same.
    const renewed = makeCertificate(['localhost'], 2, new Date(), second.key);
    srv.server.reload({ ...srv.server.config, tls: { ...tls, port: port!, cert: renewed.cert } });
    assert.equal(loads(), 2, 'the renewed certificate loaded');
    assert.equal((await TestClient.connectTls(srv.tlsPort)).fingerprint, renewed.fingerprint);
    // Turning TLS off, or moving its port, waits for a restart: said, and the listener kept.
    const restart = 'turning TLS on or off, or moving its port, takes effect on restart';
    assert.ok(!srv.logged().includes(restart), 'not for a new certificate on the same port');
    srv.server.reload({ ...srv.server.config, tls: null });
    assert.ok(srv.logged().includes(restart));
    assert.equal(srv.server.config.tls?.cert, renewed.cert);
    assert.equal((await TestClient.connectTls(srv.tlsPort)).fingerprint, renewed.fingerprint);
    // The connection made before the reload lives on.
    await before.registerAs('early');
    for (const c of [before, after, still]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('a failed handshake is dropped quietly and costs no client slot', async () => {
  const srv = await startTls({ maxPerIp: 1 });
  try {
    // Plaintext IRC on the TLS port: the handshake fails and the socket is closed.
    const wrong = net.connect(srv.tlsPort, '127.0.0.1');
    wrong.on('error', () => {});
    wrong.write('NICK oops\r\nUSER oops 0 * :x\r\n');
    await new Promise((r) => wrong.once('close', r));
    assert.equal(srv.server.connectionCount, 0);
    // The one slot of this address is still free; a second TLS client is refused with ERROR.
    const ok = await (await TestClient.connectTls(srv.tlsPort)).registerAs('ok');
    const refused = await TestClient.connectTls(srv.tlsPort).catch(() => null);
    if (refused !== null) {
      await refused.closedPromise;
      assert.ok(!refused.received.some((r) => r.msg.command === '001'));
    }
    ok.destroy();
  } finally {
    await srv.stop();
  }
});

test('a session pinned to one certificate stops for good when the server presents another', async () => {
  const srv = await startTls();
  const pin = { fingerprint: first.fingerprint, file: '/tmp/known_hosts', line: 3 };
  const events: SessionEvent[] = [];
  const session = new ClientSession({
    host: '127.0.0.1',
    port: srv.tlsPort,
    tls: true,
    tlsPin: pin,
    nick: 'pinned',
    reconnect: { initialMs: 50, maxMs: 50 },
  });
  session.onEvent((e) => events.push(e));
  try {
    session.start();
    await waitFor(() => events.some((e) => e.type === 'registered'));
    // The certificate changes under the pin, and the link drops: the reconnect must not go through.
    const other = makeCertificate(['localhost'], 1);
    await srv.server.shutdown('restart');
    const again = await startServer({
      port: 0,
      tls: { port: srv.tlsPort, cert: other.cert, key: other.key },
    });
    try {
      const final = await waitFor(() =>
        events.find((e) => e.type === 'state' && e.state === 'disconnected' && e.final === true),
      );
      assert.ok(final);
      const error = events.find((e) => e.type === 'error' && /CHANGED/.test(e.text));
      assert.ok(error, 'the warning is shown');
      assert.match(error.type === 'error' ? error.text : '', /remove line 3 of \/tmp\/known_hosts/);
      const tries = events.filter((e) => e.type === 'state' && e.state === 'connecting').length;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(
        events.filter((e) => e.type === 'state' && e.state === 'connecting').length,
        tries,
        'no retry after the refusal',
      );
    } finally {
      await again.stop();
    }
  } finally {
    session.close();
    await srv.stop();
  }
});

async function waitFor<T>(get: () => T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the slot is checked again once the handshake is done: a client whose slot went meanwhile is told why over TLS; a later one is dropped before any handshake', async () => {
  const srv = await startTls({ maxPerIp: 1 });
  try {
    // Admitted at TCP accept (no client yet), its handshake not started.
    const early = net.connect(srv.tlsPort, '127.0.0.1');
    await new Promise((r) => early.once('connect', r));
    // Meanwhile another client of the same address takes the one slot.
    const ok = await (await TestClient.connectTls(srv.tlsPort)).registerAs('ok');
    const secure = tls.connect({ socket: early, rejectUnauthorized: false });
    let said = '';
    secure.setEncoding('utf8').on('data', (d: string) => (said += d));
    secure.on('error', () => {});
    await new Promise((r) => secure.once('close', r));
    assert.equal(said, 'ERROR :Closing link: too many connections from your address\r\n');
    assert.ok(srv.logged().includes('connection refused'));
    // A connection now is refused at TCP accept: closed before its handshake completes.
    const late = tls.connect({ port: srv.tlsPort, host: '127.0.0.1', rejectUnauthorized: false });
    let handshook = false;
    late.on('secureConnect', () => (handshook = true));
    late.on('error', () => {});
    await new Promise((r) => late.once('close', r));
    assert.equal(handshook, false, 'no handshake for a connection refused at accept');
    assert.equal(srv.server.connectionCount, 1);
    ok.destroy();
  } finally {
    await srv.stop();
  }
});
