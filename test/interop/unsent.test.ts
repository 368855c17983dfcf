// End to end: in `parley connect` (a real pseudo-terminal, tmux), a line typed while the server is gone and then dropped by /quit is said on the terminal, with exit code 1.
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServe, type ServeProcess } from './serve.js';
import { haveTmux } from '../helpers/tmux.js';
import { clientPane, type ClientPane } from './windows-kit.js';

test(
  'typed while reconnecting, then /quit: "not sent: 1 line…" after the screen is restored, exit 1',
  { timeout: 60_000 },
  async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-unsent-'));
    let server: ServeProcess | undefined;
    let pane: ClientPane | undefined;
    try {
      server = await startServe(['--db', ':memory:']);
      pane = await clientPane({
        dir,
        port: server.port,
        name: 'uma',
        args: ['--nick', 'uma'],
        width: 100,
        height: 24,
      });
      const { tmux, wait } = pane;
      await wait(/^ ?#lobby \| uma \| connected/m, 'the status line: #lobby, uma, connected');
      await server.stop();
      server = undefined;
      await wait(/reconnecting/, 'the status line: reconnecting');
      await tmux.type('said while the server is gone');
      await tmux.type('/quit');
      await wait(
        /^parley: not sent: 1 line was waiting for the connection when it ended$/m,
        'the note',
      );
      await wait(/^exit=1$/m, 'exit code 1');
    } finally {
      await pane?.tmux.kill();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
