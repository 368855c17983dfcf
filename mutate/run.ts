// `npm run mutate`: mutation testing of src/protocol, src/server and src/store with StrykerJS; prints the score and the survivors.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';

type StrykerOptions = ConstructorParameters<typeof Stryker>[0];
type MutantResult = Awaited<ReturnType<Stryker['runMutationTest']>>[number];

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Present while a run goes on (one process id a line), so that benchmarks can wait for a free CPU. */
export const RUNNING_MARKER = '/tmp/parley-mutate.running';

/** Where Stryker builds its sandbox (a copy of the worktree with every mutant switched in). */
const TEMP_DIR = '.stryker-tmp';

/**
 * What may be mutated, and the compiled tests that can kill its mutants. Each test file runs in
 * its own process, and a mutant runs only the files whose run reached the mutated code.
 */
const TARGETS = [
  { dir: 'src/protocol', tests: ['dist/test/protocol/*.test.js'] },
  // Before src/server: a path is run with the first target holding it.
  { dir: 'src/server/commands', tests: ['dist/test/server/**/*.test.js'] },
  { dir: 'src/server', tests: ['dist/test/server/**/*.test.js'] },
  { dir: 'src/store', tests: ['dist/test/store/*.test.js'] },
] as const;

/** Stryker's patterns for the TypeScript of `dir`, leaving out the folders of other targets in it. */
function globsOf(dir: string): string[] {
  const nested = TARGETS.filter((t) => t.dir.startsWith(`${dir}/`)).map((t) => `!${t.dir}/**`);
  return [`${dir}/**/*.ts`, ...nested];
}

type Target = (typeof TARGETS)[number];

const HELP = `Usage: npm run mutate -- [options] [path...]

Mutates the TypeScript under src/protocol, src/server (src/server/commands as a run of its own)
and src/store (or only the given files or folders inside them), rebuilds in a sandbox, runs the tests that reach each mutant and prints the
mutation score and the mutants that survived. Runs under nice -n 19; not part of npm test or CI.

  path               a file or folder under ${TARGETS.map((t) => t.dir).join(', ')} [all of them]
  --concurrency N    test processes at once [1]
  --tests GLOB       run only these compiled test files (repeatable), e.g.
                     'dist/test/server/output*.test.js' for a file every server test reaches;
                     the score is then against those tests alone [the target's tests]
  --keep             keep the sandbox (${TEMP_DIR}/) after the run, to run a test in it by hand
  -h, --help         show this help

Other processes can wait while ${RUNNING_MARKER} exists: it is there for the length of a run.
`;

