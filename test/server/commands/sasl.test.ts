// SASL over real TCP against the in-memory store: PLAIN and SCRAM-SHA-256 (a real client computation), chunks, aborts, wrong passwords and the throttle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { makeAccount } from '../../helpers/accounts.js';
import { startServer, TestClient, type TestServer } from '../../helpers/irc.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/** A connection in CAP negotiation with `sasl` acknowledged, NICK/USER sent, not registered yet. */
async function saslClient(port: number, nick: string): Promise<TestClient> {
  const c = await TestClient.connect(port);
  c.nick = nick;
  c.send('CAP LS 302');
  c.send('CAP REQ :sasl');
  await c.expectCommand('CAP', '*', 'ACK');
  c.send(`NICK ${nick}`);
  c.send(`USER ${nick} 0 * :${nick}`);
  return c;
}

async function plain(c: TestClient, authcid: string, password: string, authzid = '') {
  c.send('AUTHENTICATE PLAIN');
  await c.expectCommand('AUTHENTICATE', '+');
  c.send('AUTHENTICATE ' + b64(`${authzid}\0${authcid}\0${password}`));
  return c.expect((m) => ['903', '904', '900'].includes(m.command) && m.command !== '900');
}

async function withServer(body: (srv: TestServer) => Promise<void>, clocked = false) {
  const srv = await startServer({ defaultChannel: '' }, 'text', clocked);
  try {
    await body(srv);
  } finally {
    await srv.stop();
  }
}

test('SASL PLAIN logs in before registration: 900 then 903, and the welcome follows CAP END', async () => {
  await withServer(async (srv) => {
    await makeAccount(srv.port, 'alice', 'correct horse');
    const c = await saslClient(srv.port, 'alice');
    c.send('AUTHENTICATE PLAIN');
    await c.expectCommand('AUTHENTICATE', '+');
    c.send('AUTHENTICATE ' + b64('\0alice\0correct horse'));
    const logged = await c.expectCommand('900');
    assert.equal(logged.params[2], 'alice');
    await c.expectCommand('903');
    c.send('CAP END');
    await c.expectCommand('001');
    const whois = await c.replies('WHOIS alice');
    assert.deepEqual(whois.find((m) => m.command === '330')?.params, [
      'alice',
      'alice',
      'alice',
      'is logged in as',
    ]);
    c.destroy();
  });
});

