// The admin socket and `parley account add` against a running server: a password longer than an IRC line, then SASL with it; each refusal; stale and live socket files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminSocket } from '../../src/server/admin.js';
import { startServer, TestClient, type TestServer } from '../helpers/irc.js';

/** This process's umask before any test here listened (listen() sets its own, then puts it back). */
const UMASK = process.umask();

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** `parley account add …` run asynchronously (the server answers from this very process). */
function cli(args: string[], input = ''): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [MAIN, 'account', ...args], (error, out, err) =>
      resolve({ code: error === null ? 0 : Number(error.code), out, err }),
    );
    child.stdin?.end(input);
  });
}

async function withAdmin(
  body: (srv: TestServer, admin: AdminSocket, dir: string) => Promise<void>,
  withStore = true,
) {
  const dir = await mkdtemp(join(tmpdir(), 'parley-admin-'));
  const srv = withStore
    ? await startServer({ defaultChannel: '' })
    : await startServer({ defaultChannel: '' }, 'text', false, null);
  const admin = new AdminSocket(srv.server, join(dir, 'admin.sock'));
  await admin.listen();
  try {
    await body(srv, admin, dir);
  } finally {
    await admin.close();
    await srv.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One raw request on the socket (`later`, if given, sent 50 ms after `line`), and the answer. */
function raw(path: string, line: string, later?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path, () => c.write(line));
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => (got += d));
    c.on('end', () => resolve(got));
    c.on('error', reject);
    if (later !== undefined) setTimeout(() => c.write(later), 50);
  });
}

test('account add: a 592-byte password (no IRC line could carry it) works with SASL PLAIN in chunks', async () => {
  await withAdmin(async (srv, admin, dir) => {
    assert.equal((await stat(admin.path)).mode & 0o777, 0o600, 'the socket is owner-only');
    const password = 'x'.repeat(592);
    const file = join(dir, 'pw');
    await writeFile(file, password + '\n');
    const r = await cli(['add', 'foo', '--socket', admin.path, '--password-file', file]);
    assert.deepEqual([r.code, r.out, r.err], [0, 'account foo created\n', '']);
    const c = await TestClient.connect(srv.port);
    c.send('CAP REQ :sasl');
    await c.expectCommand('CAP', '*', 'ACK');
    c.send('NICK foo');
    c.send('USER foo 0 * :foo');
    c.send('AUTHENTICATE PLAIN');
    await c.expectCommand('AUTHENTICATE', '+');
    const auth = Buffer.from(`foo\0foo\0${password}`).toString('base64');
    assert.equal(auth.length, 800);
    c.send(`AUTHENTICATE ${auth.slice(0, 400)}`);
    c.send(`AUTHENTICATE ${auth.slice(400)}`);
    c.send('AUTHENTICATE +');
    await c.expectCommand('900');
    await c.expectCommand('903');
    c.destroy();
  });
});

test('account add refuses with a reason and exit code 1; bad requests get an answer, not silence', async () => {
  await withAdmin(async (srv, admin) => {
    const sock = ['--socket', admin.path];
    assert.equal((await cli(['add', 'amy', ...sock], 'amyspassword\n')).code, 0);
    const cases: Array<[string[], string, RegExp]> = [
      [['add', 'AMY', ...sock], 'otherpassword\n', /the account AMY already exists/],
      [['add', 'bad,name', ...sock], 'otherpassword\n', /cannot name an account/],
      [['add', 'NickServ', ...sock], 'otherpassword\n', /cannot name an account/],
      [['add', 'ben', ...sock], 'short\n', /at least 8 characters/],
      [['add', 'ben', ...sock], `${'y'.repeat(1025)}\n`, /at most 1024 bytes/],
      [['add', 'ben', ...sock], '', /an empty password/],
      [['add', 'ben', '--socket', admin.path + '.nope'], 'longenough\n', /no parley server/],
    ];
    for (const [args, input, want] of cases) {
      const r = await cli(args, input);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.err, want, args.join(' '));
      assert.ok(!r.err.includes(input.trim()) || input === '', 'the password is never printed');
    }
    assert.equal((await cli(['add', 'ben'], 'longenough\n')).code, 2, 'no --socket');
    assert.equal((await cli(['remove', 'ben', ...sock])).code, 2, 'unknown subcommand');
    assert.match(await raw(admin.path, 'not json\n'), /"ok":false.*not JSON/);
    assert.match(await raw(admin.path, '{"op":"drop"}\n'), /unknown op/);
    assert.match(await raw(admin.path, 'z'.repeat(20_000)), /at most 16384 bytes/);
    // The account works over IRC like any other.
    const c = await TestClient.register(srv.port, 'amy', [], false);
    const ok = await c.replies('NS IDENTIFY amyspassword');
    assert.match(ok.find((m) => m.command === 'NOTICE')?.params[1] ?? '', /identified as amy/);
    c.destroy();
  });
});

