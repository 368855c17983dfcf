// `npm run bench:typing` (`node dist/bench/typing.js`): does the full-screen client stay fast under load? Typed characters' time to the screen, and the client's CPU, with 1,000 lines/s into a background window and 200/s into the visible one.
//
// The parts, all real:
//
//   typing-load.js ──1,000/s #dev, 200/s #lobby──► parley serve ──► parley connect (in a pty)
//                                                                      ▲ keys    │ screen bytes
//   this process ─────── stdin of `script` ────────────────────────────┘         │
//        ▲──────────────── stdout of `script` ◄───────────────────────────────────┘
//
// The client runs in a pseudo-terminal made by util-linux `script` (`script -qfec CMD /dev/null`:
// no log file, output flushed as it comes), sized with `stty` inside it. We write one key at a
// time into script's stdin and read everything the client draws from script's stdout. A typed
// key is on the screen when the client has written the input row holding it: the row is always
// written whole (`[#lobby] ` then the line typed so far), and we type capitals, which the load's
// lines never contain, so the first time `[#lobby] ABC…X` shows up in the stream after X was
// sent is the moment X reached the terminal. The time is taken in the 'data' handler of a process
// that does nothing else (hrtime clock, microseconds), so the resolution is the event loop's
// wake-up, well under a millisecond; the latency includes two pipe hops and `script`'s relay,
// which a real terminal emulator replaces with its own. Keys come 20-60 ms apart after each echo
// (a fast typist), 40 to a line, then Ctrl-U clears the line. CPU is utime + stime of the
// client's process (/proc/PID/stat, 10 ms ticks) over the typing, in % of one core.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sleep } from './loadgen.js';
import { REPO } from './peers.js';
import { cpuTimes, machineCpu } from './proc.js';
import { LatencyHistogram } from './stats.js';
import { KEY_TIMEOUT_MS, LoadProcess, NICK, startServer, stop, Terminal } from './typing-procs.js';
import { clientMarkdown, summarize, type TypingRun } from './typing-md.js';

const PROMPT = '[#lobby] ';
/** Capitals only: the load's lines are lowercase, and the status line has none. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Keys typed before Ctrl-U clears the line (it stays well inside the input row). */
const LINE_KEYS = 40;
const CTRL_U = '\x15';

const HELP = `Usage: node dist/bench/typing.js [options]   (or: npm run bench:typing -- [options])

Runs parley serve, a load generator and parley connect (full-screen, in a pseudo-terminal made by
script(1)); types keys while the load arrives and times each key until the client has drawn it.

  --runs N            repeats; the median is reported [3]
  --keys N            keystrokes measured per run [300]
  --background N      lines/s into #dev, a window not shown [1000]
  --visible N         lines/s into #lobby, the window shown [200]
  --warmup S          seconds of load before typing starts [2]
  --size WxH          the terminal's size [100x30]
  --no-pin            don't pin (default on 2+ cores: the client on core 1, the rest on core 0)
  --cpu-prof DIR      run the client under node --cpu-prof, writing profiles into DIR
  --write             write the results into bench/CLIENT.md
  -h, --help          show this help
`;

