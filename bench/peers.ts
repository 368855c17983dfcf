// The servers under test (parley, ngircd, InspIRCd): their commands, configs, versions, start and stop.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './loadgen.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PEER_CONFIGS = path.join(REPO, 'bench', 'peers');
// PARLEY_BENCH_DB: parley's --db (default: a new file in the run's folder; `off` for none).
// PARLEY_BENCH_MAIN: another build's main.js (a worktree of an earlier commit) for A/B runs.
// PARLEY_BENCH_ARGS: more `parley serve` flags, after the others (`--log-chat off`, to measure
// what the console chat log costs).
const PARLEY_MAIN =
  process.env.PARLEY_BENCH_MAIN ?? path.join(REPO, 'dist', 'src', 'cli', 'main.js');

/** The node flags on a script's `#!/usr/bin/env -S node FLAGS` line. */
export function shebangFlags(script: string): string[] {
  const first = fs.readFileSync(script, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)$/.exec(first);
  return m === null ? [] : m[1].trim().split(' ').filter(Boolean);
}
export const HOST = '127.0.0.1';

export type ServerName = 'parley' | 'ngircd' | 'inspircd';

/** What a scenario changes in a server's settings. */
export interface ServerSetup {
  /** The channel the server itself joins each arrival to ('' for none; only parley has one). */
  defaultChannel: string;
  /** Bytes queued for a client that does not read before it is cut (ngircd's is fixed: ignored). */
  sendq: number;
}

/** Every scenario's setup unless it says otherwise: no auto-join, send queues lifted to 64 MiB. */
export const BENCH_SETUP: ServerSetup = { defaultChannel: '', sendq: 64 * 1024 * 1024 };

export interface ServerProfile {
  name: ServerName;
  /**
   * Registrations in flight (connect → 001). ngircd listens with a backlog of 10, so more SYNs at
   * once are dropped and retried a second later; InspIRCd sends 001 on a once-a-second timer, so it
   * needs many in flight to register quickly. parley takes the ngircd-safe value unless measured
   * otherwise.
   */
  regWindow: number;
  /** Whether it can join arrivals to a channel itself (ServerSetup.defaultChannel). */
  autoJoin: boolean;
  /** The command line (after `taskset -c CORE`) for a server on `port` with its files in `dir`. */
  argv(dir: string, port: number, setup: ServerSetup): string[];
  /** Write the config files into the temp dir. */
  prepare(dir: string, port: number, setup: ServerSetup): void;
}

/** A byte count as parley's flags take it: 64m, 512k or bytes. */
const bytesFlag = (n: number) =>
  n % 2 ** 20 === 0 ? `${n / 2 ** 20}m` : n % 1024 === 0 ? `${n / 1024}k` : String(n);

export const PROFILES: Record<ServerName, ServerProfile> = {
  parley: {
    name: 'parley',
    regWindow: 64,
    autoJoin: true,
    argv: (dir, port, setup) => [
      process.execPath,
      // Extra node flags for the server only (profiling, heap experiments): --cpu-prof and friends
      // are refused in NODE_OPTIONS, and NODE_OPTIONS would reach the load generator too.
      ...(process.env.PARLEY_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      // As the `parley` command runs it.
      ...shebangFlags(PARLEY_MAIN),
      PARLEY_MAIN,
      ...`serve --host ${HOST} --port ${port} --flood off --sendq ${bytesFlag(setup.sendq)} --max-clients 20000 --max-per-ip 20000 --default-channel`.split(
        ' ',
      ),
      setup.defaultChannel,
      // History on, in a fresh file of the run's own folder, as a server runs by default;
      // PARLEY_BENCH_DB=off (or :memory:) measures without it.
      '--db',
      process.env.PARLEY_BENCH_DB ?? path.join(dir, 'parley.db'),
      ...(process.env.PARLEY_BENCH_ARGS ?? '').split(' ').filter(Boolean),
    ],
    prepare: () => {},
  },
  ngircd: {
    name: 'ngircd',
    regWindow: 8,
    autoJoin: false,
    argv: (dir) => ['ngircd', '--nodaemon', '--config', path.join(dir, 'ngircd.conf')],
    prepare: (dir, port) => {
      fs.mkdirSync(path.join(dir, 'ngircd.d'));
      template('ngircd.conf', dir, port, {});
    },
  },
  inspircd: {
    name: 'inspircd',
    regWindow: 2000,
    autoJoin: false,
    argv: (dir) => [
      ...(process.getuid?.() === 0
        ? ['setpriv', '--reuid=irc', '--regid=irc', '--init-groups']
        : []),
      'inspircd',
      `--config=${path.join(dir, 'inspircd.conf')}`,
      '--nofork',
      '--nopid',
    ],
    prepare: (dir, port, setup) => {
      fs.copyFileSync(path.join(PEER_CONFIGS, 'bench.motd'), path.join(dir, 'bench.motd'));
      template('inspircd.conf', dir, port, {
        HARDSENDQ: String(setup.sendq),
        // it stops reading a client whose own queue is past this: never above the hard limit
        SOFTSENDQ: String(Math.min(setup.sendq, 16 * 1024 * 1024)),
      });
      // InspIRCd runs as irc: it must read its files and write its log in the dir.
      if (process.getuid?.() === 0) {
        const uid = Number(execFileSync('id', ['-u', 'irc'], { encoding: 'utf8' }));
        const gid = Number(execFileSync('id', ['-g', 'irc'], { encoding: 'utf8' }));
        for (const f of fs.readdirSync(dir)) fs.chownSync(path.join(dir, f), uid, gid);
        fs.chownSync(dir, uid, gid);
      }
    },
  },
};

/** Copy a config from bench/peers, filling in @PORT@, @DIR@ and each @NAME@ of `vars`. */
function template(file: string, dir: string, port: number, vars: Record<string, string>): void {
  let text = fs
    .readFileSync(path.join(PEER_CONFIGS, file), 'utf8')
    .replaceAll('@PORT@', String(port))
    .replaceAll('@DIR@', dir);
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`@${name}@`, value);
  if (/@[A-Z]+@/.test(text)) throw new Error(`${file}: a placeholder was left unfilled`);
  fs.writeFileSync(path.join(dir, file), text, { mode: 0o644 });
}