test('a server without a store says so; a stale socket file is replaced, a live one refused', async () => {
  await withAdmin(async (_srv, admin) => {
    const r = await cli(['add', 'cat', '--socket', admin.path], 'longenough\n');
    assert.equal(r.code, 1);
    assert.match(r.err, /keeps no accounts \(--db off\)/);
    const second = new AdminSocket(_srv.server, admin.path);
    await assert.rejects(second.listen(), /another server is listening/);
  }, false);
  const dir = await mkdtemp(join(tmpdir(), 'parley-admin-'));
  const path = join(dir, 'stale.sock');
  // A socket file left by a killed server: a process binds it and dies by SIGKILL, unlinking nothing.
  const script = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  await new Promise((r) => execFile(process.execPath, ['-e', script], r));
  assert.ok((await stat(path)).isSocket());
  const srv = await startServer({ defaultChannel: '' });
  const admin = new AdminSocket(srv.server, path);
  try {
    await admin.listen();
    assert.equal((await cli(['add', 'dan', '--socket', path], 'longenough\n')).code, 0);
  } finally {
    await admin.close();
    await srv.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test("the admin socket's edges: a request in pieces or at the size limit, bad fields, the limits to the byte, a store that fails, a file in the way", async () => {
  await withAdmin(async (srv, admin, dir) => {
    const ask = (line: string) => raw(admin.path, line);
    const answer = async (line: string) => JSON.parse(await ask(line)) as Record<string, unknown>;
    const add = (name: unknown, password: unknown) =>
      JSON.stringify({ op: 'account-add', name, password }) + '\n';

    // A request that arrives in pieces is answered once whole; what follows its line is ignored.
    const pieces = await raw(admin.path, '{"op":', '"drop"}\n{"op":"account-add"');
    assert.equal(JSON.parse(pieces).message, 'unknown op "drop"');
    assert.match(await ask('\n'), /not JSON/, 'an empty first line is a request too');
    const unknown = { ok: false, message: 'unknown op undefined' };
    assert.deepEqual(await answer('null\n'), unknown);
    assert.ok((await ask('null\n')).endsWith('}\n'), 'one JSON line');
    // 16,384 bytes before the line break is the most; one more is refused.
    assert.deepEqual(await answer(' '.repeat(16_382) + '{}\n'), unknown);
    assert.deepEqual(await answer(' '.repeat(16_383) + '{}\n'), {
      ok: false,
      message: 'a request is at most 16384 bytes',
    });
    // All 16,384 bytes in, no line break yet: still waiting for it.
    const full = await raw(admin.path, ' '.repeat(16_382) + '{}', '\n');
    assert.deepEqual(JSON.parse(full), unknown);

    for (const [name, password] of [
      [7, 'longenough'],
      ['ann', null],
      [null, null],
    ]) {
      assert.deepEqual(await answer(add(name, password)), {
        ok: false,
        message: 'account-add needs a name and a password (strings)',
      });
    }
    // --password-min (8) characters, not bytes, and 1,024 bytes, are enough; one fewer or more is not.
    assert.match(await ask(add('ann', 'ééééééé')), /at least 8 characters/);
    assert.deepEqual(await answer(add('ann', 'éééééééé')), {
      ok: true,
      message: 'account ann created',
    });
    assert.match(await ask(add('bea', 'x'.repeat(1025))), /at most 1024 bytes/);
    assert.equal((await answer(add('bea', 'x'.repeat(1024)))).ok, true);
    assert.ok(
      srv.logged().includes('account registered through the admin socket'),
      'each creation is logged (its password never)',
    );

    // Taken between the check and the write (another server, or REGISTER, got there first).
    const accounts = srv.server.store!.accounts;
    const get = accounts.get.bind(accounts);
    accounts.get = async () => null;
    assert.deepEqual(await answer(add('ann', 'otherpassword')), {
      ok: false,
      message: 'the account ann already exists',
    });
    // A store that fails: an answer saying so, and a line in the log.
    accounts.get = async () => {
      throw new Error('disk on fire');
    };
    assert.deepEqual(await answer(add('cid', 'otherpassword')), {
      ok: false,
      message: 'the account store did not answer; try later',
    });
    assert.ok(srv.logged().includes('admin socket request failed'));
    accounts.get = get;

    // A file that is not a socket where the socket should be: refused, and left alone.
    const file = join(dir, 'not-a-socket');
    await writeFile(file, 'keep me');
    await assert.rejects(new AdminSocket(srv.server, file).listen(), /exists and is not a socket/);
    assert.equal(process.umask(), UMASK, 'the umask is put back');
    assert.equal((await stat(file)).isFile(), true);
    // A folder that is not there: listen() fails (with the umask put back), it does not hang.
    const nowhere = new AdminSocket(srv.server, join(dir, 'no-such-dir', 'admin.sock'));
    await assert.rejects(nowhere.listen(), /listen E[A-Z]+/);
    assert.equal(process.umask(), UMASK);
  });
});

test('closing the admin socket drops a connection that never sent its request', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-admin-'));
  const srv = await startServer({ defaultChannel: '' });
  const admin = new AdminSocket(srv.server, join(dir, 'admin.sock'));
  await admin.listen();
  assert.equal(process.umask(), UMASK, 'listen() puts the umask back');
  try {
    const idle = net.connect(admin.path);
    await new Promise((r) => idle.once('connect', r));
    const closed = new Promise((r) => idle.once('close', r));
    idle.on('error', () => {});
    await admin.close(); // would wait for the idle connection if it were not dropped
    await closed;
  } finally {
    await srv.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
