// Logs on disk (--log-dir): a real session against a real parley server writing files, their names, modes and lines; the real binary with an unusable folder; file names and dedup rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionEvent } from '../../src/client/events.js';
import { isoStamp } from '../../src/client/log-file.js';
import { ChatLogs, safeFileName, serverFolder, type LogSource } from '../../src/client/logs.js';
import { startServer, TestClient } from '../helpers/irc.js';
import { newSession, stopServer } from './session-kit.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d /;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'parley-logs-'));
}

/** The lines of a log file without their stamps; `---` lines as they are. */
function lines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      if (l.startsWith('--- ')) return l;
      assert.match(l, STAMP, `a stamped line in ${path.basename(file)}`);
      return l.replace(STAMP, '');
    });
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

test('a session logs each conversation in its own file: folded names, 0600/0700, plain sanitised text, history marked', async () => {
  const srv = await startServer();
  const root = path.join(tempDir(), 'logs');
  const bob = await TestClient.register(srv.port, 'bob');
  const { session, rec } = newSession(srv.port, 'alice');
  const logs = new ChatLogs({
    dir: root,
    host: '127.0.0.1',
    port: srv.port,
    tls: false,
    session,
    report: (text) => assert.fail(`unexpected report: ${text}`),
  });
  try {
    // Said before alice came: replayed at her join, marked as history.
    bob.send('PRIVMSG #lobby :before you came');
    bob.send('PING :stored');
    await bob.expect((m) => m.command === 'PONG' && m.params.includes('stored'));
    session.start();
    await rec.next('message', (m) => m.text === 'before you came' && m.history === true);

    bob.send('PRIVMSG #lobby :\x0304red\x03 \x02bold\x02 \x1b[2J\x1b]0;pwned\x07gone \x07ding');
    bob.send('PRIVMSG alice :psst \x1b]52;c;Y2xpcA==\x07there');
    await rec.next('message', (m) => m.private && m.text.startsWith('psst'));
    session.say('BOB', 'hi Bob'); // another spelling of the same person: the same file
    session.join('#Dev');
    await rec.next('join', (e) => e.self && e.channel === '#Dev');
    bob.send('JOIN #DEV');
    bob.send('PRIVMSG #DEV :same channel');
    await rec.next('message', (m) => m.text === 'same channel');
    await session.quit('bye');
  } finally {
    session.close();
    await logs.close();
    bob.destroy();
    await stopServer(srv);
  }

  const folder = path.join(root, `127.0.0.1_${srv.port}`);
  assert.equal(logs.folder, folder);
  assert.deepEqual(fs.readdirSync(folder).sort(), [
    '#dev.log',
    '#lobby.log',
    'bob.log',
    'server.log',
  ]);
  assert.equal(mode(root), 0o700);
  assert.equal(mode(folder), 0o700);
  for (const f of fs.readdirSync(folder)) assert.equal(mode(path.join(folder, f)), 0o600, f);

  const lobby = lines(path.join(folder, '#lobby.log'));
  assert.match(lobby[0], /^--- Log opened \d{4}-\d\d-\d\dT/);
  assert.ok(lobby.includes('[history] <bob> before you came'), lobby.join('\n'));
  assert.ok(lobby.includes('<bob> red bold gone ding'), lobby.join('\n'));
  assert.match(lobby.at(-1) ?? '', /^--- Log closed /);
  const bobs = lines(path.join(folder, 'bob.log'));
  assert.ok(bobs.includes('[bob → you] psst there'), bobs.join('\n'));
  assert.ok(bobs.includes('[you → bob] hi Bob'), bobs.join('\n'));
  const dev = lines(path.join(folder, '#dev.log'));
  assert.ok(dev.includes('--> you joined #Dev'), dev.join('\n'));
  assert.ok(dev.includes('--> bob joined #Dev'), dev.join('\n'));
  assert.ok(dev.includes('<bob> same channel'), dev.join('\n'));
  const server = lines(path.join(folder, 'server.log'));
  assert.ok(server.includes('-- connected'), server.join('\n'));
  for (const f of fs.readdirSync(folder)) {
    const text = fs.readFileSync(path.join(folder, f), 'utf8');
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, `no controls in ${f}`);
  }
});

