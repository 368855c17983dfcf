// The processes of one typing run (`npm run bench:typing`, typing.ts): the server, the load generator, and the client in a pseudo-terminal, watched for what it draws.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sleep } from './loadgen.js';
import { REPO, shebangFlags, shq } from './peers.js';
import type { Options } from './typing.js';

const HOST = '127.0.0.1';
const MAIN = path.join(REPO, 'dist', 'src', 'cli', 'main.js');
const LOAD = fileURLToPath(new URL('./typing-load.js', import.meta.url));
export const NICK = 'typist';
/** A key not on the screen after this counts as this late, and the run says so. */
export const KEY_TIMEOUT_MS = 2000;

/** `argv` under `taskset -c core` when pinning. */
const onCore = (o: Options, core: number, argv: string[]): string[] =>
  o.pin ? ['taskset', '-c', String(core), ...argv] : argv;

/** A child started by us, stopped by its own PID: SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startServer(o: Options): Promise<{ child: ChildProcess; port: number }> {
  const argv = onCore(o, 0, [process.execPath, ...shebangFlags(MAIN), MAIN, 'serve']);
  const args = ['--host', HOST, '--port', '0', '--flood', 'off', '--db', 'off'];
  const child = spawn(argv[0], [...argv.slice(1), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`parley serve did not start: ${err}`)), 15_000);
    child.stderr?.on('data', (s: string) => {
      err += s;
      const m = /listening on \S+:(\d+)/.exec(err);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`parley serve exited (${code}): ${err}`)));
  });
  return { child, port };
}

/** The load generator's lines, one at a time, as they come. */
export class LoadProcess {
  readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private wake: (() => void) | null = null;

  constructor(o: Options, port: number) {
    const argv = onCore(o, 0, [process.execPath, LOAD]);
    const args = [String(port), String(o.background), String(o.visible)];
    this.child = spawn(argv[0], [...argv.slice(1), ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.wake?.();
    });
  }

  send(word: string): void {
    this.child.stdin?.write(word + '\n');
  }

  /** Wait for a line matching `re` (earlier lines that do not match are dropped). */
  async expect(re: RegExp, what: string, timeoutMs = 15_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.lines.length > 0) {
        const m = re.exec(this.lines.shift()!);
        if (m !== null) return m;
      }
      if (Date.now() > deadline) throw new Error(`load generator: no ${what}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 100);
      });
      this.wake = null;
    }
  }
}

/** The client in a pseudo-terminal: keys in, the screen's bytes out, watched for a string. */
export class Terminal {
  readonly child: ChildProcess;
  /** The client's PID (the shell in the pty prints its own, then execs the client). */
  pid = -1;
  bytes = 0;
  /** What arrived since the last watch() began: only that can hold the key just typed. */
  private fresh = '';
  /** The last 16 KiB, for reading the status line at the end. */
  recent = '';
  private want: { text: string; resolve: (t: number) => void } | null = null;

  constructor(o: Options, port: number, home: string) {
    const node = [process.execPath, ...shebangFlags(MAIN)];
    if (o.cpuProf !== null) node.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(o.cpuProf)}`);
    const client = onCore(o, 1, [
      ...node,
      MAIN,
      'connect',
      `${HOST}:${port}`,
      '--nick',
      NICK,
      '--channel',
      '#lobby,#dev',
      '--no-config',
    ]);
    const cmd = `echo "PID=$$"; stty cols ${o.width} rows ${o.height}; exec ${client.map(shq).join(' ')}`;
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    env.HOME = home;
    env.XDG_CONFIG_HOME = path.join(home, '.config');
    env.XDG_DATA_HOME = path.join(home, '.local', 'share');
    delete env.NO_COLOR;
    delete env.TMUX;
    this.child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env,
    });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (s: string) => {
      const now = performance.now();
      this.bytes += Buffer.byteLength(s);
      this.fresh += s;
      this.recent = (this.recent + s).slice(-16_384);
      if (this.pid < 0) {
        const m = /PID=(\d+)/.exec(this.recent);
        if (m !== null) this.pid = Number(m[1]);
      }
      if (this.want !== null && this.fresh.includes(this.want.text)) {
        const { resolve } = this.want;
        this.want = null;
        resolve(now);
      }
      // Keep only what a match could still start in.
      if (this.want === null || this.fresh.length > 65_536) this.fresh = this.fresh.slice(-256);
    });
  }

  type(keys: string): void {
    this.child.stdin?.write(keys);
  }

  /** Type `keys` and resolve with the ms until `text` appeared in the output after them (or null). */
  async typeUntil(keys: string, text: string, timeoutMs = KEY_TIMEOUT_MS): Promise<number | null> {
    this.fresh = '';
    const t0 = performance.now();
    const seen = new Promise<number>((resolve) => (this.want = { text, resolve }));
    this.type(keys);
    const late = sleep(timeoutMs).then(() => null);
    const t1 = await Promise.race([seen, late]);
    this.want = null;
    return t1 === null ? null : t1 - t0;
  }

  /** Wait for `text` in what is still to come, or in the last 16 KiB already come. */
  async waitFor(text: string, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.recent.includes(text)) {
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`client: no ${what} on the screen`);
      await sleep(50);
    }
  }
}
