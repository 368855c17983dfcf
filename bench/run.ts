// `npm run bench`: runs the scenarios against parley (and with --compare ngircd and InspIRCd), prints the table, writes RESULTS.md.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drawChart } from './chart.js';
import type { GenEnv } from './flows.js';
import { GEN_SCRIPT, type GenRequest } from './gen.js';
import { sleep } from './loadgen.js';
import { BENCH_SETUP, HOST, installed, pinned, PROFILES, readable, REPO, shq } from './peers.js';
import { startServer, version } from './peers.js';
import type { ServerName, ServerSetup } from './peers.js';
import { machineCpu, machineInfo } from './proc.js';
import { aggregate, consoleTable, type Report } from './report.js';
import { resultsMarkdown } from './results-md.js';
import { describe, emptyResult, FLOOD_SENDQ, LOBBY, mergeLobby } from './scenarios.js';
import { resultFromJson, selectScenarios } from './scenarios.js';
import type { RunResult, Scenario } from './scenarios.js';

const SERVER_CORE = 0;
const GEN_CORE = 1;

interface Options {
  compare: boolean;
  quick: boolean;
  runs: number;
  scenarios: string[];
  sets: string[];
  servers: ServerName[];
  write: boolean;
  json: string | null;
  stallMs: number;
  retries: number;
  quietWaitS: number;
  patienceS: number;
}

const HELP = `Usage: npm run bench -- [options]

Benchmarks parley with a load generator pinned to core ${GEN_CORE} and the server to core ${SERVER_CORE}.

  --compare            also run ngircd and InspIRCd (when installed) and write bench/RESULTS.md
                       and bench/chart.svg
  --runs N             repeats per scenario and server; the median is reported [3; 1 with --quick]
  --quick              small sizes: a smoke run of every scenario in about a minute
  --scenario NAME      run only this scenario (repeatable, or comma-separated):
                       fanout, fanout-wide, direct, fanout-rate-200, fanout-rate, direct-rate,
                       blast, direct-blast, connect, lobby, flood, idle-2k, idle
  --set S.FIELD=N      change a size, e.g. --set fanout.clients=500 --set lobby.clients=19900
                       (fields: clients senders messages rate window batch pad; window 0 with
                       rate 0 is a blast: every message written at once)
  --servers LIST       comma-separated subset of parley,ngircd,inspircd
  --write / --no-write write bench/RESULTS.md and chart.svg [on with --compare, off with --quick]
  --json FILE          also save every run's raw result as JSON
  --stall MS           give up on a phase after this long without progress [10000]
  --retries N          repeat a run during which other processes took over 10% CPU [2]
  --quiet-wait S       before each run, wait up to S seconds for other processes to go quiet [60]
  --patience S         total seconds spent on such waits and repeats, then carry on regardless [480]
  -h, --help           show this help
`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    compare: false,
    quick: false,
    runs: NaN,
    scenarios: [],
    sets: [],
    servers: [],
    write: false,
    json: null,
    stallMs: 10_000,
    retries: 2,
    quietWaitS: 60,
    patienceS: 480,
  };
  let write: boolean | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (a === '--compare') o.compare = true;
    else if (a === '--quick') o.quick = true;
    else if (a === '--runs') o.runs = Number(value());
    else if (a === '--scenario') o.scenarios.push(...value().split(','));
    else if (a === '--set') o.sets.push(value());
    else if (a === '--servers') o.servers = value().split(',') as ServerName[];
    else if (a === '--write') write = true;
    else if (a === '--no-write') write = false;
    else if (a === '--json') o.json = value();
    else if (a === '--stall') o.stallMs = Number(value());
    else if (a === '--retries') o.retries = Number(value());
    else if (a === '--quiet-wait') o.quietWaitS = Number(value());
    else if (a === '--patience') o.patienceS = Number(value());
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (Number.isNaN(o.runs)) o.runs = o.quick ? 1 : 3;
  if (!(o.runs >= 1)) throw new Error('--runs must be at least 1');
  for (const s of o.servers)
    if (!(s in PROFILES)) throw new Error(`unknown server ${s} (parley, ngircd, inspircd)`);
  if (o.servers.length === 0) o.servers = o.compare ? ['parley', 'ngircd', 'inspircd'] : ['parley'];
  o.write = write ?? (o.compare && !o.quick);
  return o;
}

const progress = (text: string) => process.stderr.write(text);

/** Run the load generator for one scenario against a running server; its JSON result. */
function runGenerator(req: GenRequest): Promise<RunResult> {
  const script = pinned(GEN_CORE, [process.execPath, GEN_SCRIPT, JSON.stringify(req)]);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => (out += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(resultFromJson(line));
      else reject(new Error(`load generator exited with ${code}: ${out.trim()}`));
    });
  });
}