export interface Options {
  runs: number;
  keys: number;
  background: number;
  visible: number;
  warmupS: number;
  width: number;
  height: number;
  pin: boolean;
  cpuProf: string | null;
  write: boolean;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      runs: { type: 'string' },
      keys: { type: 'string' },
      background: { type: 'string' },
      visible: { type: 'string' },
      warmup: { type: 'string' },
      size: { type: 'string' },
      'no-pin': { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      write: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const num = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: expected a number ≥ ${min}`);
    return n;
  };
  const size = /^(\d+)x(\d+)$/.exec(values.size ?? '100x30');
  if (size === null) throw new Error('--size: expected WxH, like 100x30');
  return {
    runs: num('runs', values.runs, 3, 1),
    keys: num('keys', values.keys, 300, 10),
    background: num('background', values.background, 1000, 0),
    visible: num('visible', values.visible, 200, 0),
    warmupS: num('warmup', values.warmup, 2, 0),
    width: Math.max(60, Number(size[1])),
    height: Math.max(10, Number(size[2])),
    pin: values['no-pin'] !== true && os.cpus().length >= 2,
    cpuProf: values['cpu-prof'] ?? null,
    write: values.write === true,
  };
}

/** A small deterministic generator for the pauses between keys (the same every run). */
function pauses(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return 20 + (x % 41);
  };
}

async function oneRun(o: Options, run: number): Promise<TypingRun> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-typing-'));
  const server = await startServer(o);
  const load = new LoadProcess(o, server.port);
  let term: Terminal | null = null;
  try {
    await load.expect(/^joined$/, 'joined line');
    term = new Terminal(o, server.port, home);
    await load.expect(new RegExp(`^watched ${NICK}$`), `JOIN of ${NICK} to #dev`);
    await term.waitFor(PROMPT, 'input line for #lobby');
    if (term.pid < 0) throw new Error('client: its PID was not printed');
    load.send('go');
    await sleep(o.warmupS * 1000);

    const hist = new LatencyHistogram();
    const next = pauses(run + 1);
    let late = 0;
    let typed = '';
    let k = 0;
    const cpu0 = cpuTimes(term.pid);
    const server0 = cpuTimes(server.child.pid ?? -1);
    const machine0 = machineCpu();
    const t0 = performance.now();
    for (let n = 0; n < o.keys; n++) {
      if (typed.length === LINE_KEYS) {
        // Ctrl-U empties the line: the input row is then the prompt alone, then the cursor.
        await term.typeUntil(CTRL_U, `${PROMPT}\x1b[`);
        typed = '';
      }
      const key = ALPHABET[k++ % ALPHABET.length];
      typed += key;
      const ms = await term.typeUntil(key, PROMPT + typed);
      if (ms === null) late++;
      hist.record(Math.round((ms ?? KEY_TIMEOUT_MS) * 1000));
      await sleep(next());
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuTimes(term.pid);
    const server1 = cpuTimes(server.child.pid ?? -1);
    const machine1 = machineCpu();
    load.send('stop');
    const sent = await load.expect(/^sent (\d+) (\d+) ([\d.]+)$/, 'count of lines sent');
    await sleep(1000); // let the client draw what is still in flight
    const plain = term.recent.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    const devCounts = [...plain.matchAll(/\[#dev (\d+)\*?\]/g)];
    const lobbyLines = [...plain.matchAll(/<loadlobby> line (\d+) /g)];
    const pct = (a: number[], b: number[]): number => ((b[0] + b[1] - a[0] - a[1]) / seconds) * 100;
    const r: TypingRun = {
      keys: hist.count,
      late,
      p50: hist.quantileMs(0.5),
      p99: hist.quantileMs(0.99),
      max: hist.maxUs / 1000,
      clientCpu: pct(cpu0, cpu1),
      serverCpu: pct(server0, server1),
      machineBusy: ((machine1.busy - machine0.busy) / seconds / os.cpus().length) * 100,
      keysPerS: hist.count / seconds,
      sentDev: Number(sent[1]),
      sentLobby: Number(sent[2]),
      loadSeconds: Number(sent[3]),
      countedDev: Number(devCounts.at(-1)?.[1] ?? NaN),
      lastLobby: Number(lobbyLines.at(-1)?.[1] ?? NaN),
      screenKiBPerS: term.bytes / 1024 / Number(sent[3]),
    };
    term.type(CTRL_U + '/quit\r');
    await Promise.race([new Promise((r) => term!.child.once('exit', r)), sleep(5000)]);
    return r;
  } finally {
    if (term !== null) await stop(term.child);
    await stop(load.child);
    await stop(server.child);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = options(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`typing: ${(err as Error).message} (see --help)\n`);
    process.exit(2);
  }
  if (spawnSync('script', ['--version'], { stdio: 'ignore' }).error !== undefined) {
    process.stderr.write('typing: needs script(1) from util-linux (apt-get install bsdutils)\n');
    process.exit(2);
  }
  if (o.cpuProf !== null) fs.mkdirSync(o.cpuProf, { recursive: true });
  const runs: TypingRun[] = [];
  for (let run = 0; run < o.runs; run++) {
    const r = await oneRun(o, run);
    runs.push(r);
    process.stdout.write(
      `run ${run + 1}: ${r.keys} keys (${r.keysPerS.toFixed(1)}/s): p50 ${r.p50.toFixed(2)} ms, ` +
        `p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms${r.late > 0 ? `, ${r.late} late` : ''}; ` +
        `client CPU ${r.clientCpu.toFixed(1)}%, server ${r.serverCpu.toFixed(1)}%; ` +
        `#dev ${r.countedDev}/${r.sentDev} counted, #lobby last line ${r.lastLobby}/${r.sentLobby - 1}; ` +
        `${r.screenKiBPerS.toFixed(0)} KiB/s to the terminal\n`,
    );
  }
  const s = summarize(runs);
  process.stdout.write(
    `median of ${runs.length}: p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms ` +
      `(target ≤ 50), client CPU ${s.clientCpu.toFixed(1)}% of a core (target ≤ 30)\n`,
  );
  if (o.write) {
    const file = path.join(REPO, 'bench', 'CLIENT.md');
    const invocation = `node dist/bench/typing.js ${process.argv.slice(2).join(' ')}`.trim();
    fs.writeFileSync(file, clientMarkdown(runs, { ...o, invocation }));
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`typing: ${(err as Error).message}\n`);
  process.exit(1);
});
