// The server's memory during a soak (RSS from /proc, the V8 heap and external memory from soak-heap.ts, the history writer's RSS) and whether it grows after warm-up.
import fs from 'node:fs';
import { childPids, statusKiB } from './proc.js';

export interface MemSample {
  /** Seconds since the soak started. */
  t: number;
  rssKiB: number;
  /** The anonymous part of RSS (heaps, buffers): what a leak grows. */
  anonKiB: number;
  /** The V8 heap in use: the lowest reading since the previous sample, so close to after a GC. */
  heapKiB: number;
  heapTotalKiB: number;
  /** Memory outside the V8 heap that it points to (Buffers, sockets' read buffers), last reading. */
  externalKiB: number;
  /** The history writer process (parley's child) with its SQLite cache. */
  writerKiB: number;
  /** Clients connected and registered at the time. */
  online: number;
}

export class MemorySampler {
  private offset = 0;
  private carry = '';
  private heapTotal = NaN;
  private external = NaN;

  constructor(
    readonly pid: number,
    /** The file the server's soak-heap.ts appends to. */
    readonly heapFile: string,
  ) {}

  sample(t: number, online: number): MemSample {
    let writerKiB = 0;
    for (const child of childPids(this.pid)) writerKiB += statusKiB(child, 'VmRSS') || 0;
    return {
      t,
      rssKiB: statusKiB(this.pid, 'VmRSS'),
      anonKiB: statusKiB(this.pid, 'RssAnon'),
      heapKiB: this.lowestHeap(),
      heapTotalKiB: this.heapTotal,
      externalKiB: this.external,
      writerKiB,
      online,
    };
  }

  /** The smallest heap-in-use among the probe's lines since the last call (KiB), NaN when none. */
  private lowestHeap(): number {
    let text = '';
    try {
      const fd = fs.openSync(this.heapFile, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const buf = Buffer.alloc(Math.max(0, size - this.offset));
        fs.readSync(fd, buf, 0, buf.length, this.offset);
        this.offset = size;
        text = buf.toString('latin1');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return NaN;
    }
    const lines = (this.carry + text).split('\n');
    this.carry = lines.pop() ?? '';
    let lowest = Infinity;
    for (const line of lines) {
      const [, used, total, external] = line.split(' ').map(Number);
      if (!(used > 0)) continue;
      lowest = Math.min(lowest, used / 1024);
      this.heapTotal = total / 1024;
      this.external = external / 1024;
    }
    return Number.isFinite(lowest) ? lowest : NaN;
  }
}

export interface Trend {
  /** Samples fitted (those after warm-up). */
  points: number;
  /** The least-squares line's value at the first and last fitted sample, KiB. */
  startKiB: number;
  endKiB: number;
  slopeKiBPerHour: number;
  /** (end - start) / start, %. */
  growthPct: number;
  flat: boolean;
}

/**
 * A least-squares line through `pick` of the samples after `warmupS`: memory is flat when the line
 * rises by at most `maxGrowthPct` % over that span (or falls). Fewer than 3 samples: flat, unjudged.
 */
export function trend(
  samples: readonly MemSample[],
  pick: (s: MemSample) => number,
  warmupS: number,
  maxGrowthPct: number,
): Trend {
  const pts = samples.filter((s) => s.t >= warmupS && Number.isFinite(pick(s)));
  const n = pts.length;
  if (n < 3)
    return {
      points: n,
      startKiB: NaN,
      endKiB: NaN,
      slopeKiBPerHour: NaN,
      growthPct: NaN,
      flat: true,
    };
  const mx = pts.reduce((a, s) => a + s.t, 0) / n;
  const my = pts.reduce((a, s) => a + pick(s), 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of pts) {
    sxy += (s.t - mx) * (pick(s) - my);
    sxx += (s.t - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const startKiB = my + slope * (pts[0].t - mx);
  const endKiB = my + slope * (pts[n - 1].t - mx);
  const growthPct = ((endKiB - startKiB) / startKiB) * 100;
  return {
    points: n,
    startKiB,
    endKiB,
    slopeKiBPerHour: slope * 3600,
    growthPct,
    flat: !(growthPct > maxGrowthPct),
  };
}
