// SIGHUP on the real `parley serve` with a config file that cannot be used (gone, naming a missing MOTD, a bad opers list): one error line each, the running config stays, the server serves; fixed, it applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '../helpers/irc.js';
import { startServe, type ServeProcess } from '../interop/serve.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until `srv`'s stderr has `count` lines matching `pattern` (10 s at most). */
async function untilLines(srv: ServeProcess, pattern: RegExp, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (
    srv
      .stderr()
      .split('\n')
      .filter((l) => pattern.test(l)).length < count
  ) {
    if (Date.now() > deadline) {
      assert.fail(`not ${count} lines matching ${String(pattern)}:\n${srv.stderr()}`);
    }
    await sleep(25);
  }
}

/** The MOTD text lines `c` gets now. */
async function motd(c: TestClient): Promise<string[]> {
  return (await c.replies('MOTD')).filter((m) => m.command === '372').map((m) => m.params[1]);
}

test('SIGHUP with a config file gone, naming a missing MOTD, or a bad opers list: one error line each, nothing changes, and the fixed file applies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-reload-'));
  const conf = join(dir, 'parley.yaml');
  const first = join(dir, 'first.motd');
  const second = join(dir, 'second.motd');
  writeFileSync(first, 'first motd\n');
  writeFileSync(second, 'second motd\n');
  writeFileSync(conf, `motd: ${first}\nmax-targets: 2\n`);
  const srv = await startServe(['--config', conf, '--db', 'off', '--flood', 'off']);
  const clients: TestClient[] = [];
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    clients.push(alice);
    assert.deepEqual(await motd(alice), ['- first motd']);
    const tooMany = async () =>
      (await alice.replies('PRIVMSG a,b,c :three')).some((m) => m.command === '407');
    assert.equal(await tooMany(), true, 'max-targets 2 holds');

    const plaintext = 'hunter2-not-a-hash';
    const broken: Array<[string, () => void, RegExp]> = [
      ['file gone', () => rmSync(conf), /parley\.yaml/],
      [
        'missing MOTD',
        () => writeFileSync(conf, `motd: ${join(dir, 'nowhere.motd')}\nmax-targets: 5\n`),
        /nowhere\.motd/,
      ],
      [
        'bad opers',
        () => writeFileSync(conf, `max-targets: 5\nopers: [{ name: x, password: ${plaintext} }]\n`),
        /opers\[0\]: password: not a password hash/,
      ],
    ];
    for (const [k, [what, breakIt, why]] of broken.entries()) {
      breakIt();
      srv.child.kill('SIGHUP');
      await untilLines(srv, /reload failed/, k + 1);
      const line = srv
        .stderr()
        .split('\n')
        .filter((l) => /reload failed/.test(l))[k];
      assert.match(line, /ERROR: reload failed, keeping the running configuration: /, what);
      assert.match(line, why, what);
      // Still the first configuration, for the connected and for newcomers.
      assert.deepEqual(await motd(alice), ['- first motd'], what);
      assert.equal(await tooMany(), true, `${what}: max-targets 2 still holds`);
      const newcomer = await TestClient.register(srv.port, `n${k}`, [], false);
      clients.push(newcomer);
      assert.ok(
        newcomer.all('005').some((m) => m.params.includes('MAXTARGETS=2')),
        what,
      );
    }
    const stderr = srv.stderr();
    assert.doesNotMatch(stderr, new RegExp(plaintext), 'the password is never echoed');
    assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
    assert.doesNotMatch(stderr, /configuration reloaded/);
    assert.equal(stderr.split('\n').filter((l) => /ERROR/.test(l)).length, broken.length);

    // Fixed: the next SIGHUP applies it, for everyone connected all along.
    writeFileSync(conf, `motd: ${second}\nmax-targets: 5\n`);
    srv.child.kill('SIGHUP');
    await untilLines(srv, /configuration reloaded/, 1);
    assert.deepEqual(await motd(alice), ['- second motd']);
    assert.equal(await tooMany(), false, 'max-targets 5 now');
    for (const c of clients) assert.equal(c.closed, false, `${c.nick} still connected`);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
