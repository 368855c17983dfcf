// Test helper: drive a terminal program in a detached tmux session (own socket): type keys, read the screen.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Is `command` installed? Runs `command ...args` (e.g. `--version`) and checks that it started. */
export function isInstalled(command: string, ...args: string[]): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined;
}

/**
 * Whether every tool of `tools` ([command, version flag] pairs, Debian package of the same name) is
 * installed. When one is missing, the test is skipped, but under CI=true it fails instead: the CI
 * script must install it.
 */
export function haveTools(t: TestContext, ...tools: [string, string][]): boolean {
  const missing = tools.filter(([cmd, flag]) => !isInstalled(cmd, flag)).map(([cmd]) => cmd);
  if (missing.length === 0) return true;
  const what = missing.join(' and ');
  const apt = `apt-get install -y ${missing.join(' ')}`;
  if (process.env.CI === 'true') {
    assert.fail(`${what} not installed, but CI=true: the CI script must install it (${apt})`);
  }
  t.skip(`${what} not installed (${apt}); this test only skips outside CI`);
  return false;
}

/** haveTools() for tmux, which every test of the real client in a terminal needs. */
export function haveTmux(t: TestContext): boolean {
  return haveTools(t, ['tmux', '-V']);
}

export interface TmuxOptions {
  /** The program and its arguments; run directly (no shell) when there are two or more. */
  command: string[];
  /** Socket path for a tmux server of our own, so tests never touch the user's tmux. */
  socket: string;
  /** Session name. */
  name?: string;
  width?: number;
  height?: number;
  cwd?: string;
  /** Extra environment for the program inside the pane. */
  env?: Record<string, string>;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Describes what is awaited, for the error message. */
  what?: string;
}

export class TmuxSession {
  private constructor(
    readonly socket: string,
    readonly name: string,
  ) {}

  /** Start a tmux server on `socket` with one detached session running `command`. */
  static async start(opts: TmuxOptions): Promise<TmuxSession> {
    const name = opts.name ?? 'test';
    const session = new TmuxSession(opts.socket, name);
    const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const args = [
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(opts.width ?? 200),
      '-y',
      String(opts.height ?? 50),
      ...(opts.cwd !== undefined ? ['-c', opts.cwd] : []),
      ...env,
      ...opts.command,
    ];
    await session.tmux(...args);
    return session;
  }

  /** Run one tmux command against this session's server; resolves with its stdout. */
  async tmux(...args: string[]): Promise<string> {
    // -f /dev/null: ignore any ~/.tmux.conf so the terminal behaves the same everywhere.
    const { stdout } = await run('tmux', ['-f', '/dev/null', '-S', this.socket, ...args], {
      timeout: 10_000,
      env: cleanEnv(),
    });
    return stdout;
  }

  /** Press keys by tmux name: 'Enter', 'C-c', 'Escape', 'Up', 'PageDown'... */
  async press(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Type `text` literally (no key-name interpretation), optionally followed by Enter. */
  async type(text: string, enter = true): Promise<void> {
    if (text.length > 0) await this.tmux('send-keys', '-t', this.name, '-l', text);
    if (enter) await this.press('Enter');
  }

  /** The visible screen as plain text (no colours), one line per row, trailing blanks trimmed. */
  async capture(): Promise<string> {
    const out = await this.tmux('capture-pane', '-p', '-t', this.name);
    return out
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trimEnd();
  }

  /** Poll the screen until `pattern` matches it; returns the match. Throws with the last screen on timeout. */
  async waitForScreen(pattern: RegExp, opts: WaitOptions = {}): Promise<RegExpMatchArray> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    for (;;) {
      try {
        screen = await this.capture();
      } catch (err) {
        if (!(await this.isAlive()))
          throw new Error(
            `tmux session ${this.name} ended while waiting for ${opts.what ?? String(pattern)}`,
            { cause: err },
          );
        throw err;
      }
      const m = screen.match(pattern);
      if (m) return m;
      if (Date.now() >= deadline)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${opts.what ?? String(pattern)} on screen:\n` +
            screen,
        );
      await sleep(opts.intervalMs ?? 100);
    }
  }

  /** Is the session (and so the program in it) still running? */
  async isAlive(): Promise<boolean> {
    try {
      await this.tmux('has-session', '-t', this.name);
      return true;
    } catch {
      return false;
    }
  }

  /** Wait until the program exits and its session closes; throws on timeout. */
  async waitForExit(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (await this.isAlive()) {
      if (Date.now() >= deadline)
        throw new Error(`tmux session ${this.name} still running after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** Stop our tmux server (and everything in it). Safe to call more than once. */
  async kill(): Promise<void> {
    try {
      await this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}

/**
 * Our environment, minus what would confuse tmux or the program in the pane: an enclosing tmux
 * session, and node's test-runner marker (a node program in the pane is not a test file).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: process.env.TERM ?? 'xterm-256color' };
  delete env.TMUX;
  delete env.TMUX_PANE;
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
