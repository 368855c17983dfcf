// `parley serve --advertise` and `parley connect --discover` over real mDNS, inside network namespaces this test creates (never the host's network).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTmux, TmuxSession } from '../helpers/tmux.js';
import { MAIN } from './serve.js';

/*
 * The test network. Multicast may not touch the host's interfaces, so every packet stays in
 * namespaces made here:
 *   - "veth": two namespaces, A (the server) and B (the client), joined by a veth pair with
 *     link-local addresses that exist only inside them; multicast switched on for both ends.
 *   - "lo": one namespace with only its own loopback, up and with multicast on (harmless there).
 * Server and client are told the interface explicitly (--host, --discover-interface).
 */
/**
 * Discovery that ends on an event, not a clock: the client stops listening as soon as it has
 * found the `n` servers the test started. The time limit is only a bound, longer than the
 * test's own waits, so a client that ignored the count fails the test instead of passing late.
 */
const UNTIL_FOUND = (n: number): string[] => [
  '--discover-count',
  String(n),
  '--discover-time',
  '60',
];

const ADDR_A = '169.254.77.1';
const ADDR_B = '169.254.77.2';

function ip(...args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, err: (r.stderr ?? r.error?.message ?? '').trim() };
}

function must(...args: string[]): void {
  const r = ip(...args);
  if (!r.ok) throw new Error(`ip ${args.join(' ')}: ${r.err}`);
}

/**
 * Why namespaces cannot be used here, or null when they can. `installable`: CI should have
 * provided it (.ci/run installs iproute2), so under CI=true its absence fails the tests; root and
 * the right to make namespaces (a container may lack CAP_SYS_ADMIN) come from the machine, and
 * without them the tests skip, saying why, even under CI.
 */
function netnsUnavailable(): { why: string; installable: boolean } | null {
  if (process.platform !== 'linux')
    return { why: 'network namespaces need Linux', installable: false };
  const version = spawnSync('ip', ['-V'], { encoding: 'utf8', timeout: 10_000 });
  if (version.error !== undefined || version.status !== 0) {
    return { why: "the 'ip' command is missing (apt-get install iproute2)", installable: true };
  }
  if (process.getuid?.() !== 0) {
    return { why: 'creating network namespaces needs root', installable: false };
  }
  // Root is not always enough: make one to be sure.
  const probe = `parley-mdns-probe-${process.pid}`;
  const r = ip('netns', 'add', probe);
  if (!r.ok) return { why: `'ip netns add' fails here: ${r.err}`, installable: false };
  ip('netns', 'del', probe);
  return null;
}

let unavailable: ReturnType<typeof netnsUnavailable> | undefined;

/** Skip (or, under CI, fail when CI should have installed what is missing); true to go on. */
function canRun(t: TestContext): boolean {
  unavailable ??= netnsUnavailable();
  if (unavailable === null) return true;
  const { why, installable } = unavailable;
  if (installable && process.env.CI === 'true') assert.fail(`mDNS tests, under CI=true: ${why}`);
  t.skip(`mDNS tests need their own network namespaces: ${why}`);
  return false;
}

/** Namespaces and veth pairs made by one test, removed again by cleanup(). */
class TestNet {
  private readonly names: string[] = [];
  readonly id = randomBytes(3).toString('hex');

  /** A new namespace with its loopback up (and multicast on, for tests that use lo). */
  namespace(suffix: string): string {
    const ns = `parley-mdns-${this.id}-${suffix}`;
    const r = ip('netns', 'add', ns);
    if (!r.ok) throw new Error(`ip netns add ${ns}: ${r.err}`);
    this.names.push(ns);
    must('-n', ns, 'link', 'set', 'lo', 'up', 'multicast', 'on');
    return ns;
  }

