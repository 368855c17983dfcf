// End to end, full-screen client in tmux against the real server: a flood into the current window while typing leaves the input line intact and sends it whole; a terminal below 20x5 shows a message, and the windows come back when it grows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestClient } from '../helpers/irc.js';
import { startServe, type ServeProcess } from './serve.js';
import { haveTmux } from '../helpers/tmux.js';
import { clientPane, type ClientPane } from './windows-kit.js';

const FLOOD = 300;
const WIDTH = 80;
const HEIGHT = 16;
const PROMPT = '[#lobby] ';

const isFrom = (source: string | null, nick: string): boolean =>
  source !== null && source.split('!')[0] === nick;

test(
  'windows: a flood into the current window while typing leaves the input line intact, and Enter sends it whole',
  {
    timeout: 90_000,
  },
  async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-wtyping-'));
    let server: ServeProcess | undefined;
    let pane: ClientPane | undefined;
    let dave: TestClient | undefined;
    try {
      server = await startServe(['--flood', 'off', '--db', 'off']);
      dave = await TestClient.register(server.port, 'dave');
      pane = await clientPane({
        dir,
        port: server.port,
        name: 'carol',
        args: ['--nick', 'carol'],
        width: WIDTH,
        height: HEIGHT,
      });
      const p = pane;
      await p.wait(/^ ?#lobby \| carol \| connected/m, 'carol connected in #lobby');
      await dave.expect((m) => m.command === 'JOIN' && isFrom(m.source, 'carol'));

      await p.tmux.type('hello ', false);
      await p.wait(/^\[#lobby\] hello$/m, 'the first half typed');
      // The flood, in chunks, while the rest of the word is typed key by key.
      const flooding = (async () => {
        for (let k = 1; k <= FLOOD; k++) {
          dave.send(`PRIVMSG #lobby :flood line ${k} with some words to wrap it now and then`);
          if (k % 25 === 0) await new Promise((r) => setImmediate(r));
        }
      })();
      for (const key of ['w', 'o', 'r']) await p.tmux.type(key, false);
      await flooding;
      await p.wait(new RegExp(`<dave> flood line ${FLOOD} `), 'the last line of the flood');

      const rows = await p.rows();
      assert.equal(rows.length, HEIGHT, rows.join('\n'));
      assert.equal(
        rows[HEIGHT - 1],
        `${PROMPT}hello wor`,
        `input line intact:\n${rows.join('\n')}`,
      );
      assert.match(rows[HEIGHT - 2], /#lobby \| carol \| connected/, 'status line above it');
      const cursor = await p.tmux.tmux('display', '-p', '-t', 'carol', '#{cursor_x} #{cursor_y}');
      assert.equal(cursor.trim(), `${PROMPT.length + 'hello wor'.length} ${HEIGHT - 1}`);
      // The flood's lines are in the window, in order, above the status line.
      const seen = rows.flatMap((r) =>
        [...r.matchAll(/flood line (\d+) /g)].map((m) => Number(m[1])),
      );
      assert.ok(seen.length > 3, rows.join('\n'));
      seen.forEach((n, k) => k === 0 || assert.equal(n, seen[k - 1] + 1, rows.join('\n')));

      await p.tmux.type('ld');
      const said = await dave.expect(
        (m) => m.command === 'PRIVMSG' && isFrom(m.source, 'carol'),
        10_000,
        "carol's line",
      );
      assert.deepEqual(said.params, ['#lobby', 'hello world']);
      await p.wait(/<carol> hello world$/m, 'her line in the window');
      await p.wait(/^\[#lobby\]$/m, 'an empty input line');
    } finally {
      await pane?.tmux.kill();
      dave?.destroy();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  'windows: a terminal below 20x5 says so instead of drawing; grown again, the window and the typed line are back',
  {
    timeout: 60_000,
  },
  async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-wsmall-'));
    let server: ServeProcess | undefined;
    let pane: ClientPane | undefined;
    let dave: TestClient | undefined;
    try {
      server = await startServe(['--flood', 'off', '--db', 'off']);
      dave = await TestClient.register(server.port, 'dave');
      pane = await clientPane({
        dir,
        port: server.port,
        name: 'erin',
        args: ['--nick', 'erin'],
        width: WIDTH,
        height: HEIGHT,
      });
      const p = pane;
      await p.wait(/^ ?#lobby \| erin \| connected/m, 'erin connected in #lobby');
      await dave.expect((m) => m.command === 'JOIN' && isFrom(m.source, 'erin'));
      dave.send('PRIVMSG #lobby :before the squeeze');
      await p.wait(/<dave> before the squeeze$/m, "dave's line");
      await p.tmux.type('half', false);

      await p.tmux.tmux('resize-window', '-t', 'erin', '-x', '15', '-y', '4');
      const small = (await p.wait(/Terminal too/, 'the too-small message')).input ?? '';
      assert.deepEqual(
        small.split('\n').map((r) => r.trimEnd()),
        ['Terminal too', 'small: 15x4,', 'needs 20x5'],
      );
      // Lines still arrive while it is too small; none of them is drawn.
      dave.send('PRIVMSG #lobby :during the squeeze');
      await dave.sync();
      await p.wait(/needs 20x5/, 'still the message');
      assert.doesNotMatch(await p.tmux.capture(), /squeeze|erin/);

      await p.tmux.tmux('resize-window', '-t', 'erin', '-x', String(WIDTH), '-y', String(HEIGHT));
      await p.wait(/<dave> during the squeeze$/m, 'the window redrawn, with the line that came');
      const rows = await p.rows();
      assert.ok(
        rows.some((r) => /<dave> before the squeeze$/.test(r)),
        rows.join('\n'),
      );
      assert.equal(rows[HEIGHT - 1], `${PROMPT}half`, 'the typed text kept');
      assert.match(rows[HEIGHT - 2], /#lobby \| erin \| connected/);
    } finally {
      await pane?.tmux.kill();
      dave?.destroy();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
