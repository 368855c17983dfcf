// bench/chart.svg, drawn by hand: grouped bars per scenario and server (deliveries/s, p99, connects and arrivals/s, memory).
import type { ServerName } from './peers.js';
import type { Report } from './report.js';
import { LOBBY, type RunResult, type Scenario } from './scenarios.js';

const COLORS: Record<ServerName, string> = {
  parley: '#e8590c',
  ngircd: '#1c7ed6',
  inspircd: '#2f9e44',
};
const WIDTH = 960;
const PANEL_H = 250;
const LEFT = 70;
const RIGHT = 20;
const TOP = 34;
const BOTTOM = 46;

interface Panel {
  title: string;
  unit: (v: number) => string;
  log: boolean;
  groups: string[];
  /** values[group][server] */
  values: Map<string, Map<ServerName, number>>;
}

export const esc = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

/** A group of bars: its label and the number each server's median run gives it. */
type Group = [label: string, pick: (r: RunResult) => number];

function panelOf(
  rep: Report,
  title: string,
  unit: (v: number) => string,
  log: boolean,
  groupsOf: (sc: Scenario) => Group[],
): Panel {
  const values = new Map<string, Map<ServerName, number>>();
  for (const { scenario: sc } of rep.scenarios)
    for (const [label, pick] of groupsOf(sc)) {
      const row = new Map<ServerName, number>();
      for (const s of rep.servers) {
        const agg = rep.results[`${s}/${sc.name}`];
        const v = agg ? pick(agg.median) : NaN;
        if (Number.isFinite(v) && v > 0) row.set(s, v);
      }
      if (row.size) values.set(label, row);
    }
  return { title, unit, log, groups: [...values.keys()], values };
}

/** Axis ticks: 1-2-5 steps on a linear axis, decades on a log axis. */
export function ticks(max: number, min: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
      out.push(10 ** e);
    return out;
  }
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max * 1.0001 + step; v += step) out.push(v);
  return out;
}

function drawPanel(p: Panel, servers: ServerName[], x0: number, width: number, y0: number): string {
  const left = x0 + LEFT;
  const plotW = width - LEFT - RIGHT;
  const plotH = PANEL_H - TOP - BOTTOM;
  const all = [...p.values.values()].flatMap((m) => [...m.values()]);
  const maxV = Math.max(...all);
  const minV = Math.min(...all);
  const t = ticks(maxV, minV, p.log);
  const top = t[t.length - 1];
  const bottom = p.log ? t[0] : 0;
  const y = (v: number) =>
    p.log
      ? y0 +
        TOP +
        plotH -
        ((Math.log10(v) - Math.log10(bottom)) / (Math.log10(top) - Math.log10(bottom))) * plotH
      : y0 + TOP + plotH - (v / top) * plotH;
  const parts: string[] = [`<text x="${left}" y="${y0 + 20}" class="title">${esc(p.title)}</text>`];
  for (const v of t) {
    const yy = y(v).toFixed(1);
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${yy}" y2="${yy}" class="grid"/>`,
      `<text x="${left - 6}" y="${yy}" class="tick" text-anchor="end" dominant-baseline="middle">${esc(p.unit(v))}</text>`,
    );
  }
  const groupW = plotW / Math.max(1, p.groups.length);
  const barW = Math.min(48, (groupW * 0.8) / servers.length);
  p.groups.forEach((g, gi) => {
    const cx = left + groupW * (gi + 0.5);
    const row = p.values.get(g) ?? new Map<ServerName, number>();
    servers.forEach((s, si) => {
      const v = row.get(s);
      if (v === undefined) return;
      const x = cx - (barW * servers.length) / 2 + si * barW;
      const yv = y(v);
      const base = y0 + TOP + plotH;
      parts.push(
        `<rect x="${(x + 1).toFixed(1)}" y="${yv.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${Math.max(0, base - yv).toFixed(1)}" fill="${COLORS[s]}"><title>${esc(`${s} ${g}: ${p.unit(v)}`)}</title></rect>`,
        `<text x="${(x + barW / 2).toFixed(1)}" y="${(yv - 4).toFixed(1)}" class="value" text-anchor="middle">${esc(p.unit(v))}</text>`,
      );
    });
    parts.push(
      `<text x="${cx.toFixed(1)}" y="${y0 + TOP + plotH + 18}" class="group" text-anchor="middle">${esc(g)}</text>`,
    );
  });
  return parts.join('\n');
}

const num = (v: number) =>
  v >= 1e6
    ? `${+(v / 1e6).toFixed(2)}M`
    : v >= 1e3
      ? `${+(v / 1e3).toFixed(1)}k`
      : `${+v.toFixed(2)}`;

export function drawChart(rep: Report): string {
  const rows: Panel[][] = [
    [
      panelOf(
        rep,
        'Deliveries per second, as fast as possible (log scale; higher is better)',
        num,
        true,
        (sc) => (sc.metric === 'throughput' ? [[sc.name, (r) => r.deliveriesPerS]] : []),
      ),
    ],
    [
      panelOf(
        rep,
        'p99 latency in ms (log scale; lower is better)',
        (v) => `${+v.toPrecision(3)}`,
        true,
        (sc) => (sc.kind === 'fanout' || sc.kind === 'direct' ? [[sc.name, (r) => r.p99Ms]] : []),
      ),
    ],
    [
      panelOf(
        rep,
        'Connections/s to 001, arrivals/s (higher is better)',
        (v) => num(Math.round(v)),
        false,
        (sc): Group[] =>
          sc.metric === 'connect'
            ? [[sc.name, (r) => r.connectsPerS]]
            : sc.kind === 'lobby'
              ? [
                  [`${sc.name} ${LOBBY}`, (r) => r.connectsPerS],
                  [`${sc.name}, none`, (r) => r.connectsPerSWithout],
                ]
              : [],
      ),
      panelOf(
        rep,
        'KiB per idle connection (lower is better)',
        (v) => `${+v.toFixed(2)}`,
        false,
        (sc) => (sc.metric === 'memory' ? [[sc.name, (r) => r.rssPerConnKiB]] : []),
      ),
    ].filter((p) => p.groups.length > 0),
  ]
    .map((row) => row.filter((p) => p.groups.length > 0))
    .filter((row) => row.length > 0);
  const legendH = 40;
  const height = legendH + rows.length * PANEL_H;
  let lx = LEFT;
  const legend = rep.servers
    .map((s) => {
      const label = rep.versions[s] ?? s;
      const item = `<rect x="${lx}" y="14" width="14" height="14" fill="${COLORS[s]}"/><text x="${lx + 20}" y="26" class="legend">${esc(label)}</text>`;
      lx += 40 + label.length * 7;
      return item;
    })
    .join('\n');
  const drawn = rows.flatMap((row, i) =>
    row.map((p, j) =>
      drawPanel(
        p,
        rep.servers,
        (j * WIDTH) / row.length,
        WIDTH / row.length,
        legendH + i * PANEL_H,
      ),
    ),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    '<style>.title{font-size:15px;font-weight:bold}.tick,.value{font-size:11px;fill:#444}.group{font-size:13px}.legend{font-size:12px}.grid{stroke:#ddd}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    legend,
    ...drawn,
    '</svg>',
    '',
  ].join('\n');
}
