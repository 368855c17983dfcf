// Accounts over real TCP: REGISTER and its FAILs, VERIFY, NickServ, PASS logins, account-tag/notify, extended-join, WHOIS/WHOX, the a: extban, --db off, and no password in the logs (reservation.test.ts: nick reservation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/store/index.js';
import { ChatLog } from '../../../src/server/chatlog.js';
import { DEFAULTS } from '../../../src/server/config.js';
import { Server } from '../../../src/server/server.js';
import { startServer, TestClient } from '../../helpers/irc.js';
import { makeAccount } from '../../helpers/accounts.js';
import { withServer } from './accounts-kit.js';

const fails = (ms: { command: string; params: string[] }[]) =>
  ms.filter((m) => m.command === 'FAIL').map((m) => m.params.slice(0, 3));

test('REGISTER: success logs in; each FAIL code for its reason; VERIFY has nothing to verify', async () => {
  await withServer(async (srv) => {
    const early = await TestClient.connect(srv.port);
    assert.deepEqual(fails(await early.replies('REGISTER * * :long enough')), [
      ['REGISTER', 'NEED_NICK', '*'],
    ]);
    early.destroy();
    const c = await TestClient.register(srv.port, 'frank', ['draft/account-registration'], false);
    const table: Array<[string, string[]]> = [
      ['REGISTER * * short', ['REGISTER', 'WEAK_PASSWORD', 'frank']],
      ['REGISTER * * :frank', ['REGISTER', 'WEAK_PASSWORD', 'frank']],
      ['REGISTER frankfrank * frankfrank', ['REGISTER', 'UNACCEPTABLE_PASSWORD', 'frankfrank']],
      ['REGISTER bad,name * :long enough', ['REGISTER', 'BAD_ACCOUNT_NAME', 'bad,name']],
      ['REGISTER NickServ * :long enough', ['REGISTER', 'BAD_ACCOUNT_NAME', 'NickServ']],
      ['REGISTER Guest12345 * :long enough', ['REGISTER', 'BAD_ACCOUNT_NAME', 'Guest12345']],
      ['REGISTER * not-an-email :long enough', ['REGISTER', 'INVALID_EMAIL', 'frank']],
    ];
    for (const [line, want] of table) assert.deepEqual(fails(await c.replies(line)), [want], line);
    const ok = await c.replies('REGISTER * frank@example.org :long enough');
    assert.deepEqual(ok[0].params, ['SUCCESS', 'frank', 'Account created']);
    assert.equal(ok[1].command, '900');
    assert.deepEqual(fails(await c.replies('REGISTER other * :long enough')), [
      ['REGISTER', 'ALREADY_AUTHENTICATED', 'other'],
    ]);
    assert.deepEqual(fails(await c.replies('VERIFY frank 1234')), [
      ['VERIFY', 'ACCOUNT_ALREADY_VERIFIED', 'frank'],
    ]);
    assert.deepEqual(fails(await c.replies('VERIFY nobody 1234')), [
      ['VERIFY', 'INVALID_CODE', 'nobody'],
    ]);
    const d = await TestClient.register(srv.port, 'gina', [], false);
    // A nick someone else is using cannot become an account; a registered name is taken.
    assert.deepEqual(fails(await d.replies('REGISTER FRANK * :long enough')), [
      ['REGISTER', 'ACCOUNT_EXISTS', 'FRANK'],
    ]);
    await c.quit();
    assert.deepEqual(fails(await d.replies('REGISTER FRANK * :long enough')), [
      ['REGISTER', 'ACCOUNT_EXISTS', 'FRANK'],
    ]);
    // Registration is rate limited per address: 5 accounts, then TEMPORARILY_UNAVAILABLE.
    for (let k = 0; k < 4; k++) {
      const e = await TestClient.register(srv.port, `spam${k}`, [], false);
      assert.equal((await e.replies('REGISTER * * :long enough'))[0].params[0], 'SUCCESS');
      e.destroy();
    }
    assert.deepEqual(fails(await d.replies('REGISTER * * :long enough')), [
      ['REGISTER', 'TEMPORARILY_UNAVAILABLE', 'gina'],
    ]);
    d.destroy();
  });
});

