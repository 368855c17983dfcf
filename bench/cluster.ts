// The cluster benchmark (`npm run bench:cluster`): what --cluster costs one server, and what a private message between two servers costs in CPU and in Redis traffic.
//
// Three set-ups, run in turn (interleaved, --runs times each, medians reported):
//   alone   one parley server, no --cluster                         (the baseline)
//   tax     one parley server with --cluster (every user is local)  (the cluster tax)
//   split   two servers on one Redis, clients alternating between them: a private message goes to
//           a random other client, so about half of them cross servers
// Each runs the `direct` scenario (throughput) and `direct-rate` (p99 at a fixed rate). Redis's
// own counters (INFO: commands processed, bytes in and out) and the CPU of every process are read
// before and after the load generator's run. This machine has 2 cores: the servers and Redis share
// core 0, the generator has core 1, so `split` shows costs, not a speed-up.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { GenEnv } from './flows.js';
import { GEN_SCRIPT, type GenRequest } from './gen.js';
import { sleep } from './loadgen.js';
import { BENCH_SETUP, HOST, pinned, PROFILES, REPO, startServer } from './peers.js';
import type { RunningServer, ServerProfile } from './peers.js';
import { treeCpuTimes } from './proc.js';
import { median } from './stats.js';
import { resultFromJson, selectScenarios, type RunResult, type Scenario } from './scenarios.js';

type Mode = 'alone' | 'tax' | 'split';
const MODES: Mode[] = ['alone', 'tax', 'split'];

interface Sample {
  mode: Mode;
  scenario: string;
  result: RunResult;
  /** Messages sent in the measured run and its warm-up (what Redis and the CPU counters saw). */
  messages: number;
  redisCommands: number;
  redisBytes: number;
  cpuSeconds: number;
}

function redisInfo(port: number): { commands: number; bytes: number } {
  const out = execFileSync('redis-cli', ['-p', String(port), 'info', 'stats'], {
    encoding: 'utf8',
  });
  const field = (k: string) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(out)?.[1] ?? NaN);
  return {
    commands: field('total_commands_processed'),
    bytes: field('total_net_input_bytes') + field('total_net_output_bytes'),
  };
}

async function startRedis(port: number): Promise<{ pid: number; stop: () => void }> {
  const child = spawn(
    'bash',
    ['-c', pinned(1, ['redis-server', '--port', String(port), '--bind', HOST, '--save', ''])],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
      return { pid: child.pid ?? -1, stop: () => child.kill('SIGKILL') };
    } catch {
      await sleep(50);
    }
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start (apt-get install redis-server)');
}

function clusterProfile(url: string, id: string): ServerProfile {
  const base = PROFILES.parley;
  return {
    ...base,
    argv: (dir, port, setup) => [
      ...base.argv(dir, port, setup),
      '--db',
      'off',
      '--cluster',
      url,
      '--node-id',
      id,
    ],
  };
}

function runGenerator(req: GenRequest): Promise<RunResult> {
  const script = pinned(1, [process.execPath, GEN_SCRIPT, JSON.stringify(req)]);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(resultFromJson(line));
      else reject(new Error(`load generator exited with ${code}: ${out.trim()}`));
    });
  });
}

