// `parley serve --workers N`: several real processes on one port as one network, with the redis-server the primary starts (or the one --cluster names), restarted workers and a clean stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../helpers/eventually.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, startRedis } from '../helpers/redis.js';
import { startServe, type ServeProcess } from '../interop/serve.js';

const CAPS = ['echo-message', 'server-time'];

/** Every worker has said it listens. */
async function allListening(p: ServeProcess, n: number): Promise<void> {
  const up = () => (p.stderr().match(/listening on/g) ?? []).length >= n;
  await eventually(up, `${n} workers up`, 30_000);
}

/** Two clients on different workers (connections are handed out in turn). */
async function pair(port: number): Promise<[TestClient, TestClient]> {
  const alice = await TestClient.register(port, 'alice', CAPS, false);
  for (let k = 0; k < 4; k++) {
    const bob = await TestClient.register(port, `bob${k}`, CAPS, false);
    await eventually(
      async () => (await bob.replies('ISON alice')).some((m) => m.params[1] === 'alice'),
      'bob knows alice',
    );
    const whois = await alice.replies(`WHOIS bob${k}`);
    const info = whois.find((m) => m.command === '312')?.params[3] ?? '';
    if (/^node \S+-w\d+ /.test(info)) return [alice, bob];
    bob.destroy();
  }
  assert.fail('no two connections landed on different workers');
}

test('--workers 2 without --cluster: a local redis-server, one port, one network, each line once on the console', async (t) => {
  if (!haveRedis(t)) return;
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-workers-'));
  const before = process.env.XDG_DATA_HOME;
  process.env.XDG_DATA_HOME = data; // the local Redis keeps its files under the data directory
  let p: ServeProcess | null = null;
  try {
    p = await startServe(['--workers', '2', '--db', 'off'], 30_000);
    await allListening(p, 2);
    assert.match(p.stderr(), /started a local redis-server for the workers/);
    const [alice, bob] = await pair(p.port);
    // Both were put in #lobby by their own worker, and see each other there.
    const names = await bob.replies('NAMES #lobby');
    const listed = names.filter((m) => m.command === '353').flatMap((m) => m.params[3].split(' '));
    assert.ok(
      listed.some((n) => n.endsWith('alice')),
      `alice in #lobby: ${listed.join(' ')}`,
    );
    alice.send('PRIVMSG #lobby :one line, one console');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'one line, one console');
    bob.send(`PRIVMSG alice :privately`);
    await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'privately');
    await p.waitForConsole(/privately/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(p.stdout().match(/one line, one console/g)?.length, 1, p.stdout());
    assert.equal(p.stdout().match(/privately/g)?.length, 1, p.stdout());

    alice.destroy();
    bob.destroy();
    const pidFile = path.join(data, 'parley', 'redis', 'redis.pid');
    const redisPid = Number(fs.readFileSync(pidFile, 'utf8'));
    await p.stop();
    assert.equal(p.child.exitCode, 0, p.stderr());
    await eventually(() => {
      try {
        process.kill(redisPid, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the local redis-server stopped with the primary');
    p = null;
  } finally {
    await p?.stop();
    // Started detached: a primary that never came up (or was killed) may have left it running.
    try {
      const pid = Number(fs.readFileSync(path.join(data, 'parley', 'redis', 'redis.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already, as it should be
    }
    if (before === undefined) delete process.env.XDG_DATA_HOME;
    else process.env.XDG_DATA_HOME = before;
    fs.rmSync(data, { recursive: true, force: true });
  }
});

test('--workers 2 --cluster: the workers join the named Redis; one killed is started again', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const p = await startServe(
    ['--workers', '2', '--db', 'off', '--cluster', redis.url, '--default-channel', ''],
    30_000,
  );
  try {
    await allListening(p, 2);
    assert.doesNotMatch(p.stderr(), /local redis-server/);
    const [alice, bob] = await pair(p.port);
    alice.send('JOIN #w');
    await alice.expect((m) => m.command === '366');
    bob.send('JOIN #w');
    await alice.expect(
      (m) => m.command === 'JOIN' && m.source?.startsWith(bob.nick + '!') === true,
    );
    // Kill one worker: its users are gone for the others, and it comes back.
    const root = p.child.pid!;
    const pids = fs
      .readFileSync(`/proc/${root}/task/${root}/children`, 'utf8')
      .trim()
      .split(' ')
      .map(Number);
    assert.equal(pids.length, 2, 'two workers');
    process.kill(pids[1], 'SIGKILL');
    await eventually(() => /starting it again/.test(p.stderr()), 'the primary restarts it');
    await allListening(p, 3);
    const carol = await TestClient.register(p.port, 'carol', CAPS, false);
    carol.send('JOIN #w');
    await carol.expect((m) => m.command === '366');
    alice.destroy();
    bob.destroy();
    carol.destroy();
  } finally {
    await p.stop();
    await redis.stop();
  }
});

test('--workers 2 with a --db file: one line saying the workers need a shared store', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-workers-db-'));
  try {
    await assert.rejects(
      startServe([
        '--workers',
        '2',
        '--cluster',
        'redis://127.0.0.1:1',
        '--db',
        path.join(dir, 'x.db'),
      ]),
      (err: Error) => {
        assert.match(err.message, /exited early \(code 2/);
        assert.match(err.message, /--workers: the workers share one store/);
        assert.doesNotMatch(err.message, /\n\s+at /, 'no stack trace');
        return true;
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