test('REGISTER before connection registration: the account applies with the welcome', async () => {
  await withServer(async (srv) => {
    const c = await TestClient.connect(srv.port);
    c.send('CAP LS 302');
    const ls = await c.expectCommand('CAP', '*', 'LS');
    assert.match(ls.params[2], /draft\/account-registration=before-connect,custom-account-name/);
    assert.match(ls.params[2], /sasl=PLAIN,SCRAM-SHA-256/);
    c.send('NICK hank');
    c.send('REGISTER * * :long enough');
    await c.expectCommand('REGISTER', 'SUCCESS', 'hank');
    c.send('USER hank 0 * :Hank');
    c.send('CAP END');
    await c.expectCommand('001');
    const who = await c.replies('WHO hank %na');
    assert.deepEqual(who[0].params, ['hank', 'hank', 'hank']);
    c.destroy();
  });
});

test('REGISTER * before the welcome names the account after the nick asked for, even one in use', async () => {
  await withServer(async (srv) => {
    const root = await TestClient.register(srv.port, 'root', [], false);
    const c = await TestClient.connect(srv.port);
    c.send('NICK root');
    await c.expectCommand('433');
    // No land grab: the nick someone is using cannot become an account out from under them.
    assert.deepEqual(fails(await c.replies('REGISTER * * :long enough')), [
      ['REGISTER', 'ACCOUNT_EXISTS', 'root'],
    ]);
    c.send('NICK bad,nick');
    await c.expectCommand('432');
    // A malformed nick is not remembered: the last well-formed one still names the account.
    assert.deepEqual(fails(await c.replies('REGISTER * * :long enough')), [
      ['REGISTER', 'ACCOUNT_EXISTS', 'root'],
    ]);
    c.destroy();
    root.destroy();
  });
});

test('--register-before-connect off: REGISTER and VERIFY wait for the welcome, and the cap says so', async () => {
  await withServer(
    async (srv) => {
      const c = await TestClient.connect(srv.port);
      c.send('CAP LS 302');
      const ls = await c.expectCommand('CAP', '*', 'LS');
      assert.match(ls.params[2], /draft\/account-registration=custom-account-name( |$)/);
      c.send('NICK lena');
      assert.deepEqual(fails(await c.replies('REGISTER * * :long enough')), [
        ['REGISTER', 'COMPLETE_CONNECTION_REQUIRED', '*'],
      ]);
      assert.deepEqual(fails(await c.replies('VERIFY lena 1234')), [
        ['VERIFY', 'COMPLETE_CONNECTION_REQUIRED', 'lena'],
      ]);
      c.send('USER lena 0 * :Lena');
      c.send('CAP END');
      await c.expectCommand('001');
      const ok = await c.replies('REGISTER * * :long enough');
      assert.deepEqual(ok[0].params, ['SUCCESS', 'lena', 'Account created']);
      c.destroy();
    },
    { registerBeforeConnect: false },
  );
});

