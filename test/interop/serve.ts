// Interop helper: the real `parley serve` binary as a child process on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI, found relative to this compiled file (dist/test/interop → dist/src/cli). */
export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Everything the server printed on stdout (the chat console log) so far. */
  stdout(): string;
  /** Everything it printed on stderr (diagnostics) so far. */
  stderr(): string;
  /** Poll stdout until `pattern` matches; throws with the console so far on timeout. */
  waitForConsole(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Start `parley serve --host 127.0.0.1 --port 0 ...extra` and wait for its "listening" line. */
export async function startServe(extra: string[] = [], timeoutMs = 10_000): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s));
  child.on('error', () => {}); // reported through the start-up promise below
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const stop = async (graceMs = 5000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs);
    const onData = () => {
      const m = /listening on \S+:(\d+)/.exec(err);
      if (m) {
        cleanup();
        resolve(Number(m[1]));
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited early (code ${code}, signal ${signal})`);
    const onError = (e: Error) => fail(`could not start: ${e.message}`);
    function cleanup() {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    function fail(why: string) {
      cleanup();
      void stop(0).finally(() =>
        reject(new Error(`parley serve ${why}; stderr:\n${err}\nstdout:\n${out}`)),
      );
    }
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });

  return {
    child,
    port,
    stdout: () => out,
    stderr: () => err,
    async waitForConsole(pattern, timeout = 10_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const m = out.match(pattern);
        if (m) return m;
        if (Date.now() >= deadline)
          throw new Error(
            `timed out after ${timeout} ms waiting for ${String(pattern)} on the server console:\n${out}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop,
  };
}
