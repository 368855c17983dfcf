// End to end: `parley connect` in a real pseudo-terminal (tmux), quitting while a silent server never lets it register.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fakeServer } from '../client/fake-servers.js';
import { haveTmux, TmuxSession } from '../helpers/tmux.js';
import { MAIN } from './serve.js';

const STEP_MS = 10_000;

test(
  '/quit while the server never answers says how to stop waiting, and Ctrl-C ends it at once',
  { timeout: 60_000 },
  async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-quit-waiting-'));
    // Accepts and then says nothing: the registration never completes, so QUIT has nowhere to
    // go until the client's own bound (connect timeout + quit timeout, 22 s by default).
    const silent = await fakeServer(() => {});
    let term: TmuxSession | undefined;
    try {
      const script = 'node "$0" connect "$1" --nick carol --inline; echo "exit=$?"; exec sleep 60';
      term = await TmuxSession.start({
        socket: path.join(dir, 'tmux.sock'),
        name: 'carol',
        width: 100,
        height: 20,
        cwd: dir,
        env: { TERM: 'xterm-256color', LANG: 'C.UTF-8' },
        command: ['sh', '-c', script, MAIN, `127.0.0.1:${silent.port}`],
      });
      const tmux = term;
      const wait = (re: RegExp, what: string) =>
        tmux.waitForScreen(re, { timeoutMs: STEP_MS, what });
      await silent.nextPeer(STEP_MS);
      await tmux.type('/quit');
      await wait(/leaving… \(Ctrl-C to quit now\)/, 'the status line saying how to stop waiting');
      assert.doesNotMatch(await tmux.capture(), /exit=/, 'still waiting for the silent server');
      await tmux.press('C-c');
      await wait(/exit=0/, 'the client ending at Ctrl-C, long before its 22 s bound');
    } finally {
      await term?.kill();
      await silent.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
