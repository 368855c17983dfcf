// `parley serve --workers N`: N server processes sharing the listening port as one network through Redis, started and restarted by this one (which serves nobody itself).
//
// The workers are node:cluster children running the same `parley serve` command line; the
// environment tells each which one it is (PARLEY_WORKER=k), which Redis joins them
// (PARLEY_CLUSTER) and which store they share (PARLEY_DB). The primary accepts connections and
// hands them out in turn (node:cluster's round robin: Node 20 has no SO_REUSEPORT). Without
// --cluster it starts a local redis-server (its files in the data directory, saved every second,
// so accounts and history outlive a restart) and restarts it if it dies. Only worker 1 opens the
// admin socket, announces the server over mDNS and prints the channels' chat on the console;
// each worker prints its own users' private messages, so every line shows once.
import cluster, { type Worker } from 'node:cluster';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';
import type { StderrLogger } from './diagnostics.js';
import { CliError } from './errors.js';
import { isRedisUrl } from '../store/redis-url.js';
import { defaultDbPath } from './serve-options.js';
import type { ServeSettings } from './serve-table.js';

/** A worker that dies sooner than this after starting, this many times in a row, is not restarted. */
const EARLY_EXIT_MS = 5000;
const EARLY_EXITS = 3;

/** Which worker this process is (1..N), or 0 when it is not one. */
export function workerIndex(): number {
  const k = Number(process.env.PARLEY_WORKER ?? '0');
  return Number.isInteger(k) && k > 0 ? k : 0;
}

/** A worker's settings: the cluster and store its primary chose, its own node id. */
export function asWorker<S extends ServeSettings>(settings: S, k: number, baseId: string): S {
  return {
    ...settings,
    cluster: process.env.PARLEY_CLUSTER ?? settings.cluster,
    db: process.env.PARLEY_DB ?? settings.db,
    nodeId: `${baseId}-w${k}`,
    adminSocket: k === 1 ? settings.adminSocket : null,
    advertise: k === 1 && settings.advertise,
  };
}

/** Run the primary: Redis (unless --cluster names one), N workers, restarts, and a clean stop. */
export async function superviseWorkers(
  settings: ServeSettings,
  log: StderrLogger,
): Promise<number> {
  const n = settings.workers;
  let redis: LocalRedis | null = null;
  let url = settings.cluster;
  if (url === null) {
    redis = await LocalRedis.start(log);
    url = redis.url;
  }
  // One store for all: Redis (the cluster's, unless --db names another Redis); a file cannot be
  // shared by several writers.
  let db = settings.db;
  if (db === defaultDbPath()) db = url;
  else if (db !== 'off' && db !== ':memory:' && !isRedisUrl(db)) {
    redis?.stop();
    throw new CliError(
      `--workers: the workers share one store; give --db redis://HOST:PORT (or leave --db out to use the cluster's Redis), not the file ${db}`,
      2,
    );
  }
  log.info({ workers: n, cluster: url, db }, `starting ${n} workers`);
  const started = new Map<Worker, { k: number; at: number }>();
  let early = 0;
  let stopping = false;
  const fork = (k: number): void => {
    const w = cluster.fork({ PARLEY_WORKER: String(k), PARLEY_CLUSTER: url, PARLEY_DB: db });
    started.set(w, { k, at: Date.now() });
  };
  return new Promise<number>((resolve) => {
    const finish = (code: number): void => {
      redis?.stop();
      resolve(code);
    };
    cluster.on('exit', (w, code, signal) => {
      const info = started.get(w);
      started.delete(w);
      if (info === undefined) return;
      if (stopping) {
        if (started.size === 0) finish(0);
        return;
      }
      early = Date.now() - info.at < EARLY_EXIT_MS ? early + 1 : 0;
      if (early >= EARLY_EXITS) {
        log.error({ worker: info.k, code, signal }, 'workers keep exiting at start; stopping');
        stopping = true;
        for (const other of started.keys()) other.kill('SIGTERM');
        if (started.size === 0) finish(1);
        return;
      }
      log.warn({ worker: info.k, code, signal }, `worker ${info.k} exited; starting it again`);
      setTimeout(() => fork(info.k), 500);
    });
    for (let k = 1; k <= n; k++) fork(k);
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping the workers');
      for (const w of started.keys()) w.kill('SIGTERM');
      if (started.size === 0) finish(0);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // SIGHUP: every worker reloads its configuration.
    process.on('SIGHUP', () => {
      for (const w of started.keys()) w.process.kill('SIGHUP');
    });
  });
}

/** The redis-server this primary runs for its workers when --cluster names none. */
class LocalRedis {
  private child: ChildProcess | null = null;
  private stopped = false;

  private constructor(
    private readonly port: number,
    private readonly dir: string,
    private readonly log: StderrLogger,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(log: StderrLogger): Promise<LocalRedis> {
    if (spawnSync('redis-server', ['--version']).status !== 0) {
      throw new CliError(
        '--workers: no Redis to join the workers through: install redis-server (apt-get install redis-server) or give --cluster redis://HOST:PORT',
        2,
      );
    }
    const dir = path.join(path.dirname(defaultDbPath()), 'redis');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    await stopLeftover(path.join(dir, 'redis.pid'));
    const redis = new LocalRedis(await freePort(), dir, log);
    redis.spawn();
    await redis.ready();
    log.info({ redis: redis.url, dir }, 'started a local redis-server for the workers');
    return redis;
  }

  private spawn(): void {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '');
    args.push('--pidfile', path.join(this.dir, 'redis.pid'));
    // Its own process group: Ctrl-C at the terminal stops the workers, then this stops Redis.
    const child = spawn('redis-server', args, { stdio: 'ignore', detached: true });
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.stopped) return;
      this.log.warn({ code, signal }, 'the local redis-server exited; starting it again');
      setTimeout(() => this.spawn(), 500);
    });
  }

  /** Wait until it answers PING (10 s at most). */
  private async ready(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await ping(this.port))) {
      if (Date.now() > deadline) {
        this.stop();
        throw new CliError(`--workers: the local redis-server did not start on ${this.url}`, 1);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): void {
    this.stopped = true;
    this.child?.kill('SIGTERM');
  }
}

/**
 * A redis-server an earlier primary left running (it was killed with SIGKILL) still writes the
 * files in this folder: stop it first (SIGTERM, then up to 5 s).
 */
async function stopLeftover(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.startsWith('redis-server')) return;
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // no pid file, no such process, or not ours to stop
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => s.write('PING\r\n'));
    s.setTimeout(1000, () => s.destroy());
    s.once('data', (d) => {
      resolve(d.toString().startsWith('+PONG'));
      s.destroy();
    });
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  });
}

/** A free loopback port (bound, read and closed: another process may take it meanwhile). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