interface Options {
  concurrency: number;
  keep: boolean;
  paths: string[];
  /** Test files instead of the target's own (empty: the target's). */
  tests: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { concurrency: 1, keep: false, paths: [], tests: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (a === '--concurrency') {
      o.concurrency = Number(argv[++i]);
      if (!Number.isInteger(o.concurrency) || o.concurrency < 1) {
        throw new Error('--concurrency needs a whole number of 1 or more');
      }
    } else if (a === '--tests') {
      const glob = argv[++i];
      if (glob === undefined || glob.startsWith('-'))
        throw new Error('--tests needs a file or glob');
      o.tests.push(glob);
    } else if (a === '--keep') {
      o.keep = true;
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a} (see --help)`);
    } else {
      o.paths.push(a);
    }
  }
  return o;
}

/** Groups the paths by target; a path outside every target is an error. */
function plan(paths: string[]): Map<Target, string[]> {
  const groups = new Map<Target, string[]>();
  if (paths.length === 0) {
    for (const t of TARGETS) groups.set(t, globsOf(t.dir));
    return groups;
  }
  for (const p of paths) {
    const rel = path.relative(REPO, path.resolve(p)).split(path.sep).join('/');
    const target = TARGETS.find((t) => rel === t.dir || rel.startsWith(`${t.dir}/`));
    if (target === undefined) {
      throw new Error(`${p} is not under ${TARGETS.map((t) => t.dir).join(', ')}`);
    }
    if (!fs.existsSync(path.join(REPO, rel))) throw new Error(`${p} does not exist`);
    const globs = fs.statSync(path.join(REPO, rel)).isDirectory() ? globsOf(rel) : [rel];
    groups.set(target, [...(groups.get(target) ?? []), ...globs]);
  }
  return groups;
}

function strykerOptions(target: Target, mutate: string[], o: Options): StrykerOptions {
  const tty = process.stdout.isTTY === true;
  return {
    mutate,
    testRunner: 'tap',
    tap: { testFiles: o.tests.length > 0 ? [...o.tests] : [...target.tests] },
    // The sandbox is a copy of the worktree with the mutants switched in by an environment
    // variable; it is built once, then each mutant runs the test files that reached it.
    buildCommand: 'tsc -p tsconfig.json',
    coverageAnalysis: 'perTest',
    concurrency: o.concurrency,
    // Generous: the machine is shared, and a slow test under load must not count as a kill.
    timeoutMS: 10_000,
    reporters: [tty ? 'progress' : 'progress-append-only', 'clear-text'],
    clearTextReporter: { reportMutants: false, reportTests: false, allowColor: tty },
    tempDirName: TEMP_DIR,
    cleanTempDir: o.keep ? false : 'always',
    ignorePatterns: ['.ci', 'bench/RESULTS.md', 'bench/chart.svg', '*.log', '*.cpuprofile'],
  };
}

/** Killed and timed-out mutants over all that ran (compile and runtime errors excluded). */
function score(results: MutantResult[]): { detected: number; total: number; percent: string } {
  const count = (...s: string[]) => results.filter((r) => s.includes(r.status)).length;
  const detected = count('Killed', 'Timeout');
  const total = detected + count('Survived', 'NoCoverage');
  const percent = total === 0 ? '-' : ((100 * detected) / total).toFixed(1);
  return { detected, total, percent };
}

/** Every .ts file under `dir` by absolute path, read before the run so edits meanwhile do not matter. */
function readSources(dir: string): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  for (const entry of fs.readdirSync(path.join(REPO, dir), { recursive: true })) {
    const file = path.join(REPO, dir, String(entry));
    if (file.endsWith('.ts')) sources.set(file, fs.readFileSync(file, 'utf8').split('\n'));
  }
  return sources;
}

/** The source text a mutant replaced, on one line and shortened. */
function original(r: MutantResult, sources: Map<string, string[]>): string {
  const lines = sources.get(r.fileName) ?? [];
  const { start, end } = r.location;
  const text = lines
    .slice(start.line - 1, end.line)
    .map((l, i, all) => {
      const from = i === 0 ? start.column - 1 : 0;
      return i === all.length - 1 ? l.slice(from, end.column - 1) : l.slice(from);
    })
    .join(' ');
  return oneLine(text);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

function survivors(results: MutantResult[], sources: Map<string, string[]>): string[] {
  return results
    .filter((r) => r.status === 'Survived' || r.status === 'NoCoverage')
    .sort(
      (a, b) =>
        a.fileName.localeCompare(b.fileName) ||
        a.location.start.line - b.location.start.line ||
        a.location.start.column - b.location.start.column,
    )
    .map((r) => {
      const where = `${path.relative(REPO, r.fileName)}:${r.location.start.line}`;
      const what = `${original(r, sources)} -> ${oneLine(r.replacement ?? '')}`;
      const note = r.status === 'NoCoverage' ? ' (no test reaches it)' : '';
      return `  ${where}  ${r.mutatorName}: ${what}${note}`;
    });
}

/** The other runs that are still alive, by the process ids in the marker file. */
function otherRuns(): number[] {
  let text = '';
  try {
    text = fs.readFileSync(RUNNING_MARKER, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map(Number)
    .filter((pid) => pid > 0 && pid !== process.pid && alive(pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take this run out of the marker file; the file goes when no run is left in it. */
function leaveMarker(): void {
  const others = otherRuns();
  if (others.length === 0) fs.rmSync(RUNNING_MARKER, { force: true });
  else fs.writeFileSync(RUNNING_MARKER, others.map((pid) => `${pid}\n`).join(''));
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const groups = plan(options.paths);
  process.chdir(REPO);
  // A run that was killed leaves its sandbox behind; none is in use when no run is going.
  if (otherRuns().length === 0) fs.rmSync(TEMP_DIR, { recursive: true, force: true });
  fs.appendFileSync(RUNNING_MARKER, `${process.pid}\n`);
  process.on('exit', leaveMarker);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => process.exit(130));
  }

  const started = Date.now();
  const summary: string[] = [];
  const listed: string[] = [];
  for (const [target, mutate] of groups) {
    process.stdout.write(`\nmutate: ${mutate.join(' ')} against ${target.tests.join(' ')}\n`);
    const t0 = Date.now();
    const sources = readSources(target.dir);
    const results = await new Stryker(strykerOptions(target, mutate, options)).runMutationTest();
    const s = score(results);
    const left = survivors(results, sources);
    summary.push(
      `  ${target.dir}: ${s.percent}% (${s.detected} of ${s.total} mutants detected, ` +
        `${left.length} survived) in ${minutes(Date.now() - t0)}`,
    );
    listed.push(...left);
  }

  process.stdout.write(`\nSurviving mutants (${listed.length}):\n`);
  process.stdout.write(listed.length > 0 ? `${listed.join('\n')}\n` : '  none\n');
  process.stdout.write(`\nMutation score, ${minutes(Date.now() - started)} in all:\n`);
  process.stdout.write(`${summary.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`mutate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
