// No secret reaches a log: the real server at debug level, in text and JSON, sees every way a password travels, and its output is searched for each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/server/passwords.js';
import { TestClient } from '../helpers/irc.js';
import { startServe } from './serve.js';

/** Distinct strings, so a hit names the way it leaked. */
const SECRET = {
  register: 'Reg1sterSecret-aq7',
  sasl: 'SaslPlainSecret-k2p',
  nickserv: 'IdentifySecret-m9x',
  pass: 'PassLoginSecret-z4c',
  oper: 'OperSecret-w8v',
  server: 'ServerPassword-b3n',
  wrong: 'WrongGuess-t6y',
};

for (const format of ['text', 'json'] as const) {
  test(`no password or SASL payload appears in the server's output (--log-format ${format}, debug)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
    const config = join(dir, 'parley.yaml');
    writeFileSync(config, `opers:\n  - name: root\n    password: '${hashPassword(SECRET.oper)}'\n`);
    const srv = await startServe([
      '--config',
      config,
      '--db',
      join(dir, 'p.db'),
      '--log-level',
      'debug',
      '--log-format',
      format,
      '--password',
      SECRET.server,
      '--flood',
      'off',
    ]);
    try {
      // A new account (REGISTER), then each way of logging in, right and wrong.
      const alice = await TestClient.register(
        srv.port,
        'alice',
        ['draft/account-registration'],
        false,
        SECRET.server,
      );
      alice.send(`REGISTER * * ${SECRET.register}`);
      await alice.expect((m) => m.command === 'REGISTER' || m.command === 'FAIL');
      alice.send(`PRIVMSG NickServ :IDENTIFY alice ${SECRET.wrong}`);
      alice.send(`PRIVMSG NickServ :IDENTIFY alice ${SECRET.register}`);
      alice.send(`OPER root ${SECRET.wrong}`);
      alice.send(`OPER root ${SECRET.oper}`);
      await alice.expect((m) => m.command === '381', 10_000, 'the OPER that works');

      const bob = await TestClient.connect(srv.port);
      bob.send('CAP LS 302');
      bob.send('CAP REQ :sasl');
      bob.send(`PASS ${SECRET.server}`);
      bob.send('NICK bob');
      bob.send('USER bob 0 * :b');
      bob.send('AUTHENTICATE PLAIN');
      await bob.expect((m) => m.command === 'AUTHENTICATE');
      const payload = Buffer.from(`alice\0alice\0${SECRET.sasl}`).toString('base64');
      bob.send(`AUTHENTICATE ${payload}`);
      await bob.expect((m) => m.command === '904' || m.command === '903');
      bob.send('CAP END');
      await bob.expect((m) => m.command === '001');

      const carol = await TestClient.connect(srv.port);
      carol.send(`PASS alice:${SECRET.pass}`);
      carol.send('NICK carol');
      carol.send('USER carol 0 * :c');
      await carol.expect((m) => m.command === '464' || m.command === '001');
      for (const c of [alice, bob, carol]) c.destroy();
      await alice.closedPromise;
    } finally {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    const output = srv.stdout() + srv.stderr();
    assert.ok(output.includes('alice'), 'not vacuous: the log has the session in it');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    for (const [way, secret] of Object.entries(SECRET)) {
      assert.ok(!output.includes(secret), `the ${way} password is in the server's output`);
      assert.ok(!output.includes(b64(secret).slice(0, 12)), `the ${way} password, base64`);
    }
    const payloadStart = Buffer.from(`alice\0alice\0`).toString('base64').slice(0, 12);
    assert.ok(!output.includes(payloadStart), 'a SASL payload is in the output');
  });
}