function brief(r: RunResult): string {
  const parts: string[] = [];
  if (Number.isFinite(r.deliveriesPerS)) parts.push(`${(r.deliveriesPerS / 1e6).toFixed(2)} M/s`);
  if (Number.isFinite(r.connectsPerS)) parts.push(`${Math.round(r.connectsPerS)} conn/s`);
  if (Number.isFinite(r.connectsPerSWithout))
    parts.push(`${Math.round(r.connectsPerSWithout)} without the channel`);
  if (Number.isFinite(r.cpuMsPerConn))
    parts.push(
      `${r.cpuMsPerConn.toFixed(2)} ms CPU/conn` +
        (Number.isFinite(r.cpuMsPerConnWithout)
          ? ` (${r.cpuMsPerConnWithout.toFixed(2)} without)`
          : ''),
    );
  if (Number.isFinite(r.sendLinesPerS))
    parts.push(
      `flooder ${Math.round(r.sendLinesPerS)} lines/s, live reader ${r.liveComplete ? 'complete' : 'INCOMPLETE'}, ` +
        `stalled ${r.stalledCut ? `cut (${r.cutReason})` : 'NOT cut'}, flooder ${r.senderCut ? 'CUT' : 'kept'}, ` +
        `peak RSS ${(r.serverPeakRssKiB / 1024).toFixed(1)} MiB`,
    );
  if (Number.isFinite(r.rssPerConnKiB)) parts.push(`${r.rssPerConnKiB.toFixed(2)} KiB/conn`);
  if (Number.isFinite(r.held)) parts.push(`held ${r.held}`);
  if (Number.isFinite(r.p99Ms)) parts.push(`p99 ${r.p99Ms.toFixed(1)} ms`);
  parts.push(
    `CPU server ${Math.round(r.serverCpuPct)}% gen ${Math.round(r.genCpuPct)}% other ${Math.round(disturbance(r))}%`,
  );
  if (r.lost || r.duplicated || r.reordered)
    parts.push(`LOST ${r.lost} DUP ${r.duplicated} REORDERED ${r.reordered}`);
  return (
    (r.ok ? '' : 'FAILED ') + parts.join(', ') + (r.notes.length ? ` [${r.notes.join('; ')}]` : '')
  );
}

/** Other processes' CPU (and the hypervisor's steal) during a run, % of one core. */
const disturbance = (r: RunResult) => (r.otherCpuPct || 0) + (r.stealPct || 0);
/** A run during which other work took more than this is repeated (up to --retries times). */
const DISTURBED_PCT = 10;

/**
 * Wait until the machine is quiet (other work below DISTURBED_PCT of a core over half a second),
 * at most `maxS` seconds. Returns the busy % last seen.
 */
async function waitForQuiet(maxS: number): Promise<number> {
  const deadline = Date.now() + maxS * 1000;
  let told = false;
  for (;;) {
    const a = machineCpu().busy;
    await sleep(500);
    const pct = ((machineCpu().busy - a) / 0.5) * 100;
    if (!(pct > DISTURBED_PCT) || Date.now() > deadline) {
      if (told) progress(pct > DISTURBED_PCT ? ' gave up waiting\n' : ' quiet now\n');
      return pct;
    }
    if (!told) progress(`other processes are using ${Math.round(pct)}% CPU: waiting…`);
    told = true;
  }
}

/** One server start and generator run: the server's settings and, for lobby, how clients arrive. */
interface Phase {
  setup: ServerSetup;
  lobby?: GenEnv['lobby'];
}

/**
 * The runs a scenario takes on a server: one, but lobby takes two (without the channel, then with
 * it: parley joins arrivals itself, a peer's clients send JOIN after 001).
 */
function phases(name: ServerName, sc: Scenario): Phase[] {
  if (sc.kind === 'lobby') {
    const withChannel: Phase = PROFILES[name].autoJoin
      ? { setup: { ...BENCH_SETUP, defaultChannel: LOBBY }, lobby: 'auto' }
      : { setup: BENCH_SETUP, lobby: 'join' };
    return [{ setup: BENCH_SETUP, lobby: 'none' }, withChannel];
  }
  if (sc.kind === 'flood') return [{ setup: { ...BENCH_SETUP, sendq: FLOOD_SENDQ } }];
  return [{ setup: BENCH_SETUP }];
}

/** Start a fresh server for each phase, run the scenario against it, stop it. */
async function runOnce(
  name: ServerName,
  sc: Scenario,
  stallMs: number,
  commands: Map<ServerName, string>,
): Promise<RunResult> {
  const results: RunResult[] = [];
  for (const phase of phases(name, sc))
    results.push(await runPhase(name, sc, phase, stallMs, commands));
  return sc.kind === 'lobby' ? mergeLobby(results[0], results[1]) : results[0];
}

