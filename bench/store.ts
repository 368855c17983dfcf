// `node dist/bench/store.js [--messages N]`: the SQLite store on a big file: fill, open time, query latency, append rate.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Stamper } from '../src/server/stamp.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite.js';
import { conversationKey, type HistoryRecord, type Store } from '../src/store/types.js';
import { median } from './stats.js';

const HELP = `Usage: node dist/bench/store.js [--messages N] [--file PATH] [--keep]

Fills a SQLite store with N messages (default 1000000) across 50 conversations (#lobby, 39 more
channels, 10 private ones), then measures: open time of the full file (median of 5), latest(#lobby,
null, 100) and before(#lobby, <middle>, 100) (median and max of 100 calls), and appends/s through
the group commit at 10 and 1000 records per event-loop turn. The file goes in a temp dir and is
removed at the end unless --file or --keep is given.`;

const CHANNELS = 40;
const PRIVATE = 10;
/** Records per turn while filling: big commits, so the fill is quick. */
const FILL_BATCH = 20_000;
/** How long each append-rate measurement runs. */
const RATE_MS = 3000;

function conversations(): string[] {
  const list = ['#lobby'];
  for (let i = 1; i < CHANNELS; i++) list.push(`#chan${i}`);
  for (let i = 0; i < PRIVATE; i++) list.push(conversationKey(`user${i}`, `user${i + 100}`));
  return list;
}

/** Makes records as the server would: stamped in order, spread over the conversations. */
class Maker {
  private readonly stamper: Stamper;
  private readonly convs = conversations();
  private n = 0;

  constructor(private now: number) {
    this.stamper = new Stamper(() => this.now);
  }

  next(): HistoryRecord {
    this.now += this.n % 3 === 0 ? 1 : 0; // a few messages per millisecond
    const { ms, msgid } = this.stamper.next();
    const conversation = this.convs[this.n++ % this.convs.length];
    const channel = conversation.startsWith('#');
    return {
      msgid,
      time: ms,
      conversation,
      target: channel ? conversation : conversation.split(' ')[1],
      source: `nick${this.n % 500}!~user@host${this.n % 97}.example.org`,
      account: this.n % 2 === 0 ? `acct${this.n % 500}` : null,
      command: 'PRIVMSG',
      tags: this.n % 10 === 0 ? '+draft/reply=abc' : '',
      text: `message number ${this.n}: the quick brown fox jumps over the lazy dog`,
    };
  }
}

function committed(store: Store): Promise<void> {
  return new Promise((resolve) => store.afterCommit(resolve));
}

async function fill(store: SqliteStore, maker: Maker, total: number): Promise<number> {
  const started = performance.now();
  let step = Math.max(FILL_BATCH, Math.floor(total / 10));
  step -= step % FILL_BATCH;
  for (let done = 0; done < total;) {
    const batch = Math.min(FILL_BATCH, total - done);
    for (let i = 0; i < batch; i++) store.history.append(maker.next());
    await committed(store);
    done += batch;
    if (done % step === 0 || done === total) {
      const s = (performance.now() - started) / 1000;
      process.stderr.write(`  filled ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`);
      process.stderr.write(` (${s.toFixed(1)} s)\n`);
    }
  }
  return (performance.now() - started) / 1000;
}

/** Median and max of `runs` timed calls of `fn`, in ms, after one untimed warm-up call. */
async function timed(runs: number, fn: () => unknown): Promise<[number, number]> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return [median(times), Math.max(...times)];
}

/** Records/s appended at `perTurn` per event-loop turn, each turn waiting for its commit. */
async function appendRate(store: Store, maker: Maker, perTurn: number): Promise<number> {
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < RATE_MS) {
    for (let i = 0; i < perTurn; i++) store.history.append(maker.next());
    n += perTurn;
    await committed(store);
  }
  return n / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '1000000' },
      file: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const total = Number(values.messages);
  if (!Number.isInteger(total) || total <= 0) throw new Error(`bad --messages ${values.messages}`);
  const dir = values.file === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-')) : null;
  const file = values.file ?? path.join(dir as string, 'bench.db');
  const rows: [string, string][] = [];
  try {
    const maker = new Maker(Date.now() - total);
    let store = openSqliteStore(file);
    process.stderr.write(`filling ${file} with ${total.toLocaleString('en')} messages\n`);
    const fillS = await fill(store, maker, total);
    rows.push(['fill (20,000 per commit)', `${Math.round(total / fillS).toLocaleString('en')} /s`]);
    await store.close();
    rows.push(['file size', `${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB`]);

    const opens: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      store = openSqliteStore(file);
      opens.push(performance.now() - t);
      await store.close();
    }
    rows.push(['open, median of 5', `${median(opens).toFixed(2)} ms`]);

    store = openSqliteStore(file);
    const [latest, latestMax] = await timed(100, () => store.history.latest('#lobby', null, 100));
    rows.push([
      'latest(#lobby, null, 100)',
      `${latest.toFixed(3)} ms (max ${latestMax.toFixed(3)})`,
    ]);
    const middle = (await store.history.latest('#lobby', null, Math.floor(total / 100)))[0];
    const bound = { msgid: middle.msgid };
    const [before, beforeMax] = await timed(100, () => store.history.before('#lobby', bound, 100));
    rows.push([
      'before(#lobby, middle, 100)',
      `${before.toFixed(3)} ms (max ${beforeMax.toFixed(3)})`,
    ]);
    for (const perTurn of [10, 1000]) {
      const rate = await appendRate(store, maker, perTurn);
      rows.push([`append, ${perTurn} per turn`, `${Math.round(rate).toLocaleString('en')} /s`]);
    }
    await store.close();
  } finally {
    if (dir !== null && !values.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(
    `\nSQLite store, ${total.toLocaleString('en')} messages in 50 conversations\n`,
  );
  for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`store bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
