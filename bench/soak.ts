// `npm run soak`: hundreds of clients against a real `parley serve` for N minutes; writes bench/SOAK.md and bench/soak.svg, exits 1 on a loss, a reorder or growing memory.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST, PROFILES, REPO, shq, startServer, version } from './peers.js';
import type { RunningServer, ServerProfile } from './peers.js';
import { machineInfo } from './proc.js';
import { soakMarkdown, soakTable } from './soak-md.js';
import { DEFAULTS, runSoak, warmupOf, type SoakOptions } from './soak-run.js';
import { soakChart } from './soak-svg.js';

const PROBE = fileURLToPath(new URL('./soak-heap.js', import.meta.url));

const HELP = `Usage: npm run soak -- [options]

Runs simulated clients against a fresh \`parley serve\` (history on, in a temp folder) for a while:
they join channels, chat, send private messages, leave (QUIT, a dropped connection or a PART),
come back and fetch what they missed with CHATHISTORY AFTER. Every message confirmed by its echo
must reach every member who was in for the whole time it was sent, in order, and history must hold
what a returning client missed, once each. Reports the server's memory over time (RSS and V8 heap,
every --sample seconds) and whether it grows after warm-up. Exit code 1 on any loss, reorder,
duplicate, history gap, cut connection, server exit or growing memory.

  --minutes N        how long the load runs [${DEFAULTS.seconds / 60}]
  --clients N        simulated users [${DEFAULTS.clients}]
  --channels N       channels [${DEFAULTS.channels}]; --per-client N: joined by each [${DEFAULTS.perClient}]
  --keepers F        share of users that never leave [${DEFAULTS.keepers}]
  --chat S           mean seconds between one user's messages [${DEFAULTS.chatS}]
  --private F        share of messages sent privately [${DEFAULTS.privateShare}]
  --session S        mean seconds between a user's leaves [${DEFAULTS.sessionS}]
  --offline S        mean seconds offline before reconnecting [${DEFAULTS.offlineS}]
  --part S           mean seconds out of a channel left with PART [${DEFAULTS.partS}]
  --fence S          seconds between a connection's PING checks [${DEFAULTS.fenceS}]
  --sample S         seconds between memory samples [${DEFAULTS.sampleS}]
  --warmup S         memory before this is left out of the trend [a fifth of the run, at most 300]
  --max-growth PCT   memory growing more than this after warm-up fails the soak [${DEFAULTS.maxGrowthPct}]
  --flood-burst N, --flood-rate N   the server's flood control [${DEFAULTS.floodBurst}, ${DEFAULTS.floodRate}/s]
  --seed N           random seed [${DEFAULTS.seed}]
  --no-write         do not write bench/SOAK.md and bench/soak.svg
  --json FILE        also save the whole result (every memory sample) as JSON
  -h, --help         show this help
`;

const FLAGS: Record<string, keyof SoakOptions> = {
  '--clients': 'clients',
  '--channels': 'channels',
  '--per-client': 'perClient',
  '--keepers': 'keepers',
  '--chat': 'chatS',
  '--private': 'privateShare',
  '--session': 'sessionS',
  '--offline': 'offlineS',
  '--part': 'partS',
  '--fence': 'fenceS',
  '--sample': 'sampleS',
  '--warmup': 'warmupS',
  '--max-growth': 'maxGrowthPct',
  '--flood-burst': 'floodBurst',
  '--flood-rate': 'floodRate',
  '--seed': 'seed',
};