test('NickServ: REGISTER, IDENTIFY (with and without account), INFO, LOGOUT, HELP, the NS alias; the nick is refused', async () => {
  await withServer(async (srv) => {
    const c = await TestClient.register(srv.port, 'ivan', [], false);
    const notices = async (line: string) =>
      (await c.replies(line)).filter((m) => m.command === 'NOTICE').map((m) => m.params[1]);
    const reg = await c.replies('PRIVMSG NickServ :REGISTER ivanspassword');
    assert.equal(reg[0].source, 'NickServ!NickServ@services.parley.local');
    assert.deepEqual(reg[0].params, ['ivan', 'Account created: ivan. You are logged in.']);
    // Logged out, the nick is the account's again: the reservation warning follows.
    const out = await notices('NS LOGOUT');
    assert.equal(out[0], 'You are now logged out');
    assert.match(out[1], /^The nick ivan belongs to a registered account/);
    assert.deepEqual(await notices('NS IDENTIFY wrongpassword'), ['Wrong account or password']);
    assert.deepEqual(await notices('PRIVMSG nickserv :IDENTIFY ivanspassword'), [
      'You are now identified as ivan',
    ]);
    assert.match((await notices('NICKSERV INFO'))[0], /^ivan was registered on /);
    assert.deepEqual(await notices('NS INFO nobody'), ['nobody is not registered']);
    assert.ok((await notices('NS HELP')).length >= 5);
    assert.equal((await c.replies('NICK NickServ'))[0].command, '432');
    const d = await TestClient.register(srv.port, 'judy', [], false);
    assert.deepEqual(
      (await d.replies('NS IDENTIFY ivan ivanspassword'))
        .filter((m) => m.command === 'NOTICE')
        .map((m) => m.params[1]),
      ['You are now identified as ivan'],
    );
    // Two connections on one account, each with its own nick.
    const whois = await d.replies('WHOIS ivan');
    assert.equal(whois.find((m) => m.command === '330')?.params[2], 'ivan');
    const whois2 = await d.replies('WHOIS judy');
    assert.equal(whois2.find((m) => m.command === '330')?.params[2], 'ivan');
    c.destroy();
    d.destroy();
  });
});

test('PASS account:password (or PASS password for the nick) logs in at registration; a wrong one only says so', async () => {
  await withServer(async (srv) => {
    await makeAccount(srv.port, 'kate', 'katespassword');
    for (const [pass, nick] of [
      ['kate:katespassword', 'kate_'],
      ['katespassword', 'kate'],
    ]) {
      const c = await TestClient.attempt(srv.port, nick, pass);
      assert.equal((await c.expectCommand('900')).params[2], 'kate');
      await c.expectCommand('001');
      await c.quit();
    }
    const c = await TestClient.attempt(srv.port, 'lou', 'kate:nope');
    const n = await c.expectCommand('NOTICE');
    assert.equal(n.params[1], 'PASS did not log you into kate: wrong account or password');
    await c.expectCommand('001');
    c.destroy();
  });
});

test('account-tag, extended-join, account-notify, WHOX a and the a: extban', async () => {
  await withServer(async (srv) => {
    await makeAccount(srv.port, 'oscar', 'oscarspassword');
    const caps = ['account-tag', 'extended-join', 'message-tags'];
    const obs = await TestClient.register(srv.port, 'obs', caps, false);
    const plainObs = await TestClient.register(srv.port, 'plain', [], false);
    obs.send('JOIN #room');
    plainObs.send('JOIN #room');
    await plainObs.expectCommand('366');
    const o = await TestClient.register(srv.port, 'oscar', [], false);
    o.send('NS IDENTIFY oscarspassword');
    await o.expectCommand('900');
    o.send('JOIN #room');
    const ej = await obs.expect(
      (m) => m.command === 'JOIN' && m.source?.startsWith('oscar!') === true,
    );
    assert.deepEqual(ej.params, ['#room', 'oscar', 'Test oscar']);
    assert.equal(ej.tags?.get('account'), 'oscar');
    const pj = await plainObs.expect(
      (m) => m.command === 'JOIN' && m.source?.startsWith('oscar!') === true,
    );
    assert.deepEqual(pj.params, ['#room']);
    assert.equal(pj.tags, null);
    // A private message takes the general path when the recipient wants the tag.
    o.send('PRIVMSG obs :hello');
    const pm = await obs.expectCommand('PRIVMSG', 'obs');
    assert.equal(pm.tags?.get('account'), 'oscar');
    o.send('PRIVMSG plain :hello');
    const pm2 = await plainObs.expectCommand('PRIVMSG', 'plain');
    assert.equal(pm2.tags, null);
    const who = await obs.replies('WHO #room %na');
    assert.deepEqual(
      who.filter((m) => m.command === '354').map((m) => m.params.slice(1)),
      [
        ['obs', '0'],
        ['plain', '0'],
        ['oscar', 'oscar'],
      ],
    );
    // a: bans by account, not by nick; +e a: excepts.
    obs.send('JOIN #guarded');
    await obs.expectCommand('366');
    obs.send('MODE #guarded +b a:osc*');
    await obs.expectCommand('MODE', '#guarded', '+b', 'a:osc*');
    assert.equal((await o.replies('JOIN #guarded'))[0].command, '474');
    assert.equal((await plainObs.replies('JOIN #guarded'))[0].command, 'JOIN');
    obs.send('MODE #guarded +e a:oscar');
    await obs.expectCommand('MODE', '#guarded', '+e', 'a:oscar');
    assert.equal((await o.replies('JOIN #guarded'))[0].command, 'JOIN');
    const isupport = obs.all('005').flatMap((m) => m.params);
    assert.ok(isupport.includes('EXTBAN=,am') && isupport.includes('ACCOUNTEXTBAN=a'));
    for (const x of [obs, plainObs, o]) x.destroy();
  });
});

