// End to end: `/register` with no password in `parley connect` (a real pseudo-terminal, tmux): the password is asked for, never drawn, Ctrl-C cancels, Enter registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loggedIn } from '../helpers/accounts.js';
import type { TestClient } from '../helpers/irc.js';
import { startServe, type ServeProcess } from './serve.js';
import { haveTmux } from '../helpers/tmux.js';
import { clientPane, type ClientPane } from './windows-kit.js';

const SECRET = 'hunter2-not-on-screen';

test(
  'the password prompt: nothing of it drawn, Ctrl-C cancels, Enter registers the account',
  { timeout: 90_000 },
  async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-secret-'));
    let server: ServeProcess | undefined;
    let pane: ClientPane | undefined;
    let erin: TestClient | undefined;
    try {
      server = await startServe(['--db', ':memory:']);
      pane = await clientPane({
        dir,
        port: server.port,
        name: 'erin',
        args: ['--nick', 'erin'],
        width: 100,
        height: 24,
      });
      const { tmux, wait } = pane;
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
      await pane?.tmux.kill();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
