// Registration over real TCP: CAP negotiation, PASS, NICK and USER checks, PING and QUIT, word for word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerConfig } from '../../../src/server/config.js';
import { startServer, TestClient } from '../../helpers/irc.js';

/** The raw lines the server answers to `lines`, up to (not including) a sync's PONG. */
async function replies(c: TestClient, ...lines: string[]): Promise<string[]> {
  await c.sync();
  const from = c.received.length;
  for (const line of lines) c.send(line);
  await c.sync();
  return c.received
    .slice(from)
    .filter((r) => !(r.msg.command === 'PONG' && r.msg.params[1].startsWith('sync')))
    .map((r) => r.raw);
}

async function withServer(
  body: (port: number) => Promise<void>,
  config: Partial<ServerConfig> = {},
): Promise<void> {
  const srv = await startServer({ defaultChannel: '', ...config });
  try {
    await body(srv.port);
  } finally {
    await srv.stop();
  }
}

const S = ':parley.local';

test('CAP: LS 302 implies cap-notify, REQ adds and removes, a bad name NAKs the lot', async () => {
  await withServer(async (port) => {
    const c = await TestClient.connect(port);
    const [ls] = await replies(c, 'cap ls');
    assert.match(ls, /^:parley\.local CAP \* LS :\S+( \S+)+$/);
    assert.deepEqual(await replies(c, 'CAP LIST'), [`${S} CAP * LIST :`]);
    await replies(c, 'CAP LS 301');
    assert.deepEqual(await replies(c, 'CAP LIST'), [`${S} CAP * LIST :`]);
    await replies(c, 'CAP LS 302', 'CAP LS');
    assert.deepEqual(await replies(c, 'CAP LIST'), [`${S} CAP * LIST cap-notify`]);
    assert.deepEqual(await replies(c, 'CAP REQ :multi-prefix echo-message'), [
      `${S} CAP * ACK :multi-prefix echo-message`,
    ]);
    assert.deepEqual(await replies(c, 'CAP REQ :multi-prefix  batch'), [
      `${S} CAP * ACK :multi-prefix  batch`,
    ]);
    assert.deepEqual(await replies(c, 'CAP REQ :-batch'), [`${S} CAP * ACK -batch`]);
    // Left to right, as the client reads the ACK: the last word about a capability wins.
    await replies(c, 'CAP REQ :-batch batch', 'CAP REQ :setname -setname');
    assert.deepEqual(await replies(c, 'CAP LIST'), [
      `${S} CAP * LIST :batch cap-notify echo-message multi-prefix`,
    ]);
    await replies(c, 'CAP REQ :-batch');
    assert.deepEqual(await replies(c, 'CAP REQ :-multi-prefix nope'), [
      `${S} CAP * NAK :-multi-prefix nope`,
    ]);
    assert.deepEqual(await replies(c, 'CAP REQ -multi-prefix'), [`${S} CAP * ACK -multi-prefix`]);
    assert.deepEqual(await replies(c, 'CAP LIST'), [`${S} CAP * LIST :cap-notify echo-message`]);
    assert.deepEqual(await replies(c, 'CAP REQ'), [`${S} CAP * ACK :`]);
    assert.deepEqual(await replies(c, 'CAP FROB'), [`${S} 410 * FROB :Invalid CAP command`]);
    c.destroy();
  });
});

test('CAP LS or REQ holds registration until CAP END; END afterwards does nothing', async () => {
  await withServer(async (port) => {
    // A REQ answered NAK holds it too (IRCv3: "upon receiving either a CAP LS or CAP REQ").
    for (const opening of ['CAP LS 302', 'CAP REQ :batch', 'CAP REQ :bogus']) {
      const c = await TestClient.connect(port);
      const held = await replies(c, opening, 'NICK alice', 'USER alice 0 * :A');
      assert.ok(!held.some((l) => / 001 /.test(l)), held.join('\n'));
      c.send('CAP END');
      await c.expectCommand('376');
      assert.deepEqual(await replies(c, 'CAP END'), []);
      await c.quit();
    }
    // Without CAP, NICK and USER are enough; a stray CAP END changes nothing.
    const d = await TestClient.connect(port);
    d.send('CAP END');
    d.send('NICK dave');
    d.send('USER dave 0 * :D');
    await d.expectCommand('001', 'dave');
    d.destroy();
  });
});

test('PASS: wrong length refused, none asked ignored, and never twice', async () => {
  await withServer(
    async (port) => {
      const c = await TestClient.connect(port);
      c.send('PASS s3cret!');
      c.send('NICK alice');
      c.send('USER alice 0 * :A');
      await c.expectCommand('464', 'alice', 'Password incorrect');
      await c.expect((m) => m.command === 'ERROR' && /\(Bad password\)$/.test(m.params[0]));
      await c.closedPromise;
      const ok = await TestClient.connect(port);
      ok.send('PASS s3cret');
      ok.send('NICK bob');
      ok.send('USER bob 0 * :B');
      await ok.expectCommand('001', 'bob');
      assert.deepEqual(await replies(ok, 'PASS s3cret'), [`${S} 462 bob :You may not reregister`]);
      ok.destroy();
    },
    { password: 's3cret' },
  );
  await withServer(async (port) => {
    const c = await TestClient.connect(port);
    c.send('PASS anything');
    c.send('NICK carol');
    c.send('USER carol 0 * :C');
    await c.expectCommand('001', 'carol');
    c.destroy();
  });
});

