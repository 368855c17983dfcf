// Turns the runs into medians, ratios and target verdicts: the console table and bench/RESULTS.md.
import type { ServerName } from './peers.js';
import type { MachineInfo } from './proc.js';
import type { Metric, RunResult, Scenario } from './scenarios.js';
import { median, spread } from './stats.js';

/** A generator this busy may itself be the limit: its server's number is then a lower bound. */
export const GEN_BUSY_PCT = 85;

export interface Aggregate {
  runs: RunResult[];
  /** Field-wise median over the runs. */
  median: RunResult;
  /** Every run delivered everything once, in order, and held every connection. */
  ok: boolean;
  /** Totals over the runs. */
  lost: number;
  duplicated: number;
  reordered: number;
  notes: string[];
}

export interface Report {
  servers: ServerName[];
  scenarios: { scenario: Scenario; description: string }[];
  /** Keyed "server/scenario". */
  results: Record<string, Aggregate>;
  runs: number;
  versions: Record<ServerName, string>;
  commands: Record<ServerName, string>;
  genCommand: string;
  /** Registrations in flight per server. */
  regWindows: Record<ServerName, number>;
  invocation: string;
  machine: MachineInfo;
  elapsedS: number;
  /** Seconds spent waiting for other processes to go quiet or repeating runs they disturbed. */
  disturbedS: number;
  date: string;
}

export function aggregate(
  servers: ServerName[],
  scenarios: Scenario[],
  runs: Map<string, RunResult[]>,
): Record<string, Aggregate> {
  const out: Record<string, Aggregate> = {};
  for (const server of servers)
    for (const sc of scenarios) {
      const rs = runs.get(`${server}/${sc.name}`) ?? [];
      if (rs.length === 0) continue;
      const med = { ...rs[0], notes: [] as string[] };
      for (const k of Object.keys(med) as (keyof RunResult)[]) {
        if (typeof rs[0][k] === 'number')
          (med as unknown as Record<string, number>)[k] = median(rs.map((r) => r[k] as number));
      }
      const sum = (k: 'lost' | 'duplicated' | 'reordered') => rs.reduce((a, r) => a + r[k], 0);
      out[`${server}/${sc.name}`] = {
        runs: rs,
        median: med,
        ok: rs.every((r) => r.ok),
        lost: sum('lost'),
        duplicated: sum('duplicated'),
        reordered: sum('reordered'),
        notes: [...new Set(rs.flatMap((r) => r.notes))],
      };
    }
  return out;
}

/** One headline row: the number a scenario is judged by. */
interface Headline {
  label: string;
  metric: Metric | 'held';
  pick: (r: RunResult) => number;
  higherIsBetter: boolean;
}

function headlines(sc: Scenario): Headline[] {
  switch (sc.metric) {
    case 'throughput':
      return [
        {
          label: 'deliveries/s',
          metric: 'throughput',
          pick: (r) => r.deliveriesPerS,
          higherIsBetter: true,
        },
      ];
    case 'latency':
      return [
        { label: 'p99 latency', metric: 'latency', pick: (r) => r.p99Ms, higherIsBetter: false },
      ];
    case 'connect':
      return [
        {
          label: 'connections/s',
          metric: 'connect',
          pick: (r) => r.connectsPerS,
          higherIsBetter: true,
        },
      ];
    case 'memory':
      return [
        {
          label: 'RSS per connection',
          metric: 'memory',
          pick: (r) => r.rssPerConnKiB,
          higherIsBetter: false,
        },
        { label: 'connections held', metric: 'held', pick: (r) => r.held, higherIsBetter: true },
      ];
  }
}

