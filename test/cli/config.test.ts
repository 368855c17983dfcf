// `parley serve` configuration as an operator meets it: config-file errors by file, line and key, the limit flags reaching clients, the dual-stack default, connection lines on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServeSettings, SERVE_OPTIONS } from '../../src/cli/serve-options.js';
import { hashPassword, verifyPassword } from '../../src/server/opers.js';
import { TestClient } from '../helpers/irc.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../parley.example.yaml', import.meta.url));

/** Run `parley serve --config <file with text>` (plus args) to its exit; the file is c.yaml. */
function serveWithConfig(text: string, args: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), text);
    return spawnSync(process.execPath, [MAIN, 'serve', '--config', 'c.yaml', ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 10_000,
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
}

test('config-file errors name the file, the line and the key, in one line, exit code 2', () => {
  const cases: Array<[string, RegExp]> = [
    ['port: 7000\n\nmax-clients: 0\n', /^parley: c\.yaml:3: max-clients: must be between 1 and/],
    ['# limits\nmax-clientz: 3\n', /^parley: c\.yaml:2: max-clientz: unknown key/],
    ['flood: maybe\n', /^parley: c\.yaml:1: flood: expected on or off, got 'maybe'/],
    ['name: ok\nsendq: lots\n', /^parley: c\.yaml:2: sendq: expected a size/],
    [
      'motd: /nonexistent/motd\n',
      /^parley: c\.yaml:1: motd: cannot read \/nonexistent\/motd: ENOENT/,
    ],
    ['motd: [a, b]\n', /^parley: c\.yaml:1: motd: must be a single value/],
    ['port: 1\nport: 2\n', /^parley: c\.yaml:2: not valid YAML: Map keys must be unique/],
    ['name: "open\n', /^parley: c\.yaml:\d: not valid YAML: /],
    ['- port\n- 7000\n', /^parley: c\.yaml:1: expected 'option: value' lines/],
    ["default-channel: 'lobby'\n", /^parley: c\.yaml:1: default-channel: 'lobby' is not a channel/],
  ];
  for (const [text, pattern] of cases) {
    const r = serveWithConfig(text);
    assert.equal(r.status, 2, `${JSON.stringify(text)}: ${r.stderr}`);
    assert.match(r.stderr, pattern, JSON.stringify(text));
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  }
  // The same bad value given as a flag still names the flag.
  const flag = serveWithConfig('', ['--max-bans', '0']);
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /^parley: --max-bans: must be between 1 and 10000, got 0$/m);
});

