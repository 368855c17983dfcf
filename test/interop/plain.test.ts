// `parley connect --plain` over pipes: the real client binary against the real server binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { Writable } from 'node:stream';
import { TestClient } from '../helpers/irc.js';
import { recordingRelay } from '../client/fake-servers.js';
import { MAIN, startServe } from './serve.js';

/**
 * Run the client with `input` on stdin, then end stdin; resolves with its exit code and output.
 * With `typing`, stdin stays open instead and `typing` sees the output so far after each piece
 * of it, to type more (like a person at a terminal who never presses Ctrl-D).
 */
function runClient(
  args: string[],
  input: string,
  timeoutMs = 10_000,
  typing?: (out: string, stdin: Writable) => void,
) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'connect', ...args], { stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      typing?.(out, child.stdin);
    });
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
    child.stdin.on('error', () => {}); // the client may exit before reading everything
    if (typing === undefined) child.stdin.end(input);
    else child.stdin.write(input);
  });
}

test('piped lines are sent in order, @nick goes privately, /quit exits 0 after the server confirms', async () => {
  const srv = await startServe();
  const relay = await recordingRelay(srv.port);
  const dave = await TestClient.register(srv.port, 'dave');
  try {
    const r = await runClient(
      [`127.0.0.1:${relay.port}`, '--nick', 'bot', '--plain'],
      'hello from a script\n@dave just for you\n/me waves\n/quit done here\nnot sent\n',
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    await dave.expectCommand('PRIVMSG', '#lobby', 'hello from a script');
    await dave.expectCommand('PRIVMSG', 'dave', 'just for you');
    await dave.expectCommand('PRIVMSG', '#lobby', '\x01ACTION waves\x01');
    const q = await dave.expectCommand('QUIT', 'Quit: done here');
    assert.match(q.source!, /^bot!/);
    // The QUIT is the last line the client wrote (the server would ignore anything after it).
    assert.equal(relay.sent.at(-1), 'QUIT :done here', relay.sent.join('\n'));
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
    await relay.stop();
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

test('/quote QUIT leaves like /quit: the server hears the reason, exit code 0, input still open', async () => {
  const srv = await startServe();
  const relay = await recordingRelay(srv.port);
  const dave = await TestClient.register(srv.port, 'dave');
  try {
    const r = await runClient(
      [`127.0.0.1:${relay.port}`, '-n', 'raw', '--plain'],
      'first\n/quote QUIT :typed by hand\nnot sent\n',
      10_000,
      () => {}, // stdin stays open: only the QUIT can end the client
    );
    assert.equal(r.code, 0, r.out + r.err);
    await dave.expectCommand('PRIVMSG', '#lobby', 'first');
    const q = await dave.expectCommand('QUIT', 'Quit: typed by hand');
    assert.match(q.source!, /^raw!/);
    assert.equal(relay.sent.at(-1), 'QUIT :typed by hand', relay.sent.join('\n'));
  } finally {
    dave.destroy();
    await relay.stop();
    await srv.stop();
  }
});

test('/quit while waiting to reconnect exits 0 at once', async () => {
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
  const port = (free.address() as net.AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));
  let typed = false;
  const r = await runClient(
    [`127.0.0.1:${port}`, '-n', 'eve', '--plain'],
    '',
    10_000,
    (out, stdin) => {
      if (typed || !/reconnecting in \d+s \(attempt 1\)/.test(out)) return;
      typed = true;
      stdin.write('/quit\n');
    },
  );
  assert.ok(typed, r.out);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /disconnected: quit\n$/);
});

test('a refused password is one clear line and exit code 1', async () => {
  const srv = await startServe(['--password', 'right']);
  try {
    const r = await runClient(
      [`127.0.0.1:${srv.port}`, '-n', 'mallory', '--plain', '--server-password', 'wrong'],
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

test('a script that joins, talks, parts and talks again is heard where it meant, at full speed', async () => {
  const srv = await startServe();
  const dave = await TestClient.register(srv.port, 'dave');
  const erin = await TestClient.register(srv.port, 'erin');
  try {
    erin.send('JOIN #dev');
    await erin.expectCommand('366');
    // All at once: the line after /join is read long before the server confirms the JOIN.
    const r = await runClient(
      [`127.0.0.1:${srv.port}`, '-n', 'bot', '--plain'],
      '/join #dev\nhello dev\n/part #dev\nback in the lobby\n/quit\n',
    );
    assert.equal(r.code, 0, r.out + r.err);
    await erin.expectCommand('PRIVMSG', '#dev', 'hello dev');
    const lobby = await dave.expectCommand('PRIVMSG', '#lobby');
    assert.equal(lobby.params[1], 'back in the lobby', 'the first line dave hears in #lobby');
  } finally {
    dave.destroy();
    erin.destroy();
    await srv.stop();
  }
});

test('a refused /join closes its conversation and the next line goes back where it was', async () => {
  const srv = await startServe();
  const dave = await TestClient.register(srv.port, 'dave');
  try {
    dave.send('JOIN #locked');
    dave.send('MODE #locked +k sesame');
    await dave.expectCommand('MODE');
    let typed = false;
    const r = await runClient(
      [`127.0.0.1:${srv.port}`, '-n', 'bot', '--plain'],
      '/join #locked\n',
      10_000,
      (out, stdin) => {
        if (typed || !/475|key/i.test(out)) return;
        typed = true;
        stdin.end('still in the lobby\n/quit\n');
      },
    );
    assert.ok(typed, r.out);
    assert.equal(r.code, 0, r.out + r.err);
    await dave.expectCommand('PRIVMSG', '#lobby', 'still in the lobby');
  } finally {
    dave.destroy();
    await srv.stop();
  }
});

test('--channel with several channels joins them all and talks in the first', async () => {
  const srv = await startServe();
  const dave = await TestClient.register(srv.port, 'dave');
  const erin = await TestClient.register(srv.port, 'erin');
  try {
    dave.send('JOIN #dev');
    erin.send('JOIN #ops');
    await dave.expectCommand('366');
    await erin.expectCommand('366');
    const r = await runClient(
      [`127.0.0.1:${srv.port}`, '-n', 'bot', '--plain', '-c', 'dev,#ops'],
      'hello dev\n/quit\n',
    );
    assert.equal(r.code, 0, r.out + r.err);
    await erin.expect(
      (m) => m.command === 'JOIN' && m.params[0] === '#ops' && /^bot!/.test(m.source ?? ''),
    );
    await dave.expectCommand('PRIVMSG', '#dev', 'hello dev');
  } finally {
    dave.destroy();
    erin.destroy();
    await srv.stop();
  }
});