  /** Join two namespaces with a veth pair: `addrA/24` in a, `addrB/24` in b, multicast on. */
  link(a: string, addrA: string, b: string, addrB: string): void {
    const va = `pm${this.id}a`;
    const vb = `pm${this.id}b`;
    // Created directly inside the namespaces: the pair never exists on the host.
    must('-n', a, 'link', 'add', va, 'type', 'veth', 'peer', 'name', vb, 'netns', b);
    for (const [ns, dev, addr] of [
      [a, va, addrA],
      [b, vb, addrB],
    ]) {
      must('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
      must('-n', ns, 'link', 'set', dev, 'up', 'multicast', 'on');
      must('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
    }
  }

  cleanup(): void {
    for (const ns of this.names.reverse()) ip('netns', 'del', ns);
  }
}

interface Serve {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** `parley serve ...args` inside namespace `ns` (history in memory: two servers cannot share one file). */
function serveIn(ns: string, args: string[]): Serve {
  const argv = [MAIN, 'serve', '--db', ':memory:', ...args];
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (text.stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (text.stderr += s));
  child.on('error', () => {}); // seen as a missing line by waitFor
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    async waitFor(stream, pattern, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = text[stream].match(pattern);
        if (m) return m;
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(
            `no ${String(pattern)} on the server's ${stream}\nstdout:\n${text.stdout}\nstderr:\n${text.stderr}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `parley connect ...args` inside namespace `ns` with `input` on stdin (not a terminal). */
function connectIn(ns: string, args: string[], input: string, ms = 20_000) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, MAIN, 'connect', ...args], {
      stdio: 'pipe',
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`client did not exit within ${ms} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(input);
  });
}

test('a client in another namespace discovers the advertised server over a veth link and chats', async (t) => {
  if (!canRun(t)) return;
  const net = new TestNet();
  let srv: Serve | null = null;
  try {
    const a = net.namespace('srv');
    const b = net.namespace('cli');
    net.link(a, ADDR_A, b, ADDR_B);
    srv = serveIn(a, [
      '--advertise',
      '--host',
      ADDR_A,
      '--port',
      '0',
      '--name',
      'mdns.test',
      '--network',
      'testnet',
    ]);
    const port = Number((await srv.waitFor('stderr', /listening on \S+:(\d+)/))[1]);
    await srv.waitFor('stderr', /advertising 'mdns-test' as _irc\._tcp on port \d+/);

    const r = await connectIn(
      b,
      ['--discover', ...UNTIL_FOUND(1), '--discover-interface', ADDR_B, '--plain', '-n', 'bob'],
      'hello over mdns\n/quit\n',
    );
    assert.equal(r.code, 0, `stdout:\n${r.out}\nstderr:\n${r.err}`);
    const list = new RegExp(
      `^  1\\) mdns-test  ${ADDR_A.replace(/\./g, '\\.')}:${port}  network=testnet channel=#lobby version=parley-\\S+ tls=0 password=0$`,
      'm',
    );
    assert.match(r.err, list);
    assert.match(r.err, /^Connecting to the only server found, mdns-test at /m);
    await srv.waitFor('stdout', /#lobby <bob> hello over mdns/);
  } finally {
    await srv?.stop();
    net.cleanup();
  }
});

/** Two servers on 127.0.0.1 in `ns`, both asking for the name 'twin'; returns them and their ports. */
async function twins(ns: string, servers: Serve[]): Promise<[Serve, Serve, string, string]> {
  const common = ['--advertise', '--host', '127.0.0.1', '--port', '0', '--advertise-name', 'twin'];
  // One after the other: the second must see the first during its name check.
  for (const expected of ['twin', 'twin \\(2\\)']) {
    const srv = serveIn(ns, common);
    servers.push(srv);
    await srv.waitFor('stderr', new RegExp(`advertising '${expected}' as _irc\\._tcp`));
  }
  const [first, second] = servers;
  const portOf = async (s: Serve) => (await s.waitFor('stderr', /listening on \S+:(\d+)/))[1];
  return [first, second, await portOf(first), await portOf(second)];
}

test('two servers on loopback: the second takes "NAME (2)", a piped client lists both and takes the first', async (t) => {
  if (!canRun(t)) return;
  const net = new TestNet();
  const servers: Serve[] = [];
  try {
    const ns = net.namespace('lo');
    const [first, second, p1, p2] = await twins(ns, servers);

    const r = await connectIn(
      ns,
      [
        '--discover',
        ...UNTIL_FOUND(2),
        '--discover-interface',
        '127.0.0.1',
        '--plain',
        '-n',
        'eve',
      ],
      'hi twin\n/quit\n',
    );
    assert.equal(r.code, 0, `stdout:\n${r.out}\nstderr:\n${r.err}`);
    assert.match(r.err, new RegExp(`^  1\\) twin      127\\.0\\.0\\.1:${p1}  network=parley`, 'm'));
    assert.match(
      r.err,
      new RegExp(`^  2\\) twin \\(2\\)  127\\.0\\.0\\.1:${p2}  network=parley`, 'm'),
    );
    assert.match(
      r.err,
      /^Connecting to the first of 2, twin at 127\.0\.0\.1:\d+ \(run in a terminal to choose\)\.$/m,
    );
    await first.waitFor('stdout', /#lobby <eve> hi twin/);
    assert.doesNotMatch(second.stdout(), /eve/);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    net.cleanup();
  }
});

test('on a terminal the user picks a server by number, then chats in the interactive client', async (t) => {
  if (!canRun(t)) return;
  if (!haveTmux(t)) return;
  const net = new TestNet();
  const servers: Serve[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'parley-mdns-'));
  let term: TmuxSession | undefined;
  try {
    const ns = net.namespace('tty');
    const [first, second, , p2] = await twins(ns, servers);
    const script = `ip netns exec "$0" "$1" "$2" connect --discover ${UNTIL_FOUND(2).join(' ')} --discover-interface 127.0.0.1 -n zed --inline; echo "exit=$?"; exec sleep 60`;
    term = await TmuxSession.start({
      socket: join(dir, 'tmux.sock'),
      name: 'zed',
      width: 120,
      height: 30,
      env: { TERM: 'xterm-256color', LANG: 'C.UTF-8' },
      command: ['sh', '-c', script, ns, process.execPath, MAIN],
    });
    const tmux = term;
    const wait = (re: RegExp, what: string) => tmux.waitForScreen(re, { timeoutMs: 15_000, what });
    await wait(/Connect to which server\? \[1-2, Enter = 1\]:$/m, 'the prompt');
    const screen = await tmux.capture();
    assert.match(screen, /^ {2}1\) twin {6}127\.0\.0\.1:\d+ /m);
    assert.match(screen, /^ {2}2\) twin \(2\) {2}127\.0\.0\.1:\d+ /m);
    await tmux.type('7');
    await wait(/Type a number from 1 to 2\.\nConnect to which server\?/, 'asked again');
    await tmux.type('2');
    await wait(/registered as zed/, 'the interactive client, connected');
    await tmux.type('picked by number');
    await second.waitFor('stdout', /#lobby <zed> picked by number/);
    assert.doesNotMatch(first.stdout(), /zed/);
    assert.match(second.stderr(), new RegExp(`listening on 127\\.0\\.0\\.1:${p2}`));
    await tmux.type('/quit');
    await wait(/^exit=0$/m, 'a clean exit');
  } finally {
    await term?.kill();
    await Promise.all(servers.map((s) => s.stop()));
    net.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
});

test('nothing advertised: --discover says what to check in one line and exits 1', async (t) => {
  if (!canRun(t)) return;
  const net = new TestNet();
  try {
    const ns = net.namespace('none');
    const r = await connectIn(
      ns,
      ['--discover', '--discover-time', '500ms', '--discover-interface', '127.0.0.1', '-n', 'x'],
      '',
    );
    assert.equal(r.code, 1, r.err);
    assert.equal(r.out, '');
    const lines = r.err.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.err); // "Looking for..." and the error
    assert.match(
      lines[1],
      /^parley: no IRC servers found in 0\.5s: check that the server runs with --advertise/,
    );
  } finally {
    net.cleanup();
  }
});
