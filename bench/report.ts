// Turns the runs into medians, ratios and target verdicts: the console table and bench/RESULTS.md.
import { headlines, type Unit } from './headlines.js';
import type { ServerName } from './peers.js';
import type { MachineInfo } from './proc.js';
import type { RunResult, Scenario } from './scenarios.js';
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

export function fmt(unit: Unit, v: number): string {
  if (!Number.isFinite(v)) return '—';
  switch (unit) {
    case 'throughput':
      if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M/s`;
      return v >= 1e4 ? `${(v / 1e3).toFixed(0)} k/s` : `${Math.round(v)}/s`;
    case 'latency':
      return `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
    case 'memory':
      return `${v.toFixed(2)} KiB`;
    case 'connect':
      return `${Math.round(v)}/s`;
    case 'held':
      return Math.round(v).toLocaleString('en-US');
    case 'ratio':
      return `${v.toFixed(2)}×`;
    case 'mib':
      return `${(v / 1024).toFixed(1)} MiB`;
    case 'share':
      return v === 1 ? 'yes' : v === 0 ? 'no' : `${Math.round(v * 100)}% of runs`;
  }
}

const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '—';

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
        const v = agg ? h.value(agg) : NaN;
        values.set(s, v);
        const busy = agg && h.genBound && agg.median.genCpuPct >= GEN_BUSY_PCT;
        const bad = agg && !agg.ok ? ' ✗' : '';
        const more = agg && h.suffix && Number.isFinite(v) && v > 0 ? h.suffix(agg) : '';
        cells.push(fmt(h.unit, v) + more + (busy ? ' †' : '') + bad);
      }
      const p = values.get('parley') ?? NaN;
      const met = h.met && Number.isFinite(p) ? h.met(p, values, sc) : null;
      rows.push([
        sc.name,
        h.label,
        ...cells,
        ...peers.map((peer) => (h.ratio ? ratio(p, values.get(peer) ?? NaN) : '—')),
        h.target,
        met === null ? '' : met ? 'yes' : 'NO',
      ]);
    }
  return rows;
}

/** The per-run number whose spread the detail table shows. */
function spreadOf(sc: Scenario): (r: RunResult) => number {
  switch (sc.metric) {
    case 'throughput':
      return (r) => r.deliveriesPerS;
    case 'latency':
      return (r) => r.p99Ms;
    case 'connect':
    case 'arrival':
      return (r) => r.connectsPerS;
    case 'memory':
      return (r) => r.rssPerConnKiB;
    case 'flood':
      return (r) => r.sendLinesPerS;
  }
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
      'CPU/conn',
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
      rows.push([
        sc.name,
        s,
        fmt('throughput', m.deliveriesPerS),
        fmt('latency', m.p50Ms),
        fmt('latency', m.p99Ms),
        fmt('latency', m.maxMs),
        sc.kind === 'fanout' || sc.kind === 'direct' || sc.kind === 'flood'
          ? `${agg.lost}/${agg.duplicated}/${agg.reordered}`
          : '—',
        fmt('connect', m.connectsPerS),
        fmt('latency', m.cpuMsPerConn),
        Number.isFinite(m.rssPerConnKiB) ? m.rssPerConnKiB.toFixed(2) : '—',
        serverCpu(m),
        `${Math.round(m.genCpuPct)}%`,
        `${Math.round((m.otherCpuPct || 0) + (m.stealPct || 0))}%`,
        `${(m.serverPeakRssKiB / 1024).toFixed(1)} MiB`,
        `±${Math.round((spread(agg.runs.map(spreadOf(sc))) * 100) / 2)}%`,
        agg.ok ? 'yes' : 'NO',
      ]);
      // lobby: the run without the channel on a row of its own
      if (sc.kind === 'lobby')
        rows.push([
          `${sc.name} (no channel)`,
          s,
          ...Array<string>(5).fill('—'),
          fmt('connect', m.connectsPerSWithout),
          fmt('latency', m.cpuMsPerConnWithout),
          ...Array<string>(7).fill('—'),
        ]);
    }
  return rows;
}

/** Server CPU, with its child processes' part (parley's history writer) when there is one. */
function serverCpu(m: RunResult): string {
  const total = `${Math.round(m.serverCpuPct)}%`;
  return m.helperCpuPct >= 1 ? `${total} (writer ${Math.round(m.helperCpuPct)}%)` : total;
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