async function runOnce(mode: Mode, sc: Scenario, redisPort: number): Promise<Sample> {
  const url = `redis://${HOST}:${redisPort}`;
  execFileSync('redis-cli', ['-p', String(redisPort), 'flushall'], { stdio: 'ignore' });
  const servers: RunningServer[] = [];
  const profile = (id: string): ServerProfile =>
    mode === 'alone'
      ? {
          ...PROFILES.parley,
          argv: (d, p, s) => [...PROFILES.parley.argv(d, p, s), '--db', 'off'],
        }
      : clusterProfile(url, id);
  try {
    servers.push(await startServer(profile('n1'), 0, BENCH_SETUP));
    if (mode === 'split') servers.push(await startServer(profile('n2'), 0, BENCH_SETUP));
    await sleep(300); // the nodes' first heartbeats and directory reads
    const env: GenEnv = {
      host: HOST,
      port: servers[0].port,
      ports: servers.map((s) => s.port),
      serverPid: servers[0].pid,
      regWindow: PROFILES.parley.regWindow,
      joinWindow: 64,
      stallMs: 30_000,
      lobby: 'none',
    };
    const redisBefore = redisInfo(redisPort);
    const cpuBefore = servers.map((s) => treeCpuTimes(s.pid));
    const result = await runGenerator({ scenario: sc, env });
    const cpu = servers
      .map((s, k) => {
        const [u, sy] = treeCpuTimes(s.pid);
        return u + sy - cpuBefore[k][0] - cpuBefore[k][1];
      })
      .reduce((a, b) => a + b, 0);
    const redisAfter = redisInfo(redisPort);
    const messages = Math.round(sc.senders * sc.messages * 1.1); // with the tenth of warm-up
    return {
      mode,
      scenario: sc.name,
      result,
      messages,
      redisCommands: redisAfter.commands - redisBefore.commands,
      redisBytes: redisAfter.bytes - redisBefore.bytes,
      cpuSeconds: cpu,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

function table(samples: Sample[], scenarios: Scenario[]): string {
  const rows = [
    '| scenario | set-up | deliveries/s | p99 | server CPU per message | Redis commands per message | Redis bytes per message | runs |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const sc of scenarios) {
    const base = median(
      samples
        .filter((s) => s.mode === 'alone' && s.scenario === sc.name)
        .map((s) => s.result.deliveriesPerS),
    );
    for (const mode of MODES) {
      const mine = samples.filter((s) => s.mode === mode && s.scenario === sc.name);
      if (mine.length === 0) continue;
      const rate = median(mine.map((s) => s.result.deliveriesPerS));
      const vs = mode === 'alone' ? '' : ` (${fmt((rate / base) * 100)}% of alone)`;
      rows.push(
        `| ${sc.name} | ${mode} | ${fmt(rate / 1000, 1)} k/s${vs} | ${fmt(median(mine.map((s) => s.result.p99Ms)), 2)} ms | ` +
          `${fmt(median(mine.map((s) => (s.cpuSeconds * 1e6) / s.messages)), 1)} µs | ` +
          `${fmt(median(mine.map((s) => s.redisCommands / s.messages)), 2)} | ` +
          `${fmt(median(mine.map((s) => s.redisBytes / s.messages)), 0)} | ${mine.length} |`,
      );
    }
  }
  return rows.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    process.stdout.write(
      'npm run bench:cluster -- [--runs N] [--quick] [--write] [--scenario NAME,..] [--modes alone,tax,split] [--set SCENARIO.FIELD=N]\n' +
        '  alone / tax / split set-ups of the fanout, direct and direct-rate scenarios; --write puts the\n' +
        '  table into bench/CLUSTER.md (between its markers); --scenario and --modes run fewer of them;\n' +
        '  --set changes a scenario as in npm run bench\n',
    );
    return;
  }
  const at = args.indexOf('--runs');
  const runs = at === -1 ? 3 : Number(args[at + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number ≥ 1');
  const list = (flag: string, all: string[]): string[] => {
    const i = args.indexOf(flag);
    if (i === -1) return all;
    const picked = (args[i + 1] ?? '').split(',').filter(Boolean);
    const wrong = picked.filter((x) => !all.includes(x));
    if (picked.length === 0 || wrong.length > 0) {
      throw new Error(`${flag} takes a comma-separated list of ${all.join(', ')}`);
    }
    return picked;
  };
  const scenarios = selectScenarios(
    list('--scenario', ['fanout', 'direct', 'direct-rate']),
    args.includes('--quick'),
    args.flatMap((a, i) => (args[i - 1] === '--set' ? [a] : [])),
  );
  const modes = list('--modes', MODES) as Mode[];
  if (
    args.includes('--write') &&
    (modes.length < MODES.length || scenarios.length < 3 || args.includes('--set'))
  ) {
    throw new Error(
      '--write needs every scenario and set-up as they are (drop --scenario, --modes and --set)',
    );
  }
  if (!modes.includes('alone'))
    throw new Error('--modes needs alone: the others are compared with it');
  const redisPort = 20_000 + Math.floor(Math.random() * 20_000);
  const redis = await startRedis(redisPort);
  const samples: Sample[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      for (const sc of scenarios) {
        for (const mode of modes) {
          const s = await runOnce(mode, sc, redisPort);
          samples.push(s);
          process.stderr.write(
            `[run ${run}/${runs}] ${sc.name} ${mode}: ${fmt(s.result.deliveriesPerS / 1000, 1)} k/s, ` +
              `p99 ${fmt(s.result.p99Ms, 2)} ms, ${fmt(s.redisCommands / s.messages, 2)} Redis commands/msg` +
              `${s.result.ok ? '' : ' (NOT OK: ' + s.result.notes.join('; ') + ')'}\n`,
          );
        }
      }
    }
  } finally {
    redis.stop();
  }
  const out = table(samples, scenarios);
  process.stdout.write(out + '\n');
  if (args.includes('--write')) {
    const file = path.join(REPO, 'bench', 'CLUSTER.md');
    const text = fs.readFileSync(file, 'utf8');
    const begin = '<!-- cluster-table:begin -->';
    const end = '<!-- cluster-table:end -->';
    const stamp = `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, medians of ${runs} runs.`;
    const next =
      text.slice(0, text.indexOf(begin) + begin.length) +
      `\n${stamp}\n\n${out}\n` +
      text.slice(text.indexOf(end));
    fs.writeFileSync(file, next);
    process.stderr.write(`wrote ${file}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:cluster: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