function parseArgs(argv: string[]): { o: SoakOptions; write: boolean; json: string | null } {
  const o: SoakOptions = { ...DEFAULTS };
  let write = true;
  let json: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      process.exit(0);
    }
    if (a === '--no-write') {
      write = false;
      continue;
    }
    if (a === '--json') {
      json = argv[++i] ?? null;
      if (json === null) throw new Error('--json needs a file name');
      continue;
    }
    const [flag, inline] = a.split('=', 2);
    const text = inline ?? argv[++i];
    const v = Number(text);
    if (text === undefined || !Number.isFinite(v) || v < 0)
      throw new Error(`${flag} needs a number (see --help)`);
    if (flag === '--minutes') o.seconds = v * 60;
    else if (flag in FLAGS) o[FLAGS[flag]] = v;
    else throw new Error(`unknown option ${flag} (see --help)`);
  }
  if (!(o.clients >= 2) || !(o.channels >= 1) || !(o.perClient >= 1))
    throw new Error('--clients must be at least 2, --channels and --per-client at least 1');
  if (!(o.seconds > 0)) throw new Error('--minutes must be above 0');
  return { o, write, json };
}

/** parley as the soak runs it: history on, flood control on, room for every client, no chat log. */
function soakProfile(o: SoakOptions): ServerProfile {
  const base = PROFILES.parley;
  return {
    ...base,
    argv: (dir, port, setup) => {
      const [node, ...rest] = base.argv(dir, port, setup);
      // Later flags win over the benchmark's.
      return [
        node,
        '--import',
        PROBE,
        ...rest,
        ...['--flood', 'on', '--flood-burst', String(o.floodBurst)],
        ...['--flood-rate', String(o.floodRate), '--log-chat', 'off'],
        ...['--history-limit', String(o.historyLimit), '--db', path.join(dir, 'soak.db')],
      ];
    },
  };
}

export interface SoakServer {
  server: RunningServer;
  heapFile: string;
  stop(): Promise<void>;
}

/** A fresh `parley serve` for a soak, free to use every core, with the heap probe loaded. */
export async function startSoakServer(o: SoakOptions): Promise<SoakServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-soak-'));
  const heapFile = path.join(dir, 'heap.log');
  process.env.PARLEY_SOAK_HEAP_FILE = heapFile;
  try {
    // The server's own send queue (1 MiB) and no default channel: the soak joins its own.
    const setup = { defaultChannel: '', sendq: 1024 * 1024 };
    const server = await startServer(soakProfile(o), `0-${os.cpus().length - 1}`, setup);
    return {
      server,
      heapFile,
      stop: async () => {
        await server.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } finally {
    delete process.env.PARLEY_SOAK_HEAP_FILE;
  }
}

async function main(): Promise<void> {
  const { o, write, json } = parseArgs(process.argv.slice(2));
  const say = (line: string) => process.stderr.write(line + '\n');
  const { server, heapFile, stop } = await startSoakServer(o);
  say(
    `soak: ${o.clients} clients for ${+(o.seconds / 60).toFixed(2)} min against ${server.command} ` +
      `(pid ${server.pid}); warm-up ${Math.round(warmupOf(o))} s`,
  );
  let result;
  try {
    result = await runSoak(o, { host: HOST, port: server.port, pid: server.pid, heapFile }, say);
  } finally {
    await stop();
  }
  const context = {
    version: version('parley'),
    command: server.command,
    invocation: `npm run soak -- ${process.argv.slice(2).map(shq).join(' ')}`.trim(),
    machine: machineInfo(
      execFileSync('uname', ['-a'], { encoding: 'utf8' }).trim(),
      execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim(),
    ),
  };
  process.stdout.write(soakTable(result) + '\n');
  if (json !== null) fs.writeFileSync(json, JSON.stringify(result, null, 1));
  if (write) {
    const dir = path.join(REPO, 'bench');
    fs.writeFileSync(path.join(dir, 'SOAK.md'), soakMarkdown(result, context));
    fs.writeFileSync(path.join(dir, 'soak.svg'), soakChart(result));
    say('wrote bench/SOAK.md and bench/soak.svg');
  }
  if (result.failures.length > 0) {
    say(`soak FAILED: ${result.failures.join('; ')}`);
    process.exitCode = 1;
  } else say('soak passed');
  // Sockets were reset; don't wait for stragglers.
  setTimeout(() => process.exit(), 100).unref();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
