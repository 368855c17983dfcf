// bench/soak.svg, drawn by hand: the server's memory over a soak (RSS, V8 heap, history writer), the warm-up shaded and the fitted trends dashed.
import { esc, ticks } from './chart.js';
import type { MemSample, Trend } from './soak-memory.js';
import { warmupOf, type SoakResult } from './soak-run.js';

const WIDTH = 960;
const HEIGHT = 400;
const LEFT = 70;
const RIGHT = 40;
const TOP = 50;
const BOTTOM = 46;

interface Series {
  label: string;
  color: string;
  pick: (s: MemSample) => number;
  trend?: Trend;
}

export function soakChart(r: SoakResult): string {
  const series: Series[] = [
    { label: 'server RSS', color: '#e8590c', pick: (s) => s.rssKiB, trend: r.rss },
    { label: 'V8 heap in use', color: '#1c7ed6', pick: (s) => s.heapKiB, trend: r.heap },
    { label: 'V8 heap size', color: '#74c0fc', pick: (s) => s.heapTotalKiB },
    { label: 'external (Buffers)', color: '#ae3ec9', pick: (s) => s.externalKiB },
    { label: 'history writer RSS', color: '#2f9e44', pick: (s) => s.writerKiB },
  ];
  const s = r.samples;
  const endT = Math.max(r.elapsedS, s.at(-1)?.t ?? 0, 1);
  const values = series.flatMap((x) => s.map(x.pick)).filter((v) => Number.isFinite(v));
  const yTicks = ticks(Math.max(1, ...values) / 1024, 0, false);
  const top = yTicks[yTicks.length - 1];
  const minutes = endT / 60;
  const xTicks = ticks(minutes, 0, false).filter((m) => m <= minutes + 1e-9);
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (t: number) => LEFT + (t / endT) * plotW;
  const y = (kib: number) => TOP + plotH - (kib / 1024 / top) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    '<style>.title{font-size:15px;font-weight:bold}.tick{font-size:11px;fill:#444}.legend{font-size:12px}.grid{stroke:#ddd}</style>',
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${LEFT}" y="20" class="title">${esc(`Server memory over a ${+minutes.toFixed(1)}-minute soak, ${r.options.clients} clients (MiB)`)}</text>`,
  ];
  const warm = Math.min(warmupOf(r.options), endT);
  out.push(
    `<rect x="${LEFT}" y="${TOP}" width="${(x(warm) - LEFT).toFixed(1)}" height="${plotH}" fill="#f1f3f5"><title>warm-up</title></rect>`,
    `<text x="${LEFT + 4}" y="${TOP + 14}" class="tick">warm-up</text>`,
  );
  for (const v of yTicks) {
    const yy = y(v * 1024).toFixed(1);
    out.push(
      `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${yy}" y2="${yy}" class="grid"/>`,
      `<text x="${LEFT - 6}" y="${yy}" class="tick" text-anchor="end" dominant-baseline="middle">${+v.toFixed(1)}</text>`,
    );
  }
  for (const m of xTicks)
    out.push(
      `<text x="${x(m * 60).toFixed(1)}" y="${TOP + plotH + 18}" class="tick" text-anchor="middle">${+m.toFixed(2)} min</text>`,
    );
  let lx = LEFT;
  for (const ser of series) {
    const pts = s
      .filter((p) => Number.isFinite(ser.pick(p)))
      .map((p) => `${x(p.t).toFixed(1)},${y(ser.pick(p)).toFixed(1)}`);
    if (pts.length > 0)
      out.push(
        `<polyline points="${pts.join(' ')}" fill="none" stroke="${ser.color}" stroke-width="2"><title>${esc(ser.label)}</title></polyline>`,
      );
    const t = ser.trend;
    const fitted = s.filter((p) => p.t >= warm && Number.isFinite(ser.pick(p)));
    if (t !== undefined && fitted.length >= 3)
      out.push(
        `<line x1="${x(fitted[0].t).toFixed(1)}" y1="${y(t.startKiB).toFixed(1)}" x2="${x(fitted[fitted.length - 1].t).toFixed(1)}" y2="${y(t.endKiB).toFixed(1)}" stroke="#000" stroke-width="1" stroke-dasharray="5 4"><title>${esc(`${ser.label} trend: ${(t.slopeKiBPerHour / 1024).toFixed(2)} MiB/h`)}</title></line>`,
      );
    out.push(
      `<rect x="${lx}" y="30" width="14" height="4" fill="${ser.color}"/><text x="${lx + 20}" y="36" class="legend">${esc(ser.label)}</text>`,
    );
    lx += 40 + ser.label.length * 7;
  }
  out.push(
    `<line x1="${lx}" x2="${lx + 14}" y1="32" y2="32" stroke="#000" stroke-dasharray="5 4"/><text x="${lx + 20}" y="36" class="legend">trend after warm-up</text>`,
    '</svg>',
    '',
  );
  return out.join('\n');
}
