// End to end: `/register` with no password in `parley connect` (a real pseudo-terminal, tmux): the password is asked for, never drawn, Ctrl-C cancels, Enter registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loggedIn } from '../helpers/accounts.js';
import type { TestClient } from '../helpers/irc.js';
import { isInstalled, TmuxSession } from '../helpers/tmux.js';
import { MAIN, startServe, type ServeProcess } from './serve.js';

const STEP_MS = 10_000;
const SECRET = 'hunter2-not-on-screen';

test(
  'the password prompt: nothing of it drawn, Ctrl-C cancels, Enter registers the account',
  { timeout: 90_000 },
  async (t) => {
    if (!isInstalled('tmux', '-V')) {
      if (process.env.CI === 'true') assert.fail('tmux not installed, but CI=true: install tmux');
      t.skip('tmux not installed (apt-get install -y tmux); this test only skips outside CI');
      return;
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-secret-'));
    let server: ServeProcess | undefined;
    let term: TmuxSession | undefined;
    let erin: TestClient | undefined;
    try {
      server = await startServe(['--db', ':memory:']);
      const script = `node "$0" connect "$1" --nick erin; echo "exit=$?"; exec sleep 60`;
      term = await TmuxSession.start({
        socket: path.join(dir, 'tmux.sock'),
        name: 'erin',
        width: 100,
        height: 24,
        cwd: dir,
        env: { TERM: 'xterm-256color', LANG: 'C.UTF-8' },
        command: ['sh', '-c', script, MAIN, `127.0.0.1:${server.port}`],
      });
      const tmux = term;
      const wait = (re: RegExp, what: string) =>
        tmux.waitForScreen(re, { timeoutMs: STEP_MS, what });
      await wait(/^ ?#lobby \| erin \| connected/m, 'the status line: #lobby, erin, connected');

      // Asked for; typed keys are not drawn; Ctrl-C gives the input line back, nothing sent.
      await tmux.type('/register');
      await wait(/Password for the new account \(not shown\):/, 'the password prompt');
      await wait(/Ctrl-C to cancel/, 'how to cancel, on the status line');
      await tmux.type(SECRET, false);
      await tmux.type('x', false); // one more key, so the screen has caught up with the secret
      assert.doesNotMatch(await tmux.capture(), /hunter2/, 'the typed secret is not drawn');
      await tmux.press('C-c');
      await wait(/Registration cancelled/, 'the cancel, said');
      await wait(/^\[#lobby\] ?$/m, 'the input line back, empty');

      // Asked again, answered with Enter: the account exists, and the secret was never drawn.
      await tmux.type('/register');
      await wait(/Password for the new account \(not shown\):/, 'the password prompt again');
      await tmux.type(SECRET);
      await tmux.type('/window 1');
      await wait(/registered account erin/, "the server's confirmation, in the server window");
      assert.doesNotMatch(await tmux.capture(), /hunter2/, 'the secret is nowhere on the screen');
      erin = await loggedIn(server.port, 'erin2', SECRET, [], 'erin');

      // The typed history holds the commands, not the secret: Up walks back through them.
      await tmux.press('Up');
      await wait(/^> \/window 1$/m, 'Up recalls /window 1');
      for (const k of [1, 2]) {
        await tmux.press('Up');
        await wait(/^> \/register$/m, `Up recalls /register (${k})`);
        assert.doesNotMatch(await tmux.capture(), /hunter2/, 'the secret is not in the history');
      }
    } finally {
      erin?.destroy();
      await term?.kill();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
