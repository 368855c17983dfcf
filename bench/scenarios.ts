// The benchmark scenarios: what each measures, their default and --quick sizes, and the result record.

export type Kind = 'fanout' | 'direct' | 'idle' | 'connect' | 'lobby' | 'flood';
/** The number a scenario is judged by. */
export type Metric = 'throughput' | 'latency' | 'memory' | 'connect' | 'arrival' | 'flood';

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
  /**
   * Messages per sender sent but not yet delivered everywhere (flow control). 0 with rate 0: no
   * window at all, each sender writes all its messages at once (a blast).
   */
  window: number;
  /** A sender tops its window up once this many messages are free (lines per write). */
  batch: number;
  /** Filler bytes after the fixed 28-byte payload fields. */
  pad: number;
}

const base = { senders: 0, messages: 0, rate: 0, window: 0, batch: 1, pad: 24 };

/** The channel of the lobby and flood scenarios (parley's default channel). */
export const LOBBY = '#lobby';
/** Pad for 450-byte flood lines: `PRIVMSG #lobby :` (16) + 28 payload-field bytes + pad + CR LF. */
const FLOOD_PAD = 450 - 16 - 28 - 2;
/**
 * The hard send queue every server gets in the flood scenario: parley's default (--sendq 1m) and
 * the hardsendq of InspIRCd's example config; ngircd's is fixed (32 KiB past what the kernel
 * holds). The other scenarios lift it to 64 MiB, under which the flood's 13.5 MB would cut nobody.
 */
export const FLOOD_SENDQ = 1024 * 1024;

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
    name: 'fanout-rate-200',
    kind: 'fanout',
    metric: 'latency',
    clients: 200,
    // Five senders at 50 msg/s each: 50 k deliveries/s, the load of fanout-rate's one sender.
    senders: 5,
    messages: 250,
    rate: 50,
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
  {
    ...base,
    name: 'blast',
    kind: 'fanout',
    metric: 'throughput',
    clients: 200,
    senders: 10,
    messages: 2000,
  },
  {
    ...base,
    name: 'direct-blast',
    kind: 'direct',
    metric: 'throughput',
    clients: 500,
    senders: 500,
    messages: 100,
  },
  { ...base, name: 'connect', kind: 'connect', metric: 'connect', clients: 2000 },
  { ...base, name: 'lobby', kind: 'lobby', metric: 'arrival', clients: 2000 },
  {
    ...base,
    name: 'flood',
    kind: 'flood',
    metric: 'flood',
    clients: 3,
    senders: 1,
    messages: 30_000,
    pad: FLOOD_PAD,
  },
  { ...base, name: 'idle-2k', kind: 'idle', metric: 'memory', clients: 2000 },
  { ...base, name: 'idle', kind: 'idle', metric: 'memory', clients: 19_900 },
];

/** Sizes for `--quick`: every scenario in a second or two. */
const QUICK: Record<string, Partial<Scenario>> = {
  fanout: { clients: 50, senders: 4, messages: 300 },
  'fanout-wide': { clients: 200, senders: 5, messages: 30 },
  direct: { clients: 100, senders: 100, messages: 20 },
  'fanout-rate-200': { clients: 50, senders: 5, messages: 50 },
  'fanout-rate': { clients: 200, senders: 1, messages: 50 },
  'direct-rate': { clients: 100, senders: 100, messages: 4 },
  blast: { clients: 50, senders: 4, messages: 300 },
  'direct-blast': { clients: 100, senders: 100, messages: 20 },
  connect: { clients: 300 },
  lobby: { clients: 300 },
  // 9 MB: more than a stalled reader's socket buffers and a 1 MiB send queue hold
  flood: { messages: 20_000 },
  'idle-2k': { clients: 300 },
  idle: { clients: 1000 },
};