test('history already in the file from an earlier run is not written again; live lines are', async () => {
  const srv = await startServer();
  const root = tempDir();
  const folder = path.join(root, `127.0.0.1_${srv.port}`);
  fs.mkdirSync(folder, { recursive: true });
  // An earlier run's last line, a minute from now: everything replayed today is older.
  const earlier = `${isoStamp(Date.now() + 60_000)} <bob> the last line logged\n`;
  fs.writeFileSync(path.join(folder, '#lobby.log'), earlier, { mode: 0o600 });
  const bob = await TestClient.register(srv.port, 'bob');
  const { session, rec } = newSession(srv.port, 'alice');
  const logs = new ChatLogs({
    dir: root,
    host: '127.0.0.1',
    port: srv.port,
    tls: false,
    session,
    report: (text) => assert.fail(text),
  });
  try {
    bob.send('PRIVMSG #lobby :logged last time');
    bob.send('PING :stored');
    await bob.expect((m) => m.command === 'PONG' && m.params.includes('stored'));
    session.start();
    await rec.next('message', (m) => m.text === 'logged last time' && m.history === true);
    bob.send('PRIVMSG #lobby :live now');
    await rec.next('message', (m) => m.text === 'live now');
  } finally {
    session.close();
    await logs.close();
    bob.destroy();
    await stopServer(srv);
  }
  const lobby = lines(path.join(folder, '#lobby.log'));
  assert.equal(lobby[0], '<bob> the last line logged');
  assert.ok(!lobby.some((l) => l.includes('logged last time')), lobby.join('\n'));
  assert.ok(lobby.includes('<bob> live now'), lobby.join('\n'));
});

/** A stand-in session: events pushed by hand, rfc1459 folding. */
function fakeSource(): LogSource & { emit(e: SessionEvent): void } {
  const listeners: Array<(e: SessionEvent) => void> = [];
  return {
    nick: 'alice',
    isupport: new Map(),
    fold: (n) => n.toLowerCase().replace(/\[/g, '{').replace(/\]/g, '}').replace(/\\/g, '|'),
    isChannel: (n) => n.startsWith('#'),
    onEvent(l) {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
    emit(e) {
      for (const l of listeners) l(e);
    },
  };
}

test('a msgid is written once per file in a run; a new date gets a "Day changed" line', async () => {
  const root = tempDir();
  const source = fakeSource();
  const logs = new ChatLogs({
    dir: root,
    host: 'Chat.Example.org',
    port: 6697,
    tls: true,
    session: source,
    report: assert.fail,
  });
  const late = new Date(2025, 0, 1, 23, 59, 30).getTime();
  const msg = (time: number, text: string, msgid: string, history = false): SessionEvent => ({
    type: 'message',
    time,
    kind: 'privmsg',
    from: 'bob',
    target: '#Ops[1]',
    conversation: '#Ops[1]',
    text,
    self: false,
    private: false,
    highlight: false,
    msgid,
    history,
  });
  source.emit(msg(late, 'before midnight', 'a'));
  source.emit(msg(late, 'before midnight', 'a', true)); // replayed again: not written twice
  source.emit(msg(late + 60_000, 'after midnight', 'b'));
  await logs.close();
  const file = path.join(root, 'chat.example.org', '#ops{1}.log');
  const got = lines(file).filter((l) => !/^--- Log (opened|closed)/.test(l));
  assert.deepEqual(got, [
    '--- Day changed 2025-01-01',
    '<bob> before midnight',
    '--- Day changed 2025-01-02',
    '<bob> after midnight',
  ]);
  assert.match(fs.readFileSync(file, 'utf8'), /\n2025-01-01T23:59:30[+-]\d\d:\d\d <bob> before/);
});

test('file names: folded, never a path, a dot file or a control character; long ones cut with a hash', () => {
  const cases: Array<[string, string]> = [
    ['#dev', '#dev'],
    ['bob', 'bob'],
    ['../../etc/passwd', '%2E.%2F..%2Fetc%2Fpasswd'],
    ['..', '%2E%2E'],
    ['.hidden', '%2Ehidden'],
    ['#a/b\\c', '#a%2Fb%5Cc'],
    ['#bell\x07\x1b[2J', '#bell%07%1B[2J'],
    ['#50%', '#50%25'],
    ['#rtl\u202e', '#rtl%E2%80%AE'],
    ['#c1\u009b', '#c1%C2%9B'],
    ['server', '%73erver'],
    ['', '%'],
  ];
  for (const [name, want] of cases) assert.equal(safeFileName(name), want, JSON.stringify(name));
  const long = '#' + 'é'.repeat(300);
  const a = safeFileName(long);
  const b = safeFileName(long + 'x');
  assert.ok(Buffer.byteLength(a) <= 200, `${Buffer.byteLength(a)} bytes`);
  assert.notEqual(a, b);
  assert.equal(serverFolder('Chat.Example.ORG', 6667, false), 'chat.example.org');
  assert.equal(serverFolder('chat.example.org', 6697, true), 'chat.example.org');
  assert.equal(serverFolder('::1', 7000, false), '%3A%3A1_7000');
});

/** Run the client binary in --plain mode with `input`; resolves with its exit code and output. */
function runClient(
  args: string[],
  input: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'connect', ...args], { stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`client did not exit\nstdout:\n${out}\nstderr:\n${err}`));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

