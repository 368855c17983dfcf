// The real `parley serve` binary: flags and errors, config file, SIGHUP reload, SIGTERM shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestClient } from '../helpers/irc.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function run(args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 10_000 });
}

interface Running {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stderr so far satisfies `done` (10 s at most). */
  untilStderr: (done: (text: string) => boolean, what: string) => Promise<void>;
  exited: Promise<number | null>;
}

async function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [
    MAIN,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    ...args,
  ]);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${err}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d;
      const m = /listening on [^\s]*:(\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', () => reject(new Error(`exited early: ${err}`)));
  });
  const untilStderr = (done: (text: string) => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done(err)) return;
        stop();
        resolve();
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`timed out waiting for ${what}; stderr:\n${err}`));
      }, 10_000);
      const stop = () => {
        clearTimeout(timer);
        child.stderr!.off('data', check);
      };
      child.stderr!.on('data', check); // after the listener above has appended the chunk
      check();
    });
  return { child, port, stdout: () => out, stderr: () => err, untilStderr, exited };
}

/** Register `nick` and return it with the ISUPPORT tokens of its welcome. */
async function registered(port: number, nick: string) {
  const c = await TestClient.attempt(port, nick);
  c.nick = nick;
  await c.expectCommand('376', nick);
  await c.expectCommand('366', nick, '#lobby');
  return { c, tokens: c.all('005').flatMap((m) => m.params.slice(1, -1)) };
}

/** Send `line` from `c` and return the numerics that came back before a round trip. */
async function numericsFor(c: TestClient, line: string): Promise<string[][]> {
  await c.sync();
  const from = c.received.length;
  c.send(line);
  await c.sync();
  return c.received
    .slice(from)
    .map((r) => r.msg)
    .filter((m) => /^\d{3}$/.test(m.command))
    .map((m) => [m.command, ...m.params.slice(1)]);
}

