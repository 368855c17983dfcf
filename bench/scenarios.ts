// The benchmark scenarios: what each measures, their default and --quick sizes, and the result record.

export type Kind = 'fanout' | 'direct' | 'idle' | 'connect';
/** The number a scenario is judged by. */
export type Metric = 'throughput' | 'latency' | 'memory' | 'connect';

export interface Scenario {
  name: string;
  kind: Kind;
  metric: Metric;
  /** Registered connections (fanout: all in one channel). */
  clients: number;
  /** Clients that send (fanout: the first `senders` members; direct: every client). */
  senders: number;
  /** Messages per sender. */
  messages: number;
  /** Messages per second per sender; 0 = as fast as the window allows. */
  rate: number;
  /** Messages per sender sent but not yet delivered everywhere (flow control). */
  window: number;
  /** A sender tops its window up once this many messages are free (lines per write). */
  batch: number;
  /** Filler bytes after the fixed 28-byte payload fields. */
  pad: number;
}

const base = { senders: 0, messages: 0, rate: 0, window: 0, batch: 1, pad: 24 };

export const SCENARIOS: readonly Scenario[] = [
  {
    ...base,
    name: 'fanout',
    kind: 'fanout',
    metric: 'throughput',
    clients: 200,
    senders: 10,
    messages: 2000,
    window: 32,
  },
  {
    ...base,
    name: 'fanout-wide',
    kind: 'fanout',
    metric: 'throughput',
    clients: 1000,
    senders: 5,
    messages: 100,
    window: 32,
  },
  {
    ...base,
    name: 'direct',
    kind: 'direct',
    metric: 'throughput',
    clients: 500,
    senders: 500,
    messages: 600,
    window: 16,
    batch: 8,
  },
  {
    ...base,
    name: 'fanout-rate',
    kind: 'fanout',
    metric: 'latency',
    clients: 1000,
    // One sender: 50 k deliveries/s leaves the generator at ~50% of its core. With 2 or 5 it sat at
    // 94-100% for every server, and measured its own queueing (p99 25-26 ms for all three).
    senders: 1,
    messages: 250,
    rate: 50,
  },
  {
    ...base,
    name: 'direct-rate',
    kind: 'direct',
    metric: 'latency',
    clients: 500,
    senders: 500,
    messages: 10,
    rate: 2,
  },
  { ...base, name: 'connect', kind: 'connect', metric: 'connect', clients: 2000 },
  { ...base, name: 'idle', kind: 'idle', metric: 'memory', clients: 19_900 },
];

/** Sizes for `--quick`: every scenario in a second or two. */
const QUICK: Record<string, Partial<Scenario>> = {
  fanout: { clients: 50, senders: 4, messages: 300 },
  'fanout-wide': { clients: 200, senders: 5, messages: 30 },
  direct: { clients: 100, senders: 100, messages: 20 },
  'fanout-rate': { clients: 200, senders: 1, messages: 50 },
  'direct-rate': { clients: 100, senders: 100, messages: 4 },
  connect: { clients: 300 },
  idle: { clients: 1000 },
};

/** One-line description of a scenario at its current sizes. */
export function describe(s: Scenario): string {
  const batch = s.batch > 1 ? `, ${s.batch} lines per write` : '';
  const pace =
    s.rate > 0 ? `at ${s.rate} msg/s each` : `as fast as a window of ${s.window} allows${batch}`;
  switch (s.kind) {
    case 'fanout':
      return `${s.clients} clients in one channel, ${s.senders} senders × ${s.messages} messages ${pace}`;
    case 'direct':
      return `${s.clients} clients × ${s.messages} private messages to random others ${pace}`;
    case 'connect':
      return `${s.clients} connections, connect → 001`;
    case 'idle':
      return `${s.clients} registered idle connections held (RSS per connection, all answer PING)`;
  }
}

/**
 * The scenarios selected by name (all when `names` is empty), with --quick sizes and `overrides`
 * ("fanout.clients=300") applied.
 */
export function selectScenarios(names: string[], quick: boolean, overrides: string[]): Scenario[] {
  const known = new Set(SCENARIOS.map((s) => s.name));
  for (const n of names) if (!known.has(n)) throw new Error(`unknown scenario: ${n}`);
  const picked = SCENARIOS.filter((s) => names.length === 0 || names.includes(s.name)).map((s) => ({
    ...s,
    ...(quick ? QUICK[s.name] : {}),
  }));
  for (const o of overrides) {
    const m = /^([\w-]+)\.(\w+)=(\d+)$/.exec(o);
    if (!m) throw new Error(`bad --set ${o} (want SCENARIO.FIELD=NUMBER)`);
    const [, name, field, value] = m;
    const target = picked.find((s) => s.name === name);
    if (!target) {
      if (!known.has(name)) throw new Error(`unknown scenario in --set: ${name}`);
      continue;
    }
    if (!['clients', 'senders', 'messages', 'rate', 'window', 'batch', 'pad'].includes(field))
      throw new Error(`unknown field in --set: ${field}`);
    (target as unknown as Record<string, number>)[field] = Number(value);
  }
  for (const s of picked) {
    if (s.kind === 'direct') s.senders = s.clients;
    const messaging = s.kind === 'fanout' || s.kind === 'direct';
    if (s.clients < (messaging ? 2 : 1)) throw new Error(`${s.name}: too few clients`);
    if (messaging && (s.senders < 1 || s.messages < 1 || (s.rate <= 0 && s.window < 1)))
      throw new Error(`${s.name}: needs senders, messages and a rate or a window`);
    if (s.batch < 1 || s.batch > Math.max(1, s.window))
      throw new Error(`${s.name}: batch must be 1..window`);
  }
  return picked;
}

/** What one run of one scenario against one server measured. NaN where not applicable. */
export interface RunResult {
  scenario: string;
  /** Every expected message delivered once, in order; every connection registered and held. */
  ok: boolean;
  notes: string[];
  registered: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Seconds of the measured window (first send to last delivery; first connect to last 001). */
  seconds: number;
  deliveriesPerS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Server CPU over the window, % of one core. */
  serverCpuPct: number;
  /** The load generator's own CPU over the window, % of one core. */
  genCpuPct: number;
  /**
   * User CPU of every other process on the machine over the window, % of one core (ticks are
   * 10 ms, so a few % is noise): other work that may have disturbed the run.
   */
  otherCpuPct: number;
  /** CPU stolen by the hypervisor over the window, % of one core. */
  stealPct: number;
  serverPeakRssKiB: number;
  rssPerConnKiB: number;
  /** Connections that answered a PING after all had registered (idle). */
  held: number;
  connectsPerS: number;
}

export function emptyResult(scenario: string): RunResult {
  return {
    scenario,
    ok: false,
    notes: [],
    registered: 0,
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    seconds: NaN,
    deliveriesPerS: NaN,
    p50Ms: NaN,
    p99Ms: NaN,
    maxMs: NaN,
    serverCpuPct: NaN,
    genCpuPct: NaN,
    otherCpuPct: NaN,
    stealPct: NaN,
    serverPeakRssKiB: NaN,
    rssPerConnKiB: NaN,
    held: NaN,
    connectsPerS: NaN,
  };
}

/** JSON for results: NaN travels as null. */
export function resultToJson(r: RunResult): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && isNaN(v) ? null : v));
}

export function resultFromJson(text: string): RunResult {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const r = emptyResult(String(raw.scenario));
  for (const [k, v] of Object.entries(raw))
    (r as unknown as Record<string, unknown>)[k] = v === null ? NaN : v;
  return r;
}