test("an unquoted '#lobby' (a YAML comment) or an empty value is an error, not the lobby turned off", () => {
  for (const text of [
    'name: here\ndefault-channel: #lobby\n',
    'name: here\ndefault-channel:\n',
    'name: here\npassword: #secret\n',
  ]) {
    const key = /\n([a-z-]+):/.exec(text)![1];
    const r = serveWithConfig(text);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^parley: c\\.yaml:2: ${key}: no value \\(YAML reads a #`));
    assert.match(r.stderr, /quote such a value, as in '#lobby'/);
  }
  // Quoted, it is the channel; '' is the documented way to have none.
  const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  try {
    const conf = join(dir, 'c.yaml');
    writeFileSync(conf, "default-channel: '#lobby'\n");
    assert.equal(loadServeSettings(['--config', conf]).config.defaultChannel, '#lobby');
    writeFileSync(conf, "default-channel: ''\n");
    assert.equal(loadServeSettings(['--config', conf]).config.defaultChannel, '');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('parley.example.yaml has a line per flag, and uncommented it gives exactly the defaults', () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  const keys = new Set(SERVE_OPTIONS.map((o) => o.flag));
  const lines = text.split('\n').map((l) => /^# ([a-z-]+): /.exec(l)?.[1]);
  for (const key of keys) assert.ok(lines.includes(key), `parley.example.yaml has no '# ${key}:'`);
  // password and motd show an example, not their default (none, built in); db's default depends
  // on $XDG_DATA_HOME, which the tests set.
  const examples = new Set(['password', 'motd', 'db']);
  const uncommented = text
    .split('\n')
    .map((l) => {
      const key = /^# ([a-z-]+): /.exec(l)?.[1];
      return key !== undefined && keys.has(key) && !examples.has(key) ? l.slice(2) : l;
    })
    .join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  try {
    const conf = join(dir, 'all.yaml');
    writeFileSync(conf, uncommented);
    const fromFile = loadServeSettings(['--config', conf]);
    const defaults = loadServeSettings([]);
    assert.deepEqual({ ...fromFile, configFile: null }, defaults);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

interface Serve {
  port: number;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

/** `parley serve --port 0 ...args` as a child process, once it listens. */
async function serve(args: string[]): Promise<Serve> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line: ${err}`));
    }, 10_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /listening on \S*:(\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', () => reject(new Error(`exited early: ${err}`)));
  });
  return {
    port,
    stderr: () => err,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Poll the server's stderr until `pattern` shows (log lines are written asynchronously). */
async function stderrShows(srv: Serve, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!pattern.test(srv.stderr())) {
    if (Date.now() > deadline) assert.fail(`no ${pattern} on stderr:\n${srv.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('--away-len, --kick-len, --max-bans, --user-len, --realname-len: in ISUPPORT and enforced', async () => {
  const srv = await serve([
    '--host',
    '127.0.0.1',
    '--away-len',
    '10',
    '--kick-len',
    '12',
    '--max-bans',
    '2',
    '--user-len',
    '5',
    '--realname-len',
    '6',
  ]);
  try {
    const alice = await TestClient.connect(srv.port);
    alice.nick = 'alice';
    alice.send('NICK alice');
    alice.send('USER abcdefgh 0 * :Alice Liddell');
    const tokens = new Set<string>();
    for (;;) {
      const m = await alice.expect((x) => x.command === '005' || x.command === '376');
      if (m.command === '376') break;
      for (const t of m.params.slice(1, -1)) tokens.add(t);
    }
    for (const t of ['AWAYLEN=10', 'KICKLEN=12', 'MAXLIST=beI:2', 'USERLEN=5']) {
      assert.ok(tokens.has(t), `${t} in ${[...tokens].join(' ')}`);
    }
    await alice.expectCommand('366');
    const bob = await TestClient.register(srv.port, 'bob');

    alice.send('WHOIS alice');
    const who = await alice.expectCommand('311', 'alice', 'alice');
    assert.equal(who.params[2], '~abcd', 'user name cut to USERLEN, counting the ~');
    assert.equal(who.params[5], 'Alice ', 'real name cut to 6 bytes');

    alice.send('AWAY :0123456789abcdef');
    await alice.expectCommand('306');
    bob.send('WHOIS alice');
    const away = await bob.expectCommand('301', 'bob', 'alice');
    assert.equal(away.params[2], '0123456789');

    alice.send('MODE #lobby +b one!*@*');
    alice.send('MODE #lobby +b two!*@*');
    alice.send('MODE #lobby +b three!*@*');
    const full = await alice.expectCommand('696', 'alice', '#lobby', 'b');
    assert.equal(full.params[3], 'three!*@*');
    assert.equal(full.params[4], 'Channel ban list is full');

    alice.send('KICK #lobby bob :0123456789abcdef');
    const kick = await bob.expectCommand('KICK', '#lobby', 'bob');
    assert.equal(kick.params[2], '0123456789ab');
    alice.destroy();
    bob.destroy();
  } finally {
    await srv.stop();
  }
});

/** This machine has an IPv6 loopback (else Node listens on 0.0.0.0 and IPv6 cannot be tried). */
const hasIpv6 = Object.values(networkInterfaces()).some((addrs) =>
  addrs?.some((a) => a.family === 'IPv6' && a.address === '::1'),
);

test('the default host takes IPv4 and IPv6; connections are logged at info with the IPv4 address as such', async (t) => {
  const srv = await serve(['--max-per-ip', '1']);
  try {
    const v4 = await TestClient.register(srv.port, 'four');
    let v6: TestClient | null = null;
    if (hasIpv6) {
      assert.match(srv.stderr(), /listening on \[::\]:\d+ \(every IPv6 and IPv4 address\)/);
      v6 = await TestClient.connect(srv.port, '::1');
      v6.nick = 'six';
      v6.send('NICK six');
      v6.send('USER six 0 * :Six');
      await v6.expectCommand('366');
      await stderrShows(srv, /INFO: connection accepted \{"id":\d+,"ip":"::1"\}/);
    } else {
      assert.match(srv.stderr(), /listening on 0\.0\.0\.0:\d+ \(every IPv4 address\)/);
      t.diagnostic('no IPv6 loopback here: only the IPv4 half was tried');
    }
    // Normalized: the IPv4 client is 127.0.0.1 (not ::ffff:127.0.0.1) for the log and the limit.
    await stderrShows(srv, /INFO: connection accepted \{"id":\d+,"ip":"127\.0\.0\.1"\}/);
    const again = await TestClient.connect(srv.port, '127.0.0.1');
    const refused = await again.expectCommand('ERROR');
    assert.match(refused.params[0], /too many connections from your address/);
    await stderrShows(srv, /INFO: connection refused \{"ip":"127\.0\.0\.1","reason":"too many/);
    await v4.quit('bye');
    await stderrShows(
      srv,
      /INFO: connection closed \{"id":\d+,"ip":"127\.0\.0\.1","nick":"four","reason":"Quit: bye"\}/,
    );
    v6?.destroy();
  } finally {
    await srv.stop();
  }
});

test('a motd file named in a config file is found beside the config file, wherever parley runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), 'motd: motd.txt\n');
    writeFileSync(join(dir, 'motd.txt'), 'beside the config\n');
    // Run from elsewhere: the path is the file's, not the working directory's.
    const s = loadServeSettings(['--config', join(dir, 'c.yaml')]);
    assert.deepEqual(s.config.motd, ['beside the config']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('--db takes a redis:// URL, from a flag or a config file (not a file beside it); a bad one or an unreachable Redis is one line, exit 2', () => {
  const url = 'redis://127.0.0.1:1/3';
  assert.equal(loadServeSettings(['--db', url]).db, url);
  const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), `db: rediss://cache.example:6380\n`);
    assert.equal(
      loadServeSettings(['--config', join(dir, 'c.yaml')]).db,
      'rediss://cache.example:6380',
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
  assert.throws(
    () => loadServeSettings(['--db', 'redis://h:1/x']),
    /--db: 'redis:\/\/h:1\/x': after HOST:PORT only a database number/,
  );
  // Port 1 on the loopback: nothing listens there.
  const r = serveWithConfig('', ['--db', 'redis://:pw@127.0.0.1:1']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /^parley: --db: cannot reach redis:\/\/:\*\*\*@127\.0\.0\.1:1: connect ECONNREFUSED/,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('a default channel longer than --channel-len is refused, naming both flags', () => {
  const long = '#' + 'l'.repeat(40);
  assert.throws(
    () => loadServeSettings(['--default-channel', long, '--channel-len', '20']),
    /--default-channel: '#l+' is longer than --channel-len \(20\)/,
  );
  assert.equal(
    loadServeSettings(['--default-channel', long, '--channel-len', '100']).config.defaultChannel,
    long,
  );
});

test('parley passwd prints a hash for opers:; a plaintext password there is refused without being echoed', () => {
  const made = spawnSync(process.execPath, [MAIN, 'passwd'], {
    input: 'correct horse\n',
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(made.status, 0, made.stderr);
  const hash = made.stdout.trim();
  assert.ok(verifyPassword('correct horse', hash), hash);
  const empty = spawnSync(process.execPath, [MAIN, 'passwd'], { input: '', encoding: 'utf8' });
  assert.equal(empty.status, 2);
  assert.equal(empty.stderr, 'parley: an empty password; nothing printed\n');

  const plain = serveWithConfig("opers:\n  - name: root\n    password: 'hunter2'\n");
  assert.equal(plain.status, 2);
  assert.match(
    plain.stderr,
    /^parley: \S+\.yaml:1: opers\[0\]: password: not a password hash; make one with `parley passwd`/,
  );
  assert.ok(!plain.stderr.includes('hunter2'), plain.stderr);
  const notList = serveWithConfig('opers: root\n');
  assert.match(notList.stderr, /^parley: \S+\.yaml:1: opers: expected a list/);
  const extra = serveWithConfig(`opers:\n  - { name: root, password: '${hash}', pass: x }\n`);
  assert.match(extra.stderr, /opers\[0\]: pass: unknown key \(name, password, host\)/);
});

test('OPER through the real server: the log says who tried, never the password; REHASH re-reads the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-opers-'));
  const conf = join(dir, 'parley.yaml');
  writeFileSync(
    conf,
    `default-channel: ''\nopers:\n  - name: root\n    password: '${hashPassword('Tr0ub4dor')}'\n`,
  );
  const srv = await serve(['--host', '127.0.0.1', '--config', conf, '--log-level', 'info']);
  try {
    const c = await TestClient.register(srv.port, 'alice', [], false);
    assert.equal((await c.replies('OPER root wrong-guess'))[0].command, '464');
    assert.equal((await c.replies('OPER root Tr0ub4dor'))[0].command, '381');
    writeFileSync(conf, "default-channel: ''\nnick-len: 12\nopers: []\n");
    const rehash = await c.replies('REHASH');
    assert.deepEqual(rehash[0].params, ['alice', conf, 'Rehashing']);
    assert.match(
      (await c.replies('VERSION')).map((m) => m.params.join(' ')).join('\n'),
      /NICKLEN=12/,
    );
    await stderrShows(srv, /OPER: now an operator/);
    assert.match(srv.stderr(), /OPER refused: wrong password/);
    assert.ok(!srv.stderr().includes('wrong-guess'), 'a wrong password is not logged');
    assert.ok(!srv.stderr().includes('Tr0ub4dor'), 'the password is not logged');
    c.destroy();
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true });
  }
});