test('an unusable log folder is one clear line; the client chats on', async () => {
  const srv = await startServer();
  const dave = await TestClient.register(srv.port, 'dave');
  const root = tempDir();
  const inTheWay = path.join(root, 'a-file');
  fs.writeFileSync(inTheWay, 'not a folder\n');
  try {
    const r = await runClient(
      [
        `127.0.0.1:${srv.port}`,
        '-n',
        'bot',
        '--plain',
        '--no-config',
        '--log-dir',
        path.join(inTheWay, 'logs'),
      ],
      'still talking\n@dave and privately\n/quit\n',
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const complaints = r.out.split('\n').filter((l) => l.includes('log:'));
    assert.equal(complaints.length, 1, r.out);
    assert.match(
      complaints[0],
      /!! log: cannot write in .*a-file.*: .*; not logging \(choose another folder with --log-dir\)$/,
    );
    await dave.expectCommand('PRIVMSG', '#lobby', 'still talking');
    await dave.expectCommand('PRIVMSG', 'dave', 'and privately');
  } finally {
    dave.destroy();
    await stopServer(srv);
  }
});

test('--log-dir with the real binary writes the files it promises', async () => {
  const srv = await startServer();
  const root = path.join(tempDir(), 'nested', 'logs');
  try {
    const r = await runClient(
      [`127.0.0.1:${srv.port}`, '-n', 'bot', '--plain', '--no-config', '--log-dir', root],
      'hello \x0304there\x03\n/quit\n',
    );
    assert.equal(r.code, 0, r.err);
    const folder = path.join(root, `127.0.0.1_${srv.port}`);
    assert.ok(lines(path.join(folder, '#lobby.log')).includes('<bot> hello there'));
    assert.ok(
      lines(path.join(folder, 'server.log')).some((l) => l.startsWith('-- registered as bot')),
    );
  } finally {
    await stopServer(srv);
  }
});

test('a full disk is reported once and stops all logging; nothing throws', async (t) => {
  if (!fs.existsSync('/dev/full')) return t.skip('no /dev/full here');
  const root = tempDir();
  const folder = path.join(root, 'chat.example.org');
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.symlinkSync('/dev/full', path.join(folder, '#full.log'));
  const source = fakeSource();
  const reports: string[] = [];
  const logs = new ChatLogs({
    dir: root,
    host: 'chat.example.org',
    port: 6667,
    tls: false,
    session: source,
    report: (text) => reports.push(text),
  });
  const info = (conversation: string, text: string): SessionEvent => ({
    type: 'info',
    time: Date.now(),
    text,
    conversation,
  });
  for (let k = 0; k < 5; k++) source.emit(info('#full', `line ${k}`));
  await logs.close();
  assert.equal(reports.length, 1, reports.join('\n'));
  assert.match(
    reports[0],
    /^log: cannot write .*#full\.log: the disk is full \(ENOSPC\); not logging any more/,
  );
});