test('bad flags and values are one-line errors naming the flag, exit code 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['serve', '--bogus'], /Unknown option '--bogus'.*parley serve --help/],
    [['serve', '--port', 'abc'], /--port: expected a whole number/],
    [['serve', '--port', '70000'], /--port: must be between 0 and 65535/],
    [['serve', '--sendq', 'lots'], /--sendq: expected a size/],
    [['serve', '--flood', 'maybe'], /--flood: expected on or off/],
    [['serve', '--default-channel', 'lobby'], /--default-channel: 'lobby' is not a channel name/],
    [['serve', '--motd', '/nonexistent/motd'], /--motd: cannot read \/nonexistent\/motd: ENOENT/],
    [['serve', '--config', '/nonexistent.yaml'], /--config: cannot read/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [
      ['serve', '--cluster', 'http://x:1'],
      /--cluster: .* is not a redis:\/\/, rediss:\/\/ or redis\+sentinel/,
    ],
    [
      ['serve', '--db', 'redis+sentinel://h:1'],
      /--db: .* is not a Sentinel URL \(redis\+sentinel:/,
    ],
    [['serve', '--cluster', 'redis+sentinel://h:99999/m'], /--cluster: .* is not a Sentinel URL/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  }
});

test('--help lists every option with its default', () => {
  const r = run(['serve', '--help']);
  assert.equal(r.status, 0);
  for (const flag of [
    '--port',
    '--max-clients',
    '--sendq',
    '--flood',
    '--log-private',
    '--config',
  ]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.equal(run(['--help']).status, 0);
  assert.match(run(['--version']).stdout, /^parley-/);
});

test('an unknown key in the config file is refused, naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), 'max-clientz: 3\n');
    const r = run(['serve', '--config', join(dir, 'c.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /c\.yaml:1: max-clientz: unknown key/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('config file, flags over it, SIGHUP reload, and SIGTERM tells clients and exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-'));
  const motd = join(dir, 'motd.txt');
  const conf = join(dir, 'parley.yaml');
  writeFileSync(motd, 'first motd\n');
  writeFileSync(conf, `motd: ${motd}\ndefault-channel: '#fromfile'\nmax-clients: 50\n`);
  const srv = await start(['--config', conf, '--default-channel', '#fromflag']);
  try {
    const a = await TestClient.connect(srv.port);
    a.send('NICK alice');
    a.send('USER alice 0 * :Alice');
    await a.expect((m) => m.command === '372' && m.params[1] === '- first motd');
    await a.expectCommand('JOIN', '#fromflag');
    writeFileSync(motd, 'second motd\n');
    srv.child.kill('SIGHUP');
    // Reload is asynchronous to us: poll MOTD until the new text shows (bounded).
    const deadline = Date.now() + 5000;
    let seen = false;
    while (!seen && Date.now() < deadline) {
      a.send('MOTD');
      const m = await a.expect((x) => x.command === '372');
      seen = m.params[1] === '- second motd';
      await a.expectCommand('376');
    }
    assert.ok(seen, 'SIGHUP re-read the MOTD');
    a.send('PRIVMSG #fromflag :hi');
    srv.child.kill('SIGTERM');
    const e = await a.expectCommand('ERROR');
    assert.equal(e.params[0], 'Server shutting down');
    assert.equal(await srv.exited, 0);
    assert.match(srv.stdout(), /#fromflag --> alice joined/);
  } finally {
    srv.child.kill('SIGKILL');
    rmSync(dir, { recursive: true });
  }
});

test('the parley command, npm start and the benchmark run node with the same flags', async () => {
  const { shebangFlags } = await import('../../bench/peers.js');
  const flags = shebangFlags(MAIN);
  assert.ok(flags.includes('--max-semi-space-size=2'), `shebang flags: ${flags.join(' ')}`);
  assert.ok(flags.includes('--interrupt-budget=16384'), `shebang flags: ${flags.join(' ')}`);
  const pkg = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'),
  ) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, `node ${flags.join(' ')} dist/src/cli/main.js serve`);
  const r = spawnSync(process.execPath, [...flags, MAIN, '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^parley-/);
});

test('SIGHUP applies changed limits to everyone; a broken file keeps the old ones and says why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-'));
  const conf = join(dir, 'parley.yaml');
  writeFileSync(conf, 'max-targets: 2\nnick-len: 9\nflood: off\n');
  const srv = await start(['--config', conf]);
  const reloads = (text: string) => text.match(/configuration reloaded/g)?.length ?? 0;
  const failures = (text: string) => text.match(/reload failed/g)?.length ?? 0;
  const clients: TestClient[] = [];
  try {
    const alice = await registered(srv.port, 'alice');
    const bob = await registered(srv.port, 'bob');
    const carol = await registered(srv.port, 'carol');
    clients.push(alice.c, bob.c, carol.c);
    assert.ok(alice.tokens.includes('MAXTARGETS=2') && alice.tokens.includes('NICKLEN=9'));
    const fourTargets = 'PRIVMSG bob,carol,#lobby :three targets';
    assert.deepEqual(await numericsFor(alice.c, fourTargets), [
      ['407', '#lobby', 'Too many recipients (at most 2)'],
    ]);
    assert.deepEqual(await numericsFor(alice.c, 'NICK alice_long'), [
      ['432', 'alice_long', 'Erroneous nickname'],
    ]);

    writeFileSync(conf, 'max-targets: 5\nnick-len: 20\nflood: off\n');
    srv.child.kill('SIGHUP');
    await srv.untilStderr((t) => reloads(t) === 1, 'the reload');
    // A new client is told the new limits...
    const dave = await registered(srv.port, 'dave_has_a_long_nick');
    clients.push(dave.c);
    assert.ok(dave.tokens.includes('MAXTARGETS=5') && dave.tokens.includes('NICKLEN=20'));
    // ...and alice, connected all along, lives under them too.
    assert.deepEqual(await numericsFor(alice.c, fourTargets), []);
    await bob.c.expectCommand('PRIVMSG', 'bob', 'three targets');
    await carol.c.expectCommand('PRIVMSG', 'carol', 'three targets');
    alice.c.send('NICK alice_long');
    await alice.c.expectCommand('NICK', 'alice_long');

    // A file that cannot be used: one error line each, the running limits stay, nobody is dropped.
    const broken: Array<[string, RegExp]> = [
      ['max-targets: lots\n', /parley\.yaml:1: max-targets: expected a whole number/],
      ['max-targets: [5\n', /parley\.yaml:2: not valid YAML/],
      ['max-targetz: 5\n', /parley\.yaml:1: max-targetz: unknown key/],
    ];
    for (const [k, [text]] of broken.entries()) {
      writeFileSync(conf, text);
      srv.child.kill('SIGHUP');
      await srv.untilStderr((t) => failures(t) === k + 1, `reload failure ${k + 1}`);
    }
    const errorLines = srv
      .stderr()
      .split('\n')
      .filter((l) => /reload failed/.test(l));
    assert.equal(errorLines.length, broken.length, srv.stderr());
    for (const [k, [, why]] of broken.entries()) {
      assert.match(errorLines[k], /ERROR: reload failed, keeping the running configuration: /);
      assert.match(errorLines[k], why);
    }
    assert.doesNotMatch(srv.stderr(), /^\s+at /m, 'no stack trace');
    assert.equal(reloads(srv.stderr()), 1, 'no reload was applied after the first');
    const six = 'PRIVMSG bob,carol,dave_has_a_long_nick,#lobby,x1,x2 :six';
    assert.deepEqual(await numericsFor(alice.c, six), [
      ['407', 'x2', 'Too many recipients (at most 5)'],
    ]);
    const erin = await registered(srv.port, 'erin');
    clients.push(erin.c);
    assert.ok(erin.tokens.includes('MAXTARGETS=5') && erin.tokens.includes('NICKLEN=20'));
    for (const c of clients) assert.equal(c.closed, false, `${c.nick} still connected`);
  } finally {
    for (const c of clients) c.destroy();
    srv.child.kill('SIGKILL');
    rmSync(dir, { recursive: true });
  }
});

/** The private-message lines of `text` from alice to bob, in order. */
function privateLines(text: string): string[] {
  return text.split('\n').filter((l) => l.includes('alice -> bob: line '));
}

/** Wait until the server's stdout includes `what` (10 s at most). */
async function untilStdout(srv: Running, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!srv.stdout().includes(what) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
}

// Without a database the server prints its console log; with one, the history writer prints it
// for the server (pipe.ts), fast-path private messages from their records (S lines).
for (const db of ['off', 'file'] as const) {
  test(`the console log shows every private message in order across many writes; a closed stdout stops it, not the server (--db ${db})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-console-'));
    const srv = await start(['--db', db === 'off' ? 'off' : join(dir, 'h.db'), '--flood', 'off']);
    try {
      const { c: alice } = await registered(srv.port, 'alice');
      const { c: bob } = await registered(srv.port, 'bob');
      // Enough lines, in bursts with pauses, for several 10 ms writes: the log's buffers are
      // written, handed back and filled again (the last burst ends with line N - 1).
      const N = 3000;
      for (let i = 0; i < N; i++) {
        alice.send(`PRIVMSG bob :line ${i} ${'x'.repeat(i % 90)}`);
        if (i % 500 === 499) await bob.expect((m) => m.params[1]?.startsWith(`line ${i} `));
      }
      await untilStdout(srv, `line ${N - 1} `);
      const shown = privateLines(srv.stdout());
      assert.equal(shown.length, N);
      shown.forEach((l, i) =>
        assert.match(l, new RegExp(`^\\d\\d:\\d\\d:\\d\\d alice -> bob: line ${i} x{${i % 90}}$`)),
      );
      // Nobody reads stdout any more: writes to it fail (EPIPE), and chat goes on.
      srv.child.stdout!.destroy();
      for (let i = 0; i < 200; i++) alice.send(`PRIVMSG bob :after ${i}`);
      await bob.expect((m) => m.params[1] === 'after 199');
      await new Promise((r) => setTimeout(r, 100));
      alice.send('PRIVMSG bob :still here');
      await bob.expect((m) => m.params[1] === 'still here');
      if (db === 'file') {
        // The writer (which printed to the same closed stdout) still keeps history.
        alice.send('CAP REQ :draft/chathistory batch server-time');
        alice.send('CHATHISTORY LATEST bob * 1');
        await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'still here');
      }
      srv.child.kill('SIGTERM');
      assert.equal(await srv.exited, 0);
      assert.doesNotMatch(srv.stderr(), /Error|EPIPE|at |writer exited/);
    } finally {
      srv.child.kill('SIGKILL');
      rmSync(dir, { recursive: true });
    }
  });
}

test('with a database the writer prints the console log in the order things happened, and the server takes it back when the writer dies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-console-'));
  const srv = await start(['--db', join(dir, 'h.db'), '--flood', 'off']);
  try {
    const { c: alice } = await registered(srv.port, 'alice');
    const { c: bob } = await registered(srv.port, 'bob');
    // Fast-path private messages (S lines) and channel messages (B lines), printed by the writer
    // from their records, between lines the server formats (L lines).
    alice.send('PRIVMSG bob :line 1');
    alice.send('PRIVMSG #lobby :to everyone');
    alice.send('PRIVMSG #lobby :\x01ACTION waves\x01');
    alice.send('NOTICE #lobby :a \x02bold\x02 notice');
    alice.send('PRIVMSG @#lobby :ops only'); // not kept in history: the server prints it
    alice.send('PRIVMSG bob :line 2 with\ta tab');
    await bob.expect((m) => m.params[1]?.startsWith('line 2') === true);
    bob.send('NICK robert');
    await alice.expect((m) => m.command === 'NICK' && m.params[0] === 'robert');
    alice.send('PRIVMSG robert :line 3');
    alice.send('PRIVMSG robert :line 4 caf\u00e9 \\ back');
    alice.send('TOPIC #lobby :a new topic');
    await alice.expectCommand('TOPIC');
    await untilStdout(srv, 'set the topic');
    const lines = srv
      .stdout()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
    assert.deepEqual(lines, [
      '#lobby --> alice joined',
      '#lobby --> bob joined',
      'alice -> bob: line 1',
      '#lobby <alice> to everyone',
      '#lobby * alice waves',
      '#lobby -alice- a bold notice',
      '@#lobby <alice> ops only',
      'alice -> bob: line 2 witha tab',
      'bob is now known as robert',
      'alice -> robert: line 3',
      'alice -> robert: line 4 caf\u00e9 \\ back',
      '#lobby alice set the topic: a new topic',
    ]);
    // The writer killed: history stops, the console log goes on from the server itself.
    const children = readFileSync(`/proc/${srv.child.pid}/task/${srv.child.pid}/children`, 'utf8');
    const writer = Number(children.trim().split(/\s+/)[0]);
    assert.ok(writer > 0, 'the history writer is a child of the server');
    process.kill(writer, 'SIGKILL');
    await srv.untilStderr((t) => t.includes('history writer exited'), 'the writer gone');
    alice.send('PRIVMSG robert :line 5');
    alice.send('PRIVMSG #lobby :after the writer');
    await untilStdout(srv, 'after the writer');
    assert.match(srv.stdout(), /alice -> robert: line 5\n.*#lobby <alice> after the writer\n$/);
    srv.child.kill('SIGTERM');
    assert.equal(await srv.exited, 0);
  } finally {
    srv.child.kill('SIGKILL');
    rmSync(dir, { recursive: true });
  }
});
