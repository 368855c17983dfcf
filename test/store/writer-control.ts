// Test helpers around a history writer process: stop it (so its pipe backs up), let it go on, wait with a bound, read its console's clock.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { PipeStore } from '../../src/store/pipe.js';

/** The writer process of a store (a private field: the tests stop and kill it). */
export function writerOf(store: PipeStore): ChildProcess {
  return (store as unknown as { child: ChildProcess }).child;
}

/** Fails with `what` when `p` takes longer than a few seconds. */
export async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within 5 s`)), 5000);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Wait, without giving the event loop a turn, until process `pid` is in `state` (/proc: T
 * stopped, Z exited but not yet reaped, so this process has not heard of it).
 */
export function waitState(pid: number, state: 'T' | 'Z'): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 5000; i++) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ...: comm may hold spaces, so read after its closing parenthesis.
    if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] === state) return;
    Atomics.wait(pause, 0, 0, 1);
  }
  assert.fail(`process ${pid} not in state ${state} after 5 s`);
}

/**
 * For each writer stopped now, a shell that lets it go on in 30 s: should this file be killed
 * first (a run that timed out), the writer then reads the end of its input and exits.
 */
const guards = new Map<number, ChildProcess>();

/** Stop the writer (SIGSTOP): it reads nothing more until cont(). */
export function stop(writer: ChildProcess): void {
  const pid = writer.pid!;
  const guard = spawn('sh', ['-c', `sleep 30; kill -CONT ${pid}`], {
    detached: true,
    stdio: 'ignore',
  });
  guard.unref();
  guards.set(pid, guard);
  process.kill(pid, 'SIGSTOP');
  waitState(pid, 'T');
}

/** Let a stopped writer go on, or forget its guard when it is gone. */
export function cont(writer: ChildProcess): void {
  const pid = writer.pid!;
  if (writer.exitCode === null && writer.signalCode === null) process.kill(pid, 'SIGCONT');
  const guard = guards.get(pid);
  guards.delete(pid);
  if (guard?.pid !== undefined && guard.exitCode === null) process.kill(-guard.pid, 'SIGKILL');
}

/** The messages onError is given, from now on. */
export function reports(store: PipeStore): string[] {
  const seen: string[] = [];
  store.onError = (err) => seen.push(err.message);
  return seen;
}

/** The console's clock for `ms` (local HH:MM:SS), as the server's chat log shows it. */
export function hhmmss(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}
