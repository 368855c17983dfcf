// Interop: the parley client session against a real ngIRCd (Debian package `ngircd`) on a free loopback port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile, chmod } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ClientSession } from '../../src/client/session.js';
import { newSession } from '../client/session-kit.js';

/** The ngircd binary: on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
function findNgircd(): string | null {
  for (const cmd of ['ngircd', '/usr/sbin/ngircd']) {
    const r = spawnSync(cmd, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    if (r.error === undefined) return cmd;
  }
  return null;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A minimal ngIRCd config: loopback only, no DNS/ident/PAM, no conf.d (an empty IncludeDir). */
function ngircdConfig(port: number, includeDir: string): string {
  // As root ngIRCd must drop to an unprivileged user; the Debian package provides `irc`.
  const uid = process.getuid?.() === 0 ? '\tServerUID = irc\n\tServerGID = irc\n' : '';
  return `[Global]
	Name = ngircd.test
	Info = parley interop test
	Listen = 127.0.0.1
	Ports = ${port}
	MotdPhrase = parley interop
	AdminInfo1 = parley interop test
	AdminInfo2 = loopback only
	AdminEMail = test@localhost
${uid}
[Limits]
	MaxNickLength = 16
	PingTimeout = 120
	PongTimeout = 60

[Options]
	DNS = no
	Ident = no
	PAM = no
	IncludeDir = ${includeDir}
`;
}

/** Start ngircd in the foreground and wait until it listens; resolves with the process. */
async function startNgircd(bin: string, config: string, port: number): Promise<ChildProcess> {
  const child = spawn(bin, ['--nodaemon', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.on('error', () => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return child;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ngircd did not start listening on ${port}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

test(
  'the client session registers, joins, chats and quits on a real ngIRCd',
  { timeout: 60_000 },
  async (t) => {
    const bin = findNgircd();
    if (bin === null) {
      if (process.env.CI === 'true') {
        assert.fail(
          'ngircd is not installed, but CI=true: the CI script must install it (apt-get install -y ngircd)',
        );
      }
      t.skip('ngircd not installed (apt-get install -y ngircd); this test only skips outside CI');
      return;
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-ngircd-'));
    const sessions: ClientSession[] = [];
    let ngircd: ChildProcess | undefined;
    try {
      const includeDir = path.join(dir, 'conf.d');
      await mkdir(includeDir);
      const port = await freePort();
      const config = path.join(dir, 'ngircd.conf');
      await writeFile(config, ngircdConfig(port, includeDir));
      await chmod(dir, 0o755); // readable by the `irc` user ngIRCd drops to
      ngircd = await startNgircd(bin, config, port);

      const a = newSession(port, 'alice', { channels: ['#interop'] });
      const b = newSession(port, 'bob');
      sessions.push(a.session, b.session);
      a.session.start();
      b.session.start();
      const regA = await a.rec.next('registered', () => true, 15_000);
      assert.deepEqual([regA.nick, regA.server], ['alice', 'ngircd.test']);
      await b.rec.next('registered', () => true, 15_000);
      assert.equal(a.session.isupport.get('CASEMAPPING'), 'ascii');
      assert.ok(a.session.capabilities.has('multi-prefix'), 'ngIRCd offers multi-prefix');
      assert.ok(!a.session.capabilities.has('echo-message'));

      const joined = await a.rec.next('join', (e) => e.self, 15_000);
      assert.equal(joined.channel, '#interop');
      await a.rec.next('names', (e) => e.channel === '#interop', 15_000);
      assert.deepEqual(a.session.members('#interop'), [{ nick: 'alice', prefix: '@' }]);
      b.session.join('#interop');
      await a.rec.next('join', (e) => e.nick === 'bob', 15_000);

      a.session.say('#interop', 'hello from parley');
      const got = await b.rec.next('message', (m) => m.text === 'hello from parley', 15_000);
      assert.deepEqual(
        [got.from, got.conversation, got.self, got.private],
        ['alice', '#interop', false, false],
      );
      // No echo-message on ngIRCd: alice's own copy is the local echo, exactly one.
      const mine = a.rec.all('message').filter((m) => m.text === 'hello from parley');
      assert.deepEqual(
        mine.map((m) => [m.self, m.conversation]),
        [[true, '#interop']],
      );

      b.session.say('alice', 'psst, alice');
      const priv = await a.rec.next('message', (m) => m.text === 'psst, alice', 15_000);
      assert.deepEqual(
        [priv.from, priv.conversation, priv.private, priv.highlight],
        ['bob', 'bob', true, true],
      );
      b.session.action('#interop', 'waves');
      assert.equal((await a.rec.next('message', (m) => m.text === 'waves', 15_000)).kind, 'action');

      a.session.raw('WHOIS bob');
      const whois = await a.rec.next('info', (e) => e.text.startsWith('bob is '), 15_000);
      assert.match(whois.text, /^bob is ~?bob@127\.0\.0\.1 \(Test bob\)$/);

      await a.session.quit('done here');
      const quit = await b.rec.next('quit', () => true, 15_000);
      assert.equal(quit.nick, 'alice');
      assert.deepEqual(quit.channels, ['#interop']);
      assert.match(quit.reason, /done here/);
      const down = a.rec.all('state').at(-1);
      assert.deepEqual([down?.state, down?.final], ['disconnected', true]);
      await b.session.quit();
    } finally {
      for (const s of sessions) s.close();
      if (ngircd !== undefined) await stopProcess(ngircd);
      await rm(dir, { recursive: true, force: true });
    }
  },
);
