// `parley connect --plain` over pipes: the real client binary against the real server binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { TestClient } from '../helpers/irc.js';
import { MAIN, startServe } from './serve.js';

/** Run the client with `input` on stdin; resolves with its exit code and output. */
function runClient(args: string[], input: string, timeoutMs = 10_000) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'connect', ...args], { stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`client did not exit within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`),
      );
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(input);
  });
}

test('piped lines are sent in order, @nick goes privately, /quit exits 0 after the server confirms', async () => {
  const srv = await startServe();
  const dave = await TestClient.register(srv.port, 'dave');
  try {
    const r = await runClient(
      [`127.0.0.1:${srv.port}`, '--nick', 'bot', '--plain'],
      'hello from a script\n@dave just for you\n/me waves\n/quit done here\nnot sent\n',
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    await dave.expectCommand('PRIVMSG', '#lobby', 'hello from a script');
    await dave.expectCommand('PRIVMSG', 'dave', 'just for you');
    await dave.expectCommand('PRIVMSG', '#lobby', '\x01ACTION waves\x01');
    const q = await dave.expectCommand('QUIT', 'Quit: done here');
    assert.match(q.source!, /^bot!/);
    await dave.sync();
    assert.ok(!dave.all('PRIVMSG').some((m) => m.params[1] === 'not sent'));
    const lines = r.out.trimEnd().split('\n');
    assert.ok(!r.out.includes('\x1b'), 'no escape codes in plain mode');
    for (const want of [
      /^\d\d:\d\d:\d\d --> you joined #lobby$/,
      /^\d\d:\d\d:\d\d <bot> hello from a script$/,
      /^\d\d:\d\d:\d\d \[you → dave\] just for you$/,
      /^\d\d:\d\d:\d\d \* bot waves$/,
    ]) {
      assert.ok(
        lines.some((l) => want.test(l)),
        `${want} in\n${r.out}`,
      );
    }
  } finally {
    dave.destroy();
    await srv.stop();
  }
});

test('end of input quits cleanly too, and incoming lines are printed one per event', async () => {
  const srv = await startServe();
  const dave = await TestClient.register(srv.port, 'dave');
  try {
    dave.send('TOPIC #lobby :welcome all');
    await dave.expectCommand('TOPIC');
    const r = await runClient([`127.0.0.1:${srv.port}`, '-n', 'eve', '--plain'], 'hi dave\n');
    assert.equal(r.code, 0, r.err);
    await dave.expectCommand('PRIVMSG', '#lobby', 'hi dave');
    await dave.expect((m) => m.command === 'QUIT' && /^eve!/.test(m.source ?? ''));
    assert.match(r.out, /welcome all/);
    await srv.waitForConsole(/#lobby <eve> hi dave/);
  } finally {
    dave.destroy();
    await srv.stop();
  }
});

test('a refused password is one clear line and exit code 1', async () => {
  const srv = await startServe(['--password', 'right']);
  try {
    const r = await runClient(
      [`127.0.0.1:${srv.port}`, '-n', 'mallory', '--plain', '--password', 'wrong'],
      'hello\n',
    );
    assert.equal(r.code, 1);
    assert.match(r.out, /password/i);
  } finally {
    await srv.stop();
  }
});

test('bad flags are one-line errors naming the flag, exit code 2', async () => {
  for (const [args, pattern] of [
    [['--nick', '9lives'], /--nick: '9lives' is not a valid nickname/],
    [['--port', 'x'], /--port: expected a whole number/],
    [['--channel', 'a b'], /--channel/],
    [['--bogus'], /Unknown option '--bogus'/],
  ] as const) {
    const r = await runClient([...args, '--plain'], '');
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, pattern);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});
