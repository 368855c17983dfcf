// Interop helper for the full-screen client tests: `parley connect` in a tmux pane of its own (a shell around it that reports its exit code), with the screen's rows and the client's PID at hand.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TmuxSession } from '../helpers/tmux.js';
import { MAIN } from './serve.js';

/** `parley connect` in its tmux pane: its screen, waits on it, and its process. */
export interface ClientPane {
  tmux: TmuxSession;
  /** Wait for `re` on the screen; `what` names it in the error. */
  wait(re: RegExp, what: string, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The screen, one string per row. */
  rows(): Promise<string[]>;
  /** The client's process id (the node process under the pane's shell). */
  pid(): Promise<number>;
}

/**
 * Run `parley connect 127.0.0.1:PORT ...args` in a `width`x`height` tmux pane named `name`, its
 * socket in `dir`. After the client ends the pane shows `exit=CODE` and stays open.
 */
export async function clientPane(opts: {
  dir: string;
  port: number;
  name: string;
  args: string[];
  width: number;
  height: number;
}): Promise<ClientPane> {
  const script = `node "$0" connect "$@"; echo "exit=$?"; exec sleep 60`;
  const tmux = await TmuxSession.start({
    socket: path.join(opts.dir, 'tmux.sock'),
    name: opts.name,
    width: opts.width,
    height: opts.height,
    cwd: opts.dir,
    env: { TERM: 'xterm-256color', LANG: 'C.UTF-8', HOME: opts.dir },
    command: ['sh', '-c', script, MAIN, `127.0.0.1:${opts.port}`, '--no-config', ...opts.args],
  });
  return {
    tmux,
    wait: (re, what, timeoutMs = 10_000) => tmux.waitForScreen(re, { timeoutMs, what }),
    rows: async () => (await tmux.capture()).split('\n'),
    pid: async () => {
      const shell = Number(
        (await tmux.tmux('display', '-p', '-t', opts.name, '#{pane_pid}')).trim(),
      );
      const child = childOf(shell);
      assert.ok(child !== null, `no client process under the pane's shell (${shell})`);
      return child;
    },
  };
}

/** The first process whose parent is `pid`, from /proc; null when there is none. */
function childOf(pid: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}
