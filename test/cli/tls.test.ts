// TLS end to end with the real binaries: `parley cert`, `parley serve --tls-*` (errors, SIGHUP reload) and `parley connect --tls` pinning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '../helpers/irc.js';
import { occupyPort } from '../helpers/ports.js';
import { MAIN, startServe, type ServeProcess } from '../interop/serve.js';

function run(args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 15_000 });
}

/** `parley cert` into `dir`: the fingerprint it printed. */
function makeCert(dir: string, extra: string[] = []): string {
  const r = run(['cert', '--out', dir, '--name', 'localhost', '--name', '127.0.0.1', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  const fp = /SHA-256 fingerprint: ([0-9A-F:]{95})/.exec(r.stdout);
  assert.ok(fp, r.stdout);
  return fp[1];
}

async function tlsPortOf(srv: ServeProcess): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const m = /TLS on \S+:(\d+)/.exec(srv.stderr());
    if (m) return Number(m[1]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no "TLS on" line; stderr:\n${srv.stderr()}`);
}

/** `parley connect` with `input` on stdin (not a terminal: plain mode, accept-new). */
function connect(args: string[], input: string, timeoutMs = 15_000) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'connect', ...args], { stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`client did not exit\nstdout:\n${out}\nstderr:\n${err}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

test('parley cert writes a certificate and a 0600 key, refuses to overwrite without --force', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cert-'));
  try {
    makeCert(dir);
    assert.equal(statSync(join(dir, 'parley-key.pem')).mode & 0o777, 0o600);
    const again = run(['cert', '--out', dir]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /^parley: .*parley-cert\.pem exists: use --force/);
    assert.equal(again.stderr.trim().split('\n').length, 1);
    makeCert(dir, ['--force']);
    const out = run(['cert', '--out', join(dir, 'sub')]).stdout;
    assert.match(out, /parley serve --tls-cert \S+parley-cert\.pem --tls-key \S+parley-key\.pem/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a missing, mismatched or half-given certificate stops parley serve with one line and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cert-'));
  try {
    makeCert(dir);
    makeCert(join(dir, 'other'));
    const cert = join(dir, 'parley-cert.pem');
    const key = join(dir, 'parley-key.pem');
    const cases: [string[], RegExp][] = [
      [['--tls-cert', join(dir, 'nope.pem'), '--tls-key', key], /--tls-cert: cannot read .*ENOENT/],
      [
        ['--tls-cert', cert, '--tls-key', join(dir, 'other', 'parley-key.pem')],
        /--tls-key: .* is not the key of the certificate/,
      ],
      [['--tls-cert', key, '--tls-key', key], /--tls-cert: .* is not a PEM certificate/],
      [['--tls-cert', cert], /--tls-cert: needs --tls-key/],
      [['--tls-port', '7000'], /--tls-port: needs --tls-cert and --tls-key/],
      [['--sts-duration', 'soon'], /--sts-duration: expected seconds/],
    ];
    for (const [args, want] of cases) {
      const r = run(['serve', '--port', '0', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, want);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('SIGHUP re-reads the certificate: a new connection sees the new fingerprint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cert-'));
  const firstFp = makeCert(dir);
  const srv = await startServe([
    '--tls-port',
    '0',
    '--tls-cert',
    join(dir, 'parley-cert.pem'),
    '--tls-key',
    join(dir, 'parley-key.pem'),
  ]);
  try {
    const port = await tlsPortOf(srv);
    const a = await TestClient.connectTls(port);
    assert.equal(a.fingerprint, firstFp);
    const secondFp = makeCert(dir, ['--force']);
    srv.child.kill('SIGHUP');
    for (let i = 0; i < 100 && !srv.stderr().includes('TLS certificate reloaded'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const b = await TestClient.connectTls(port);
    assert.equal(b.fingerprint, secondFp);
    // A broken file on the next SIGHUP: logged, and the running certificate stays.
    writeFileSync(join(dir, 'parley-key.pem'), 'not a key\n');
    srv.child.kill('SIGHUP');
    for (let i = 0; i < 100 && !srv.stderr().includes('reload failed'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(srv.stderr(), /reload failed.*--tls-key/);
    const c = await TestClient.connectTls(port);
    assert.equal(c.fingerprint, secondFp);
    for (const t of [a, b, c]) t.destroy();
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true });
  }
});

test('parley connect --tls pins on first use, reconnects, refuses a changed certificate without retrying; --tls-insecure connects anyway', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-pin-'));
  const fp = makeCert(dir);
  const known = join(dir, 'known_hosts');
  const serveArgs = [
    '--tls-port',
    '0',
    '--tls-cert',
    join(dir, 'parley-cert.pem'),
    '--tls-key',
    join(dir, 'parley-key.pem'),
  ];
  let srv = await startServe(serveArgs);
  try {
    let port = await tlsPortOf(srv);
    const watcher = await TestClient.register(srv.port, 'watcher');
    const args = () => [`127.0.0.1:${port}`, '--tls', '--plain', '--known-hosts', known];
    const firstUse = await connect([...args(), '--nick', 'bob'], 'hello over tls\n/quit\n');
    assert.equal(firstUse.code, 0, firstUse.err);
    assert.match(firstUse.err, /trusting the certificate of 127\.0\.0\.1:\d+ on first use/);
    assert.equal(readFileSync(known, 'utf8'), `127.0.0.1:${port} ${fp}\n`);
    await watcher.expectCommand('PRIVMSG', '#lobby', 'hello over tls');

    const again = await connect([...args(), '--nick', 'bob'], 'second time\n/quit\n');
    assert.equal(again.code, 0, again.err);
    assert.equal(again.err, '', 'a pinned certificate connects without a word');
    await watcher.expectCommand('PRIVMSG', '#lobby', 'second time');
    watcher.destroy();

    // The server comes back on the same port with another certificate.
    await srv.stop();
    makeCert(dir, ['--force']);
    serveArgs[1] = String(port);
    srv = await startServe(serveArgs);
    port = await tlsPortOf(srv);
    const changed = await connect([...args(), '--nick', 'bob'], 'must not arrive\n');
    assert.equal(changed.code, 1);
    assert.match(changed.err, /WARNING: the TLS certificate of 127\.0\.0\.1:\d+ has CHANGED/);
    assert.match(changed.err, /remove line 1 of .*known_hosts/);
    assert.doesNotMatch(changed.out, /connecting/, 'no attempt, no retry');
    assert.equal(readFileSync(known, 'utf8'), `127.0.0.1:${port} ${fp}\n`, 'the pin is kept');

    const insecure = await connect(
      [
        `127.0.0.1:${port}`,
        '--tls',
        '--tls-insecure',
        '--plain',
        '--nick',
        'eve',
        '--known-hosts',
        known,
      ],
      '/quit\n',
    );
    assert.equal(insecure.code, 0, insecure.err);
    assert.match(insecure.out, /registered as eve/);
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true });
  }
});

test('a port in use, whichever flag names it: one line naming the address and port, exit 1, no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cert-'));
  const { port, server: busy } = await occupyPort();
  try {
    makeCert(dir);
    const tls = [
      '--tls-cert',
      join(dir, 'parley-cert.pem'),
      '--tls-key',
      join(dir, 'parley-key.pem'),
    ];
    const base = ['serve', '--host', '127.0.0.1', '--db', 'off'];
    for (const flags of [
      ['--port', String(port)],
      ['--port', '0', '--websocket-port', String(port)],
      ['--port', '0', ...tls, '--tls-port', String(port)],
    ]) {
      const r = run([...base, ...flags]);
      const what = flags.join(' ');
      assert.equal(r.status, 1, `${what}: ${r.stderr}`);
      assert.equal(
        r.stderr.trim(),
        `parley: cannot listen on 127.0.0.1:${port}: EADDRINUSE (in use: choose another with --port, --tls-port or --websocket-port)`,
        what,
      );
    }
  } finally {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