async function runPhase(
  name: ServerName,
  sc: Scenario,
  phase: Phase,
  stallMs: number,
  commands: Map<ServerName, string>,
): Promise<RunResult> {
  const profile = PROFILES[name];
  try {
    const server = await startServer(profile, SERVER_CORE, phase.setup);
    // RESULTS.md shows the common command; the scenarios that change it say how
    if (phase.setup === BENCH_SETUP) commands.set(name, server.command);
    try {
      const env: GenEnv = {
        host: HOST,
        port: server.port,
        serverPid: server.pid,
        regWindow: profile.regWindow,
        joinWindow: 64,
        stallMs,
        lobby: phase.lobby,
      };
      return await runGenerator({ scenario: sc, env });
    } finally {
      await server.stop();
    }
  } catch (err) {
    const result = emptyResult(sc.name);
    result.notes.push(err instanceof Error ? err.message : String(err));
    return result;
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const scenarios = selectScenarios(opts.scenarios, opts.quick, opts.sets);
  const servers = opts.servers.filter((s) => {
    if (installed(s)) return true;
    progress(`${s} is not installed: skipped\n`);
    return false;
  });
  if (!servers.includes('parley')) progress('note: parley is not among the servers\n');
  const began = Date.now();
  const runs = new Map<string, RunResult[]>();
  const commands = new Map<ServerName, string>();
  const genCommand = readable(
    pinned(GEN_CORE, [process.execPath, GEN_SCRIPT, '{"scenario":…,"env":…}']),
  );
  const total = opts.runs * scenarios.length * servers.length;
  let step = 0;
  let extraS = 0;
  // Rounds outermost, servers innermost: slow drift on the machine (other work, thermal) spreads
  // over every server instead of landing on one.
  for (let run = 1; run <= opts.runs; run++) {
    for (const sc of scenarios) {
      for (const name of servers) {
        step++;
        const label = `[${String(step).padStart(String(total).length)}/${total}] run ${run}/${opts.runs} ${sc.name.padEnd(12)} ${name.padEnd(8)}`;
        if (process.stderr.isTTY) progress(`${label} …`);
        const t0 = Date.now();
        // Waiting for quiet and repeating disturbed runs share one time budget, so a machine that
        // never goes quiet still gets a complete (if noisier) run in bounded time.
        const budgetLeft = () => opts.patienceS - extraS;
        const wait = async () => {
          const w0 = Date.now();
          await waitForQuiet(Math.min(opts.quietWaitS, Math.max(0, budgetLeft())));
          extraS += (Date.now() - w0) / 1000;
        };
        await wait();
        let result = await runOnce(name, sc, opts.stallMs, commands);
        for (
          let retry = 1;
          disturbance(result) > DISTURBED_PCT && retry <= opts.retries && budgetLeft() > 0;
          retry++
        ) {
          progress(
            `${process.stderr.isTTY ? '\r' : ''}${label} disturbed: other processes took ${Math.round(disturbance(result))}% CPU; repeating (${retry}/${opts.retries})\n`,
          );
          await wait();
          const r0 = Date.now();
          result = await runOnce(name, sc, opts.stallMs, commands);
          extraS += (Date.now() - r0) / 1000;
        }
        if (disturbance(result) > DISTURBED_PCT)
          result.notes.push(
            `disturbed: other processes took ${Math.round(disturbance(result))}% CPU`,
          );
        const key = `${name}/${sc.name}`;
        runs.set(key, [...(runs.get(key) ?? []), result]);
        const took = ((Date.now() - t0) / 1000).toFixed(1);
        progress(`${process.stderr.isTTY ? '\r' : ''}${label} ${brief(result)} (${took} s)\n`);
      }
    }
  }
  const report: Report = {
    servers,
    scenarios: scenarios.map((sc) => ({ scenario: sc, description: describe(sc) })),
    results: aggregate(servers, scenarios, runs),
    runs: opts.runs,
    versions: Object.fromEntries(servers.map((s) => [s, version(s)])) as Record<ServerName, string>,
    commands: Object.fromEntries(commands) as Record<ServerName, string>,
    genCommand,
    regWindows: Object.fromEntries(servers.map((s) => [s, PROFILES[s].regWindow])) as Record<
      ServerName,
      number
    >,
    invocation: `npm run bench -- ${process.argv.slice(2).map(shq).join(' ')}`.trim(),
    machine: machineInfo(
      execFileSync('uname', ['-a'], { encoding: 'utf8' }).trim(),
      execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim(),
    ),
    elapsedS: (Date.now() - began) / 1000,
    disturbedS: extraS,
    date: new Date().toISOString(),
  };
  process.stdout.write(consoleTable(report) + '\n');
  progress(
    `finished in ${(report.elapsedS / 60).toFixed(1)} min, ${Math.round(extraS)} s of it waiting for other processes or repeating runs they disturbed\n`,
  );
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(Object.fromEntries(runs), null, 1));
  if (opts.write) {
    const dir = path.join(REPO, 'bench');
    fs.writeFileSync(path.join(dir, 'RESULTS.md'), resultsMarkdown(report));
    fs.writeFileSync(path.join(dir, 'chart.svg'), drawChart(report));
    progress('wrote bench/RESULTS.md and bench/chart.svg\n');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