/** One-line description of a scenario at its current sizes. */
export function describe(s: Scenario): string {
  const batch = s.batch > 1 ? `, ${s.batch} lines per write` : '';
  const pace =
    s.rate > 0
      ? `at ${s.rate} msg/s each`
      : isBlast(s)
        ? 'each sender writing all at once, no window (what the server does not read waits in the generator)'
        : `as fast as a window of ${s.window} allows${batch}`;
  const n = (v: number) => v.toLocaleString('en-US');
  switch (s.kind) {
    case 'fanout':
      return `${s.clients} clients in one channel, ${s.senders} senders × ${s.messages} messages ${pace}`;
    case 'direct':
      return `${s.clients} clients × ${s.messages} private messages to random others ${pace}`;
    case 'connect':
      return `${s.clients} connections, connect → 001`;
    case 'idle':
      return `${n(s.clients)} registered idle connections held (RSS per connection, all answer PING)`;
    case 'lobby':
      return (
        `${n(s.clients)} clients arriving into ${LOBBY} (done at 001, own JOIN and end of NAMES; parley ` +
        `joins them itself, ngircd and InspIRCd clients send JOIN after 001) against the same ` +
        `with no channel (done at 001)`
      );
    case 'flood':
      return (
        `3 members of ${LOBBY}: one writes ${n(s.messages)} lines of ${46 + s.pad} bytes as fast as its socket takes them, ` +
        `one reads continuously, one never reads after joining; flood control off, ` +
        `hard send queue ${FLOOD_SENDQ / 1024 / 1024} MiB (parley --sendq, InspIRCd hardsendq; ngircd: its fixed 32 KiB)`
      );
  }
}

/** Fan-out or private messages with no window and no rate: every sender writes everything at once. */
export function isBlast(s: Scenario): boolean {
  return (s.kind === 'fanout' || s.kind === 'direct') && s.rate <= 0 && s.window === 0;
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
    if (s.kind === 'flood') [s.clients, s.senders] = [3, 1];
    const messaging = s.kind === 'fanout' || s.kind === 'direct' || s.kind === 'flood';
    if (s.clients < (messaging ? 2 : 1)) throw new Error(`${s.name}: too few clients`);
    if (messaging && (s.senders < 1 || s.messages < 1))
      throw new Error(`${s.name}: needs senders and messages`);
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
  /** Server CPU over the window, % of one core (its child processes included). */
  serverCpuPct: number;
  /** Of serverCpuPct, what the server's child processes used (parley: the history writer). */
  helperCpuPct: number;
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
  /** Registrations (lobby: arrivals) per second. */
  connectsPerS: number;
  /** Server CPU (user + system) per registration or arrival, ms. */
  cpuMsPerConn: number;
  /** lobby: connectsPerS and cpuMsPerConn of the run without the channel. */
  connectsPerSWithout: number;
  cpuMsPerConnWithout: number;
  /** flood: 1 when the live reader got every line once, in order, and stayed connected; else 0. */
  liveComplete: number;
  /** flood: 1 when the reader that stopped reading was disconnected by the server; else 0. */
  stalledCut: number;
  /** flood: 1 when the flooder was disconnected; else 0. */
  senderCut: number;
  /** flood: the flooder's lines handed to the kernel per second (what the server let it send). */
  sendLinesPerS: number;
  /** flood: why the stalled reader was cut (its QUIT or ERROR text), '' when not seen. */
  cutReason: string;
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
    helperCpuPct: NaN,
    genCpuPct: NaN,
    otherCpuPct: NaN,
    stealPct: NaN,
    serverPeakRssKiB: NaN,
    rssPerConnKiB: NaN,
    held: NaN,
    connectsPerS: NaN,
    cpuMsPerConn: NaN,
    connectsPerSWithout: NaN,
    cpuMsPerConnWithout: NaN,
    liveComplete: NaN,
    stalledCut: NaN,
    senderCut: NaN,
    sendLinesPerS: NaN,
    cutReason: '',
  };
}

/**
 * One lobby result from its two runs (each against a fresh server): the run with the channel,
 * carrying the run without it in the `…Without` fields.
 */
export function mergeLobby(without: RunResult, withChannel: RunResult): RunResult {
  return {
    ...withChannel,
    ok: withChannel.ok && without.ok,
    notes: [...withChannel.notes, ...without.notes.map((n) => `without the channel: ${n}`)],
    connectsPerSWithout: without.connectsPerS,
    cpuMsPerConnWithout: without.cpuMsPerConn,
    // the run is as disturbed as its worse half
    otherCpuPct: Math.max(withChannel.otherCpuPct, without.otherCpuPct),
    stealPct: Math.max(withChannel.stealPct, without.stealPct),
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
