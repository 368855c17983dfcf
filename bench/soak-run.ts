// One soak against a running server: drives the simulated users for the set time, samples the server's memory, winds down, and returns every count with a verdict.
import fs from 'node:fs';
import { xorshift } from './flows.js';
import { sleep } from './loadgen.js';
import { SoakClients } from './soak-client.js';
import { channelName, type Behaviour, type ClientStats } from './soak-session.js';
import { Ledger, type Counts } from './soak-ledger.js';
import { MemorySampler, trend, type MemSample, type Trend } from './soak-memory.js';

export interface SoakOptions extends Behaviour {
  seconds: number;
  /** Memory before this is warm-up, left out of the trend. */
  warmupS: number;
  sampleS: number;
  progressS: number;
  /** Memory counts as growing when its fitted line rises more than this, %, after warm-up. */
  maxGrowthPct: number;
  seed: number;
  /** The server's flood control: lines at once, then lines per second. */
  floodBurst: number;
  floodRate: number;
}

/** The soak's defaults: 300 users in 10 channels of about 90, each talking every 10 s or so. */
export const DEFAULTS: SoakOptions = {
  seconds: 30 * 60,
  clients: 300,
  channels: 10,
  perClient: 3,
  keepers: 0.1,
  chatS: 10,
  privateShare: 0.1,
  sessionS: 60,
  offlineS: 10,
  partS: 5,
  fenceS: 10,
  historyLimit: 1000,
  warmupS: NaN,
  sampleS: 10,
  progressS: 30,
  maxGrowthPct: 10,
  seed: 1,
  floodBurst: 20,
  floodRate: 5,
};

/** Warm-up when not given: a fifth of the run, at most 5 minutes. */
export const warmupOf = (o: SoakOptions): number =>
  Number.isFinite(o.warmupS) ? o.warmupS : Math.min(300, o.seconds / 5);

export interface SoakTarget {
  host: string;
  port: number;
  pid: number;
  /** Where the server's soak-heap.ts writes. */
  heapFile: string;
}

export interface SoakResult {
  options: SoakOptions;
  startedAt: string;
  /** Seconds of load (the wind-down after it not counted). */
  elapsedS: number;
  samples: MemSample[];
  counts: Counts;
  clients: ClientStats;
  examples: string[];
  rss: Trend;
  heap: Trend;
  /** The server was gone before the soak ended. */
  serverDied: boolean;
  /** Why it failed (empty when it passed). */
  failures: string[];
}

const WIND_DOWN_MS = 30_000;

export async function runSoak(
  o: SoakOptions,
  target: SoakTarget,
  progress: (line: string) => void = () => {},
): Promise<SoakResult> {
  const rng = xorshift(o.seed * 0x9e3779b1);
  const random = () => rng() / 2 ** 32;
  const ledger = new Ledger(o.channels + o.clients, (c) =>
    c < o.channels ? channelName(c) : `soak${c - o.channels}`,
  );
  const clients = new SoakClients(target.host, target.port, o, ledger, random);
  const sampler = new MemorySampler(target.pid, target.heapFile);
  const samples: MemSample[] = [];
  // The probe's first line (the server loads it at start): so the first sample has a heap too.
  for (let i = 0; i < 30 && !(fileSize(target.heapFile) > 0); i++) await sleep(100);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  let serverDied = false;
  const ticker = setInterval(() => clients.tick(), 100);
  const sample = () => {
    const s = sampler.sample(elapsed(), clients.online());
    if (!Number.isFinite(s.rssKiB)) serverDied = true;
    else samples.push(s);
  };
  sample();
  let nextSample = o.sampleS;
  let nextProgress = o.progressS;
  try {
    while (elapsed() < o.seconds && !serverDied) {
      await sleep(Math.min(200, Math.max(1, (o.seconds - elapsed()) * 1000)));
      if (elapsed() >= nextSample) {
        sample();
        nextSample += o.sampleS;
      }
      if (elapsed() >= nextProgress) {
        progress(progressLine(elapsed(), clients, ledger.counts, samples.at(-1)));
        nextProgress += o.progressS;
      }
    }
    const elapsedS = elapsed();
    // Wind down: nobody starts anything new; answers still owed come in; then everyone QUITs,
    // which checks every stay a last time.
    clients.running = false;
    const until = performance.now() + WIND_DOWN_MS;
    while (clients.outstanding() > 0 && performance.now() < until && !serverDied) await sleep(50);
    clients.quitAll();
    while (clients.connected() > 0 && performance.now() < until + WIND_DOWN_MS) await sleep(50);
    if (clients.connected() > 0) {
      clients.clientStats.errors['still connected after the wind-down'] = clients.connected();
      clients.closeEverything();
    }
    return verdict(o, {
      options: o,
      startedAt,
      elapsedS,
      samples,
      counts: ledger.counts,
      clients: clients.clientStats,
      examples: ledger.examples,
      rss: trend(samples, (s) => s.rssKiB, warmupOf(o), o.maxGrowthPct),
      heap: trend(samples, (s) => s.heapKiB, warmupOf(o), o.maxGrowthPct),
      serverDied,
      failures: [],
    });
  } finally {
    clearInterval(ticker);
  }
}

function verdict(o: SoakOptions, r: SoakResult): SoakResult {
  const c = r.counts;
  const fail = (bad: boolean, why: string) => {
    if (bad) r.failures.push(why);
  };
  fail(r.serverDied, 'the server exited during the soak');
  fail(c.lost > 0, `${c.lost} messages lost`);
  fail(c.reorderedSender + c.reorderedConversation > 0, 'messages reordered');
  fail(c.duplicated > 0, `${c.duplicated} messages duplicated`);
  fail(c.mangled > 0, `${c.mangled} messages mangled`);
  fail(
    c.historyMissing + c.historyDuplicated + c.historyMangled > 0,
    'history did not hold the missed messages once each',
  );
  fail(r.clients.cut > 0, `${r.clients.cut} connections cut without being asked`);
  fail(!r.rss.flat, `RSS grew ${r.rss.growthPct.toFixed(1)}% after warm-up (> ${o.maxGrowthPct}%)`);
  fail(
    !r.heap.flat,
    `heap grew ${r.heap.growthPct.toFixed(1)}% after warm-up (> ${o.maxGrowthPct}%)`,
  );
  fail(c.expected === 0, 'nothing was checked');
  return r;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

export const mib = (kib: number): string => (Number.isFinite(kib) ? (kib / 1024).toFixed(1) : '—');
const n = (v: number): string => v.toLocaleString('en-US');

/** `[ 5:30] …`: one progress line. */
export function progressLine(
  t: number,
  clients: SoakClients,
  c: Counts,
  m: MemSample | undefined,
): string {
  const clock = `${Math.floor(t / 60)}:${String(Math.floor(t % 60)).padStart(2, '0')}`;
  const errors = Object.values(clients.clientStats.errors).reduce((a, b) => a + b, 0);
  return (
    `[${clock.padStart(6)}] ${clients.online()}/${clients.slots.length} online, ` +
    `${n(c.sent)} sent, ${n(c.deliveries)} delivered, ${n(c.lost)} lost, ` +
    `${n(c.reorderedSender + c.reorderedConversation)} reordered, ${n(c.historyFetches)} history ` +
    `fetches (${n(c.historyMissing)} missing), ${n(errors)} errors; server RSS ` +
    `${mib(m?.rssKiB ?? NaN)} MiB, heap ${mib(m?.heapKiB ?? NaN)} MiB`
  );
}
