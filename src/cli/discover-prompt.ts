// `parley connect --discover` on the terminal: show the servers found, numbered, and pick one (a prompt on a TTY, else the first).
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { stripControls } from '../protocol/index.js';
import { displayWidth } from '../client/ui/width.js';
import { discoverServers, DiscoverError, type FoundServer } from '../client/discover.js';
import { CliError } from './errors.js';

/** TXT keys shown first, in this order; the rest follow as they came. */
const TXT_ORDER = ['network', 'channel', 'version', 'tls', 'password'];
/** TXT keys not worth a column. */
const TXT_HIDDEN = new Set(['txtvers']);
/** Longest TXT value shown; the rest is cut with '…'. */
const TXT_VALUE_MAX = 40;

/** `host:port`, with brackets around an IPv6 address. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Remote text made safe and short for one terminal line. */
function clean(text: string, max: number): string {
  const s = stripControls(text).trim();
  return [...s].length > max ? [...s].slice(0, max - 1).join('') + '…' : s;
}

/** The TXT pairs as `key=value` words, the known keys first. */
export function txtSummary(txt: Record<string, string>): string {
  const keys = Object.keys(txt).filter((k) => !TXT_HIDDEN.has(k));
  const known = TXT_ORDER.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !TXT_ORDER.includes(k));
  return [...known, ...rest]
    .map((k) => `${clean(k, 20)}=${clean(txt[k], TXT_VALUE_MAX)}`)
    .join(' ');
}

/** One line per server: ` 1) name   host:port   network=... channel=...`, columns aligned. */
export function renderServerList(servers: readonly FoundServer[]): string[] {
  const num = String(servers.length).length;
  const names = servers.map((s) => clean(s.name, 40) || '(no name)');
  const wheres = servers.map((s) => hostPort(s.address, s.port));
  const nameWidth = Math.max(0, ...names.map(displayWidth));
  const whereWidth = Math.max(0, ...wheres.map((w) => w.length));
  return servers.map((s, i) => {
    const name = names[i] + ' '.repeat(nameWidth - displayWidth(names[i]));
    const line = `${String(i + 1).padStart(num)}) ${name}  ${wheres[i].padEnd(whereWidth)}  ${txtSummary(s.txt)}`;
    return '  ' + line.trimEnd();
  });
}

/** The answer to "which one?": the 0-based index, null to ask again; Enter picks the first. */
export function parseChoice(answer: string, count: number): number | null {
  const a = answer.trim();
  if (a === '') return 0;
  if (!/^\d+$/.test(a)) return null;
  const n = Number(a);
  return n >= 1 && n <= count ? n - 1 : null;
}

export interface PickOptions {
  timeMs: number;
  iface: string | null;
  /** Stop listening once this many servers are found (null: listen for all of timeMs). */
  count: number | null;
  /** Ask on the terminal; otherwise take the first server found. */
  interactive: boolean;
  input: Readable;
  /** Where the list, the notes and the prompt go (stderr: stdout is the chat). */
  output: Writable;
}

/** Browse, list and pick; throws CliError (exit 1) when nothing is found or nothing picked. */
export async function discoverAndPick(opts: PickOptions): Promise<FoundServer> {
  const secs = `${opts.timeMs / 1000}s`;
  const until = opts.count === null ? '' : `, or until ${opts.count} found`;
  opts.output.write(`Looking for IRC servers on the local network (mDNS, ${secs}${until})...\n`);
  let found: FoundServer[];
  try {
    found = await discoverServers({ timeMs: opts.timeMs, iface: opts.iface, count: opts.count });
  } catch (err) {
    if (err instanceof DiscoverError) throw new CliError(err.message, 1);
    throw err;
  }
  if (found.length === 0) {
    throw new CliError(
      `no IRC servers found in ${secs}: check that the server runs with --advertise on this` +
        ` network and that multicast (UDP port 5353) is allowed, or give HOST[:PORT]`,
      1,
    );
  }
  const lines = renderServerList(found);
  opts.output.write(lines.join('\n') + '\n');
  let index = 0;
  if (found.length === 1) {
    opts.output.write(`Connecting to the only server found, ${describe(found[0])}.\n`);
  } else if (!opts.interactive) {
    opts.output.write(
      `Connecting to the first of ${found.length}, ${describe(found[0])} (run in a terminal to choose).\n`,
    );
  } else {
    index = await ask(opts.input, opts.output, found.length);
    opts.output.write(`Connecting to ${describe(found[index])}.\n`);
  }
  return found[index];
}

function describe(s: FoundServer): string {
  return `${clean(s.name, 40)} at ${hostPort(s.address, s.port)}`;
}

/** A numbered prompt that repeats until it gets a valid answer; Ctrl-C or Ctrl-D gives up. */
function ask(input: Readable, output: Writable, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, output, terminal: true });
    let answered = false;
    const question = `Connect to which server? [1-${count}, Enter = 1]: `;
    const onLine = (answer: string) => {
      const choice = parseChoice(answer, count);
      if (choice === null) {
        output.write(`Type a number from 1 to ${count}.\n`);
        rl.prompt();
        return;
      }
      answered = true;
      rl.close();
      resolve(choice);
    };
    rl.setPrompt(question);
    rl.on('line', onLine);
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      if (!answered) {
        output.write('\n');
        reject(new CliError('no server picked', 1));
      }
    });
    rl.prompt();
  });
}