test('SASL SCRAM-SHA-256: server-first with the stored salt, the proof checked, v= verified by the client', async () => {
  await withServer(async (srv) => {
    await makeAccount(srv.port, 'Scrammer', 'sesame-sesame');
    const c = await saslClient(srv.port, 'scram1');
    c.send('AUTHENTICATE SCRAM-SHA-256');
    await c.expectCommand('AUTHENTICATE', '+');
    const cnonce = randomBytes(18).toString('base64');
    const bare = `n=Scrammer,r=${cnonce}`;
    c.send('AUTHENTICATE ' + b64('n,,' + bare));
    const first = await c.expectCommand('AUTHENTICATE');
    const serverFirst = Buffer.from(first.params[0], 'base64').toString();
    const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
    assert.ok(attrs.r.startsWith(cnonce) && attrs.r.length > cnonce.length, serverFirst);
    assert.ok(Number(attrs.i) >= 4096);
    // RFC 5802 §3, as a client computes it.
    const salted = pbkdf2Sync(
      'sesame-sesame',
      Buffer.from(attrs.s, 'base64'),
      Number(attrs.i),
      32,
      'sha256',
    );
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=${b64('n,,')},r=${attrs.r}`;
    const authMessage = `${bare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(clientKey.map((x, k) => x ^ signature[k]));
    c.send('AUTHENTICATE ' + b64(`${withoutProof},p=${proof.toString('base64')}`));
    const final = await c.expectCommand('AUTHENTICATE');
    const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
    assert.equal(Buffer.from(final.params[0], 'base64').toString(), 'v=' + serverSignature);
    c.send('AUTHENTICATE +');
    assert.equal((await c.expectCommand('900')).params[2], 'Scrammer');
    await c.expectCommand('903');

    // The same exchange with a wrong password fails at the proof.
    const d = await saslClient(srv.port, 'scram2');
    d.send('AUTHENTICATE SCRAM-SHA-256');
    await d.expectCommand('AUTHENTICATE', '+');
    d.send('AUTHENTICATE ' + b64(`n,,n=Scrammer,r=${cnonce}`));
    const f2 = Buffer.from((await d.expectCommand('AUTHENTICATE')).params[0], 'base64').toString();
    const a2 = Object.fromEntries(f2.split(',').map((p) => [p[0], p.slice(2)]));
    const bad = pbkdf2Sync('wrong', Buffer.from(a2.s, 'base64'), Number(a2.i), 32, 'sha256');
    const wp = `c=biws,r=${a2.r}`;
    const ck = hmac(bad, 'Client Key');
    const sig = hmac(
      createHash('sha256').update(ck).digest(),
      `n=Scrammer,r=${cnonce},${f2},${wp}`,
    );
    d.send(
      'AUTHENTICATE ' +
        b64(`${wp},p=${Buffer.from(ck.map((x, k) => x ^ sig[k])).toString('base64')}`),
    );
    await d.expectCommand('904');
    c.destroy();
    d.destroy();
  });
});

test('SASL edge cases: unknown mechanism 908+904, bad base64 904, abort 906, too long 905, 400-byte chunks, 907 once logged in', async () => {
  await withServer(async (srv) => {
    await makeAccount(srv.port, 'bob', 'bobspassword');
    const c = await saslClient(srv.port, 'bob');
    const mech = await c.replies('AUTHENTICATE EXTERNAL');
    assert.deepEqual(
      mech.map((m) => m.command),
      ['908', '904'],
    );
    assert.equal(mech[0].params[1], 'PLAIN,SCRAM-SHA-256');
    c.send('AUTHENTICATE PLAIN');
    await c.expectCommand('AUTHENTICATE', '+');
    assert.equal((await c.replies('AUTHENTICATE !!!'))[0].command, '904');
    c.send('AUTHENTICATE PLAIN');
    await c.expectCommand('AUTHENTICATE', '+');
    assert.equal((await c.replies('AUTHENTICATE *'))[0].command, '906');
    c.send('AUTHENTICATE PLAIN');
    await c.expectCommand('AUTHENTICATE', '+');
    assert.equal((await c.replies('AUTHENTICATE ' + 'A'.repeat(401)))[0].command, '905');
    // An authzid naming another account fails.
    assert.equal((await plain(c, 'bob', 'bobspassword', 'alice')).command, '904');
    // A long payload in 400-byte chunks, ending with `+` after an exact multiple of 400.
    c.send('AUTHENTICATE PLAIN');
    await c.expectCommand('AUTHENTICATE', '+');
    const long = b64('bob\0bob\0' + 'x'.repeat(600 - 8)); // a wrong password 800 bytes of base64
    assert.equal(long.length, 800);
    c.send('AUTHENTICATE ' + long.slice(0, 400));
    c.send('AUTHENTICATE ' + long.slice(400));
    const nothing = await c.replies('PING x');
    assert.ok(!nothing.some((m) => m.command === '904'), 'waits for the `+` after 800 bytes');
    assert.equal((await c.replies('AUTHENTICATE +'))[0].command, '904');
    assert.equal((await plain(c, 'bob', 'bobspassword')).command, '903');
    assert.equal((await c.replies('AUTHENTICATE PLAIN'))[0].command, '907');
    c.destroy();
  });
});

test('wrong passwords: 904 each time, then refused unchecked (even the right one) until the throttle refills', async () => {
  await withServer(async (srv) => {
    await makeAccount(srv.port, 'carol', 'carolspassword');
    const c = await saslClient(srv.port, 'carol');
    for (let k = 0; k < 5; k++) {
      const r = await plain(c, 'carol', 'guess' + k);
      assert.equal(r.command, '904');
      assert.equal(r.params[1], 'SASL authentication failed');
    }
    const refused = await plain(c, 'carol', 'carolspassword');
    assert.equal(refused.command, '904');
    assert.match(refused.params[1], /Too many failed logins; try again in \d+s/);
    srv.advance(61_000);
    assert.equal((await plain(c, 'carol', 'carolspassword')).command, '903');
    c.destroy();
  }, true);
});

test('SASL after registration logs in, tells neighbours with account-notify, and CAP END mid-exchange aborts with 906', async () => {
  await withServer(async (srv) => {
    await makeAccount(srv.port, 'dave', 'davespassword');
    const watcher = await TestClient.register(srv.port, 'watcher', ['account-notify'], false);
    const c = await TestClient.register(srv.port, 'dave', ['sasl'], false);
    watcher.send('JOIN #x');
    c.send('JOIN #x');
    await watcher.expect((m) => m.command === 'JOIN' && m.source?.startsWith('dave') === true);
    assert.equal((await plain(c, 'dave', 'davespassword')).command, '903');
    const acct = await watcher.expectCommand('ACCOUNT', 'dave');
    assert.ok(acct.source?.startsWith('dave!'));
    c.send('NS LOGOUT');
    await watcher.expectCommand('ACCOUNT', '*');

    const e = await saslClient(srv.port, 'erin');
    e.send('AUTHENTICATE PLAIN');
    await e.expectCommand('AUTHENTICATE', '+');
    e.send('CAP END');
    await e.expectCommand('906');
    await e.expectCommand('001');
    for (const x of [watcher, c, e]) x.destroy();
  });
});
