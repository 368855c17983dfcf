// End to end: `parley connect` in a real pseudo-terminal (tmux) against the real server binary, with a raw IRC client as the other side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestClient } from '../helpers/irc.js';
import { haveTmux, TmuxSession } from '../helpers/tmux.js';
import { MAIN, startServe, type ServeProcess } from './serve.js';

const STEP_MS = 10_000;
const WIDTH = 100;
const HEIGHT = 30;
const PROMPT = '[#lobby] ';

const isFrom = (source: string | null, nick: string): boolean =>
  source !== null && source.split('!')[0] === nick;

test(
  'interactive client, --inline: typing survives incoming messages, injection is neutralised',
  { timeout: 90_000 },
  async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-interactive-'));
    let server: ServeProcess | undefined;
    let term: TmuxSession | undefined;
    let dave: TestClient | undefined;
    try {
      server = await startServe(['--flood', 'off']);
      dave = await TestClient.register(server.port, 'dave');
      // A shell around the client, so we can see how it leaves the terminal.
      const script =
        'node "$0" connect "$1" --nick carol --inline; echo "exit=$?"; stty -a; echo stty-done; exec sleep 60';
      term = await TmuxSession.start({
        socket: path.join(dir, 'tmux.sock'),
        name: 'carol',
        width: WIDTH,
        height: HEIGHT,
        cwd: dir,
        env: { TERM: 'xterm-256color', LANG: 'C.UTF-8' },
        command: ['sh', '-c', script, MAIN, `127.0.0.1:${server.port}`],
      });
      const tmux = term;
      const wait = (re: RegExp, what: string) =>
        tmux.waitForScreen(re, { timeoutMs: STEP_MS, what });
      const lines = async (): Promise<string[]> => (await tmux.capture()).split('\n');
      const cursor = async (): Promise<[number, number]> => {
        const [x, y] = (await tmux.tmux('display', '-p', '-t', 'carol', '#{cursor_x} #{cursor_y}'))
          .trim()
          .split(' ')
          .map(Number);
        return [x, y];
      };
      const title = async (): Promise<string> =>
        (await tmux.tmux('display', '-p', '-t', 'carol', '#{pane_title}')).trim();

      // Connected, in #lobby: the status line says so.
      await wait(/^ ?#lobby \| carol \| connected/m, 'the status line: #lobby, carol, connected');
      await dave.expect(
        (m) => m.command === 'JOIN' && isFrom(m.source, 'carol'),
        STEP_MS,
        'carol joining',
      );

      // Half a line typed; a message arrives; the half line and the cursor are intact below it.
      await tmux.type('hello wor', false);
      await wait(/^\[#lobby\] hello wor$/m, 'the half-typed line');
      dave.send('PRIVMSG #lobby :are you there, carol?');
      await wait(/<dave> are you there, carol\?/, "dave's message");
      let screen = await lines();
      const said = screen.findIndex((l) => /<dave> are you there, carol\?/.test(l));
      assert.equal(screen.length, HEIGHT, screen.join('\n'));
      assert.equal(screen[HEIGHT - 1], `${PROMPT}hello wor`, 'input line intact');
      assert.match(screen[HEIGHT - 2], /#lobby \| carol \| connected/, 'status line above it');
      assert.ok(
        said >= 0 && said < HEIGHT - 2,
        `message above the status line:\n${screen.join('\n')}`,
      );
      assert.deepEqual(await cursor(), [PROMPT.length + 'hello wor'.length, HEIGHT - 1]);

      // Finishing the line sends exactly what was typed.
      await tmux.type('ld', true);
      const sent = await dave.expect(
        (m) => m.command === 'PRIVMSG' && isFrom(m.source, 'carol'),
        STEP_MS,
        "carol's line",
      );
      assert.deepEqual(sent.params, ['#lobby', 'hello world']);
      await wait(/<carol> hello world/, 'our own line, echoed once');
      await wait(/^\[#lobby\]$/m, 'an empty input line');

      // Escape-sequence injection: clear screen, window title, colour, and an 8-bit CSI.
      const titleBefore = await title();
      dave.send('PRIVMSG #lobby :\x1b[2J\x1b]0;pwned\x07\x1b[31mred\u009b2J after');
      await wait(/<dave> red after/, 'the injected line, defused');
      screen = await lines();
      assert.ok(
        screen.some((l) => /<dave> are you there, carol\?/.test(l)),
        'screen was cleared',
      );
      assert.ok(
        screen.some((l) => /<carol> hello world/.test(l)),
        'screen was cleared',
      );
      assert.ok(!screen.some((l) => /pwned|2J/.test(l)), screen.join('\n'));
      assert.equal(await title(), titleBefore, 'window title changed');
      const coloured = await tmux.tmux('capture-pane', '-e', '-p', '-t', 'carol');
      const injected = coloured.split('\n').find((l) => l.includes('red after')) ?? '';
      assert.doesNotMatch(injected, /\x1b\[31m/, 'remote colour reached the terminal');

      // Tab completes a nick at the start of the line with ": ".
      await tmux.type('da', false);
      await tmux.press('Tab');
      await wait(/^\[#lobby\] dave:$/m, 'dave completed');
      assert.deepEqual(await cursor(), [PROMPT.length + 'dave: '.length, HEIGHT - 1]);

      // Ctrl-C clears the line (once: no quitting).
      await tmux.press('C-c');
      await wait(/^\[#lobby\]$/m, 'the line cleared by Ctrl-C');

      // A private message while in #lobby: shown with its marker, counted on the status line.
      dave.send('PRIVMSG carol :psst, a secret');
      await wait(/\[dave → you\] psst, a secret/, 'the private message');
      await wait(/#lobby \| carol \| connected.*\[dave 1\*?\]/, 'an unread count for dave');

      // Paste guard: five lines in one bracketed paste are held until confirmed.
      await tmux.tmux('set-buffer', '-b', 'p', 'one\ntwo\nthree\nfour\nfive\n');
      await tmux.tmux('paste-buffer', '-p', '-d', '-b', 'p', '-t', 'carol');
      await wait(/Send 5 lines to #lobby\? \(y\/n\)/, 'the paste question');
      await tmux.press('y');
      for (const word of ['one', 'two', 'three', 'four', 'five']) {
        const m = await dave.expect(
          (m) => m.command === 'PRIVMSG' && isFrom(m.source, 'carol'),
          STEP_MS,
          `pasted line "${word}"`,
        );
        assert.deepEqual(m.params, ['#lobby', word]);
      }

      // /quit: the server hears it, the process ends, the terminal is as it was.
      await tmux.type('/quit see you', true);
      const quit = await dave.expect(
        (m) => m.command === 'QUIT' && isFrom(m.source, 'carol'),
        STEP_MS,
        "carol's QUIT",
      );
      assert.match(quit.params[0] ?? '', /see you/);
      await wait(/^exit=0$/m, 'the client exiting with 0 on a line of its own');
      // stty's report comes a moment after: capture once it is all on screen.
      await wait(/^stty-done$/m, "stty's report of the terminal after the client");
      screen = await lines();
      assert.ok(!screen.some((l) => /\| carol \| /.test(l)), 'status line left behind');
      const stty = screen.join(' ');
      assert.match(stty, /(?<!-)\bicanon\b/, 'canonical mode restored');
      assert.match(stty, /(?<!-)\becho\b/, 'echo restored');
      assert.match(stty, /(?<!-)\bisig\b/, 'signals restored');
      const visible = (await tmux.tmux('display', '-p', '-t', 'carol', '#{cursor_flag}')).trim();
      assert.equal(visible, '1', 'cursor hidden after exit');
    } finally {
      await term?.kill();
      dave?.destroy();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