test('--db off: no account caps, no ACCOUNTEXTBAN, and the account commands are unknown', async () => {
  const srv = await startServer({ defaultChannel: '' }, 'text', false, null);
  try {
    const c = await TestClient.connect(srv.port);
    c.send('CAP LS 302');
    const ls = (await c.expectCommand('CAP', '*', 'LS')).params[2];
    for (const cap of [
      'sasl',
      'account-tag',
      'account-notify',
      'extended-join',
      'draft/account-registration',
    ]) {
      assert.ok(!ls.split(' ').some((w) => w.split('=')[0] === cap), cap);
    }
    assert.equal((await c.replies('AUTHENTICATE PLAIN'))[0].command, '421');
    assert.equal((await c.replies('REGISTER * * :long enough'))[0].command, '421');
    assert.equal((await c.replies('NICK NickServ'))[0]?.command, undefined);
    c.send('NICK quinn');
    c.send('USER n 0 * :n');
    c.send('CAP END');
    await c.expectCommand('001');
    assert.equal((await c.replies('PRIVMSG NickServ :HELP'))[0].command, '401');
    assert.ok(
      !c
        .all('005')
        .flatMap((m) => m.params)
        .includes('ACCOUNTEXTBAN=a'),
    );
    c.destroy();
  } finally {
    await srv.stop();
  }
});

test('no password or SASL payload reaches the server log', async () => {
  const logged: string[] = [];
  const log = (fields: object, msg: string) => logged.push(msg + ' ' + JSON.stringify(fields));
  const server = new Server(
    { ...DEFAULTS, host: '127.0.0.1', port: 0, flood: null, defaultChannel: '' },
    {
      log: { debug: log, info: log, warn: log, error: log },
      chatlog: new ChatLog({ write: (b: Buffer) => logged.push(b.toString()) }, 'text'),
      store: new MemoryStore(),
    },
  );
  const { port } = await server.listen();
  try {
    const secret = 'Sup3rSecretPw';
    const c = await TestClient.register(port, 'paul', ['sasl'], false);
    c.send(`REGISTER * * ${secret}`);
    await c.expectCommand('REGISTER', 'SUCCESS');
    c.send('NS LOGOUT');
    c.send(`PRIVMSG NickServ :IDENTIFY ${secret}x`);
    c.send(`NS IDENTIFY ${secret}`);
    await c.expectCommand('900');
    c.send('NS LOGOUT');
    const payload = Buffer.from(`\0paul\0${secret}`).toString('base64');
    c.send('AUTHENTICATE PLAIN');
    c.send(`AUTHENTICATE ${payload}`);
    await c.expectCommand('903');
    await c.quit();
    const all = logged.join('\n');
    assert.ok(all.includes('logged in'), 'logins are logged');
    assert.ok(!all.includes(secret) && !all.includes(payload), all);
  } finally {
    await server.shutdown();
  }
});
