// Plain mode (pipes and scripts) over real sockets: lines wait for the registration, but input that has ended never waits on an unreachable server for ever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { ChatController, type View } from '../../src/client/app.js';
import type { SessionOptions } from '../../src/client/session.js';
import { runPlain } from '../../src/client/ui/plain.js';
import { startServer, TestClient } from '../helpers/irc.js';
import { newSession, stopServer, TestTimers } from './session-kit.js';

/** A loopback port nobody listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

function plainRun(port: number, input: string | Readable, extra: Partial<SessionOptions> = {}) {
  const { session, rec } = newSession(port, 'pia', {
    connectTimeoutMs: 400,
    quitTimeoutMs: 300,
    ...extra,
  });
  const printed: string[] = [];
  const view: View = { print: (l) => printed.push(l), bell: () => {}, statusChanged: () => {} };
  const controller = new ChatController(session, view, false);
  session.start();
  const stream = typeof input === 'string' ? Readable.from([input]) : input;
  const code = runPlain(controller, session, stream);
  return { session, rec, printed, code };
}

/**
 * A plain-mode client in #ops, watched by `ops`, that has sent "one"; then the server goes away
 * and the client waits to reconnect, its back-off held (no retry fires unless the test lets it).
 */
async function droppedMidSession() {
  const srv = await startServer({ defaultChannel: '' });
  const timers = new TestTimers();
  const input = new PassThrough();
  const run = plainRun(srv.port, input, { channels: ['#ops'], timers });
  const ops = await TestClient.register(srv.port, 'ops', [], false);
  ops.send('JOIN #ops');
  await ops.expectCommand('366');
  input.write('one\n');
  await ops.expectCommand('PRIVMSG', '#ops', 'one');
  timers.hold();
  ops.destroy();
  await stopServer(srv);
  await run.rec.state('reconnecting');
  return { port: srv.port, input, run };
}

test(
  'input ended, server unreachable: gives up after one attempt and a QUIT, says how many lines were not sent, exit 1',
  { timeout: 20_000 },
  async () => {
    const port = await closedPort();
    const run = plainRun(port, 'hello\nworld\n/quit\n');
    try {
      assert.equal(await run.code, 1);
      const said = run.printed.join('\n');
      assert.match(
        said,
        /gave up: connection refused by 127\.0\.0\.1:\d+; 2 lines of input not sent/,
      );
      assert.doesNotMatch(said, /No conversation/, 'the held lines are not handled after the end');
      assert.equal(run.session.ended, true);
    } finally {
      run.session.close();
    }
  },
);

test(
  'the server comes up while piped lines wait: they are delivered in order, then QUIT, exit 0',
  { timeout: 20_000 },
  async () => {
    const port = await closedPort();
    const timers = new TestTimers();
    // Time enough to start the server while the lines wait (the bound runs from the input's end).
    const run = plainRun(port, 'first\nsecond\n', {
      channels: ['#ops'],
      timers,
      connectTimeoutMs: 30_000,
    });
    let srv: Awaited<ReturnType<typeof startServer>> | undefined;
    let ops: TestClient | undefined;
    try {
      // The retry waits (held timers) until ops is in #ops, to see what arrives there.
      timers.hold();
      await run.rec.state('reconnecting');
      srv = await startServer({ port, defaultChannel: '' });
      ops = await TestClient.register(port, 'ops', [], false);
      ops.send('JOIN #ops');
      await ops.expectCommand('366');
      timers.release();
      await ops.expectCommand('PRIVMSG', '#ops', 'first');
      await ops.expectCommand('PRIVMSG', '#ops', 'second');
      await ops.expect((m) => m.command === 'QUIT' && m.source?.startsWith('pia!') === true);
      assert.equal(await run.code, 0);
    } finally {
      ops?.destroy();
      run.session.close();
      if (srv !== undefined) await stopServer(srv);
    }
  },
);

test(
  'the link drops mid-session and the input ends while reconnecting: the waiting line is counted as not sent, exit 1',
  { timeout: 20_000 },
  async () => {
    const { input, run } = await droppedMidSession();
    try {
      // The server is gone: the one attempt the end of input makes fails, and the line with it.
      input.end('two\n');
      assert.equal(await run.code, 1);
      const said = run.printed.join('\n');
      assert.match(said, /not sent: 1 line was waiting for the connection when it ended/);
      assert.equal(run.session.unsent, 1);
      assert.equal(run.rec.all('error').filter((e) => e.code === 'QUEUE').length, 1);
    } finally {
      run.session.close();
    }
  },
);

test(
  'the link drops mid-session, the server is back, and the input ends while reconnecting: one attempt at once, the waiting line delivered before QUIT, exit 0',
  { timeout: 20_000 },
  async () => {
    const { port, input, run } = await droppedMidSession();
    let srv: Awaited<ReturnType<typeof startServer>> | undefined;
    let ops: TestClient | undefined;
    try {
      // The back-off's retry never fires (held timers): only the end of input can bring it back.
      srv = await startServer({ port, defaultChannel: '' });
      ops = await TestClient.register(port, 'ops', [], false);
      ops.send('JOIN #ops');
      await ops.expectCommand('366');
      input.end('two\n');
      await ops.expectCommand('PRIVMSG', '#ops', 'two');
      await ops.expect((m) => m.command === 'QUIT' && m.source?.startsWith('pia!') === true);
      assert.equal(await run.code, 0);
      assert.equal(run.session.unsent, 0);
      assert.doesNotMatch(run.printed.join('\n'), /not sent/);
    } finally {
      ops?.destroy();
      run.session.close();
      if (srv !== undefined) await stopServer(srv);
    }
  },
);
