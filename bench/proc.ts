// Reads a server process's CPU time and memory from /proc (and meters a run with it), and describes the machine for the report.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { RunResult } from './scenarios.js';

/** Clock ticks per second for /proc/PID/stat utime and stime (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/** CPU seconds [user, system] the process has used so far, or NaN when it is gone. */
export function cpuTimes(pid: number): [number, number] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) is in parentheses and may contain spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state(3) ppid(4) ... utime(14) stime(15) => indexes 11 and 12 here.
    return [Number(fields[11]) / TICKS_PER_SECOND, Number(fields[12]) / TICKS_PER_SECOND];
  } catch {
    return [NaN, NaN];
  }
}

/**
 * CPU seconds [user, system] of `pid` and of its child processes together (parley's history
 * writer is one), so the server's own helpers count as the server, not as other load.
 */
export function treeCpuTimes(pid: number): [number, number] {
  const own = cpuTimes(pid);
  const kids = childCpuSeconds(pid);
  return [own[0] + kids, own[1]];
}

/** CPU seconds (user + system) of `pid`'s child processes that are running now. */
export function childCpuSeconds(pid: number): number {
  let total = 0;
  for (const fields of childStats(pid))
    total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  return total;
}

/** The PIDs of `pid`'s child processes running now (parley's history writer). */
export function childPids(pid: number): number[] {
  return childStats(pid).map((fields) => Number(fields.at(-1)));
}

/** /proc/PID/stat fields after the command name of each child of `pid`, with the child's PID appended. */
function childStats(pid: number): string[][] {
  const out: string[][] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push([...fields, entry]);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds of the whole machine so far (all cores, from /proc/stat): user (with nice) and
 * steal. User time of processes other than ours shows whether other work disturbed a run.
 */
export function machineCpu(): { user: number; steal: number; busy: number } {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0];
    // user nice system idle iowait irq softirq steal ...
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0);
    return {
      user: (f[0] + f[1]) / TICKS_PER_SECOND,
      steal: (f[7] ?? 0) / TICKS_PER_SECOND,
      busy: busy / TICKS_PER_SECOND,
    };
  } catch {
    return { user: NaN, steal: NaN, busy: NaN };
  }
}

/** A field of /proc/PID/status in KiB (VmRSS, VmHWM, RssAnon: the anonymous part of RSS), or NaN when unavailable. */
export function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const at = status.indexOf(`${field}:`);
    if (at < 0) return NaN;
    return parseInt(status.slice(at + field.length + 1), 10);
  } catch {
    return NaN;
  }
}

/** The current process's CPU seconds [user, system] (the load generator's own use). */
export function selfCpuTimes(): [number, number] {
  const u = process.cpuUsage();
  return [u.user / 1e6, u.system / 1e6];
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  uname: string;
  node: string;
  openFiles: string;
}

export function machineInfo(uname: string, openFiles: string): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const info = readFileSync('/proc/cpuinfo', 'latin1');
    const m = /^model name\s*:\s*(.+)$/m.exec(info);
    const mhz = /^cpu MHz\s*:\s*([\d.]+)$/m.exec(info);
    if (m) cpuModel = m[1].trim() + (mhz ? ` @ ${Math.round(Number(mhz[1]))} MHz` : '');
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    cpuModel,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    uname,
    node: process.version,
    openFiles,
  };
}

/** Server, generator and everyone else's CPU over a window. */
export class Meter {
  private readonly server0: [number, number];
  private readonly helpers0: number;
  private readonly self0 = selfCpuTimes();
  private readonly machine0 = machineCpu();
  readonly t0 = performance.now();
  constructor(private readonly pid: number) {
    this.server0 = treeCpuTimes(pid);
    this.helpers0 = childCpuSeconds(pid);
  }
  /** Fill in the CPU shares of `r`; returns the server's CPU seconds over the window. */
  finish(r: RunResult): number {
    const secs = (performance.now() - this.t0) / 1000;
    const server = treeCpuTimes(this.pid);
    const self = selfCpuTimes();
    const machine = machineCpu();
    const pct = (s: number) => (s / secs) * 100;
    r.serverCpuPct = pct(server[0] + server[1] - this.server0[0] - this.server0[1]);
    r.helperCpuPct = pct(childCpuSeconds(this.pid) - this.helpers0);
    r.genCpuPct = pct(self[0] + self[1] - this.self0[0] - this.self0[1]);
    const ourUser = server[0] - this.server0[0] + self[0] - this.self0[0];
    r.otherCpuPct = Math.max(0, pct(machine.user - this.machine0.user - ourUser));
    r.stealPct = pct(machine.steal - this.machine0.steal);
    return server[0] + server[1] - this.server0[0] - this.server0[1];
  }
}
