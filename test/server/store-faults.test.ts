// The history store fails under a running server (a full disk: SQLite's max_page_count in process, a file size limit on the real server's writer): users are told, chat goes on, what was kept survives.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ChatLog } from '../../src/server/chatlog.js';
import { DEFAULTS } from '../../src/server/config.js';
import type { Logger } from '../../src/server/diagnostics.js';
import { Server } from '../../src/server/server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { TestClient } from '../helpers/irc.js';
import { startServe } from '../interop/serve.js';

const CAPS = ['echo-message', 'server-time', 'message-tags', 'batch', 'draft/chathistory'];

/** A logger that keeps what it is given, as `level: message` lines. */
function keepingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (fields: object, msg: string) =>
    lines.push(`${level}: ${msg} ${JSON.stringify(fields)}`);
  return {
    lines,
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
  };
}

/** How many pages a new, empty database file takes (its schema). */
function schemaPages(dir: string): number {
  const file = path.join(dir, 'probe.db');
  void openSqliteStore(file).close();
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('page_count', { simple: true }) as number;
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const texts = (c: TestClient, from: number, pattern: RegExp) =>
  c.all('PRIVMSG', from).filter((m) => pattern.test(m.params[1]));

test('the history store fills up under traffic: users are told once, chat goes on, what was kept survives a reopen', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-full-'));
  const file = path.join(dir, 'chat.db');
  // Room for a few dozen messages past the schema; then every commit that grows the file fails
  // with SQLITE_FULL, as on a full disk.
  const store = openSqliteStore(file, { maxPageCount: schemaPages(dir) + 4 });
  const log = keepingLogger();
  const chatlog = new ChatLog({ write: () => {} }, 'text');
  const config = { ...DEFAULTS, host: '127.0.0.1', port: 0, flood: null };
  // The server's clock runs with the real one, and jumps on when the test says.
  let skew = 0;
  const clock = () => Date.now() + skew;
  const server = new Server(config, { log, chatlog, store, clock });
  const { port } = await server.listen();
  const clients: TestClient[] = [];
  try {
    const alice = await TestClient.register(port, 'alice', CAPS);
    const bob = await TestClient.register(port, 'bob', CAPS);
    clients.push(alice, bob);
    for (let i = 0; i < 10; i++) alice.send(`PRIVMSG #lobby :kept ${i}`);
    alice.send('PRIVMSG bob :kept privately');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'kept privately');
    const kept = await bob.replies('CHATHISTORY LATEST #lobby * 100');
    assert.equal(kept.filter((m) => m.command === 'PRIVMSG').length, 10);
    assert.deepEqual(
      log.lines.filter((l) => l.startsWith('error')),
      [],
    );

    // Far more than the file has room for, in bursts.
    const fill = 300;
    const from = bob.received.length;
    const fromA = alice.received.length;
    const pad = 'x'.repeat(400);
    for (let i = 0; i < fill; i += 50) {
      let burst = '';
      for (let j = i; j < i + 50; j++) burst += `PRIVMSG #lobby :fill ${j} ${pad}\r\n`;
      alice.socket.write(burst);
      await alice.sync();
    }
    // Every message was delivered and confirmed, stored or not.
    await bob.expect(() => texts(bob, from, /^fill/).length === fill, 5000, 'every fill line');
    assert.equal(texts(alice, fromA, /^fill/).length, fill, 'every fill line echoed');
    const errors = () => log.lines.filter((l) => l.startsWith('error'));
    assert.equal(errors().length, 1, `one error line for the operator:\n${errors().join('\n')}`);
    assert.match(errors()[0], /history store write failed.*database or disk is full/);
    // Users are told, once, in words.
    const told = (c: TestClient) =>
      c.all('NOTICE').filter((m) => /^History is not being kept right now/.test(m.params[1]))
        .length;
    for (const c of [alice, bob]) assert.equal(told(c), 1, `${c.nick} told once`);
    // A minute on, the store still full: a new episode, told and logged once more.
    skew += 61_000;
    let burst = '';
    for (let j = 0; j < 50; j++) burst += `PRIVMSG #lobby :again ${j} ${pad}\r\n`;
    alice.socket.write(burst);
    await bob.expect(() => texts(bob, from, /^again/).length === 50, 5000, 'every line again');
    await bob.sync();
    for (const c of [alice, bob]) assert.equal(told(c), 2, `${c.nick} told again`);
    assert.equal(errors().length, 2);

    // Chat goes on: private messages, a newcomer, the channel; history still answers.
    bob.send('PRIVMSG alice :still here');
    await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'still here');
    const carol = await TestClient.register(port, 'carol', CAPS);
    clients.push(carol);
    carol.send('PRIVMSG #lobby :hello from carol');
    await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'hello from carol');
    const reg = await carol.replies('REGISTER * * correct-horse-battery');
    const outcome = reg.find((m) => m.command === 'REGISTER' || m.command === 'FAIL');
    assert.ok(
      outcome?.command === 'REGISTER' ||
        (outcome?.command === 'FAIL' && outcome.params[1] === 'TEMPORARILY_UNAVAILABLE'),
      `REGISTER answered clearly: ${JSON.stringify(outcome)}`,
    );
    t.diagnostic(`REGISTER on the full store: ${outcome?.command} ${outcome?.params.join(' ')}`);
    const history = await carol.replies('CHATHISTORY LATEST #lobby * 500');
    const replayed = history.filter((m) => m.command === 'PRIVMSG').map((m) => m.params[1]);
    for (let i = 0; i < 10; i++) assert.ok(replayed.includes(`kept ${i}`), `kept ${i} replayed`);
    for (const c of clients) assert.equal(c.closed, false, `${c.nick} still connected`);
  } finally {
    for (const c of clients) c.destroy();
    await server.shutdown();
  }

  // Reopened without a cap: what was stored before the disk filled is there, the file sound.
  try {
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
    const again = openSqliteStore(file);
    try {
      const rows = await again.history.latest('#lobby', null, 1000);
      const kept = rows.map((r) => r.text).filter((x) => x.startsWith('kept'));
      const filled = rows.filter((r) => r.text.startsWith('fill')).length;
      t.diagnostic(`${filled} of the 300 fill lines were stored before the file was full`);
      assert.deepEqual(
        kept,
        Array.from({ length: 10 }, (_, i) => `kept ${i}`),
      );
    } finally {
      await again.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The process whose parent is `pid` (the history writer of a `parley serve`), from /proc. */
function childOf(pid: number): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** Whether this machine can cap a running process's file size (Linux /proc and prlimit). */
function canLimit(t: TestContext): boolean {
  if (fs.existsSync('/proc/self/stat') && spawnSync('prlimit', ['--version']).status === 0) {
    return true;
  }
  t.skip('needs Linux /proc and prlimit (util-linux) to cap the history writer');
  return false;
}

test("the real server's history writer cannot write (file size limit): users are told once, chat goes on, a restart finds what was kept", async (t) => {
  if (!canLimit(t)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-full-'));
  const db = path.join(dir, 'chat.db');
  const args = ['--db', db, '--flood', 'off'];
  let srv = await startServe(args);
  const clients: TestClient[] = [];
  try {
    const alice = await TestClient.register(srv.port, 'alice', CAPS);
    const bob = await TestClient.register(srv.port, 'bob', CAPS);
    clients.push(alice, bob);
    for (let i = 0; i < 10; i++) alice.send(`PRIVMSG #lobby :kept ${i}`);
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'kept 9');
    const before = await bob.replies('CHATHISTORY LATEST #lobby * 100'); // the writer has them
    assert.equal(before.filter((m) => m.command === 'PRIVMSG').length, 10);

    // The writer may not grow any file past 32 KiB more than the biggest now: a write past it
    // fails (EFBIG; SQLite reports a disk I/O error), as a full disk fails it.
    const writer = childOf(srv.child.pid!);
    assert.ok(writer !== null, 'the history writer process');
    const sizes = ['', '-wal'].map((end) => fs.statSync(db + end, { throwIfNoEntry: false }));
    const cap = Math.max(...sizes.map((st) => st?.size ?? 0)) + 32 * 1024;
    const limited = spawnSync('prlimit', ['--pid', String(writer), `--fsize=${cap}:unlimited`]);
    assert.equal(limited.status, 0, String(limited.stderr));

    // More than the WAL holds (it may be reused from its start without growing): ~1 MB of rows.
    const fill = 2000;
    const from = bob.received.length;
    const pad = 'x'.repeat(400);
    for (let i = 0; i < fill; i += 100) {
      let burst = '';
      for (let j = i; j < i + 100; j++) burst += `PRIVMSG #lobby :fill ${j} ${pad}\r\n`;
      alice.socket.write(burst);
      await alice.sync();
    }
    await bob.expect(() => texts(bob, from, /^fill/).length === fill, 10_000, 'every fill line');
    // The writer's report comes back through the pipe: users are told once, the log says it once.
    const told = (c: TestClient) =>
      c.all('NOTICE').filter((m) => /^History is not being kept/.test(m.params[1])).length;
    // The writer is another process: on a loaded machine its report can take seconds.
    for (const end = Date.now() + 15_000; told(alice) === 0 && Date.now() < end;) {
      await sleep(50);
      await alice.sync();
    }
    await bob.sync();
    for (const c of [alice, bob]) assert.equal(told(c), 1, `${c.nick} told once`);
    const errors = () =>
      srv
        .stderr()
        .split('\n')
        .filter((l) => /ERROR/.test(l));
    for (let k = 0; errors().length === 0 && k < 100; k++) await sleep(50);
    assert.equal(errors().length, 1, srv.stderr());
    assert.match(errors()[0], /history store write failed.*"err":"[^"]+"/);

    // Chat goes on, and the server still answers history queries.
    const carol = await TestClient.register(srv.port, 'carol', CAPS);
    clients.push(carol);
    carol.send('PRIVMSG alice :hello');
    await alice.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'hello');
    const during = await carol.replies('CHATHISTORY LATEST #lobby * 1000');
    assert.ok(
      during.some((m) => m.command === 'PRIVMSG' && m.params[1] === 'kept 9'),
      `history answers: ${JSON.stringify(during.map((m) => [m.command, ...m.params]).slice(-3))}`,
    );
    // Room again (the disk freed): new messages are kept again, without a restart.
    const freed = spawnSync('prlimit', ['--pid', String(writer), '--fsize=unlimited:unlimited']);
    assert.equal(freed.status, 0, String(freed.stderr));
    alice.send('PRIVMSG #lobby :room again');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'room again');
    await sleep(100); // past the writer's commit interval
    const later = await carol.replies('CHATHISTORY LATEST #lobby * 1000');
    assert.ok(
      later.some((m) => m.command === 'PRIVMSG' && m.params[1] === 'room again'),
      `kept again: ${JSON.stringify(later.map((m) => [m.command, ...m.params]).slice(-3))}`,
    );
    for (const c of clients) c.destroy();
    await srv.stop();
    assert.equal(srv.child.exitCode, 0, `a clean exit:\n${srv.stderr()}`);

    // Restarted without the limit: what was kept is there, in order, and new messages are kept.
    srv = await startServe(args);
    const dave = await TestClient.register(srv.port, 'dave', CAPS);
    clients.push(dave);
    dave.send('PRIVMSG #lobby :after the restart');
    const after = await dave.replies('CHATHISTORY LATEST #lobby * 1000');
    const lines = after.filter((m) => m.command === 'PRIVMSG').map((m) => m.params[1]);
    assert.deepEqual(
      lines.filter((x) => x.startsWith('kept')),
      Array.from({ length: 10 }, (_, i) => `kept ${i}`),
    );
    assert.equal(lines.at(-1), 'after the restart');
    t.diagnostic(`${lines.filter((x) => x.startsWith('fill')).length} of ${fill} fill lines kept`);
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
