// The soak's report: the console table and bench/SOAK.md (parameters, summary, a text chart of memory over time, error replies).
import type { MachineInfo } from './proc.js';
import type { MemSample, Trend } from './soak-memory.js';
import { mib, warmupOf, type SoakResult } from './soak-run.js';

export interface SoakContext {
  version: string;
  command: string;
  invocation: string;
  machine: MachineInfo;
}

const n = (v: number): string => v.toLocaleString('en-US');
const pct = (v: number): string =>
  Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)}%` : '—';

function trendText(t: Trend): string {
  if (t.points < 3) return 'too few samples after warm-up to judge';
  return (
    `${mib(t.startKiB)} → ${mib(t.endKiB)} MiB fitted after warm-up ` +
    `(${(t.slopeKiBPerHour / 1024).toFixed(2)} MiB/h, ${pct(t.growthPct)}): ` +
    (t.flat ? 'flat' : '**GROWS**')
  );
}

/** [label, value] rows of the summary. */
export function summaryRows(r: SoakResult): [string, string][] {
  const o = r.options;
  const c = r.counts;
  const k = r.clients;
  const first = r.samples[0];
  const last = r.samples.at(-1);
  const keepers = Math.round(o.clients * o.keepers);
  const errors = Object.values(k.errors).reduce((a, b) => a + b, 0);
  const span = (pick: (s: MemSample) => number) =>
    `${mib(first ? pick(first) : NaN)} → ${mib(last ? pick(last) : NaN)} MiB`;
  return [
    ['verdict', r.failures.length === 0 ? 'passed' : `**FAILED**: ${r.failures.join('; ')}`],
    [
      'load',
      `${(r.elapsedS / 60).toFixed(1)} min, ${o.clients} clients (${keepers} never leave), ` +
        `${o.channels} channels, ${Math.min(o.perClient, o.channels)} per client`,
    ],
    [
      'connections',
      `${n(k.connects)} connects; ${n(k.quits)} QUIT, ${n(k.drops)} dropped, ` +
        `${n(k.parts)} PART and rejoin; ${n(k.cut)} cut without being asked`,
    ],
    [
      'messages sent',
      `${n(c.sent)}: ${n(c.confirmed)} confirmed by their echo, ${n(c.failed)} refused, ` +
        `${n(c.unconfirmed)} unanswered when their sender left`,
    ],
    ['live deliveries', `${n(c.deliveries)} (${n(Math.round(c.deliveries / r.elapsedS))}/s)`],
    ['deliveries owed and checked', n(c.expected)],
    ['lost', n(c.lost)],
    ['duplicated', n(c.duplicated)],
    [
      'reordered (per sender, per conversation)',
      `${n(c.reorderedSender)}, ${n(c.reorderedConversation)}`,
    ],
    ['mangled (other text, msgid or conversation)', n(c.mangled)],
    [
      'history fetches (CHATHISTORY AFTER on rejoining)',
      `${n(c.historyFetches)}, returning ${n(c.historyReturned)} messages, ` +
        `${n(c.historyRecovered)} of them missed while away`,
    ],
    [
      'history: missing, twice, not as sent',
      `${n(c.historyMissing)}, ${n(c.historyDuplicated)}, ${n(c.historyMangled)}`,
    ],
    ['live messages outside the receiver’s conversations', n(k.stray)],
    ['error replies and connection errors', `${n(errors)} (below)`],
    ['server RSS', `${span((s) => s.rssKiB)}; ${trendText(r.rss)}`],
    ['server V8 heap in use', `${span((s) => s.heapKiB)}; ${trendText(r.heap)}`],
    ['server external memory (Buffers)', span((s) => s.externalKiB)],
    ['history writer RSS (its SQLite cache is capped at 16 MiB)', span((s) => s.writerKiB)],
  ];
}

/** The console table. */
export function soakTable(r: SoakResult): string {
  const rows = summaryRows(r);
  const w = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(w)}  ${value.replaceAll('**', '')}`);
  const errors = Object.entries(r.clients.errors).sort((a, b) => b[1] - a[1]);
  if (errors.length > 0) lines.push('errors:', ...errors.map(([what, k]) => `  ${n(k)}× ${what}`));
  if (r.examples.length > 0) lines.push('first problems:', ...r.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** Memory over time as text: one column per time step, R = RSS, h = heap in use, w = writer. */
export function textChart(samples: readonly MemSample[], width = 72, height = 14): string {
  if (samples.length === 0) return '(no samples)';
  const endT = samples[samples.length - 1].t || 1;
  const cols = width;
  const series: [string, (s: MemSample) => number][] = [
    ['w', (s) => s.writerKiB],
    ['h', (s) => s.heapKiB],
    ['R', (s) => s.rssKiB],
  ];
  const top = Math.max(1, ...samples.flatMap((s) => series.map(([, pick]) => pick(s) || 0))) / 1024;
  const grid = Array.from({ length: height }, () => Array<string>(cols).fill(' '));
  let k = 0;
  for (let c = 0; c < cols; c++) {
    // The samples in this column's stretch of time, or else the last one before it.
    const from = (c / cols) * endT;
    const to = ((c + 1) / cols) * endT;
    while (k + 1 < samples.length && samples[k + 1].t <= from) k++;
    const inCol = samples.filter((s) => s.t >= from && (s.t < to || c === cols - 1));
    if (inCol.length === 0) inCol.push(samples[k]);
    for (const [mark, pick] of series) {
      const vals = inCol.map(pick).filter((v) => Number.isFinite(v));
      if (vals.length === 0) continue;
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length / 1024;
      const row = height - 1 - Math.min(height - 1, Math.round((mean / top) * (height - 1)));
      grid[row][c] = mark;
    }
  }
  const label = (row: number) => ((top * (height - 1 - row)) / (height - 1)).toFixed(0).padStart(5);
  const lines = grid.map(
    (cells, row) => `${row % 3 === 0 ? label(row) : '     '} |${cells.join('')}`,
  );
  lines.push(`      +${'-'.repeat(cols)}`);
  const endLabel = `${(endT / 60).toFixed(1)} min`;
  lines.push(`       0${' '.repeat(Math.max(1, cols - endLabel.length - 1))}${endLabel}`);
  lines.push('MiB; R server RSS, h V8 heap in use, w history writer RSS');
  return lines.join('\n');
}

export function soakMarkdown(r: SoakResult, ctx: SoakContext): string {
  const o = r.options;
  const m = ctx.machine;
  const out: string[] = [
    '# Soak',
    '',
    `Generated by \`${ctx.invocation}\` (bench/soak.ts) on ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    `against ${ctx.version}; rewritten by every run, so do not edit by hand.`,
    '',
    '## What runs',
    '',
    `${o.clients} simulated clients connect to a fresh \`parley serve\` with history on (a new SQLite`,
    'file) and flood control on, each negotiating echo-message, labeled-response, batch,',
    `server-time and draft/chathistory. Each joins ${Math.min(o.perClient, o.channels)} of ${o.channels} channels and sends a`,
    `message every ${o.chatS} s on average (${Math.round(o.privateShare * 100)}% of them privately to another connected`,
    `client). All but ${Math.round(o.keepers * 100)}% leave about every ${o.sessionS} s: a QUIT, a dropped connection`,
    `(a reset after a last PING) or a PART (back in about ${o.partS} s); after a QUIT or a drop they`,
    `return about ${o.offlineS} s later. On rejoining a channel a client asks \`CHATHISTORY AFTER\` the last`,
    'message it saw there.',
    '',
    'What is checked, with one clock for every client:',
    '',
    '- **losses**: a message counts once its echo (found by its label) is back. It is owed to every',
    '  member whose JOIN echo (or 001, for private messages) came before it was written and who wrote',
    '  its PART, QUIT or last PING after its echo came back; the server handles a client’s lines in',
    '  order, so it must arrive before that stay’s end. Open stays are checked the same way at a PING',
    `  every ${o.fenceS} s.`,
    '- **reorders**: each receiver sees a sender’s messages in the order sent, and a conversation’s',
    '  messages in ascending msgid (parley mints msgids in the order it handles messages), so all',
    '  members see one order.',
    '- **history**: the answer to `CHATHISTORY AFTER` holds every message confirmed before it was',
    '  asked that sorts after the one named, each once, in order and as sent (full pages are followed).',
    '- **memory**: the server’s VmRSS from /proc/PID/status and its V8 heap in use (a probe loaded with',
    `  \`node --import\` reads it each second; the lowest reading of each ${o.sampleS} s is kept, close to the`,
    `  heap after a collection), every ${o.sampleS} s. A least-squares line is fitted after the`,
    `  ${Math.round(warmupOf(o))} s warm-up; memory is flat when it rises at most ${o.maxGrowthPct}% over that span.`,
    '',
    `Server: \`${ctx.command}\` (the benchmark’s flags first; later ones win).`,
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; shared with other work.`,
    '',
    '## Summary',
    '',
    '| | |',
    '|---|---|',
    ...summaryRows(r).map(([label, value]) => `| ${label} | ${value.replaceAll('|', '\\|')} |`),
    '',
    '## Memory over time',
    '',
    '![Server memory over the soak](soak.svg)',
    '',
    '```text',
    textChart(r.samples),
    '```',
    '',
    '## Error replies',
    '',
  ];
  const errors = Object.entries(r.clients.errors).sort((a, b) => b[1] - a[1]);
  if (errors.length === 0) out.push('None.', '');
  else {
    out.push('| reply | count |', '|---|---|');
    for (const [what, count] of errors)
      out.push(`| ${what.replaceAll('|', '\\|')} | ${n(count)} |`);
    out.push(
      '',
      'A private message goes to a client that was connected when it was chosen; 401 means it left',
      'before the server handled the message (the message is then not owed to anyone).',
      '',
    );
  }
  if (r.examples.length > 0) {
    out.push('## First problems', '');
    for (const e of r.examples) out.push(`- ${e}`);
    out.push('');
  }
  return out.join('\n');
}