/** Whether the server can be run here (the peers are optional). */
export function installed(name: ServerName): boolean {
  if (name === 'parley') return fs.existsSync(PARLEY_MAIN);
  try {
    execFileSync('bash', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function version(name: ServerName): string {
  try {
    if (name === 'parley') {
      const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
        version: string;
      };
      const rev = execFileSync('git', ['-C', REPO, 'describe', '--always', '--dirty'], {
        encoding: 'utf8',
      }).trim();
      return `parley ${pkg.version} (${rev})`;
    }
    const out = execFileSync(name, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
    // "ngIRCd 26.1-IDENT+IPv6+…-x86_64/pc/linux-gnu": the build features are noise here
    return out.replace(/^(ngIRCd [\d.]+)-\S+$/, '$1');
  } catch {
    return name;
  }
}

/** Quote for bash. */
export function shq(s: string): string {
  return /^[\w./=:@%+,-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

/** A command for people: `node` for this Node binary, paths relative to the repository. */
export function readable(script: string): string {
  return script.replaceAll(process.execPath, 'node').replaceAll(REPO, '');
}

/**
 * `ulimit -n HARD; exec taskset -c CORE argv…`: the bash script (for `bash -c`) that runs argv.
 * `core` is one core or a taskset list ('0-1': any of them).
 */
export function pinned(core: number | string, argv: string[]): string {
  return `ulimit -n "$(ulimit -Hn)"; exec taskset -c ${core} ${argv.map(shq).join(' ')}`;
}

export interface RunningServer {
  pid: number;
  port: number;
  /** The exact bash script that started it, with the temp dir as $DIR and the port as $PORT. */
  command: string;
  stop(): Promise<void>;
}

/** Start a fresh server pinned to `core`; resolves once it accepts connections. */
/** How long a server may take to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 15_000;

export async function startServer(
  profile: ServerProfile,
  core: number | string,
  setup: ServerSetup = BENCH_SETUP,
): Promise<RunningServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${profile.name}-`));
  fs.chmodSync(dir, 0o755);
  profile.prepare(dir, port, setup);
  const script = pinned(core, profile.argv(dir, port, setup));
  const errLog = fs.openSync(path.join(dir, 'stderr.log'), 'w');
  const child: ChildProcess = spawn('bash', ['-c', script], {
    stdio: ['ignore', 'ignore', errLog],
  });
  fs.closeSync(errLog);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const pid = child.pid ?? -1;
  let started = false;
  const stop = async () => {
    if (exited) {
      // It died during the run: say why, before its directory (and log) goes. (A server that
      // never started is reported by the caller with the same tail.)
      if (started) {
        process.stderr.write(
          `${profile.name} exited before the run ended: ${readTail(path.join(dir, 'stderr.log'))}\n`,
        );
      }
    } else {
      child.kill('SIGTERM');
      // parley exits once its history writer has drained the pipe (10 s at most, pipe.ts): killed
      // before that, the writer would go on draining into the next run.
      await Promise.race([exit, sleep(STOP_GRACE_MS)]);
      if (!exited) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    // let the kernel release the port
    for (let i = 0; i < 100 && (await canConnect(port)); i++) await sleep(50);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      const why = readTail(path.join(dir, 'stderr.log'));
      await stop();
      throw new Error(`${profile.name} did not start: ${why}`);
    }
    await sleep(50);
  }
  started = true;
  const command = readable(script).replaceAll(dir, '$DIR').replaceAll(String(port), '$PORT');
  return { pid, port, command, stop };
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ') || 'no output';
  } catch {
    return 'no output';
  }
}

/** A port nobody listens on now (other people's servers may share this machine). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port });
    s.once('connect', () => {
      s.resetAndDestroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