test('NICK: missing, erroneous, taken, unchanged and case-only changes', async () => {
  await withServer(async (port) => {
    const alice = await TestClient.register(port, 'alice', [], false);
    const bob = await TestClient.register(port, 'bob', [], false);
    await alice.sync();
    assert.deepEqual(alice.all('403'), [], 'no default channel: nothing to join');
    assert.deepEqual(await replies(alice, 'NICK'), [`${S} 431 alice :No nickname given`]);
    assert.deepEqual(await replies(alice, 'NICK :'), [`${S} 431 alice :No nickname given`]);
    assert.deepEqual(await replies(alice, 'NICK 1x'), [`${S} 432 alice 1x :Erroneous nickname`]);
    assert.deepEqual(await replies(alice, 'NICK BOB'), [
      `${S} 433 alice BOB :Nickname is already in use`,
    ]);
    assert.deepEqual(await replies(alice, 'NICK alice'), []);
    const [renamed] = await replies(alice, 'NICK Alice');
    assert.match(renamed, /^:alice!~alice@\S+ NICK Alice$/);
    bob.destroy();
    alice.destroy();
  });
});

test('a nick taken between NICK and USER is refused at registration; another one works', async () => {
  await withServer(async (port) => {
    const early = await TestClient.connect(port);
    await replies(early, 'NICK bob');
    const bob = await TestClient.register(port, 'bob', [], false);
    assert.deepEqual(await replies(early, 'USER x 0 * :X'), [
      `${S} 433 bob bob :Nickname is already in use`,
    ]);
    early.send('NICK bob2');
    await early.expectCommand('001', 'bob2');
    bob.destroy();
    early.destroy();
  });
});

test('USER: the username is cleaned and cut, the real name cut, and never twice', async () => {
  await withServer(async (port) => {
    const cases: Array<[sent: string, username: string]> = [
      ['a.b-c_d!e@f', '~a.b-c_def'],
      ['abcdefghijklmnopqrstuvwxyz', '~abcdefghijklmno'],
      ['!!!', '~user'],
    ];
    for (const [k, [sent, username]] of cases.entries()) {
      const c = await TestClient.connect(port);
      c.send(`NICK n${k}`);
      c.send(`USER ${sent} 0 * :${'r'.repeat(150)}`);
      await c.expectCommand('376');
      const [whois] = (await replies(c, `WHOIS n${k}`)).filter((l) => / 311 /.test(l));
      const p = whois.split(' ');
      assert.equal(p[4], username, sent);
      assert.equal(p[7].replace(/^:/, ''), 'r'.repeat(100));
      assert.deepEqual(await replies(c, 'USER again 0 * :x'), [
        `${S} 462 n${k} :You may not reregister`,
      ]);
      c.destroy();
    }
    const twice = await TestClient.connect(port);
    await replies(twice, 'USER a 0 * :A');
    assert.deepEqual(await replies(twice, 'USER b 0 * :B'), [`${S} 462 * :You may not reregister`]);
    assert.deepEqual(await replies(twice, 'USER b 0 *'), [
      `${S} 461 * USER :Not enough parameters`,
    ]);
    twice.destroy();
  });
});

test('before registration: PING is answered, PONG is silent, QUIT closes', async () => {
  await withServer(async (port) => {
    const c = await TestClient.connect(port);
    assert.deepEqual(await replies(c, 'PING tok'), [`${S} PONG parley.local tok`]);
    assert.deepEqual(await replies(c, 'PONG tok'), []);
    assert.deepEqual(await replies(c, 'PING'), [`${S} 461 * PING :Not enough parameters`]);
    c.send('QUIT');
    await c.closedPromise;
  });
});

test('QUIT: others see "Quit: <reason>", or "Client Quit" without one', async () => {
  await withServer(async (port) => {
    const watcher = await TestClient.register(port, 'watcher', [], false);
    watcher.send('JOIN #c');
    await watcher.expectCommand('366');
    for (const [line, reason] of [
      ['QUIT :gone home', 'Quit: gone home'],
      ['QUIT', 'Client Quit'],
    ]) {
      const c = await TestClient.register(port, 'leaver', [], false);
      c.send('JOIN #c');
      await c.expectCommand('366');
      c.send(line);
      await c.closedPromise;
      const quit = await watcher.expectCommand('QUIT');
      assert.deepEqual(quit.params, [reason]);
    }
    watcher.destroy();
  });
});
