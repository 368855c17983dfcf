// End to end, full-screen client in tmux against the real server with a SQLite file: after the server restarts on the same file, the client reconnects and catch-up fills each window (two channels, a private chat) with what it missed, every message exactly once, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeAccount } from '../helpers/accounts.js';
import { TestClient } from '../helpers/irc.js';
import { startServe, type ServeProcess } from './serve.js';
import { haveTmux } from '../helpers/tmux.js';
import { clientPane, type ClientPane } from './windows-kit.js';

const WIDTH = 100;
const HEIGHT = 30;
const PASSWORD = 'correct horse battery';

const isFrom = (source: string | null, nick: string): boolean =>
  source !== null && source.split('!')[0] === nick;

/** The test lines on screen (`before lobby 1`, `missed pm 2`...), top to bottom, with their marks. */
function tagged(screen: string): string[] {
  const re = /^(?:.*(\[history\] ))?.*\b((?:before|missed) (?:lobby|dev|pm) \d)$/gm;
  return [...screen.matchAll(re)].map((m) => (m[1] === undefined ? m[2] : `${m[2]} (history)`));
}

test(
  'windows: catch-up after a server restart fills each window with what was missed, each message once, in order',
  {
    timeout: 120_000,
  },
  async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-wcatchup-'));
    const db = path.join(dir, 'parley.db');
    let server: ServeProcess | undefined;
    let pane: ClientPane | undefined;
    let dave: TestClient | undefined;
    let stopped: number | null = null;
    try {
      server = await startServe(['--flood', 'off', '--db', db]);
      const port = server.port;
      await makeAccount(port, 'carol', PASSWORD);
      await writeFile(path.join(dir, 'pw'), PASSWORD + '\n', { mode: 0o600 });
      dave = await TestClient.register(port, 'dave');
      dave.send('JOIN #dev');
      await dave.expectCommand('366');
      pane = await clientPane({
        dir,
        port,
        name: 'carol',
        args: ['--nick', 'carol', '--password-file', path.join(dir, 'pw'), '-c', '#lobby,#dev'],
        width: WIDTH,
        height: HEIGHT,
      });
      const p = pane;
      await p.wait(/^ ?#lobby \| carol \| connected/m, 'carol connected in #lobby');
      await dave.expect(
        (m) => m.command === 'JOIN' && m.params[0] === '#dev' && isFrom(m.source, 'carol'),
        10_000,
        'carol in #dev',
      );
      // Seen live before the restart: window 2 #lobby, 3 #dev, 4 the private chat.
      for (const k of [1, 2]) {
        dave.send(`PRIVMSG #lobby :before lobby ${k}`);
        dave.send(`PRIVMSG #dev :before dev ${k}`);
        dave.send(`PRIVMSG carol :before pm ${k}`);
      }
      await p.wait(/\[#dev 2\] \[dave 2\*\]/, 'the lines before, counted');
      dave.destroy();

      // The client is held still (SIGSTOP) across the restart, so that it comes back only after
      // the lines it must fetch are stored: it cannot race them.
      const pid = await p.pid();
      process.kill(pid, 'SIGSTOP');
      stopped = pid;
      await server.stop();
      server = await startServe(['--flood', 'off', '--db', db, '--port', String(port)]);
      assert.equal(server.port, port, 'the restarted server on the same port');
      dave = await TestClient.register(port, 'dave');
      dave.send('JOIN #dev');
      await dave.expectCommand('366');
      for (const k of [1, 2]) {
        dave.send(`PRIVMSG #lobby :missed lobby ${k}`);
        dave.send(`PRIVMSG #dev :missed dev ${k}`);
        // carol is offline: kept for her account (no 401).
        dave.send(`PRIVMSG carol :missed pm ${k}`);
      }
      await dave.sync();
      process.kill(pid, 'SIGCONT');
      stopped = null;

      await p.wait(/^ ?#lobby \| carol \| connected/m, 'carol reconnected', 30_000);
      await dave.expect(
        (m) => m.command === 'JOIN' && m.params[0] === '#dev' && isFrom(m.source, 'carol'),
        30_000,
        'carol back in #dev',
      );
      await p.wait(/\[#dev \d+\] \[dave \d+\*\]/, 'catch-up counted in #dev and the chat');

      const windows: Array<[string, string, RegExp]> = [
        ['M-2', 'lobby', /^ ?#lobby \| carol/m],
        ['M-3', 'dev', /^ ?#dev \| carol/m],
        ['M-4', 'pm', /^ ?dave \| carol/m],
      ];
      for (const [key, word, status] of windows) {
        await p.tmux.press(key);
        await p.wait(status, `window ${key} current`);
        const screen = (await p.wait(new RegExp(`missed ${word} 2$`, 'm'), `${word}: caught up`))
          .input;
        // A private message kept for an offline account is delivered as the account logs in,
        // before catch-up asks: live, not marked as history. Either way it is there once.
        const history = word === 'pm' ? '' : ' (history)';
        const got = tagged(screen ?? '').map((l) =>
          history === '' ? l.replace(' (history)', '') : l,
        );
        assert.deepEqual(
          got,
          [
            `before ${word} 1`,
            `before ${word} 2`,
            `missed ${word} 1${history}`,
            `missed ${word} 2${history}`,
          ],
          `window of ${word}: each line once, in order, the missed ones as history:\n${screen}`,
        );
      }
    } finally {
      if (stopped !== null) process.kill(stopped, 'SIGCONT');
      await pane?.tmux.kill();
      dave?.destroy();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