export function fmt(metric: Metric | 'held', v: number): string {
  if (!Number.isFinite(v)) return '—';
  switch (metric) {
    case 'throughput':
      return v >= 1e6 ? `${(v / 1e6).toFixed(2)} M/s` : `${(v / 1e3).toFixed(0)} k/s`;
    case 'latency':
      return `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
    case 'memory':
      return `${v.toFixed(2)} KiB`;
    case 'connect':
      return `${Math.round(v)}/s`;
    case 'held':
      return Math.round(v).toLocaleString('en-US');
  }
}

const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '—';

/** The target for this row, and whether parley meets it (null: no target or no data). */
function verdict(
  h: Headline,
  sc: Scenario,
  values: Map<ServerName, number>,
): [string, boolean | null] {
  const p = values.get('parley') ?? NaN;
  const peers = [...values]
    .filter(([s]) => s !== 'parley')
    .map(([, v]) => v)
    .filter(Number.isFinite);
  if (!Number.isFinite(p)) return ['', null];
  switch (h.metric) {
    case 'throughput':
      return peers.length
        ? ['≥ 1.0× better peer', p >= Math.max(...peers)]
        : ['≥ 1.0× better peer', null];
    case 'latency':
      return ['p99 ≤ 5 ms and < both peers', p <= 5 && peers.every((v) => p < v)];
    case 'memory': {
      const insp = values.get('inspircd');
      return insp === undefined ? ['≤ 2× InspIRCd', null] : ['≤ 2× InspIRCd', p <= 2 * insp];
    }
    case 'held':
      return [`all ${sc.clients.toLocaleString('en-US')}`, p >= sc.clients];
    case 'connect':
      return ['(none)', null];
  }
}

/** The headline table: one row per judged number, a column per server, ratios and the target. */
export function headlineTable(rep: Report): string[][] {
  const peers = rep.servers.filter((s) => s !== 'parley');
  const header = [
    'scenario',
    'metric',
    ...rep.servers,
    ...peers.map((p) => `parley/${p}`),
    'target',
    'met',
  ];
  const rows: string[][] = [header];
  for (const { scenario: sc } of rep.scenarios)
    for (const h of headlines(sc)) {
      const values = new Map<ServerName, number>();
      const cells: string[] = [];
      for (const s of rep.servers) {
        const agg = rep.results[`${s}/${sc.name}`];
        const v = agg ? h.pick(agg.median) : NaN;
        values.set(s, v);
        const busy =
          agg &&
          agg.median.genCpuPct >= GEN_BUSY_PCT &&
          h.metric !== 'memory' &&
          h.metric !== 'held';
        const bad = agg && !agg.ok ? ' ✗' : '';
        cells.push(fmt(h.metric, v) + (busy ? ' †' : '') + bad);
      }
      const p = values.get('parley') ?? NaN;
      const [target, met] = verdict(h, sc, values);
      rows.push([
        sc.name,
        h.label,
        ...cells,
        ...peers.map((peer) => ratio(p, values.get(peer) ?? NaN)),
        target,
        met === null ? '' : met ? 'yes' : 'NO',
      ]);
    }
  return rows;
}

/** Everything measured, per scenario and server. */
export function detailTable(rep: Report): string[][] {
  const rows: string[][] = [
    [
      'scenario',
      'server',
      'deliveries/s',
      'p50',
      'p99',
      'max',
      'lost/dup/reord',
      'conn/s',
      'KiB/conn',
      'server CPU',
      'gen CPU',
      'other CPU',
      'peak RSS',
      'spread',
      'ok',
    ],
  ];
  for (const { scenario: sc } of rep.scenarios)
    for (const s of rep.servers) {
      const agg = rep.results[`${s}/${sc.name}`];
      if (!agg) continue;
      const m = agg.median;
      const main = headlines(sc)[0];
      rows.push([
        sc.name,
        s,
        fmt('throughput', m.deliveriesPerS),
        fmt('latency', m.p50Ms),
        fmt('latency', m.p99Ms),
        fmt('latency', m.maxMs),
        sc.kind === 'fanout' || sc.kind === 'direct'
          ? `${agg.lost}/${agg.duplicated}/${agg.reordered}`
          : '—',
        fmt('connect', m.connectsPerS),
        Number.isFinite(m.rssPerConnKiB) ? m.rssPerConnKiB.toFixed(2) : '—',
        `${Math.round(m.serverCpuPct)}%`,
        `${Math.round(m.genCpuPct)}%`,
        `${Math.round((m.otherCpuPct || 0) + (m.stealPct || 0))}%`,
        `${(m.serverPeakRssKiB / 1024).toFixed(1)} MiB`,
        `±${Math.round((spread(agg.runs.map(main.pick)) * 100) / 2)}%`,
        agg.ok ? 'yes' : 'NO',
      ]);
    }
  return rows;
}

function aligned(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c + ' '.repeat(widths[i] - [...c].length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function markdown(rows: string[][]): string {
  const line = (r: string[]) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(rows[0]), line(rows[0].map(() => '---')), ...rows.slice(1).map(line)].join('\n');
}

export function consoleTable(rep: Report): string {
  const notes = problemNotes(rep);
  return [
    '',
    aligned(headlineTable(rep)),
    '',
    aligned(detailTable(rep)),
    '',
    `medians of ${rep.runs} run(s); † load generator ≥ ${GEN_BUSY_PCT}% CPU (the server may be faster than shown); ✗ a run lost, duplicated or reordered messages or connections`,
    ...notes,
  ].join('\n');
}

/** Per server and scenario, what went wrong in any run. */
export function problemNotes(rep: Report): string[] {
  const out: string[] = [];
  for (const [key, agg] of Object.entries(rep.results))
    if (agg.notes.length) out.push(`${key}: ${agg.notes.join('; ')}`);
  return out;
}

export { markdown, aligned };
