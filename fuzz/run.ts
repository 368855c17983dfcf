// `npm run fuzz`: every *.property.test.js again and again, with more runs each round and fresh seeds, until the time is up; a failure prints its seed and the command that replays it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The runs of the first round; each round doubles them, up to MAX_RUNS. */
const FIRST_RUNS = 100;
const MAX_RUNS = 1_000_000;

const HELP = `Usage: npm run fuzz -- [options]

Runs every property test file (test/**/*.property.test.ts, built) in turn, round after round, with
PARLEY_FUZZ_RUNS growing from ${FIRST_RUNS} (doubled each round) and a fresh PARLEY_FUZZ_SEED for
each file run, until the time is up. One file runs at a time, under nice. On a failure it prints
the test's report, the seed and the command that replays it, and exits 1.

  --minutes N     how long to go on [10]
  --seed S        derive every seed from S, so the whole session can be repeated [random]
  --only TEXT     only the files whose path holds TEXT (e.g. --only websocket)
  -h, --help      show this help
`;

interface Options {
  minutes: number;
  seed: number | null;
  only: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { minutes: 10, seed: null, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value (see --help)`);
      return v;
    };
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (a === '--minutes') {
      o.minutes = Number(value());
      if (!(o.minutes > 0)) throw new Error('--minutes needs a number above 0');
    } else if (a === '--seed') {
      o.seed = Number(value());
      if (!Number.isSafeInteger(o.seed)) throw new Error('--seed needs a whole number');
    } else if (a === '--only') {
      o.only = value();
    } else {
      throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  return o;
}

/** The built property test files, sorted (paths relative to the repository). */
function propertyFiles(only: string | null): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.property.test.js')) out.push(rel);
    }
  };
  walk('dist/test');
  return out.filter((f) => only === null || f.includes(only)).sort();
}

/** Seeds for fast-check (a 32-bit signed integer): from --seed, a fixed sequence; else random. */
function seeds(start: number | null): () => number {
  if (start === null) return () => randomInt(1, 2 ** 31 - 1);
  let state = start >>> 0 || 1;
  return () => {
    // xorshift32: the same --seed gives the same seeds in the same order.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return (state % (2 ** 31 - 2)) + 1;
  };
}

const clock = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** The command that replays one file run. */
const replay = (file: string, runs: number, seed: number): string =>
  `npm run build && PARLEY_FUZZ_RUNS=${runs} PARLEY_FUZZ_SEED=${seed} ` +
  `node --test --import=./dist/test/helpers/isolate.js ${file}`;

interface Outcome {
  code: number | null;
  output: string;
  /** Stopped because the time was up (node --test then reports its tests cancelled). */
  stopped: boolean;
}

let child: ChildProcess | null = null;

/** One file run in a child process; killed (by its id) when `deadline` passes. */
function runFile(file: string, runs: number, seed: number, deadline: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const args = [
      '-n',
      '10',
      process.execPath,
      '--test',
      '--import=./dist/test/helpers/isolate.js',
    ];
    const env = { ...process.env, PARLEY_FUZZ_RUNS: String(runs), PARLEY_FUZZ_SEED: String(seed) };
    const c = spawn('nice', [...args, file], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let output = '';
    let stopped = false;
    c.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(
      () => {
        stopped = true;
        c.kill('SIGTERM');
      },
      Math.max(0, deadline - Date.now()),
    );
    c.on('close', (code) => {
      clearTimeout(timer);
      child = null;
      resolve({ code, output, stopped });
    });
  });
}

/** The failing part of a node --test report: from the first `not ok` on, without stack frames. */
function report(output: string): string {
  const lines = output.split('\n');
  const from = Math.max(
    0,
    lines.findIndex((l) => /^\s*not ok/.test(l)),
  );
  return lines
    .slice(from)
    .filter((l) => !/^\s+(?:at |node:|file:|[\w.<>]+ \((?:file|node):)/.test(l))
    .slice(0, 120)
    .join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const files = propertyFiles(o.only);
  if (files.length === 0) throw new Error('no *.property.test.js under dist/test (build first)');
  const nextSeed = seeds(o.seed);
  const started = Date.now();
  const deadline = started + o.minutes * 60_000;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      child?.kill('SIGTERM');
      process.stdout.write('\nstopped\n');
      process.exit(130);
    });
  }
  process.stdout.write(
    `fuzzing ${files.length} file${files.length === 1 ? '' : 's'} for ${o.minutes} min` +
      (o.seed === null ? '' : ` (seeds from --seed ${o.seed})`) +
      '\n',
  );
  let fileRuns = 0;
  let most = 0;
  for (let round = 1, runs = FIRST_RUNS; ; round++, runs = Math.min(MAX_RUNS, runs * 2)) {
    for (const file of files) {
      if (Date.now() >= deadline) {
        const what = `${fileRuns} file runs passed, the largest with ${most} runs a test`;
        process.stdout.write(
          `time is up after ${clock(Date.now() - started)}: ${what}; no failure\n`,
        );
        return;
      }
      const seed = nextSeed();
      const t0 = Date.now();
      const { code, output, stopped } = await runFile(file, runs, seed, deadline);
      const took = ((Date.now() - t0) / 1000).toFixed(1);
      const name = file.replace(/^dist\/test\//, '').replace(/\.test\.js$/, '');
      const head = `[${clock(Date.now() - started)}] round ${round} ${name} runs=${runs} seed=${seed}`;
      if (code === 0) {
        fileRuns++;
        most = runs;
        process.stdout.write(`${head} ok (${took} s)\n`);
        continue;
      }
      if (stopped) {
        process.stdout.write(`${head} stopped: time is up\n`);
        continue;
      }
      process.stdout.write(`${head} FAILED (${took} s)\n\n${report(output)}\n\n`);
      process.stdout.write(
        `seed ${seed}, ${runs} runs; to replay:\n  ${replay(file, runs, seed)}\n`,
      );
      process.exit(1);
    }
  }
}

main().catch((err: Error) => {
  process.stderr.write(`fuzz: ${err.message}\n`);
  process.exit(2);
});
