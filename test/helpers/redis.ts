// A real redis-server for tests: started on a free loopback port with nothing saved, stopped (or restarted) on request.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/cli/workers.js';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { TestContext } from 'node:test';

export interface TestRedis {
  port: number;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Whether redis-server is installed; under CI=true its absence fails the test (.ci/run installs it). */
export function haveRedis(t: TestContext): boolean {
  if (spawnSync('redis-server', ['--version']).status === 0) return true;
  if (process.env.CI === 'true') {
    assert.fail('redis-server not installed, but CI=true: .ci/run must install it');
  }
  t.skip('redis-server not installed (apt-get install -y redis-server); skipped outside CI');
  return false;
}

export { freePort };

/**
 * Start redis-server on `port` (a free one when not given) and wait until it answers; with
 * `replicaOf`, as a replica of that one.
 */
export async function startRedis(port?: number, replicaOf?: TestRedis): Promise<TestRedis> {
  const p = port ?? (await freePort());
  const args = ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (replicaOf !== undefined) args.push('--replicaof', '127.0.0.1', String(replicaOf.port));
  return spawnRedis(args, p, `redis://127.0.0.1:${p}`, /Ready to accept connections/);
}

/**
 * Start a Sentinel (redis-server in sentinel mode) watching `master` under the name `name`; its
 * `url` is the redis+sentinel:// URL a parley server is given.
 */
export async function startSentinel(master: TestRedis, name = 'parley'): Promise<TestRedis> {
  const p = await freePort();
  // Sentinel rewrites its config file: one of its own in a fresh folder.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sentinel-'));
  const conf = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(
    conf,
    `port ${p}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${name} 127.0.0.1 ${master.port} 1\n` +
      // A dead master is failed over within seconds (defaults: 30 s to notice, 3 min between tries).
      `sentinel down-after-milliseconds ${name} 1000\nsentinel failover-timeout ${name} 5000\n`,
  );
  const url = `redis+sentinel://127.0.0.1:${p}/${name}`;
  return spawnRedis([conf, '--sentinel'], p, url, /\+monitor master/);
}

const HAVE_SETPRIV = spawnSync('setpriv', ['--version']).status === 0;

async function spawnRedis(
  args: string[],
  port: number,
  url: string,
  ready: RegExp,
): Promise<TestRedis> {
  // Through setpriv (util-linux, on every Debian): the server is killed when this process dies,
  // even by SIGKILL (a test run cut short, a mutation run's timeout), instead of living on.
  const [cmd, all] = HAVE_SETPRIV
    ? ['setpriv', ['--pdeathsig', 'KILL', '--', 'redis-server', ...args]]
    : ['redis-server', args];
  const child = spawn(cmd, all, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${out}`)),
      10_000,
    );
    const check = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    url,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Whether a cluster on `redis` still holds `nick` (folded, as the directory keys it): a user who
 * quit frees it a moment after their connection closes, so a test that reconnects elsewhere at
 * once waits for this first, as a real client retries after 433.
 */
export async function nickHeld(redis: TestRedis, folded: string): Promise<boolean> {
  const r = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    return (await r.hexists('parley:nicks', folded)) === 1;
  } finally {
    r.disconnect();
  }
}

/**
 * Make `redis` take no write (PUBLISH, HSET…) for `ms` milliseconds, reads still answered
 * (`CLIENT PAUSE … WRITE`): what a node announces meanwhile waits there, unsent.
 */
export async function pauseWrites(redis: TestRedis, ms: number): Promise<void> {
  const r = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    await r.call('CLIENT', 'PAUSE', String(ms), 'WRITE');
  } finally {
    r.disconnect();
  }
}
