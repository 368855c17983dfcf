// Latency histogram (allocation-free recording) and the small statistics the report needs.

/** 1 µs buckets up to 100 ms, then 100 µs buckets up to 10.1 s; anything later lands in the last. */
const FINE = 100_000;
const COARSE = 100_000;
const COARSE_STEP = 100;

export class LatencyHistogram {
  private readonly counts = new Uint32Array(FINE + COARSE);
  count = 0;
  maxUs = 0;
  private sumUs = 0;

  record(us: number): void {
    if (us < 0) us = 0;
    const i =
      us < FINE ? us | 0 : Math.min(FINE + (((us - FINE) / COARSE_STEP) | 0), FINE + COARSE - 1);
    this.counts[i]++;
    this.count++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** The q-quantile (0..1) in milliseconds, NaN when empty. */
  quantileMs(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return (i < FINE ? i : FINE + (i - FINE) * COARSE_STEP) / 1000;
    }
    return this.maxUs / 1000;
  }

  meanMs(): number {
    return this.count === 0 ? NaN : this.sumUs / this.count / 1000;
  }
}

export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Relative spread (max - min) / median, to show how noisy the repeats were. */
export function spread(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length < 2) return 0;
  const m = median(v);
  return m === 0 ? 0 : (Math.max(...v) - Math.min(...v)) / m;
}
